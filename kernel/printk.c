/*
 * printk and the formatter behind it (%d %u %x %p %s %c, with l/ll, a width,
 * zero-padded for numbers, and `-` to left-align strings). Before the UART
 * is known, output goes through the SBI firmware's console.
 */
#include <stdbool.h>
#include <stdint.h>
#include "printk.h"
#include "cpu.h"
#include "lock.h"
#include "uart.h"
#include "arch/riscv/sbi.h"

static struct spinlock print_lock = SPINLOCK_INIT("print");
static volatile int panic_owner = -1;

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        digits[n++] = '-';
    while (width-- > n)
        put(o, pad);
    while (n)
        put(o, digits[--n]);
}

/* s padded with spaces to width, on the right when left-aligned. */
static void put_str(struct out *o, const char *s, int width, bool left)
{
    s = s ? s : "(null)";
    int n = 0;
    while (s[n])
        n++;
    for (int i = n; !left && i < width; i++)
        put(o, ' ');
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    for (int i = n; left && i < width; i++)
        put(o, ' ');
}

static uint64_t take_arg(va_list *ap, int longs, bool is_signed, bool *neg)
{
    int64_t s;
    if (longs)
        s = va_arg(*ap, int64_t);
    else
        s = is_signed ? va_arg(*ap, int) : (int64_t)va_arg(*ap, unsigned);
    *neg = is_signed && s < 0;
    return *neg ? (uint64_t)-s : (uint64_t)s;
}

size_t format(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    va_list args;
    va_copy(args, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        char pad = ' ';
        int width = 0, longs = 0;
        bool left = false;
        if (*++fmt == '-') {
            left = true;
            fmt++;
        }
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        bool neg = false;
        switch (*fmt) {
        case 'd':
        case 'u':
        case 'x': {
            uint64_t v = take_arg(&args, longs, *fmt == 'd', &neg);
            put_num(&o, v, *fmt == 'x' ? 16 : 10, neg, width, pad);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uint64_t)va_arg(args, void *), 16, false, width, pad);
            break;
        case 's':
            put_str(&o, va_arg(args, const char *), width, left);
            break;
        case 'c':
            put(&o, (char)va_arg(args, int));
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, *fmt);
        }
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len < size ? o.len : size - 1;
}

static void emit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (uart_ready())
            uart_putc(s[i]);
        else
            sbi_call(0x01, 0, s[i], 0, 0); /* legacy console putchar */
    }
}

void printk_write(const char *s, size_t n)
{
    int me = (int)this_cpu()->index;
    if (panic_owner >= 0) {
        if (panic_owner != me)
            for (;;)
                __asm__ volatile("wfi");
        emit(s, n);
        return;
    }
    spin_lock(&print_lock);
    emit(s, n);
    spin_unlock(&print_lock);
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[256];
    size_t n = format(buf, sizeof(buf), fmt, ap);
    printk_write(buf, n);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void printk_panic_mode(void)
{
    int me = (int)this_cpu()->index;
    int expected = -1;
    if (!__atomic_compare_exchange_n(&panic_owner, &expected, me, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST) &&
        expected != me)
        for (;;)
            __asm__ volatile("wfi");
}
