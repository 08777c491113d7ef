/*
 * ls: list the programs in the boot image, one name a line. Cowl has no
 * file system; these names are all that exec (and so the shell) can run.
 */
#include <user.h>

#define NAME_MAX 64

int main(void)
{
    char name[NAME_MAX];

    for (int k = 0; progname(k, name, sizeof(name)) >= 0; k++) {
        name[sizeof(name) - 1] = 0; /* a cut name has no NUL of its own */
        printf("%s\n", name);
    }
    return 0;
}
