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
#include "printk.h"
#include "proc.h"
#include "string.h"
#include "sched.h"

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
    console_write_raw(s, strlen(s));
}

static void erase_one(void)
{
    edit--;
    echo("\b \b");
}

/* Write the remembered output and the line being typed again. */
static void redraw(void)
{
    console_write_raw(tail, tail_len);
    for (unsigned i = ready; i != edit; i++)
        console_write_raw(&ring[i % RING_SIZE], 1);
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

/* End the line with c (newline or Ctrl-D) and hand it to the readers. The
 * kept slot makes room for c unless completed lines already fill the ring. */
static void end_line(char c)
{
    if (edit - head < RING_SIZE)
        ring[edit++ % RING_SIZE] = c;
    if (c == '\n')
        echo("\n");
    ready = edit;
    full_said = false;
    sched_wakeup(ring);
}

/* Ctrl-C: drop the line being typed and kill the foreground job, if any; at
 * a prompt (no job) redraw the prompt, as the reader still waits. */
static void interrupt(void)
{
    edit = ready;
    full_said = false;
    echo("^C\n");
    if (fg_group && proc_kill_group(fg_group) > 0)
        return;
    redraw();
}

void console_input(char c)
{
    switch (c) {
    case CTRL('C'):
        interrupt();
        return;
    case CTRL('P'):
        sched_dump();
        redraw();
        return;
    case CTRL('U'):
        while (edit != ready)
            erase_one();
        full_said = false;
        return;
    case '\x7f':
    case '\b':
        if (edit != ready)
            erase_one();
        return;
    case '\r':
    case '\n':
    case CTRL('D'):
        end_line(c == CTRL('D') ? c : '\n');
        return;
    }
    if (edit - ready >= COWL_LINE_MAX - 1 || edit - head >= RING_SIZE - 1) {
        line_full();
        return;
    }
    ring[edit++ % RING_SIZE] = c;
    console_write_raw(&c, 1);
}

void console_output(const char *s, size_t n)
{
    console_write_raw(s, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            tail_len = 0;
        else if (tail_len < TAIL_MAX)
            tail[tail_len++] = s[i];
    }
}

void console_set_foreground(int group)
{
    fg_group = group;
}

int console_line_ready(void)
{
    return ready != head;
}

size_t console_take(char *dst, size_t n)
{
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
