/*
 * Threads: the unit the scheduler runs. A thread has a kernel stack, a trap
 * frame holding its user registers, and a kernel context to resume. Its
 * state changes only under big_lock.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "arch/riscv/asm.h"
#include "arch/riscv/regs.h"
#include "cowl/abi.h"
#include "cowl/trace.h"

struct trapframe {
    uint64_t x[32]; /* x1..x31 by register number; x[0] unused */
    uint64_t sepc;
    uint64_t kernel_sp;
    uint64_t kernel_tp;
};

_Static_assert(__builtin_offsetof(struct trapframe, sepc) == TF_SEPC, "asm.h TF_SEPC");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP, "asm.h");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_tp) == TF_KERNEL_TP, "asm.h");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "asm.h TF_SIZE");

/* A trap frame's registers by role (arch/riscv/regs.h). */
static inline uint64_t tf_arg(const struct trapframe *tf, int i)
{
    return tf->x[REG_ARG0 + i];
}

static inline uint64_t tf_syscall(const struct trapframe *tf)
{
    return tf->x[REG_SYSCALL];
}

static inline uint64_t tf_result(const struct trapframe *tf)
{
    return tf->x[REG_RESULT];
}

static inline void tf_set_result(struct trapframe *tf, uint64_t v)
{
    tf->x[REG_RESULT] = v;
}

/* The COWL_MSG_WORDS message registers. */
static inline uint64_t *tf_msg(struct trapframe *tf)
{
    return &tf->x[REG_MSG0];
}

/* A message as the fast paths carry it: its words one by one, where they
 * came in (trap.S's registers). A pointer to a copy would keep the copy
 * in memory, and its maker's calls from being tail calls. */
#define MSG_WORDS_ARGS uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t w4
#define MSG_WORDS_PASS w0, w1, w2, w3, w4

static inline void msg_put(uint64_t *to, MSG_WORDS_ARGS)
{
    _Static_assert(COWL_MSG_WORDS == 5, "msg_put stores five words");
    to[0] = w0;
    to[1] = w1;
    to[2] = w2;
    to[3] = w3;
    to[4] = w4;
}

/* A system call as the ordinary entry leaves it in the frame: number,
 * first argument and the message registers. */
static inline void tf_set_call(struct trapframe *tf, uint64_t num, uint64_t arg0,
                               const struct cowl_msg *m)
{
    tf->x[REG_SYSCALL] = num;
    tf->x[REG_ARG0] = arg0;
    for (int i = 0; i < COWL_MSG_WORDS; i++)
        tf->x[REG_MSG0 + i] = m->w[i];
}

static inline void tf_set_badge(struct trapframe *tf, uint64_t badge)
{
    tf->x[REG_BADGE] = badge;
}

static inline void tf_set_sp(struct trapframe *tf, uint64_t sp)
{
    tf->x[REG_SP] = sp;
}

/* Thread records, and kernel stack slots: one per process (NPROC, 64) and
 * the pager's threads past its first (its lanes and its ping thread). */
#define NTHREAD (64 + COWL_PAGER_LANES_MAX)

enum thread_state {
    T_FREE,
    T_RUNNABLE,
    T_RUNNING,
    T_SLEEPING, /* on chan */
    T_BLOCKED,  /* in IPC, waiting for a partner or a reply */
    T_DEAD,     /* exited; its process record remains until reaped */
};

/* What a thread blocked in IPC is doing (state T_BLOCKED). */
enum ipc_op {
    IPC_NONE,
    IPC_SEND,       /* queued on ipc_ep with a message in a1..a5 */
    IPC_CALL,       /* queued on ipc_ep; wants a reply */
    IPC_KCALL,      /* the kernel's request on this thread's behalf, in kreq */
    IPC_RECV,       /* waiting on ipc_ep for a message */
    IPC_REPLY_WAIT, /* delivered; waiting for reply_to's answer */
};

struct endpoint;

struct thread {
    struct trapframe tf;
    struct context ctx;
    bool parked_user; /* ctx is trap_resume_user's on an empty stack (sched.c) */
    enum thread_state state;
    const void *chan;
    uint64_t kstack_top; /* its kernel stack grows down from here (kstack.h) */
    struct proc *proc;
    struct cpu *pinned;   /* the one hart that may run it (pin()); 0: any hart */
    struct cpu *lane_cpu; /* a pager lane that hart's alone: it answers there without big_lock */
    uint64_t preemptions; /* sched_yield calls: benchstat() tells benchmarks */
    /* IPC, all under big_lock. */
    enum ipc_op ipc_op;
    struct endpoint *ipc_ep; /* queue it waits on */
    struct thread *ipc_next; /* next in that queue */
    struct thread *reply_to; /* a receiver: the caller its reply goes to */
    struct thread *replier;  /* a caller in IPC_REPLY_WAIT: who owes it the reply */
    bool in_kcall;           /* the kernel is calling the pager for it */
    bool kcall_parked;       /* and that call left its kernel stack (ipc_lane_take) */
    uint8_t batch_held;      /* 1 + the batch buffer it holds (pager_client.c), 0 if none */
    uint32_t kcall_seq;      /* the number of its last request: each thread counts its own */
    union pg_msg kreq;       /* that call's request */
    union pg_msg kreply;     /* and the pager's reply */
    uint64_t *fault_pte;     /* a user store's fault: the PTE it found (fault.c) */
    uint64_t fault_addr;     /* and the address it stored to */

    /* The fault being traced (trace.c), from its trap until the thread is
     * back in user mode; trace.h.type 0 when there is none. */
    struct cowl_trace_fault trace;
};
_Static_assert(__builtin_offsetof(struct thread, lane_cpu) == THREAD_LANE_CPU,
               "asm.h THREAD_LANE_CPU");
_Static_assert(__builtin_offsetof(struct thread, tf) == 0, "trap.S: a frame is its thread");

#endif
