/*
 * Spinlocks whose word names the holding hart. Interrupts are always
 * off in the kernel (they are taken only in user mode and in the idle loop),
 * so a lock holder is never interrupted on its own hart.
 *
 * big_lock's contention is counted per hart (lock_waits[]): acquisitions
 * that found it taken, the time CSR ticks spent spinning for it, and the
 * part of those ticks spent in waits of over a millisecond (no short kernel
 * path takes that long: such a wait is behind a fork or exit of many pages,
 * or the host descheduling the holder's virtual CPU). Only the contended
 * path counts, so taking a free lock costs what it always did (the -icount
 * baselines, one hart, never contend). Each hart writes only its own slot,
 * under a sequence count; lock_wait_totals() sums the slots, a spin in
 * progress up to the moment of reading, so that the change between two
 * readings is the wait between them.
 */
#include "lock.h"
#include "cpu.h"
#include "machine.h"
#include "panic.h"
#include "arch/riscv/arch.h"

_Static_assert(__builtin_offsetof(struct spinlock, holder) == LOCK_HOLDER, "asm.h LOCK_HOLDER");

#define CACHE_LINE    64   /* one hart's counters per line: no sharing between harts */
#define LONG_WAIT_DIV 1000 /* a wait longer than 1/1000 s is a long one */

struct spinlock big_lock = SPINLOCK_INIT("big");

/* A hart's big_lock wait. seq is odd while the hart changes the slot, so
 * that a reader on another hart retries rather than see half a change;
 * since is when the spin in progress began, 0 when there is none. */
static struct lock_wait {
    uint64_t seq;
    uint64_t since;
    uint64_t contended;
    uint64_t ticks;
    uint64_t long_ticks;
} __attribute__((aligned(CACHE_LINE))) lock_waits[MAX_HARTS];

static void slot_open(struct lock_wait *w)
{
    __atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* seq odd before any field changes */
}

static void slot_close(struct lock_wait *w)
{
    __atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELEASE);
}

static bool is_long(uint64_t ticks)
{
    return ticks > machine.timebase_hz / LONG_WAIT_DIV;
}

/* A wait for big_lock is published while it lasts and counted for this
 * hart when it ends. Out of line, so the uncontended path stays as short as
 * it was. */
__attribute__((noinline)) void spin_lock_contended(struct spinlock *l)
{
    ASSERT(!spin_held(l));
    struct lock_wait *w = l == &big_lock ? &lock_waits[this_cpu()->index] : 0;
    uint64_t start = arch_time();
    if (w) {
        slot_open(w);
        __atomic_store_n(&w->since, start, __ATOMIC_RELAXED);
        slot_close(w);
    }
    __atomic_fetch_add(&l->waiters, 1, __ATOMIC_RELAXED);
    do
        while (l->holder)
            ;
    while (!spin_trylock(l));
    __atomic_fetch_sub(&l->waiters, 1, __ATOMIC_RELAXED);
    if (!w)
        return;
    uint64_t waited = arch_time() - start;
    slot_open(w);
    __atomic_store_n(&w->since, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&w->contended, w->contended + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&w->ticks, w->ticks + waited, __ATOMIC_RELAXED);
    if (is_long(waited))
        __atomic_store_n(&w->long_ticks, w->long_ticks + waited, __ATOMIC_RELAXED);
    slot_close(w);
}

void spin_unlock(struct spinlock *l)
{
    ASSERT(spin_held(l));
    /* As trap.S's unlock_big: GCC 12 makes a release store a fence and
     * an amoswap. */
    asm volatile("amoswap.d.rl zero, zero, (%0)" : : "r"(&l->holder) : "memory");
}

void spin_yield(struct spinlock *l)
{
    if (__builtin_expect(!__atomic_load_n(&l->waiters, __ATOMIC_RELAXED), 1))
        return;
    spin_unlock(l);
    /* An unfair lock favours the hart that just let it go: wait until
     * a waiter has it (or none waits any more) before asking again. */
    while (__atomic_load_n(&l->waiters, __ATOMIC_RELAXED) && !l->holder)
        ;
    spin_lock(l);
}

/* Adds hart slot w to t as it stands at `now`: a spin in progress counts
 * up to now, so that two readings bracket the wait between them. */
static void slot_add(const struct lock_wait *w, uint64_t now, struct lock_wait_totals *t)
{
    uint64_t seq, since, contended, ticks, long_ticks;
    do {
        seq = __atomic_load_n(&w->seq, __ATOMIC_ACQUIRE);
        since = __atomic_load_n(&w->since, __ATOMIC_RELAXED);
        contended = __atomic_load_n(&w->contended, __ATOMIC_RELAXED);
        ticks = __atomic_load_n(&w->ticks, __ATOMIC_RELAXED);
        long_ticks = __atomic_load_n(&w->long_ticks, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the fields read before seq again */
    } while ((seq & 1) || __atomic_load_n(&w->seq, __ATOMIC_RELAXED) != seq);
    uint64_t spinning = since && now > since ? now - since : 0;
    t->contended += contended;
    t->ticks += ticks + spinning;
    t->long_ticks += long_ticks + (is_long(spinning) ? spinning : 0);
}

void lock_wait_totals(struct lock_wait_totals *t)
{
    uint64_t now = arch_time();
    *t = (struct lock_wait_totals){0};
    for (uint32_t i = 0; i < ncpu; i++)
        slot_add(&lock_waits[i], now, t);
}
