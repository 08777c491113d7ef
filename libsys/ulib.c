/*
 * The rest of xv6's ulib: reading a line and parsing a number. gets reads
 * one byte at a time so that it never consumes input past the newline,
 * which matters when the input is a pipe shared with other readers.
 */
#include <user.h>

/* Read up to max-1 bytes, stopping after a newline; buf is "" at end of input. */
char *gets(char *buf, int max)
{
    int i = 0;
    char c;

    while (i + 1 < max) {
        if (read(0, &c, 1) < 1)
            break;
        buf[i++] = c;
        if (c == '\n' || c == '\r')
            break;
    }
    buf[i] = 0;
    return buf;
}

/* Leading decimal digits of s, with an optional '-'; 0 when there are none. */
int atoi(const char *s)
{
    int neg = 0;
    int n = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (*s++ - '0');
    return neg ? -n : n;
}
