/*
 * cow=kernel: the pager's policy (pager/policy.c) run inside the kernel,
 * with no pager process and no IPC, so that the cost of the user-level
 * pager can be measured against the same decisions made here. Its tables
 * are carved from the pool at boot like the pager's own; a request is
 * answered at once, under big_lock, and goes through pager_call_done like
 * an answer from the pager.
 */
#include "pager_client.h"
#include "bootargs.h"
#include "page.h"
#include "panic.h"
#include "policy.h"
#include "printk.h"
#include "thread.h"
#include "trace.h"

static struct pool pool;
static uint32_t *batch_buffers;

void pager_service_start(uint32_t *batches, unsigned lanes)
{
    (void)lanes;
    uint64_t nframes = (user_pool_end - user_pool_base) / PAGE_SIZE;
    uint64_t table = pager_reserve(page_count(PAGER_TABLE_BYTES(nframes)));
    batch_buffers = batches;
    if (!pool_init(&pool, pfn_of(user_pool_base), (uint32_t)nframes, (uint32_t)pager_reserved(),
                   (void *)table))
        panic("boot: cannot set up the in-kernel pool");
    pool.trace = bootarg_on("trace"); /* as the pager reads it */
}

void pager_service_call(struct thread *t)
{
    struct pool_event ev;
    trace_fault_phase(t, TRACE_PHASE_SENT);
    uint64_t buffer = t->kreq.h.label == PG_FAULT ? 0 : t->kreq.batch.buffer;
    pool_handle(&pool, &t->kreq.raw, batch_buffers + buffer * COWL_BATCH_MAX, &t->kreply.raw, &ev);
    trace_stamp_reply(&t->kreq.raw, &t->kreply.raw);
    if (pool.trace)
        pool_event_print(&ev, printk);
    pager_call_done(t);
}

struct proc *pager_proc(void)
{
    return 0;
}

struct endpoint *pager_endpoint(void)
{
    return 0;
}
