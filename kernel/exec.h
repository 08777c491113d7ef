/*
 * Loading programs from the boot image into fresh spaces.
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <stdint.h>

struct proc;

/* Replace the current process's image with the program `name`, passing the
 * argc NUL-terminated strings that lie back to back in args (at most
 * COWL_EXEC_MAX_ARGS of them, COWL_EXEC_ARG_BYTES in all). Returns argc (for
 * a0), or a negative error with the process untouched. Caller holds
 * big_lock; may block. */
int exec_program(const char *name, const char *args, int argc);
/* Boot: load the pager into p (its space is pinned) and map its tables and
 * the batch buffer; sets its registers. */
int exec_load_pager(struct proc *p, uint64_t batch_pa);

#endif
