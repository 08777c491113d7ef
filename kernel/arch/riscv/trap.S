/*
 * The one trap vector. sscratch holds the current thread's trap frame while
 * the hart runs user code and 0 while it runs the kernel, so a trap tells
 * its origin by swapping sp with sscratch. From user mode, call and
 * reply_recv save only the registers an IPC call preserves, take big_lock
 * and run syscall_call_entry() or syscall_reply_recv_entry() (or, for the
 * pager's lane of this hart, syscall_lane_entry(), without the lock) with
 * the message in registers; they return the frame to resume, another
 * thread's after a hand-off, and every register of it is loaded. Any other
 * system call saves only what C may clobber (every register for
 * SYSCALL_SAVE_ALL_MASK) and syscall_entry() runs on the thread's kernel
 * stack. Every other user trap saves every register and
 * runs user_trap(), which leaves through trap_return_user. From the kernel
 * (only the idle loop takes interrupts; anything else is a bug that panics) the
 * caller-saved registers go on the current stack and kernel_trap() runs,
 * unless that frame would land in a stack's guard page: then sp has run off
 * its stack (or is about to), nothing more can be pushed there, and the hart
 * moves to its emergency stack and calls trap_stack_overflow(sp, sepc), which
 * panics naming the stack.
 */
#include "asm.h"
#include "cause.h"

/* Store s2..s11, the registers the entry leaves to the C ABI, into the
 * frame at \tf. */
.macro save_callee_rest tf
    sd      s2, 144(\tf)
    sd      s3, 152(\tf)
    sd      s4, 160(\tf)
    sd      s5, 168(\tf)
    sd      s6, 176(\tf)
    sd      s7, 184(\tf)
    sd      s8, 192(\tf)
    sd      s9, 200(\tf)
    sd      s10, 208(\tf)
    sd      s11, 216(\tf)
.endm

/* Release big_lock (lock.c's spin_unlock, inline so that no stack is used
 * after it): its word to 0, with release order. */
.macro unlock_big r1
    la      \r1, big_lock
    amoswap.d.rl zero, zero, LOCK_HOLDER(\r1)
.endm

/* Return to user mode with the registers in the frame at \tf (a0): the
 * caller-saved ones, the callee-saved s2..s11 too when \all is 1 (a light
 * system-call exit leaves them as the C code kept them), then sret. */
.macro sret_from tf, all
    csrw    sscratch, \tf
    ld      t0, TF_SEPC(\tf)
    csrw    sepc, t0
    ld      ra, 8(\tf)
    ld      sp, 16(\tf)
    ld      gp, 24(\tf)
    ld      tp, 32(\tf)
    ld      t0, 40(\tf)
    ld      t1, 48(\tf)
    ld      t2, 56(\tf)
    ld      s0, 64(\tf)
    ld      s1, 72(\tf)
    ld      a1, 88(\tf)
    ld      a2, 96(\tf)
    ld      a3, 104(\tf)
    ld      a4, 112(\tf)
    ld      a5, 120(\tf)
    ld      a6, 128(\tf)
    ld      a7, 136(\tf)
.if \all
    ld      s2, 144(\tf)
    ld      s3, 152(\tf)
    ld      s4, 160(\tf)
    ld      s5, 168(\tf)
    ld      s6, 176(\tf)
    ld      s7, 184(\tf)
    ld      s8, 192(\tf)
    ld      s9, 200(\tf)
    ld      s10, 208(\tf)
    ld      s11, 216(\tf)
.endif
    ld      t3, 224(\tf)
    ld      t4, 232(\tf)
    ld      t5, 240(\tf)
    ld      t6, 248(\tf)
    ld      \tf, 80(\tf)
    sret
.endm

/* Branch to `overflow` if sp - KF_SIZE lies in a guard page of the region of
 * 1 << region_shift bytes at base (loaded by `load`), whose slots are
 * 1 << slot_shift bytes with the guard at the bottom. Uses t0 only. */
.macro guard_check load, base, region_shift, slot_shift, overflow
    \load   t0, \base
    sub     t0, sp, t0
    addi    t0, t0, -KF_SIZE
    srli    t0, t0, \region_shift
    bnez    t0, 91f
    \load   t0, \base
    sub     t0, sp, t0
    addi    t0, t0, -KF_SIZE
    slli    t0, t0, 64 - \slot_shift
    srli    t0, t0, 64 - \slot_shift + STACK_GUARD_SHIFT
    beqz    t0, \overflow
91:
.endm

/* Store what any C handler may clobber, and s0/s1, which the entries
 * reuse, into the frame at sp: every caller-saved register but t0, which
 * the vector has stored already. */
.macro save_caller
    sd      ra, 8(sp)
    sd      gp, 24(sp)
    sd      tp, 32(sp)
    sd      t1, 48(sp)
    sd      t2, 56(sp)
    sd      s0, 64(sp)
    sd      s1, 72(sp)
    sd      a0, 80(sp)
    sd      a1, 88(sp)
    sd      a2, 96(sp)
    sd      a3, 104(sp)
    sd      a4, 112(sp)
    sd      a5, 120(sp)
    sd      a6, 128(sp)
    sd      a7, 136(sp)
    sd      t3, 224(sp)
    sd      t4, 232(sp)
    sd      t5, 240(sp)
    sd      t6, 248(sp)
.endm

/* The user sp (parked in sscratch by the vector) and sepc into the frame
 * at sp, and sscratch to 0: the hart runs the kernel from here. */
.macro save_sp_sepc
    csrr    t0, sscratch
    sd      t0, 16(sp)
    csrr    t0, sepc
    sd      t0, TF_SEPC(sp)
    csrw    sscratch, zero
.endm

    .section .text
    .balign 4
    .global trap_vector
trap_vector:
    csrrw   sp, sscratch, sp
    beqz    sp, from_kernel
    sd      t0, 40(sp)
    csrr    t0, scause
    addi    t0, t0, -EXC_ECALL_U
    bnez    t0, full_entry
    addi    t0, a7, -SYSCALL_NUM_CALL
    beqz    t0, call_entry
    addi    t0, a7, -SYSCALL_NUM_REPLY_RECV
    beqz    t0, reply_recv_entry
    /* Any other system call: callee-saved registers stay where the C ABI
     * keeps them, except for the calls that need them in the frame. */
    save_caller
    save_sp_sepc
    mv      s1, sp
    li      t0, SYSCALL_SAVE_ALL_MASK
    srl     t0, t0, a7
    andi    t0, t0, 1
    beqz    t0, 1f
    save_callee_rest s1
1:  mv      a0, s1
    ld      tp, TF_KERNEL_TP(s1)
    ld      sp, TF_KERNEL_SP(s1)
    mv      s0, zero
    call    syscall_entry
    /* a0: this thread's frame; s2..s11 are as C kept them. */
    unlock_big t0
    sret_from a0, 0

/* call and reply_recv, the IPC fast path (trap.c's syscall_call_entry and
 * syscall_reply_recv_entry): the registers the calls preserve go into the
 * frame (cowl/abi.h: ra, sp, gp, tp, s0..s11; the others are the caller's
 * to lose), and the handle and the message stay in a0..a5 as arguments.
 * Each has an entry of its own, so that nothing tells them apart twice.
 * Here big_lock is taken (so that the C code needs no register for it) and
 * released; the C entry returns the frame to resume, every register of it
 * (another thread's after a hand-off). The lane's entry returns it with bit
 * 0 set if this hart holds big_lock (trap.h's ipc_exit_t). Once the lock
 * goes, this kernel stack may be the blocked caller's again on another
 * hart, so nothing touches it after. */

/* Store the registers an IPC call preserves, the user sp and sepc past the
 * ecall (an IPC call resumes there whichever path it takes), and move to
 * the kernel's tp; sp stays the frame, which is the current thread's (the
 * thread's first field), for the entry's one look at it. */
.macro ipc_save
    sd      ra, 8(sp)
    sd      gp, 24(sp)
    sd      tp, 32(sp)
    sd      s0, 64(sp)
    sd      s1, 72(sp)
    save_callee_rest sp
    csrr    t0, sscratch
    sd      t0, 16(sp)
    csrr    t0, sepc
    addi    t0, t0, 4
    sd      t0, TF_SEPC(sp)
    csrw    sscratch, zero
    ld      tp, TF_KERNEL_TP(sp)
.endm

/* Onto the kernel stack, s0 = 0 (the end of every backtrace). */
.macro ipc_kernel_stack
    ld      sp, TF_KERNEL_SP(sp)
    mv      s0, zero
.endm

/* Take big_lock (lock.h's spin_trylock: its word names the holding hart,
 * tp) or, found taken, go to \contended, which waits for it in C. */
.macro lock_big contended
    la      t0, big_lock
1:  lr.d.aq t1, LOCK_HOLDER(t0)
    bnez    t1, \contended
    sc.d    t1, tp, LOCK_HOLDER(t0)
    bnez    t1, 1b
.endm

call_entry:
    ipc_save
    ipc_kernel_stack
    lock_big 2f
    call    syscall_call_entry
3:  unlock_big t0
    sret_from a0, 1
2:  call    syscall_call_contended
    j       3b

/* reply_recv by the pager's lane of this hart answers without big_lock. */
reply_recv_entry:
    ipc_save
    ld      t0, THREAD_LANE_CPU(sp)
    ipc_kernel_stack
    beq     t0, tp, 4f
    lock_big 2f
    call    syscall_reply_recv_entry
3:  unlock_big t0
5:  sret_from a0, 1
2:  call    syscall_reply_recv_contended
    j       3b
4:  call    syscall_lane_entry
    andi    t0, a0, 1
    beqz    t0, 5b
    xor     a0, a0, t0
    j       3b

/* Exceptions and interrupts: every register in the frame, user_trap. */
full_entry:
    save_caller
    save_sp_sepc
    save_callee_rest sp
    mv      a0, sp
    ld      tp, TF_KERNEL_TP(sp)
    ld      sp, TF_KERNEL_SP(sp)
    mv      s0, zero
    call    user_trap
1:  j       1b

/* trap_return_user(tf): load the user registers from tf and sret. The caller
 * has set sstatus (SPP clear, SPIE set) and tf's kernel_sp and kernel_tp. */
    .global trap_return_user
trap_return_user:
    sret_from a0, 1

from_kernel:
    csrrw   sp, sscratch, sp
    /* Borrow t0 through sscratch: nothing here can trap before it is back. */
    csrw    sscratch, t0
    guard_check la, boot_stacks, BOOT_REGION_SHIFT, BOOT_SLOT_SHIFT, stack_overflow
    guard_check li, KSTACK_WINDOW, KSTACK_WINDOW_SHIFT, KSTACK_SLOT_SHIFT, stack_overflow
    csrrw   t0, sscratch, zero
    addi    sp, sp, -KF_SIZE
    sd      ra, 0(sp)
    sd      t0, 8(sp)
    sd      t1, 16(sp)
    sd      t2, 24(sp)
    sd      t3, 32(sp)
    sd      t4, 40(sp)
    sd      t5, 48(sp)
    sd      t6, 56(sp)
    sd      a0, 64(sp)
    sd      a1, 72(sp)
    sd      a2, 80(sp)
    sd      a3, 88(sp)
    sd      a4, 96(sp)
    sd      a5, 104(sp)
    sd      a6, 112(sp)
    sd      a7, 120(sp)
    sd      s0, 128(sp)
    csrr    t0, sepc
    sd      t0, 136(sp)
    csrr    t0, sstatus
    sd      t0, 144(sp)
    mv      a0, sp
    call    kernel_trap
    ld      t0, 136(sp)
    csrw    sepc, t0
    ld      t0, 144(sp)
    csrw    sstatus, t0
    ld      ra, 0(sp)
    ld      t0, 8(sp)
    ld      t1, 16(sp)
    ld      t2, 24(sp)
    ld      t3, 32(sp)
    ld      t4, 40(sp)
    ld      t5, 48(sp)
    ld      t6, 56(sp)
    ld      a0, 64(sp)
    ld      a1, 72(sp)
    ld      a2, 80(sp)
    ld      a3, 88(sp)
    ld      a4, 96(sp)
    ld      a5, 104(sp)
    ld      a6, 112(sp)
    ld      a7, 120(sp)
    ld      s0, 128(sp)
    addi    sp, sp, KF_SIZE
    sret

/* sp ran into a guard page. s0 is left as it was, so that the backtrace
 * walks the frames that overflowed. */
stack_overflow:
    csrw    sscratch, zero
    mv      a0, sp
    csrr    a1, sepc
    lwu     t0, CPU_INDEX(tp)
    addi    t0, t0, 1
    li      t1, EMERGENCY_STACK_SIZE
    mul     t0, t0, t1
    la      sp, emergency_stacks
    add     sp, sp, t0
    call    trap_stack_overflow
1:  j       1b
