/*
 * trace: turn the pager's decision tracing on the console on or off.
 */
#include <user.h>

int main(int argc, char **argv)
{
    int on;

    if (argc == 2 && strcmp(argv[1], "on") == 0) {
        on = 1;
    } else if (argc == 2 && strcmp(argv[1], "off") == 0) {
        on = 0;
    } else {
        fprintf(2, "usage: trace on|off\n");
        return 1;
    }
    if (pagertrace(on) < 0) {
        fprintf(2, "trace: pagertrace failed\n");
        return 1;
    }
    return 0;
}
