/*
 * What generic kernel code needs of the processor, one short inline each,
 * so that no file outside arch/riscv names a CSR: interrupts on and off,
 * waiting for one, installing a space's root and flushing the TLB, the trap
 * cause, and the frame pointer for backtraces.
 */
#ifndef ARCH_RISCV_ARCH_H
#define ARCH_RISCV_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "cause.h"
#include "csr.h"

/* Let interrupts in on this hart (the idle loop only), and shut them out. */
static inline void arch_irq_on(void)
{
    csr_set(sstatus, SSTATUS_SIE);
}

static inline void arch_irq_off(void)
{
    csr_clear(sstatus, SSTATUS_SIE);
}

/* Sleep until an interrupt is pending. */
static inline void arch_wait(void)
{
    __asm__ volatile("wfi");
}

/* The translation register's value for the Sv39 table at root (a physical
 * address), tagged asid: computed once per space, installed on each switch. */
static inline uint64_t arch_space_token(uint64_t root, uint16_t asid)
{
    return SATP_MODE_SV39 | ((uint64_t)asid << SATP_ASID_SHIFT) | (root >> 12);
}

/* Translate through the table a token (arch_space_token) names. */
static inline void arch_space_install(uint64_t token)
{
    csr_write(satp, token);
}

/* Forget this hart's cached translations of one ASID, or of everything. */
static inline void arch_tlb_flush_asid(uint16_t asid)
{
    sfence_vma_asid(asid);
}

/* This hart forgets the translation of one page of address space asid. */
static inline void arch_tlb_flush_page(uint64_t va, uint16_t asid)
{
    sfence_vma_page(va, asid);
}

static inline void arch_tlb_flush_all(void)
{
    sfence_vma_all();
}

/* This hart takes traps at vector, from the kernel (sscratch 0) for now;
 * user mode may read the cycle, time and instret counters; the external
 * interrupt is let in. The FPU is off: the kernel does not save its
 * registers across a switch, so a process that uses it is killed
 * (illegal instruction) rather than see another's values. */
static inline void arch_trap_init_hart(void (*vector)(void))
{
    csr_clear(sstatus, SSTATUS_FS);
    csr_write(stvec, (uint64_t)vector);
    csr_write(sscratch, 0);
    csr_write(scounteren, 7);
    csr_set(sie, SIE_SEIE);
}

/* sret will enter user mode with interrupts on. */
static inline void arch_prepare_user_return(void)
{
    csr_clear(sstatus, SSTATUS_SPP);
    csr_set(sstatus, SSTATUS_SPIE);
}

/* This hart's cycle counter (instructions under QEMU's -icount): with
 * arch_time, the trace's stamps. */
static inline uint64_t arch_cycle(void)
{
    return csr_read(cycle);
}

/* The cause and value of the trap being handled. */
static inline uint64_t arch_trap_cause(void)
{
    return csr_read(scause);
}

static inline uint64_t arch_trap_value(void)
{
    return csr_read(stval);
}

static inline bool arch_cause_is_interrupt(uint64_t cause)
{
    return (cause & SCAUSE_INTERRUPT) != 0;
}

/* The caller's frame pointer, where a backtrace starts. */
static inline uint64_t arch_frame_pointer(void)
{
    return read_fp();
}

/* The time CSR: one clock for every hart, in timebase ticks. */
static inline uint64_t arch_time(void)
{
    return csr_read(time);
}

#endif
