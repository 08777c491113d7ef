/*
 * The platform-level interrupt controller. It names no device: the trap
 * code claims an interrupt, calls the device's handler and completes it
 * (trap.c). One context, the boot hart's S-mode one (from the device tree),
 * takes the external interrupts.
 */
#ifndef KERNEL_PLIC_H
#define KERNEL_PLIC_H

#include <stdint.h>

/* Use the PLIC at base, delivering to context (its threshold set to 0). */
void plic_init(uint64_t base, uint32_t context);
/* Let source irq interrupt the context, at priority 1. */
void plic_enable(uint32_t irq);
/* The highest pending source, claimed; 0 when none is pending. */
uint32_t plic_claim(void);
/* Tell the PLIC that irq (from plic_claim) has been served. */
void plic_complete(uint32_t irq);

#endif
