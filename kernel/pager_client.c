/*
 * The pager protocol, client side (see pager_client.h): the batch buffers,
 * request numbers, and the checks every answer passes before the kernel
 * acts on it. The kernel reports, the pager decides, and nothing the pager
 * says is taken on trust.
 *
 * The service has one lane per hart, up to COWL_PAGER_LANES_MAX (a pager
 * thread each, or in cow=kernel the policy's per-lane state), and there is
 * one batch buffer per lane, so that forks and exits on different harts
 * do not wait for each other's buffer. A holder names its buffer in each
 * request; the request goes to the lane of whatever hart it is on.
 *
 * Before the pool is handed over, the service's own frames (the batch
 * buffers, the pager's image and tables) are carved from the front of the
 * pool; those frames start with count 1 in the service's table.
 */
#include "pager_client.h"
#include "cpu.h"
#include "lock.h"
#include "page.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "ratelimit.h"
#include "sched.h"
#include "thread.h"
#include "trace.h"

#define BATCH_PAGES (COWL_BATCH_BYTES / PAGE_SIZE)

static uint32_t *batches; /* lanes buffers, side by side; mapped into the pager too */
static bool batch_busy[COWL_PAGER_LANES_MAX];
static uint32_t batch_waiters;
static unsigned lanes;
static uint64_t reserved_end; /* end of the frames carved for the service */
static uint64_t refused;

bool pager_frame_in_pool(uint64_t pa)
{
    return pa >= reserved_end && pa < user_pool_end && !(pa & PAGE_MASK);
}

uint64_t pager_reserve(uint64_t npages)
{
    uint64_t pa = reserved_end;
    if (pa + npages * PAGE_SIZE > user_pool_end)
        panic("pager: the pool cannot hold the pager");
    reserved_end += npages * PAGE_SIZE;
    return pa;
}

uint64_t pager_reserved(void)
{
    return (reserved_end - user_pool_base) / PAGE_SIZE;
}

void pager_client_init(void)
{
    reserved_end = user_pool_base;
    lanes = ncpu < COWL_PAGER_LANES_MAX ? ncpu : COWL_PAGER_LANES_MAX;
    batches = (uint32_t *)pager_reserve(lanes * BATCH_PAGES);
    pager_service_start(batches, lanes);
}

unsigned pager_lane_here(void)
{
    return this_cpu()->index % lanes;
}

/* A free buffer, this hart's lane's first; -1 if all are held. */
static int free_buffer(void)
{
    for (unsigned k = 0, first = pager_lane_here(); k < lanes; k++)
        if (!batch_busy[(first + k) % lanes])
            return (int)((first + k) % lanes);
    return -1;
}

uint32_t *pager_batch_begin(void)
{
    struct thread *t = sched_current();
    ASSERT(spin_held(&big_lock) && !t->batch_held);
    int b;
    while ((b = free_buffer()) < 0) {
        batch_waiters++;
        sched_sleep(&batch_busy);
        batch_waiters--;
    }
    batch_busy[b] = true;
    t->batch_held = (uint8_t)(b + 1);
    return batches + (uint64_t)b * COWL_BATCH_MAX;
}

void pager_batch_end(void)
{
    struct thread *t = sched_current();
    ASSERT(t->batch_held);
    batch_busy[t->batch_held - 1] = false;
    t->batch_held = 0;
    if (batch_waiters)
        sched_wakeup(&batch_busy);
}

/* Number t's request: the seq is the top half of its first word (cowl/abi.h),
 * written as a word so that a request written a word at a time
 * (fault.c) stays in the compiler's registers. */
static inline void number(struct thread *t)
{
    uint64_t *w0 = &t->kreq.raw.w[0];
    *w0 = (uint32_t)*w0 | (uint64_t)++t->kcall_seq << 32;
}

void pager_call(struct thread *t)
{
    ASSERT(t == sched_current());
    number(t);
    pager_service_call(t);
}

void pager_fault_call(struct thread *t, void (*resume)(void))
{
    /* t is the current thread, in its trap without big_lock: its one
     * caller, fault_user_store, is the fault path's first step. */
    number(t);
    pager_service_fault(t, resume);
}

/* Inlined where answers land (link-time optimization): the lane's answer
 * to a fault is a hot path. */
__attribute__((always_inline)) inline void pager_call_done(struct thread *t)
{
    struct pg_header *req = &t->kreq.h, *rep = &t->kreply.h;
    if (__builtin_expect(rep->seq != req->seq, 0)) {
        pager_refused("cowl: the pager answered request %u with seq %u\n", req->seq, rep->seq);
        rep->label = req->label == PG_FAULT ? PG_KILL : PG_FAIL;
    }
    trace_batch(t);
}

/* One batch-style request for the current thread; its reply stays in kreply. */
static struct pg_reply_msg *batch_request(uint32_t label, uint64_t count, uint64_t first)
{
    struct thread *t = sched_current();
    t->kreq.batch = (struct pg_batch_msg){.label = label,
                                          .count = count,
                                          .first = first,
                                          .space = (uint64_t)t->proc->pid,
                                          .buffer = t->batch_held ? t->batch_held - 1U : 0};
    pager_call(t);
    return &t->kreply.reply;
}

uint32_t pager_batch_call(uint32_t label, uint64_t count, uint64_t first)
{
    ASSERT(sched_current()->batch_held);
    return batch_request(label, count, first)->label;
}

int64_t pager_audit(uint64_t first, uint64_t count)
{
    ASSERT(sched_current()->batch_held);
    struct pg_reply_msg *r = batch_request(PG_AUDIT, count, first);
    return r->label == PG_OK ? (int64_t)r->mismatches : -1;
}

int pager_stat(struct cowl_poolstat *st)
{
    struct pg_reply_msg *r = batch_request(PG_STAT, 0, 0);
    if (r->label != PG_OK)
        return -1;
    *st = (struct cowl_poolstat){r->free + r->used, r->free, r->used, r->shared, COW_MODE};
    return 0;
}

int pager_trace(bool on)
{
    pager_batch_begin();
    uint32_t r = pager_batch_call(PG_TRACE, on, 0);
    pager_batch_end();
    return r == PG_OK ? 0 : -1;
}

void pager_refused(const char *fmt, ...)
{
    static struct ratelimit rl;
    bool held = spin_held(&big_lock); /* the fault path may call without it */
    if (!held)
        spin_lock(&big_lock);
    refused++;
    if (ratelimit_allow(&rl)) {
        va_list ap;
        va_start(ap, fmt);
        vprintk(fmt, ap);
        va_end(ap);
    }
    if (!held)
        spin_unlock(&big_lock);
}

uint64_t pager_refused_count(void)
{
    return refused;
}
