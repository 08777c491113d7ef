/*
 * Constants shared by the assembly files and C: hart limits, stack sizes and
 * the trap-frame layout (checked against struct trapframe in thread.h).
 */
#ifndef ARCH_RISCV_ASM_H
#define ARCH_RISCV_ASM_H

/* Per-hart arrays are static: harts past MAX_HARTS are left off (kmain says
 * so). Hart ids index boot_parked, so a hart whose id is MAX_HART_ID or more
 * cannot be started; QEMU's virt machine numbers its harts 0..511. */
#define MAX_HARTS_SHIFT 6
#define MAX_HARTS       (1 << MAX_HARTS_SHIFT)
#define MAX_HART_ID     512

#define BOOT_STACK_SIZE 16384

/* struct trapframe: x1..x31 at 8*n, then these. */
#define TF_SEPC      256
#define TF_KERNEL_SP 264
#define TF_KERNEL_TP 272
#define TF_SIZE      280

/* A kernel-mode trap frame on the stack: ra, t0-t6, a0-a7, s0, sepc, sstatus. */
#define KF_SIZE 176

#endif
