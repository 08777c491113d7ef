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
/* Copy at most size-1 bytes and always terminate. */
void strlcpy(char *dst, const char *src, size_t size);

#endif
