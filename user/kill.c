/*
 * kill: kill each process named by its pid. The kernel refuses the pager
 * and init (and answers -1 either way, as xv6's kill does), so a refusal is
 * told apart from a missing process by looking the pid up.
 */
#include <user.h>

#define MAXROWS 64

/* The name of live process pid into name; 0 if there is none. */
static int find(int pid, char name[16])
{
    static struct cowl_procinfo rows[MAXROWS];
    int n = procinfo(rows, MAXROWS);

    for (int i = 0; i < n; i++)
        if (rows[i].pid == pid && rows[i].state != COWL_ZOMBIE) {
            memcpy(name, rows[i].name, 16);
            name[15] = 0;
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    int status = 0;
    char name[16];

    if (argc < 2) {
        fprintf(2, "usage: kill pid...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        int pid = atoi(argv[i]);
        if (kill(pid) == 0)
            continue;
        if (pid > 0 && find(pid, name))
            fprintf(2, "kill: %d (%s) may not be killed\n", pid, name);
        else
            fprintf(2, "kill: no process %s\n", argv[i]);
        status = 1;
    }
    return status;
}
