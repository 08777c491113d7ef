/*
 * What scause says: the interrupt bit, interrupt numbers and exception
 * codes (the privileged spec's table). Plain constants, so that generic
 * code, and the host-side tests of the device-tree reader, may name them.
 */
#ifndef ARCH_RISCV_CAUSE_H
#define ARCH_RISCV_CAUSE_H

#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_TIMER      5
#define IRQ_S_EXT        9

/* Exception codes (scause with the interrupt bit clear). */
#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS      1
#define EXC_ILLEGAL_INST     2
#define EXC_BREAKPOINT       3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS      5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U          8
#define EXC_ECALL_S          9
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

#endif
