/*
 * The pager protocol, client side (see pager_client.h): the batch buffer,
 * request numbers, and the checks every answer passes before the kernel
 * acts on it. The kernel reports, the pager decides, and nothing the pager
 * says is taken on trust.
 *
 * Before the pool is handed over, the service's own frames (the batch
 * buffer, the pager's image and tables) are carved from the front of the
 * pool; those frames start with count 1 in the service's table.
 */
#include "pager_client.h"
#include "lock.h"
#include "page.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "ratelimit.h"
#include "sched.h"
#include "thread.h"
#include "trace.h"

#define BATCH_PAGES (COWL_BATCH_MAX * sizeof(uint32_t) / PAGE_SIZE)

static uint32_t *batch; /* reserved frames; mapped into the pager too */
static bool batch_busy;
static uint32_t next_seq = 1;
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
    batch = (uint32_t *)pager_reserve(BATCH_PAGES);
    pager_service_start(batch);
}

uint32_t *pager_batch_begin(void)
{
    ASSERT(spin_held(&big_lock));
    while (batch_busy)
        sched_sleep(&batch_busy);
    batch_busy = true;
    return batch;
}

void pager_batch_end(void)
{
    batch_busy = false;
    sched_wakeup(&batch_busy);
}

void pager_call(struct thread *t)
{
    ASSERT(spin_held(&big_lock) && t == sched_current());
    t->kreq.h.seq = next_seq++;
    pager_service_call(t);
}

void pager_call_done(struct thread *t)
{
    ASSERT(spin_held(&big_lock));
    struct pg_header *req = &t->kreq.h, *rep = &t->kreply.h;
    if (rep->seq != req->seq) {
        pager_refused("cowl: the pager answered request %u with seq %u\n", req->seq, rep->seq);
        rep->label = req->label == PG_FAULT ? PG_KILL : PG_FAIL;
    }
    trace_batch(t);
}

/* One batch-style request for the current thread; its reply stays in kreply. */
static struct pg_reply_msg *batch_request(uint32_t label, uint64_t count, uint64_t first)
{
    struct thread *t = sched_current();
    t->kreq.batch = (struct pg_batch_msg){
        .label = label, .count = count, .first = first, .space = (uint64_t)t->proc->pid};
    pager_call(t);
    return &t->kreply.reply;
}

uint32_t pager_batch_call(uint32_t label, uint64_t count, uint64_t first)
{
    ASSERT(batch_busy);
    return batch_request(label, count, first)->label;
}

int64_t pager_audit(uint64_t first, uint64_t count)
{
    ASSERT(batch_busy);
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
    refused++;
    if (!ratelimit_allow(&rl))
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

uint64_t pager_refused_count(void)
{
    return refused;
}
