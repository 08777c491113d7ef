/*
 * The tracer: per-hart rings of binary events (cowl/trace.h), the drain that
 * empties them into the trace console and the traceread() buffer, and the
 * slow halves of the trace points declared in trace.h.
 *
 *   site (any hart, under big_lock) --ring_put--> rings[this hart]
 *        full: drop, count in ring.lost
 *   tick / idle loop --trace_drain--> a TRACE_lost record if the ring dropped,
 *        then its records --> virtio console buffers (as many as are free)
 *                         --> readers (traceread), when someone reads
 *
 * The rings are single-producer (their hart) single-consumer (the drain).
 * Everything runs under big_lock except the boot hart's sites before the
 * scheduler starts, which race only with idle harts' drains: head and tail
 * are published with release/acquire so that the pair stays correct. A
 * fault's record lives in its thread (thread.h) from the trap until the
 * thread returns to user mode or exits; only then does it enter a ring.
 */
#include "trace.h"
#include "copy.h"
#include "cpu.h"
#include "kalloc.h"
#include "machine.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "bootargs.h"
#include "space.h"
#include "string.h"
#include "syscall.h"
#include "virtio_console.h"
#include "arch/riscv/arch.h"

#define PAGE_BYTES    4096
#define PER_PAGE      (PAGE_BYTES / COWL_TRACE_RECORD_BYTES)
#define RING_PAGES    16 /* at most 512 records, 64 KiB a hart: a burst of faults between ticks */
#define RING_RECORDS  (RING_PAGES * PER_PAGE)
#define RINGS_BUDGET  64 /* pages for all harts' rings: fewer harts get longer rings */
#define READER_PAGES  4
#define RING_MIN      2
#define TRACERING_ARG "tracering" /* boot option: records per ring (tests: overflow) */

struct trace_ring {
    struct cowl_trace_event *page[RING_PAGES];
    uint32_t size;       /* records it holds */
    uint32_t head, tail; /* next write, next read; free-running */
    uint32_t seq;        /* records offered, kept or dropped */
    uint64_t lost;       /* records dropped (producer) */
    uint64_t lost_told;  /* of those, reported in TRACE_lost records (consumer) */
};

bool trace_on;
static struct trace_ring rings[MAX_HARTS];
static struct trace_ring readers; /* the traceread() buffer, filled by the drain */
static bool readers_active;       /* someone called traceread() */
static bool allocated;
static bool console;                                         /* the trace console works */
static uint64_t trap_time[MAX_HARTS], trap_cycle[MAX_HARTS]; /* this hart's last trap */
static uint8_t *out_buf;                                     /* console buffer being filled */
static uint32_t out_len, out_cap;
extern struct machine machine;

static uint64_t now_time(void)
{
    return arch_time();
}

static uint64_t now_cycle(void)
{
    return arch_cycle();
}

static struct cowl_trace_event *slot(struct trace_ring *r, uint32_t i)
{
    i %= r->size;
    return &r->page[i / PER_PAGE][i % PER_PAGE];
}

/* Give r its pages; false (r unchanged) when the kernel pool is short. */
static bool ring_alloc(struct trace_ring *r, uint32_t size)
{
    uint32_t pages = (size + PER_PAGE - 1) / PER_PAGE;
    for (uint32_t i = 0; i < pages; i++) {
        uint64_t pa = kalloc_page();
        if (!pa) {
            while (i-- > 0)
                kalloc_free((uint64_t)r->page[i]);
            return false;
        }
        r->page[i] = (struct cowl_trace_event *)pa;
    }
    r->size = size;
    return true;
}

/* Producer: keep rec as it is, or drop and count it. Never blocks. */
static void ring_keep(struct trace_ring *r, const struct cowl_trace_event *rec)
{
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    if (r->head - tail >= r->size) { /* full, or never given its pages */
        r->lost++;
        return;
    }
    *slot(r, r->head) = *rec;
    __atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

/* Producer: number rec in r's sequence, then keep it (or drop and count it). */
static void ring_put(struct trace_ring *r, struct cowl_trace_event *rec)
{
    rec->h.seq = r->seq++;
    ring_keep(r, rec);
}

/* Consumer: the oldest record, not yet taken off (ring_pop does). */
static struct cowl_trace_event *ring_peek(struct trace_ring *r)
{
    if (!r->size || __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == r->tail)
        return 0;
    return slot(r, r->tail);
}

static void ring_pop(struct trace_ring *r)
{
    __atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
}

static void head_init(struct cowl_trace_head *h, uint16_t type, uint32_t pid)
{
    *h = (struct cowl_trace_head){
        .type = type,
        .hart = (uint16_t)this_cpu()->hartid,
        .pid = pid,
        .time = now_time(),
        .cycle = now_cycle(),
    };
}

/* The record that opens a stream: what the reader needs to decode the rest. */
static void stream_record(struct cowl_trace_event *e)
{
    head_init(&e->h, TRACE_stream, 0);
    for (int i = 0; i < COWL_TRACE_ARGS; i++)
        e->args[i] = 0;
    e->args[TRACE_STREAM_MAGIC] = COWL_TRACE_MAGIC;
    e->args[TRACE_STREAM_VERSION] = COWL_TRACE_VERSION;
    e->args[TRACE_STREAM_RECORD_BYTES] = COWL_TRACE_RECORD_BYTES;
    e->args[TRACE_STREAM_TIMEBASE_HZ] = machine.timebase_hz;
    e->args[TRACE_STREAM_HARTS] = ncpu;
    e->args[TRACE_STREAM_MODE] = COW_MODE;
}

static void lost_record(struct cowl_trace_event *e, uint16_t hart, uint64_t n)
{
    head_init(&e->h, TRACE_lost, 0);
    e->h.hart = hart;
    for (int i = 0; i < COWL_TRACE_ARGS; i++)
        e->args[i] = 0;
    e->args[0] = n;
}

/* ---- The drain. ---- */

/* Queue what the current console buffer holds. */
static void console_flush(void)
{
    if (!out_buf || !out_len)
        return;
    virtio_console_send(out_buf, out_len);
    out_buf = 0;
}

/* Put one record into a console buffer; false when every buffer is in flight. */
static bool console_put(const struct cowl_trace_event *e)
{
    if (!out_buf) {
        out_buf = virtio_console_buffer(&out_cap);
        out_len = 0;
        if (!out_buf)
            return false;
    }
    memcpy(out_buf + out_len, e, sizeof(*e));
    out_len += sizeof(*e);
    if (out_len + sizeof(*e) > out_cap)
        console_flush();
    return true;
}

/* Hand e to every sink; false when the console has no room (try later). */
static bool sink_put(struct cowl_trace_event *e)
{
    if (console && !console_put(e))
        return false;
    if (readers_active)
        ring_keep(&readers, e); /* with its ring's numbers */
    return true;
}

/* Move ring r's lost count and records to the sinks while they take them. */
static void drain_ring(struct trace_ring *r, uint16_t hart)
{
    uint64_t lost = r->lost;
    if (lost != r->lost_told) {
        struct cowl_trace_event e;
        lost_record(&e, hart, lost - r->lost_told);
        if (!sink_put(&e))
            return;
        r->lost_told = lost;
    }
    struct cowl_trace_event *e;
    while ((e = ring_peek(r)) && sink_put(e))
        ring_pop(r);
}

void trace_drain(void)
{
    if (!allocated)
        return;
    uint32_t waiting = readers.head - readers.tail;
    for (uint32_t i = 0; i < ncpu; i++)
        drain_ring(&rings[i], (uint16_t)cpus[i].hartid);
    if (console)
        console_flush();
    if (readers.head - readers.tail != waiting || readers.lost != readers.lost_told)
        sched_wakeup(&readers);
}

/* ---- Switching on and off. ---- */

/* Records per ring: RINGS_BUDGET pages shared by the harts (one page at
 * least, RING_PAGES at most), or the boot option tracering=N. */
static uint32_t ring_records(void)
{
    char value[12];
    uint32_t pages = RINGS_BUDGET / ncpu, n = 0;
    pages = pages < 1 ? 1 : pages > RING_PAGES ? RING_PAGES : pages;
    if (!bootarg_get(TRACERING_ARG, value, sizeof(value)))
        return pages * PER_PAGE;
    for (char *c = value; *c >= '0' && *c <= '9' && n <= RING_RECORDS; c++)
        n = n * 10 + (uint32_t)(*c - '0');
    return n < RING_MIN ? RING_MIN : n > RING_RECORDS ? RING_RECORDS : n;
}

/* Every hart's ring and the readers' buffer, at boot (so that tracing, when
 * it starts, allocates nothing); false if the pool is short. */
static bool rings_alloc(void)
{
    uint32_t size = ring_records();
    if (!ring_alloc(&readers, READER_PAGES * PER_PAGE))
        return false;
    for (uint32_t i = 0; i < ncpu; i++)
        if (!ring_alloc(&rings[i], size))
            return false;
    return true;
}

int trace_set(bool on)
{
    if (on && !allocated)
        return -COWL_ENOMEM;
    trace_on = on;
    if (!on)
        sched_wakeup(&readers); /* a waiting reader learns that tracing stopped */
    return 0;
}

void trace_init(const struct machine *m)
{
    if (!rings_alloc()) {
        printk("cowl: no kernel memory for the trace rings; no tracing\n");
        return;
    }
    __atomic_store_n(&allocated, true, __ATOMIC_RELEASE);
    if (!virtio_console_init(m->virtio, m->nvirtio))
        return;
    trace_set(true);
    struct cowl_trace_event e;
    stream_record(&e);
    console_put(&e);
    console_flush();
    console = true;
}

/* ---- The slow halves of the sites. ---- */

void trace_trap_slow(void)
{
    uint32_t i = this_cpu()->index;
    trap_time[i] = now_time();
    trap_cycle[i] = now_cycle();
}

void trace_fault_begin_slow(struct thread *t, uint64_t va, uint64_t pc, uint64_t frame)
{
    if (t->trace.h.type)
        trace_fault_end_slow(t, false); /* a copyout's fault, and now another */
    struct cowl_trace_fault *f = &t->trace;
    *f = (struct cowl_trace_fault){.va = va, .pc = pc, .old_frame = frame};
    head_init(&f->h, TRACE_fault, (uint32_t)t->proc->pid);
    uint32_t i = this_cpu()->index;
    if (pc && trap_time[i]) {
        f->h.time = trap_time[i];
        f->h.cycle = trap_cycle[i];
    }
    trap_time[i] = 0;
    f->h.flags = pc ? 0 : COWL_TRACE_FAULT_COPYOUT;
}

static void stamp(struct cowl_trace_fault *f, enum cowl_trace_phase phase, uint64_t time,
                  uint64_t cycle)
{
    if (f->time[phase - 1])
        return; /* a later kernel call of the same thread: not this fault's */
    f->time[phase - 1] = time;
    f->cycles[phase - 1] = (uint32_t)(cycle - f->h.cycle);
}

void trace_fault_phase_slow(struct thread *t, enum cowl_trace_phase phase)
{
    stamp(&t->trace, phase, now_time(), now_cycle());
}

void trace_fault_decision_slow(struct thread *t, const struct pg_fault_reply *r)
{
    struct cowl_trace_fault *f = &t->trace;
    f->decision = (uint16_t)r->label;
    f->count = (uint32_t)r->count;
    f->new_frame = r->label == PG_COPY ? r->frame : 0;
    if (r->decided_time)
        stamp(f, TRACE_PHASE_DECIDED, r->decided_time, r->decided_cycle);
}

void trace_fault_end_slow(struct thread *t, bool to_user)
{
    struct cowl_trace_fault *f = &t->trace;
    if (to_user)
        stamp(f, TRACE_PHASE_USER, now_time(), now_cycle());
    else
        f->h.flags |= COWL_TRACE_FAULT_NORETURN;
    f->resume_hart = (uint16_t)this_cpu()->hartid; /* whose ring takes the record */
    if (allocated)
        ring_put(&rings[this_cpu()->index], (struct cowl_trace_event *)f);
    f->h.type = 0;
}

void trace_stamp_reply_slow(const struct cowl_msg *req, struct cowl_msg *reply)
{
    if (((const union pg_msg *)req)->h.label != PG_FAULT)
        return;
    union pg_msg *out = (union pg_msg *)reply;
    out->fault_reply.decided_time = now_time();
    out->fault_reply.decided_cycle = now_cycle();
}

void trace_event_slow(uint16_t type, uint32_t pid, const uint64_t *args, uint32_t nargs)
{
    struct cowl_trace_event e;
    head_init(&e.h, type, pid);
    for (uint32_t i = 0; i < COWL_TRACE_ARGS; i++)
        e.args[i] = i < nargs ? args[i] : 0;
    ring_put(&rings[this_cpu()->index], &e);
}

void trace_fault_kill_slow(struct thread *t, uint64_t scause, uint64_t pc, uint64_t addr)
{
    enum cowl_trace_kill why = TRACE_KILL_fault;
    if (t->trace.h.type && t->trace.decision == PG_KILL)
        why = TRACE_KILL_decision;
    else if (t->trace.h.type)
        why = TRACE_KILL_refused;
    uint64_t a[] = {why, scause, pc, addr};
    trace_event_slow(TRACE_kill, (uint32_t)t->proc->pid, a, 4);
}

void trace_batch_slow(struct thread *t)
{
    const struct pg_batch_msg *q = &t->kreq.batch;
    const struct pg_reply_msg *r = &t->kreply.reply;
    uint64_t a[] = {q->label, q->count, r->label, r->free, r->used, r->shared};
    trace_event_slow(TRACE_batch, (uint32_t)q->space, a, 6);
}

/* The pages the child maps are the ones fork shared (cow=eager: copied). */
void trace_fork_slow(struct proc *parent, struct proc *child, int result)
{
    uint64_t a[] = {(uint64_t)child->pid, result < 0 ? 0 : space_frames(child->space),
                    (uint64_t)(int64_t)result};
    trace_event_slow(TRACE_fork, (uint32_t)parent->pid, a, 3);
}

void trace_exec_slow(uint32_t pid, const char *name)
{
    uint64_t a[COWL_TRACE_NAME_BYTES / sizeof(uint64_t)] = {0};
    strlcpy((char *)a, name, sizeof(a));
    trace_event_slow(TRACE_exec, pid, a, sizeof(a) / sizeof(a[0]));
}

/* ---- traceread(buf, max): the events, for pgtrace. ---- */

/* Start a reader afresh: the buffer emptied, a stream record first. */
static int readers_reset(void)
{
    int err = trace_set(true);
    if (err)
        return err;
    readers.tail = readers.head;
    readers.lost_told = readers.lost;
    readers_active = true;
    struct cowl_trace_event e;
    stream_record(&e);
    ring_keep(&readers, &e);
    return 0;
}

/* Copy up to max waiting records to buf: a lost record first if the buffer dropped some. */
static int64_t readers_copy(uva_t buf, uint64_t max)
{
    struct space *s = proc_current()->space;
    uint64_t n = 0;
    if (readers.lost != readers.lost_told) {
        struct cowl_trace_event e;
        lost_record(&e, COWL_TRACE_HART_READER, readers.lost - readers.lost_told);
        if (copy_out(s, buf, &e, sizeof(e)) < 0)
            return -COWL_EFAULT;
        readers.lost_told = readers.lost;
        n++;
    }
    struct cowl_trace_event *e;
    for (; n < max && (e = ring_peek(&readers)); n++) {
        struct cowl_trace_event copy = *e;
        if (copy_out(s, buf + n * sizeof(copy), &copy, sizeof(copy)) < 0)
            return n ? (int64_t)n : -COWL_EFAULT;
        ring_pop(&readers);
    }
    return (int64_t)n;
}

int64_t trace_read(uint64_t buf, uint64_t max)
{
    if ((max == 0 || !readers_active) && readers_reset() < 0)
        return -COWL_ENOMEM;
    if (max == 0)
        return 0;
    if (max > COWL_TRACE_READ_MAX)
        max = COWL_TRACE_READ_MAX;
    trace_drain();
    while (!ring_peek(&readers) && readers.lost == readers.lost_told) {
        if (proc_current()->killed || !trace_on)
            return -COWL_EINVAL;
        sched_sleep(&readers);
    }
    return readers_copy(buf, max);
}
