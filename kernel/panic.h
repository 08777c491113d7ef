/*
 * Panics and assertions. ASSERT is for invariants the kernel itself
 * guarantees; input from user processes (and the pager) is checked and
 * answered with an error instead.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

struct kernel_frame;

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_trap(const char *what, uint64_t scause, uint64_t sepc,
                                          uint64_t stval, uint64_t fp);
void backtrace(uint64_t fp);
const char *scause_name(uint64_t scause);

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (__builtin_expect(!(c), 0))                                                             \
            panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__);                        \
    } while (0)

/* Power-off status of a kernel panic, as QEMU reports it (docs/design.md). */
#define PANIC_EXIT_STATUS 100

#endif
