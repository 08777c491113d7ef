/*
 * System-call dispatch: the table is generated from COWL_SYSCALLS in
 * cowl/abi.h, so numbers and handlers cannot drift apart.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include "cowl/abi.h"
#include "thread.h"

/* Each call's number by name: SYSCALL_fork, SYSCALL_call, ... */
enum syscall_number {
#define X(num, name, stub) SYSCALL_##name = num,
    COWL_SYSCALLS(X)
#undef X
};

/* Run the call tf names and put its result in a0. Caller holds big_lock. */
void syscall_dispatch(struct trapframe *tf);

#define X(num, name, stub) int64_t sys_##name(struct trapframe *tf);
COWL_SYSCALLS(X)
#undef X

/* The IPC fast path for call and reply_recv (sys_ipc.c), with the handle
 * h and the message w0..w4 as the caller's registers hold them: the thread that
 * now runs on this hart in t's place, or 0 if this call takes the ordinary
 * path (nothing changed). Caller holds big_lock and is t. */
struct thread *sys_ipc_fast(struct thread *t, uint64_t num, uint64_t h, MSG_WORDS_ARGS);
/* Before big_lock, for reply_recv by t, the pager's lane of this hart
 * alone (t->lane_cpu): if it answers a kernel call, the answer without
 * big_lock (ipc_lane_answer). Returns the caller whose fault it answered,
 * for the entry to finish, or 0 if it could not answer. */
struct thread *sys_ipc_lane_answer(struct thread *t, uint64_t h, MSG_WORDS_ARGS);

#endif
