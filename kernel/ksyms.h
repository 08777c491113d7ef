/*
 * The kernel's function names, for backtraces. The build links the kernel
 * twice: the second link carries a table generated from the first
 * (tools/ksyms.py); text addresses are the same in both.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

struct ksym {
    uint64_t addr;
    const char *name;
};

/* Name of the function containing pc and the offset into it, or 0. */
const char *ksyms_lookup(uint64_t pc, uint64_t *offset);

#endif
