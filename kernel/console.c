/*
 * The input line discipline. Characters gather in a ring; `edit` marks the
 * start of the line still being typed, `ready` the end of what readers may
 * take. Readers sleep on the ring until a line (or Ctrl-D) completes it.
 */
#include "console.h"
#include "printk.h"
#include "string.h"
#include "sched.h"

#define CTRL(c)   ((c) - '@')
#define RING_SIZE 256

static char ring[RING_SIZE];
static unsigned head, ready, edit; /* take from head; [head, ready) complete */

static void echo(const char *s)
{
    console_write_raw(s, strlen(s));
}

static void erase_one(void)
{
    edit--;
    echo("\b \b");
}

void console_input(char c)
{
    switch (c) {
    case CTRL('P'):
        sched_dump();
        return;
    case CTRL('U'):
        while (edit != ready && ring[(edit - 1) % RING_SIZE] != '\n')
            erase_one();
        return;
    case '\x7f':
    case '\b':
        if (edit != ready)
            erase_one();
        return;
    }
    if (c == '\r')
        c = '\n';
    if (edit - head >= RING_SIZE - 1)
        return;
    ring[edit++ % RING_SIZE] = c;
    if (c != CTRL('D')) {
        char s[2] = {c, 0};
        echo(s);
    }
    if (c == '\n' || c == CTRL('D')) {
        ready = edit;
        sched_wakeup(ring);
    }
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
