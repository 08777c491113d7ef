/*
 * The string and memory helpers of xv6's ulib, under their standard names:
 * the compiler emits calls to memset, memcpy and memmove on its own (struct
 * copies, zeroing), so these must exist even in programs that never name them.
 * libsys is built with -fno-tree-loop-distribute-patterns so that these loops
 * are not themselves turned back into calls to memset or memcpy. They are
 * `used`: under link-time optimization the calls the compiler emits are
 * made after the linker has decided what it keeps.
 */
#include <user.h>

__attribute__((used)) void *memset(void *dst, int c, uint n)
{
    uchar *d = dst;

    while (n-- > 0)
        *d++ = (uchar)c;
    return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, int n)
{
    uchar *d = dst;
    const uchar *s = src;

    if (n <= 0 || d == s)
        return dst;
    if (s < d && d < s + n) {
        /* Overlap with the destination above: copy from the end. */
        d += n;
        s += n;
        while (n-- > 0)
            *--d = *--s;
    } else {
        while (n-- > 0)
            *d++ = *s++;
    }
    return dst;
}

__attribute__((used)) void *memcpy(void *dst, const void *src, uint n)
{
    uchar *d = dst;
    const uchar *s = src;

    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

int memcmp(const void *s1, const void *s2, uint n)
{
    const uchar *a = s1;
    const uchar *b = s2;

    for (; n > 0; n--, a++, b++) {
        if (*a != *b)
            return *a - *b;
    }
    return 0;
}

uint strlen(const char *s)
{
    uint n = 0;

    while (s[n])
        n++;
    return n;
}

char *strcpy(char *dst, const char *src)
{
    char *d = dst;

    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

int strcmp(const char *p, const char *q)
{
    while (*p && *p == *q) {
        p++;
        q++;
    }
    return (uchar)*p - (uchar)*q;
}

int strncmp(const char *p, const char *q, uint n)
{
    for (; n > 0; n--, p++, q++) {
        if (*p != *q || !*p)
            return (uchar)*p - (uchar)*q;
    }
    return 0;
}

char *strchr(const char *s, char c)
{
    for (; *s; s++) {
        if (*s == c)
            return (char *)s;
    }
    return 0;
}
