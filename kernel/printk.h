/*
 * Kernel console output: printk formats into a line buffer and writes it to
 * the UART under one lock, so lines from different harts never interleave.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 1, 2))) void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);
/* Format into buf (always NUL-terminated); returns the length written. */
size_t format(char *buf, size_t size, const char *fmt, va_list ap);
/* Write raw bytes to the console under the print lock, unformatted. */
void printk_write(const char *s, size_t n);
/* From now on only the panicking hart prints. */
void printk_panic_mode(void);

#endif
