/*
 * A pager that lies, for the test suite only (the boot image's
 * `pager-hostile`, started with `pager=hostile`). To processes whose pid is
 * at least the victim floor (hostile.h) it answers some requests with what
 * the kernel must refuse: a copy into a frame outside the pool, into the
 * pager's own frames, into the old frame, into a frame mapped elsewhere, or
 * at an unaligned address; reuse of a shared frame; a stale sequence
 * number; an unknown label; a reply sent ahead, so that the loop's own
 * reply goes to nobody; an allocation naming a foreign, reserved or
 * duplicate frame; a refused share. Everyone else gets the honest policy.
 *
 * Each lie leaves the books as they will be once the kernel has refused it
 * (a fault lie changes no count; a refused share is not counted), so that
 * the pool is whole again when the victims are gone and poolcheck can prove
 * the kernel mapped nothing it should not have. A bad allocation entry is
 * settled at the kernel's next batch request on the same batch buffer
 * (which the kernel holds from the allocation to its follow-up): the kernel
 * either refused the entry (then the honest frame it replaced goes back to
 * the free frames here) or never looked at it and gives it back unused in
 * that request (then the release frees the honest frame instead). The bad
 * entry is never the last, so a refusal is always followed by the release
 * of the rest.
 *
 * The lies keep state from one request to the next (the generator, the
 * entries to settle, one per batch buffer), so every answer, on whichever lane it is received, is
 * made under one lock: the hostile pager serves one request at a time.
 */
#include <user.h>

#include "answer.h"
#include "hostile.h"

#define KERNEL_TEXT 0x80200000UL

static uint64 victim_floor; /* 0: honest with everyone */
static uint64 rng = 1;
static uint64 lies;
/* Per batch buffer: an allocation lie told in it, to settle; 0 if none. A
 * buffer is held by one kernel thread from the allocation to its follow-up,
 * but lies in different buffers may be outstanding at once (four harts). */
static uint32 bad_entry[COWL_PAGER_LANES_MAX], honest_entry[COWL_PAGER_LANES_MAX];
static uint32 answer_lock; /* held for each whole answer */

static void answer_lock_take(void)
{
    while (__atomic_exchange_n(&answer_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void answer_lock_drop(void)
{
    __atomic_store_n(&answer_lock, 0, __ATOMIC_RELEASE);
}

static uint64 next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool victim(uint64 pid)
{
    return victim_floor && pid >= victim_floor;
}

/* A shared frame (count >= 2) other than avoid (page numbers); 0 if none.
 * Shared, so that some PTE maps it: a frame with count 1 may have no
 * mapping just now (handed out by an answer the kernel has not applied
 * yet, or unmapped by a space whose PG_RELEASE is on its way), and the
 * kernel rightly takes it as a free frame, so the lie is not refused and
 * the books (which assume a refusal) lose a frame. */
static uint64 used_frame(const struct pool *p, uint64 avoid)
{
    uint32 start = (uint32)(next_random() % p->nframes);
    for (uint32 i = 0; i < p->nframes; i++) {
        uint32 idx = (start + i) % p->nframes;
        uint32 c = p->count[idx];
        if (c >= 2 && c <= POOL_COUNT_MAX && p->base_pfn + idx != avoid)
            return p->base_pfn + idx;
    }
    return 0;
}

/* The page number of a free frame an honest copy on lane could take next. */
static uint64 next_free(const struct pool *p, const struct pool_lane *lane)
{
    if (lane->ncached)
        return p->base_pfn + lane->cache[lane->ncached - 1];
    return p->stack.n ? p->base_pfn + p->stack.slot[p->stack.n - 1] : 0;
}

static uint32 count_of(const struct pool *p, uint64 pfn)
{
    return pfn >= p->base_pfn && pfn - p->base_pfn < p->nframes ? p->count[pfn - p->base_pfn] : 0;
}

/* A decision for fault f that the kernel must refuse; no count changes. */
static void fault_lie(const struct pool *p, const struct pool_lane *lane,
                      const struct pg_fault_msg *f, struct pg_reply_msg *r)
{
    uint64 old = f->frame >> COWL_PAGE_SHIFT;
    *r = (struct pg_reply_msg){.label = PG_COPY, .seq = f->seq};
    switch (next_random() % 8) {
    case 0:
        r->frame = KERNEL_TEXT;
        break;
    case 1:
        r->frame = p->base_pfn << COWL_PAGE_SHIFT; /* the pager's own first frame */
        break;
    case 2:
        r->frame = f->frame;
        break;
    case 3:
        r->frame = used_frame(p, old) << COWL_PAGE_SHIFT;
        break;
    case 4:
        if (count_of(p, old) >= 2)
            r->label = PG_REUSE;
        else
            r->frame = f->frame;
        break;
    case 5:
        r->frame = next_free(p, lane) << COWL_PAGE_SHIFT;
        r->seq = f->seq + 1;
        break;
    case 6:
        r->label = 0x77;
        break;
    default:
        r->frame = (next_free(p, lane) << COWL_PAGE_SHIFT) + 8;
    }
}

/* Give one frame (page number) back to the free frames, through the first
 * entry of batch buffer `buffer`, which holds the request being answered:
 * its caller waits for the answer, so the entry can be borrowed. */
static void release_one(struct pool *p, struct pool_lane *lane, uint64 buffer, uint32 pfn)
{
    uint32 *entry = p->batches + buffer * COWL_BATCH_MAX, saved = *entry;
    struct pg_batch_msg m = {.label = PG_RELEASE, .count = 1, .buffer = buffer};
    struct cowl_msg req, reply;
    struct pool_event ev;

    *entry = pfn;
    memcpy(&req, &m, sizeof(req));
    pool_handle(p, lane, &req, &reply, &ev);
    *entry = saved;
}

/* Settle the last allocation lie before the kernel's next batch request
 * m on the same buffer is handled (see the top of the file). */
static void settle(struct pool *p, struct pool_lane *lane, const struct pg_batch_msg *m)
{
    if (m->buffer >= p->nlanes || !bad_entry[m->buffer])
        return;
    uint32 *batch = p->batches + m->buffer * COWL_BATCH_MAX;
    bool returned = false;
    for (uint64 i = 0; m->label == PG_RELEASE && i < m->count && i < COWL_BATCH_MAX; i++)
        if (batch[i] == bad_entry[m->buffer]) {
            batch[i] = honest_entry[m->buffer];
            returned = true;
            break;
        }
    if (!returned)
        release_one(p, lane, m->buffer, honest_entry[m->buffer]);
    bad_entry[m->buffer] = 0;
}

/* An honest allocation with one entry (not the last) replaced by a frame the
 * kernel must refuse; settled at the next batch request. */
static void alloc_lie(struct pool *p, struct pool_lane *lane, const struct cowl_msg *req,
                      struct cowl_msg *reply)
{
    struct pg_batch_msg m;
    struct pg_reply_msg r;
    struct pool_event ev;

    memcpy(&m, req, sizeof(m));
    pool_handle(p, lane, req, reply, &ev);
    memcpy(&r, reply, sizeof(r));
    if (r.label != PG_OK || m.count < 2)
        return;
    uint32 *batch = p->batches + m.buffer * COWL_BATCH_MAX; /* valid: the policy took it */
    uint32 k = (uint32)(next_random() % (m.count - 1)), honest = batch[k];
    switch (next_random() % 4) {
    case 0:
        batch[k] = (uint32)(KERNEL_TEXT >> COWL_PAGE_SHIFT);
        break;
    case 1:
        batch[k] = (uint32)p->base_pfn;
        break;
    case 2:
        batch[k] = (uint32)used_frame(p, honest);
        break;
    default:
        batch[k] = k ? batch[0] : (uint32)used_frame(p, honest);
    }
    if (!batch[k])
        batch[k] = (uint32)(KERNEL_TEXT >> COWL_PAGE_SHIFT);
    bad_entry[m.buffer] = batch[k];
    honest_entry[m.buffer] = honest;
}

/* Try a lie about req; false (and nothing done) when this one stays honest. */
static bool lie(struct pool *p, struct pool_lane *lane, const struct cowl_msg *req,
                struct cowl_msg *reply)
{
    struct pg_fault_msg f;
    struct pg_batch_msg m;

    memcpy(&f, req, sizeof(f));
    memcpy(&m, req, sizeof(m));
    if (f.label == PG_FAULT && victim(f.space) && next_random() % 16 == 0) {
        struct pg_reply_msg r;
        fault_lie(p, lane, &f, &r);
        memcpy(reply, &r, sizeof(r));
        if (next_random() % 8 == 0) {
            ipc_reply(reply); /* ahead of time: the loop's reply goes to nobody */
            reply->w[0] = PG_OK;
        }
        return true;
    }
    if ((m.label != PG_ALLOC && m.label != PG_SHARE) || !victim(m.space) || next_random() % 4)
        return false;
    if (m.label == PG_ALLOC && next_random() % 2) {
        alloc_lie(p, lane, req, reply);
        return true;
    }
    /* Not done, yet claimed done with a stale number, or refused outright. */
    struct pg_reply_msg r = {.label = PG_OK, .seq = m.seq + 1};
    if (next_random() % 2)
        r = (struct pg_reply_msg){.label = PG_FAIL, .seq = m.seq};
    memcpy(reply, &r, sizeof(r));
    return true;
}

/* Answer one request of the kernel; needs answer_lock. */
static void answer_kernel_locked(struct pool *pool, struct pool_lane *lane,
                                 const struct cowl_msg *req, struct cowl_msg *reply)
{
    struct pg_batch_msg m;
    struct pool_event ev;

    memcpy(&m, req, sizeof(m));
    if (m.label == PG_ALLOC || m.label == PG_SHARE || m.label == PG_RELEASE || m.label == PG_AUDIT)
        settle(pool, lane, &m);
    if (lie(pool, lane, req, reply)) {
        lies++;
        return;
    }
    pool_handle(pool, lane, req, reply, &ev);
    if (pool->trace)
        pool_event_print(&ev, printf);
}

/* Every fault goes to answer_kernel, which may lie about it. */
bool answer_fault(struct pool *pool, struct pool_lane *lane, uint64_t w[COWL_MSG_WORDS])
{
    (void)pool, (void)lane, (void)w;
    return false;
}

void answer_kernel(struct pool *pool, struct pool_lane *lane, const struct cowl_msg *req,
                   struct cowl_msg *reply)
{
    answer_lock_take();
    answer_kernel_locked(pool, lane, req, reply);
    answer_lock_drop();
}

bool answer_user(const struct cowl_msg *req, uint64_t badge, struct cowl_msg *reply)
{
    (void)badge;
    if (req->w[0] != PG_PING || (req->w[1] != HOSTILE_START && req->w[1] != HOSTILE_STOP))
        return pool_handle_user(req, reply);
    answer_lock_take();
    *reply = (struct cowl_msg){{PG_OK, 0, lies, 0, 0}};
    if (req->w[1] == HOSTILE_START) {
        victim_floor = req->w[2];
        rng = req->w[3] | 1;
        lies = 0;
    } else {
        victim_floor = 0;
    }
    answer_lock_drop();
    return false;
}
