/*
 * kill: kill each process named by its pid. The kernel refuses the pager
 * and init (and answers -1 either way, as xv6's kill does), so a refusal is
 * told apart from a missing process by looking the pid up.
 */
#include <user.h>

int main(int argc, char **argv)
{
    int status = 0;
    struct cowl_procinfo row;

    if (argc < 2) {
        fprintf(2, "usage: kill pid...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        int pid = atoi(argv[i]);
        if (kill(pid) == 0)
            continue;
        if (pid > 0 && procfind(pid, &row) && row.state != COWL_ZOMBIE)
            fprintf(2, "kill: %d (%s) may not be killed\n", pid, row.name);
        else
            fprintf(2, "kill: no process %s\n", argv[i]);
        status = 1;
    }
    return status;
}
