/*
 * cowtest: copy-on-write fork, case by case. `cowtest CASE` runs one case and
 * prints `CASE: ok` (exit 0) or `CASE: FAILED <why>` (exit 1); with no
 * argument it runs them all.
 *
 * Every case runs in a forked child and is checked by the harness shared
 * with usertests (harness.h): exit status, no leaked frame, every frame's
 * count equal to its mappings.
 *
 * The three builds differ: cow=pager and cow=kernel share pages at fork and
 * copy on the first store; cow=eager copies everything at fork. Cases read
 * poolstat().mode where the expected behaviour differs.
 */
#include <stdbool.h>
#include <user.h>
#include "harness.h"

#define PAGE 4096UL

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__VA_ARGS__);                                                                \
    } while (0)

/* ---- Helpers. ---- */

static struct cowl_poolstat stat_now(void)
{
    struct cowl_poolstat st;

    CHECK(poolstat(&st) == 0, "poolstat failed");
    return st;
}

static bool cow_mode(void)
{
    return stat_now().mode != COWL_MODE_EAGER;
}

/* n fresh zeroed pages from sbrk, page-aligned; fails the case if they do not fit. */
static char *alloc_pages(uint64 n)
{
    uint64 pad = (PAGE - (uint64)sbrk(0) % PAGE) % PAGE;
    char *p = sbrk((int)(pad + n * PAGE));

    CHECK(p != (char *)-1, "sbrk of %lu pages failed", n);
    return p + pad;
}

static uint64 pattern(uint64 seed, uint64 page)
{
    return seed * 0x9e3779b97f4a7c15UL + page * 0x100000001UL + 1;
}

/* Write the pattern of seed into the first and last word of each page. */
static void fill(char *pages, uint64 n, uint64 seed)
{
    for (uint64 i = 0; i < n; i++) {
        volatile uint64 *w = (volatile uint64 *)(pages + i * PAGE);
        w[0] = pattern(seed, i);
        w[PAGE / 8 - 1] = ~pattern(seed, i);
    }
}

static void verify(const char *pages, uint64 n, uint64 seed, const char *who)
{
    for (uint64 i = 0; i < n; i++) {
        const volatile uint64 *w = (const volatile uint64 *)(pages + i * PAGE);
        CHECK(w[0] == pattern(seed, i) && w[PAGE / 8 - 1] == ~pattern(seed, i),
              "%s: page %lu of %lu holds 0x%lx, expected pattern %lu", who, i, n, w[0], seed);
    }
}

/* Wait for pid and return its exit status (-1 if it was killed). */
static int wait_for(int pid)
{
    int status = 12345;
    int got = wait(&status);

    CHECK(got == pid, "wait returned %d, expected child %d", got, pid);
    return status;
}

static void expect_exit(int pid, int want, const char *what)
{
    int status = wait_for(pid);

    CHECK(status == want, "%s exited with %d, expected %d", what, status, want);
}

static int xfork(void)
{
    int pid = fork();

    CHECK(pid >= 0, "fork failed");
    return pid;
}

static void xpipe(int *fds)
{
    CHECK(pipe(fds) == 0, "pipe failed");
}

/* Pages of bss the cases share: page-aligned, so a case owns whole pages. */
static char cow_area[8 * PAGE] __attribute__((aligned(4096)));

/* ---- Cases. ---- */

/* Fork a process holding two thirds of the pool, twice in a row. */
static void fork_after_two_thirds_of_pool(void)
{
    uint64 n = stat_now().free * 2 / 3;
    char *pages = alloc_pages(n);

    fill(pages, n, 1);
    for (int round = 0; round < 2; round++) {
        struct cowl_poolstat before = stat_now();
        int pid = fork();
        if (!cow_mode()) {
            CHECK(pid < 0, "eager fork of %lu pages with %lu free succeeded", n, before.free);
            CHECK(stat_now().free == before.free, "failed fork left %lu free of %lu",
                  stat_now().free, before.free);
            continue;
        }
        CHECK(pid >= 0, "fork %d failed", round);
        if (pid == 0) {
            verify(pages, n, 1, "child");
            fill(pages, n / 4, 10 + round);
            verify(pages, n / 4, 10 + round, "child after writing");
            exit(0);
        }
        expect_exit(pid, 0, "child");
        verify(pages, n, 1, "parent");
    }
    verify(pages, n, 1, "parent at the end");
}

/* Parent, child and grandchild each write their own pattern into 8192 pages. */
static void three_generations_8192_pages(void)
{
    const uint64 n = 8192;
    char *pages = alloc_pages(n);

    fill(pages, n, 1);
    int child = xfork();
    if (child == 0) {
        verify(pages, n, 1, "child, inherited");
        fill(pages, n, 2);
        int grandchild = xfork();
        if (grandchild == 0) {
            verify(pages, n, 2, "grandchild, inherited");
            fill(pages, n, 3);
            verify(pages, n, 3, "grandchild");
            exit(0);
        }
        verify(pages, n, 2, "child");
        expect_exit(grandchild, 0, "grandchild");
        verify(pages, n, 2, "child after the grandchild");
        exit(0);
    }
    fill(pages, n, 4);
    verify(pages, n, 4, "parent");
    expect_exit(child, 0, "child");
    verify(pages, n, 4, "parent after the child");
}

/* read() into a buffer on a COW page writes the child's copy only. */
static void pipe_read_into_cow_page_leaves_parent_intact(void)
{
    static const char msg[] = "written by the child through read()";
    char *buf = cow_area + 100;
    int fds[2];

    memset(cow_area, 'P', PAGE);
    xpipe(fds);
    int pid = xfork();
    if (pid == 0) {
        CHECK(write(fds[1], msg, sizeof(msg)) == sizeof(msg), "child: pipe write failed");
        int got = read(fds[0], buf, sizeof(msg));
        CHECK(got == sizeof(msg), "child: read returned %d", got);
        CHECK(memcmp(buf, msg, sizeof(msg)) == 0, "child: read data wrong: %s", buf);
        exit(0);
    }
    expect_exit(pid, 0, "child");
    for (uint64 i = 0; i < PAGE; i++)
        CHECK(cow_area[i] == 'P', "parent's byte %lu became %d", i, cow_area[i]);
    close(fds[0]);
    close(fds[1]);
}

/* Wait for n children in any order; how many failed or could not be reaped. */
static int reap(int n)
{
    int bad = 0, status;

    for (int i = 0; i < n; i++)
        bad += wait(&status) < 0 || status != 0;
    return bad;
}

/* `fork(); fork();`, then wait for what this process forked and exit. */
static void fork_fork_and_exit(void)
{
    int a = fork();
    int b = fork();

    /* The second fork's child inherited a, but a is its sibling, not its child. */
    int children = (b > 0) + (a > 0 && b != 0);
    exit(a < 0 || b < 0 || reap(children) != 0);
}

/* Many short-lived forks of forks leave the parent's pages intact. */
static void fork_fork_rounds(void)
{
    const uint64 n = 256;
    char *pages = alloc_pages(n);

    fill(pages, n, 5);
    for (int round = 0; round < 100; round++) {
        for (int i = 0; i < 3; i++)
            if (xfork() == 0)
                fork_fork_and_exit();
        int bad = reap(3);
        CHECK(bad == 0, "round %d: %d fork-fork children failed", round, bad);
        verify(pages, n, 5, "parent");
    }
}

/* Attempt read() into main's text, in this process; fail the case unless -1. */
static void read_into_text_fails(const char *who)
{
    unsigned char before[32], *text = (unsigned char *)fork_fork_rounds;
    int fds[2];

    memmove(before, text, sizeof(before));
    xpipe(fds);
    CHECK(write(fds[1], "XXXXXXXXXXXXXXXX", 16) == 16, "%s: pipe write failed", who);
    int got = read(fds[0], text, 16);
    CHECK(got == -1, "%s: read into text returned %d", who, got);
    CHECK(memcmp(before, text, sizeof(before)) == 0, "%s: text changed", who);
    close(fds[0]);
    close(fds[1]);
}

/* copy_out refuses a read-only, non-COW page (text), before and after fork. */
static void copyout_into_text_fails(void)
{
    read_into_text_fails("before fork");
    int pid = xfork();
    if (pid == 0) {
        read_into_text_fails("child");
        exit(0);
    }
    read_into_text_fails("parent after fork");
    expect_exit(pid, 0, "child");
    read_into_text_fails("parent after the child");
}

/* One read() whose copy_out crosses from one COW page into the next, and a
 * 6000-byte transfer into a buffer that starts mid-page and spans two. */
static void copyout_spanning_two_cow_pages(void)
{
    const int big = 6000, small = 128; /* small: one pipe read moves at most 128 bytes */
    char *cross = cow_area + PAGE - small / 2;
    char *buf = cow_area + 2 * PAGE + PAGE / 2 - 1000;
    char data[128];
    int fds[2];

    memset(cow_area, 'P', 4 * PAGE);
    xpipe(fds);
    int pid = xfork();
    if (pid == 0) {
        int self[2];
        xpipe(self);
        for (int i = 0; i < small; i++)
            data[i] = (char)('a' + i % 26);
        CHECK(write(self[1], data, small) == small, "child: pipe write failed");
        int got = read(self[0], cross, small);
        CHECK(got == small, "child: read across two pages returned %d", got);
        CHECK(memcmp(cross, data, small) == 0, "child: data across two pages wrong");
        close(fds[1]);
        for (int done = 0; done < big; done += got) {
            got = read(fds[0], buf + done, big - done);
            CHECK(got > 0, "child: read returned %d after %d bytes", got, done);
        }
        for (int i = 0; i < big; i++)
            CHECK(buf[i] == (char)(i * 7 + 3), "child: byte %d wrong", i);
        exit(0);
    }
    close(fds[0]);
    for (int i = 0; i < big; i += sizeof(data)) {
        int n = big - i < (int)sizeof(data) ? big - i : (int)sizeof(data);
        for (int j = 0; j < n; j++)
            data[j] = (char)((i + j) * 7 + 3);
        CHECK(write(fds[1], data, n) == n, "parent: pipe write failed");
    }
    close(fds[1]);
    expect_exit(pid, 0, "child");
    for (uint64 i = 0; i < 4 * PAGE; i++)
        CHECK(cow_area[i] == 'P', "parent's byte %lu became %d", i, cow_area[i]);
}

/* Kernel writes of small results (pipe's fds, wait's status) into COW pages. */
static int fds_page[PAGE / sizeof(int)] __attribute__((aligned(4096)));
static int status_page[PAGE / sizeof(int)] __attribute__((aligned(4096)));

static void pipe_writes_fds_into_cow_page(void)
{
    fds_page[0] = -7;
    fds_page[1] = -8;
    status_page[0] = 0x5555;
    int pid = xfork();
    if (pid == 0) {
        CHECK(pipe(fds_page) == 0, "child: pipe into a COW page failed");
        CHECK(fds_page[0] >= 0 && fds_page[1] >= 0, "child: fds %d %d", fds_page[0], fds_page[1]);
        char c = 0;
        CHECK(write(fds_page[1], "z", 1) == 1 && read(fds_page[0], &c, 1) == 1 && c == 'z',
              "child: the new pipe does not work");
        int grandchild = xfork();
        if (grandchild == 0)
            exit(42);
        CHECK(wait(status_page) == grandchild, "child: wait into a COW page failed");
        CHECK(status_page[0] == 42, "child: status %d, expected 42", status_page[0]);
        exit(0);
    }
    expect_exit(pid, 0, "child");
    CHECK(fds_page[0] == -7 && fds_page[1] == -8, "parent's fds became %d %d", fds_page[0],
          fds_page[1]);
    CHECK(status_page[0] == 0x5555, "parent's status word became %d", status_page[0]);
}

/* The parent's store right after fork must not reach the child through a
 * writable TLB entry left over from before the fork, on any hart. The
 * parent is pinned to its hart and the child to another one, so the two
 * really run side by side; on one hart the case says so and checks only
 * the same-hart part. */
static volatile uint64 tlb_page[PAGE / 8] __attribute__((aligned(4096)));

/* A hart other than `not`, or -1 when there is only one. */
static int other_hart(int not )
{
    for (int h = 0; h < 8; h++)
        if (h != not &&pin(h) == 0) {
            CHECK(pin(not ) == 0, "could not pin back to hart %d", not );
            return h;
        }
    return -1;
}

static void write_after_fork_on_another_hart_invisible_to_child(void)
{
    const uint64 old = 0x01d01d01d, new = 0x0e40e40e4;
    int ready[2], go[2];
    char c;

    xpipe(ready);
    xpipe(go);
    int parent_hart = hartid();
    CHECK(pin(parent_hart) == 0, "pin to hart %d failed", parent_hart);
    int child_hart = other_hart(parent_hart);
    if (child_hart < 0)
        printf("%s: one hart only: parent and child cannot run on different harts; "
               "checking the same-hart case only\n",
               test_case_name);
    for (int i = 0; i < 10000; i++)
        tlb_page[i % 4] = old;
    tlb_page[0] = old;
    int pid = fork();
    if (pid > 0)
        tlb_page[0] = new; /* the parent's first store after fork */
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
        CHECK(child_hart < 0 || pin(child_hart) == 0, "child: pin to hart %d failed", child_hart);
        int hart = hartid();
        CHECK(child_hart < 0 || hart == child_hart, "child runs on hart %d, pinned to %d", hart,
              child_hart);
        CHECK(write(ready[1], "r", 1) == 1, "child: handshake failed");
        for (int i = 0; i < 200000; i++)
            CHECK(tlb_page[0] == old, "child (hart %d): saw the parent's store 0x%lx", hart,
                  tlb_page[0]);
        CHECK(read(go[0], &c, 1) == 1, "child: handshake failed");
        CHECK(tlb_page[0] == old, "child (hart %d): saw the parent's store after go", hart);
        printf("%s: child ran on hart %d\n", test_case_name, hart);
        exit(0);
    }
    int hart = hartid();
    CHECK(hart == parent_hart, "parent runs on hart %d, pinned to %d", hart, parent_hart);
    CHECK(read(ready[0], &c, 1) == 1, "parent: handshake failed");
    for (int i = 0; i < 200000; i++)
        tlb_page[0] = new + (i & 1);
    tlb_page[0] = new;
    CHECK(write(go[1], "g", 1) == 1, "parent: handshake failed");
    expect_exit(pid, 0, "child");
    CHECK(tlb_page[0] == new, "parent lost its own store");
    CHECK(hartid() == parent_hart, "parent left hart %d", parent_hart);
    printf("%s: parent ran on hart %d\n", test_case_name, hart);
    CHECK(pin(COWL_PIN_ANY) == 0, "unpin failed");
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(go[i]);
    }
}

/* Three sharers of the same 1,024 pages store to them in the same order at
 * once, one per hart where there are harts: each page's first store is
 * decided a copy while another sharer's store to it is still in flight, and
 * the last sharer's a reuse that must wait for the copies out of the frame.
 * Every process must keep its own bytes, and the kernel must refuse none of
 * the pager's honest answers. */
static void sharers_store_same_pages_at_once(void)
{
    enum { SHARERS = 3, PAGES = 1024 };
    _Static_assert(SHARERS == 3, "the wait below names both sharers");
    char *pages = alloc_pages(PAGES);
    int go[2], done[2], check[2], pids[SHARERS - 1];
    struct cowl_kstat k0, k1;
    char c;

    fill(pages, PAGES, 1);
    xpipe(go);
    xpipe(done);
    xpipe(check);
    CHECK(kstat(&k0) == 0, "kstat failed");
    for (int s = 1; s < SHARERS; s++) {
        pids[s - 1] = xfork();
        if (pids[s - 1] == 0) {
            pin(s); /* a hart of its own if there is one; else anywhere */
            CHECK(read(go[0], &c, 1) == 1, "sharer %d: handshake failed", s);
            fill(pages, PAGES, 1 + s);
            CHECK(write(done[1], "d", 1) == 1, "sharer %d: handshake failed", s);
            CHECK(read(check[0], &c, 1) == 1, "sharer %d: handshake failed", s);
            verify(pages, PAGES, 1 + s, "sharer");
            exit(0);
        }
    }
    pin(0);
    for (int s = 1; s < SHARERS; s++)
        CHECK(write(go[1], "g", 1) == 1, "parent: handshake failed");
    fill(pages, PAGES, 1);
    for (int s = 1; s < SHARERS; s++)
        CHECK(read(done[0], &c, 1) == 1, "parent: handshake failed");
    for (int s = 1; s < SHARERS; s++)
        CHECK(write(check[1], "c", 1) == 1, "parent: handshake failed");
    for (int s = 1; s < SHARERS; s++) {
        int status = -1, got = wait(&status);
        CHECK(got == pids[0] || got == pids[1], "wait returned %d, not a sharer", got);
        CHECK(status == 0, "sharer %d exited with %d", got, status);
    }
    verify(pages, PAGES, 1, "parent");
    CHECK(kstat(&k1) == 0, "kstat failed");
    CHECK(k1.rejected == k0.rejected, "the kernel refused %lu honest answers",
          k1.rejected - k0.rejected);
    CHECK(pin(COWL_PIN_ANY) == 0, "unpin failed");
    for (int i = 0; i < 2; i++) {
        close(go[i]);
        close(done[i]);
        close(check[i]);
    }
}

static int data_word = 42; /* in .data: its page is the first writable one */
const int ro_word = 7;     /* in .rodata: mapped read-only, never COW */

static int __attribute__((noinline)) text_function(int x)
{
    return x * 3 + 1;
}

/* A COW copy keeps the page's flags: text next to it still runs, rodata
 * stays read-only. */
static void child_runs_code_next_to_written_page(void)
{
    data_word = 43;
    int pid = xfork();
    if (pid == 0) {
        data_word = 44;
        CHECK(*(volatile int *)&data_word == 44, "child: data page lost its store");
        CHECK(text_function(data_word) == 133, "child: text function gave a wrong result");
        int store = xfork();
        if (store == 0) {
            *(volatile int *)&ro_word = 8;
            exit(0);
        }
        expect_exit(store, -1, "grandchild storing to rodata");
        CHECK(*(volatile const int *)&ro_word == 7, "child: rodata became %d", ro_word);
        exit(0);
    }
    expect_exit(pid, 0, "child writing data then calling text");
    CHECK(data_word == 43, "parent's data word became %d", data_word);
    CHECK(*(volatile const int *)&ro_word == 7, "parent: rodata became %d", ro_word);
}

/* Write one byte into each of the deepest stack pages this process may use,
 * so later stores there need no frame. */
static void __attribute__((noinline)) own_stack_pages(void)
{
    volatile char deep[5 * PAGE];

    for (uint64 i = 0; i < sizeof(deep); i += PAGE)
        deep[i] = 1;
}

/* Take every frame that sbrk can still get. */
static void take_every_frame(void)
{
    for (int chunk = 4096; chunk > 0;)
        if (sbrk(chunk * (int)PAGE) == (char *)-1)
            chunk /= 2;
}

/* A COW fault that finds no free frame kills the faulting process only. */
static void out_of_frames_during_fault_kills_only_the_faulter(void)
{
    uint64 n = stat_now().free * 3 / 5;
    char *pages = alloc_pages(n);
    int go[2];

    fill(pages, n, 6);
    xpipe(go);
    uint64 free_before = stat_now().free;
    int pid = fork();
    if (!cow_mode()) {
        CHECK(pid < 0, "eager fork of %lu pages fitted", n);
        CHECK(stat_now().free == free_before, "failed fork left %lu free of %lu", stat_now().free,
              free_before);
        return;
    }
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
        char c;
        CHECK(read(go[0], &c, 1) == 1, "child: handshake failed");
        take_every_frame();
        fill(pages, n, 7);
        exit(0); /* not reached: some store above needed a frame */
    }
    own_stack_pages(); /* before the child takes every frame */
    CHECK(write(go[1], "g", 1) == 1, "parent: handshake failed");
    expect_exit(pid, -1, "child that ran out of frames");
    verify(pages, n, 6, "parent");
    close(go[0]);
    close(go[1]);
}

/* Once the child is gone, the parent's store makes its page writable again
 * without a copy; while the child lives, the store copies. */
static void reuse_without_copy(void)
{
    char *pages = alloc_pages(2);
    int go[2];
    char c;

    fill(pages, 2, 8);
    xpipe(go);
    int pid = xfork();
    if (pid == 0) {
        CHECK(read(go[0], &c, 1) == 1, "child: handshake failed");
        exit(0);
    }
    own_stack_pages(); /* so only the stores below can copy */
    struct cowl_poolstat before = stat_now();
    pages[0] = 1;
    struct cowl_poolstat after = stat_now();
    uint64 copies = cow_mode() ? 1 : 0;
    CHECK(after.used == before.used + copies, "store with the child alive: used %lu -> %lu",
          before.used, after.used);
    CHECK(write(go[1], "g", 1) == 1, "parent: handshake failed");
    expect_exit(pid, 0, "child");
    before = stat_now();
    pages[PAGE] = 1;
    after = stat_now();
    CHECK(after.used == before.used && after.free == before.free,
          "store after the child exited: used %lu -> %lu, free %lu -> %lu", before.used, after.used,
          before.free, after.free);
    close(go[0]);
    close(go[1]);
}

/* Leaf tables shared at fork outlive whichever sharer goes first, and a
 * sharer that stores into them or shrinks its heap over them gets copies of
 * its own: the test process's pages stay as they were throughout, and the
 * counts match the mappings after. The grandchild, whose parent exits first,
 * says how it fared through a pipe (it is init's to wait for), and stays
 * until the counts are checked, so that no exit is under way meanwhile. */
static void shared_tables_outlive_their_sharers(void)
{
    const uint64 n = 1536; /* three leaf tables' worth, or parts of four */
    char *pages = alloc_pages(n);
    int done[2], gone[2], hold[2];
    char c = 0;

    fill(pages, n, 5);
    xpipe(done);
    xpipe(hold);
    int child = xfork();
    if (child == 0) {
        xpipe(gone);
        if (xfork() == 0) {
            close(gone[1]);
            close(hold[1]);
            CHECK(read(gone[0], &c, 1) == 0, "grandchild: its parent did not go");
            verify(pages, n, 5, "grandchild");
            fill(pages, n / 2, 6);
            CHECK(sbrk(-(int)(n / 4 * PAGE)) != (char *)-1, "grandchild: sbrk shrink failed");
            verify(pages, n / 2, 6, "grandchild");
            for (uint64 i = n / 2; i < n - n / 4; i++)
                CHECK(*(volatile uint64 *)(pages + i * PAGE) == pattern(5, i),
                      "grandchild: page %lu changed", i);
            CHECK(write(done[1], "y", 1) == 1, "grandchild: report failed");
            read(hold[0], &c, 1); /* until the test process has checked */
            exit(0);
        }
        exit(0); /* its tables' other sharers remain */
    }
    close(done[1]);
    expect_exit(child, 0, "child");
    CHECK(read(done[0], &c, 1) == 1 && c == 'y', "the grandchild failed");
    verify(pages, n, 5, "parent");
    int bad = poolcheck();
    close(hold[1]);
    close(hold[0]);
    close(done[0]);
    CHECK(bad == 0, "poolcheck found %d mismatches", bad);
}

/* While parent and child share many pages, each frame's count equals its
 * mappings: with their leaf tables shared (fork counts no frame twice), and
 * after a store by the parent gave it a copy of one table (each frame of it
 * is then mapped twice, and counted so), which the child does not see. */
static void counts_match_mappings(void)
{
    const uint64 n = 1024, table_span = 2 << 20;
    char *pages = alloc_pages(n);
    int go[2];
    char c;

    fill(pages, n, 9);
    xpipe(go);
    int pid = xfork();
    if (pid == 0) {
        CHECK(read(go[0], &c, 1) == 1, "child: handshake failed");
        verify(pages, n, 9, "child");
        exit(0);
    }
    int shared_tables = poolcheck();
    struct cowl_poolstat before = stat_now();
    pages[0] = 7;
    int own_table = poolcheck();
    struct cowl_poolstat st = stat_now();
    CHECK(write(go[1], "g", 1) == 1, "parent: handshake failed");
    expect_exit(pid, 0, "child");
    CHECK(shared_tables == 0, "poolcheck found %d mismatches with the tables shared",
          shared_tables);
    CHECK(own_table == 0, "poolcheck found %d mismatches after the parent's store", own_table);
    CHECK(pages[0] == 7, "parent: its store is gone");
    /* The pages of the range in pages[0]'s leaf table, less the one copied. */
    uint64 in_table = (table_span - ((uint64)pages & (table_span - 1))) / PAGE;
    in_table = (in_table < n ? in_table : n) - 1;
    if (cow_mode())
        CHECK(st.shared >= before.shared + in_table,
              "%lu frames shared after the parent's store, %lu before; want %lu more", st.shared,
              before.shared, in_table);
    else
        CHECK(st.shared == 0, "eager fork left %lu frames shared", st.shared);
    close(go[0]);
    close(go[1]);
}

/* Only the kernel may ask the pager for decisions, and only the pager may answer. */
static void non_pager_decision_refused(void)
{
    bool pager = stat_now().mode != COWL_MODE_KERNEL;
    union pg_msg m = {.reply = {.label = PG_COPY, .seq = 1, .frame = 0x88000000}}, out;

    int r = ipc_reply(&m.raw);
    CHECK(r < 0, "ipc_reply of a forged PG_COPY returned %d", r);

    m = (union pg_msg){.fault = {.label = PG_FAULT, .va = (uint64)cow_area, .frame = 0x88000000}};
    out = (union pg_msg){.reply = {.label = 0}};
    r = ipc_call(COWL_PAGER_EP, &m.raw, &out.raw);
    if (!pager) {
        CHECK(r == -COWL_EBADF, "cow=kernel: call to the pager endpoint returned %d", r);
        return;
    }
    CHECK(r == 0 && out.reply.label == PG_FAIL, "PG_FAULT from a process: status %d label %u", r,
          out.reply.label);

    m = (union pg_msg){.batch = {.label = PG_PING}};
    out = (union pg_msg){.reply = {.label = 0}};
    r = ipc_call(COWL_PAGER_EP, &m.raw, &out.raw);
    CHECK(r == 0 && out.reply.label == PG_OK, "PG_PING: status %d label %u", r, out.reply.label);

    r = ipc_recv(COWL_PAGER_EP, &out.raw, 0);
    CHECK(r == -COWL_EPERM, "recv on the pager's endpoint returned %d", r);
}

/* ---- Harness. ---- */

/* The case table, from cowtest.cases (tools/mkcases.py): one list feeds
 * this table and meson's boots. */
static const struct test_case cases[] = {
#define CASE(fn, name) {name, fn},
#include "cowtest_cases.h"
#undef CASE
};

#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

int main(int argc, char **argv)
{
    return test_main("cowtest", cases, NCASES, argc, argv);
}
