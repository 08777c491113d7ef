/*
 * test=boot checks that every hart came up and takes timer interrupts, that
 * the kernel pool and the user pool are sane, and that the kernel's text is
 * mapped read-only; test=panic faults on purpose inside the kernel so the
 * suite can check the panic line and the backtrace; test=stack-overflow
 * (on a thread's kernel stack) and test=boot-stack-overflow (on the boot
 * hart's) recurse until the stack's guard page stops them.
 */
#include "selftest.h"
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
#include "arch/riscv/csr.h"

extern char __kernel_start[];

/* The word that ends the kernel's options: it and every word after it belong
 * to the program init runs, so `run=echo test=panic` echoes "test=panic". */
static const char program_word[] = "run=";

int bootarg_get(const char *args, const char *key, char *out, int size)
{
    size_t klen = strlen(key);
    for (const char *p = args; *p;) {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p && *p != ' ')
            p++;
        if (!strncmp(word, program_word, sizeof(program_word) - 1))
            return 0;
        if ((size_t)(p - word) > klen && !strncmp(word, key, klen) && word[klen] == '=') {
            int n = 0;
            for (const char *v = word + klen + 1; v < p && n + 1 < size; v++)
                out[n++] = *v;
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static void wait_ticks(uint64_t n)
{
    uint64_t until = timer_ticks() + n;
    csr_set(sstatus, SSTATUS_SIE);
    while (timer_ticks() < until)
        __asm__ volatile("wfi");
    csr_clear(sstatus, SSTATUS_SIE);
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
     * wait for them); give them five seconds, and half a second more per
     * hart: QEMU runs 64 harts on however few host cores it has. */
    uint64_t budget = 500 + 50 * (uint64_t)ncpu;
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

/* Not inlined, so that the backtrace names it. */
__attribute__((noinline)) static void selftest_fault_store(volatile uint64_t *where)
{
    printk("selftest: storing to %p\n", (void *)where);
    *where = 42;
}

bool bootarg_on(const char *args, const char *key)
{
    char value[4];
    return bootarg_get(args, key, value, sizeof(value)) && value[0] == '1';
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

void selftest_run(const char *bootargs)
{
    char name[32];
    if (!bootarg_get(bootargs, "test", name, sizeof(name)))
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
