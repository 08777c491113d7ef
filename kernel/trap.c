/*
 * The C side of the trap vector (arch/riscv/trap.S).
 *
 *   user mode --ecall call, reply_recv--> trap.S's call_entry or
 *       reply_recv_entry (saves only the registers the calls preserve; the
 *       message stays in a1..a5)
 *       reply_recv by the pager's lane of this hart -> syscall_lane_entry:
 *           the answer to a fault, applied here without big_lock; the
 *           faulting thread resumes from its frame
 *       anything else -> trap.S takes big_lock (or, taken, the
 *           *_contended entry waits) -> syscall_call_entry or
 *           syscall_reply_recv_entry: a partner waits -> hand the hart to
 *           it; trap.S loads its registers (the fast path); otherwise
 *           complete the frame, syscall_dispatch
 *   user mode --ecall--> syscall_entry: take big_lock (trap.S saved only
 *       the registers C may clobber, all of them for fork, send and recv)
 *       -> syscall_dispatch
 *   -> trap.S restores the registers, releases big_lock, sret
 *
 *   user mode --trap--> user_trap (every register saved)
 *       store page fault -> fault_user_store (COW: the pager decides;
 *                           the hart may go to the pager's lane and the
 *                           thread resume on an empty stack), which takes
 *                           big_lock only for the hand-off and a kill; not
 *                           COW: as below
 *       then take big_lock:
 *       timer interrupt  -> tick, yield
 *       external         -> PLIC (console input)
 *       other exception  -> kill the process with a console line
 *   -> trap_return: release big_lock if this hart holds it, restore user
 *      registers, sret
 *
 * The kernel runs with interrupts off; only the idle loop enables them, so a
 * kernel trap that is not an interrupt is a bug and panics.
 */
#include "trap.h"
#include "console.h"
#include "kstack.h"
#include "machine.h"
#include "fault.h"
#include "ipc.h"
#include "lock.h"
#include "panic.h"
#include "printk.h"
#include "plic.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "timer.h"
#include "trace.h"
#include "arch/riscv/arch.h"

/* An entry trap.S calls with s0 = 0, the end of every backtrace: a frame
 * record of its own would end the chain there anyway, so it keeps none,
 * and its fast path saves nothing but, for its calls that do not return,
 * the return address (where a backtrace from them finds it). */
#define BOTTOM_FRAME __attribute__((optimize("omit-frame-pointer")))

void trap_vector(void);
void user_trap(struct trapframe *tf) __attribute__((noreturn));

/* Registers saved by trap.S on a kernel-mode trap (see KF_SIZE). */
struct kernel_frame {
    uint64_t ra, t[7], a[8], s0, sepc, sstatus;
};

void trap_init_hart(void)
{
    arch_trap_init_hart(trap_vector);
    timer_start_hart();
}

/* Ctrl-P's last line: how deep the kernel stacks have been. */
static void stack_report(void)
{
    uint64_t thread, boot;
    kstack_deepest(&thread, &boot);
    printk("kernel stacks: deepest use %lu of %u bytes (threads), %lu of %u (boot)\n", thread,
           KSTACK_SIZE, boot, BOOT_STACK_SIZE);
}

/* Do what a key asked of the kernel that the console cannot do itself. */
static void console_act(enum console_action a)
{
    switch (a) {
    case CONSOLE_WAKE_READERS:
        sched_wakeup(console_chan());
        break;
    case CONSOLE_INTERRUPT:
        if (proc_kill_group(console_foreground()) == 0)
            console_redraw(); /* no job: back to the prompt */
        break;
    case CONSOLE_LIST_PROCESSES:
        printk("\n");
        proc_dump();
        stack_report();
        console_redraw();
        break;
    case CONSOLE_NOTHING:
        break;
    }
}

/* External interrupts: claim each source, serve its device, complete it. */
static void external_intr(void)
{
    uint32_t irq;
    while ((irq = plic_claim()) != 0) {
        if (irq == machine.uart_irq)
            for (int c; (c = console_getc()) >= 0;)
                console_act(console_input((char)c));
        plic_complete(irq);
    }
}

/* Returns true if the interrupt was the tick, so the caller may yield. */
static bool device_intr(uint64_t scause)
{
    uint64_t irq = scause & ~SCAUSE_INTERRUPT;
    if (irq == IRQ_S_TIMER) {
        trace_poll();
        if (timer_intr())
            sched_wakeup(timer_ticks_chan());
        return true;
    }
    if (irq == IRQ_S_EXT)
        external_intr();
    return false;
}

void trap_stack_overflow(uint64_t sp, uint64_t sepc)
{
    uint64_t i;
    if (kstack_owner(sp, &i) == KSTACK_THREAD) {
        const struct proc *p = i < NTHREAD ? sched_thread((unsigned)i)->proc : 0;
        panic("kernel stack overflow: thread of pid %d (%s), sp 0x%lx sepc 0x%lx", p ? p->pid : -1,
              p ? p->name : "no process", sp, sepc);
    }
    panic("kernel stack overflow: boot stack of hart %u, sp 0x%lx sepc 0x%lx",
          i < MAX_HARTS ? cpus[i].hartid : UINT32_MAX, sp, sepc);
}

void kernel_trap(struct kernel_frame *f)
{
    uint64_t scause = arch_trap_cause();
    if (!arch_cause_is_interrupt(scause))
        panic_trap("kernel trap", scause, f->sepc, arch_trap_value(), f->s0);
    spin_lock(&big_lock);
    device_intr(scause);
    spin_unlock(&big_lock);
}

/* Every user trap but an untraced COW store: under big_lock. */
static __attribute__((noinline, noreturn)) void user_trap_locked(struct trapframe *tf)
{
    trace_trap();
    uint64_t scause = arch_trap_cause(), stval = arch_trap_value();
    struct thread *t = sched_current();
    spin_lock(&big_lock);
    if (arch_cause_is_interrupt(scause)) {
        if (device_intr(scause))
            sched_yield();
    } else if (scause != EXC_STORE_PAGE_FAULT || fault_store(t, stval, tf->sepc) < 0) {
        proc_fault_kill(t->proc, scause, tf->sepc, stval);
    }
    trap_return();
}

BOTTOM_FRAME void user_trap(struct trapframe *tf)
{
    /* A COW store takes big_lock only for its hand-off (fault.c); traced,
     * the whole trap runs under it, as the trace rings want. */
    if (arch_trap_cause() == EXC_STORE_PAGE_FAULT && !trace_on)
        fault_user_store(sched_current(), arch_trap_value(), tf->sepc);
    user_trap_locked(tf); /* not COW, or its table is shared: fault_store copies it */
}

/* The ordinary path of a system call, under big_lock: run it and return
 * tf, the hart ready for user mode (or exit, if killed meanwhile). */
static struct trapframe *syscall_ordinary_past_ecall(struct trapframe *tf)
{
    struct thread *t = sched_current();
    syscall_dispatch(tf);
    if (__builtin_expect(t->proc->killed, 0))
        proc_exit(-1);
    t->tf.kernel_tp = (uint64_t)this_cpu();
    arch_prepare_user_return();
    return tf;
}

static struct trapframe *syscall_ordinary(struct trapframe *tf)
{
    tf->sepc += 4;
    return syscall_ordinary_past_ecall(tf);
}

/* trap.S's entry for every system call but call and reply_recv. Returns
 * tf, with big_lock still held: trap.S releases it once it is done with
 * this kernel stack. */
struct trapframe *syscall_entry(struct trapframe *tf)
{
    spin_lock(&big_lock);
    if (tf_syscall(tf) == SYSCALL_nullcall) {
        /* The bare cost of a system call: the thread stays on this hart
         * (tf->kernel_tp holds), and a kill takes it at its next trap.
         * sstatus is still as the trap from user mode left it (SPP clear,
         * SPIE set), as it is after an IPC fast-path hand-off: neither
         * leaves the trap (nothing sleeps, nothing takes an interrupt). */
        tf->sepc += 4;
        tf_set_result(tf, 0);
        return tf;
    }
    return syscall_ordinary(tf);
}

/* The functions of the IPC entry share its arguments, trap.S's registers:
 * the handle h and the message w0..w4 (a call and a reply_recv have entries
 * of their own, and the frame is the current thread's, so that neither
 * takes a register). The fast path makes no call that returns (the unusual
 * cases are tail calls), so that it keeps its values in registers and
 * saves none. */
#define IPC_ENTRY_ARGS uint64_t h, MSG_WORDS_ARGS
#define IPC_ENTRY_PASS h, w0, w1, w2, w3, w4

/* The ordinary path of call or reply_recv (num), once the frame is what
 * the ordinary entry leaves. These return the frame to resume, with
 * big_lock held. */
static __attribute__((noinline)) struct trapframe *ipc_ordinary(uint64_t num, IPC_ENTRY_ARGS)
{
    struct trapframe *tf = &sched_current()->tf;
    const struct cowl_msg m = {{w0, w1, w2, w3, w4}};
    ipc_slow_count++;
    tf_set_call(tf, num, h, &m);
    return syscall_ordinary_past_ecall(tf); /* trap.S's IPC entry stored sepc + 4 */
}

/* Under big_lock: a partner that waits and may run here gets the hart, and
 * its frame is resumed; anything else takes the ordinary path. */
__attribute__((always_inline)) static inline struct trapframe *ipc_fast(uint64_t num,
                                                                        IPC_ENTRY_ARGS)
{
    struct thread *next = sys_ipc_fast(sched_current(), num, h, MSG_WORDS_PASS);
    if (__builtin_expect(next != 0, 1))
        return &next->tf;
    return ipc_ordinary(num, IPC_ENTRY_PASS);
}

/* trap.S's entries for call and for reply_recv (but the lane's, below),
 * with the frame holding only the registers the calls preserve, and
 * big_lock taken by trap.S. */
BOTTOM_FRAME struct trapframe *syscall_call_entry(IPC_ENTRY_ARGS)
{
    return ipc_fast(SYSCALL_call, IPC_ENTRY_PASS);
}

BOTTOM_FRAME struct trapframe *syscall_reply_recv_entry(IPC_ENTRY_ARGS)
{
    return ipc_fast(SYSCALL_reply_recv, IPC_ENTRY_PASS);
}

/* big_lock is taken (trap.S found it so), or the lane could not answer:
 * wait for the lock. */
static __attribute__((noinline)) struct trapframe *ipc_lock(uint64_t num, IPC_ENTRY_ARGS)
{
    spin_lock(&big_lock);
    return ipc_fast(num, IPC_ENTRY_PASS);
}

struct trapframe *syscall_call_contended(IPC_ENTRY_ARGS)
{
    return ipc_lock(SYSCALL_call, IPC_ENTRY_PASS);
}

struct trapframe *syscall_reply_recv_contended(IPC_ENTRY_ARGS)
{
    return ipc_lock(SYSCALL_reply_recv, IPC_ENTRY_PASS);
}

/* trap.S's entry for reply_recv by the pager's lane of this hart, which
 * answers a kernel call without big_lock: a user store's fault is applied
 * here and its thread resumed at once. */
BOTTOM_FRAME ipc_exit_t syscall_lane_entry(IPC_ENTRY_ARGS)
{
    struct thread *c = sys_ipc_lane_answer(sched_current(), h, MSG_WORDS_PASS);
    if (__builtin_expect(c != 0, 1))
        return fault_answered(c, MSG_WORDS_PASS);
    return ipc_exit(ipc_lock(SYSCALL_reply_recv, IPC_ENTRY_PASS), true);
}

void trap_resume_user(void)
{
    trap_return();
}

void trap_return(void)
{
    struct thread *t = sched_current();
    bool held = spin_held(&big_lock);
    if (__builtin_expect(t->proc->killed || t->trace.h.type, 0)) {
        if (!held)
            spin_lock(&big_lock);
        held = true;
        if (t->proc->killed)
            proc_exit(-1);
        trace_fault_end(t, true);
    }
    t->tf.kernel_tp = (uint64_t)this_cpu();
    arch_prepare_user_return();
    if (held)
        spin_unlock(&big_lock);
    trap_return_user(&t->tf);
}

void trap_thread_start(void)
{
    trap_return();
}
