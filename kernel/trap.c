/*
 * The C side of the trap vector (arch/riscv/trap.S).
 *
 *   user mode --trap--> user_trap: take big_lock
 *       ecall            -> syscall_dispatch
 *       timer interrupt  -> tick, yield
 *       external         -> PLIC (console input)
 *       store page fault -> fault_store (COW: the pager decides), else kill
 *       other exception  -> kill the process with a console line
 *   -> trap_return: release big_lock, restore user registers, sret
 *
 * The kernel runs with interrupts off; only the idle loop enables them, so a
 * kernel trap that is not an interrupt is a bug and panics.
 */
#include "trap.h"
#include "fault.h"
#include "lock.h"
#include "panic.h"
#include "plic.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "timer.h"
#include "arch/riscv/csr.h"

extern char trap_vector[];
void trap_return_user(struct trapframe *tf) __attribute__((noreturn));
void user_trap(struct trapframe *tf) __attribute__((noreturn));

/* Registers saved by trap.S on a kernel-mode trap (see KF_SIZE). */
struct kernel_frame {
    uint64_t ra, t[7], a[8], s0, sepc, sstatus;
};

void trap_init_hart(void)
{
    csr_write(stvec, (uint64_t)trap_vector);
    csr_write(sscratch, 0);
    csr_write(scounteren, 7); /* user mode may read cycle, time, instret */
    /* No floating point, as in xv6: threads keep no FP registers, so with
     * the unit on (as OpenSBI leaves it) they would pass between processes.
     * An FP instruction is an illegal instruction, which kills its process. */
    csr_clear(sstatus, SSTATUS_FS);
    csr_set(sie, SIE_SEIE);
    timer_start_hart();
}

/* Returns true if the interrupt was the tick, so the caller may yield. */
static bool device_intr(uint64_t scause)
{
    uint64_t irq = scause & ~SCAUSE_INTERRUPT;
    if (irq == IRQ_S_TIMER) {
        if (timer_intr())
            sched_wakeup(timer_ticks_chan());
        return true;
    }
    if (irq == IRQ_S_EXT)
        plic_intr();
    return false;
}

void kernel_trap(struct kernel_frame *f)
{
    uint64_t scause = csr_read(scause);
    if (!(scause & SCAUSE_INTERRUPT))
        panic_trap("kernel trap", scause, f->sepc, csr_read(stval), f->s0);
    spin_lock(&big_lock);
    device_intr(scause);
    spin_unlock(&big_lock);
}

void user_trap(struct trapframe *tf)
{
    spin_lock(&big_lock);
    uint64_t scause = csr_read(scause), stval = csr_read(stval);
    struct thread *t = sched_current();
    if (scause == EXC_ECALL_U) {
        tf->sepc += 4;
        syscall_dispatch(tf);
    } else if (scause & SCAUSE_INTERRUPT) {
        if (device_intr(scause))
            sched_yield();
    } else if (scause != EXC_STORE_PAGE_FAULT || fault_store(t, stval, tf->sepc) < 0) {
        proc_fault_kill(t->proc, scause, tf->sepc, stval);
    }
    if (t->proc->killed)
        proc_exit(-1);
    trap_return();
}

void trap_return(void)
{
    struct thread *t = sched_current();
    t->tf.kernel_tp = (uint64_t)this_cpu();
    csr_clear(sstatus, SSTATUS_SPP);
    csr_set(sstatus, SSTATUS_SPIE);
    spin_unlock(&big_lock);
    trap_return_user(&t->tf);
}

void trap_thread_start(void)
{
    trap_return();
}
