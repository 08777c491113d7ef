/*
 * The pager server: the one process that owns the user-frame pool. It sets
 * the policy up over the tables the kernel mapped for it, then answers
 * requests on COWL_PAGER_EP forever. Requests with badge 0 come from the
 * kernel and go to the policy; any other badge is a user process's pid, which
 * may only ping: everything else it sends is refused and reported on the
 * console. How it answers is answer.h's: honest.c in the pager that ships,
 * hostile.c in the test build that lies. Single-threaded: the pool is touched only from this loop,
 * so the policy needs no lock. The pager never forks and never grows its heap.
 */
#include <user.h>

#include "answer.h"

void pager_main(struct pager_boot *boot) __attribute__((noreturn));

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
 * must not flood the console. The next line printed counts those held back. */
#define REFUSALS_PER_SECOND 5
#define TICKS_PER_SECOND    100

static void report_refusal(const struct cowl_msg *req, uint64 badge)
{
    static int window, printed, held;
    struct pg_batch_msg m;
    int now = uptime();

    if (now - window >= TICKS_PER_SECOND) {
        window = now;
        printed = 0;
    }
    if (printed >= REFUSALS_PER_SECOND) {
        held++;
        return;
    }
    printed++;
    memcpy(&m, req, sizeof(m));
    if (held)
        printf("pager: %d more refusals not shown\n", held);
    held = 0;
    printf("pager: refused %s from pid %lu\n", pool_label_name(m.label), badge);
}

/* Answer req from sender badge into *reply. */
static void serve_one(struct pool *pool, uint32_t *batch, const struct cowl_msg *req, uint64 badge,
                      struct cowl_msg *reply)
{
    if (badge == 0) {
        answer_kernel(pool, batch, req, reply);
        stamp_decision(req, reply);
        return;
    }
    if (answer_user(req, badge, reply))
        report_refusal(req, badge);
}

/* Wait for the next request; without its endpoint the pager cannot go on. */
static void recv_next(struct cowl_msg *req, uint64 *badge)
{
    int err = ipc_recv(COWL_PAGER_EP, req, badge);

    if (err < 0) {
        printf("pager: receive failed (%d), exiting\n", err);
        exit(1);
    }
}

/* Set the pool up from what the kernel handed over; false if it is unusable. */
static bool pager_setup(struct pool *pool, const struct pager_boot *boot)
{
    if (boot->pool_frames > UINT32_MAX || boot->reserved > boot->pool_frames)
        return false;
    if (!pool_init(pool, boot->pool_base >> COWL_PAGE_SHIFT, (uint32_t)boot->pool_frames,
                   (uint32_t)boot->reserved, (void *)boot->table_va))
        return false;
    pool->trace = boot->bootargs_trace != 0;
    return true;
}

void pager_main(struct pager_boot *boot)
{
    static struct pool pool;
    uint32_t *batch = (uint32_t *)boot->batch_va;
    struct cowl_msg req, reply;
    uint64 badge;

    if (!pager_setup(&pool, boot)) {
        printf("pager: unusable pool: base %p, %lu frames, %lu reserved\n", (void *)boot->pool_base,
               boot->pool_frames, boot->reserved);
        exit(1);
    }
    printf("pager: %u frames in pool, %u free\n", pool.nframes, pool.nfree);
    recv_next(&req, &badge);
    for (;;) {
        serve_one(&pool, batch, &req, badge, &reply);
        /* The reply fails when its caller has died meanwhile; receive anew. */
        if (ipc_reply_recv(COWL_PAGER_EP, &reply, &req, &badge) < 0)
            recv_next(&req, &badge);
    }
}
