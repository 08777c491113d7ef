/*
 * hostiletest: the kernel against a pager that lies (boot with
 * `pager=hostile`; pager/hostile.c says how it lies). One case: processes
 * created after the test names them victims fault, grow their heaps, fork
 * and read pipes into copy-on-write pages while the pager answers them
 * with frames outside the pool, frames mapped elsewhere, the old frame,
 * reuse of shared frames, stale numbers and bad batches. What must hold:
 * every lie is refused; a victim that runs on sees only its own data; the
 * test process, whose pages the victims share, and a bystander family made
 * before the lying began keep every byte; and afterwards the pool and the
 * kernel's objects are back at their baseline with every count equal to
 * its mappings (the harness checks that).
 */
#include <user.h>
#include "harness.h"
#include "hostile.h"

#define PAGE    4096
#define PAGES   16
#define VICTIMS 24
#define AT_ONCE 4
#define CORRUPT 3
#define WORDS   (PAGE / sizeof(uint64))

int main(int argc, char **argv);

static uint64 *region; /* PAGES pages of the test process, shared with its children */

static void fill(uint64 *base, int first, int n, uint64 tag)
{
    for (int p = first; p < first + n; p++)
        for (uint i = 0; i < WORDS; i += 8)
            base[p * WORDS + i] = tag ^ ((uint64)p << 32) ^ i;
}

static int intact(const uint64 *base, int first, int n, uint64 tag)
{
    for (int p = first; p < first + n; p++)
        for (uint i = 0; i < WORDS; i += 8)
            if (base[p * WORDS + i] != (tag ^ ((uint64)p << 32) ^ i))
                return 0;
    return 1;
}

static uint64 hostile(uint64 what, uint64 floor, uint64 seed)
{
    struct cowl_msg m = {{PG_PING, what, floor, seed, 0}}, r;

    if (ipc_call(COWL_PAGER_EP, &m, &r) != 0 || r.w[0] != PG_OK)
        test_fail("the pager did not answer the hostile ping: boot with pager=hostile");
    return r.w[2];
}

/* ---- the bystanders: a parent and child sharing pages, made before the lies */

static void bystander(int go, int ready)
{
    uint64 *mine = (uint64 *)sbrk(PAGES * PAGE);
    fill(mine, 0, PAGES, 0xb0b0);
    int child = fork();
    if (child == 0) {
        fill(mine, 0, PAGES / 2, 0xc0c0); /* half its own now, half still shared */
    } else {
        write(ready, &child, sizeof(child));
    }
    char c;
    if (read(go, &c, 1) != 1)
        exit(4);
    int ok = child == 0
                 ? intact(mine, 0, PAGES / 2, 0xc0c0) && intact(mine, PAGES / 2, PAGES / 2, 0xb0b0)
                 : intact(mine, 0, PAGES, 0xb0b0);
    if (child == 0)
        exit(ok ? 0 : CORRUPT);
    int status = -1;
    wait(&status);
    exit(ok && status == 0 ? 0 : CORRUPT);
}

/* ---- a victim: every way to ask the pager for something ---------------- */

static void victim_pipe_read(uint64 *page)
{
    int fds[2];
    char msg[64];

    if (pipe(fds) < 0)
        return;
    for (uint i = 0; i < sizeof(msg); i++)
        msg[i] = (char)(0x40 + i);
    write(fds[1], msg, sizeof(msg));
    /* A copyout into a shared page: refused lies give -1, never bad bytes. */
    if (read(fds[0], page, sizeof(msg)) == sizeof(msg) && memcmp(page, msg, sizeof(msg)))
        exit(CORRUPT);
    close(fds[0]);
    close(fds[1]);
}

static void victim(uint64 tag)
{
    fill(region, 0, PAGES, tag); /* copy-on-write faults on the test's pages */
    if (!intact(region, 0, PAGES, tag))
        exit(CORRUPT);
    uint64 *heap = (uint64 *)sbrk(4 * PAGE);
    if (heap != (uint64 *)-1) {
        fill(heap, 0, 4, tag + 1);
        if (!intact(heap, 0, 4, tag + 1))
            exit(CORRUPT);
    }
    int child = fork();
    if (child == 0) {
        fill(region, 0, PAGES, tag + 2);
        exit(intact(region, 0, PAGES, tag + 2) ? 0 : CORRUPT);
    }
    if (!intact(region, 0, PAGES, tag))
        exit(CORRUPT);
    victim_pipe_read(region + WORDS);
    if (child > 0) {
        int status = 0;
        wait(&status);
        if (status == CORRUPT)
            exit(CORRUPT);
    }
    exit(0);
}

/* Run VICTIMS victims, AT_ONCE at a time; returns how many were killed. */
static int victim_storm(void)
{
    int killed = 0, running = 0;

    for (int v = 0; v < VICTIMS || running;) {
        if (v < VICTIMS && running < AT_ONCE) {
            int pid = fork();
            if (pid == 0)
                victim(0x1000UL * (v + 1));
            if (pid > 0)
                running++;
            v++;
            continue;
        }
        int status = 0;
        if (wait(&status) < 0)
            break;
        running--;
        if (status == CORRUPT)
            test_fail("a victim saw memory that was not its own");
        killed += status == -1;
    }
    return killed;
}

static void lying_pager_harms_only_its_victims(void)
{
    int go[2], ready[2], bystander_child;
    struct cowl_kstat before, after;
    struct cowl_poolstat mode;

    region = (uint64 *)sbrk(PAGES * PAGE);
    fill(region, 0, PAGES, 0xa0a0);
    if (pipe(go) < 0 || pipe(ready) < 0)
        test_fail("pipe failed");
    int by = fork();
    if (by == 0)
        bystander(go[0], ready[1]);
    if (by < 0 || read(ready[0], &bystander_child, sizeof(int)) != sizeof(int))
        test_fail("the bystanders did not start");
    kstat(&before);
    poolstat(&mode);

    hostile(HOSTILE_START, (uint64)bystander_child + 1, 0x5eed);
    int killed = victim_storm();
    uint64 lies = hostile(HOSTILE_STOP, 0, 0);

    kstat(&after);
    printf("hostile: %lu lies told, %lu refused by the kernel, %d victims killed\n", lies,
           after.rejected - before.rejected, killed);
    if (lies == 0 || after.rejected == before.rejected)
        test_fail("the pager told no lie or the kernel refused none");
    if (mode.mode == COWL_MODE_PAGER && killed == 0)
        test_fail("no victim was killed for a refused fault decision");
    if (!intact(region, 0, PAGES, 0xa0a0))
        test_fail("the test process's pages changed under it");
    write(go[1], "gg", 2);
    int status = -1;
    if (wait(&status) != by || status != 0)
        test_fail("the bystanders found their pages changed (status %d)", status);
}

static const struct test_case tests[] = {
    {"lying-pager-harms-only-its-victims", lying_pager_harms_only_its_victims},
};

int main(int argc, char **argv)
{
    return test_main("hostiletest", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
