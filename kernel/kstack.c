/*
 * The kernel's stack window and the overflow report (see kstack.h). Stack
 * pages start zeroed (kalloc, .bss) and are never cleared again, so the
 * lowest non-zero word of a stack marks the deepest it has ever been used:
 * kstack_report's high-water mark, a lower bound that misses only zero words
 * stored at the very bottom.
 */
#include "kstack.h"
#include <stddef.h>
#include "cpu.h"
#include "kalloc.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"

#define KSTACK_SLOT  (1UL << KSTACK_SLOT_SHIFT)
#define BOOT_SLOT    (1UL << BOOT_SLOT_SHIFT)
#define WINDOW_BYTES (1UL << KSTACK_WINDOW_SHIFT)

_Static_assert(offsetof(struct cpu, index) == CPU_INDEX, "asm.h CPU_INDEX");
_Static_assert((uint64_t)NTHREAD << KSTACK_SLOT_SHIFT <= WINDOW_BYTES, "threads fit the window");
_Static_assert(KSTACK_WINDOW % SV39_GIGA == 0, "the window is one root slot");

extern char boot_stacks[];

uint64_t kstack_top(unsigned slot)
{
    ASSERT(slot < NTHREAD);
    return KSTACK_WINDOW + ((uint64_t)(slot + 1) << KSTACK_SLOT_SHIFT);
}

void kstack_init(pte_t *root, sv39_alloc_fn alloc)
{
    for (unsigned i = 0; i < NTHREAD; i++) {
        for (uint64_t va = kstack_top(i) - KSTACK_SIZE; va < kstack_top(i); va += SV39_PAGE) {
            uint64_t pa = kalloc_page();
            if (!pa || sv39_map(root, va, pa, SV39_PAGE, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D,
                                alloc, 0) < 0)
                panic("kstack: the kernel pool cannot hold %d thread stacks", NTHREAD);
        }
    }
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

void kstack_overflow(uint64_t sp, uint64_t sepc)
{
    if (kstack_in_window(sp)) {
        uint64_t slot = (sp - KSTACK_WINDOW) / KSTACK_SLOT;
        const struct proc *p = slot < NTHREAD ? sched_thread((unsigned)slot)->proc : 0;
        panic("kernel stack overflow: thread of pid %d (%s), sp 0x%lx sepc 0x%lx", p ? p->pid : -1,
              p ? p->name : "no process", sp, sepc);
    }
    uint64_t index = (sp - (uint64_t)boot_stacks) / BOOT_SLOT;
    panic("kernel stack overflow: boot stack of hart %u, sp 0x%lx sepc 0x%lx",
          index < MAX_HARTS ? cpus[index].hartid : UINT32_MAX, sp, sepc);
}

/* Bytes of [lo, hi) in use at the deepest point so far. */
static uint64_t deepest(uint64_t lo, uint64_t hi)
{
    const uint64_t *w = (const uint64_t *)lo;
    while ((uint64_t)w < hi && *w == 0)
        w++;
    return hi - (uint64_t)w;
}

void kstack_report(void)
{
    uint64_t thread = 0, boot = 0;
    for (unsigned i = 0; i < NTHREAD; i++) {
        uint64_t d = deepest(kstack_top(i) - KSTACK_SIZE, kstack_top(i));
        thread = d > thread ? d : thread;
    }
    for (uint32_t i = 0; i < ncpu; i++) {
        uint64_t top = (uint64_t)boot_stacks + (i + 1) * BOOT_SLOT;
        uint64_t d = deepest(top - BOOT_STACK_SIZE, top);
        boot = d > boot ? d : boot;
    }
    printk("kernel stacks: deepest use %lu of %u bytes (threads), %lu of %u (boot)\n", thread,
           KSTACK_SIZE, boot, BOOT_STACK_SIZE);
}
