/*
 * Each hart's scheduler loop picks the next runnable thread after the last
 * one it ran and switches to it, holding big_lock across the switch: the
 * thread's kernel code runs under the lock and gives it up only on its way
 * back to user mode (trap.c) or when it switches back here. With nothing to
 * run, the hart drops the lock and waits for an interrupt. IPC hands the
 * hart from one thread straight to another (sched_handoff); the loop does
 * not mind which thread switches back to it.
 *
 * A pinned thread (sched_pin) is picked, and handed to, only on its hart.
 */
#include "sched.h"
#include "kstack.h"
#include "lock.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "space.h"
#include "trace.h"
#include "trap.h"
#include "arch/riscv/arch.h"

static struct thread threads[NTHREAD];

static bool may_run_here(const struct thread *t)
{
    return sched_runs_here(t);
}

static struct thread *pick(unsigned *cursor)
{
    for (unsigned i = 0; i < NTHREAD; i++) {
        struct thread *t = &threads[(*cursor + i) % NTHREAD];
        if (t->state == T_RUNNABLE && may_run_here(t)) {
            *cursor = (unsigned)(t - threads) + 1;
            return t;
        }
    }
    return 0;
}

static void idle(void)
{
    trace_poll();
    spin_unlock(&big_lock);
    arch_irq_on();
    arch_wait();
    arch_irq_off();
    spin_lock(&big_lock);
}

void sched_loop(void)
{
    struct cpu *cpu = this_cpu();
    unsigned cursor = 0;
    spin_lock(&big_lock);
    for (;;) {
        struct thread *t = pick(&cursor);
        if (!t) {
            idle();
            continue;
        }
        t->state = T_RUNNING;
        cpu->current = t;
        if (t->proc->space)
            space_activate(t->proc->space);
        context_switch(&cpu->sched, &t->ctx);
        cpu->current = 0;
        space_activate(0); /* an idle hart must not keep a space that may die */
    }
}

void sched_switch(void)
{
    struct thread *t = sched_current();
    ASSERT(spin_held(&big_lock) && t->state != T_RUNNING);
    t->parked_user = false; /* ctx is about to be this switch's */
    context_switch(&t->ctx, &this_cpu()->sched);
}

/* Make `to` this hart's running thread, in its space (none when its
 * process is on its way out). */
__attribute__((always_inline)) static inline void run_here(struct thread *to)
{
    to->state = T_RUNNING;
    this_cpu()->current = to;
    space_activate(to->proc->space);
}

/* run_here for a thread on its way to user mode, which has a space. */
__attribute__((always_inline)) static inline void run_user_here(struct thread *to)
{
    to->state = T_RUNNING;
    this_cpu()->current = to;
    space_install(to->proc->space);
}

void sched_handoff(struct thread *to)
{
    struct thread *from = sched_current();
    ASSERT(spin_held(&big_lock) && from->state != T_RUNNING);
    if (__builtin_expect(!may_run_here(to), 0)) {
        to->state = T_RUNNABLE; /* its own hart picks it up */
        sched_switch();
        return;
    }
    run_here(to);
    from->parked_user = false;
    context_switch(&from->ctx, &to->ctx);
}

/* t, blocked (its callers have just set the state), keeps nothing on its
 * kernel stack: whoever resumes it enters resume on an empty stack. */
void sched_park_at(struct thread *t, void (*resume)(void))
{
    /* Parked there already (a server in its loop, a thread's next fault):
     * only a park puts a function's entry in ctx.ra, with sp and s0 as
     * below; a context switch saves a return address, inside a function. */
    if (t->ctx.ra == (uint64_t)resume)
        return;
    t->ctx.ra = (uint64_t)resume;
    t->ctx.sp = t->kstack_top;
    t->ctx.s[0] = 0; /* the frame pointer: backtraces end here */
    t->parked_user = resume == trap_resume_user;
}

/* The current thread, already blocked in user IPC, keeps nothing on its
 * kernel stack: whoever resumes it enters trap_resume_user, which returns
 * to user mode with the trap frame its partner filled in. A server in its
 * loop is parked there already: a flag says so in one load (cleared by
 * every context switch that saves the thread's ctx). */
__attribute__((always_inline)) static inline void park(struct thread *t)
{
    if (__builtin_expect(!t->parked_user, 0))
        sched_park_at(t, trap_resume_user);
}

void sched_block_user(struct thread *to)
{
    ASSERT(spin_held(&big_lock));
    park(sched_current());
    if (to && may_run_here(to)) {
        run_here(to);
        context_jump(&to->ctx);
    }
    if (to)
        to->state = T_RUNNABLE;
    context_jump(&this_cpu()->sched);
}

void sched_resume_here(struct thread *to)
{
    park(sched_current());
    run_here(to);
    context_jump(&to->ctx);
}

void sched_leave_for_user(void (*resume)(void), struct thread *to)
{
    sched_park_at(sched_current(), resume);
    run_user_here(to);
    /* to, the lane of this hart, is pinned here: its frame's kernel_tp is
     * this hart's. sstatus is as the user trap that brought the hart here
     * left it (SPP clear, SPIE set): nothing since has slept or opened
     * interrupts, as on the IPC fast path. */
    trap_return_user(&to->tf);
}

/* Inlined into the IPC fast paths (link-time optimization). */
__attribute__((always_inline)) inline void sched_pass_to_user(struct thread *to)
{
    /* Its callers hold big_lock and have checked may_run_here(to). */
    sched_return_here(to);
    to->tf.kernel_tp = (uint64_t)this_cpu();
}

__attribute__((always_inline)) inline void sched_return_here(struct thread *to)
{
    park(sched_current());
    run_user_here(to);
}

void sched_yield(void)
{
    sched_current()->preemptions++;
    sched_current()->state = T_RUNNABLE;
    sched_switch();
}

int sched_pin(int hartid)
{
    struct thread *t = sched_current();
    struct cpu *target = 0;
    for (uint32_t i = 0; i < ncpu && hartid != COWL_PIN_ANY; i++)
        if (cpus[i].online && cpus[i].hartid == (uint32_t)hartid)
            target = &cpus[i];
    if (hartid != COWL_PIN_ANY && !target)
        return -COWL_EINVAL;
    t->pinned = target;
    if (!may_run_here(t))
        sched_yield();
    return 0;
}

void sched_pause(void)
{
    spin_unlock(&big_lock);
    arch_irq_on();
    arch_irq_off();
    spin_lock(&big_lock);
    sched_yield();
}

void sched_sleep(const void *chan)
{
    ASSERT(spin_held(&big_lock));
    struct thread *t = sched_current();
    t->chan = chan;
    t->state = T_SLEEPING;
    sched_switch();
    t->chan = 0;
}

void sched_wakeup(const void *chan)
{
    for (int i = 0; i < NTHREAD; i++)
        if (threads[i].state == T_SLEEPING && threads[i].chan == chan)
            threads[i].state = T_RUNNABLE;
}

/* Thread record i runs on stack slot i of the kernel's stack window, mapped
 * once at boot (kstack.h), so allocation cannot fail for want of a stack. */
struct thread *sched_thread_alloc(void (*entry)(void))
{
    for (unsigned i = 0; i < NTHREAD; i++) {
        struct thread *t = &threads[i];
        if (t->state != T_FREE)
            continue;
        *t = (struct thread){.state = T_BLOCKED, .kstack_top = kstack_top(i)};
        t->ctx.ra = (uint64_t)entry;
        t->ctx.sp = t->kstack_top;
        t->tf.kernel_sp = t->kstack_top;
        return t;
    }
    return 0;
}

void sched_thread_free(struct thread *t)
{
    t->state = T_FREE;
}

uint64_t sched_thread_count(void)
{
    uint64_t n = 0;
    for (int i = 0; i < NTHREAD; i++)
        n += threads[i].state != T_FREE;
    return n;
}

struct thread *sched_thread(unsigned i)
{
    ASSERT(i < NTHREAD);
    return &threads[i];
}
