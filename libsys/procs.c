/*
 * Looking processes up in procinfo()'s table, for programs that name
 * processes (kill, the test programs): Cowl's own addition to the xv6 API.
 */
#include <user.h>

#define MAXROWS 64

static struct cowl_procinfo rows[MAXROWS];

int procfind(int pid, struct cowl_procinfo *row)
{
    int n = procinfo(rows, MAXROWS);

    for (int i = 0; i < n; i++)
        if (rows[i].pid == pid) {
            *row = rows[i];
            return 1;
        }
    return 0;
}

int procnamed(const char *name)
{
    int n = procinfo(rows, MAXROWS);

    for (int i = 0; i < n; i++)
        if (strncmp(rows[i].name, name, sizeof(rows[i].name)) == 0)
            return rows[i].pid;
    return -1;
}
