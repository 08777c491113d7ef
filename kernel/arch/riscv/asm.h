/*
 * Constants shared by the assembly files and C: stack sizes and the
 * trap-frame layout (checked against struct trapframe in trapframe.h).
 */
#ifndef ARCH_RISCV_ASM_H
#define ARCH_RISCV_ASM_H

#define MAX_HARTS       8
#define BOOT_STACK_SIZE 16384

/* struct trapframe: x1..x31 at 8*n, then these. */
#define TF_SEPC      256
#define TF_KERNEL_SP 264
#define TF_KERNEL_TP 272
#define TF_SIZE      280

/* A kernel-mode trap frame on the stack: ra, t0-t6, a0-a7, s0, sepc, sstatus. */
#define KF_SIZE 176

#endif
