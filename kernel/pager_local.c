/*
 * cow=kernel: the pager's policy (pager/policy.c) run inside the kernel,
 * with no pager process and no IPC, so that the cost of the user-level
 * pager can be measured against the same decisions made here. Its tables
 * are carved from the pool at boot like the pager's own; a request is
 * answered at once, with the policy's state of the lane of this hart, and
 * goes through pager_call_done like an answer from the pager. A fault takes
 * no big_lock on the way.
 */
#include "pager_client.h"
#include "bootargs.h"
#include "lock.h"
#include "page.h"
#include "panic.h"
#include "policy.h"
#include "printk.h"
#include "thread.h"
#include "trace.h"

static struct pool pool;
static struct pool_lane pool_lanes[COWL_PAGER_LANES_MAX];
/* A lane's state is one thread's at a time; harts past the lanes share. */
static struct spinlock lane_locks[COWL_PAGER_LANES_MAX] = {[0 ... COWL_PAGER_LANES_MAX - 1] =
                                                               SPINLOCK_INIT("lane")};

void pager_service_start(uint32_t *batches, unsigned lanes)
{
    uint64_t nframes = (user_pool_end - user_pool_base) / PAGE_SIZE;
    uint64_t table = pager_reserve(page_count(PAGER_TABLE_BYTES(nframes)));
    if (!pool_init(&pool, pfn_of(user_pool_base), (uint32_t)nframes, (uint32_t)pager_reserved(),
                   (void *)table, batches, pool_lanes, lanes))
        panic("boot: cannot set up the in-kernel pool");
    pool.trace = bootarg_on("trace"); /* as the pager reads it */
}

void pager_service_call(struct thread *t)
{
    struct pool_event ev;
    trace_fault_phase(t, TRACE_PHASE_SENT);
    unsigned lane = pager_lane_here();
    /* The policy needs no big_lock (pager/policy.h): a fault comes here
     * without it, and faults on other harts go on meanwhile, as they do
     * while the pager process decides. A batch comes holding it. */
    bool traced = pool.trace;
    spin_lock(&lane_locks[lane]);
    t->kreply.raw = t->kreq.raw; /* pool_fault answers in place */
    if (traced || !pool_fault(&pool, &pool_lanes[lane], t->kreply.raw.w))
        pool_handle(&pool, &pool_lanes[lane], &t->kreq.raw, &t->kreply.raw, traced ? &ev : 0);
    spin_unlock(&lane_locks[lane]);
    trace_stamp_reply(&t->kreq.raw, &t->kreply.raw);
    if (traced)
        pool_event_print(&ev, printk);
    pager_call_done(t);
}

void pager_service_fault(struct thread *t, void (*resume)(void))
{
    pager_service_call(t); /* the policy answers at once, on t's own stack */
    resume();
    __builtin_unreachable();
}

struct proc *pager_proc(void)
{
    return 0;
}

struct endpoint *pager_endpoint(void)
{
    return 0;
}
