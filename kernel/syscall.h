/*
 * System-call dispatch: the table is generated from COWL_SYSCALLS in
 * cowl/abi.h, so numbers and handlers cannot drift apart.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include "cowl/abi.h"
#include "thread.h"

/* Run the call tf names and put its result in a0. Caller holds big_lock. */
void syscall_dispatch(struct trapframe *tf);

#define X(num, name, stub) int64_t sys_##name(struct trapframe *tf);
COWL_SYSCALLS(X)
#undef X

#endif
