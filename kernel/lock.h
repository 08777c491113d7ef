/*
 * Spinlocks. The kernel runs under one big lock (big_lock) taken on every
 * entry from user mode and released on the way out, as seL4 does on SMP:
 * kernel paths are short and user code runs in parallel. The few leaf locks
 * (console output, the kernel page allocator) are taken inside it, never the
 * other way round, and none is held across a context switch except big_lock.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"

/* The lock word names its holder: the holding hart's struct cpu (its tp),
 * 0 when free. One compare-and-swap takes it and one store releases it,
 * and whether this hart holds it is one comparison with tp. */
struct spinlock {
    volatile uintptr_t holder;
    const char *name;
    uint32_t waiters; /* harts spinning for it (spin_yield hands it to one) */
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, n, 0                                                                                    \
    }

/* Spin until l is ours, having found it taken (lock.c); panics if this
 * hart holds it already, which would spin for ever. */
void spin_lock_contended(struct spinlock *l);

/* Take l if it is free. Inline, as is spin_lock, so that a path takes a
 * lock without a call (trap.S takes big_lock for the IPC fast path with the
 * same four instructions, lock_big). */
static inline bool spin_trylock(struct spinlock *l)
{
    /* GCC 12's compare-and-swap puts the acquire on the sc, not the lr,
     * and then tests the old value again: written out, it is four. An asm
     * goto with an output is not volatile by itself in GCC 12: with the
     * output unused, it was deleted. */
    uintptr_t seen;
    asm volatile goto("1: lr.d.aq %0, (%1)\n"
                      "   bnez %0, %l[taken]\n"
                      "   sc.d %0, %2, (%1)\n"
                      "   bnez %0, 1b\n"
                      : "=&r"(seen)
                      : "r"(&l->holder), "r"(this_cpu())
                      : "memory"
                      : taken);
    return true;
taken:
    return false;
}

static inline void spin_lock(struct spinlock *l)
{
    if (__builtin_expect(!spin_trylock(l), 0))
        spin_lock_contended(l);
}

void spin_unlock(struct spinlock *l);
/* In a long path (fork or exit of many pages): if another hart waits for
 * l, let it have l and take l back after it, so that the path does not
 * hold l for its whole length. The caller holds l; what it reads under l
 * before the call may have changed after it, except what only its own
 * thread changes. */
void spin_yield(struct spinlock *l);
/* Whether this hart holds l (for assertions; inline, as the hot paths
 * assert it). */
static inline bool spin_held(const struct spinlock *l)
{
    return l->holder == (uintptr_t)this_cpu();
}

extern struct spinlock big_lock;

/* big_lock's contention since boot, summed over the harts; a spin still in
 * progress counts up to the moment of reading. */
struct lock_wait_totals {
    uint64_t contended;  /* acquisitions that found it taken */
    uint64_t ticks;      /* time CSR ticks spent spinning for it */
    uint64_t long_ticks; /* the part of ticks spent in waits over 1 ms */
};

/* Reads the totals; needs no lock. */
void lock_wait_totals(struct lock_wait_totals *t);

#endif
