/*
 * The dispatch table: one entry per COWL_SYSCALLS line, the rest -EINVAL.
 */
#include "syscall.h"
#include "panic.h"
#include "lock.h"

typedef int64_t (*syscall_fn)(struct trapframe *);

static const syscall_fn table[COWL_NSYSCALL] = {
#define X(num, name, stub) [num] = sys_##name,
    COWL_SYSCALLS(X)
#undef X
};

#define X(num, name, stub) _Static_assert(num < COWL_NSYSCALL, "COWL_NSYSCALL too small");
COWL_SYSCALLS(X)
#undef X

_Static_assert(SYSCALL_SAVE_ALL_MASK ==
                   ((1 << SYSCALL_fork) | (1 << SYSCALL_send) | (1 << SYSCALL_recv)),
               "asm.h SYSCALL_SAVE_ALL_MASK: fork and the user IPC calls that may block");
_Static_assert(SYSCALL_NUM_CALL == SYSCALL_call && SYSCALL_NUM_REPLY_RECV == SYSCALL_reply_recv,
               "asm.h: the calls trap.S's IPC entries take");

void syscall_dispatch(struct trapframe *tf)
{
    ASSERT(spin_held(&big_lock));
    uint64_t n = tf_syscall(tf);
    if (__builtin_expect(n >= COWL_NSYSCALL || !table[n], 0)) {
        tf_set_result(tf, (uint64_t)-COWL_EINVAL);
        return;
    }
    tf_set_result(tf, (uint64_t)table[n](tf));
}
