/*
 * The plain system-call stubs, generated from COWL_SYSCALLS: one global
 * function per entry with stub = 1, named after the call. The IPC calls
 * (stub = 0) are wrapped by hand in ipc.c.
 *
 * The kernel returns negative error numbers; xv6 programs compare results
 * with -1, so every stub turns any negative a0 into -1. sbrk goes through the
 * same rule: user addresses are below COWL_MAXVA, so an old break is never
 * negative and an error becomes (char *)-1, as xv6 callers expect.
 */
#include <cowl/abi.h>

#define STUB(num, name, stub) STUB_##stub(num, name)
#define STUB_0(num, name)
#define STUB_1(num, name)                                                                          \
    .globl name;                                                                                   \
    .type name, @function;                                                                         \
    name:                                                                                          \
    li a7, num;                                                                                    \
    ecall;                                                                                         \
    bgez a0, 1f;                                                                                   \
    li a0, -1;                                                                                     \
    1: ret;                                                                                        \
    .size name, . - name;

    .text
COWL_SYSCALLS(STUB)
