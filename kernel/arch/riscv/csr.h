/*
 * RISC-V supervisor CSRs and the named constants that go with them. Only
 * arch/riscv code and arch.h include this file: generic code calls arch.h's
 * arch_* functions and never names a CSR.
 */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include <stdint.h>
#include "cause.h"

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_FS   (3UL << 13)

#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SATP_MODE_SV39  (8UL << 60)
#define SATP_ASID_SHIFT 44

#define csr_read(name)                                                                             \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("csrr %0, " #name : "=r"(v_));                                            \
        v_;                                                                                        \
    })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_set(name, v)   __asm__ volatile("csrs " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void sfence_vma_all(void)
{
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void sfence_vma_asid(uint64_t asid)
{
    __asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

static inline void sfence_vma_page(uint64_t va, uint64_t asid)
{
    __asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(asid) : "memory");
}

static inline uint64_t read_fp(void)
{
    uint64_t fp;
    __asm__ volatile("mv %0, s0" : "=r"(fp));
    return fp;
}

#endif
