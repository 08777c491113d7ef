/*
 * The only way the kernel touches user memory. Each page is checked before
 * use: inside the user range, valid, user-accessible, readable for a read,
 * writable for a write. A write into a COW page is first resolved through
 * the pager (fault.c), then completes; a write into any other read-only page
 * fails. Every function returns 0 or -1 and never faults.
 */
#ifndef KERNEL_COPY_H
#define KERNEL_COPY_H

#include <stdint.h>

struct space;

/* uva names an address in a user space: never dereference it directly. */
typedef uint64_t uva_t;

int copy_out(struct space *s, uva_t dst, const void *src, uint64_t n);
int copy_in(struct space *s, void *dst, uva_t src, uint64_t n);
/* Copy a NUL-terminated string of at most max bytes (with the NUL). */
int copy_in_str(struct space *s, char *dst, uva_t src, uint64_t max);

#endif
