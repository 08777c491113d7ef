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

/* Views of the one five-word message; GNU C defines reads through a union. */
union pg_msg {
    struct cowl_msg raw;
    struct pg_fault_msg fault;
    struct pg_batch_msg batch;
    struct pg_reply_msg reply;
    struct pg_fault_reply fault_reply;
};

/* The request's seq; the fault message keeps it at a different offset. */
static uint32_t req_seq(const union pg_msg *m)
{
    return m->batch.label == PG_FAULT ? m->fault.seq : m->batch.seq;
}

/* ---- Trace lines: a tiny formatter, because there is no printf here. ---- */

struct line {
    char buf[160];
    uint32_t n;
};

static void put_str(struct line *l, const char *s)
{
    while (*s && l->n < sizeof(l->buf) - 2) /* room for "\n\0" */
        l->buf[l->n++] = *s++;
}

/* Append label then v, in hex with "0x" when hex is set, else decimal. */
static void put_num(struct line *l, const char *label, uint64_t v, bool hex)
{
    char digits[24];
    int i = 0;
    uint64_t base = hex ? 16 : 10;

    put_str(l, label);
    if (hex)
        put_str(l, "0x");
    do {
        digits[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i > 0) {
        char one[2] = {digits[--i], 0};
        put_str(l, one);
    }
}

static void line_emit(struct line *l)
{
    l->buf[l->n++] = '\n';
    l->buf[l->n] = 0;
    policy_trace_line(l->buf);
}

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

/* ---- Counts. Only these three functions move the running counters. ---- */

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

/*
 * Would adding delta (+1 or -1) to the count of every frame named in
 * batch[0..n) keep each count within 1..POOL_COUNT_MAX before its own step,
 * with entries applied in order? Leaves the counts exactly as it found them.
 */
static bool batch_fits(struct pool *p, const uint32_t *batch, uint32_t n, int delta)
{
    uint32_t i, idx;
    bool ok = true;

    for (i = 0; i < n; i++) {
        if (!frame_index(p, batch[i], &idx) || p->count[idx] == 0 ||
            (delta > 0 && p->count[idx] == POOL_COUNT_MAX)) {
            ok = false;
            break;
        }
        p->count[idx] += delta;
    }
    while (i-- > 0)
        p->count[index_of(p, batch[i])] -= delta;
    return ok;
}

static void trace_batch(const struct pool *p, const char *what, const struct pg_batch_msg *m,
                        uint32_t result)
{
    struct line l;

    if (!p->trace)
        return;
    l.n = 0;
    put_str(&l, "pager: ");
    put_str(&l, what);
    put_num(&l, " pid ", m->space, false);
    put_num(&l, " n ", m->count, false);
    put_str(&l, result == PG_OK ? " -> ok" : " -> fail");
    put_num(&l, ", free ", p->nfree, false);
    line_emit(&l);
}

static uint32_t do_alloc(struct pool *p, const struct pg_batch_msg *m, uint32_t *batch)
{
    if (m->count == 0 || m->count > COWL_BATCH_MAX || m->count > p->nfree)
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        batch[i] = (uint32_t)(p->base_pfn + take_free(p));
    return PG_OK;
}

static uint32_t do_share(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch)
{
    if (m->count > COWL_BATCH_MAX || !batch_fits(p, batch, (uint32_t)m->count, +1))
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        count_add(p, index_of(p, batch[i]));
    return PG_OK;
}

static uint32_t do_release(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch)
{
    if (m->count > COWL_BATCH_MAX || !batch_fits(p, batch, (uint32_t)m->count, -1))
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        count_drop(p, index_of(p, batch[i]));
    return PG_OK;
}

/* Count the frames in the window whose count differs from the kernel's. */
static uint32_t do_audit(struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch,
                         struct pg_reply_msg *r)
{
    struct line l;

    if (m->count > COWL_BATCH_MAX || m->first > p->nframes || m->count > p->nframes - m->first)
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        r->free += p->count[m->first + i] != batch[i];
    if (p->trace) {
        l.n = 0;
        put_num(&l, "pager: audit first ", m->first, false);
        put_num(&l, " n ", m->count, false);
        put_num(&l, " -> mismatches ", r->free, false);
        line_emit(&l);
    }
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

static void trace_fault(const struct pool *p, const struct pg_fault_msg *m, uint32_t count,
                        uint32_t decision, uint64_t new_pa)
{
    struct line l;

    if (!p->trace)
        return;
    l.n = 0;
    put_num(&l, "pager: fault pid ", m->space, false);
    put_num(&l, " va ", m->va, true);
    put_num(&l, " pc ", m->pc, true);
    put_num(&l, " frame ", m->frame, true);
    put_num(&l, " count ", count, false);
    if (decision == PG_COPY)
        put_num(&l, " -> copy ", new_pa, true);
    else
        put_str(&l, decision == PG_REUSE ? " -> reuse" : " -> kill");
    line_emit(&l);
}

/* Decide a store fault on the COW frame m->frame; see the table at the top. */
static uint32_t do_fault(struct pool *p, const struct pg_fault_msg *m, struct pg_fault_reply *r)
{
    uint32_t idx, copy, count = 0, decision;

    if ((m->frame & (COWL_PAGE_SIZE - 1)) != 0 ||
        !frame_index(p, m->frame >> POOL_PAGE_SHIFT, &idx) || p->count[idx] == 0) {
        decision = PG_KILL;
    } else if ((count = p->count[idx]) == 1) {
        decision = PG_REUSE;
    } else if (p->nfree == 0) {
        decision = PG_KILL;
    } else {
        copy = take_free(p);
        count_drop(p, idx);
        r->frame = (p->base_pfn + copy) << POOL_PAGE_SHIFT;
        decision = PG_COPY;
    }
    r->count = count;
    trace_fault(p, m, count, decision, r->frame);
    return decision;
}

/* ---- Dispatch. ---- */

/* The pool's free, used and shared frames, as STAT and the batch replies give them. */
static void pool_figures(const struct pool *p, struct pg_reply_msg *r)
{
    r->free = p->nfree;
    r->used = p->nused;
    r->shared = p->nshared;
}

void pool_handle(struct pool *p, const struct cowl_msg *req, uint32_t *batch,
                 struct cowl_msg *reply)
{
    union pg_msg in, out;
    uint32_t label;

    in.raw = *req;
    out.raw = (struct cowl_msg){{0}};
    switch (in.batch.label) {
    case PG_ALLOC:
        label = do_alloc(p, &in.batch, batch);
        trace_batch(p, "alloc", &in.batch, label);
        break;
    case PG_SHARE:
        label = do_share(p, &in.batch, batch);
        trace_batch(p, "share", &in.batch, label);
        break;
    case PG_RELEASE:
        label = do_release(p, &in.batch, batch);
        trace_batch(p, "release", &in.batch, label);
        break;
    case PG_FAULT:
        label = do_fault(p, &in.fault, &out.fault_reply);
        break;
    case PG_STAT:
        pool_figures(p, &out.reply);
        label = PG_OK;
        break;
    case PG_AUDIT:
        label = do_audit(p, &in.batch, batch, &out.reply);
        break;
    case PG_TRACE:
        label = do_trace(p, &in.batch);
        break;
    case PG_PING:
        label = PG_OK;
        break;
    default:
        label = PG_FAIL;
        break;
    }
    if (in.batch.label >= PG_ALLOC && in.batch.label <= PG_RELEASE)
        pool_figures(p, &out.reply);
    out.reply.label = label;
    out.reply.seq = req_seq(&in);
    *reply = out.raw;
}

bool pool_handle_user(const struct cowl_msg *req, struct cowl_msg *reply)
{
    union pg_msg in, out;

    in.raw = *req;
    out.raw = (struct cowl_msg){{0}};
    out.reply.label = in.batch.label == PG_PING ? PG_OK : PG_FAIL;
    out.reply.seq = req_seq(&in);
    *reply = out.raw;
    return out.reply.label != PG_OK;
}
