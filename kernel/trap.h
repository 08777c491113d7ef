/*
 * Trap handling: user traps (syscalls, interrupts, faults) and the kernel's
 * own traps (interrupts in the idle loop; anything else is a kernel bug).
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include "thread.h"

void trap_init_hart(void);
/* Leave the kernel for the current thread's user context: releases big_lock. */
__attribute__((noreturn)) void trap_return(void);
/* Leave for user mode with every register from the current thread's trap
 * frame, or exit if its process was killed: where a thread that blocked
 * in user IPC, or whose frame exec replaced, resumes. Caller holds
 * big_lock. */
__attribute__((noreturn)) void trap_resume_user(void);
/* trap.S: load the user registers from tf and sret. The caller has set
 * sstatus (arch_prepare_user_return) and tf's kernel_sp and kernel_tp. */
__attribute__((noreturn)) void trap_return_user(struct trapframe *tf);
/* What trap.S's IPC entry resumes after the lane's entry: a frame, every
 * register of it, and whether this hart holds big_lock (trap.S then
 * releases it), in one word:
 * the frame's address, with the lock in bit 0 (a frame is 8-byte aligned).
 * One word, so that the entry's continuations are tail calls: GCC 12 makes
 * none of a call that returns a structure, and the caller then needs a
 * stack frame, and its arguments kept across the call. */
typedef uint64_t ipc_exit_t;

static inline ipc_exit_t ipc_exit(struct trapframe *tf, bool locked)
{
    return (uint64_t)tf | locked;
}

/* A new thread's first kernel context starts here and goes to user mode. */
void trap_thread_start(void);

/* Called by trap.S, on the hart's emergency stack, with the sp and sepc of
 * a kernel trap whose frame would have landed in a guard page: panics
 * naming the stack. */
__attribute__((noreturn)) void trap_stack_overflow(uint64_t sp, uint64_t sepc);

#endif
