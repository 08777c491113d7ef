/*
 * Panic: one line saying what went wrong and on which hart, a backtrace from
 * the frame-pointer chain with function names from the kernel's own symbol
 * table (ksyms.c), then power-off with PANIC_EXIT_STATUS. The first hart to
 * panic owns the console; any other hart that tries to print stops.
 */
#include <stdarg.h>
#include "panic.h"
#include "cpu.h"
#include "ksyms.h"
#include "machine.h"
#include "kstack.h"
#include "power.h"
#include "printk.h"
#include "arch/riscv/arch.h"

extern char __kernel_start[];
extern char boot_stacks[];

static const char *const exception_names[] = {
    [EXC_INST_MISALIGNED] = "instruction address misaligned",
    [EXC_INST_ACCESS] = "instruction access fault",
    [EXC_ILLEGAL_INST] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
    [EXC_STORE_ACCESS] = "store/AMO access fault",
    [EXC_ECALL_U] = "environment call from U-mode",
    [EXC_ECALL_S] = "environment call from S-mode",
    [EXC_INST_PAGE_FAULT] = "instruction page fault",
    [EXC_LOAD_PAGE_FAULT] = "load page fault",
    [EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
};

const char *scause_name(uint64_t scause)
{
    if (arch_cause_is_interrupt(scause))
        return "interrupt";
    uint64_t n = sizeof(exception_names) / sizeof(exception_names[0]);
    if (scause < n && exception_names[scause])
        return exception_names[scause];
    return "unknown exception";
}

/* Print pc with the function that holds `inside`: pc itself for a trapping
 * instruction, pc - 1 for a return address, which may lie just past the end
 * of a caller whose last instruction calls a noreturn function. */
static void print_pc(int depth, uint64_t pc, uint64_t inside)
{
    uint64_t off;
    const char *name = ksyms_lookup(inside, &off);
    if (name)
        printk("  #%d 0x%lx %s+0x%lx\n", depth, pc, name, off + (pc - inside));
    else
        printk("  #%d 0x%lx ?\n", depth, pc);
}

/* The end of RAM, or of everything before the device tree was read. */
static uint64_t ram_end(void)
{
    return machine.ram.size ? machine.ram.base + machine.ram.size : ~0UL;
}

/* A frame pointer is followed only while it stays aligned inside the kernel's
 * memory or its thread stacks, clear of guard pages, so a corrupt or
 * overflowed chain ends the backtrace instead of faulting again. */
static int plausible_fp(uint64_t fp)
{
    if ((fp & 7) || kstack_unmapped(fp - 16) || kstack_unmapped(fp - 8))
        return 0;
    return kstack_in_window(fp - 16) || (fp > (uint64_t)__kernel_start + 16 && fp < ram_end());
}

void backtrace(uint64_t fp)
{
    for (int depth = 1; depth < 24 && plausible_fp(fp); depth++) {
        uint64_t ra = ((uint64_t *)fp)[-1];
        uint64_t next = ((uint64_t *)fp)[-2];
        if (!ra)
            break;
        print_pc(depth, ra, ra - 1);
        if (next <= fp)
            break;
        fp = next;
    }
}

void panic(const char *fmt, ...)
{
    printk_panic_mode();
    va_list ap;
    va_start(ap, fmt);
    printk("\npanic: ");
    vprintk(fmt, ap);
    va_end(ap);
    printk(" (hart %u)\nbacktrace:\n", this_cpu()->hartid);
    uint64_t ra = (uint64_t)__builtin_return_address(0);
    print_pc(0, ra, ra - 1);
    backtrace(arch_frame_pointer());
    power_off(PANIC_EXIT_STATUS);
}

void panic_trap(const char *what, uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t fp)
{
    printk_panic_mode();
    printk("\npanic: %s: %s (scause %lu) sepc 0x%lx stval 0x%lx (hart %u)\nbacktrace:\n", what,
           scause_name(scause), scause, sepc, stval, this_cpu()->hartid);
    print_pc(0, sepc, sepc);
    backtrace(fp);
    power_off(PANIC_EXIT_STATUS);
}
