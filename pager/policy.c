/*
 * The pager's policy: every user frame is allocated, shared, copied and freed
 * here, by a change to its reference count. The kernel reports, this file
 * decides; the kernel then checks the decision and applies it.
 *
 * A frame's life:  free (count 0, on the free stack)
 *                    --ALLOC or COPY target--> count 1
 *                    --SHARE--> count n+1   --RELEASE or COPY source--> count n-1
 *                    --count reaches 0--> back on the free stack.
 *
 * Fault cases (PG_FAULT names the frame now mapped at the faulting address):
 *   frame not in the pool, or count 0  -> PG_KILL  (the kernel is confused)
 *   count 1 (sole owner)               -> PG_REUSE (make the PTE writable)
 *   count >= 2, a free frame exists    -> PG_COPY  (new frame count 1, old -1)
 *   count >= 2, no free frame          -> PG_KILL  (out of memory kills only
 *                                                   the faulting process)
 *
 * Batch requests are all-or-nothing: every entry is checked against the
 * counts as they would be after the earlier entries (so a frame named twice
 * in one batch is judged correctly) before any count changes. The running
 * counters nfree/nused/nshared change only in take_free/count_add/count_drop,
 * which keeps STAT exact and O(1). Nothing here calls libc: the kernel and
 * the pager link it freestanding.
 */
#include "policy.h"

static const char *const label_names[] = {
    [PG_ALLOC] = "PG_ALLOC", [PG_SHARE] = "PG_SHARE", [PG_RELEASE] = "PG_RELEASE",
    [PG_FAULT] = "PG_FAULT", [PG_STAT] = "PG_STAT",   [PG_AUDIT] = "PG_AUDIT",
    [PG_TRACE] = "PG_TRACE", [PG_PING] = "PG_PING",
};

const char *pool_label_name(uint32_t label)
{
    if (label >= sizeof(label_names) / sizeof(label_names[0]) || !label_names[label])
        return "?";
    return label_names[label];
}

/* ---- Counts. Only these four functions move the running counters. ---- */

/* Find the index of page number pfn; false if it lies outside the pool. */
static bool frame_index(const struct pool *p, uint64_t pfn, uint32_t *idx)
{
    if (pfn < p->base_pfn || pfn - p->base_pfn >= p->nframes)
        return false;
    *idx = (uint32_t)(pfn - p->base_pfn);
    return true;
}

/* The index of page number pfn, already known to lie in the pool. */
static uint32_t index_of(const struct pool *p, uint64_t pfn)
{
    return (uint32_t)(pfn - p->base_pfn);
}

/* Take a free frame and give it count 1. Needs nfree > 0. */
static uint32_t take_free(struct pool *p)
{
    uint32_t idx = p->free_stack[--p->nfree];

    p->count[idx] = 1;
    p->nused++;
    return idx;
}

/* One more reference. Needs 1 <= count < POOL_COUNT_MAX. */
static void count_add(struct pool *p, uint32_t idx)
{
    if (p->count[idx] == 1)
        p->nshared++;
    p->count[idx]++;
}

/* One reference fewer; at zero the frame is free again. Needs count >= 1. */
static void count_drop(struct pool *p, uint32_t idx)
{
    if (p->count[idx] == 2)
        p->nshared--;
    if (--p->count[idx] == 0) {
        p->nused--;
        p->free_stack[p->nfree++] = idx;
    }
}

/* Undo the count_drop just made on idx (the last one not yet undone, so a
 * frame it freed is the top of the free stack). */
static void count_undrop(struct pool *p, uint32_t idx)
{
    if (p->count[idx] == 0) {
        p->nfree--;
        p->nused++;
    }
    if (++p->count[idx] == 2)
        p->nshared++;
}

bool pool_init(struct pool *p, uint64_t base_pfn, uint32_t nframes, uint32_t reserved, void *table)
{
    if (reserved > nframes || base_pfn > UINT32_MAX ||
        base_pfn + nframes > (uint64_t)UINT32_MAX + 1)
        return false;
    p->base_pfn = base_pfn;
    p->nframes = nframes;
    /* Free stack first: the table is 4-byte aligned, the counts need only 2. */
    p->free_stack = table;
    p->count = (uint16_t *)(p->free_stack + nframes);
    p->nfree = 0;
    p->nused = reserved;
    p->nshared = 0;
    p->trace = false;
    for (uint32_t i = 0; i < nframes; i++)
        p->count[i] = i < reserved ? 1 : 0;
    /* Pushed high to low so the lowest free frames are handed out first. */
    for (uint32_t i = nframes; i > reserved; i--)
        p->free_stack[p->nfree++] = i - 1;
    return true;
}

/* ---- Batch requests. ---- */

static uint32_t do_alloc(struct pool *p, const struct pg_batch_msg *m, uint32_t *batch)
{
    if (m->count == 0 || m->count > COWL_BATCH_MAX || m->count > p->nfree)
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        batch[i] = (uint32_t)(p->base_pfn + take_free(p));
    return PG_OK;
}

/*
 * PG_SHARE and PG_RELEASE: one pass over the batch, each entry checked and
 * applied in order (a frame may appear twice); the first entry out of the
 * pool or out of range stops the pass, and the entries applied before it
 * are undone in reverse, so a refused batch leaves every count as it was.
 */
static uint32_t do_share(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch)
{
    uint32_t i, idx, n = (uint32_t)m->count;

    if (m->count > COWL_BATCH_MAX)
        return PG_FAIL;
    for (i = 0; i < n; i++) {
        if (!frame_index(p, batch[i], &idx) || p->count[idx] == 0 ||
            p->count[idx] == POOL_COUNT_MAX)
            break;
        count_add(p, idx);
    }
    if (i == n)
        return PG_OK;
    while (i-- > 0)
        count_drop(p, index_of(p, batch[i])); /* from >= 2: frees nothing */
    return PG_FAIL;
}

static uint32_t do_release(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch)
{
    uint32_t i, idx, n = (uint32_t)m->count;

    if (m->count > COWL_BATCH_MAX)
        return PG_FAIL;
    for (i = 0; i < n; i++) {
        if (!frame_index(p, batch[i], &idx) || p->count[idx] == 0)
            break;
        count_drop(p, idx);
    }
    if (i == n)
        return PG_OK;
    while (i-- > 0)
        count_undrop(p, index_of(p, batch[i]));
    return PG_FAIL;
}

/* Count the frames in the window whose count differs from the kernel's. */
static uint32_t do_audit(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch,
                         struct pg_reply_msg *r)
{
    if (m->count > COWL_BATCH_MAX || m->first > p->nframes || m->count > p->nframes - m->first)
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        r->mismatches += p->count[m->first + i] != batch[i];
    return PG_OK;
}

static uint32_t do_trace(struct pool *p, const struct pg_batch_msg *m)
{
    if (m->count > 1)
        return PG_FAIL;
    p->trace = m->count == 1;
    return PG_OK;
}

/* ---- Faults. ---- */

/* Decide a store fault on the COW frame m->frame; see the table at the top.
 * *count is the frame's count as found (0 if not a pool frame). */
static uint32_t do_fault(struct pool *p, const struct pg_fault_msg *m, struct pg_reply_msg *r,
                         uint64_t *count)
{
    uint32_t idx, copy;

    *count = 0;
    if ((m->frame & (COWL_PAGE_SIZE - 1)) != 0 ||
        !frame_index(p, m->frame >> COWL_PAGE_SHIFT, &idx) || p->count[idx] == 0)
        return PG_KILL;
    if ((*count = p->count[idx]) == 1)
        return PG_REUSE;
    if (p->nfree == 0)
        return PG_KILL;
    copy = take_free(p);
    count_drop(p, idx);
    r->frame = (p->base_pfn + copy) << COWL_PAGE_SHIFT;
    return PG_COPY;
}

/* ---- Dispatch. ---- */

/* The record of a request before it is answered. */
static void event_start(struct pool_event *ev, const union pg_msg *in)
{
    *ev = (struct pool_event){.label = in->h.label};
    if (in->h.label == PG_FAULT) {
        ev->space = in->fault.space;
        ev->va = in->fault.va;
        ev->pc = in->fault.pc;
        ev->frame = in->fault.frame;
    } else {
        ev->space = in->batch.space;
        ev->count = in->batch.count;
        ev->frame = in->batch.first;
    }
}

/* The pool's free, used and shared frames, as STAT and the batch replies give them. */
static void pool_figures(const struct pool *p, struct pg_reply_msg *r)
{
    r->free = p->nfree;
    r->used = p->nused;
    r->shared = p->nshared;
}

static uint32_t dispatch(struct pool *p, const union pg_msg *in, uint32_t *batch, union pg_msg *out,
                         struct pool_event *ev)
{
    switch (in->h.label) {
    case PG_ALLOC:
        return do_alloc(p, &in->batch, batch);
    case PG_SHARE:
        return do_share(p, &in->batch, batch);
    case PG_RELEASE:
        return do_release(p, &in->batch, batch);
    case PG_FAULT:
        return do_fault(p, &in->fault, &out->reply, &ev->count);
    case PG_STAT:
        pool_figures(p, &out->reply);
        return PG_OK;
    case PG_AUDIT:
        return do_audit(p, &in->batch, batch, &out->reply);
    case PG_TRACE:
        return do_trace(p, &in->batch);
    case PG_PING:
        return PG_OK;
    default:
        return PG_FAIL;
    }
}

void pool_handle(struct pool *p, const struct cowl_msg *req, uint32_t *batch,
                 struct cowl_msg *reply, struct pool_event *ev)
{
    union pg_msg in = {.raw = *req}, out = {.raw = {{0}}};

    event_start(ev, &in);
    out.reply.label = dispatch(p, &in, batch, &out, ev);
    out.reply.seq = in.h.seq;
    /* For the kernel's trace: the count a fault saw, the pool after a batch. */
    if (ev->label == PG_FAULT)
        out.fault_reply.count = ev->count;
    else if (ev->label >= PG_ALLOC && ev->label <= PG_RELEASE)
        pool_figures(p, &out.reply);
    ev->result = out.reply.label;
    ev->new_frame = ev->label == PG_FAULT && ev->result == PG_COPY ? out.reply.frame : 0;
    ev->mismatches = ev->label == PG_AUDIT ? out.reply.mismatches : 0;
    ev->free = p->nfree;
    *reply = out.raw;
}

void pool_event_print(const struct pool_event *ev, void (*print)(const char *fmt, ...))
{
    static const char *const batch_names[] = {
        [PG_ALLOC] = "alloc", [PG_SHARE] = "share", [PG_RELEASE] = "release"};
    const char *result = ev->result == PG_OK ? "ok" : "fail";

    switch (ev->label) {
    case PG_ALLOC:
    case PG_SHARE:
    case PG_RELEASE:
        print("pager: %s pid %lu n %lu -> %s, free %u\n", batch_names[ev->label], ev->space,
              ev->count, result, ev->free);
        break;
    case PG_FAULT:
        if (ev->result == PG_COPY)
            print("pager: fault pid %lu va 0x%lx pc 0x%lx frame 0x%lx count %lu -> copy 0x%lx\n",
                  ev->space, ev->va, ev->pc, ev->frame, ev->count, ev->new_frame);
        else
            print("pager: fault pid %lu va 0x%lx pc 0x%lx frame 0x%lx count %lu -> %s\n", ev->space,
                  ev->va, ev->pc, ev->frame, ev->count, ev->result == PG_REUSE ? "reuse" : "kill");
        break;
    case PG_AUDIT:
        print("pager: audit first %lu n %lu -> mismatches %lu\n", ev->frame, ev->count,
              ev->mismatches);
        break;
    }
}

bool pool_handle_user(const struct cowl_msg *req, struct cowl_msg *reply)
{
    union pg_msg in = {.raw = *req}, out = {.raw = {{0}}};

    out.reply.label = in.h.label == PG_PING ? PG_OK : PG_FAIL;
    out.reply.seq = in.h.seq;
    *reply = out.raw;
    return out.reply.label != PG_OK;
}
