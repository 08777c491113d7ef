/*
 * sleep: wait the given number of clock ticks (xv6's units), as in the
 * xv6 lab's first exercise. Ctrl-C ends it early.
 */
#include <user.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(2, "usage: sleep ticks\n");
        return 1;
    }
    return sleep(atoi(argv[1])) < 0 ? 1 : 0;
}
