/*
 * cowbench: the fault-path benchmark. Run it under `./cowl run --icount`,
 * where QEMU's -icount shift=0 makes rdcycle count retired instructions
 * exactly, so every figure is instructions, repeatable run to run. Each
 * figure prints as one machine-readable line, `bench NAME VALUE UNIT`; the
 * unit names the clock: `instructions(icount)` when the launcher said so
 * with the boot option `icount=1`, else `cycles(rdcycle)`, the cycles of a
 * clock that differs from run to run (at the shell prompt of `./cowl qemu`).
 *
 * Fault figures are net: the cost of a faulting store minus the cost of the
 * same store to a private, writable page. In cow=eager there are no COW
 * faults, so those figures measure plain stores (about 0).
 */
#include <user.h>

#define PAGE        4096
#define FAULT_PAGES 256
#define ROUNDS      1000
#define ARGS_MAX    256

/* The unit of every figure: which clock rdcycle reads here. */
static const char *unit = "cycles(rdcycle)";

/* 1 if the word `opt` is among the kernel's boot options (before `run=`). */
static int boot_option(const char *opt)
{
    static char args[ARGS_MAX];
    int n = bootargs(args, sizeof(args) - 1);
    int len = strlen(opt);

    args[n < 0 ? 0 : n] = 0;
    for (char *p = args; *p;) {
        while (*p == ' ')
            p++;
        char *word = p;
        while (*p && *p != ' ')
            p++;
        if (strncmp(word, "run=", 4) == 0)
            return 0;
        if (p - word == len && strncmp(word, opt, len) == 0)
            return 1;
    }
    return 0;
}

/* total may be negative: a net figure in cow=eager is noise around 0. */
static void report(const char *name, uint64 total, uint64 count)
{
    printf("bench %s %ld %s\n", name, (long)total / (long)count, unit);
}

static char *pages(int n)
{
    char *p = sbrk(n * PAGE);
    if (p == (char *)-1) {
        printf("cowbench: sbrk(%d pages) failed\n", n);
        exit(1);
    }
    for (int i = 0; i < n; i++)
        p[i * PAGE] = 1;
    return p;
}

/* One store to each of n pages; returns the clock ticks it took. */
static uint64 store_each(char *p, int n)
{
    uint64 t0 = rdcycle();
    for (int i = 0; i < n; i++)
        p[i * PAGE + 8] = (char)i;
    return rdcycle() - t0;
}

/* A child that keeps the parent's pages shared until told to go. */
static int hold_pages(int *go)
{
    if (pipe(go) < 0)
        exit(1);
    int pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1);
        exit(0);
    }
    close(go[0]);
    return pid;
}

static void release_pages(int *go)
{
    write(go[1], "x", 1);
    close(go[1]);
    wait(0);
}

static void bench_faults(void)
{
    char *p = pages(FAULT_PAGES);
    uint64 private = store_each(p, FAULT_PAGES);
    int go[2];
    hold_pages(go);
    uint64 copy = store_each(p, FAULT_PAGES);
    release_pages(go);
    report("cow_copy_fault", copy - private, FAULT_PAGES);

    if (fork() == 0)
        exit(0);
    wait(0);
    uint64 reuse = store_each(p, FAULT_PAGES);
    report("cow_reuse_fault", reuse - private, FAULT_PAGES);
    sbrk(-FAULT_PAGES * PAGE);
}

/* read() of 512 bytes from a pipe into each of n pages; returns clock ticks. */
static uint64 read_each(char *p, int n, int *fds)
{
    static char chunk[PAGE];
    uint64 total = 0;
    for (int i = 0; i < n; i++) {
        write(fds[1], chunk, 512);
        uint64 t0 = rdcycle();
        read(fds[0], p + i * PAGE, 512);
        total += rdcycle() - t0;
    }
    return total;
}

static void bench_copyout(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        exit(1);
    char *p = pages(FAULT_PAGES);
    uint64 private = read_each(p, FAULT_PAGES, fds);
    int go[2];
    hold_pages(go);
    uint64 cow = read_each(p, FAULT_PAGES, fds);
    release_pages(go);
    report("copyout_cow", cow - private, FAULT_PAGES);
    close(fds[0]);
    close(fds[1]);
    sbrk(-FAULT_PAGES * PAGE);
}

static uint64 fork_cost(int extra)
{
    char *p = extra ? pages(extra) : 0;
    uint64 t0 = rdcycle();
    if (fork() == 0)
        exit(0);
    wait(0);
    uint64 t = rdcycle() - t0;
    if (p)
        sbrk(-extra * PAGE);
    return t;
}

static void bench_fork(void)
{
    uint64 base = fork_cost(0);
    static const int sizes[] = {1, 16, 256, 4096};
    uint64 last = 0;
    for (int i = 0; i < 4; i++) {
        uint64 t = fork_cost(sizes[i]);
        printf("bench fork_pages_%d %lu %s\n", sizes[i], t, unit);
        last = t;
    }
    printf("bench fork_base %lu %s\n", base, unit);
    report("fork_per_page", last - base, 4096);
}

static void bench_syscall(void)
{
    uint64 t0 = rdcycle();
    for (int i = 0; i < ROUNDS; i++)
        nullcall();
    uint64 calls = rdcycle() - t0;
    t0 = rdcycle();
    for (int i = 0; i < ROUNDS; i++)
        asm volatile("" ::: "memory");
    uint64 loop = rdcycle() - t0;
    report("null_syscall", calls - loop, ROUNDS);
}

static void bench_ipc(void)
{
    int ep = ep_create();
    struct cowl_msg m = {{1, 2, 3, 4, 5}}, r;
    if (ep < 0)
        exit(1);
    int pid = fork();
    if (pid == 0) {
        ipc_recv(ep, &r, 0);
        for (;;)
            ipc_reply_recv(ep, &r, &r, 0);
    }
    ipc_call(ep, &m, &r); /* warm up: the server is now waiting */
    uint64 t0 = rdcycle();
    for (int i = 0; i < ROUNDS; i++)
        ipc_call(ep, &m, &r);
    uint64 t = rdcycle() - t0;
    kill(pid);
    wait(0);
    report("ipc_roundtrip", t, ROUNDS);
}

int main(void)
{
    struct cowl_poolstat st;
    poolstat(&st);
    if (boot_option("icount=1"))
        unit = "instructions(icount)";
    static const char *const modes[] = {"?", "pager", "kernel", "eager"};
    printf("bench mode %s -\n", modes[st.mode < 4 ? st.mode : 0]);
    bench_syscall();
    bench_ipc();
    bench_faults();
    bench_copyout();
    bench_fork();
    return 0;
}
