/*
 * File objects and the three kinds of them. Reads and writes move user
 * bytes only through copy_in/copy_out, a bounded chunk at a time; blocking
 * reads (console, pipe) sleep under big_lock and give -1 once the process is
 * killed.
 */
#include "file.h"
#include "bootfs.h"
#include "console.h"
#include "cowl/abi.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "string.h"

#define NFILE         128
#define PIPE_SIZE     512
#define CHUNK         128
#define CONSOLE_WHOLE 1024

enum file_kind { F_FREE, F_CONSOLE, F_PIPE_READ, F_PIPE_WRITE, F_BOOT };

struct pipe {
    char data[PIPE_SIZE];
    uint64_t nread, nwritten;
    int readers, writers;
};

struct file {
    enum file_kind kind;
    int refs;
    struct pipe *pipe;
    const struct bootfs_file *boot;
    uint64_t offset;
};

static struct file files[NFILE];
static struct pipe pipes[NFILE / 2];

static struct file *alloc(enum file_kind kind)
{
    for (int i = 0; i < NFILE; i++)
        if (files[i].kind == F_FREE) {
            files[i] = (struct file){.kind = kind, .refs = 1};
            return &files[i];
        }
    return 0;
}

void file_std_open(struct file **fds)
{
    struct file *con = alloc(F_CONSOLE);
    if (!con)
        return;
    fds[0] = con;
    fds[1] = file_dup(con);
    fds[2] = file_dup(con);
}

struct file *file_open(const char *path)
{
    if (!strncmp(path, "console", 8))
        return alloc(F_CONSOLE);
    const struct bootfs_file *b = bootfs_find(path);
    struct file *f = b ? alloc(F_BOOT) : 0;
    if (f)
        f->boot = b;
    return f;
}

int file_pipe(struct file **rd, struct file **wr)
{
    struct pipe *p = 0;
    for (int i = 0; i < NFILE / 2 && !p; i++)
        if (!pipes[i].readers && !pipes[i].writers)
            p = &pipes[i];
    if (!p || !(*rd = alloc(F_PIPE_READ)))
        return -1;
    if (!(*wr = alloc(F_PIPE_WRITE))) {
        (*rd)->kind = F_FREE;
        return -1;
    }
    *p = (struct pipe){.readers = 1, .writers = 1};
    (*rd)->pipe = (*wr)->pipe = p;
    return 0;
}

struct file *file_dup(struct file *f)
{
    f->refs++;
    return f;
}

void file_close(struct file *f)
{
    if (--f->refs > 0)
        return;
    if (f->kind == F_PIPE_READ)
        f->pipe->readers--;
    if (f->kind == F_PIPE_WRITE)
        f->pipe->writers--;
    if (f->pipe)
        sched_wakeup(f->pipe);
    f->kind = F_FREE;
}

static struct space *my_space(void)
{
    return proc_current()->space;
}

static int64_t console_read(uva_t dst, uint64_t n)
{
    while (!console_line_ready()) {
        if (proc_current()->killed)
            return -1;
        sched_sleep(console_chan());
    }
    char buf[CHUNK];
    uint64_t got = console_take(buf, n < CHUNK ? n : CHUNK);
    return copy_out(my_space(), dst, buf, got) < 0 ? -1 : (int64_t)got;
}

/* The first CONSOLE_WHOLE bytes of a write go out in one piece, as lines
 * do; past them the UART's pace (about 0.5 MB/s) would hold big_lock, and
 * so every hart, for as long as the user likes, so the writer pauses after
 * each chunk and stops once killed. */
static int64_t console_write(uva_t src, uint64_t n)
{
    char buf[CHUNK];
    for (uint64_t done = 0; done < n;) {
        uint64_t chunk = n - done < CHUNK ? n - done : CHUNK;
        if (done >= CONSOLE_WHOLE) {
            sched_pause();
            if (proc_current()->killed)
                return (int64_t)done;
        }
        if (copy_in(my_space(), buf, src + done, chunk) < 0)
            return done ? (int64_t)done : -1;
        console_output(buf, chunk);
        done += chunk;
    }
    return (int64_t)n;
}

static int64_t pipe_read(struct pipe *p, uva_t dst, uint64_t n)
{
    while (p->nread == p->nwritten && p->writers) {
        if (proc_current()->killed)
            return -1;
        sched_sleep(p);
    }
    char buf[CHUNK];
    uint64_t done = 0;
    while (done < n && p->nread != p->nwritten) {
        uint64_t got = 0;
        while (done + got < n && got < CHUNK && p->nread + got != p->nwritten)
            buf[got] = p->data[(p->nread + got) % PIPE_SIZE], got++;
        /* bytes leave the pipe only once they reached the reader */
        if (copy_out(my_space(), dst + done, buf, got) < 0)
            return done ? (int64_t)done : -1;
        p->nread += got;
        done += got;
    }
    sched_wakeup(p);
    return (int64_t)done;
}

static int64_t pipe_write(struct pipe *p, uva_t src, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        if (!p->readers || proc_current()->killed)
            return -1;
        if (p->nwritten - p->nread == PIPE_SIZE) {
            sched_wakeup(p);
            sched_sleep(p);
            continue;
        }
        char c;
        if (copy_in(my_space(), &c, src + done, 1) < 0)
            return done ? (int64_t)done : -1;
        p->data[p->nwritten++ % PIPE_SIZE] = c;
        done++;
    }
    sched_wakeup(p);
    return (int64_t)done;
}

static int64_t boot_read(struct file *f, uva_t dst, uint64_t n)
{
    uint64_t left = f->boot->size - f->offset;
    n = n < left ? n : left;
    if (copy_out(my_space(), dst, f->boot->data + f->offset, n) < 0)
        return -1;
    f->offset += n;
    return (int64_t)n;
}

int64_t file_read(struct file *f, uva_t dst, uint64_t n)
{
    switch (f->kind) {
    case F_CONSOLE:
        return console_read(dst, n);
    case F_PIPE_READ:
        return pipe_read(f->pipe, dst, n);
    case F_BOOT:
        return boot_read(f, dst, n);
    default:
        return -1;
    }
}

int64_t file_write(struct file *f, uva_t src, uint64_t n)
{
    switch (f->kind) {
    case F_CONSOLE:
        return console_write(src, n);
    case F_PIPE_WRITE:
        return pipe_write(f->pipe, src, n);
    default:
        return -1;
    }
}

uint64_t file_count(uint64_t *npipes)
{
    uint64_t n = 0;
    *npipes = 0;
    for (int i = 0; i < NFILE; i++)
        n += files[i].kind != F_FREE;
    for (int i = 0; i < NFILE / 2; i++)
        *npipes += pipes[i].readers || pipes[i].writers;
    return n;
}
