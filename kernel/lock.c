/*
 * Test-and-set spinlocks with an owner for assertions. Interrupts are always
 * off in the kernel (they are taken only in user mode and in the idle loop),
 * so a lock holder is never interrupted on its own hart.
 *
 * big_lock's contention is counted per hart (lock_waits[]): acquisitions
 * that found it taken, the time CSR ticks spent spinning for it, and the
 * part of those ticks spent in waits of over a millisecond (no short kernel
 * path takes that long: such a wait is behind a fork or exit of many pages,
 * or the host descheduling the holder's virtual CPU). Only the contended path counts, so taking a
 * free lock costs what it always did (the -icount baselines, one hart, never
 * contend). Each hart writes only its own slot; lock_wait_totals() sums them
 * without a lock, which is all a before-and-after reading needs.
 */
#include "lock.h"
#include "cpu.h"
#include "machine.h"
#include "panic.h"
#include "arch/riscv/arch.h"

_Static_assert(__builtin_offsetof(struct spinlock, locked) == LOCK_LOCKED, "asm.h LOCK_LOCKED");
_Static_assert(__builtin_offsetof(struct spinlock, owner) == LOCK_OWNER, "asm.h LOCK_OWNER");

#define CACHE_LINE    64   /* one hart's counters per line: no sharing between harts */
#define LONG_WAIT_DIV 1000 /* a wait longer than 1/1000 s is a long one */

struct spinlock big_lock = SPINLOCK_INIT("big");

static struct lock_wait {
    uint64_t contended;
    uint64_t ticks;
    uint64_t long_ticks;
} __attribute__((aligned(CACHE_LINE))) lock_waits[MAX_HARTS];

static inline void spin_own(struct spinlock *l)
{
    l->owner = (int32_t)this_cpu()->index;
}

/* Spin until l is ours, having found it taken; big_lock's wait is counted
 * for this hart. Out of line (and a tail call), so the uncontended path
 * stays as short as it was. */
static __attribute__((noinline)) void spin_lock_contended(struct spinlock *l)
{
    uint64_t start = arch_time();
    do
        while (l->locked)
            ;
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
    spin_own(l);
    if (l != &big_lock)
        return;
    struct lock_wait *w = &lock_waits[this_cpu()->index];
    uint64_t waited = arch_time() - start;
    __atomic_store_n(&w->contended, w->contended + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&w->ticks, w->ticks + waited, __ATOMIC_RELAXED);
    if (waited > machine.timebase_hz / LONG_WAIT_DIV)
        __atomic_store_n(&w->long_ticks, w->long_ticks + waited, __ATOMIC_RELAXED);
}

void spin_lock(struct spinlock *l)
{
    ASSERT(l->owner != (int32_t)this_cpu()->index);
    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE), 0)) {
        spin_lock_contended(l);
        return;
    }
    spin_own(l);
}

void spin_unlock(struct spinlock *l)
{
    ASSERT(l->owner == (int32_t)this_cpu()->index);
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

void lock_wait_totals(struct lock_wait_totals *t)
{
    *t = (struct lock_wait_totals){0};
    for (uint32_t i = 0; i < ncpu; i++) {
        t->contended += __atomic_load_n(&lock_waits[i].contended, __ATOMIC_RELAXED);
        t->ticks += __atomic_load_n(&lock_waits[i].ticks, __ATOMIC_RELAXED);
        t->long_ticks += __atomic_load_n(&lock_waits[i].long_ticks, __ATOMIC_RELAXED);
    }
}
