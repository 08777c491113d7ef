/*
 * The platform-level interrupt controller: the UART's interrupt goes to the
 * boot hart's S-mode context (from the device tree).
 */
#ifndef KERNEL_PLIC_H
#define KERNEL_PLIC_H

#include <stdint.h>

void plic_init(uint64_t base, uint32_t irq, uint32_t context);
/* Claim, dispatch and complete pending interrupts of this hart's context. */
void plic_intr(void);

#endif
