/*
 * Byte-wise memory and string routines; copies of whole pages use memcpy,
 * which moves eight bytes at a time when both ends are aligned. memset,
 * memcpy and memmove are `used`: the compiler emits calls to them on its
 * own, and under link-time optimization it does so after the linker has
 * decided what it keeps.
 */
#include <stdint.h>
#include "string.h"

__attribute__((used)) void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (!((uintptr_t)d & 7) && !(n & 7)) {
        uint64_t v = (unsigned char)c * 0x0101010101010101UL;
        for (size_t i = 0; i < n / 8; i++)
            ((uint64_t *)d)[i] = v;
        return dst;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

__attribute__((used)) void *memcpy(void *dst, const void *src, size_t n)
{
    if (!(((uintptr_t)dst | (uintptr_t)src | n) & 7)) {
        uint64_t *d = dst;
        const uint64_t *s = src;
        for (size_t i = 0; i < n / 8; i++)
            d[i] = s[i];
        return dst;
    }
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

/* 64 words a turn, so that the loop's own three instructions are paid 8
 * times: the copy is 1,024 loads and stores and 24 more. They move 8 at a
 * time, which the registers a leaf may clobber hold beside the pointers
 * (more would need saved registers, and a prologue). */
void page_copy(void *dst, const void *src)
{
    enum { WORDS = 8, TURN = 64 };
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (int i = 0; i < 512; i += TURN) {
#pragma GCC unroll 8
        for (int k = 0; k < TURN; k += WORDS) {
            uint64_t w[WORDS];
#pragma GCC unroll 8
            for (int j = 0; j < WORDS; j++)
                w[j] = s[i + k + j];
#pragma GCC unroll 8
            for (int j = 0; j < WORDS; j++)
                d[i + k + j] = w[j];
        }
    }
}

__attribute__((used)) void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}

void strlcpy(char *dst, const char *src, size_t size)
{
    size_t i = 0;
    for (; size && i + 1 < size && src[i]; i++)
        dst[i] = src[i];
    if (size)
        dst[i] = '\0';
}
