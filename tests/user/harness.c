/*
 * One harness for every test program: see harness.h. A case's child exits
 * with CASE_PASSED when its body returns, so that a stray exec of a program
 * exiting 0 cannot pass for the case.
 */
#include <user.h>
#include "harness.h"

#define CASE_PASSED 85
#define CASE_FAILED 1

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

/* The checks after the child: returns the reason it failed, or 0. */
static const char *verdict(int status, const struct cowl_poolstat *before, int *detail)
{
    struct cowl_poolstat after;
    if (status != CASE_PASSED) {
        *detail = status;
        return status == CASE_FAILED ? "" : "the case's process exited with status %d";
    }
    if (poolstat(&after) != 0)
        return "poolstat failed";
    if (after.free != before->free) {
        *detail = (int)(before->free - after.free);
        return "%d frames leaked";
    }
    *detail = poolcheck();
    if (*detail != 0)
        return "poolcheck found %d frames whose count is not their number of mappings";
    return 0;
}

static int run_case(const struct test_case *c)
{
    struct cowl_poolstat before;
    int status = -1, detail = 0, start = uptime();
    if (poolstat(&before) != 0) {
        printf("%s: FAILED poolstat failed\n", c->name);
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
    const char *why = verdict(status, &before, &detail);
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
