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
 * emergency stack (trap.S) and calls trap_stack_overflow, which panics
 * naming the stack (kstack_owner says whose it is).
 */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/sv39.h"

/* Map every thread stack under root, with pages and tables from alloc; -1
 * if it runs out. Boot only, before the first space. */
int kstack_init(pte_t *root, sv39_alloc_fn alloc);
/* The first address above thread slot i's stack, where it starts; needs
 * slot < NTHREAD. */
uint64_t kstack_top(unsigned slot);
/* True if reading addr would fault because it lies in a stack's guard page
 * or in an unmapped part of the stack window. */
bool kstack_unmapped(uint64_t addr);
/* True if addr lies in the stack window. */
bool kstack_in_window(uint64_t addr);
enum kstack_owner { KSTACK_NONE, KSTACK_THREAD, KSTACK_BOOT };
/* Whose stack (or guard page) addr lies in: a thread record's (*index: the
 * record's slot) or a hart's boot stack (*index: the hart's cpu index). */
enum kstack_owner kstack_owner(uint64_t addr, uint64_t *index);
/* The deepest use since boot, in bytes, of any thread stack and of any
 * boot stack (KSTACK_SIZE and BOOT_STACK_SIZE bytes each). */
void kstack_deepest(uint64_t *thread, uint64_t *boot);

#endif
