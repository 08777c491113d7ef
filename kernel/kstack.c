/*
 * The kernel's stack window and the overflow report (see kstack.h). Stack
 * pages start zeroed (the kernel pool, .bss) and are never cleared again, so the
 * lowest non-zero word of a stack marks the deepest it has ever been used:
 * kstack_deepest's high-water mark, a lower bound that misses only zero
 * words stored at the very bottom. Plain address arithmetic: panic's
 * backtrace relies on it, so it calls nothing that could panic.
 */
#include "kstack.h"
#include "page.h"
#include <stddef.h>
#include "cpu.h"
#include "thread.h"

#define KSTACK_SLOT  (1UL << KSTACK_SLOT_SHIFT)
#define BOOT_SLOT    (1UL << BOOT_SLOT_SHIFT)
#define WINDOW_BYTES (1UL << KSTACK_WINDOW_SHIFT)

_Static_assert(offsetof(struct cpu, index) == CPU_INDEX, "asm.h CPU_INDEX");
_Static_assert((uint64_t)NTHREAD << KSTACK_SLOT_SHIFT <= WINDOW_BYTES, "threads fit the window");
_Static_assert(KSTACK_WINDOW % SV39_GIGA == 0, "the window is one root slot");

extern char boot_stacks[];

uint64_t kstack_top(unsigned slot)
{
    return KSTACK_WINDOW + ((uint64_t)(slot + 1) << KSTACK_SLOT_SHIFT);
}

int kstack_init(pte_t *root, sv39_alloc_fn alloc)
{
    for (unsigned i = 0; i < NTHREAD; i++) {
        for (uint64_t va = kstack_top(i) - KSTACK_SIZE; va < kstack_top(i); va += PAGE_SIZE) {
            uint64_t pa = alloc(0); /* a zeroed page, as for tables */
            if (!pa || sv39_map(root, va, pa, PAGE_SIZE, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D,
                                alloc, 0) < 0)
                return -1;
        }
    }
    return 0;
}

bool kstack_in_window(uint64_t addr)
{
    return addr - KSTACK_WINDOW < WINDOW_BYTES;
}

static bool in_boot_stacks(uint64_t addr)
{
    return addr - (uint64_t)boot_stacks < (1UL << BOOT_REGION_SHIFT);
}

bool kstack_unmapped(uint64_t addr)
{
    if (kstack_in_window(addr))
        return (addr - KSTACK_WINDOW) % KSTACK_SLOT < STACK_GUARD ||
               (addr - KSTACK_WINDOW) / KSTACK_SLOT >= NTHREAD;
    return in_boot_stacks(addr) && (addr - (uint64_t)boot_stacks) % BOOT_SLOT < STACK_GUARD;
}

enum kstack_owner kstack_owner(uint64_t addr, uint64_t *index)
{
    if (kstack_in_window(addr)) {
        *index = (addr - KSTACK_WINDOW) / KSTACK_SLOT;
        return KSTACK_THREAD;
    }
    if (in_boot_stacks(addr)) {
        *index = (addr - (uint64_t)boot_stacks) / BOOT_SLOT;
        return KSTACK_BOOT;
    }
    return KSTACK_NONE;
}

/* Bytes of [lo, hi) in use at the deepest point so far. */
static uint64_t deepest(uint64_t lo, uint64_t hi)
{
    const uint64_t *w = (const uint64_t *)lo;
    while ((uint64_t)w < hi && *w == 0)
        w++;
    return hi - (uint64_t)w;
}

void kstack_deepest(uint64_t *thread, uint64_t *boot)
{
    *thread = *boot = 0;
    for (unsigned i = 0; i < NTHREAD; i++) {
        uint64_t d = deepest(kstack_top(i) - KSTACK_SIZE, kstack_top(i));
        *thread = d > *thread ? d : *thread;
    }
    for (uint32_t i = 0; i < ncpu; i++) {
        uint64_t top = (uint64_t)boot_stacks + (i + 1) * BOOT_SLOT;
        uint64_t d = deepest(top - BOOT_STACK_SIZE, top);
        *boot = d > *boot ? d : *boot;
    }
}
