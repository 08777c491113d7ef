/*
 * sysfuzz: hostile user space, to show that no user program can stop the
 * kernel. Three parts, each run from forked processes so that nothing they
 * do can end the fuzzer itself:
 *
 *   random calls   children issue raw ecalls (any number, known or not) with
 *                  arguments drawn from values that sit on the edges of what
 *                  the kernel must check, and now and then take a user
 *                  fault; what they fork makes random IPC calls on their
 *                  endpoint; a watchdog kills a child that blocks (that is
 *                  allowed), and the parent must reap it
 *   IPC sequences  a caller and a server are killed, or exit, at every step
 *                  of call, reply and reply_recv; forged messages of every
 *                  label go to the pager's endpoint
 *   baselines      afterwards the pool's free frames, poolcheck() and the
 *                  kernel's object counts must be back where they started
 *
 *   sysfuzz [SEED [COUNT]]     COUNT random calls from SEED, then the rest;
 *                              prints "sysfuzz: ok" or "sysfuzz: FAILED ..."
 *   sysfuzz soak MINUTES [SEED]  fuzz, IPC sequences and a fork/COW storm in
 *                              rounds for MINUTES, checking the baselines
 *                              after every round
 *
 * The seed is printed; the same seed and count replay the same calls (the
 * interleaving across harts differs, the calls do not).
 */
#include <user.h>

#define HZ              100 /* timer ticks per second */
#define CALLS_PER_CHILD 40
#define WATCHDOG_TICKS  25         /* a child still running after this is killed */
#define SETTLE_TICKS    500        /* grace for orphans to be reaped before a leak counts */
#define SCENE_TICKS     1000       /* an IPC scene taking longer is a hang */
#define STALL_TICKS     20         /* how long a scene lets its blocked members sit */
#define PARTNER_CALLS   8          /* IPC calls a fuzz child's child makes */
#define MAX_FORKED      16         /* pids a fuzz child remembers forking */
#define PID_ABSENT      0x7ffffff0 /* no process ever has this pid */
#define PID_FAR         (1 << 20)  /* pids from here up are never allocated */
#define CHILD_DONE      85         /* a fuzz child that made all its calls */
#define CHILD_ORACLE    77         /* a fuzz child that saw a wrong answer */
#define WATCHDOG_FIRED  1
#define WILD_ONE_IN     200 /* one draw in this many is a user fault, not a call */
#define NUMS_MAX        64
#define VALUES_MAX      96

#define KNOWN(num, name, stub) num,
static const long known_calls[] = {COWL_SYSCALLS(KNOWN)};
#undef KNOWN

/* ---- random numbers ---------------------------------------------------- */

static uint64 rng_state;

static void rng_seed(uint64 seed)
{
    rng_state = seed * 0x9e3779b97f4a7c15UL + 0x2545f4914f6cdd1dUL;
    if (!rng_state)
        rng_state = 1;
}

/* xorshift64*: small, and the same sequence on every hart and build. */
static uint64 rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dUL;
}

static uint64 rng_below(uint64 n)
{
    return rng() % n;
}

/* ---- raw system calls --------------------------------------------------- */

/* Issue syscall num with six argument registers, as libsys's stubs do but
 * with nothing checked or adjusted; returns a0 as the kernel left it. IPC
 * calls also overwrite a1..a7 and the temporaries. */
static long raw_syscall(long num, const long arg[6])
{
    register long a0 asm("a0") = arg[0];
    register long a1 asm("a1") = arg[1];
    register long a2 asm("a2") = arg[2];
    register long a3 asm("a3") = arg[3];
    register long a4 asm("a4") = arg[4];
    register long a5 asm("a5") = arg[5];
    register long a7 asm("a7") = num;

    asm volatile("ecall"
                 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a7)
                 :
                 : "a6", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    return a0;
}

/* ---- what the calls are made of ---------------------------------------- */

/* Paths the random calls may open or exec: never one that powers off
 * (halt), takes the console (sh, init) or starts long test runs. */
static const char *const paths[] = {"echo", "cat", "nosuch", "notelf", "", "echo/", "e"};

static char scratch[3 * 4096] __attribute__((aligned(4096)));
static char *scratch_argv[4];

struct fuzz_ctx {
    int self, parent, pager, init;
    int sbrk_max; /* soak: the most a call may grow the heap, 0 for no cap */
    int forked[MAX_FORKED];
    int nforked;
    long nums[NUMS_MAX];
    int nnums;
    long values[VALUES_MAX];
    int nvalues;
};

static void add_value(struct fuzz_ctx *c, long v)
{
    if (c->nvalues < VALUES_MAX)
        c->values[c->nvalues++] = v;
}

/* Syscall numbers: every known one, then unknown, negative and huge ones
 * (a known number with high bits set is not that call). */
static void fill_numbers(struct fuzz_ctx *c)
{
    static const long unknown[] = {0,
                                   16,
                                   19,
                                   26,
                                   29,
                                   39,
                                   40,
                                   63,
                                   64,
                                   1000,
                                   -1,
                                   -2,
                                   -39,
                                   (long)0x8000000000000000UL,
                                   0x100000001L,
                                   0x10000000aL};
    for (uint i = 0; i < sizeof(known_calls) / sizeof(known_calls[0]); i++)
        c->nums[c->nnums++] = known_calls[i];
    for (uint i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        c->nums[c->nnums++] = unknown[i];
}

/* Argument values: the edges the kernel must check, and live things
 * (descriptors, handles, pids, the heap's end, text, the stack guard). */
static void fill_values(struct fuzz_ctx *c)
{
    static const long plain[] = {0,
                                 1,
                                 2,
                                 3,
                                 4,
                                 5,
                                 7,
                                 8,
                                 9,
                                 15,
                                 16,
                                 17,
                                 63,
                                 64,
                                 4095,
                                 4096,
                                 4097,
                                 -1,
                                 -2,
                                 -4096,
                                 0x7fffffff,
                                 0x80000000L,
                                 0xffffffffL,
                                 0x7fffffffffffffffL,
                                 (long)0x8000000000000000UL,
                                 0x80000000L,
                                 0x80200000L,
                                 0x80201000L,
                                 0x10000000L,
                                 0x0c000000L,
                                 (long)COWL_USER_BASE,
                                 (long)COWL_USER_BASE - 1,
                                 (long)COWL_USER_BASE + 4096,
                                 (long)COWL_USER_BASE - 4096,
                                 (long)COWL_MAXVA,
                                 (long)COWL_MAXVA - 1,
                                 (long)COWL_MAXVA + 1,
                                 (long)COWL_MAXVA - 4096,
                                 (long)COWL_MAXVA + 4096,
                                 (long)COWL_MAXVA - 8,
                                 (long)COWL_STACK_TOP,
                                 (long)COWL_STACK_TOP - 8,
                                 (long)COWL_STACK_TOP - 5,
                                 (long)(COWL_STACK_TOP - (COWL_STACK_PAGES + 1) * COWL_PAGE_SIZE),
                                 (long)(COWL_STACK_TOP - COWL_STACK_PAGES * COWL_PAGE_SIZE) - 3,
                                 (long)COWL_PAGER_TABLE_VA,
                                 (long)COWL_PAGER_BATCH_VA,
                                 PID_ABSENT,
                                 PID_FAR};
    for (uint i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        add_value(c, plain[i]);
    long brk = (long)sbrk(0);
    for (long d = -4096; d <= 4096; d += 2048)
        add_value(c, brk + d);
    add_value(c, brk - 1);
    add_value(c, brk - 3);
    add_value(c, (long)raw_syscall);            /* read-only text */
    add_value(c, (long)raw_syscall + 2);        /* unaligned text */
    add_value(c, (long)paths);                  /* read-only data */
    add_value(c, (long)scratch);                /* writable */
    add_value(c, (long)scratch + 1);            /* unaligned */
    add_value(c, (long)scratch + 2 * 4096 - 3); /* straddles a page */
    add_value(c, (long)scratch_argv);           /* a valid argv */
    for (uint i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        add_value(c, (long)paths[i]);
    add_value(c, c->self);
    add_value(c, c->parent);
    add_value(c, c->pager);
    add_value(c, c->init);
}

/* ---- processes ---------------------------------------------------------- */

/* The pid of the first process called name, or PID_ABSENT. */
static int pid_named(const char *name)
{
    int pid = procnamed(name);
    return pid < 0 ? PID_ABSENT : pid;
}
/* Wait (bounded) until pid is blocked in the kernel; 0 if it never was. */
static int wait_blocked(int pid)
{
    struct cowl_procinfo row;
    for (int t = 0; t < 2 * HZ; t++) {
        if (!procfind(pid, &row))
            return 0;
        if (row.state == COWL_BLOCKED)
            return 1;
        sleep(1);
    }
    return 0;
}

/* A process that kills `victims` after `ticks` and exits WATCHDOG_FIRED if
 * any was still there; killed itself when it is no longer needed. */
static int spawn_watchdog(const int *victims, int n, int ticks)
{
    int pid = fork();
    if (pid != 0)
        return pid;
    sleep(ticks);
    int fired = 0;
    for (int i = 0; i < n; i++)
        fired |= kill(victims[i]) == 0;
    exit(fired ? WATCHDOG_FIRED : 0);
}

/* Children reaped while waiting for others (a watchdog that fired, the
 * soak's storm worker), kept until someone waits for them by name. */
#define NSTRAY 8
static int stray_pid[NSTRAY], stray_status[NSTRAY];

/* Take pid's status from the strays into *status; 1 if it was there. */
static int take_stray(int pid, int *status)
{
    for (int i = 0; i < NSTRAY; i++)
        if (stray_pid[i] == pid && pid > 0) {
            *status = stray_status[i];
            stray_pid[i] = 0;
            return 1;
        }
    return 0;
}

static void keep_stray(int pid, int status)
{
    for (int i = 0; i < NSTRAY; i++)
        if (!stray_pid[i]) {
            stray_pid[i] = pid;
            stray_status[i] = status;
            return;
        }
    printf("sysfuzz: lost the status of child %d\n", pid);
}

/* Wait for the `n` children in pids; store each one's status beside it.
 * Other children reaped on the way are kept as strays. Returns how many of
 * the named ones were reaped. */
static int reap(const int *pids, int *status, int n)
{
    int got = 0;
    for (int i = 0; i < n; i++)
        got += take_stray(pids[i], &status[i]);
    while (got < n) {
        int st = 0, pid = wait(&st), mine = 0;
        if (pid < 0)
            break;
        for (int i = 0; i < n; i++)
            if (pids[i] == pid) {
                status[i] = st;
                mine = 1;
                got++;
            }
        if (!mine)
            keep_stray(pid, st);
    }
    return got;
}

/* ---- the random calls --------------------------------------------------- */

static long pick_value(struct fuzz_ctx *c)
{
    switch (rng_below(8)) {
    case 0:
        return (long)rng();
    case 1:
        return (long)rng_below(64) - 8;
    default:
        return c->values[rng_below((uint64)c->nvalues)];
    }
}

static int is_known(long num)
{
    for (uint i = 0; i < sizeof(known_calls) / sizeof(known_calls[0]); i++)
        if (known_calls[i] == num)
            return 1;
    return 0;
}

/* May this child kill pid? Only itself, what it forked, the pager and init
 * (both refused), and pids no process has: never its ancestors, its
 * watchdog or the other test processes running beside it. */
static int kill_allowed(struct fuzz_ctx *c, int pid)
{
    if (pid <= 0 || pid == c->self || pid == c->pager || pid == c->init || pid >= PID_FAR)
        return 1;
    for (int i = 0; i < c->nforked; i++)
        if (c->forked[i] == pid)
            return 1;
    return 0;
}

/* Turn a drawn call into one that cannot end the test itself. Returns the
 * number to issue. */
static long steer(struct fuzz_ctx *c, long num, long arg[6])
{
    switch (num) {
    case SYS_kill:
        if (!kill_allowed(c, (int)arg[0]))
            arg[0] = PID_ABSENT;
        return num;
    case SYS_exit:
        if ((int)arg[0] == CHILD_ORACLE || (int)arg[0] == CHILD_DONE)
            arg[0] = 0;
        /* exits end a child early: let one in four through */
        return rng_below(4) ? SYS_getpid : num;
    case SYS_pagertrace:
        arg[0] = 0; /* tracing on would bury the console in decisions */
        return num;
    case SYS_sbrk:
        /* In the soak a fuzz child that takes the whole pool would get the
         * storm's processes killed for want of a frame, which is right but
         * hides what the storm checks. */
        if (c->sbrk_max && (int)arg[0] > c->sbrk_max)
            arg[0] = c->sbrk_max;
        return num;
    case SYS_sleep:
        arg[0] &= 7; /* a long sleep only waits for the watchdog */
        return num;
    default:
        return num;
    }
}

/* Report a wrong answer on the console (the child's own descriptors are
 * being fuzzed) and end the child. */
static void oracle_failed(long num, const long arg[6], long got, const char *want)
{
    int fd = open("console", O_WRONLY);
    fprintf(fd, "sysfuzz: FAILED call %ld(0x%lx, 0x%lx, 0x%lx) returned %ld, expected %s\n", num,
            arg[0], arg[1], arg[2], got, want);
    exit(CHILD_ORACLE);
}

/* What can be checked of any call's answer without a model of the kernel. */
static void check_answer(struct fuzz_ctx *c, long num, const long arg[6], long r)
{
    if (!is_known(num) && r != -COWL_EINVAL)
        oracle_failed(num, arg, r, "-EINVAL for an unknown number");
    if (num == SYS_getpid && r != c->self)
        oracle_failed(num, arg, r, "its own pid");
    if (num == SYS_kill && c->pager != PID_ABSENT && (int)arg[0] == c->pager && r != -COWL_EPERM)
        oracle_failed(num, arg, r, "-EPERM for the pager");
    if (num == SYS_poweroff && r != -COWL_EPERM) /* sysfuzz holds no privilege */
        oracle_failed(num, arg, r, "-EPERM: poweroff needs COWL_PRIV_POWEROFF");
}

/* The user faults a child may take instead of a call: each must end only
 * the child (with a console line), or do nothing when the address is fine. */
enum wild {
    WILD_LOAD,
    WILD_STORE,
    WILD_AMO,
    WILD_AMO_MISALIGNED,
    WILD_JUMP,
    WILD_ILLEGAL,
    WILD_EBREAK,
    WILD_CSR,
    WILD_FP,
    NWILD
};

static void wild_access(enum wild kind, long va)
{
    switch (kind) {
    case WILD_LOAD:
        (void)*(volatile char *)va;
        break;
    case WILD_STORE:
        *(volatile char *)va = 0;
        break;
    case WILD_AMO:
        asm volatile("amoadd.w zero, zero, (%0)" : : "r"(va & ~3L) : "memory");
        break;
    case WILD_AMO_MISALIGNED:
        asm volatile("amoadd.w zero, zero, (%0)" : : "r"(va | 1) : "memory");
        break;
    case WILD_FP:
        asm volatile("fmv.d.x ft0, %0" : : "r"(va)); /* no FP unit in user mode */
        break;
    case WILD_JUMP:
        ((void (*)(void))va)();
        break;
    case WILD_ILLEGAL:
        asm volatile(".word 0");
        break;
    case WILD_EBREAK:
        asm volatile("ebreak");
        break;
    default:
        asm volatile("csrw sstatus, zero"); /* a supervisor CSR from user mode */
        break;
    }
}

/* Descriptors 0..4 become two pipes and a boot file, away from the console,
 * so that what the calls write goes nowhere visible. */
static void fuzz_descriptors(void)
{
    int fds[2];
    close(0);
    close(1);
    close(2);
    pipe(fds);
    pipe(fds);
    open("echo", O_RDONLY);
}

/* A fuzz child's child: a few random IPC calls on the endpoint it shares
 * with its parent (handle 1) or on any handle, then exit. It may block for
 * good: the parent's sweep (sweep_orphans) kills it. */
static void __attribute__((noreturn)) ipc_partner(struct fuzz_ctx *c)
{
    static const long ipc_calls[] = {SYS_send, SYS_call, SYS_recv, SYS_reply, SYS_reply_recv};
    c->self = getpid();
    rng_state ^= (uint64)c->self << 17;
    for (int i = 0; i < PARTNER_CALLS; i++) {
        long arg[6];
        for (int k = 0; k < 6; k++)
            arg[k] = pick_value(c);
        if (rng_below(4))
            arg[0] = 1;
        raw_syscall(ipc_calls[rng_below(sizeof(ipc_calls) / sizeof(ipc_calls[0]))], arg);
    }
    exit(0);
}

/* A fuzz child: `calls` random calls from seed, then exit CHILD_DONE. */
static void fuzz_child(struct fuzz_ctx *c, uint64 seed, int calls)
{
    c->self = getpid();
    c->nforked = 0;
    rng_seed(seed);
    fuzz_descriptors();
    ep_create();
    fill_values(c);
    for (int i = 0; i < calls; i++) {
        long arg[6];
        for (int k = 0; k < 6; k++)
            arg[k] = pick_value(c);
        if (rng_below(WILD_ONE_IN) == 0) {
            wild_access((enum wild)rng_below(NWILD), arg[0]);
            continue;
        }
        long num = steer(c, c->nums[rng_below((uint64)c->nnums)], arg);
        long r = raw_syscall(num, arg);
        if (num == SYS_fork && r == 0)
            ipc_partner(c);
        if (num == SYS_fork && r > 0 && c->nforked < MAX_FORKED)
            c->forked[c->nforked++] = (int)r;
        check_answer(c, num, arg, r);
    }
    exit(CHILD_DONE);
}

struct fuzz_totals {
    long calls, children, watchdog, early;
    int failed;
};

/* Kill what a fuzz child forked and left behind (its IPC partners, now
 * init's): the processes named sysfuzz, newer than the child, whose parent
 * is the child or init, other than its watchdog. Returns 1 (with a line) if
 * some would not die. */
static int sweep_orphans(int child, int watchdog)
{
    static struct cowl_procinfo rows[64];
    int init = pid_named("init");
    for (int t = 0; t < 2 * HZ; t++) {
        int n = procinfo(rows, 64), left = 0;
        for (int i = 0; i < n; i++) {
            struct cowl_procinfo *r = &rows[i];
            if (r->pid > child && r->pid != watchdog && r->state != COWL_ZOMBIE &&
                (r->ppid == child || r->ppid == init) && strcmp(r->name, "sysfuzz") == 0) {
                kill(r->pid);
                left++;
            }
        }
        if (!left)
            return 0;
        sleep(1);
    }
    printf("sysfuzz: FAILED the processes fuzz child %d left could not be killed\n", child);
    return 1;
}

/* One fuzz child and its watchdog; adds to *t. */
static void fuzz_one(struct fuzz_ctx *c, uint64 seed, int calls, struct fuzz_totals *t)
{
    int pids[2], status[2] = {0, 0};
    pids[0] = fork();
    if (pids[0] == 0)
        fuzz_child(c, seed, calls);
    if (pids[0] < 0) {
        printf("sysfuzz: FAILED could not fork a fuzz child\n");
        t->failed++;
        return;
    }
    pids[1] = spawn_watchdog(&pids[0], 1, WATCHDOG_TICKS);
    int got = reap(pids, status, 1);
    if (got == 1) /* the child ended first: the watchdog is not needed */
        kill(pids[1]);
    got += reap(&pids[1], &status[1], 1);
    if (got != 2) {
        printf("sysfuzz: FAILED could not reap fuzz child %d (seed %lu)\n", pids[0], seed);
        t->failed++;
        return;
    }
    t->failed += sweep_orphans(pids[0], pids[1]);
    t->calls += calls;
    t->children++;
    t->watchdog += status[1] == WATCHDOG_FIRED;
    t->early += status[0] != CHILD_DONE && status[1] != WATCHDOG_FIRED;
    if (status[0] == CHILD_ORACLE) {
        printf("sysfuzz: FAILED fuzz child seed %lu: wrong answer (line above)\n", seed);
        t->failed++;
    }
}

/* COUNT calls in children of CALLS_PER_CHILD, seeded from seed. */
static void fuzz_calls(struct fuzz_ctx *c, uint64 seed, long count, struct fuzz_totals *t)
{
    for (long done = 0, k = 0; done < count; k++) {
        int n = count - done < CALLS_PER_CHILD ? (int)(count - done) : CALLS_PER_CHILD;
        fuzz_one(c, seed * 1000003UL + (uint64)k, n, t);
        done += n;
    }
}

/* ---- hostile IPC sequences ---------------------------------------------- */

/* Where in a call the scene strikes. */
enum step {
    AT_QUEUED,  /* the caller waits on the endpoint; the server has not received */
    AT_HELD,    /* the server received the call and holds the reply */
    AT_RR_WAIT, /* the server replied in reply_recv and waits for the next call */
    AT_RR_HELD, /* reply_recv answered one caller and took a second one's call */
    NSTEP
};

/* What happens there. */
enum action { KILL_CALLER, KILL_SERVER, KILL_BOTH, SERVER_EXITS, CALLER_EXITS, NACTION };

static const char *const step_names[] = {"caller-queued", "server-holds-reply",
                                         "server-in-reply-recv", "reply-recv-took-next"};
static const char *const action_names[] = {"kill-caller", "kill-server", "kill-both",
                                           "server-exits", "caller-exits"};

/* Exit statuses of the scene's members: base + the call's -errno. */
#define CALLER_BASE   20
#define SERVER_BASE   40
#define SERVER_EXITED 60
#define GO            'g'
#define QUIT          'x'

struct scene {
    enum step step;
    enum action action;
    int ep;
    int to_server[2], from_server[2], to_caller[2], from_caller[2];
};

static char wait_cmd(int fd)
{
    char cmd = QUIT;
    read(fd, &cmd, 1);
    return cmd;
}

static void say(int fd, char c)
{
    write(fd, &c, 1);
}

/* The server: receive, report, and on GO answer (or on QUIT exit holding
 * what it has); its status says how the reply went. */
static void scene_server(struct scene *s)
{
    struct cowl_msg m = {{1, 2, 3, 4, 5}}, in;
    if (s->step == AT_QUEUED && wait_cmd(s->to_server[0]) == QUIT)
        exit(SERVER_EXITED);
    if (ipc_recv(s->ep, &in, 0) != 0)
        exit(SERVER_BASE + 9);
    if (s->step == AT_RR_WAIT) {
        ipc_reply_recv(s->ep, &m, &in, 0); /* blocks until killed */
        exit(SERVER_BASE + 8);
    }
    if (s->step == AT_RR_HELD) {
        say(s->from_server[1], 'f'); /* the first call is in: queue the second */
        if (wait_cmd(s->to_server[0]) == QUIT)
            exit(SERVER_EXITED);
        if (ipc_reply_recv(s->ep, &m, &in, 0) != 0)
            exit(SERVER_BASE + 9);
    }
    say(s->from_server[1], 'h');
    if (wait_cmd(s->to_server[0]) == QUIT)
        exit(SERVER_EXITED);
    exit(SERVER_BASE - ipc_reply(&m));
}

/* A caller: one call; reports its answer, and in AT_RR_WAIT waits to be
 * told to exit. Its status is CALLER_BASE - the call's result. */
static void scene_caller(struct scene *s, int report)
{
    struct cowl_msg m = {{7, 7, 7, 7, 7}}, out;
    int r = ipc_call(s->ep, &m, &out);
    if (report)
        say(s->from_caller[1], 'r');
    if (report && s->step == AT_RR_WAIT)
        wait_cmd(s->to_caller[0]);
    exit(CALLER_BASE - r);
}

static int spawn_member(struct scene *s, int server, int report)
{
    int pid = fork();
    if (pid == 0) {
        if (server)
            scene_server(s);
        scene_caller(s, report);
    }
    return pid;
}

/* Bring the scene to its step; returns the caller the step concerns, or -1. */
static int scene_reach(struct scene *s, int server, int caller)
{
    switch (s->step) {
    case AT_QUEUED:
        return wait_blocked(caller) ? caller : -1;
    case AT_HELD:
        return wait_cmd(s->from_server[0]) == 'h' ? caller : -1;
    case AT_RR_WAIT:
        return wait_cmd(s->from_caller[0]) == 'r' && wait_blocked(server) ? caller : -1;
    default: {
        if (wait_cmd(s->from_server[0]) != 'f')
            return -1;
        int second = spawn_member(s, 0, 0);
        if (second < 0 || !wait_blocked(second))
            return -1;
        say(s->to_server[1], GO);
        return wait_cmd(s->from_server[0]) == 'h' ? second : -1;
    }
    }
}

static void scene_act(struct scene *s, int server, int target)
{
    if (s->action == KILL_CALLER || s->action == KILL_BOTH)
        kill(target);
    if (s->action == KILL_SERVER || s->action == KILL_BOTH)
        kill(server);
    if (s->action == SERVER_EXITS)
        say(s->to_server[1], QUIT);
    if (s->action == CALLER_EXITS)
        say(s->to_caller[1], QUIT);
}

/* What the scene's members must have seen; 0 if they did, else why not. */
static const char *scene_verdict(struct scene *s, int server_st, int target_st)
{
    int held = s->step == AT_HELD || s->step == AT_RR_HELD;
    if (held && (s->action == KILL_SERVER || s->action == SERVER_EXITS) &&
        target_st != CALLER_BASE + COWL_ENOENT)
        return "the caller's call did not fail with ENOENT when its server went";
    if (held && s->action == KILL_CALLER && server_st != SERVER_BASE + COWL_EPERM)
        return "the server's reply to its killed caller did not fail with EPERM";
    if (s->action == SERVER_EXITS && server_st != SERVER_EXITED)
        return "the server did not exit when told";
    return 0;
}

/* One scene, in its own process so that its endpoint and pipes go at its
 * exit. Exits 0 when all went as it must, 1 with a line otherwise. */
static void scene_run(struct scene *s)
{
    s->ep = ep_create();
    if (s->ep < 0 || pipe(s->to_server) || pipe(s->from_server) || pipe(s->to_caller) ||
        pipe(s->from_caller))
        exit(2);
    int pids[4] = {spawn_member(s, 1, 0), -1, -1, -1}, status[4] = {0, 0, 0, 0};
    pids[1] = spawn_member(s, 0, 1);
    int target = scene_reach(s, pids[0], pids[1]);
    if (target < 0) {
        printf("sysfuzz: FAILED %s: the scene did not reach its step\n", step_names[s->step]);
        exit(1);
    }
    scene_act(s, pids[0], target);
    say(s->to_server[1], GO); /* survivors go on: the server answers */
    say(s->to_caller[1], GO);
    int n = 2, members[3] = {pids[0], pids[1], target};
    if (target != pids[1])
        pids[n++] = target;
    pids[n] = spawn_watchdog(members, 3, STALL_TICKS); /* those blocked for good */
    reap(pids, status, n + 1);
    const char *why = scene_verdict(s, status[0], status[target == pids[1] ? 1 : 2]);
    if (why) {
        printf("sysfuzz: FAILED %s, %s: %s (server %d, caller %d)\n", step_names[s->step],
               action_names[s->action], why, status[0], status[target == pids[1] ? 1 : 2]);
        exit(1);
    }
    exit(0);
}

/* Every action at every step where it can happen: a caller blocked in a
 * call cannot exit, a server blocked in reply_recv cannot be told to. */
static int scene_possible(enum step step, enum action action)
{
    if (action == CALLER_EXITS)
        return step == AT_RR_WAIT;
    if (action == SERVER_EXITS)
        return step != AT_RR_WAIT;
    return 1;
}

/* Run every scene; returns how many failed. */
static int ipc_scenes(void)
{
    int failed = 0;
    for (int step = 0; step < NSTEP; step++)
        for (int action = 0; action < NACTION; action++) {
            if (!scene_possible(step, action))
                continue;
            struct scene s = {.step = step, .action = action};
            int pids[2], status[2] = {-1, 0};
            if ((pids[0] = fork()) == 0)
                scene_run(&s);
            pids[1] = spawn_watchdog(pids, 1, SCENE_TICKS);
            if (reap(pids, status, 1) == 1)
                kill(pids[1]);
            reap(&pids[1], &status[1], 1);
            if (status[1] == WATCHDOG_FIRED)
                printf("sysfuzz: FAILED %s, %s: the scene hung\n", step_names[step],
                       action_names[action]);
            failed += status[0] != 0;
        }
    return failed;
}

/* Forged messages to the pager's endpoint: every label and random words,
 * sent and called. A call must come back PG_OK for a ping, PG_FAIL for
 * anything else; a send must not block for good. Returns failures. */
static int pager_forgeries(uint64 seed)
{
    if (pid_named("pager") == PID_ABSENT)
        return 0; /* cow=kernel: no pager process; handle 0 has no server */
    int failed = 0;
    rng_seed(seed);
    for (uint32 label = 0; label < PG_PING + 4; label++)
        for (int k = 0; k < 2; k++) {
            struct cowl_msg m, out;
            for (int i = 0; i < COWL_MSG_WORDS; i++)
                m.w[i] = rng();
            m.w[0] = k ? label : (m.w[0] & ~0xffffffffUL) | label;
            if (ipc_send(COWL_PAGER_EP, &m) != 0)
                failed++;
            int r = ipc_call(COWL_PAGER_EP, &m, &out);
            uint32 want = label == PG_PING ? PG_OK : PG_FAIL;
            if (r != 0 || (uint32)out.w[0] != want) {
                printf("sysfuzz: FAILED pager answered label %u with %d/%lu\n", label, r,
                       out.w[0] & 0xffffffffUL);
                failed++;
            }
        }
    return failed;
}

/* ---- baselines ---------------------------------------------------------- */

struct baseline {
    struct cowl_poolstat pool;
    struct cowl_kstat k;
};

static int take_baseline(struct baseline *b)
{
    return poolstat(&b->pool) == 0 && kstat(&b->k) == 0 ? 0 : -1;
}

/* The first way now differs from b, or 0. */
static const char *differs(const struct baseline *b, const struct baseline *now, long *by)
{
    static const char *const names[] = {"free frames", "threads", "spaces",      "endpoints",
                                        "files",       "pipes",   "kernel pages"};
    const uint64 was[] = {b->pool.free, b->k.threads, b->k.spaces, b->k.endpoints,
                          b->k.files,   b->k.pipes,   b->k.kpages};
    const uint64 is[] = {now->pool.free, now->k.threads, now->k.spaces, now->k.endpoints,
                         now->k.files,   now->k.pipes,   now->k.kpages};
    for (uint i = 0; i < sizeof(was) / sizeof(was[0]); i++)
        if (was[i] != is[i]) {
            *by = (long)(is[i] - was[i]);
            return names[i];
        }
    return 0;
}

/* Check that everything is back at b, giving orphans a bounded moment to
 * be reaped by init; prints a FAILED line and returns 1 if not. */
static int check_baseline(const struct baseline *b, const char *when)
{
    struct baseline now;
    const char *what = "poolstat or kstat failed";
    long by = 0;
    for (int t = 0; t < SETTLE_TICKS; t++) {
        if (take_baseline(&now) != 0)
            break;
        if (!(what = differs(b, &now, &by)))
            break;
        sleep(1);
    }
    if (what) {
        printf("sysfuzz: FAILED after %s: %s changed by %ld\n", when, what, by);
        return 1;
    }
    int bad = poolcheck();
    if (bad != 0) {
        printf("sysfuzz: FAILED after %s: poolcheck found %d frames off their mappings\n", when,
               bad);
        return 1;
    }
    return 0;
}

/* ---- the fork/COW storm (soak) ------------------------------------------ */

#define STORM_PAGES    16
#define STORM_CHILDREN 6
#define STORM_BAD      3

static uint64 page_word(char *heap, int page)
{
    return *(volatile uint64 *)(heap + page * 4096);
}

static int pages_hold(char *heap, uint64 mark)
{
    for (int p = 0; p < STORM_PAGES; p++)
        if (page_word(heap, p) != mark)
            return 0;
    return 1;
}

/* A storm child: check the inherited pages, write its own mark into every
 * one (a COW fault each), fork a child that does the same `depth` levels
 * down, and check that its marks survived the child's writes. */
static void __attribute__((noreturn)) storm_child(char *heap, uint64 mark, int depth)
{
    for (;;) {
        if (!pages_hold(heap, mark))
            exit(STORM_BAD);
        uint64 mine = rng();
        for (int p = 0; p < STORM_PAGES; p++)
            *(volatile uint64 *)(heap + p * 4096) = mine;
        if (depth-- == 0)
            break;
        int pid = fork(), st = -1;
        if (pid == 0) {
            mark = mine;
            continue;
        }
        if (pid < 0)
            break; /* out of processes or frames for a moment: not wrong */
        if (wait(&st) != pid || st != 0 || !pages_hold(heap, mine))
            exit(STORM_BAD);
        break;
    }
    exit(0);
}

/* One storm: STORM_CHILDREN processes (and their children) fork from a
 * marked heap and write into it. Returns COW writes made, or -1 on a wrong
 * page. */
static long cow_storm(uint64 seed)
{
    char *heap = sbrk(STORM_PAGES * 4096);
    if (heap == (char *)-1)
        return 0; /* the pool is full: a soak may run out for a moment */
    rng_seed(seed);
    uint64 mark = rng();
    for (int p = 0; p < STORM_PAGES; p++)
        *(uint64 *)(heap + p * 4096) = mark;
    int bad = 0, made = 0;
    for (int i = 0; i < STORM_CHILDREN; i++) {
        rng();
        int pid = fork();
        if (pid == 0)
            storm_child(heap, mark, 2);
        made += pid > 0;
    }
    for (int i = 0; i < made; i++) {
        int st = -1;
        wait(&st);
        bad |= st != 0;
    }
    for (int p = 0; p < STORM_PAGES; p++)
        bad |= page_word(heap, p) != mark;
    sbrk(-STORM_PAGES * 4096);
    return bad ? -1 : (long)made * 3 * STORM_PAGES;
}

/* ---- the runs ----------------------------------------------------------- */

static void fuzz_setup(struct fuzz_ctx *c)
{
    struct cowl_procinfo row;
    c->self = getpid();
    c->parent = procfind(c->self, &row) ? row.ppid : PID_ABSENT;
    c->pager = pid_named("pager");
    c->init = pid_named("init");
    c->nnums = 0;
    c->nvalues = 0;
    c->sbrk_max = 0;
    fill_numbers(c);
    scratch_argv[0] = (char *)paths[0];
    scratch_argv[1] = scratch + 4096;
    scratch_argv[2] = 0;
}

/* One pass: COUNT calls, every IPC scene, the forgeries. Returns failures. */
static int fuzz_pass(struct fuzz_ctx *c, uint64 seed, long count, struct fuzz_totals *t)
{
    fuzz_calls(c, seed, count, t);
    return t->failed + ipc_scenes() + pager_forgeries(seed);
}

static int run_fuzz(uint64 seed, long count)
{
    struct fuzz_ctx c;
    struct fuzz_totals t = {0};
    struct baseline b;
    int start = uptime();
    printf("sysfuzz: seed %lu, %ld calls (replay: sysfuzz %lu %ld)\n", seed, count, seed, count);
    fuzz_setup(&c);
    if (take_baseline(&b) != 0) {
        printf("sysfuzz: FAILED poolstat or kstat failed\n");
        return 1;
    }
    int failed = fuzz_pass(&c, seed, count, &t);
    failed += check_baseline(&b, "the fuzz run");
    int ticks = uptime() - start;
    printf("sysfuzz: %ld calls, %ld children, %ld killed by the watchdog, %ld ended early, "
           "%d.%02d s\n",
           t.calls, t.children, t.watchdog, t.early, ticks / HZ, ticks % HZ);
    if (failed)
        printf("sysfuzz: FAILED %d checks\n", failed);
    else
        printf("sysfuzz: ok\n");
    return failed ? 1 : 0;
}

#define SOAK_ROUND_CALLS 400
#define SOAK_STORMS      4
#define SOAK_SBRK_MAX    (256 * 4096)

/* The storm worker of one soak round; exits with its failed storms. */
static int spawn_storms(uint64 seed)
{
    int pid = fork();
    if (pid != 0)
        return pid;
    int bad = 0;
    for (int i = 0; i < SOAK_STORMS; i++)
        bad += cow_storm(seed + (uint64)i) < 0;
    exit(bad);
}

/* Rounds of fuzz, IPC scenes and storms side by side until `minutes` pass;
 * the baselines are checked after every round, progress printed at least
 * once a minute. */
static int run_soak(uint64 seed, int minutes)
{
    struct fuzz_ctx c;
    struct fuzz_totals t = {0};
    struct baseline b;
    long rounds = 0, storm_forks = 0, faults = 0, leaks = 0, failed = 0;
    int start = uptime(), last = start, end = start + minutes * 60 * HZ;
    printf("sysfuzz: soak for %d minutes, seed %lu\n", minutes, seed);
    fuzz_setup(&c);
    c.sbrk_max = SOAK_SBRK_MAX;
    if (take_baseline(&b) != 0)
        return 1;
    while (uptime() < end && !failed) {
        uint64 s = seed + (uint64)rounds * 7919;
        int storm = spawn_storms(s), st = -1;
        failed += fuzz_pass(&c, s, SOAK_ROUND_CALLS, &t);
        t.failed = 0;
        if (storm < 0 || reap(&storm, &st, 1) != 1 || st != 0) {
            printf("sysfuzz: FAILED the fork/COW storms ended with status %d (above 0: storms "
                   "that saw a wrong page)\n",
                   st);
            failed++;
        }
        storm_forks += (long)SOAK_STORMS * STORM_CHILDREN * 3;
        faults += (long)SOAK_STORMS * STORM_CHILDREN * 3 * STORM_PAGES;
        leaks += check_baseline(&b, "a soak round");
        failed += leaks;
        rounds++;
        if (uptime() - last >= 30 * HZ || uptime() >= end || failed) {
            last = uptime();
            printf("soak: %d.%d min, %ld rounds, calls %ld, forks %ld, faults %ld, panics 0, "
                   "leaks %ld\n",
                   (last - start) / (60 * HZ), (last - start) % (60 * HZ) / (6 * HZ), rounds,
                   t.calls, storm_forks + t.children, faults, leaks);
        }
    }
    printf("soak: %s after %ld rounds: calls %ld, children %ld, watchdog %ld, forks %ld, "
           "faults %ld, leaks %ld\n",
           failed ? "FAILED" : "ok", rounds, t.calls, t.children, t.watchdog,
           storm_forks + t.children, faults, leaks);
    return failed ? 1 : 0;
}

/* A decimal number, or -1 if s is not one. */
static long number(const char *s)
{
    long n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

int main(int argc, char **argv)
{
    privdrop(COWL_PRIV_ALL); /* an ordinary process, whoever started it */
    uint64 seed = rdcycle() ^ (uint64)uptime() << 32;
    if (argc >= 2 && strcmp(argv[1], "soak") == 0) {
        long minutes = argc >= 3 ? number(argv[2]) : -1;
        if (minutes <= 0 || (argc >= 4 && number(argv[3]) < 0)) {
            printf("usage: sysfuzz soak MINUTES [SEED]\n");
            return 2;
        }
        return run_soak(argc >= 4 ? (uint64)number(argv[3]) : seed % 1000000, (int)minutes);
    }
    long count = argc >= 3 ? number(argv[2]) : 2000;
    if ((argc >= 2 && number(argv[1]) < 0) || count < 0 || argc > 3) {
        printf("usage: sysfuzz [SEED [COUNT]]\n");
        return 2;
    }
    return run_fuzz(argc >= 2 ? (uint64)number(argv[1]) : seed % 1000000, count);
}
