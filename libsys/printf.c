/*
 * printf, fprintf and vprintf. Output is gathered in a buffer and written
 * with one write() per call (or per full buffer), so lines printed by
 * different processes at the same time do not interleave character by
 * character. Conversions: %d %u %x %p %s %c %%, the l and ll modifiers,
 * a field width, and the '0' (zero-pad) and '-' (left-justify) flags.
 */
#include <user.h>

struct out {
    int fd;
    int len;
    char buf[256];
};

struct spec {
    int width;
    char pad;  /* ' ' or '0' */
    int left;  /* justify left within the width */
    int longs; /* number of 'l' modifiers */
};

static void out_flush(struct out *o)
{
    if (o->len > 0)
        write(o->fd, o->buf, o->len);
    o->len = 0;
}

static void out_putc(struct out *o, char c)
{
    if (o->len == (int)sizeof(o->buf))
        out_flush(o);
    o->buf[o->len++] = c;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_putc(o, c);
}

/* Emit `s` (len bytes) padded to the field width; `sign` goes before any zeros. */
static void out_field(struct out *o, const struct spec *sp, const char *sign, const char *s,
                      int len)
{
    int fill = sp->width - len - (int)strlen(sign);

    if (!sp->left && sp->pad == ' ')
        out_repeat(o, ' ', fill);
    while (*sign)
        out_putc(o, *sign++);
    if (!sp->left && sp->pad == '0')
        out_repeat(o, '0', fill);
    while (len-- > 0)
        out_putc(o, *s++);
    if (sp->left)
        out_repeat(o, ' ', fill);
}

static void out_num(struct out *o, const struct spec *sp, uint64 v, int base, int neg)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[24];
    int i = sizeof(tmp);

    do {
        tmp[--i] = digits[v % base];
        v /= base;
    } while (v);
    out_field(o, sp, neg ? "-" : "", tmp + i, sizeof(tmp) - i);
}

static int64_t arg_signed(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, long) : va_arg(*ap, int);
}

static uint64 arg_unsigned(va_list *ap, int longs)
{
    return longs ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned int);
}

/* Parse flags, width and length modifiers at *fmt; leave *fmt on the conversion. */
static void parse_spec(const char **fmt, struct spec *sp)
{
    const char *f = *fmt;

    sp->width = 0;
    sp->pad = ' ';
    sp->left = 0;
    sp->longs = 0;
    for (; *f == '0' || *f == '-'; f++) {
        if (*f == '0')
            sp->pad = '0';
        else
            sp->left = 1;
    }
    for (; *f >= '0' && *f <= '9'; f++)
        sp->width = sp->width * 10 + (*f - '0');
    for (; *f == 'l'; f++)
        sp->longs++;
    if (sp->left)
        sp->pad = ' ';
    *fmt = f;
}

static void out_conv(struct out *o, struct spec *sp, char c, va_list *ap)
{
    const char *s;
    int64_t d;
    char ch;

    switch (c) {
    case 'd':
        d = arg_signed(ap, sp->longs);
        out_num(o, sp, d < 0 ? -(uint64)d : (uint64)d, 10, d < 0);
        break;
    case 'u':
        out_num(o, sp, arg_unsigned(ap, sp->longs), 10, 0);
        break;
    case 'x':
        out_num(o, sp, arg_unsigned(ap, sp->longs), 16, 0);
        break;
    case 'p':
        out_putc(o, '0');
        out_putc(o, 'x');
        sp->width = 16;
        sp->pad = '0';
        sp->left = 0;
        out_num(o, sp, (uint64)va_arg(*ap, void *), 16, 0);
        break;
    case 's':
        s = va_arg(*ap, const char *);
        if (!s)
            s = "(null)";
        out_field(o, sp, "", s, strlen(s));
        break;
    case 'c':
        ch = (char)va_arg(*ap, int);
        out_field(o, sp, "", &ch, 1);
        break;
    case '%':
        out_putc(o, '%');
        break;
    default:
        /* Unknown conversion: show it rather than guess at its argument. */
        out_putc(o, '%');
        if (c)
            out_putc(o, c);
        break;
    }
}

void vprintf(int fd, const char *fmt, va_list ap)
{
    struct out o = {.fd = fd, .len = 0};
    struct spec sp;
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_putc(&o, *fmt++);
            continue;
        }
        fmt++;
        parse_spec(&fmt, &sp);
        out_conv(&o, &sp, *fmt, &args);
        if (*fmt)
            fmt++;
    }
    va_end(args);
    out_flush(&o);
}

void fprintf(int fd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fd, fmt, ap);
    va_end(ap);
}

void printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(1, fmt, ap);
    va_end(ap);
}
