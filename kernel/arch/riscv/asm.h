/*
 * Constants shared by the assembly files and C: hart limits, the kernel's
 * stacks and the trap-frame layout (checked against struct trapframe in
 * thread.h).
 *
 * Every kernel stack sits at the top of a power-of-two slot whose lowest
 * page (the guard) is never mapped, so that trap.S can tell with shifts
 * alone that sp has run into a guard:
 *
 *   boot stacks (.bss, boot_stacks):  MAX_HARTS slots of 16 KiB, one per cpu index
 *   thread stacks (KSTACK_WINDOW):    NTHREAD slots of 8 KiB, one per thread record
 *   emergency stacks (.bss):          4 KiB per hart, where an overflow is reported
 */
#ifndef ARCH_RISCV_ASM_H
#define ARCH_RISCV_ASM_H

/* Per-hart arrays are static: harts past MAX_HARTS are left off (kmain says
 * so). Hart ids index boot_parked, so a hart whose id is MAX_HART_ID or more
 * cannot be started; QEMU's virt machine numbers its harts 0..511. */
#define MAX_HARTS_SHIFT 6
#define MAX_HARTS       (1 << MAX_HARTS_SHIFT)
#define MAX_HART_ID     512

#define STACK_GUARD_SHIFT 12 /* one unmapped 4 KiB page at the bottom of every slot */
#define STACK_GUARD       (1 << STACK_GUARD_SHIFT)

#define BOOT_SLOT_SHIFT   14
#define BOOT_STACK_SIZE   ((1 << BOOT_SLOT_SHIFT) - STACK_GUARD)
#define BOOT_REGION_SHIFT (BOOT_SLOT_SHIFT + MAX_HARTS_SHIFT) /* all boot slots */

/* Thread stacks: the kernel's last root slot, just below COWL_USER_BASE
 * (64 GiB), which every space shares (kstack.c, kvm.c). 4 KiB is three
 * times the deepest use measured (docs/design.md). */
#define KSTACK_WINDOW       0xfc0000000
#define KSTACK_WINDOW_SHIFT 30
#define KSTACK_SLOT_SHIFT   13
#define KSTACK_SIZE         ((1 << KSTACK_SLOT_SHIFT) - STACK_GUARD)

#define EMERGENCY_STACK_SIZE 4096

/* The offset of struct cpu's index (cpu.h), which trap.S reads through tp,
 * and of struct thread's lane_cpu (thread.h), which it reads from the
 * frame (a thread's first field). */
#define CPU_INDEX       0
#define THREAD_LANE_CPU 432

/* struct trapframe: x1..x31 at 8*n, then these. */
#define TF_SEPC      256
#define TF_KERNEL_SP 264
#define TF_KERNEL_TP 272
#define TF_SIZE      280

/* struct spinlock (lock.h): the word trap.S clears to release big_lock. */
#define LOCK_HOLDER 0

/* The system calls whose entry stores every user register in the trap
 * frame (bit n: call n; syscall.c checks the numbers): fork copies the
 * frame into the child, and a user IPC call that blocks leaves nothing on
 * its kernel stack, so it resumes from the frame. Every other call saves
 * only what C may clobber and leaves s2..s11 to the C ABI. call and
 * reply_recv have an entry each (trap.S's call_entry and reply_recv_entry). */
#define SYSCALL_SAVE_ALL_MASK  ((1 << 1) | (1 << 21) | (1 << 22))
#define SYSCALL_NUM_CALL       23
#define SYSCALL_NUM_REPLY_RECV 25

/* A kernel-mode trap frame on the stack: ra, t0-t6, a0-a7, s0, sepc, sstatus. */
#define KF_SIZE 176

#endif
