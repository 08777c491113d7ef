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

void page_copy(void *dst, const void *src)
{
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (int i = 0; i < 512; i += 8) {
        uint64_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];
        uint64_t f = s[i + 4], g = s[i + 5], h = s[i + 6], k = s[i + 7];
        d[i] = a;
        d[i + 1] = b;
        d[i + 2] = c;
        d[i + 3] = e;
        d[i + 4] = f;
        d[i + 5] = g;
        d[i + 6] = h;
        d[i + 7] = k;
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
