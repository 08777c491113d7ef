/*
 * Each hart's scheduler loop picks the next runnable thread after the last
 * one it ran and switches to it, holding big_lock across the switch: the
 * thread's kernel code runs under the lock and gives it up only on its way
 * back to user mode (trap.c) or when it switches back here. With nothing to
 * run, the hart drops the lock and waits for an interrupt. IPC hands the
 * hart from one thread straight to another (sched_handoff); the loop does
 * not mind which thread switches back to it.
 */
#include "sched.h"
#include "kalloc.h"
#include "lock.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "space.h"
#include "arch/riscv/csr.h"

static struct thread threads[NTHREAD];

struct thread *sched_current(void)
{
    return this_cpu()->current;
}

static struct thread *pick(unsigned *cursor)
{
    for (unsigned i = 0; i < NTHREAD; i++) {
        struct thread *t = &threads[(*cursor + i) % NTHREAD];
        if (t->state == T_RUNNABLE) {
            *cursor = (unsigned)(t - threads) + 1;
            return t;
        }
    }
    return 0;
}

static void idle(void)
{
    spin_unlock(&big_lock);
    csr_set(sstatus, SSTATUS_SIE);
    __asm__ volatile("wfi");
    csr_clear(sstatus, SSTATUS_SIE);
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
    context_switch(&t->ctx, &this_cpu()->sched);
}

void sched_handoff(struct thread *to)
{
    struct thread *from = sched_current();
    ASSERT(spin_held(&big_lock) && from->state != T_RUNNING);
    to->state = T_RUNNING;
    this_cpu()->current = to;
    space_activate(to->proc->space);
    context_switch(&from->ctx, &to->ctx);
}

void sched_yield(void)
{
    sched_current()->state = T_RUNNABLE;
    sched_switch();
}

void sched_pause(void)
{
    spin_unlock(&big_lock);
    csr_set(sstatus, SSTATUS_SIE);
    csr_clear(sstatus, SSTATUS_SIE);
    spin_lock(&big_lock);
    sched_yield();
}

void sched_sleep(const void *chan)
{
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

struct thread *sched_thread_alloc(void (*entry)(void))
{
    for (int i = 0; i < NTHREAD; i++) {
        struct thread *t = &threads[i];
        if (t->state != T_FREE)
            continue;
        uint64_t stack = kalloc_page();
        if (!stack)
            return 0;
        *t = (struct thread){.state = T_BLOCKED, .kstack = stack};
        t->ctx.ra = (uint64_t)entry;
        t->ctx.sp = stack + 4096;
        t->tf.kernel_sp = stack + 4096;
        return t;
    }
    return 0;
}

void sched_thread_free(struct thread *t)
{
    kalloc_free(t->kstack);
    t->kstack = 0;
    t->state = T_FREE;
}

uint64_t sched_thread_count(void)
{
    uint64_t n = 0;
    for (int i = 0; i < NTHREAD; i++)
        n += threads[i].state != T_FREE;
    return n;
}

void sched_dump(void)
{
    printk("\n");
    proc_dump();
}
