/*
 * usertests: the system-call contract seen from user space, in the spirit of
 * xv6's usertests. Each case is a small function that checks one behaviour:
 * bad pointers give -1 and nothing else, wild loads and stores kill only the
 * process that made them, IPC carries values and badges and refuses forged
 * pager requests, fork/exit/wait/kill/exec hold up under load and at their
 * limits, the heap grows until the pool is empty and gives everything back,
 * and pipes move data, see EOF and notice vanished readers.
 *
 * `usertests CASE...` runs the cases named; with no argument every case runs
 * (harness.h says how). A case body reports its own failures through
 * EXPECT*, which print the line and the values and end the case's process.
 */
#include <user.h>
#include "harness.h"

#define BIG (4096 * 4)
#define HZ  100 /* ticks per second */

int main(int argc, char **argv);

/* Fail the case, naming the line of the check. */
#define failed(line, fmt, ...) test_fail("(usertests.c:%d) " fmt, line, ##__VA_ARGS__)

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            failed(__LINE__, "expected %s", #cond);                                                \
    } while (0)

#define EXPECT_EQ(got, want)                                                                       \
    do {                                                                                           \
        long got_ = (long)(got), want_ = (long)(want);                                             \
        if (got_ != want_)                                                                         \
            failed(__LINE__, "%s is %ld, expected %ld", #got, got_, want_);                        \
    } while (0)

/* ---- helpers ---------------------------------------------------------- */

/* Fork a child that runs body(arg) and exits 0; returns its pid. */
static int spawn(void (*body)(long), long arg)
{
    int pid = fork();

    if (pid < 0)
        failed(__LINE__, "fork failed");
    if (pid == 0) {
        body(arg);
        exit(0);
    }
    return pid;
}

/* Wait for the one child `pid` and return its exit status. */
static int wait_for(int pid)
{
    int status = 0x7777;
    int got = wait(&status);

    if (got != pid)
        failed(__LINE__, "wait returned %d, expected child %d", got, pid);
    return status;
}

static void make_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        failed(__LINE__, "pipe failed");
}

static void close_pipe(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

static uint64 free_frames(void)
{
    struct cowl_poolstat st;

    if (poolstat(&st) != 0)
        failed(__LINE__, "poolstat failed");
    return st.free;
}

/* Make the heap end on a page boundary with one page of heap below it, and
 * return the address `below` bytes under the end: a buffer there runs off
 * the heap into unmapped memory. */
static char *heap_edge(int below)
{
    uint64 top = (uint64)sbrk(0);

    if (sbrk(4096 + (int)((4096 - (top & 4095)) & 4095)) == (char *)-1)
        failed(__LINE__, "sbrk for the heap edge failed");
    return sbrk(0) - below;
}

/* Addresses no system call may read or write through, for a buffer of BIG
 * bytes (or one object) placed there. */
struct bad_addr {
    uint64 va;
    const char *what;
};

#define NBAD 8

/* Fill bad[] and return how many; the heap-edge entry starts `edge_below`
 * bytes under the end of the heap. */
static int bad_addresses(struct bad_addr *bad, int edge_below)
{
    const struct bad_addr fixed[] = {
        {0, "null"},
        {0x80200000UL, "the kernel image"},
        {COWL_MAXVA - 4096, "the last page below MAXVA"},
        {COWL_MAXVA, "MAXVA"},
        {~0UL, "~0"},
        {COWL_STACK_TOP - (COWL_STACK_PAGES + 1) * 4096, "the stack guard page"},
        {COWL_PAGER_TABLE_VA, "the pager's table address"},
    };
    int n = 0;

    for (uint i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        bad[n++] = fixed[i];
    bad[n++] = (struct bad_addr){(uint64)heap_edge(edge_below), "a range off the heap's end"};
    return n;
}

/* ---- 1. bad addresses give -1 ------------------------------------------- */

static void read_rejects_bad_buffers(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);
    char data[64];

    memset(data, 'r', sizeof(data));
    for (int i = 0; i < n; i++) {
        int fds[2];

        make_pipe(fds);
        EXPECT_EQ(write(fds[1], data, sizeof(data)), sizeof(data));
        int r = read(fds[0], (void *)bad[i].va, BIG);
        if (r != -1)
            failed(__LINE__, "read into %s (%p) returned %d", bad[i].what, (void *)bad[i].va, r);
        close_pipe(fds);
    }
}

static void read_into_text_fails_and_leaves_text_intact(void)
{
    char *text = (char *)(uint64)read_into_text_fails_and_leaves_text_intact;
    char before[64], data[64];
    int fds[2];

    memcpy(before, text, sizeof(before));
    memset(data, 0, sizeof(data));
    make_pipe(fds);
    EXPECT_EQ(write(fds[1], data, sizeof(data)), sizeof(data));
    EXPECT_EQ(read(fds[0], (char *)(uint64)main, sizeof(data)), -1);
    EXPECT_EQ(write(fds[1], data, sizeof(data)), sizeof(data));
    EXPECT_EQ(read(fds[0], text, sizeof(data)), -1);
    EXPECT(memcmp(before, text, sizeof(before)) == 0);
    EXPECT(*(uint32 *)(uint64)main != 0);
    close_pipe(fds);
}

static void write_rejects_bad_buffers(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);

    for (int i = 0; i < n; i++) {
        int fds[2];

        make_pipe(fds);
        int r = write(fds[1], (void *)bad[i].va, BIG);
        /* Off the heap's end the 10 good bytes may go first, as a short write. */
        int partial_ok = i == n - 1 && r == 10;
        if (r != -1 && !partial_ok)
            failed(__LINE__, "write from %s (%p) returned %d", bad[i].what, (void *)bad[i].va, r);
        EXPECT_EQ(write(1, (void *)bad[i].va, BIG), -1);
        close_pipe(fds);
    }
}

static void pipe_rejects_bad_fd_array(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 4);
    int lowest = dup(0);

    EXPECT(lowest > 2);
    close(lowest);
    for (int i = 0; i < n; i++) {
        if (pipe((int *)bad[i].va) != -1)
            failed(__LINE__, "pipe into %s (%p) did not fail", bad[i].what, (void *)bad[i].va);
        /* The failed pipe must leave no descriptors behind. */
        int fd = dup(0);
        EXPECT_EQ(fd, lowest);
        close(fd);
    }
}

static void exit_seven(long arg)
{
    (void)arg;
    exit(7);
}

static void wait_rejects_bad_status_and_keeps_child(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 2);

    for (int i = 0; i < n; i++) {
        if (bad[i].va == 0)
            continue; /* wait(0) means "no status wanted" */
        int pid = spawn(exit_seven, 0);
        int r = wait((int *)bad[i].va);
        if (r != -1)
            failed(__LINE__, "wait into %s (%p) returned %d", bad[i].what, (void *)bad[i].va, r);
        EXPECT_EQ(wait_for(pid), 7);
    }
}

static void exec_rejects_bad_path_and_argv(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);
    char *argv[] = {"echo", "usertests: exec should have failed", 0};

    memset(sbrk(0) - 10, 'e', 10); /* a path with no end before the heap's end */
    for (int i = 0; i < n; i++) {
        if (exec((char *)bad[i].va, argv) != -1)
            failed(__LINE__, "exec of path at %s did not fail", bad[i].what);
        if (exec("echo", (char **)bad[i].va) != -1)
            failed(__LINE__, "exec with argv at %s did not fail", bad[i].what);
        char *bad_arg[] = {"echo", (char *)bad[i].va, 0};
        if (bad[i].va != 0 && exec("echo", bad_arg) != -1)
            failed(__LINE__, "exec with argv[1] at %s did not fail", bad[i].what);
    }
    /* An argv array whose terminating null would lie past the heap's end. */
    char **edge = (char **)(sbrk(0) - sizeof(char *));
    edge[0] = "echo";
    EXPECT_EQ(exec("echo", edge), -1);
}

static void open_rejects_bad_path(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);

    memset(sbrk(0) - 10, 'o', 10);
    for (int i = 0; i < n; i++) {
        int fd = open((char *)bad[i].va, O_RDONLY);
        if (fd != -1)
            failed(__LINE__, "open of path at %s returned %d", bad[i].what, fd);
    }
}

/* Passes however the program was started, with boot arguments or none: the
 * heap-edge buffer starts as many bytes below the end as the arguments have
 * characters, so their terminating NUL (at least) falls off the heap. */
static void bootargs_rejects_bad_buffer(void)
{
    struct bad_addr bad[NBAD];
    char args[256];
    int len = bootargs(args, sizeof(args));

    EXPECT(len >= 0);
    int n = bad_addresses(bad, len);
    for (int i = 0; i < n; i++) {
        int r = bootargs((char *)bad[i].va, BIG);
        if (r != -1)
            failed(__LINE__, "bootargs into %s returned %d", bad[i].what, r);
    }
}

/* The boot image is read-only: only the console opens for writing. */
static void open_for_writing_only_the_console(void)
{
    EXPECT_EQ(open("cat", O_WRONLY), -1);
    EXPECT_EQ(open("cowtest", O_RDWR), -1);
    int fd = open("console", O_WRONLY);
    EXPECT(fd >= 0);
    EXPECT_EQ(close(fd), 0);
    fd = open("cat", O_RDONLY);
    EXPECT(fd >= 0);
    EXPECT_EQ(close(fd), 0);
}

static void procinfo_rejects_bad_buffer(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);

    for (int i = 0; i < n; i++) {
        int r = procinfo((struct cowl_procinfo *)bad[i].va, 64);
        if (r != -1)
            failed(__LINE__, "procinfo into %s returned %d", bad[i].what, r);
    }
}

static void poolstat_rejects_bad_buffer(void)
{
    struct bad_addr bad[NBAD];
    int n = bad_addresses(bad, 10);

    for (int i = 0; i < n; i++) {
        int r = poolstat((struct cowl_poolstat *)bad[i].va);
        if (r != -1)
            failed(__LINE__, "poolstat into %s returned %d", bad[i].what, r);
    }
}

static void bad_descriptors_rejected(void)
{
    char c = 0;
    int fds[2];

    EXPECT_EQ(read(-1, &c, 1), -1);
    EXPECT_EQ(read(16, &c, 1), -1);
    EXPECT_EQ(read(9, &c, 1), -1);
    EXPECT_EQ(write(1000, &c, 1), -1);
    EXPECT_EQ(close(-1), -1);
    EXPECT_EQ(close(12), -1);
    EXPECT_EQ(dup(13), -1);
    make_pipe(fds);
    EXPECT_EQ(write(fds[0], &c, 1), -1); /* the read end */
    EXPECT_EQ(read(fds[1], &c, 1), -1);  /* the write end */
    EXPECT_EQ(read(fds[0], &c, -1), -1); /* negative count */
    close_pipe(fds);
}

/* ecall with the number `num` and nothing else; returns a0 as the kernel left it. */
static long raw_syscall(long num)
{
    register long a0 asm("a0") = 0;
    register long a7 asm("a7") = num;

    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "a2", "a3", "a4", "a5", "a6", "memory");
    return a0;
}

static void unknown_syscall_returns_error(void)
{
    const long nums[] = {0, 16, 19, COWL_NSYSCALL, 4096, -1};

    for (uint i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        EXPECT_EQ(raw_syscall(nums[i]), -COWL_EINVAL);
}

/* ---- 2. wild accesses kill only the process that made them -------------- */

static const char rodata_word[] = "read-only";

static void store_to(long va)
{
    *(volatile char *)va = 'X';
}

static void load_from(long va)
{
    char c = *(volatile char *)va;
    (void)c;
}

static void jump_to(long va)
{
    ((void (*)(void))va)();
}

/* Run body(va) in a child and check that the child is killed (status -1). */
static void expect_killed(void (*body)(long), long va, const char *what)
{
    int status = wait_for(spawn(body, va));

    if (status != -1)
        failed(__LINE__, "%s: child exited with %d, expected to be killed (-1)", what, status);
}

static void store_to_text_kills_only_the_child(void)
{
    expect_killed(store_to, (long)(uint64)main, "store to main");
    expect_killed(store_to, (long)(uint64)spawn, "store to another text function");
    EXPECT(getpid() > 0); /* still here */
}

static void load_from_kernel_kills_only_the_child(void)
{
    expect_killed(load_from, 0x80200000L, "load from the kernel image");
    expect_killed(load_from, 0x80000000L, "load from the firmware");
    expect_killed(load_from, 0x10000000L, "load from the UART");
}

static void other_wild_accesses_kill_only_the_child(void)
{
    char *heap = sbrk(4096);

    *(uint32 *)heap = 0x00008067; /* ret */
    expect_killed(load_from, 0, "load from null");
    expect_killed(store_to, 0, "store to null");
    expect_killed(store_to, (long)(uint64)rodata_word, "store to rodata");
    expect_killed(store_to, (long)(COWL_STACK_TOP - (COWL_STACK_PAGES + 1) * 4096),
                  "store to the stack guard page");
    expect_killed(store_to, (long)COWL_STACK_TOP, "store above the stack");
    expect_killed(load_from, (long)(COWL_MAXVA - 8), "load below MAXVA");
    expect_killed(store_to, (long)(sbrk(0) + 4096), "store past the heap");
    expect_killed(jump_to, (long)heap, "jump into the heap (not executable)");
    expect_killed(jump_to, 0x80200000L, "jump into the kernel");
    EXPECT_EQ(rodata_word[0], 'r');
}

static void use_fp_register(long v)
{
    asm volatile("fmv.d.x ft5, %0" : : "r"(v));
}

/* Threads keep no floating-point registers, so a process that could use
 * them would see (and clobber) another's: an FP instruction must kill it,
 * as in xv6, and leave the parent running. */
static void fp_instruction_kills_only_the_child(void)
{
    expect_killed(use_fp_register, 0x5555aaaa5555aaaaL, "fmv.d.x to ft5");
    EXPECT(getpid() > 0);
}

/* ---- 3. IPC ------------------------------------------------------------- */

#define ROUNDS 500
#define QUIT   (~0UL)

/* Answer calls on ep: reply (round+1, badge, ~w2, 3*w3, own pid) until QUIT. */
static void pong_server(long ep)
{
    struct cowl_msg m, r;
    uint64 badge;

    if (ipc_recv((int)ep, &m, &badge) != 0)
        exit(2);
    for (;;) {
        r = (struct cowl_msg){{m.w[0] + 1, badge, ~m.w[2], 3 * m.w[3], (uint64)getpid()}};
        if (m.w[0] == QUIT) {
            ipc_reply(&r);
            exit(0);
        }
        if (ipc_reply_recv((int)ep, &r, &m, &badge) != 0)
            exit(3);
    }
}

static void ipc_call_ping_pong_carries_values_and_badge(void)
{
    int ep = ep_create();
    struct cowl_msg m, r;

    EXPECT(ep > 0);
    int server = spawn(pong_server, ep);
    for (uint64 i = 0; i < ROUNDS; i++) {
        m = (struct cowl_msg){{i, 0, 0x5a5a0000UL + i, i * 7, 0}};
        EXPECT_EQ(ipc_call(ep, &m, &r), 0);
        EXPECT_EQ(r.w[0], i + 1);
        EXPECT_EQ(r.w[1], getpid()); /* the badge the server saw */
        EXPECT_EQ(r.w[2], ~(0x5a5a0000UL + i));
        EXPECT_EQ(r.w[3], 3 * i * 7);
        EXPECT_EQ(r.w[4], server);
    }
    m = (struct cowl_msg){{QUIT, 0, 0, 0, 0}};
    EXPECT_EQ(ipc_call(ep, &m, &r), 0);
    EXPECT_EQ(wait_for(server), 0);
}

#define MESSAGES 200

/* Receive MESSAGES messages on ep (after `delay` ticks); exit 1 on a bad one. */
static void one_way_receiver(int ep, int sender, int delay)
{
    struct cowl_msg m;
    uint64 badge;

    sleep(delay);
    for (uint64 i = 0; i < MESSAGES; i++) {
        if (ipc_recv(ep, &m, &badge) != 0 || m.w[0] != i || m.w[4] != ~i ||
            badge != (uint64)sender) {
            printf("%s: receiver: message %lu: w0 %lu badge %lu\n", test_case_name, i, m.w[0],
                   badge);
            exit(1);
        }
    }
    exit(0);
}

static void one_way_round(int receiver_delay, int sender_delay)
{
    int ep = ep_create();
    int me = getpid();

    EXPECT(ep > 0);
    int pid = fork();
    if (pid == 0)
        one_way_receiver(ep, me, receiver_delay);
    EXPECT(pid > 0);
    sleep(sender_delay);
    for (uint64 i = 0; i < MESSAGES; i++) {
        struct cowl_msg m = {{i, 1, 2, 3, ~i}};
        EXPECT_EQ(ipc_send(ep, &m), 0);
    }
    EXPECT_EQ(wait_for(pid), 0);
}

static void ipc_send_reaches_waiting_receiver(void)
{
    one_way_round(0, 3);
}

static void ipc_send_blocks_until_received(void)
{
    one_way_round(3, 0);
}

/* Spin in user mode, making no system call, for about `ticks` ticks. */
static void spin_ticks(int ticks)
{
    int until = uptime() + ticks;

    while (uptime() < until)
        for (volatile int k = 0; k < 200000; k++)
            ;
}

#define SPIN_SENDS 5

/* Receive SPIN_SENDS messages numbered 0, 1, ... on ep; exit 1 on any other. */
static void numbered_receiver(long ep)
{
    struct cowl_msg m;

    for (uint64 i = 0; i < SPIN_SENDS; i++)
        if (ipc_recv((int)ep, &m, 0) != 0 || m.w[0] != i)
            exit(1);
}

/* A send that finds its receiver waiting returns at once; the sender must
 * then run on one hart only, even while the other harts look for work. */
static void ipc_sender_keeps_running_on_one_hart(void)
{
    int ep = ep_create(), sent = 0;

    EXPECT(ep > 0);
    int pid = spawn(numbered_receiver, ep);
    for (uint64 i = 0; i < SPIN_SENDS; i++) {
        struct cowl_msg m = {{i, 0, 0, 0, 0}};
        sleep(2); /* the receiver is waiting again */
        EXPECT_EQ(ipc_send(ep, &m), 0);
        sent++;
        spin_ticks(5); /* in user mode, while the receiver runs on another hart */
    }
    EXPECT_EQ(sent, SPIN_SENDS);
    EXPECT_EQ(wait_for(pid), 0);
}

/* The pager's answer to a request with this label from us. */
static uint32 pager_answer(uint32 label)
{
    union pg_msg req = {.raw = {{0}}}, rep = {.raw = {{0}}};

    if (label == PG_FAULT) {
        /* Ask for our own text page to be made writable, naming the kernel's frame. */
        req.fault = (struct pg_fault_msg){.label = PG_FAULT,
                                          .space = (uint32)getpid(),
                                          .va = (uint64)main & ~4095UL,
                                          .pc = (uint64)main,
                                          .frame = 0x80200000UL};
    } else {
        req.batch = (struct pg_batch_msg){.label = label, .count = 16, .space = (uint64)getpid()};
    }
    int r = ipc_call(COWL_PAGER_EP, &req.raw, &rep.raw);
    if (r != 0)
        failed(__LINE__, "ipc_call to the pager with label %u returned %d", label, r);
    return rep.reply.label;
}

static void ipc_forged_pager_requests_refused(void)
{
    const uint32 forged[] = {PG_FAULT, PG_ALLOC, PG_SHARE, PG_RELEASE, PG_STAT,
                             PG_AUDIT, PG_TRACE, 0,        99};
    uint64 before = free_frames();

    for (uint i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        uint32 got = pager_answer(forged[i]);
        if (got != PG_FAIL)
            failed(__LINE__, "pager answered forged label %u with %u, expected PG_FAIL", forged[i],
                   got);
    }
    EXPECT_EQ(free_frames(), before);
    EXPECT_EQ(pager_answer(PG_PING), PG_OK);
}

#define FLOOD 300

/* Garbage in a loop, to the pager and as wild stores: each is answered or
 * killed, and the console lines about them are rate-limited (the qemu
 * suite's console-flood test counts them). After a quiet second one more of
 * each makes the pager and the kernel say how many they held back. */
static void console_flood_is_rate_limited(void)
{
    for (int i = 0; i < FLOOD; i++)
        EXPECT_EQ(pager_answer(PG_FAULT), PG_FAIL);
    for (int i = 0; i < FLOOD / 10; i++)
        EXPECT_EQ(wait_for(spawn(store_to, (long)main)), -1);
    sleep(HZ + HZ / 10);
    EXPECT_EQ(pager_answer(PG_ALLOC), PG_FAIL);
    EXPECT_EQ(wait_for(spawn(store_to, (long)main)), -1);
}

static void ipc_pager_endpoint_not_receivable(void)
{
    struct cowl_msg m;
    uint64 badge;

    EXPECT_EQ(ipc_recv(COWL_PAGER_EP, &m, &badge), -COWL_EPERM);
    EXPECT(ipc_reply_recv(COWL_PAGER_EP, &m, &m, &badge) < 0);
    EXPECT_EQ(pager_answer(PG_PING), PG_OK); /* the pager is still serving */
}

static void ipc_reply_with_nothing_owed_fails(void)
{
    struct cowl_msg m = {{1, 2, 3, 4, 5}};

    EXPECT_EQ(ipc_reply(&m), -COWL_EPERM);
    EXPECT_EQ(ipc_reply(&m), -COWL_EPERM);
}

static void ipc_bad_handles_rejected(void)
{
    struct cowl_msg m = {{0, 0, 0, 0, 0}};
    uint64 badge;
    const int handles[] = {-1, 5, 7, 8, 100, 1 << 30};

    for (uint i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
        EXPECT_EQ(ipc_send(handles[i], &m), -COWL_EBADF);
        EXPECT_EQ(ipc_call(handles[i], &m, &m), -COWL_EBADF);
        EXPECT_EQ(ipc_recv(handles[i], &m, &badge), -COWL_EBADF);
        EXPECT_EQ(ipc_reply_recv(handles[i], &m, &m, &badge), -COWL_EBADF);
    }
}

/* Take one call on ep and exit without answering it. */
static void vanishing_server(long ep)
{
    struct cowl_msg m;
    uint64 badge;

    ipc_recv((int)ep, &m, &badge);
}

static void ipc_call_to_dead_server_fails(void)
{
    int ep = ep_create();
    struct cowl_msg m = {{1, 2, 3, 4, 5}}, r;

    EXPECT(ep > 0);
    int pid = spawn(vanishing_server, ep);
    EXPECT(ipc_call(ep, &m, &r) < 0);
    EXPECT_EQ(wait_for(pid), 0);
}

/* Take one call on ep, kill the caller, then answer it: the reply must
 * find nobody waiting (the caller is gone), and the server must go on. */
static void server_killing_its_caller(long ep)
{
    struct cowl_msg m, r = {{7, 7, 7, 7, 7}};
    uint64 badge;

    if (ipc_recv((int)ep, &m, &badge) != 0)
        exit(2);
    if (kill((int)badge) != 0)
        exit(3);
    if (ipc_reply(&r) != -COWL_EPERM)
        exit(4);
    /* A second caller is served normally afterwards. */
    if (ipc_recv((int)ep, &m, &badge) != 0 || m.w[0] != 42)
        exit(5);
    r.w[0] = 43;
    if (ipc_reply(&r) != 0)
        exit(6);
}

static void call_forever(long ep)
{
    struct cowl_msg m = {{1, 0, 0, 0, 0}}, r;

    ipc_call((int)ep, &m, &r);
    exit(9); /* the server kills us before it answers */
}

static void ipc_reply_to_a_killed_caller_fails_cleanly(void)
{
    int ep = ep_create();
    struct cowl_msg m = {{42, 0, 0, 0, 0}}, r;

    EXPECT(ep > 0);
    int server = spawn(server_killing_its_caller, ep);
    int caller = spawn(call_forever, ep);
    EXPECT_EQ(wait_for(caller), -1); /* killed */
    EXPECT_EQ(ipc_call(ep, &m, &r), 0);
    EXPECT_EQ(r.w[0], 43);
    EXPECT_EQ(wait_for(server), 0);
}

/* ---- 3b. the IPC fast path against the slow one ------------------------- */

#define PATH_ROUNDS 10
#define MODE_SLOW   1 /* w[1] of a call: answer, then wait before receiving again */

#define LATE_START 0x100 /* in a server's spawn argument: wait 2 ticks before receiving */

/* Wait (at most 5 s) until pid blocks in IPC, so that a call finds it waiting. */
static void wait_until_blocked(int pid)
{
    struct cowl_procinfo row;

    for (int i = 0; i < 500; i++) {
        if (procfind(pid, &row) && row.state == COWL_BLOCKED)
            return;
        sleep(1);
    }
    failed(__LINE__, "pid %d never blocked", pid);
}

/* A server's endpoint from its spawn argument, after the LATE_START wait: a
 * call made at once then queues before the server receives (the slow path). */
static long late_or_not(long arg)
{
    if (arg & LATE_START)
        sleep(2);
    return arg & (LATE_START - 1);
}

static void vanishing_server_from(long arg)
{
    vanishing_server(late_or_not(arg));
}

static void server_killing_its_caller_from(long arg)
{
    server_killing_its_caller(late_or_not(arg));
}

/* Calls and reply_recvs that took the ordinary path, since boot: the fast
 * path counts nothing, so a call and its answer took it when this did not
 * move. */
static uint64 slow_ipcs(void)
{
    struct cowl_kstat k;

    if (kstat(&k) != 0)
        failed(__LINE__, "kstat failed");
    return k.ipc_slow;
}

/*
 * An IPC call with a known value in every register it must preserve
 * (cowl/abi.h: ra, sp, gp, tp, s0..s11): ecall num with handle ep and
 * message *m in a1..a5; the answer's words go to *out and its badge to
 * *badge. Returns the call's a0; *changed is how many of those registers
 * came back different (sp included: it is checked against a copy kept on
 * the stack).
 */
static long marked_ipc(long num, long ep, const struct cowl_msg *m, struct cowl_msg *out,
                       uint64 *badge, long *changed)
{
    register long a0 asm("a0") = ep;
    register uint64 a1 asm("a1") = m->w[0];
    register uint64 a2 asm("a2") = m->w[1];
    register uint64 a3 asm("a3") = m->w[2];
    register uint64 a4 asm("a4") = m->w[3];
    register uint64 a5 asm("a5") = m->w[4];
    register uint64 a6 asm("a6");
    register long a7 asm("a7") = num;
    register long bad asm("t0");

    asm volatile(
        /* Keep the C code's values, then load the marks. */
        "addi sp, sp, -144\n"
        "sd ra, 0(sp)\n sd gp, 8(sp)\n sd tp, 16(sp)\n sd s0, 24(sp)\n"
        "sd s1, 32(sp)\n sd s2, 40(sp)\n sd s3, 48(sp)\n sd s4, 56(sp)\n"
        "sd s5, 64(sp)\n sd s6, 72(sp)\n sd s7, 80(sp)\n sd s8, 88(sp)\n"
        "sd s9, 96(sp)\n sd s10, 104(sp)\n sd s11, 112(sp)\n"
        "sd sp, 120(sp)\n"
        "li ra, 0x7a11\n li gp, 0x96a1\n li tp, 0x79a2\n li s0, 0x5003\n"
        "li s1, 0x5104\n li s2, 0x5205\n li s3, 0x5306\n li s4, 0x5407\n"
        "li s5, 0x5508\n li s6, 0x5609\n li s7, 0x570a\n li s8, 0x580b\n"
        "li s9, 0x590c\n li s10, 0x5a0d\n li s11, 0x5b0e\n"
        "ecall\n"
        /* Count the marks that changed (t1: the mark, t2: the difference). */
        "li t0, 0\n"
        "li t1, 0x7a11\n xor t2, ra, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x96a1\n xor t2, gp, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x79a2\n xor t2, tp, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5003\n xor t2, s0, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5104\n xor t2, s1, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5205\n xor t2, s2, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5306\n xor t2, s3, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5407\n xor t2, s4, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5508\n xor t2, s5, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5609\n xor t2, s6, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x570a\n xor t2, s7, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x580b\n xor t2, s8, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x590c\n xor t2, s9, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5a0d\n xor t2, s10, t1\n snez t2, t2\n add t0, t0, t2\n"
        "li t1, 0x5b0e\n xor t2, s11, t1\n snez t2, t2\n add t0, t0, t2\n"
        "ld t1, 120(sp)\n xor t2, sp, t1\n snez t2, t2\n add t0, t0, t2\n"
        "ld ra, 0(sp)\n ld gp, 8(sp)\n ld tp, 16(sp)\n ld s0, 24(sp)\n"
        "ld s1, 32(sp)\n ld s2, 40(sp)\n ld s3, 48(sp)\n ld s4, 56(sp)\n"
        "ld s5, 64(sp)\n ld s6, 72(sp)\n ld s7, 80(sp)\n ld s8, 88(sp)\n"
        "ld s9, 96(sp)\n ld s10, 104(sp)\n ld s11, 112(sp)\n"
        "addi sp, sp, 144\n"
        : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "=r"(a6), "+r"(a7), "=r"(bad)
        :
        : "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    *out = (struct cowl_msg){{a1, a2, a3, a4, a5}};
    *badge = a6;
    *changed = bad;
    return a0;
}

/* pong_server's answers, through marked_ipc's reply_recv (exit 6 if a
 * register it preserves came back changed); after a MODE_SLOW call it
 * answers with a plain reply and sleeps a tick, so the next call finds
 * nobody waiting (the slow path of call, and of the reply_recv, owing
 * nothing, that takes it); otherwise it waits in reply_recv (the fast one). */
static void two_path_server(long ep)
{
    struct cowl_msg m, r;
    uint64 badge;
    long changed;

    if (ipc_recv((int)ep, &m, &badge) != 0)
        exit(2);
    for (;;) {
        r = (struct cowl_msg){{m.w[0] + 1, badge, ~m.w[2], 3 * m.w[3], (uint64)getpid()}};
        if (m.w[0] == QUIT) {
            ipc_reply(&r);
            exit(0);
        }
        if (m.w[1] == MODE_SLOW) {
            if (ipc_reply(&r) != 0)
                exit(3);
            sleep(1);
        }
        if (marked_ipc(SYS_reply_recv, ep, &r, &m, &badge, &changed) != 0)
            exit(5);
        if (changed)
            exit(6);
    }
}

/* One call of the given mode, through marked_ipc; checks the answer and
 * the registers the call preserves, returns how many of the call and the
 * server's IPC took the ordinary path. */
static uint64 checked_call(int ep, uint64 i, uint64 mode, int server)
{
    struct cowl_msg m = {{i, mode, 0x5a5a0000UL + i, i * 7, 0}}, r;
    uint64 before = slow_ipcs(), badge;
    long changed;

    EXPECT_EQ(marked_ipc(SYS_call, ep, &m, &r, &badge, &changed), 0);
    uint64 slow = slow_ipcs() - before;
    EXPECT_EQ(changed, 0);
    EXPECT_EQ(r.w[0], i + 1);
    EXPECT_EQ(r.w[1], getpid());
    EXPECT_EQ(r.w[2], ~(0x5a5a0000UL + i));
    EXPECT_EQ(r.w[3], 3 * i * 7);
    EXPECT_EQ(r.w[4], server);
    return slow;
}

static void ipc_fast_and_slow_calls_agree(void)
{
    int ep = ep_create();
    struct cowl_msg m = {{QUIT, 0, 0, 0, 0}}, r;
    uint64 slow = 0;

    EXPECT(ep > 0);
    int server = spawn(two_path_server, ep);
    checked_call(ep, 100, 0, server); /* from now on the server waits in reply_recv */
    for (uint64 i = 0; i < PATH_ROUNDS; i++)
        slow += checked_call(ep, i, 0, server);
    /* Each call and each reply_recv answer handed the hart over directly. */
    EXPECT_EQ(slow, 0);
    for (uint64 i = 0; i < PATH_ROUNDS; i++) {
        /* A call the server answers with a plain reply: the call itself
         * finds the server waiting, so it takes the fast path. */
        EXPECT_EQ(checked_call(ep, i, MODE_SLOW, server), 0);
        /* The server sleeps: this call queues, and so does the server's
         * reply_recv that takes it (it owes nothing); only its answer, from
         * reply_recv to a caller that blocked on the slow path, is handed
         * over directly. */
        EXPECT_EQ(checked_call(ep, i, 0, server), 2);
    }
    EXPECT_EQ(ipc_call(ep, &m, &r), 0);
    EXPECT_EQ(wait_for(server), 0);
}

/* A call the server takes and never answers (it exits), made while the
 * server waits (fast) or before it receives (slow): -ENOENT either way. */
static void dead_server_case(int fast)
{
    int ep = ep_create();
    struct cowl_msg m = {{1, 2, 3, 4, 5}}, r;

    EXPECT(ep > 0);
    int pid = spawn(vanishing_server_from, ep | (fast ? 0 : LATE_START));
    if (fast)
        wait_until_blocked(pid);
    uint64 before = slow_ipcs();
    EXPECT_EQ(ipc_call(ep, &m, &r), -COWL_ENOENT);
    if (fast)
        EXPECT_EQ(slow_ipcs(), before);
    else
        EXPECT(slow_ipcs() > before);
    EXPECT_EQ(wait_for(pid), 0);
}

/* The caller killed while it waits for the answer, after a fast or a slow
 * call: it dies, the server's reply finds nobody, the next caller is served. */
static void killed_caller_case(int fast)
{
    int ep = ep_create();
    struct cowl_msg m = {{42, 0, 0, 0, 0}}, r;

    EXPECT(ep > 0);
    int server = spawn(server_killing_its_caller_from, ep | (fast ? 0 : LATE_START));
    if (fast)
        wait_until_blocked(server);
    int caller = spawn(call_forever, ep);
    EXPECT_EQ(wait_for(caller), -1);
    EXPECT_EQ(ipc_call(ep, &m, &r), 0);
    EXPECT_EQ(r.w[0], 43);
    EXPECT_EQ(wait_for(server), 0);
}

static void ipc_errors_agree_on_fast_and_slow_paths(void)
{
    struct cowl_msg m = {{0}};
    uint64 badge;

    for (int fast = 0; fast < 2; fast++) {
        dead_server_case(fast);
        killed_caller_case(fast);
    }
    /* Bad handles: the fast path's guard leaves them to the slow path. */
    EXPECT_EQ(ipc_call(7, &m, &m), -COWL_EBADF);
    EXPECT_EQ(ipc_call(-1, &m, &m), -COWL_EBADF);
    EXPECT_EQ(ipc_reply_recv(7, &m, &m, &badge), -COWL_EBADF);
    /* reply_recv with nothing owed on an endpoint it may not receive on. */
    EXPECT_EQ(ipc_reply_recv(COWL_PAGER_EP, &m, &m, &badge), -COWL_EPERM);
}

/*
 * A client and a server pinned to each hart (up to four), calling all at
 * once: each hart's IPC takes big_lock while the others' hold it, so the
 * entries that find it taken (trap.S's lock_big, then the *_contended entries
 * that wait in C) run beside the fast path. Every answer and every register
 * a call preserves is checked, as in ipc-fast-and-slow-calls-agree.
 */
#define PAIR_ROUNDS 3000
#define PAIRS_MAX   4

static void pinned_server(long arg)
{
    pin((int)(arg >> 8)); /* unpinned if the hart is not there: still a pair */
    two_path_server(arg & 0xff);
}

/* arg: the endpoint, the hart << 8, the server's pid << 16. */
static void pinned_client(long arg)
{
    int ep = (int)(arg & 0xff), server = (int)(arg >> 16);
    struct cowl_msg m = {{QUIT, 0, 0, 0, 0}}, r;

    pin((int)((arg >> 8) & 0xff));
    for (uint64 i = 0; i < PAIR_ROUNDS; i++)
        checked_call(ep, i, 0, server);
    EXPECT_EQ(ipc_call(ep, &m, &r), 0);
}

static void ipc_pairs_on_every_hart_agree(void)
{
    struct cowl_benchstat before, after;
    int pids[2 * PAIRS_MAX], n = 0;

    EXPECT_EQ(benchstat(&before), 0);
    int pairs = before.harts < PAIRS_MAX ? (int)before.harts : PAIRS_MAX;
    for (int h = 0; h < pairs; h++) {
        int ep = ep_create();
        EXPECT(ep > 0);
        int server = spawn(pinned_server, ep | h << 8);
        pids[n++] = server;
        pids[n++] = spawn(pinned_client, ep | h << 8 | (long)server << 16);
    }
    for (int i = 0; i < n; i++) {
        int status = 0x7777, got = wait(&status);
        int known = 0;
        for (int j = 0; j < n; j++)
            known |= got == pids[j];
        EXPECT(known);
        EXPECT_EQ(status, 0);
    }
    EXPECT_EQ(benchstat(&after), 0);
    printf("%s: %d pair(s), big_lock found taken %lu times meanwhile\n", test_case_name, pairs,
           after.lock_contended - before.lock_contended);
}

#define TIMEBASE_MS 10000 /* the virt machine's time CSR: 10 MHz */

/* Busy for ms milliseconds of the time CSR, in user mode. */
static void spin_ms(uint64 ms)
{
    uint64 until = rdtime() + ms * TIMEBASE_MS;
    while (rdtime() < until)
        ;
}

/* Spin in user mode for a while, then wait on ep for ever. */
static void spin_then_recv(long ep)
{
    struct cowl_msg m;
    uint64 badge;

    spin_ms(150);
    for (;;)
        ipc_recv((int)ep, &m, &badge);
}

/* A process killed while it runs must die at its next system call, even
 * one that would block (ipc_send and ipc_recv refuse a killed caller):
 * nothing else would wake it. */
static void killed_while_running_does_not_block_in_ipc(void)
{
    int ep = ep_create();
    struct cowl_procinfo row;

    EXPECT(ep > 0);
    int pid = spawn(spin_then_recv, ep);
    uint64 until = rdtime() + 3000 * TIMEBASE_MS;
    while (rdtime() < until &&
           !(procfind(pid, &row) && (row.state == COWL_RUNNING || row.state == COWL_RUNNABLE)))
        nullcall(); /* wait, without sleeping, until it is not blocked */
    EXPECT_EQ(kill(pid), 0);
    until = rdtime() + 3000 * TIMEBASE_MS;
    while (rdtime() < until && procfind(pid, &row) && row.state != COWL_ZOMBIE)
        nullcall();
    EXPECT(procfind(pid, &row) && row.state == COWL_ZOMBIE);
    EXPECT_EQ(wait_for(pid), -1);
}

static void endpoint_creator(long arg)
{
    (void)arg;
    for (int h = 1; h < 8; h++)
        if (ep_create() != h)
            exit(1);
    if (ep_create() >= 0)
        exit(2);
}

static void endpoints_freed_at_exit(void)
{
    for (int i = 0; i < 20; i++) /* 140 endpoints in all, more than the kernel has */
        EXPECT_EQ(wait_for(spawn(endpoint_creator, 0)), 0);
}

/* ---- 4. processes ------------------------------------------------------- */

#define STORM 40

static void fork_exit_wait_storm_keeps_statuses(void)
{
    int pids[STORM], seen[STORM];

    for (int i = 0; i < STORM; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            exit(100 + i);
        EXPECT(pids[i] > 0);
        seen[i] = 0;
    }
    for (int n = 0; n < STORM; n++) {
        int status = 0;
        int pid = wait(&status);
        int i = 0;

        while (i < STORM && pids[i] != pid)
            i++;
        if (i == STORM)
            failed(__LINE__, "wait returned %d, not one of ours", pid);
        EXPECT_EQ(seen[i], 0);
        EXPECT_EQ(status, 100 + i);
        seen[i] = 1;
    }
    EXPECT_EQ(wait(0), -1);
}

static void fork_until_process_limit_fails_cleanly(void)
{
    int gate[2], n = 0, pid;
    char c;

    make_pipe(gate);
    while ((pid = fork()) > 0)
        n++;
    if (pid == 0) {
        close(gate[1]);
        exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
    }
    EXPECT_EQ(pid, -1);
    EXPECT(n >= 40); /* 64 processes, less the pager, init and usertests */
    close_pipe(gate);
    for (int i = 0; i < n; i++) {
        int status = -2;
        EXPECT(wait(&status) > 0);
        EXPECT_EQ(status, 0);
    }
    EXPECT_EQ(wait(0), -1);
    EXPECT_EQ(wait_for(spawn(exit_seven, 0)), 7); /* fork works again */
}

static void sleep_long(long ticks)
{
    sleep((int)ticks);
}

static void kill_sleeping_child(void)
{
    int pid = spawn(sleep_long, 10 * HZ);

    sleep(3);
    int start = uptime();
    EXPECT_EQ(kill(pid), 0);
    EXPECT_EQ(wait_for(pid), -1);
    EXPECT(uptime() - start < 3 * HZ);
}

static void read_pipe_forever(long fd)
{
    char c;

    read((int)fd, &c, 1);
}

static void kill_child_blocked_in_pipe_read(void)
{
    int fds[2];

    make_pipe(fds);
    int pid = spawn(read_pipe_forever, fds[0]);
    sleep(3);
    EXPECT_EQ(kill(pid), 0);
    EXPECT_EQ(wait_for(pid), -1);
    close_pipe(fds);
}

static void recv_forever(long ep)
{
    struct cowl_msg m;
    uint64 badge;

    ipc_recv((int)ep, &m, &badge);
}

static void kill_child_blocked_in_ipc_recv(void)
{
    int ep = ep_create();

    EXPECT(ep > 0);
    int pid = spawn(recv_forever, ep);
    sleep(3);
    EXPECT_EQ(kill(pid), 0);
    EXPECT_EQ(wait_for(pid), -1);
}

#define CONSOLE_STALL_MS 1500

/* Wall-clock milliseconds (QEMU virt's timer counts at 10 MHz). */
static uint64 wall_ms(void)
{
    uint64 t;

    asm volatile("rdtime %0" : "=r"(t));
    return t / 10000;
}

static void write_console(long n)
{
    write(1, sbrk((int)n), (int)n); /* fresh pages: n NUL bytes, invisible */
}

/* 2 MiB to the console take the UART about four seconds; meanwhile other
 * processes must run (a 50 ms sleep ends well within the limit, which
 * leaves room for a loaded host) and a kill must end the write at once,
 * not when the last byte is out. */
static void huge_console_write_neither_stalls_others_nor_outlives_kill(void)
{
    int pid = spawn(write_console, 2 << 20);
    sleep(2);
    uint64 start = wall_ms();
    sleep(5);
    uint64 slept = wall_ms() - start;
    int killed = kill(pid), status = wait_for(pid);
    uint64 reaped = wall_ms() - start - slept;
    if (slept > CONSOLE_STALL_MS || reaped > CONSOLE_STALL_MS)
        failed(__LINE__, "sleep(5) took %lu ms and kill+wait %lu ms beside the writer", slept,
               reaped);
    EXPECT_EQ(killed, 0); /* the writer was still writing */
    EXPECT_EQ(status, -1);
}

static void kill_of_exited_or_missing_process_fails(void)
{
    int pid = spawn(exit_seven, 0);

    sleep(3); /* let it become a zombie */
    EXPECT_EQ(kill(pid), -1);
    EXPECT_EQ(wait_for(pid), 7);
    EXPECT_EQ(kill(pid), -1);
    EXPECT_EQ(kill(100000), -1);
    EXPECT_EQ(kill(-1), -1);
}

/* Only init and the console's shell may power the machine off; test
 * programs run with no privilege, and none can be regained. */
static void poweroff_is_refused_for_ordinary_processes(void)
{
    EXPECT_EQ(privdrop(0), 0);
    EXPECT_EQ(poweroff(0), -1);
    EXPECT_EQ(poweroff(100), -1);
    EXPECT_EQ(privdrop(-1), 0);
    EXPECT_EQ(poweroff(0), -1);
}

/* pid 0 marks a free process record; it must not name one. */
static void kill_of_pid_zero_fails(void)
{
    EXPECT_EQ(kill(0), -1);
    EXPECT_EQ(kill(-2147483647 - 1), -1);
    EXPECT_EQ(getpid() > 2, 1); /* still here, and the kernel too */
}

/* Nothing may kill the pager (pid 1) or init (pid 2): the machine needs both. */
static void kill_of_pager_or_init_is_refused(void)
{
    EXPECT_EQ(kill(1), -1);
    EXPECT_EQ(kill(2), -1);
    struct cowl_procinfo rows[8];
    int n = procinfo(rows, 8);
    EXPECT(n >= 2);
    EXPECT_EQ(rows[0].pid, 1);
    EXPECT_EQ(rows[1].pid, 2);
    EXPECT(rows[1].state != COWL_ZOMBIE);
}

/* The middle process: fork a grandchild that waits on `release` and exits;
 * report its pid on `report`; exit at once, orphaning it. */
static void orphan_maker(int report[2], int release[2])
{
    int g = fork();

    if (g == 0) {
        char c;
        close(release[1]);
        read(release[0], &c, 1);
        exit(0);
    }
    write(report[1], &g, sizeof(g));
    exit(g > 0 ? 0 : 1);
}

static void orphan_adopted_by_init_and_reaped(void)
{
    int report[2], release[2], g = 0, middle;
    struct cowl_procinfo row;

    make_pipe(report);
    make_pipe(release);
    if ((middle = fork()) == 0)
        orphan_maker(report, release);
    EXPECT_EQ(wait_for(middle), 0);
    EXPECT_EQ(read(report[0], &g, sizeof(g)), sizeof(g));
    EXPECT(procfind(g, &row));
    EXPECT_EQ(row.ppid, procnamed("init"));
    EXPECT_EQ(write(release[1], "x", 1), 1);
    for (int t = 0; t < 5 * HZ && procfind(g, &row); t++)
        sleep(1);
    if (procfind(g, &row))
        failed(__LINE__, "orphan %d still listed (state %d) after 5 s", g, row.state);
    close_pipe(report);
    close_pipe(release);
}

static void exec_missing_program_fails(void)
{
    char *argv[] = {"nosuch", 0};

    EXPECT_EQ(exec("nosuch", argv), -1);
    EXPECT_EQ(exec("", argv), -1);
    EXPECT_EQ(exec("a-name-much-longer-than-thirty-two-characters", argv), -1);
    EXPECT_EQ(exec("echo ", argv), -1);
}

static long raw_syscall2(long num, long arg0, long arg1)
{
    register long a0 asm("a0") = arg0;
    register long a1 asm("a1") = arg1;
    register long a7 asm("a7") = num;

    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a7) : "memory");
    return a0;
}

/* Send this process's output nowhere: a pipe whose reader is gone. */
static void output_to_nowhere(void)
{
    int fds[2];

    make_pipe(fds);
    close(1);
    dup(fds[1]);
    close_pipe(fds);
}

/* exec echo with nargs arguments (argv[0] included); exits 99 if exec fails. */
static void exec_argv(long nargs)
{
    static char *argv[COWL_EXEC_MAX_ARGS + 2];

    output_to_nowhere();
    for (int i = 0; i < nargs; i++)
        argv[i] = "a";
    argv[0] = "echo";
    argv[nargs] = 0;
    exec("echo", argv);
    exit(99); /* exec failed */
}

static void exec_non_elf_fails(void)
{
    char *argv[] = {"notelf", 0};
    EXPECT_EQ(exec("notelf", argv), -1);
    EXPECT_EQ(exec("/notelf", argv), -1);
}

static void exec_too_many_args_fails(void)
{
    static char *argv[COWL_EXEC_MAX_ARGS + 2];

    for (int i = 0; i < COWL_EXEC_MAX_ARGS + 1; i++)
        argv[i] = "x";
    argv[0] = "echo";
    argv[COWL_EXEC_MAX_ARGS + 1] = 0;
    EXPECT_EQ(exec("echo", argv), -1);
    EXPECT_EQ(raw_syscall2(SYS_exec, (long)"echo", (long)argv), -COWL_E2BIG);
    EXPECT_EQ(wait_for(spawn(exec_argv, COWL_EXEC_MAX_ARGS)), 0); /* the limit still fits */
    EXPECT_EQ(wait_for(spawn(exec_argv, COWL_EXEC_MAX_ARGS + 1)), 99);
}

/* exec echo with one argument of len bytes; exits 99 if exec fails. */
static void exec_long_arg(long len)
{
    char *arg = malloc(len + 1);
    char *argv[] = {"echo", arg, 0};

    output_to_nowhere();
    memset(arg, 'a', len);
    arg[len] = 0;
    exec("echo", argv);
    exit(99);
}

static void exec_argument_bytes_limit_holds(void)
{
    /* "echo" and its NUL take 5 bytes; the rest of COWL_EXEC_ARG_BYTES fits. */
    int fits = COWL_EXEC_ARG_BYTES - 5 - 1;
    char *arg = malloc(fits + 2);
    char *argv[] = {"echo", arg, 0};

    EXPECT_EQ(wait_for(spawn(exec_long_arg, fits)), 0);
    EXPECT_EQ(wait_for(spawn(exec_long_arg, fits + 1)), 99);
    memset(arg, 'a', fits + 1);
    arg[fits + 1] = 0;
    EXPECT_EQ(raw_syscall2(SYS_exec, (long)"echo", (long)argv), -COWL_E2BIG);
}

/* exec echo 1 2 ... 100 with its output into the pipe out. */
static void exec_echo_100(long out)
{
    static char numbers[100][4];
    static char *argv[102];

    close(1);
    dup((int)out);
    argv[0] = "echo";
    for (int i = 0; i < 100; i++) {
        int n = i + 1, k = 0;
        if (n >= 100)
            numbers[i][k++] = '0' + n / 100;
        if (n >= 10)
            numbers[i][k++] = '0' + n / 10 % 10;
        numbers[i][k++] = '0' + n % 10;
        argv[i + 1] = numbers[i];
    }
    exec("echo", argv);
    exit(99);
}

static void exec_passes_100_arguments_in_order(void)
{
    static char want[400], got[400];
    int fds[2], n = 0, r;

    for (int i = 1; i <= 100; i++) {
        char num[4] = {0};
        int k = 0;
        if (i >= 100)
            num[k++] = '0' + i / 100;
        if (i >= 10)
            num[k++] = '0' + i / 10 % 10;
        num[k++] = '0' + i % 10;
        strcpy(want + strlen(want), num);
        strcpy(want + strlen(want), i < 100 ? " " : "\n");
    }
    make_pipe(fds);
    int pid = spawn(exec_echo_100, fds[1]);
    close(fds[1]);
    while (n < (int)sizeof(got) - 1 && (r = read(fds[0], got + n, sizeof(got) - 1 - n)) > 0)
        n += r;
    close(fds[0]);
    EXPECT_EQ(wait_for(pid), 0);
    if (strcmp(got, want) != 0)
        failed(__LINE__, "echo printed \"%s\"", got);
}

static void exec_echo(long arg)
{
    char *argv[] = {"echo", "usertests:", "exec", "works", 0};

    (void)arg;
    exec("echo", argv);
    exit(99);
}

static void exec_echo_with_args_exits_zero(void)
{
    EXPECT_EQ(wait_for(spawn(exec_echo, 0)), 0);
}

static void wait_without_children_fails(void)
{
    int status = 1234;

    EXPECT_EQ(wait(&status), -1);
    EXPECT_EQ(status, 1234);
    EXPECT_EQ(wait(0), -1);
}

/* ---- 5. heap ------------------------------------------------------------ */

#define MIB (1 << 20)

/* Touch 16 KiB of stack below the caller, so the pages are our own before
 * the pool runs dry (a COW fault then would have no frame to copy into). */
static void __attribute__((noinline)) touch_stack(void)
{
    volatile char pad[4 * 4096];

    for (uint i = 0; i < sizeof(pad); i += 512)
        pad[i] = 1;
}

/* Grow the heap by step until sbrk fails, checking each fresh page is zero
 * and writable; returns the bytes gained. */
static uint64 grow_until_full(int step, int *bad_pages)
{
    uint64 total = 0;
    char *p;

    while ((p = sbrk(step)) != (char *)-1) {
        for (int off = 0; off < step; off += 4096) {
            *bad_pages += p[off] != 0;
            p[off] = 1;
        }
        total += (uint64)step;
    }
    return total;
}

static void sbrk_until_pool_exhausted_fails_cleanly(void)
{
    struct cowl_poolstat st;
    int bad_pages = 0;

    touch_stack();
    memset(&st, 0, sizeof(st));
    heap_edge(0);
    char *start = sbrk(0);
    uint64 free0 = free_frames();
    uint64 grown = grow_until_full(MIB, &bad_pages);
    grown += grow_until_full(4096, &bad_pages);
    char *top = sbrk(0);
    int again = sbrk(4096) == (char *)-1;
    int stat_ok = poolstat(&st) == 0;
    /* Give it all back before anything else could need a frame. */
    for (uint64 left = grown; left > 0;) {
        int chunk = left > (uint64)(64 * MIB) ? 64 * MIB : (int)left;
        sbrk(-chunk);
        left -= (uint64)chunk;
    }
    EXPECT(stat_ok);
    EXPECT(again);
    EXPECT_EQ(top, start + grown);
    EXPECT_EQ(st.free, 0);
    EXPECT_EQ(bad_pages, 0);
    EXPECT(grown / 4096 + 64 >= free0); /* nearly every free frame went to the heap */
    EXPECT_EQ(sbrk(0), start);
    EXPECT_EQ(free_frames(), free0);
}

static void sbrk_negative_gives_frames_back(void)
{
    free_frames(); /* warm up: the first call may copy a COW stack page */
    char *p = sbrk(64 * 4096);
    EXPECT(p != (char *)-1);
    memset(p, 0xab, 64 * 4096);
    uint64 f1 = free_frames();
    EXPECT_EQ(sbrk(-64 * 4096), p + 64 * 4096);
    uint64 f2 = free_frames();
    EXPECT_EQ(f2, f1 + 64);
    EXPECT_EQ(sbrk(0), p);
    expect_killed(load_from, (long)(uint64)p, "load from the shrunk heap");
    p = sbrk(4096); /* regrown pages come back zeroed */
    EXPECT_EQ(p[0], 0);
    EXPECT_EQ(p[4095], 0);
}

static void sbrk_below_heap_start_fails(void)
{
    char *top = sbrk(0);

    EXPECT_EQ(sbrk(-(int)(1 << 30)), (char *)-1); /* the heap is far smaller */
    EXPECT_EQ(sbrk(0), top);
    EXPECT_EQ(sbrk(0x7fffffff), (char *)-1); /* 2 GiB: more than the pool */
    EXPECT_EQ(sbrk(0), top);
}

/* ---- 6. pipes ----------------------------------------------------------- */

#define TRANSFER (100 * 1024)

static uint8 pattern_byte(uint i)
{
    return (uint8)((i * 2654435761U) >> 24);
}

static void pipe_writer(long fd)
{
    char buf[1000];
    uint sent = 0;

    while (sent < TRANSFER) {
        uint n = TRANSFER - sent < 1000 ? TRANSFER - sent : 300 + sent % 700;
        for (uint i = 0; i < n; i++)
            buf[i] = (char)pattern_byte(sent + i);
        if (write((int)fd, buf, (int)n) != (int)n)
            exit(1);
        sent += n;
    }
}

static void pipe_large_transfer_arrives_intact(void)
{
    int fds[2];
    char buf[777];
    uint got = 0, mismatches = 0;
    uint64 sum = 0, want = 0;
    int n;

    make_pipe(fds);
    int pid = spawn(pipe_writer, fds[1]);
    close(fds[1]);
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
        for (int i = 0; i < n; i++) {
            mismatches += (uint8)buf[i] != pattern_byte(got + (uint)i);
            sum = sum * 31 + (uint8)buf[i];
        }
        got += (uint)n;
    }
    for (uint i = 0; i < TRANSFER; i++)
        want = want * 31 + pattern_byte(i);
    EXPECT_EQ(n, 0);
    EXPECT_EQ(got, TRANSFER);
    EXPECT_EQ(mismatches, 0);
    EXPECT(sum == want);
    EXPECT_EQ(wait_for(pid), 0);
    close(fds[0]);
}

static void write_hello(long fd)
{
    write((int)fd, "hello", 5);
}

static void pipe_read_returns_zero_at_eof(void)
{
    int fds[2];
    char buf[16];

    make_pipe(fds);
    EXPECT_EQ(write(fds[1], "abc", 3), 3);
    close(fds[1]);
    EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 3);
    EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 0);
    EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 0);
    close(fds[0]);

    /* The last writer is a child that exits without closing. */
    make_pipe(fds);
    int pid = spawn(write_hello, fds[1]);
    close(fds[1]);
    EXPECT_EQ(wait_for(pid), 0);
    EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 5);
    EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 0);
    close(fds[0]);
}

/* Fill the pipe and block; exit 0 if the write then ends short or with -1. */
static void blocked_writer(long fd)
{
    char buf[4096];

    memset(buf, 'w', sizeof(buf));
    int r = write((int)fd, buf, sizeof(buf));
    exit(r < (int)sizeof(buf) ? 0 : 1);
}

static void pipe_write_without_readers_fails(void)
{
    int fds[2];

    make_pipe(fds);
    close(fds[0]);
    EXPECT_EQ(write(fds[1], "x", 1), -1);
    close(fds[1]);

    make_pipe(fds);
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        blocked_writer(fds[1]);
    }
    close(fds[1]);
    sleep(3);
    close(fds[0]); /* the writer, blocked on a full pipe, loses its last reader */
    EXPECT_EQ(wait_for(pid), 0);
}

static void pipe_holder(long rounds)
{
    int fds[2];

    for (int i = 0; i < rounds; i++)
        if (pipe(fds) != 0)
            exit(1);
}

static void pipes_freed_on_close_and_exit(void)
{
    int fds[2];

    for (int i = 0; i < 200; i++) { /* more than the kernel's 64 pipes */
        make_pipe(fds);
        close_pipe(fds);
    }
    for (int i = 0; i < 20; i++) /* 6 pipes (12 descriptors) left open at each exit */
        EXPECT_EQ(wait_for(spawn(pipe_holder, 6)), 0);
}

/* ---- pin, process groups, the boot image's names -------------------------- */

static void pin_rejects_bad_hart(void)
{
    EXPECT_EQ(pin(-2), -1);
    EXPECT_EQ(pin(4096), -1);
    EXPECT_EQ(pin(1 << 30), -1);
    EXPECT_EQ(raw_syscall2(SYS_pin, -2, 0), -COWL_EINVAL);
    EXPECT_EQ(pin(COWL_PIN_ANY), 0);
}

/* Pinned to each hart in turn, the process runs there and stays there
 * across sleeps (the timer moves threads between harts otherwise). */
static void pin_runs_on_the_named_hart(void)
{
    int accepted = 0;

    for (int h = 0; h < 8; h++) {
        if (pin(h) < 0)
            continue;
        accepted++;
        for (int i = 0; i < 5; i++) {
            EXPECT_EQ(hartid(), h);
            sleep(1);
        }
    }
    printf("%s: pinned to %d hart(s)\n", test_case_name, accepted);
    EXPECT(accepted >= 1);
    EXPECT_EQ(pin(COWL_PIN_ANY), 0);
}

static void sleep_ticks(long ticks)
{
    sleep((int)ticks);
}

static void setpgid_only_for_self_and_children(void)
{
    EXPECT_EQ(setpgid(procnamed("pager"), 0), -1);
    EXPECT_EQ(setpgid(procnamed("init"), 0), -1);
    EXPECT_EQ(setpgid(-1, 0), -1);
    EXPECT_EQ(setpgid(0, -1), -1);
    EXPECT_EQ(setpgid(0, 0), 0);
    int pid = spawn(sleep_ticks, 10);
    EXPECT_EQ(setpgid(pid, getpid()), 0);
    EXPECT_EQ(wait_for(pid), 0);
    EXPECT_EQ(setpgid(pid, 0), -1); /* reaped: no such process */
    /* Only the console's shell chooses Ctrl-C's group: a program cannot
     * make itself immune, or aim Ctrl-C at another's jobs. */
    EXPECT_EQ(setfg(0), -1);
    EXPECT_EQ(setfg(getpid()), -1);
}

static void progname_lists_the_boot_image(void)
{
    struct bad_addr bad[NBAD];
    char name[32];
    int found = 0, k, n = bad_addresses(bad, 2);

    for (k = 0; progname(k, name, sizeof(name)) >= 0; k++)
        found += strcmp(name, "init") == 0 || strcmp(name, "sh") == 0 || strcmp(name, "ls") == 0 ||
                 strcmp(name, "usertests") == 0;
    EXPECT_EQ(found, 4);
    EXPECT_EQ(progname(k, name, sizeof(name)), -1);
    EXPECT_EQ(progname(-1, name, sizeof(name)), -1);
    EXPECT_EQ(progname(0, name, 0), -1);
    for (int i = 0; i < n; i++)
        if (progname(0, (char *)bad[i].va, 16) != -1)
            failed(__LINE__, "progname into %s did not fail", bad[i].what);
}

/* ---- the harness -------------------------------------------------------- */

/* The case table, from usertests.cases (tools/mkcases.py): one list feeds
 * this table and meson's boots. */
static const struct test_case tests[] = {
#define CASE(fn, name) {name, fn},
#include "usertests_cases.h"
#undef CASE
};

#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int main(int argc, char **argv)
{
    return test_main("usertests", tests, NTESTS, argc, argv);
}
