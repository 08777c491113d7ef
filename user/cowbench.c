/*
 * cowbench: the fault-path benchmark. It times single events (one faulting
 * store, one syscall, one fork+exit+wait) and prints every sample, for the
 * host (tools/bench.py) to turn into distributions, tables and plots.
 *
 * The clock: under `./cowl run --icount` (boot option icount=1) QEMU's
 * -icount shift=0 makes rdcycle count retired instructions exactly, and
 * every figure is in `instructions`, repeatable run to run; otherwise the
 * clock is the time CSR, converted to `ns`.
 *
 * Each timed region is bracketed by benchstat() calls: a region during
 * which the hart took a timer interrupt, the thread was preempted or moved
 * to another hart is disturbed; its sample is dropped and measured again
 * on a fresh page (counted as `invalid`). A sample that came out negative
 * is dropped the same way. Nothing disturbed is ever printed as a result.
 *
 * Output, one line each (the host reads nothing else):
 *   bench mode MODE -                    the COW mode of this build
 *   bench clock UNIT TIMEBASE TICK_HZ HARTS
 *   sample NAME VALUE*COUNT ...          sorted samples, run-length coded
 *   figure NAME UNIT N INVALID           ends NAME's samples
 *   skip NAME REASON                     a figure this run cannot make
 * NAME may carry a parameter after '@' (fork_total@1024: 1,024 pages;
 * tput_faults_per_s@8: 8 workers, on the HARTS of the clock line).
 *
 * Groups (arguments; default `lat fork share pattern` under icount, `lat
 * tput` otherwise): lat (latency distributions), fork (fork cost
 * against pages), share (copy fault against sharers), pattern (sequential,
 * strided, random), tput (faults a second and the big_lock wait with 1,
 * 2, 4 and 8 workers over the harts, and the host's control: an empty
 * loop's turns a second, the same way), disturb (checks that injected
 * disturbances are caught). `quick` shrinks them all.
 */
#include <user.h>

#define PAGE           4096
#define MAX_SAMPLES    16384         /* the largest pattern sweep: one sample a page */
#define SPARE(n)       ((n) / 8 + 4) /* extra pages for re-measured samples */
#define LINE_VALUES    12            /* value*count pairs per `sample` line */
#define NAME_MAX       48
#define ARGS_MAX       256
#define NS_PER_S       1000000000UL
#define PPM            1000000UL /* millionths */
#define SMALL_READ     512
#define SHARERS_MAX    62   /* NPROC 64 less the pager and init */
#define TPUT_MAX       8    /* workers in the throughput group: 1, 2, 4, 8 */
#define TPUT_RUNS      5    /* runs of each throughput point */
#define TPUT_FEW_RUNS  2    /* the same, quick */
#define DISTURB_TICKS  3    /* a disturbance spins this many tick periods */
#define DISTURB_WAIT   5    /* seconds: a tick later than this is not waited for */
#define HARTS_WAIT     500  /* ticks to wait for every hart to come online */
#define KILL_PAGES     32   /* COW pages the out-of-frames child stores to */
#define KILL_RESERVE   8    /* frames left free: fewer than KILL_PAGES */
#define KILL_CHUNK     1024 /* pages per sbrk while emptying the pool */
#define IPC_WORDS_SENT 5
#define PROF_SAMPLES   8      /* samples of each figure in the prof group */
#define CONTEND_CALLS  100000 /* disturb: system calls made while another hart makes them too */

static int icount; /* 1: rdcycle counts instructions */
static int quick;  /* 1: small counts for CI and a first look */
static struct cowl_benchstat boot_stat;
static uint64 samples[MAX_SAMPLES];
static int inject_every; /* disturb: spin across a tick in every k-th region */

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

/* The benchmark clock: instructions under icount, time CSR ticks otherwise. */
static inline uint64 now(void)
{
    return icount ? rdcycle() : rdtime();
}

static const char *unit(void)
{
    return icount ? "instructions" : "ns";
}

/* Clock ticks to the printed unit (ns for the time CSR). */
static uint64 to_unit(uint64 t)
{
    return icount ? t : t * (NS_PER_S / boot_stat.timebase_hz);
}

/* Spin for `ticks` tick periods and until uptime has counted ticks - 1 of
 * them. The clock alone is not enough: on a busy host, QEMU's timer thread
 * can raise the interrupt tens of milliseconds after the time CSR passes the
 * deadline, and a region that the tick never reached is not disturbed. A
 * tick that has not come in DISTURB_WAIT seconds is not waited for. */
static void spin_ticks(int ticks)
{
    uint64 start = rdtime();
    uint64 until = start + ticks * (boot_stat.timebase_hz / boot_stat.tick_hz);
    uint64 give_up = start + DISTURB_WAIT * boot_stat.timebase_hz;
    uint64 tick0 = (uint64)uptime();
    while (rdtime() < until || ((uint64)uptime() - tick0 < (uint64)ticks - 1 && rdtime() < give_up))
        ;
}

/* A timed region: probe_start() just before it, probe_stop() just after;
 * probe_stop() returns 0 and the elapsed clock in *out only if the region
 * was not disturbed. Both are inlined, and the clock is read by the last
 * instruction of one and the first of the other, so that a sample holds
 * the region and, of the probe, the store of the start time alone. The
 * stop's read is listed in section .probe_stops, so that tools/profile.py
 * knows which window between two reads is a sample. */
struct probe {
    struct cowl_benchstat st;
    uint64 t0;
    int count;
};

static inline __attribute__((always_inline)) void probe_start(struct probe *p)
{
    benchstat(&p->st);
    p->t0 = now();
}

/* The region ends here: the cycle counter first, whichever clock is used. */
static inline __attribute__((always_inline)) uint64 probe_clock(void)
{
    uint64 c;
    asm volatile("1: rdcycle %0\n"
                 ".pushsection .probe_stops, \"\", @progbits\n"
                 ".quad 1b\n"
                 ".popsection"
                 : "=r"(c));
    return icount ? c : rdtime();
}

static __attribute__((noinline)) int probe_check(struct probe *p, uint64 t1, uint64 *out)
{
    if (inject_every && ++p->count % inject_every == 0)
        spin_ticks(DISTURB_TICKS); /* after the clock, still before the check */
    struct cowl_benchstat e;
    benchstat(&e);
    if (e.hart != p->st.hart || e.ticks != p->st.ticks || e.preemptions != p->st.preemptions)
        return -1;
    if (t1 < p->t0)
        return -1;
    *out = to_unit(t1 - p->t0);
    return 0;
}

static inline __attribute__((always_inline)) int probe_stop(struct probe *p, uint64 *out)
{
    return probe_check(p, probe_clock(), out);
}

/* The decimal digits of v >= 0 into buf (at least 12 bytes). */
static void itoa(int v, char *buf)
{
    char tmp[12];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n > 0)
        *buf++ = tmp[--n];
    *buf = 0;
}

static void sort(uint64 *v, int n)
{
    for (int gap = n / 2; gap > 0; gap /= 2)
        for (int i = gap; i < n; i++)
            for (int j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
                uint64 t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
}

/* Print n samples of figure `name` (with "@param" when param >= 0) sorted
 * and run-length coded, then its figure line. */
static void emit_unit(const char *name, int param, const char *u, uint64 *v, int n, int invalid)
{
    static char at[NAME_MAX];
    at[0] = 0;
    if (param >= 0) {
        at[0] = '@';
        itoa(param, at + 1);
    }
    sort(v, n);
    int pairs = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && v[j] == v[i])
            j++;
        if (pairs % LINE_VALUES == 0)
            printf("%ssample %s%s", pairs ? "\n" : "", name, at);
        printf(" %lu*%d", v[i], j - i);
        pairs++;
        i = j;
    }
    printf("%sfigure %s%s %s %d %d\n", pairs ? "\n" : "", name, at, u, n, invalid);
}

static void emit_param(const char *name, int param, uint64 *v, int n, int invalid)
{
    emit_unit(name, param, unit(), v, n, invalid);
}

static void emit(const char *name, uint64 *v, int n, int invalid)
{
    emit_param(name, -1, v, n, invalid);
}

static void skip_param(const char *name, int param, const char *why)
{
    if (param >= 0)
        printf("skip %s@%d %s\n", name, param, why);
    else
        printf("skip %s %s\n", name, why);
}

static void skip(const char *name, const char *why)
{
    skip_param(name, -1, why);
}

static char *pages(int n)
{
    char *p = sbrk(n * PAGE);
    if (p == (char *)-1)
        return 0;
    for (int i = 0; i < n; i++)
        p[i * PAGE] = 1;
    return p;
}

static void unpages(int n)
{
    sbrk(-n * PAGE);
}

/* `n` children that keep the parent's pages shared until the parent
 * writes n bytes to go[1] (one pipe for all: a process has 16 files);
 * returns how many started. */
static int hold_group(int n, int *go)
{
    int held = 0;
    if (pipe(go) < 0)
        return 0;
    for (; held < n; held++) {
        int pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            char c;
            close(go[1]);
            read(go[0], &c, 1);
            exit(0);
        }
    }
    close(go[0]);
    return held;
}

static void release_group(int held, int *go)
{
    for (int i = 0; i < held; i++)
        write(go[1], "x", 1);
    close(go[1]);
    for (int i = 0; i < held; i++)
        wait(0);
}

/* One child that keeps the parent's pages shared until release_pages(). */
static int hold_pages(int *go)
{
    return hold_group(1, go) == 1 ? 0 : -1;
}

static void release_pages(int *go)
{
    release_group(1, go);
}

/* A store to each page of p in `order` (page indexes) until `want` clean
 * samples are in samples[]; returns how many, *invalid the disturbed ones. */
static int time_stores(char *p, const int *order, int avail, int want, int *invalid)
{
    int n = 0;
    struct probe pr = {0};
    *invalid = 0;
    for (int i = 0; i < avail && n < want; i++) {
        char *a = p + (order ? order[i] : i) * PAGE + 8;
        probe_start(&pr);
        *(volatile char *)a = (char)i;
        if (probe_stop(&pr, &samples[n]) == 0)
            n++;
        else
            (*invalid)++;
    }
    return n;
}

/* Samples of `name`: stores to `want` pages, shared with `holders` children
 * that stay alive (copy faults), or with one that exited (reuse faults), or
 * private (holders < 0). */
static void bench_stores(const char *name, int want, int holders)
{
    int avail = want + SPARE(want), invalid, go[2];
    char *p = pages(avail);
    if (!p) {
        skip(name, "no-memory");
        return;
    }
    if (holders == 0) {
        if (fork() == 0)
            exit(0);
        wait(0);
    } else if (holders > 0 && hold_pages(go) < 0) {
        skip(name, "fork-failed");
        unpages(avail);
        return;
    }
    int n = time_stores(p, 0, avail, want, &invalid);
    if (holders > 0)
        release_pages(go);
    emit(name, samples, n, invalid);
    unpages(avail);
}

static void bench_nullcall(int want)
{
    struct probe pr = {0};
    int n = 0, invalid = 0;
    while (n < want && invalid < want) {
        probe_start(&pr);
        nullcall();
        if (probe_stop(&pr, &samples[n]) == 0)
            n++;
        else
            invalid++;
    }
    emit("null_syscall", samples, n, invalid);
}

static void bench_ipc(int want)
{
    int ep = ep_create(), n = 0, invalid = 0;
    struct cowl_msg m = {{1, 2, 3, 4, IPC_WORDS_SENT}}, r;
    if (ep < 0) {
        skip("ipc_roundtrip", "no-endpoint");
        return;
    }
    int pid = fork();
    if (pid == 0) {
        ipc_recv(ep, &r, 0);
        for (;;)
            ipc_reply_recv(ep, &r, &r, 0);
    }
    ipc_call(ep, &m, &r); /* warm up: the server now waits in reply_recv */
    struct probe pr = {0};
    while (n < want && invalid < want) {
        probe_start(&pr);
        ipc_call(ep, &m, &r);
        if (probe_stop(&pr, &samples[n]) == 0)
            n++;
        else
            invalid++;
    }
    kill(pid);
    wait(0);
    emit("ipc_roundtrip", samples, n, invalid);
}

/* read() of `len` bytes of a boot-image file into each of `want` pages,
 * COW-shared with a live child (cow != 0) or private. */
static void bench_copyout(const char *name, int len, int want, int cow)
{
    int avail = want + SPARE(want), n = 0, invalid = 0, go[2];
    char *p = pages(avail);
    if (!p || (cow && hold_pages(go) < 0)) {
        skip(name, "no-memory");
        if (p)
            unpages(avail);
        return;
    }
    struct probe pr = {0};
    for (int i = 0; i < avail && n < want; i++) {
        int fd = open("cowbench", O_RDONLY);
        probe_start(&pr);
        int got = read(fd, p + i * PAGE, len);
        int bad = probe_stop(&pr, &samples[n]);
        close(fd);
        if (got != len) {
            skip(name, "short-read");
            break;
        }
        if (bad == 0)
            n++;
        else
            invalid++;
    }
    if (cow)
        release_pages(go);
    emit(name, samples, n, invalid);
    unpages(avail);
}

/* Out of frames: a child stores into COW pages with the pool empty; the
 * sample runs from its last timed store to the parent's wait() returning. */
static int kill_sample(char *p, int share, uint64 *out)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < share; i++) {
            uint64 t0 = now();
            write(fds[1], &t0, sizeof(t0));
            p[i * PAGE + 8] = 2;
        }
        exit(0); /* never reached while the pool is empty */
    }
    close(fds[1]);
    struct probe pr;
    benchstat(&pr.st);
    int status = 0;
    wait(&status);
    uint64 t1 = now(), t0 = 0;
    struct cowl_benchstat e;
    benchstat(&e);
    while (read(fds[0], &pr.t0, sizeof(pr.t0)) == sizeof(pr.t0))
        t0 = pr.t0;
    close(fds[0]);
    if (status != -1 || !t0 || t1 < t0 || e.ticks != pr.st.ticks || e.hart != pr.st.hart)
        return -1;
    *out = to_unit(t1 - t0);
    return 0;
}

/* Takes every free frame (sbrk until it fails); returns the pages taken. */
static int exhaust_pool(int chunk)
{
    int taken = 0;
    for (; chunk > 0; chunk /= 2)
        while (pages(chunk))
            taken += chunk;
    return taken;
}

/* A child that holds every free frame but KILL_RESERVE until release_pages(),
 * so that the parent's own space stays small. -1 if it could not. */
static int hog_pool(int *go)
{
    int ready[2];
    char c = 0;
    if (pipe(ready) < 0 || pipe(go) < 0)
        return -1;
    int pid = fork();
    if (pid == 0) {
        close(go[1]);
        int taken = exhaust_pool(KILL_CHUNK);
        if (taken >= KILL_RESERVE)
            unpages(KILL_RESERVE); /* the parent's own copies after each fork */
        write(ready[1], taken >= KILL_RESERVE ? "y" : "n", 1);
        read(go[0], &c, 1);
        exit(0);
    }
    close(go[0]);
    close(ready[1]);
    read(ready[0], &c, 1);
    close(ready[0]);
    return pid > 0 && c == 'y' ? 0 : -1;
}

static void bench_kill(int want)
{
    struct cowl_poolstat st;
    poolstat(&st);
    if (st.mode == COWL_MODE_EAGER) {
        skip("kill_oom", "no-cow-faults-in-eager");
        return;
    }
    int n = 0, invalid = 0, go[2];
    char *p = pages(KILL_PAGES);
    if (!p || hog_pool(go) < 0) {
        skip("kill_oom", "pool-not-exhausted");
        if (p)
            unpages(KILL_PAGES);
        return;
    }
    for (int tries = 0; n < want && tries < 2 * want; tries++)
        if (kill_sample(p, KILL_PAGES, &samples[n]) == 0)
            n++;
        else
            invalid++;
    release_pages(go);
    unpages(KILL_PAGES);
    emit("kill_oom", samples, n, invalid);
}

static void group_lat(void)
{
    int n = quick ? 64 : 512;
    bench_stores("private_store", n, -1);
    bench_nullcall(n);
    bench_ipc(n);
    bench_stores("cow_copy_fault", n, 1);
    bench_stores("cow_reuse_fault", n, 0);
    bench_copyout("copyout_private_512", SMALL_READ, n, 0);
    bench_copyout("copyout_cow_512", SMALL_READ, n, 1);
    bench_copyout("copyout_private_4096", PAGE, n, 0);
    bench_copyout("copyout_cow_4096", PAGE, n, 1);
    bench_kill(quick ? 8 : 32);
}

/* fork+exit+wait with `extra` more pages than the program's own, `want`
 * samples; the child exits at once, so exit and wait are in every sample. */
static void fork_point(int extra, int want)
{
    struct probe pr = {0};
    int n = 0, invalid = 0, pid = 0;
    if (extra && !pages(extra)) {
        skip_param("fork_total", extra, "no-memory");
        return;
    }
    while (n < want && invalid < 2 * want) {
        probe_start(&pr);
        pid = fork();
        if (pid == 0)
            exit(0);
        if (pid < 0)
            break;
        wait(0);
        if (probe_stop(&pr, &samples[n]) == 0)
            n++;
        else
            invalid++;
    }
    if (pid < 0)
        skip_param("fork_total", extra, "fork-failed");
    else
        emit_param("fork_total", extra, samples, n, invalid);
    if (extra)
        unpages(extra);
}

/* Pages 0, 1, 4, 16, ... up to 65,536 (1,024 in quick mode). */
static void group_fork(void)
{
    int most = quick ? 1024 : 65536, want = quick ? 3 : 5;
    fork_point(0, want);
    for (int extra = 1; extra <= most; extra *= 4)
        fork_point(extra, extra >= 16384 ? 3 : want);
}

/* Copy faults on pages shared by `sharers` processes (the caller and
 * sharers - 1 children). */
static void share_point(int sharers, int want)
{
    int avail = want + SPARE(want), invalid = 0, go[2];
    char *p = pages(avail);
    if (!p) {
        skip_param("cow_copy_sharers", sharers, "no-memory");
        return;
    }
    int held = hold_group(sharers - 1, go);
    if (held == sharers - 1) {
        int n = time_stores(p, 0, avail, want, &invalid);
        emit_param("cow_copy_sharers", sharers, samples, n, invalid);
    } else {
        skip_param("cow_copy_sharers", sharers, "fork-failed");
    }
    release_group(held, go);
    unpages(avail);
}

static void group_share(void)
{
    static const int sharers[] = {2, 4, 8, 16, 32, SHARERS_MAX};
    int points = quick ? 3 : (int)(sizeof(sharers) / sizeof(sharers[0]));
    for (int i = 0; i < points; i++)
        share_point(sharers[i], quick ? 32 : 128);
}

enum pattern { SEQUENTIAL, STRIDED, RANDOM };
static const char *const pattern_names[] = {"cow_copy_seq", "cow_copy_stride", "cow_copy_random"};
#define STRIDE_PAGES 17 /* odd, so i * STRIDE mod a power of two visits every page */

static uint64 rng_state = 88172645463325252UL;

static uint64 rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* order[0..n) visits every page of n (a power of two) once in pattern k. */
static void make_order(int *order, int n, enum pattern k)
{
    for (int i = 0; i < n; i++)
        order[i] = k == STRIDED ? (int)((uint64)i * STRIDE_PAGES % n) : i;
    for (int i = n - 1; k == RANDOM && i > 0; i--) {
        int j = (int)(rng() % (uint64)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Copy faults over `n` pages in pattern k: every page a sample; a disturbed
 * sample is simply left out (the page cannot fault twice). */
static void pattern_point(int n, enum pattern k)
{
    static int order[MAX_SAMPLES];
    int invalid, go[2];
    char *p = pages(n);
    if (!p || hold_pages(go) < 0) {
        skip_param(pattern_names[k], n, "no-memory");
        if (p)
            unpages(n);
        return;
    }
    make_order(order, n, k);
    int got = time_stores(p, order, n, n, &invalid);
    release_pages(go);
    emit_param(pattern_names[k], n, samples, got, invalid);
    unpages(n);
}

static void group_pattern(void)
{
    int most = quick ? 256 : MAX_SAMPLES;
    for (int k = SEQUENTIAL; k <= RANDOM; k++)
        for (int n = 1; n <= most; n *= 4)
            pattern_point(n, (enum pattern)k);
}

/* What a throughput worker reports: its start and end (time CSR) and the
 * machine's big_lock wait, all of it and its long waits (benchstat), read
 * just before and just after. */
/* Turns of the host control's empty loop a page: a run of about 100 ms,
 * as long as a fault run, so that the workers' start skew (a few ms) does
 * not weigh on it more than on the faults. */
#define SPIN_LOOPS 30000

struct tput_report {
    uint64 t0, t1;
    uint64 wait0, wait1;
    uint64 long0, long1;
};

/* Throughput worker on hart `hart`: COW-shares `n` pages with a child,
 * says it is ready, waits for go, stores to every page and reports on
 * `out`. The host's control (spin): the same, but SPIN_LOOPS turns of an
 * empty loop a page instead of the store, so no kernel entry at all: what
 * the host gives the harts' threads when the guest asks nothing of its
 * kernel. */
static void tput_worker(int hart, int n, int spin, int ready, int go, int out)
{
    int hold[2];
    pin(hart);
    char *p = pages(n);
    if (!p || hold_pages(hold) < 0)
        exit(1);
    char c;
    write(ready, "r", 1);
    read(go, &c, 1);
    struct cowl_benchstat s0, s1;
    struct tput_report r;
    benchstat(&s0);
    r.t0 = rdtime();
    if (spin)
        for (long i = 0; i < (long)n * SPIN_LOOPS; i++)
            asm volatile("");
    else
        for (int i = 0; i < n; i++)
            p[i * PAGE + 8] = (char)i;
    r.t1 = rdtime();
    benchstat(&s1);
    r.wait0 = s0.lock_wait;
    r.wait1 = s1.lock_wait;
    r.long0 = s0.lock_wait_long;
    r.long1 = s1.lock_wait_long;
    write(out, &r, sizeof(r));
    release_pages(hold);
    exit(0);
}

/* One throughput run's result: faults (or spins) a second, all workers together, and
 * the share of the harts' time spent waiting for big_lock (in millionths),
 * all of it and in waits of over a millisecond. */
struct tput_result {
    uint64 faults_per_s;
    uint64 wait_ppm, long_ppm;
};

/* Reads `workers` reports from `out`: the region runs from the first start
 * to the last end, and the lock wait is read at those two points. -1 if a
 * report is missing or the region is empty. */
static int tput_collect(int out, int workers, int harts, uint64 n, struct tput_result *res)
{
    struct tput_report r, first = {.t0 = ~0UL}, last = {0};
    for (int w = 0; w < workers; w++) {
        if (read(out, &r, sizeof(r)) != sizeof(r))
            return -1;
        if (r.t0 < first.t0)
            first = r;
        if (r.t1 > last.t1)
            last = r;
    }
    if (last.t1 <= first.t0 || last.wait1 < first.wait0 || last.long1 < first.long0)
        return -1;
    uint64 span = last.t1 - first.t0;
    res->faults_per_s = (uint64)workers * n * boot_stat.timebase_hz / span;
    res->wait_ppm = (last.wait1 - first.wait0) * PPM / (span * harts);
    res->long_ppm = (last.long1 - first.long0) * PPM / (span * harts);
    return 0;
}

/* One throughput run: `workers` workers, worker w pinned to hart w % harts,
 * all released together (spin: the host's control). -1 if a worker could
 * not start or failed. */
static int tput_run(int workers, int harts, int n, int spin, struct tput_result *res)
{
    int ready[2], go[2], out[2], started = 0, ok = -1;
    if (pipe(ready) < 0 || pipe(go) < 0 || pipe(out) < 0)
        return -1;
    for (; started < workers; started++) {
        int pid = fork();
        if (pid < 0)
            break;
        if (pid == 0)
            tput_worker(started % harts, n, spin, ready[1], go[0], out[1]);
    }
    close(ready[1]);
    close(out[1]);
    char c;
    int waiting = 0;
    while (waiting < started && read(ready[0], &c, 1) == 1)
        waiting++;
    for (int w = 0; w < started; w++)
        write(go[1], "g", 1);
    if (started == workers && waiting == workers)
        ok = tput_collect(out[0], workers, harts, spin ? (uint64)n * SPIN_LOOPS : (uint64)n, res);
    for (int w = 0; w < started; w++)
        wait(0);
    close(ready[0]);
    close(out[0]);
    close(go[0]);
    close(go[1]);
    return ok;
}

/* faults/s with 1, 2, 4 and 8 workers on this machine's harts (the host
 * boots 1, 2 and 4), each point repeated; beside it, the share of the
 * harts' time spent waiting for big_lock. Wall clock only. Each figure's
 * samples are sorted on their own, so a run's wait is not paired with its
 * rate in the output. */
static void group_tput(int harts)
{
    static uint64 wait_ppm[TPUT_RUNS], long_ppm[TPUT_RUNS];
    int runs = quick ? TPUT_FEW_RUNS : TPUT_RUNS, n = quick ? 1024 : 4096;
    for (int workers = 1; workers <= TPUT_MAX; workers *= 2) {
        if (icount) {
            skip_param("tput_faults_per_s", workers, "wall-clock-only");
            skip_param("tput_spins_per_s", workers, "wall-clock-only");
            continue;
        }
        for (int spin = 0; spin < 2; spin++) {
            int got = 0, invalid = 0;
            for (int r = 0; r < runs; r++) {
                struct tput_result res;
                if (tput_run(workers, harts, n, spin, &res) < 0) {
                    invalid++;
                    continue;
                }
                samples[got] = res.faults_per_s;
                long_ppm[got] = res.long_ppm;
                wait_ppm[got++] = res.wait_ppm;
            }
            if (spin) {
                emit_unit("tput_spins_per_s", workers, "spins/s", samples, got, invalid);
                continue;
            }
            emit_unit("tput_faults_per_s", workers, "faults/s", samples, got, invalid);
            emit_unit("tput_lock_wait", workers, "ppm", wait_ppm, got, invalid);
            emit_unit("tput_lock_wait_long", workers, "ppm", long_ppm, got, invalid);
        }
    }
}

/* big_lock's contention counter, which the throughput sweep reports:
 * two harts making system calls that take the lock at once must find it
 * taken (the fault path no longer takes it, so the sweep cannot show it). */
static int lock_contention_counted(void)
{
    struct cowl_benchstat s0, s1;
    int pid = fork();
    if (pid == 0) {
        pin(1);
        for (;;)
            uptime();
    }
    pin(0);
    benchstat(&s0);
    for (int i = 0; i < CONTEND_CALLS; i++)
        uptime();
    benchstat(&s1);
    kill(pid);
    wait(0);
    pin(boot_stat.hart);
    return pid > 0 && s1.lock_contended > s0.lock_contended;
}

/* The detector, checked: a clean region passes, a region that spans ticks
 * or a preemption by a spinning neighbour on the same hart is caught, and
 * injected disturbances are re-measured; with two harts or more, big_lock's
 * contention is counted. Prints "disturb: ok" when so. */
static int group_disturb(int harts)
{
    struct probe pr = {0};
    uint64 v;
    int clean = 0, ok = 1;
    for (int i = 0; i < 10 && !clean; i++) {
        probe_start(&pr);
        nullcall();
        clean = probe_stop(&pr, &v) == 0;
    }
    printf("disturb: clean region %s\n", clean ? "passes" : "REJECTED");
    ok &= clean;

    probe_start(&pr);
    spin_ticks(DISTURB_TICKS);
    int tick = probe_stop(&pr, &v) != 0;
    printf("disturb: region across a tick %s\n", tick ? "detected" : "MISSED");
    ok &= tick;

    int pid = fork();
    if (pid == 0)
        for (;;)
            ;
    probe_start(&pr);
    spin_ticks(DISTURB_TICKS);
    int preempt = pr.st.hart == (uint64)hartid() && probe_stop(&pr, &v) != 0;
    kill(pid);
    wait(0);
    printf("disturb: region with a neighbour %s\n", preempt ? "detected" : "MISSED");
    ok &= preempt;

    inject_every = 3;
    int n = 0, invalid = 0;
    while (n < 6 && invalid < 12) {
        probe_start(&pr);
        nullcall();
        if (probe_stop(&pr, &samples[n]) == 0)
            n++;
        else
            invalid++;
    }
    inject_every = 0;
    printf("disturb: %d injected disturbances, %d samples kept\n", invalid, n);
    ok &= n == 6 && invalid >= 2;

    if (harts >= 2) {
        int counted = lock_contention_counted();
        printf("disturb: contention for big_lock %s\n", counted ? "counted" : "NOT COUNTED");
        ok &= counted;
    }
    printf("disturb: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* A few samples of the hot figures, for `./cowl profile` to single-step. */
static void group_prof(void)
{
    bench_nullcall(PROF_SAMPLES);
    bench_ipc(PROF_SAMPLES);
    bench_stores("cow_copy_fault", PROF_SAMPLES, 1);
    bench_stores("cow_reuse_fault", PROF_SAMPLES, 0);
    fork_point(64, 3);
}

static void run_group(const char *g, int harts)
{
    if (!strcmp(g, "lat"))
        group_lat();
    else if (!strcmp(g, "prof"))
        group_prof();
    else if (!strcmp(g, "fork"))
        group_fork();
    else if (!strcmp(g, "share"))
        group_share();
    else if (!strcmp(g, "pattern"))
        group_pattern();
    else if (!strcmp(g, "tput"))
        group_tput(harts);
    else
        printf("cowbench: no group %s (lat fork share pattern tput disturb quick)\n", g);
}

/* Harts online (the benchmark pins itself to each in turn), once every
 * hart the kernel started is: init may run before the others are up, and
 * on a busy host that can take a while. */
static int count_harts(void)
{
    int here = hartid(), n = 0;
    for (int tries = 0; tries < HARTS_WAIT; tries++) {
        for (n = 0; pin(n) == 0;)
            n++;
        if (n >= (int)boot_stat.harts)
            break;
        sleep(1);
    }
    pin(here);
    return n;
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"?", "pager", "kernel", "eager"};
    static const char *const icount_groups[] = {"lat", "fork", "share", "pattern"};
    static const char *const wall_groups[] = {"lat", "tput"};
    struct cowl_poolstat st;
    poolstat(&st);
    benchstat(&boot_stat);
    icount = boot_option("icount=1");
    int harts = count_harts(), groups = 0;
    pin(boot_stat.hart); /* fork's parent resumes where it started */
    for (int i = 1; i < argc; i++)
        quick |= !strcmp(argv[i], "quick");
    printf("bench mode %s -\n", modes[st.mode < 4 ? st.mode : 0]);
    printf("bench clock %s %lu %lu %d\n", unit(), boot_stat.timebase_hz, boot_stat.tick_hz, harts);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "disturb"))
            return group_disturb(harts);
        if (strcmp(argv[i], "quick")) {
            run_group(argv[i], harts);
            groups++;
        }
    }
    for (int i = 0; !groups && i < (icount ? 4 : 2); i++)
        run_group(icount ? icount_groups[i] : wall_groups[i], harts);
    printf("bench done\n");
    return 0;
}
