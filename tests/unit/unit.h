/*
 * The one harness of the host-side unit tests (tests/unit/NAME_test.c), built
 * natively with AddressSanitizer and UBSan. A test is a table of cases;
 * each runs in a forked child, so a crash or a sanitizer report fails that
 * case alone. CHECK and CHECKF record a failed check with its line and let
 * the case go on, so one run reports every broken check; EXPECT also ends
 * the case, for checks that later ones depend on. One line per case
 * ("ok  NAME" or "FAIL NAME"), then a count; the exit status is 1 if any
 * case failed.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct unit_case {
    const char *name;
    void (*run)(void);
};

static const char *unit_case_name;
static bool unit_case_failed;

/* Record a failed check: where, what, and an optional message. */
static inline void unit_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "    %s: %s:%d: %s", unit_case_name, file, line, expr);
    if (fmt) {
        fprintf(stderr, ": ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "\n");
    unit_case_failed = true;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            unit_fail(__FILE__, __LINE__, #cond, 0);                                               \
    } while (0)
#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            unit_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            unit_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
            unit_end_case();                                                                       \
        }                                                                                          \
    } while (0)

/* End the case's child. _exit: what a case allocated dies with its process
 * (tests keep blobs to the end on purpose), so the leak checker stays out. */
static inline void unit_end_case(void)
{
    fflush(stdout);
    fflush(stderr);
    _exit(unit_case_failed ? 1 : 0);
}

/* Run one case in a child; true if it passed. */
static inline bool unit_run_case(const struct unit_case *c)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        unit_case_name = c->name;
        unit_case_failed = false;
        c->run();
        unit_end_case();
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Run every case; the exit status for main. */
static inline int unit_main(const struct unit_case *cases, size_t n)
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        bool ok = unit_run_case(&cases[i]);
        printf("%s %s\n", ok ? "ok  " : "FAIL", cases[i].name);
        failures += !ok;
    }
    printf("%d of %zu cases failed\n", failures, n);
    return failures != 0;
}

#define UNIT_CASES(table) unit_main(table, sizeof(table) / sizeof((table)[0]))

#endif
