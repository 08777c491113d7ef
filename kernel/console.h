/*
 * The console: UART input with line editing (backspace, Ctrl-U kills the
 * line, Ctrl-D ends input, Ctrl-P lists processes), echoed as typed.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

/* Called from the UART interrupt with one received character. */
void console_input(char c);
/* Take up to n bytes of completed input (up to and including one newline);
 * returns the count, 0 when nothing is ready. Caller holds big_lock. */
size_t console_take(char *dst, size_t n);
/* Non-zero once a complete line or an end-of-input is waiting. */
int console_line_ready(void);
/* The channel readers sleep on. */
const void *console_chan(void);

#endif
