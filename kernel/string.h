/*
 * The few memory and string routines the kernel uses (the compiler may also
 * call memset and memcpy on its own).
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
/* Copy one 4 KiB page (both page-aligned): the hot copy of the COW path. */
void page_copy(void *dst, const void *src);
/* Copy at most size-1 bytes and always terminate. */
void strlcpy(char *dst, const char *src, size_t size);

#endif
