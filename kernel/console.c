/*
 * The input line discipline. Characters gather in a ring; `edit` marks the
 * start of the line still being typed, `ready` the end of what readers may
 * take. Readers sleep on the ring until a line (or Ctrl-D) completes it.
 *
 * A line holds at most COWL_LINE_MAX - 1 characters before its newline; past
 * that, characters are dropped with one message, and Enter, Ctrl-D, Ctrl-U
 * and the other keys still work, so a full line never blocks the console.
 * One slot of the ring is kept for the end of the line being typed.
 *
 * The console also remembers what programs wrote since the last newline
 * (the shell's prompt, usually), so that after Ctrl-P's table or Ctrl-C at
 * a prompt it can redraw the prompt and the line typed so far.
 */
#include "console.h"
#include "panic.h"
#include "lock.h"
#include "printk.h"
#include "string.h"
#include "uart.h"

#define CTRL(c)   ((c) - '@')
#define RING_SIZE (2 * COWL_LINE_MAX)
#define TAIL_MAX  80 /* program output remembered since the last newline */

_Static_assert(RING_SIZE > COWL_LINE_MAX, "a whole line fits the ring with room to type ahead");

static char ring[RING_SIZE];
static unsigned head, ready, edit; /* take from head; [head, ready) complete */
static bool full_said;             /* the line-full message was shown for this line */
static char tail[TAIL_MAX];        /* output since the last newline, cut at TAIL_MAX */
static unsigned tail_len;
static int fg_group; /* process group Ctrl-C interrupts; 0: none */

static void echo(const char *s)
{
    printk_write(s, strlen(s));
}

static void erase_one(void)
{
    edit--;
    echo("\b \b");
}

/* Write the remembered output (the prompt) and the line being typed again. */
static void redraw(void)
{
    printk_write(tail, tail_len);
    for (unsigned i = ready; i != edit; i++)
        printk_write(&ring[i % RING_SIZE], 1);
}

/* A character that does not fit: say why once per line, then drop quietly. */
static void line_full(void)
{
    if (full_said)
        return;
    full_said = true;
    printk("\nconsole: line full (%d characters); Enter ends it, Ctrl-U erases it\n",
           COWL_LINE_MAX - 1);
    redraw();
}

/* End the line with c (newline or Ctrl-D) for the readers. The kept slot
 * makes room for c unless completed lines already fill the ring. */
static enum console_action end_line(char c)
{
    if (edit - head < RING_SIZE)
        ring[edit++ % RING_SIZE] = c;
    if (c == '\n')
        echo("\n");
    ready = edit;
    full_said = false;
    return CONSOLE_WAKE_READERS;
}

/* Ctrl-C: drop the line being typed; the caller interrupts the job. */
static enum console_action interrupt(void)
{
    edit = ready;
    full_said = false;
    echo("^C\n");
    return CONSOLE_INTERRUPT;
}

enum console_action console_input(char c)
{
    ASSERT(spin_held(&big_lock));
    switch (c) {
    case CTRL('C'):
        return interrupt();
    case CTRL('P'):
        return CONSOLE_LIST_PROCESSES;
    case CTRL('U'):
        while (edit != ready)
            erase_one();
        full_said = false;
        return CONSOLE_NOTHING;
    case '\x7f':
    case '\b':
        if (edit != ready)
            erase_one();
        return CONSOLE_NOTHING;
    case '\r':
    case '\n':
    case CTRL('D'):
        return end_line(c == CTRL('D') ? c : '\n');
    }
    if (edit - ready >= COWL_LINE_MAX - 1 || edit - head >= RING_SIZE - 1) {
        line_full();
        return CONSOLE_NOTHING;
    }
    ring[edit++ % RING_SIZE] = c;
    printk_write(&c, 1);
    return CONSOLE_NOTHING;
}

int console_getc(void)
{
    return uart_getc();
}

void console_redraw(void)
{
    redraw();
}

int console_foreground(void)
{
    return fg_group;
}

void console_output(const char *s, size_t n)
{
    ASSERT(spin_held(&big_lock));
    printk_write(s, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            tail_len = 0;
        else if (tail_len < TAIL_MAX)
            tail[tail_len++] = s[i];
    }
}

void console_set_foreground(int group)
{
    ASSERT(spin_held(&big_lock));
    fg_group = group;
}

int console_line_ready(void)
{
    return ready != head;
}

size_t console_take(char *dst, size_t n)
{
    ASSERT(spin_held(&big_lock));
    size_t got = 0;
    while (got < n && head != ready) {
        char c = ring[head++ % RING_SIZE];
        if (c == CTRL('D')) {
            if (got)
                head--; /* leave the end-of-input for the next read */
            break;
        }
        dst[got++] = c;
        if (c == '\n')
            break;
    }
    return got;
}

const void *console_chan(void)
{
    return ring;
}
