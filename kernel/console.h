/*
 * The console: UART input with line editing (backspace, Ctrl-U erases the
 * line, Ctrl-D ends input, Ctrl-C interrupts the foreground job, Ctrl-P
 * lists processes), echoed as typed; lines hold at most COWL_LINE_MAX
 * characters with their newline.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>
#include "cowl/abi.h"

/* Called from the UART interrupt with one received character. Caller holds
 * big_lock. */
void console_input(char c);
/* Write a program's output; remembered since its last newline so that the
 * prompt can be redrawn after Ctrl-P. Caller holds big_lock. */
void console_output(const char *s, size_t n);
/* Make Ctrl-C kill process group `group` (0: nothing). Caller holds big_lock. */
void console_set_foreground(int group);
/* Take up to n bytes of completed input (up to and including one newline);
 * returns the count, 0 when nothing is ready. Caller holds big_lock. */
size_t console_take(char *dst, size_t n);
/* Non-zero once a complete line or an end-of-input is waiting. */
int console_line_ready(void);
/* The channel readers sleep on. */
const void *console_chan(void);

#endif
