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

struct spinlock {
    volatile uint32_t locked;
    int32_t owner; /* cpu index holding it, -1 if none */
    const char *name;
    uint32_t waiters; /* harts spinning for it (spin_yield hands it to one) */
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, -1, n, 0                                                                                \
    }

/* Spin until l is ours, having found it taken (lock.c); panics if this
 * hart holds it already, which would spin for ever. */
void spin_lock_contended(struct spinlock *l);

/* Take l if it is free. Inline, as is spin_lock, so that a hot path takes
 * big_lock without a call: a path without calls keeps its values in
 * registers a callee may clobber and saves none (the IPC fast path). */
static inline bool spin_trylock(struct spinlock *l)
{
    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE), 0))
        return false;
    l->owner = (int32_t)this_cpu()->index;
    return true;
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
    return l->locked && l->owner == (int32_t)this_cpu()->index;
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
