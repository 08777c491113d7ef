/*
 * The harness shared by the test programs. Each case runs in a forked child,
 * so a crash in the case is caught; the harness then checks the child's exit
 * status, that the pool has as many free frames as before (no leak), and
 * that poolcheck() finds every frame's count equal to its number of
 * mappings. It prints "CASE: ok" or "CASE: FAILED <why>".
 */
#ifndef TESTS_USER_HARNESS_H
#define TESTS_USER_HARNESS_H

struct test_case {
    const char *name;
    void (*run)(void);
};

/* The case running in this process (for messages). */
extern const char *test_case_name;

/* Print "CASE: FAILED <message>" and end the case's process. */
__attribute__((noreturn, format(printf, 1, 2))) void test_fail(const char *fmt, ...);

/* Run the cases named in argv (every case when there are none); returns the
 * program's exit status: 0 when all passed. */
int test_main(const char *prog, const struct test_case *cases, int ncases, int argc, char **argv);

#endif
