// A program written as xv6 lab code is: main takes argc and argv and uses
// neither, a variable is left unused, and it ends with exit(0). Built with
// -Dextra_programs, it must compile (with warnings shown) and run.
#include <user.h>

int main(int argc, char *argv[])
{
    int unused;
    char *p = malloc(4096);

    p[0] = 'x';
    if (fork() == 0) {
        p[0] = 'y';
        exit(0);
    }
    wait(0);
    printf("xv6habits: parent still sees %c\n", p[0]);
    exit(0);
}
