/*
 * Per-hart state. tp holds the running hart's struct cpu whenever the hart is
 * in the kernel; a hart touches only its own record, except for `online`.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>
#include "arch/riscv/asm.h"

struct thread;

/* Callee-saved kernel context, the layout context_switch() expects. */
struct context {
    uint64_t ra, sp, s[12];
};

struct cpu {
    uint32_t index;         /* 0..ncpu-1 */
    uint32_t hartid;        /* the firmware's hart id */
    struct thread *current; /* running thread, 0 in the scheduler */
    struct context sched;   /* the scheduler loop's context */
    volatile int online;
    volatile uint64_t ticks;    /* timer interrupts taken */
    uint64_t seen_offset;       /* this hart's slot of a space's seen[], from the space (space.h) */
} __attribute__((aligned(64))); /* a cache line of its own: each hart writes its own */

extern struct cpu cpus[MAX_HARTS];
extern uint32_t ncpu;

/* tp, read where it is used: every use is the register itself (the
 * compiler allocates tp to nothing), and GCC takes a global register
 * variable as set by every call, so no value read before a call that
 * returns on another hart (a context switch) stands for tp after it. */
register struct cpu *cpu_tp __asm__("tp");

static inline struct cpu *this_cpu(void)
{
    return cpu_tp;
}

void context_switch(struct context *from, struct context *to);
__attribute__((noreturn)) void context_jump(const struct context *to);

#endif
