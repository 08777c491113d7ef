/*
 * test=boot checks that every hart came up and takes timer interrupts, that
 * the kernel pool and the user pool are sane, and that the kernel's text is
 * mapped read-only; test=panic faults on purpose inside the kernel so the
 * suite can check the panic line and the backtrace; test=stack-overflow
 * (on a thread's kernel stack) and test=boot-stack-overflow (on the boot
 * hart's) recurse until the stack's guard page stops them.
 */
#include "selftest.h"
#include "bootargs.h"
#include "cpu.h"
#include "kalloc.h"
#include "panic.h"
#include "power.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "timer.h"
#include "kvm.h"
#include "arch/riscv/arch.h"

extern char __kernel_start[];

static void wait_ticks(uint64_t n)
{
    uint64_t until = timer_ticks() + n;
    arch_irq_on();
    while (timer_ticks() < until)
        arch_wait();
    arch_irq_off();
}

static int check(int ok, const char *what)
{
    printk("selftest: %s: %s\n", what, ok ? "ok" : "FAILED");
    return ok;
}

/* Every started hart has taken a tick. */
static int all_ticking(void)
{
    for (uint32_t i = 0; i < ncpu; i++)
        if (!cpus[i].online || !cpus[i].ticks)
            return 0;
    return 1;
}

static void test_boot(void)
{
    /* Secondary harts come up on their own time (the boot hart does not
     * wait for them); give them twenty seconds, and half a second more per
     * hart: QEMU runs 64 harts on however few host cores it has, and a
     * loaded host can leave a virtual CPU's thread unscheduled for seconds
     * (seven were once not enough for 4 harts on 2 busy cores). */
    uint64_t budget = 2000 + 50 * (uint64_t)ncpu;
    for (uint64_t waited = 0; waited < budget && !all_ticking(); waited += 10)
        wait_ticks(10);
    int ok = 1;
    for (uint32_t i = 0; i < ncpu; i++) {
        printk("selftest: hart %u: %lu ticks\n", cpus[i].hartid, cpus[i].ticks);
        ok &= cpus[i].online && cpus[i].ticks > 0;
    }
    ok &= check(ok, "every hart online and ticking");
    uint64_t a = kalloc_page(), b = kalloc_page();
    ok &= check(a && b && a != b && !*(uint64_t *)a, "kernel pool gives distinct zeroed pages");
    kalloc_free(a);
    kalloc_free(b);
    pte_t *pte = sv39_walk(kvm_root(), (uint64_t)__kernel_start, 0, 0);
    ok &= check(pte && (*pte & PTE_X) && !(*pte & PTE_W), "kernel text is R-X");
    printk("selftest: boot %s\n", ok ? "passed" : "FAILED");
    power_off(ok ? 0 : 1);
}

/* An address nothing maps, hidden from the compiler's bounds analysis. */
static volatile uint64_t *volatile fault_target = (volatile uint64_t *)8;

/* Not inlined, so that the backtrace names it. It does not return, so its
 * frame is still set up when the store runs (the compiler may otherwise
 * schedule the store after the epilogue, and the backtrace would start in
 * the caller's caller). */
__attribute__((noinline, noreturn)) static void selftest_fault_store(volatile uint64_t *where)
{
    printk("selftest: storing to %p\n", (void *)where);
    *where = 42;
    panic("selftest: the store to %p did not fault", (void *)where);
}

/* Recursion the compiler can neither bound nor turn into a loop. */
static volatile uint64_t recurse_limit = UINT64_MAX;

__attribute__((noinline)) static uint64_t selftest_recurse(uint64_t depth)
{
    volatile uint64_t frame[16];
    frame[0] = depth;
    frame[1] = depth < recurse_limit ? selftest_recurse(depth + 1) : 0;
    return frame[0] + frame[1];
}

static void overflow_thread(void)
{
    selftest_recurse(0);
    panic("selftest: the recursion came back");
}

/* A thread that belongs to no real process: named so in the panic line. */
static struct proc selftest_proc = {.name = "selftest"};

/* Switch to a fresh thread record, on its own stack in the kernel's stack
 * window, and overflow that stack. */
static void test_stack_overflow(void)
{
    struct thread *t = sched_thread_alloc(overflow_thread);
    ASSERT(t);
    t->proc = &selftest_proc;
    t->state = T_RUNNING;
    this_cpu()->current = t;
    printk("selftest: overflowing the kernel stack of a thread\n");
    context_switch(&this_cpu()->sched, &t->ctx);
}

void selftest_run(void)
{
    char name[32];
    if (!bootarg_get("test", name, sizeof(name)))
        return;
    if (!strncmp(name, "boot", 5))
        test_boot();
    if (!strncmp(name, "panic", 6))
        selftest_fault_store(fault_target);
    if (!strncmp(name, "stack-overflow", 15))
        test_stack_overflow();
    if (!strncmp(name, "boot-stack-overflow", 20)) {
        printk("selftest: overflowing the boot stack\n");
        selftest_recurse(0);
    }
    printk("selftest: no test named \"%s\"\n", name);
    power_off(2);
}
