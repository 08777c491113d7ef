/*
 * Loading programs from the boot image into fresh spaces.
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <stdint.h>

struct space;
struct thread;

/* Replace the current process's image with the program `name`, passing the
 * argc NUL-terminated strings that lie back to back in args (at most
 * COWL_EXEC_MAX_ARGS of them, COWL_EXEC_ARG_BYTES in all). Returns argc (for
 * a0), or a negative error with the process untouched. Caller holds
 * big_lock; may block. */
int exec_program(const char *name, const char *args, int argc);
/* Load the boot image's program `name` and a fresh stack into the empty
 * space s; *entry and *end (the end of the image) for the caller. 0, or a
 * negative error (s then holds what was mapped, for the caller to destroy). */
int exec_image(struct space *s, const char *name, uint64_t *entry, uint64_t *end);
/* Copy n bytes into s at va through the direct map, whatever the pages'
 * permissions (the pages must be mapped). */
void exec_poke(struct space *s, uint64_t va, const void *from, uint64_t n);
/* Start t's user registers afresh: pc, sp, a0, a1. */
void exec_set_entry(struct thread *t, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1);

#endif
