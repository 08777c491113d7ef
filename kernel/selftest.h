/*
 * Kernel self-tests chosen by a boot argument (`test=NAME`), for the qemu
 * test suite: each prints what it checked and powers the machine off with
 * its verdict.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stdbool.h>

/* Run the test bootargs names, if any; returns when there is none. */
void selftest_run(const char *bootargs);
/* The value of `key=` among the kernel's options (the words before `run=`)
 * copied into out, or 0 if absent. */
int bootarg_get(const char *bootargs, const char *key, char *out, int size);
/* True when bootargs holds `key=1` (trace=1, say). */
bool bootarg_on(const char *bootargs, const char *key);

#endif
