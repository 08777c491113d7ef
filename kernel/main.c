/*
 * Boot. OpenSBI enters kmain on one hart with its hart id and the device
 * tree. kmain learns the machine from the tree, trims it to what the kernel
 * can use (RAM below KVM_RAM_LIMIT, MAX_HARTS harts; the console says what
 * was left out), lays out memory
 *
 *   [RAM base, kernel)  OpenSBI, never mapped
 *   [kernel, end)       the kernel image
 *   [end, pool)         the kernel pool (page tables, stacks): kalloc
 *   [pool, RAM end)     the user pool, handed whole to the pager
 *
 * builds the kernel page table, starts every other hart through SBI HSM
 * (kmain_secondary; the boot hart does not wait: a spinning hart would stall
 * QEMU's single-threaded -icount mode), runs a self-test if the boot arguments ask for one, and
 * enters the scheduler.
 */
#include "bootargs.h"
#include "console.h"
#include "cpu.h"
#include "pager_client.h"
#include "kalloc.h"
#include "kvm.h"
#include "machine.h"
#include "panic.h"
#include "plic.h"
#include "power.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "selftest.h"
#include "space.h"
#include "string.h"
#include "timer.h"
#include "trace.h"
#include "trap.h"
#include "uart.h"
#include "arch/riscv/arch.h"
#include "arch/riscv/sbi.h"

#define MIB          (1024UL * 1024UL)
#define DTB_MAX_SIZE (64 * 1024)

extern char __kernel_start[], __kernel_end[];
extern char secondary_start[], unused_hart[];
/* Set by entry.S: -1 for a hart parked in _start, then its index + 1 to go. */
extern volatile int64_t boot_parked[MAX_HART_ID];

struct cpu cpus[MAX_HARTS];
uint32_t ncpu;
struct machine machine;
uint64_t user_pool_base, user_pool_end;

/* Use the RAM below KVM_RAM_LIMIT, saying so when the tree reports more. */
static void fit_ram(void)
{
    uint64_t ram_end = machine.ram.base + machine.ram.size;
    if (ram_end <= KVM_RAM_LIMIT || machine.ram.base >= KVM_RAM_LIMIT)
        return;
    printk("cowl: using %lu of %lu MiB RAM: the kernel maps RAM below 0x%lx\n",
           (KVM_RAM_LIMIT - machine.ram.base) / MIB, machine.ram.size / MIB, KVM_RAM_LIMIT);
    machine.ram.size = KVM_RAM_LIMIT - machine.ram.base;
}

/* The kernel pool holds page tables, the threads' kernel stacks (64 of
 * 4 KiB, mapped at boot) and little else. It gets a sixteenth of RAM, at
 * least 4 MiB, but past 1 GiB of RAM a sixteenth is mostly wasted: it is
 * capped at 64 MiB plus RAM/256, which still lets page tables map every user
 * frame twice (a space's level-0 tables take 1/512 of what it maps; fork
 * doubles that). It ends on a 2 MiB boundary so that the user pool is mapped
 * with large pages. */
static uint64_t kernel_pool_size(uint64_t ram)
{
    uint64_t size = ram / 16, cap = 64 * MIB + ram / 256;
    size = size < cap ? size : cap;
    return size < 4 * MIB ? 4 * MIB : size;
}

static void layout_memory(void)
{
    uint64_t ram_end = machine.ram.base + machine.ram.size;
    uint64_t kend = (uint64_t)__kernel_end;
    uint64_t ksize = kernel_pool_size(machine.ram.size);
    uint64_t pool = (kend + ksize + 2 * MIB - 1) & ~(2 * MIB - 1);
    if ((uint64_t)__kernel_start < machine.ram.base || pool + 4 * MIB > ram_end)
        panic("boot: %lu MiB of RAM at 0x%lx is too small for Cowl", machine.ram.size / MIB,
              machine.ram.base);
    for (uint32_t i = 0; i < machine.nreserved; i++) {
        const struct machine_region *r = &machine.reserved[i];
        if (r->base < ram_end && r->base + r->size > (uint64_t)__kernel_start)
            panic("boot: reserved memory 0x%lx..0x%lx overlaps the kernel's RAM", r->base,
                  r->base + r->size);
    }
    kalloc_init(kend, pool);
    user_pool_base = pool;
    user_pool_end = ram_end;
}

/* Say that some harts are left out and send every one SBI will start (the
 * tree's left-out harts are not recorded, so each free id is tried; others
 * fail harmlessly) to sleep in unused_hart. */
static void park_unused_harts(void)
{
    printk("cowl: using %u of the %u harts the device tree lists (at most %d, ids below %d)\n",
           ncpu, machine.nharts_listed, MAX_HARTS, MAX_HART_ID);
    for (uint32_t id = 0; id < MAX_HART_ID; id++) {
        bool used = boot_parked[id] != 0;
        for (uint32_t i = 0; i < ncpu && !used; i++)
            used = cpus[i].hartid == id;
        if (!used)
            sbi_hart_start(id, (uint64_t)unused_hart, 0);
    }
}

/* Start every recorded hart (the boot hart is among them) whose id fits
 * boot_parked; say so when the tree lists harts that are left out. */
static void start_other_harts(uint32_t boot_hart)
{
    for (uint32_t i = 0; i < machine.nharts; i++) {
        uint32_t id = machine.hart_ids[i];
        if (id == boot_hart || id >= MAX_HART_ID)
            continue;
        struct cpu *c = &cpus[ncpu];
        c->index = ncpu++;
        c->seen_offset = space_seen_offset(c->index);
        c->hartid = id;
        if (boot_parked[id] == -1) {
            boot_parked[id] = (int64_t)c->index + 1; /* it entered _start too */
            continue;
        }
        int err = sbi_hart_start(id, (uint64_t)secondary_start, c->index);
        if (err && boot_parked[id] == -1)
            boot_parked[id] = (int64_t)c->index + 1; /* it got there meanwhile */
        else if (err)
            panic("boot: SBI could not start hart %u (error %d)", id, err);
    }
    if (ncpu < machine.nharts_listed)
        park_unused_harts();
}

static void banner(void)
{
    printk("cowl: %u harts, %lu MiB RAM, %lu MiB user pool\n", ncpu, machine.ram.size / MIB,
           (user_pool_end - user_pool_base) / MIB);
    /* The boot arguments may be longer than one printk line holds. */
    printk("cowl: timer %s, boot args \"", timer_uses_sstc() ? "sstc" : "sbi");
    printk_write(machine.bootargs, strlen(machine.bootargs));
    printk("\"\n");
}

static uint32_t plic_context_of(uint32_t hartid)
{
    for (uint32_t i = 0; i < machine.nharts; i++)
        if (machine.hart_ids[i] == hartid)
            return machine.plic_context[i];
    return UINT32_MAX;
}

void kmain(uint64_t hartid, const void *dtb)
{
    cpus[0] =
        (struct cpu){.index = 0, .hartid = (uint32_t)hartid, .seen_offset = space_seen_offset(0)};
    __asm__ volatile("mv tp, %0" ::"r"(&cpus[0]));
    ncpu = 1;
    int err = machine_from_fdt(dtb, DTB_MAX_SIZE, (uint32_t)hartid, &machine);
    if (err < 0)
        panic("boot: bad device tree at %p: %s", dtb, fdt_strerror(err));
    uart_init(machine.uart.base);
    fit_ram();
    power_init(machine.test.size ? machine.test.base : 0);
    layout_memory();
    kvm_init(&machine);
    kvm_install();
    timer_init(machine.timebase_hz, machine.sstc, bootarg_number("tick", TICK_HZ));
    uint32_t ctx = plic_context_of((uint32_t)hartid);
    if (ctx == UINT32_MAX)
        panic("boot: the device tree routes no PLIC context to hart %lu", hartid);
    plic_init(machine.plic.base, ctx);
    plic_enable(machine.uart_irq);
    trap_init_hart();
    cpus[0].online = 1;
    start_other_harts((uint32_t)hartid);
    banner();
    selftest_run();
    space_init();
    trace_init(&machine);
    pager_client_init();
    proc_create_init();
    sched_loop();
}

void kmain_secondary(uint64_t hartid, uint64_t index)
{
    (void)hartid;
    __asm__ volatile("mv tp, %0" ::"r"(&cpus[index]));
    kvm_install();
    trap_init_hart();
    cpus[index].online = 1;
    sched_loop();
}
