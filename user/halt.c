/*
 * halt: power the machine off, with exit status 0 or the one given.
 */
#include <user.h>

int main(int argc, char **argv)
{
    poweroff(argc > 1 ? atoi(argv[1]) : 0);
}
