/*
 * Process, memory and system syscalls: argument checks here, work in proc.c,
 * exec.c, space.c and frames.c.
 */
#include "bootfs.h"
#include "console.h"
#include "copy.h"
#include "exec.h"
#include "file.h"
#include "ipc.h"
#include "ratelimit.h"
#include "page.h"
#include "pager_client.h"
#include "kalloc.h"
#include "lock.h"
#include "machine.h"
#include "power.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"
#include "timer.h"
#include "trace.h"
#include "trap.h"
#include "cpu.h"

int64_t sys_fork(struct trapframe *tf)
{
    (void)tf;
    return proc_fork();
}

int64_t sys_exit(struct trapframe *tf)
{
    proc_exit((int)tf_arg(tf, 0));
}

int64_t sys_wait(struct trapframe *tf)
{
    return proc_wait(tf_arg(tf, 0));
}

int64_t sys_kill(struct trapframe *tf)
{
    return proc_kill((int)tf_arg(tf, 0));
}

int64_t sys_getpid(struct trapframe *tf)
{
    (void)tf;
    return proc_current()->pid;
}

int64_t sys_nullcall(struct trapframe *tf)
{
    (void)tf;
    return 0;
}

int64_t sys_hartid(struct trapframe *tf)
{
    (void)tf;
    return this_cpu()->hartid;
}

/* copy_in_str fails both for a bad address and for a string without a NUL
 * in its first max bytes; in a zeroed buffer only the second fills all max. */
static bool filled(const char *buf, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++)
        if (!buf[i])
            return false;
    return true;
}

/* Copy the user's argv strings back to back into page (COWL_EXEC_ARG_BYTES
 * long, zeroed); returns their count, -COWL_E2BIG past a limit, -COWL_EFAULT
 * for a bad pointer. */
static int fetch_args(struct space *s, uva_t uargv, char *page)
{
    uint64_t used = 0;
    for (int argc = 0; argc <= COWL_EXEC_MAX_ARGS; argc++) {
        uint64_t ptr;
        if (copy_in(s, &ptr, uargv + argc * sizeof(uint64_t), sizeof(ptr)) < 0)
            return -COWL_EFAULT;
        if (!ptr)
            return argc;
        if (argc == COWL_EXEC_MAX_ARGS || used == COWL_EXEC_ARG_BYTES)
            return -COWL_E2BIG;
        if (copy_in_str(s, page + used, ptr, COWL_EXEC_ARG_BYTES - used) < 0)
            return filled(page + used, COWL_EXEC_ARG_BYTES - used) ? -COWL_E2BIG : -COWL_EFAULT;
        used += strlen(page + used) + 1;
    }
    return -COWL_E2BIG;
}

int64_t sys_exec(struct trapframe *tf)
{
    struct space *s = proc_current()->space;
    char name[32];
    _Static_assert(COWL_EXEC_ARG_BYTES <= PAGE_SIZE,
                   "exec's strings fit the page fetch_args fills");
    if (copy_in_str(s, name, tf_arg(tf, 0), sizeof(name)) < 0)
        return -COWL_EFAULT;
    uint64_t page = kalloc_page();
    if (!page)
        return -COWL_ENOMEM;
    memset((void *)page, 0, COWL_EXEC_ARG_BYTES);
    int argc = fetch_args(s, tf_arg(tf, 1), (char *)page);
    int r = argc < 0 ? argc : exec_program(name, (const char *)page, argc);
    kalloc_free(page);
    if (r < 0)
        return r;
    /* The frame is new (a0 = argc): the return must load all of it, not
     * only the registers a system call's return restores. */
    trap_resume_user();
}

int64_t sys_sbrk(struct trapframe *tf)
{
    struct space *s = proc_current()->space;
    int64_t n = (int32_t)tf_arg(tf, 0);
    uint64_t old = s->brk, new = old + (uint64_t)n;
    if (n > 0 && (new < old || new > COWL_PAGER_TABLE_VA))
        return -COWL_ENOMEM;
    if (n < 0 && (uint64_t)-n > old - s->heap)
        return -COWL_EINVAL;
    uint64_t old_top = page_up(old), new_top = page_up(new);
    if (new_top > old_top &&
        space_map_new(s, old_top, (new_top - old_top) / PAGE_SIZE, PTE_R | PTE_W) < 0) {
        space_unmap(s, old_top, (new_top - old_top) / PAGE_SIZE);
        return -COWL_ENOMEM;
    }
    if (new_top < old_top)
        space_unmap(s, new_top, (old_top - new_top) / PAGE_SIZE);
    s->brk = new;
    return (int64_t)old;
}

int64_t sys_sleep(struct trapframe *tf)
{
    uint64_t until = timer_ticks() + (uint32_t)tf_arg(tf, 0);
    while (timer_ticks() < until) {
        if (proc_current()->killed)
            return -1;
        sched_sleep(timer_ticks_chan());
    }
    return 0;
}

int64_t sys_uptime(struct trapframe *tf)
{
    (void)tf;
    return (int64_t)timer_ticks();
}

_Static_assert(MACHINE_BOOTARGS_MAX == COWL_BOOTARGS_MAX, "bootargs() promises the kernel's limit");

int64_t sys_bootargs(struct trapframe *tf)
{
    uint64_t len = strlen(machine.bootargs) + 1, n = tf_arg(tf, 1);
    if (copy_out(proc_current()->space, tf_arg(tf, 0), machine.bootargs, n < len ? n : len) < 0)
        return -COWL_EFAULT;
    return (int64_t)len - 1;
}

int64_t sys_poweroff(struct trapframe *tf)
{
    if (!(proc_current()->privs & COWL_PRIV_POWEROFF))
        return -COWL_EPERM;
    trace_poll(); /* the trace's last records reach the trace console */
    power_off((int)tf_arg(tf, 0));
}

int64_t sys_privdrop(struct trapframe *tf)
{
    struct proc *p = proc_current();
    p->privs &= ~(uint32_t)tf_arg(tf, 0);
    return p->privs;
}

int64_t sys_procinfo(struct trapframe *tf)
{
    int max = (int)tf_arg(tf, 1), n = 0;
    if (max < 0)
        return -COWL_EINVAL;
    struct cowl_procinfo row;
    while (n < max && proc_info(n, &row)) {
        if (copy_out(proc_current()->space, tf_arg(tf, 0) + n * sizeof(row), &row, sizeof(row)) < 0)
            return -COWL_EFAULT;
        n++;
    }
    return n;
}

int64_t sys_poolstat(struct trapframe *tf)
{
    struct cowl_poolstat st;
    if (pager_stat(&st) < 0)
        return -COWL_EINVAL;
    return copy_out(proc_current()->space, tf_arg(tf, 0), &st, sizeof(st)) < 0 ? -COWL_EFAULT : 0;
}

int64_t sys_poolcheck(struct trapframe *tf)
{
    (void)tf;
    uint64_t base = pfn_of(user_pool_base), total = (user_pool_end - user_pool_base) / PAGE_SIZE;
    int64_t mismatches = 0;
    uint32_t *batch = pager_batch_begin();
    for (uint64_t first = 0; first < total && mismatches >= 0; first += COWL_BATCH_MAX) {
        uint64_t n = total - first < COWL_BATCH_MAX ? total - first : COWL_BATCH_MAX;
        memset(batch, 0, n * sizeof(uint32_t));
        proc_count_frames(base, first, n, batch);
        /* cow=kernel: the kernel's copy of the policy holds the reserved
         * frames (its tables), as the pager's own space does otherwise. */
        for (uint64_t i = first; !pager_proc() && i < pager_reserved() && i < first + n; i++)
            batch[i - first]++;
        int64_t m = pager_audit(first, n);
        mismatches = m < 0 ? -COWL_EINVAL : mismatches + m;
    }
    pager_batch_end();
    return mismatches;
}

int64_t sys_kstat(struct trapframe *tf)
{
    struct cowl_kstat st = {
        .threads = sched_thread_count(),
        .spaces = space_count(),
        .endpoints = ipc_endpoint_count(),
        .kpages = kalloc_pages_in_use(),
        .rejected = pager_refused_count(),
        .held = ratelimit_held_total(),
        .ipc_slow = ipc_slow_count,
    };
    st.files = file_count(&st.pipes);
    return copy_out(proc_current()->space, tf_arg(tf, 0), &st, sizeof(st)) < 0 ? -COWL_EFAULT : 0;
}

int64_t sys_pagertrace(struct trapframe *tf)
{
    int err = trace_set(tf_arg(tf, 0) != 0);
    return err ? err : pager_trace(tf_arg(tf, 0) != 0);
}

int64_t sys_pin(struct trapframe *tf)
{
    return sched_pin((int)tf_arg(tf, 0));
}

int64_t sys_setpgid(struct trapframe *tf)
{
    return proc_setpgid((int)tf_arg(tf, 0), (int)tf_arg(tf, 1));
}

int64_t sys_setfg(struct trapframe *tf)
{
    int group = (int)tf_arg(tf, 0);
    if (!(proc_current()->privs & COWL_PRIV_CONSOLE))
        return -COWL_EPERM; /* the console's shell, not the programs it runs */
    if (group < 0)
        return -COWL_EINVAL;
    console_set_foreground(group);
    return 0;
}

/* progname(k, buf, n): the k-th program name of the boot image and its NUL
 * into buf, cut to n bytes (as bootargs: a cut name has no NUL); returns
 * the name's length, -COWL_ENOENT past the last. */
int64_t sys_progname(struct trapframe *tf)
{
    const struct bootfs_file *f = bootfs_at(tf_arg(tf, 0));
    if (!f)
        return -COWL_ENOENT;
    uint64_t len = strlen(f->name) + 1, n = tf_arg(tf, 2);
    if (n > len)
        n = len;
    if (n == 0 || copy_out(proc_current()->space, tf_arg(tf, 1), f->name, n) < 0)
        return -COWL_EFAULT;
    return (int64_t)len - 1;
}

/* benchstat(st): the counters a benchmark compares around a timed region. */
int64_t sys_benchstat(struct trapframe *tf)
{
    struct cowl_benchstat st = {
        .hart = this_cpu()->hartid,
        .ticks = this_cpu()->ticks,
        .preemptions = sched_current()->preemptions,
        .timebase_hz = machine.timebase_hz,
        .tick_hz = timer_hz(),
    };
    struct lock_wait_totals w;
    lock_wait_totals(&w);
    st.lock_contended = w.contended;
    st.lock_wait = w.ticks;
    st.lock_wait_long = w.long_ticks;
    st.harts = ncpu;
    return copy_out(proc_current()->space, tf_arg(tf, 0), &st, sizeof(st)) < 0 ? -COWL_EFAULT : 0;
}

int64_t sys_traceread(struct trapframe *tf)
{
    return trace_read(tf_arg(tf, 0), tf_arg(tf, 1));
}
