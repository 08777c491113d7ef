/*
 * The kernel's page table: the same on every hart and shared, through root
 * slots 0..SV39_KERNEL_SLOTS-1, by every user space. Every one of those
 * slots that will ever hold a mapping gets its entry here, at boot, before
 * the first space copies them.
 */
#ifndef KERNEL_KVM_H
#define KERNEL_KVM_H

#include <stdint.h>
#include "machine.h"
#include "arch/riscv/asm.h"
#include "arch/riscv/sv39.h"

/* RAM must end at or below this: the identity map stops where the thread
 * stacks' window (the last kernel root slot, at 63 GiB) begins. */
#define KVM_RAM_LIMIT ((uint64_t)KSTACK_WINDOW)

/* Map the devices, the kernel image with its section permissions, the rest
 * of RAM read-write and the thread stacks. Panics if the kernel pool is too
 * small or RAM ends above KVM_RAM_LIMIT (kmain trims it first). */
void kvm_init(const struct machine *m);
/* Switch this hart to the kernel page table. */
void kvm_install(void);
pte_t *kvm_root(void);
uint64_t kvm_alloc_table(void *ctx);

#endif
