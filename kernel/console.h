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

/* What the kernel must do after a key, which the console cannot do itself
 * (it sits below the scheduler and the process table). */
enum console_action {
    CONSOLE_NOTHING,
    CONSOLE_WAKE_READERS,   /* a line (or end of input) is ready: wake console_chan() */
    CONSOLE_INTERRUPT,      /* Ctrl-C: kill the foreground group; if none, console_redraw() */
    CONSOLE_LIST_PROCESSES, /* Ctrl-P: list the processes, then console_redraw() */
};

/* The next character from the UART, or -1. */
int console_getc(void);
/* Take one received character. Caller holds big_lock. */
enum console_action console_input(char c);
/* Write the prompt and the partly typed line again (after other output). */
void console_redraw(void);
/* The process group Ctrl-C interrupts (0: none). */
int console_foreground(void);
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
