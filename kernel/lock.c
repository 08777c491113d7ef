/*
 * Test-and-set spinlocks with an owner for assertions. Interrupts are always
 * off in the kernel (they are taken only in user mode and in the idle loop),
 * so a lock holder is never interrupted on its own hart.
 */
#include "lock.h"
#include "cpu.h"
#include "panic.h"

_Static_assert(__builtin_offsetof(struct spinlock, locked) == LOCK_LOCKED, "asm.h LOCK_LOCKED");
_Static_assert(__builtin_offsetof(struct spinlock, owner) == LOCK_OWNER, "asm.h LOCK_OWNER");

struct spinlock big_lock = SPINLOCK_INIT("big");

void spin_lock(struct spinlock *l)
{
    ASSERT(l->owner != (int32_t)this_cpu()->index);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked)
            ;
    l->owner = (int32_t)this_cpu()->index;
}

void spin_unlock(struct spinlock *l)
{
    ASSERT(l->owner == (int32_t)this_cpu()->index);
    l->owner = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
