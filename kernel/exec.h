/*
 * Loading programs from the boot image into fresh spaces.
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <stdint.h>

struct proc;

#define EXEC_MAX_ARGS 16

/* Replace the current process's image with the program `name`, passing
 * argv[0..argc). Returns argc (for a0), or a negative error with the
 * process untouched. Caller holds big_lock; may block. */
int exec_program(const char *name, char *const argv[], int argc);
/* Boot: load the pager into p (its space is pinned) and map its tables and
 * the batch buffer; sets its registers. */
int exec_load_pager(struct proc *p, uint64_t batch_pa);

#endif
