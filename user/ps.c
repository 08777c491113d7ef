/*
 * ps: list the processes, one row each, from the kernel's procinfo table.
 * FRAMES counts the user frames mapped in the process's space, shared
 * (copy-on-write) frames included in each space that maps them.
 */
#include <user.h>

#define MAXROWS 64

static struct cowl_procinfo rows[MAXROWS];

static const char *state_name(int state)
{
    switch (state) {
    case COWL_RUNNABLE:
        return "runnable";
    case COWL_RUNNING:
        return "running";
    case COWL_SLEEPING:
        return "sleeping";
    case COWL_BLOCKED:
        return "blocked";
    case COWL_ZOMBIE:
        return "zombie";
    default:
        return "?";
    }
}

int main(void)
{
    int n = procinfo(rows, MAXROWS);
    char name[sizeof(rows[0].name) + 1];

    if (n < 0) {
        fprintf(2, "ps: procinfo failed\n");
        return 1;
    }
    printf("%5s %5s %-9s %6s %s\n", "PID", "PPID", "STATE", "FRAMES", "NAME");
    for (int i = 0; i < n && i < MAXROWS; i++) {
        /* The kernel need not terminate a name that fills the field. */
        memmove(name, rows[i].name, sizeof(rows[i].name));
        name[sizeof(rows[i].name)] = 0;
        printf("%5d %5d %-9s %6d %s\n", rows[i].pid, rows[i].ppid, state_name(rows[i].state),
               rows[i].frames, name);
    }
    return 0;
}
