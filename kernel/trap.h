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
/* A new thread's first kernel context starts here and goes to user mode. */
void trap_thread_start(void);

/* Called by trap.S, on the hart's emergency stack, with the sp and sepc of
 * a kernel trap whose frame would have landed in a guard page: panics
 * naming the stack. */
__attribute__((noreturn)) void trap_stack_overflow(uint64_t sp, uint64_t sepc);

#endif
