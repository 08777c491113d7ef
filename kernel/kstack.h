/*
 * Kernel stacks with guard pages. Thread record i owns slot i of the
 * kernel's stack window (arch/riscv/asm.h): KSTACK_SIZE bytes mapped at the
 * top of the slot, the page below them never mapped. The window lies in the
 * kernel's last root slot; its stacks are all mapped at boot, before any
 * space copies the kernel's root entries, and never unmapped, so every space
 * sees them and no hart can hold a stale translation for one. A thread
 * record reuses its slot's pages. The boot stacks in .bss have the same
 * shape; kvm.c leaves their guards out of the kernel map.
 *
 * A kernel trap whose frame would land in a guard moves to the hart's
 * emergency stack (trap.S) and calls kstack_overflow, which panics naming
 * the stack.
 */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/sv39.h"

/* Map every thread stack under root, with tables from alloc; panics if the
 * kernel pool cannot hold them. Boot only, before the first space. */
void kstack_init(pte_t *root, sv39_alloc_fn alloc);
/* The first address above thread slot i's stack, where it starts. */
uint64_t kstack_top(unsigned slot);
/* True if reading addr would fault because it lies in a stack's guard page
 * or in an unmapped part of the stack window. */
bool kstack_unmapped(uint64_t addr);
/* True if addr lies in the stack window. */
bool kstack_in_window(uint64_t addr);
/* Called by trap.S, on the emergency stack, with the sp and sepc of a
 * kernel trap that found sp in a guard page. */
__attribute__((noreturn)) void kstack_overflow(uint64_t sp, uint64_t sepc);
/* Print the deepest use, since boot, of any thread stack and any boot stack. */
void kstack_report(void);

#endif
