/*
 * Kernel mappings are global, with A and D preset. Below KVM_RAM_LIMIT they
 * are identity mappings (virtual = physical): text R-X, rodata R--, data,
 * bss and the rest of RAM RW- (1 GiB and 2 MiB pages where aligned), the
 * UART, PLIC, test device and virtio-mmio transports RW-. Nothing below the
 * kernel image (OpenSBI's memory) is mapped, nor the guard page of any boot stack. Above it, in the
 * last kernel root slot, lies the thread stacks' window (kstack.c).
 */
#include "kvm.h"
#include "page.h"
#include "kalloc.h"
#include "kstack.h"
#include "panic.h"
#include "arch/riscv/arch.h"
#include "cowl/abi.h"

_Static_assert((SV39_GIGA * SV39_KERNEL_SLOTS) == COWL_USER_BASE,
               "user addresses start above the kernel's root slots");
_Static_assert(KVM_RAM_LIMIT + SV39_GIGA == COWL_USER_BASE,
               "the stack window is the kernel's last root slot");

extern char __kernel_start[], __text_end[], __rodata_end[];
extern char boot_stacks[];

static pte_t *kernel_root;

uint64_t kvm_alloc_table(void *ctx)
{
    (void)ctx;
    return kalloc_page();
}

static void map(uint64_t va, uint64_t size, uint64_t flags)
{
    uint64_t start = page_down(va);
    uint64_t end = page_up(va + size);
    if (sv39_map(kernel_root, start, start, end - start, flags | PTE_G | PTE_A | PTE_D,
                 kvm_alloc_table, 0) < 0)
        panic("kvm: cannot map 0x%lx..0x%lx", start, end);
}

/* RAM from the kernel's data to ram_end, read-write, except the guard page
 * at the bottom of each boot stack's slot. */
static void map_ram(uint64_t data, uint64_t ram_end)
{
    uint64_t slot = (uint64_t)boot_stacks;
    map(data, slot - data, PTE_R | PTE_W);
    for (int i = 0; i < MAX_HARTS; i++, slot += 1UL << BOOT_SLOT_SHIFT)
        map(slot + STACK_GUARD, BOOT_STACK_SIZE, PTE_R | PTE_W);
    map(slot, ram_end - slot, PTE_R | PTE_W);
}

void kvm_init(const struct machine *m)
{
    uint64_t ram_end = m->ram.base + m->ram.size;
    if (ram_end > KVM_RAM_LIMIT)
        panic("kvm: RAM ends at 0x%lx, above the 0x%lx the kernel maps", ram_end, KVM_RAM_LIMIT);
    kernel_root = (pte_t *)kalloc_page();
    ASSERT(kernel_root);
    map(m->uart.base, m->uart.size, PTE_R | PTE_W);
    map(m->plic.base, m->plic.size, PTE_R | PTE_W);
    if (m->test.size)
        map(m->test.base, m->test.size, PTE_R | PTE_W);
    for (uint32_t i = 0; i < m->nvirtio; i++)
        map(m->virtio[i].base, m->virtio[i].size, PTE_R | PTE_W);
    uint64_t text = (uint64_t)__kernel_start, rodata = (uint64_t)__text_end;
    uint64_t data = (uint64_t)__rodata_end;
    map(text, rodata - text, PTE_R | PTE_X);
    map(rodata, data - rodata, PTE_R);
    map_ram(data, ram_end);
    if (kstack_init(kernel_root, kvm_alloc_table) < 0)
        panic("kvm: the kernel pool cannot hold the thread stacks");
}

void kvm_install(void)
{
    arch_tlb_flush_all();
    arch_space_install(arch_space_token((uint64_t)kernel_root, 0));
    arch_tlb_flush_all();
}

pte_t *kvm_root(void)
{
    return kernel_root;
}
