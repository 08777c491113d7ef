/*
 * One harness for every test program: see harness.h. A case's child exits
 * with CASE_PASSED when its body returns, so that a stray exec of a program
 * exiting 0 cannot pass for the case. After the child, the pool and the
 * kernel's own objects must be back where they were: orphans the case left
 * to init may still be on their way out, so both get a bounded grace period
 * (SETTLE_TICKS) to settle; a real leak never settles. The same goes for the
 * baseline and for poolcheck: the pager's lanes decide faults of other
 * processes (init's, after it forked us) while we read the pool, and a
 * decision counts the new frame before the kernel maps it, so a figure
 * taken in that window is off until the fault is applied. A baseline is
 * taken when two readings a tick apart agree, and poolcheck is asked again
 * until it finds nothing (or the grace period ends).
 */
#include <user.h>
#include "harness.h"

#define CASE_PASSED  85
#define CASE_FAILED  1
#define SETTLE_TICKS 300

const char *test_case_name = "test";

void test_fail(const char *fmt, ...)
{
    va_list ap;
    printf("%s: FAILED ", test_case_name);
    va_start(ap, fmt);
    vprintf(1, fmt, ap);
    va_end(ap);
    printf("\n");
    exit(CASE_FAILED);
}

/* The first kernel object count that differs between a and b (or, if
 * only_growth, that b has more of), or 0. */
static const char *kstat_compare(const struct cowl_kstat *a, const struct cowl_kstat *b,
                                 int *detail, int only_growth)
{
    static const char *const names[] = {"threads", "spaces", "endpoints",
                                        "files",   "pipes",  "kernel pages"};
    const uint64 va[] = {a->threads, a->spaces, a->endpoints, a->files, a->pipes, a->kpages};
    const uint64 vb[] = {b->threads, b->spaces, b->endpoints, b->files, b->pipes, b->kpages};

    for (uint i = 0; i < sizeof(va) / sizeof(va[0]); i++)
        if (only_growth ? vb[i] > va[i] : va[i] != vb[i]) {
            *detail = (int)(vb[i] - va[i]);
            return names[i];
        }
    return 0;
}

/* The first kernel object count that differs between a and b, or 0. */
static const char *kstat_differs(const struct cowl_kstat *a, const struct cowl_kstat *b,
                                 int *detail)
{
    return kstat_compare(a, b, detail, 0);
}

/* The first kernel object count that b has more of than a, or 0: a leak
 * grows a count, and one below the baseline is an object that something
 * on its way out at the baseline (an orphan of an earlier case, which
 * init reaps in its own time) held then and has given back since. */
static const char *kstat_grew(const struct cowl_kstat *a, const struct cowl_kstat *b, int *detail)
{
    return kstat_compare(a, b, detail, 1);
}

/* Wait (bounded) for the kernel's objects to return to *before, or below. */
static const char *kernel_objects_leaked(const struct cowl_kstat *before, int *detail)
{
    struct cowl_kstat now;
    const char *what = "kstat failed";

    for (int t = 0; t < SETTLE_TICKS; t++) {
        if (kstat(&now) != 0)
            return "kstat failed";
        if (!(what = kstat_grew(before, &now, detail)))
            return 0;
        sleep(1);
    }
    return what;
}

/* The baseline: the pool's figures and the kernel's object counts once two
 * readings a tick apart agree (see the top; the program that runs the case
 * may have been started a moment ago, and its parent may still be settling
 * what the fork and exec left). */
static int stable_baseline(struct cowl_poolstat *st, struct cowl_kstat *k)
{
    struct cowl_poolstat again;
    struct cowl_kstat kagain;
    int detail;
    if (poolstat(st) != 0 || kstat(k) != 0)
        return -1;
    for (int t = 0; t < SETTLE_TICKS; t++) {
        sleep(1);
        if (poolstat(&again) != 0 || kstat(&kagain) != 0)
            return -1;
        if (again.free == st->free && !kstat_differs(k, &kagain, &detail))
            return 0;
        *st = again;
        *k = kagain;
    }
    return 0;
}

/* The checks after the child: returns the reason it failed, or 0. */
static const char *verdict(int status, const struct cowl_poolstat *before,
                           const struct cowl_kstat *kbefore, int *detail)
{
    static char why[96];
    const char *what;
    struct cowl_poolstat after;
    if (status != CASE_PASSED) {
        *detail = status;
        return status == CASE_FAILED ? "" : "the case's process exited with status %d";
    }
    for (int t = 0; t < SETTLE_TICKS; t++) {
        if (poolstat(&after) != 0)
            return "poolstat failed";
        if (after.free == before->free)
            break;
        sleep(1); /* orphans of the case may still be on their way out */
    }
    if (after.free != before->free) {
        *detail = (int)(before->free - after.free);
        return "%d frames leaked";
    }
    for (int t = 0; t < SETTLE_TICKS && (*detail = poolcheck()) > 0; t++)
        sleep(1);
    if (*detail != 0)
        return "poolcheck found %d frames whose count is not their number of mappings";
    if ((what = kernel_objects_leaked(kbefore, detail))) {
        strcpy(why, "kernel objects leaked: ");
        strcpy(why + strlen(why), what);
        strcpy(why + strlen(why), " changed by %d");
        return why;
    }
    return 0;
}

static int run_case(const struct test_case *c)
{
    struct cowl_poolstat before;
    struct cowl_kstat kbefore;
    int status = -1, detail = 0, start = uptime();
    if (stable_baseline(&before, &kbefore) != 0) {
        printf("%s: FAILED poolstat or kstat failed\n", c->name);
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        test_case_name = c->name;
        c->run();
        exit(CASE_PASSED);
    }
    if (pid < 0 || wait(&status) != pid) {
        printf("%s: FAILED could not fork and wait for the case\n", c->name);
        return 1;
    }
    const char *why = verdict(status, &before, &kbefore, &detail);
    if (why) {
        if (*why) {
            printf("%s: FAILED ", c->name);
            printf(why, detail);
            printf("\n");
        }
        return 1;
    }
    printf("%s: %d ticks\n%s: ok\n", c->name, uptime() - start, c->name);
    return 0;
}

static int wanted(const char *name, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return argc < 2;
}

int test_main(const char *prog, const struct test_case *cases, int ncases, int argc, char **argv)
{
    int failures = 0, ran = 0;
    for (int i = 1; i < argc; i++) {
        int found = 0;
        for (int j = 0; j < ncases; j++)
            found |= strcmp(argv[i], cases[j].name) == 0;
        if (!found) {
            printf("%s: no case named \"%s\"\n", prog, argv[i]);
            return 2;
        }
    }
    for (int i = 0; i < ncases; i++) {
        if (!wanted(cases[i].name, argc, argv))
            continue;
        failures += run_case(&cases[i]);
        ran++;
    }
    if (ran > 1)
        printf("%s: %d of %d cases failed\n", prog, failures, ran);
    return failures ? 1 : 0;
}
