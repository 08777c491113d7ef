/*
 * The pager server: the one process that owns the user-frame pool. It runs
 * one thread per lane (the kernel starts a lane per hart, each pinned to its
 * hart); lane 0 sets the policy up over the tables the kernel mapped for it
 * and publishes it, and every lane then answers requests on its own
 * endpoint, COWL_PAGER_EP + lane, forever. One more thread, lane number
 * nlanes, waits on the endpoint user processes hold, so that none of them
 * ever touches a lane's. Requests with badge 0 come from the kernel (to the
 * lanes only) and go to the policy; any other badge is a user process's
 * pid, which may only ping: everything else it sends is refused and reported on
 * the console. How it answers is answer.h's: honest.c in the pager that
 * ships, hostile.c in the test build that lies. The lanes share the pool
 * (the policy is safe for concurrent lanes, each with its own struct
 * pool_lane) and nothing else here: what a lane keeps, it keeps per lane.
 * The pager never forks and never grows its heap.
 */
#include <user.h>

#include "answer.h"

void pager_main(struct pager_boot *boot, uint64 lane) __attribute__((noreturn));

static struct pool pool;
static struct pool_lane lanes[COWL_PAGER_LANES_MAX];
static uint32 pool_ready; /* 1 once lane 0 has set the pool up */

/* A fault's answer says when it was decided, for the kernel's trace
 * (cowl/trace.h): the pager's own phase, stamped where it happens, and
 * only while the kernel traces (so tracing off costs the pager a branch). */
static void stamp_decision(const struct cowl_msg *req, struct cowl_msg *reply)
{
    const union pg_msg *in = (const union pg_msg *)req;
    union pg_msg *out = (union pg_msg *)reply;

    if (in->h.label != PG_FAULT || !(in->fault.flags & PG_FAULT_TRACED))
        return;
    out->fault_reply.decided_time = rdtime();
    out->fault_reply.decided_cycle = rdcycle();
}

/* Refusal lines per second of ticks; a process sending garbage in a loop
 * must not flood the console. The next line printed counts those held back.
 * Each lane keeps its own window (so a flood on every hart prints at most
 * REFUSALS_PER_SECOND lines per lane). */
#define REFUSALS_PER_SECOND 5
#define TICKS_PER_SECOND    100

struct refusals {
    int window, printed, held;
};

static void report_refusal(struct refusals *r, const struct cowl_msg *req, uint64 badge)
{
    struct pg_batch_msg m;
    int now = uptime();

    if (now - r->window >= TICKS_PER_SECOND) {
        r->window = now;
        r->printed = 0;
    }
    if (r->printed >= REFUSALS_PER_SECOND) {
        r->held++;
        return;
    }
    r->printed++;
    memcpy(&m, req, sizeof(m));
    if (r->held)
        printf("pager: %d more refusals not shown\n", r->held);
    r->held = 0;
    printf("pager: refused %s from pid %lu\n", pool_label_name(m.label), badge);
}

/* Answer req from sender badge, on lane: everything but the hot fault
 * (answer_fault). By value both ways, so that the loop's words stay in
 * registers. */
static __attribute__((noinline)) struct cowl_msg
serve_one(struct pool_lane *lane, struct refusals *refused, struct cowl_msg req, uint64 badge)
{
    struct cowl_msg reply;

    if (badge == 0 && lane) {
        answer_kernel(&pool, lane, &req, &reply);
        stamp_decision(&req, &reply);
        return reply;
    }
    if (answer_user(&req, badge, &reply))
        report_refusal(refused, &req, badge);
    return reply;
}

static __attribute__((noinline, noreturn)) void recv_failed(int err)
{
    printf("pager: receive failed (%d), exiting\n", err);
    exit(1);
}

/* Wait for the next request on ep into *m; without its endpoint the pager
 * cannot go on. */
static inline void recv_next(int ep, struct cowl_msg *m, uint64 *badge)
{
    int err = ipc_trap(SYS_recv, ep, 0, m, badge);

    if (err < 0)
        recv_failed(err);
}

/* Set the pool up from what the kernel handed over; false if it is unusable. */
static bool pager_setup(const struct pager_boot *boot)
{
    if (boot->pool_frames > UINT32_MAX || boot->reserved > boot->pool_frames || boot->lanes == 0 ||
        boot->lanes > COWL_PAGER_LANES_MAX)
        return false;
    if (!pool_init(&pool, boot->pool_base >> COWL_PAGE_SHIFT, (uint32_t)boot->pool_frames,
                   (uint32_t)boot->reserved, (void *)boot->table_va, (uint32_t *)boot->batch_va,
                   lanes, (uint32_t)boot->lanes))
        return false;
    pool.trace = boot->bootargs_trace != 0;
    return true;
}

/* Lane 0: set the pool up and let the other lanes in. */
static void start_pool(const struct pager_boot *boot)
{
    if (!pager_setup(boot)) {
        printf("pager: unusable pool: base %p, %lu frames, %lu reserved, %lu lanes\n",
               (void *)boot->pool_base, boot->pool_frames, boot->reserved, boot->lanes);
        exit(1);
    }
    printf("pager: %u frames in pool, %u free, %u lanes\n", pool.nframes, pool.stack.n,
           pool.nlanes);
    __atomic_store_n(&pool_ready, 1, __ATOMIC_RELEASE);
}

/* Lanes past 0: wait until lane 0 has published the pool. */
static void wait_pool(void)
{
    while (!__atomic_load_n(&pool_ready, __ATOMIC_ACQUIRE))
        sleep(1);
}

/* Answer requests on lane's endpoint for ever; lane nlanes is the ping
 * thread, whose endpoint only user processes hold. The message, request
 * and then answer, stays in m, in registers: the hot request (a fault of
 * the kernel) is answered there, and only a copy goes to serve_one. */
static void serve(uint32 lane) __attribute__((noreturn));
static void serve(uint32 lane)
{
    struct pool_lane *state = lane < pool.nlanes ? &lanes[lane] : 0;
    struct refusals refused = {0};
    int ep = COWL_PAGER_EP + (int)lane;
    struct cowl_msg m = {{0}};
    uint64 badge = 0;

    recv_next(ep, &m, &badge);
    for (;;) {
        if (badge != 0 || !state || !answer_fault(&pool, state, m.w))
            m = serve_one(state, &refused, m, badge);
        /* The reply fails when its caller has died meanwhile; receive anew. */
        if (ipc_trap(SYS_reply_recv, ep, &m, &m, &badge) < 0)
            recv_next(ep, &m, &badge);
    }
}

void pager_main(struct pager_boot *boot, uint64 lane)
{
    if (lane == 0)
        start_pool(boot);
    else
        wait_pool();
    if (lane > pool.nlanes) {
        printf("pager: lane %lu started, but the pool has %u lanes\n", lane, pool.nlanes);
        exit(1);
    }
    serve((uint32)lane);
}
