/*
 * Kernel self-tests chosen by a boot argument (`test=NAME`), for the qemu
 * test suite: each prints what it checked and powers the machine off with
 * its verdict.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Run the test the boot option `test=` names, if any; returns when there is none. */
void selftest_run(void);

#endif
