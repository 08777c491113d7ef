/*
 * Processes: a pid, a parent, a space and (for now) one thread, plus what
 * the process holds: file descriptors and endpoint handles. The pager is
 * pid 1 and privileged; init is the first ordinary process and adopts
 * orphans. All fields change only under big_lock.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include "ipc.h"
#include "space.h"
#include "thread.h"

#define NPROC 64
_Static_assert(NTHREAD == NPROC + COWL_PAGER_LANES_MAX, "a thread per process, lane and ping");
#define NOFILE 16

struct file;

struct proc {
    struct endpoint *handles[NHANDLE]; /* first: the IPC fast path indexes them from the record */
    int pid;                           /* 0 when the record is free */
    struct proc *parent;
    struct space *space;
    struct thread *thread;
    bool killed;
    bool zombie;
    bool pager;     /* the privileged pager */
    uint32_t privs; /* COWL_PRIV_* it holds */
    int pgid;       /* process group, inherited at fork; 0 (init, the pager): never interrupted */
    int status;
    char name[16];
    struct file *files[NOFILE];
};

/* A new process record with a thread that starts at entry (in the kernel)
 * and an empty space (pinned: the pager's, whose frames are carved at
 * boot); 0 when a table is full. Its thread is not yet runnable. */
struct proc *proc_create(const char *name, void (*entry)(void), bool pinned);
/* Boot: init, whose thread execs "init" when it first runs. */
void proc_create_init(void);

int proc_fork(void);
__attribute__((noreturn)) void proc_exit(int status);
int proc_wait(uint64_t status_va);
/* Mark pid killed and wake it from a sleep or a user IPC wait. -ENOENT when
 * no live process has that pid (pid <= 0 never does); -EPERM for the pager
 * and init, which nothing may kill. */
int proc_kill(int pid);
/* Kill every process of group pgid (never group 0, the pager or init);
 * returns how many. */
int proc_kill_group(int pgid);
/* Put process pid (0: the caller; else the caller's child) into group pgid
 * (0: pid's own). 0, or a negative error. */
int proc_setpgid(int pid, int pgid);
/* Kill p for a fault it took, with a console line saying what it was.
 * init is never killed for a COW store the pager could not resolve (out of
 * frames): it sleeps a tick and retries the store. The pager's fault halts. */
void proc_fault_kill(struct proc *p, uint64_t scause, uint64_t pc, uint64_t addr);
struct proc *proc_current(void);
struct thread *proc_thread_at(int i);
/* Describe the k-th live process in *row; false when there is none. */
bool proc_info(int k, struct cowl_procinfo *row);
/* mappings of pool frames [first, first+n) by every space into counts. */
void proc_count_frames(uint64_t base_pfn, uint64_t first, uint64_t n, uint32_t *counts);
void proc_dump(void);

#endif
