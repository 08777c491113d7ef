/*
 * The process table: creation at boot, fork, exit, wait, kill. A process's
 * record lives until its parent reaps it; its space and files go back at
 * exit. Orphans pass to init. The pager may not fork, exit or be killed: if
 * it dies the kernel halts, naming it, rather than hang every fault.
 */
#include "proc.h"
#include "copy.h"
#include "exec.h"
#include "file.h"
#include "pager_client.h"
#include "panic.h"
#include "printk.h"
#include "ratelimit.h"
#include "sched.h"
#include "string.h"
#include "trace.h"
#include "timer.h"
#include "trap.h"
#include "arch/riscv/arch.h"

static struct proc procs[NPROC];
static struct proc *init_proc;
static int next_pid = 1;

struct proc *proc_current(void)
{
    struct thread *t = sched_current();
    return t ? t->proc : 0;
}

struct thread *proc_thread_at(int i)
{
    return procs[i].pid ? procs[i].thread : 0;
}

struct proc *proc_create(const char *name, void (*entry)(void), bool pinned)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->pid)
            continue;
        struct thread *t = sched_thread_alloc(entry);
        struct space *s = t ? space_create(pinned) : 0;
        if (!s) {
            if (t)
                sched_thread_free(t);
            return 0;
        }
        *p = (struct proc){.pid = next_pid++, .space = s, .thread = t};
        strlcpy(p->name, name, sizeof(p->name));
        t->proc = p;
        return p;
    }
    return 0;
}

static void free_record(struct proc *p)
{
    sched_thread_free(p->thread);
    p->pid = 0;
}

static void init_start(void)
{
    if (exec_program("init", "init", 1) < 0)
        panic("boot: cannot exec init");
    trap_return();
}

void proc_create_init(void)
{
    init_proc = proc_create("init", init_start, false);
    if (!init_proc)
        panic("boot: cannot create init");
    struct endpoint *ep = pager_endpoint();
    if (ep) {
        ipc_endpoint_get(ep);
        init_proc->handles[COWL_PAGER_EP] = ep;
    }
    init_proc->privs = COWL_PRIV_ALL;
    file_std_open(init_proc->files);
    init_proc->thread->state = T_RUNNABLE;
}

int proc_fork(void)
{
    struct proc *parent = proc_current();
    if (parent->pager)
        return -COWL_EPERM;
    struct proc *child = proc_create(parent->name, trap_thread_start, false);
    if (!child)
        return -COWL_ENOMEM;
    int err = space_fork(parent->space, child->space);
    trace_fork(parent, child, err);
    if (err < 0) {
        space_destroy(child->space);
        free_record(child);
        return -COWL_ENOMEM;
    }
    child->thread->tf = parent->thread->tf;
    child->thread->tf.kernel_sp = child->thread->kstack_top;
    tf_set_result(&child->thread->tf, 0); /* fork returns 0 in the child */
    child->parent = parent;
    child->privs = parent->privs;
    child->pgid = parent->pgid;
    for (int i = 0; i < NOFILE; i++)
        if (parent->files[i])
            child->files[i] = file_dup(parent->files[i]);
    for (int i = 0; i < NHANDLE; i++)
        if ((child->handles[i] = parent->handles[i]))
            ipc_endpoint_get(child->handles[i]);
    child->thread->state = T_RUNNABLE;
    return child->pid;
}

void proc_exit(int status)
{
    struct proc *p = proc_current();
    if (p->pager)
        panic("the pager (pid %d) exited with status %d", p->pid, status);
    if (p == init_proc)
        panic("init exited with status %d", status);
    trace_exit(p->thread, (uint32_t)p->pid, status);
    for (int i = 0; i < NOFILE; i++)
        if (p->files[i]) {
            file_close(p->files[i]);
            p->files[i] = 0;
        }
    for (int i = 0; i < NHANDLE; i++)
        if (p->handles[i]) {
            ipc_endpoint_put(p->handles[i]);
            p->handles[i] = 0;
        }
    ipc_forget(p->thread);
    /* Off this hart's satp before its tables are freed; detached first
     * because the release may block and the scheduler must not switch back
     * into a half-destroyed space. */
    struct space *s = p->space;
    p->space = 0;
    space_activate(0);
    space_destroy(s);
    for (int i = 0; i < NPROC; i++)
        if (procs[i].pid && procs[i].parent == p) {
            procs[i].parent = init_proc;
            if (procs[i].zombie)
                sched_wakeup(init_proc);
        }
    p->status = status;
    p->zombie = true;
    sched_wakeup(p->parent);
    p->thread->state = T_DEAD;
    sched_switch();
    panic("a dead thread ran");
}

int proc_wait(uint64_t status_va)
{
    struct proc *me = proc_current();
    for (;;) {
        bool children = false;
        for (int i = 0; i < NPROC; i++) {
            struct proc *c = &procs[i];
            if (!c->pid || c->parent != me)
                continue;
            children = true;
            if (!c->zombie)
                continue;
            int pid = c->pid;
            int32_t status = c->status;
            if (status_va && copy_out(me->space, status_va, &status, sizeof(status)) < 0)
                return -COWL_EFAULT;
            free_record(c);
            return pid;
        }
        if (!children)
            return -COWL_ECHILD;
        if (me->killed)
            return -COWL_EINVAL;
        sched_sleep(me);
    }
}

int proc_kill(int pid)
{
    if (pid <= 0)
        return -COWL_ENOENT; /* 0 is the mark of a free record, not a process */
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->pid != pid || p->zombie)
            continue;
        if (p->pager || p == init_proc)
            return -COWL_EPERM;
        p->killed = true;
        trace_signal((uint32_t)pid);
        if (p->thread->state == T_SLEEPING)
            p->thread->state = T_RUNNABLE;
        ipc_abort(p->thread, -COWL_ENOENT);
        return 0;
    }
    return -COWL_ENOENT;
}

int proc_kill_group(int pgid)
{
    int n = 0;
    for (int i = 0; i < NPROC && pgid > 0; i++) {
        struct proc *p = &procs[i];
        if (p->pid && p->pgid == pgid && !p->zombie && p != init_proc && proc_kill(p->pid) == 0)
            n++;
    }
    return n;
}

int proc_setpgid(int pid, int pgid)
{
    struct proc *me = proc_current();
    if (pid < 0 || pgid < 0)
        return -COWL_EINVAL;
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (!p->pid || (pid ? p->pid != pid : p != me))
            continue;
        if (p != me && p->parent != me)
            return -COWL_EPERM;
        if (p->pager || p == init_proc)
            return -COWL_EPERM;
        p->pgid = pgid ? pgid : p->pid;
        return 0;
    }
    return -COWL_ENOENT;
}

/* A store init could not complete because its COW page is still shared:
 * the pager found no free frame (or refused). */
static bool cow_unresolved(struct proc *p, uint64_t scause, uint64_t addr)
{
    pte_t *pte = space_pte(p->space, addr);
    return scause == EXC_STORE_PAGE_FAULT && pte && (*pte & PTE_COW);
}

void proc_fault_kill(struct proc *p, uint64_t scause, uint64_t pc, uint64_t addr)
{
    if (p->pager)
        panic("the pager (pid %d) faulted: %s at pc 0x%lx addr 0x%lx", p->pid, scause_name(scause),
              pc, addr);
    if (p == init_proc && cow_unresolved(p, scause, addr)) {
        /* Out of frames must not take init (and the machine) down: it
         * waits a tick and retries the store, as memory comes back. */
        static struct ratelimit wait_rl;
        if (ratelimit_allow(&wait_rl))
            printk("cowl: init (pid %d) waits for a free frame\n", p->pid);
        sched_sleep(timer_ticks_chan());
        return;
    }
    trace_fault_kill(p->thread, scause, pc, addr);
    static struct ratelimit rl;
    if (ratelimit_allow(&rl))
        printk("cowl: pid %d (%s) killed: %s at pc 0x%lx addr 0x%lx\n", p->pid, p->name,
               scause_name(scause), pc, addr);
    p->killed = true;
}

static enum cowl_proc_state state_of(struct proc *p)
{
    if (p->zombie)
        return COWL_ZOMBIE;
    switch (p->thread->state) {
    case T_RUNNABLE:
        return COWL_RUNNABLE;
    case T_RUNNING:
        return COWL_RUNNING;
    case T_SLEEPING:
        return COWL_SLEEPING;
    default:
        return COWL_BLOCKED;
    }
}

bool proc_info(int k, struct cowl_procinfo *row)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (!p->pid || k--)
            continue;
        *row = (struct cowl_procinfo){
            .pid = p->pid,
            .ppid = p->parent ? p->parent->pid : 0,
            .state = state_of(p),
            .frames = p->space ? (int32_t)space_frames(p->space) : 0,
        };
        memcpy(row->name, p->name, sizeof(row->name));
        return true;
    }
    return false;
}

void proc_count_frames(uint64_t base_pfn, uint64_t first, uint64_t n, uint32_t *counts)
{
    space_census_begin();
    for (int i = 0; i < NPROC; i++)
        if (procs[i].pid && procs[i].space)
            space_count_frames(procs[i].space, base_pfn, first, n, counts);
}

void proc_dump(void)
{
    static const char *const names[] = {"?",        "runnable", "running",
                                        "sleeping", "blocked",  "zombie"};
    printk("%5s %5s %-9s %6s %s\n", "PID", "PPID", "STATE", "FRAMES", "NAME");
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (!p->pid)
            continue;
        printk("%5d %5d %-9s %6lu %s\n", p->pid, p->parent ? p->parent->pid : 0, names[state_of(p)],
               p->space ? space_frames(p->space) : 0UL, p->name);
    }
}
