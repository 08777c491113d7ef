/*
 * The pager's policy: every user frame is allocated, shared, copied and freed
 * here, by a change to its reference count. The kernel reports, this file
 * decides; the kernel then checks the decision and applies it.
 *
 * A frame's life:  free (count 0, on the free stack or in a lane's cache)
 *                    --ALLOC or COPY target--> count 1
 *                    --SHARE--> count n+1   --RELEASE or COPY source--> count n-1
 *                    --RELEASE takes it to 0--> free again.
 *
 * Fault cases (PG_FAULT names the frame now mapped at the faulting address):
 *   frame not in the pool, or count 0  -> PG_KILL  (the kernel is confused)
 *   count 1 (sole owner)               -> PG_REUSE (make the PTE writable)
 *   count >= 2, a free frame exists    -> PG_COPY  (new frame count 1, old -1)
 *   count >= 2, no free frame anywhere -> PG_KILL  (out of memory kills only
 *                                                   the faulting process)
 *   count >= 2 when read, found at 1   -> PG_REUSE (another lane's copy took
 *     when dropped                                  the other reference; the
 *                                                   new frame goes back)
 *
 * Batch requests are all-or-nothing: each entry is checked and applied in
 * order (so a frame named twice in one batch is judged correctly), and the
 * first one refused stops the batch and undoes the entries before it, in
 * reverse. Nothing here calls libc: the kernel and the pager link it
 * freestanding.
 *
 * Concurrency. pool_handle runs on several lanes at once, each lane (struct
 * pool_lane) used by one thread at a time; there is no pool-wide lock.
 *   - A count changes only by atomic operations (compare-and-swap loops,
 *     fetch-sub), and every decision rests on the value the successful CAS
 *     found, never on an earlier read: no check-then-act across lanes.
 *   - Free frames sit on the shared stack (its lock) or in a lane's cache
 *     (that lane's lock). The owner takes its own, uncontended lock on each
 *     use; it moves LANE_BATCH frames to or from the stack when its cache
 *     runs empty or full, and takes frames from another lane's cache only
 *     when the stack is empty too, so two lanes' faults share no cache line
 *     but the counts of frames they really share. Lock order: a lane's lock,
 *     then the stack's; never two lanes' locks at once.
 *   - A free frame has count 0 and belongs to whoever holds it: SHARE and
 *     RELEASE refuse a count of 0, FAULT kills, so only the lane that took
 *     it from the free frames sets its count.
 *   - A fault never frees a frame: it drops the old frame's count by a CAS
 *     that stops at 1, since the faulting space still maps the old frame.
 *     If it finds 1, the other holder's copy got there first: the faulting
 *     space is now the only holder, so it reuses. Frames reach 0 only by
 *     RELEASE.
 *   - RELEASE takes a count of 1 to its lane's FREEING mark, which every
 *     lane treats as not live, and frees the frame only once the whole batch
 *     is accepted; a refused batch takes the mark back to 1. So a refused
 *     RELEASE never hands out a frame it must give back.
 *   - The figures are sums of parts, with no counter that every fault
 *     writes: free = stack + each cache, used = nframes - free, shared = the
 *     lanes' shared_delta added up (each lane counts the frames it took
 *     from 1 to 2, less those it took from 2 to 1).
 */
#include "policy.h"

#define LANE_BATCH (POOL_LANE_CACHE / 2) /* frames moved between a cache and the stack */

/* A count at or past this is a FREEING mark: COUNT_FREEING | lane index. */
#define COUNT_FREEING 0xffffff00u

_Static_assert(COWL_PAGER_LANES_MAX <= 0x100, "a lane index fits the FREEING mark");
_Static_assert(POOL_COUNT_MAX < COUNT_FREEING, "no live count looks like a FREEING mark");

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

/* ---- Atomics and locks. ---- */

/* A word another lane may read or write at the same time. */
static uint32_t load(const uint32_t *x)
{
    return __atomic_load_n(x, __ATOMIC_RELAXED);
}

static void store(uint32_t *x, uint32_t v)
{
    __atomic_store_n(x, v, __ATOMIC_RELAXED);
}

/* *x from *seen to want; on failure *seen is what *x held. Relaxed: a
 * decision rests on the count alone, and a frame's contents are handed over
 * by the free-frame locks (release, acquire) or by the kernel's IPC. */
static bool cas(uint32_t *x, uint32_t *seen, uint32_t want)
{
    return __atomic_compare_exchange_n(x, seen, want, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* A test-and-set spinlock, held for a few instructions (or a copy of
 * LANE_BATCH entries), so a waiter spins rather than sleeps. */
static void lock_take(uint32_t *lock)
{
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
        while (load(lock))
            ;
}

static void lock_drop(uint32_t *lock)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* ---- Frame numbers. ---- */

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

/* ---- Free frames: the shared stack and the lanes' caches. ---- */

/* Move up to LANE_BATCH frames from the stack's top into lane's empty cache,
 * in their order (the lowest frames, stacked last at init, go out first).
 * Needs lane's lock. */
static void lane_refill(struct pool *p, struct pool_lane *lane)
{
    struct pool_stack *s = &p->stack;

    lock_take(&s->lock);
    uint32_t k = s->n < LANE_BATCH ? s->n : LANE_BATCH;
    const uint32_t *from = s->slot + s->n - k;
    for (uint32_t *to = lane->cache; to < lane->cache + k;)
        *to++ = *from++;
    store(&s->n, s->n - k);
    lock_drop(&s->lock);
    store(&lane->ncached, k);
}

/* Move the top LANE_BATCH frames of lane's full cache onto the stack.
 * Needs lane's lock. */
static void lane_flush(struct pool *p, struct pool_lane *lane)
{
    struct pool_stack *s = &p->stack;
    uint32_t keep = POOL_LANE_CACHE - LANE_BATCH;
    const uint32_t *from = lane->cache + keep;

    lock_take(&s->lock);
    for (uint32_t *to = s->slot + s->n; from < lane->cache + POOL_LANE_CACHE;)
        *to++ = *from++;
    store(&s->n, s->n + LANE_BATCH);
    lock_drop(&s->lock);
    store(&lane->ncached, keep);
}

/* Pop lane's cache top into *idx; false if empty. Needs lane's lock. */
static bool cache_pop(struct pool_lane *lane, uint32_t *idx)
{
    if (lane->ncached == 0)
        return false;
    *idx = lane->cache[lane->ncached - 1];
    store(&lane->ncached, lane->ncached - 1);
    return true;
}

/* Take a frame from lane's cache, refilled from the stack when empty. */
static bool lane_take(struct pool *p, struct pool_lane *lane, uint32_t *idx)
{
    lock_take(&lane->lock);
    if (lane->ncached == 0)
        lane_refill(p, lane);
    bool got = cache_pop(lane, idx);
    lock_drop(&lane->lock);
    return got;
}

/* Take up to n frames from lane's cache, refilled from the stack, under one
 * hold of its lock: their page numbers into batch, their counts 1 (no one
 * else knows them yet). Returns how many it took. */
static uint32_t lane_take_many(struct pool *p, struct pool_lane *lane, uint32_t *batch, uint32_t n)
{
    uint32_t got, idx;

    lock_take(&lane->lock);
    for (got = 0; got < n; got++) {
        if (lane->ncached == 0)
            lane_refill(p, lane);
        if (!cache_pop(lane, &idx))
            break;
        store(&p->count[idx], 1);
        batch[got] = (uint32_t)(p->base_pfn + idx);
    }
    lock_drop(&lane->lock);
    return got;
}

/* Take a frame from another lane's cache: the last place a free frame can
 * be when the stack is empty. */
static bool steal(struct pool *p, const struct pool_lane *lane, uint32_t *idx)
{
    for (uint32_t i = 0; i < p->nlanes; i++) {
        struct pool_lane *other = &p->lanes[i];
        if (other == lane || load(&other->ncached) == 0)
            continue;
        lock_take(&other->lock);
        bool got = cache_pop(other, idx);
        lock_drop(&other->lock);
        if (got)
            return true;
    }
    return false;
}

/* Take a free frame for lane; its count stays 0 until the caller sets it.
 * False when no free frame is to be found: none on the stack nor in any
 * cache (a frame another lane holds mid-request is not seen). */
static bool take_free(struct pool *p, struct pool_lane *lane, uint32_t *idx)
{
    return lane_take(p, lane, idx) || steal(p, lane, idx);
}

/* Push frame idx, count 0 and held by this caller alone, on lane's cache.
 * Needs lane's lock. */
static void cache_push(struct pool *p, struct pool_lane *lane, uint32_t idx)
{
    if (lane->ncached == POOL_LANE_CACHE)
        lane_flush(p, lane);
    lane->cache[lane->ncached] = idx;
    store(&lane->ncached, lane->ncached + 1);
}

/* Give frame idx, count 0 and held by this caller alone, to lane's cache. */
static void give_free(struct pool *p, struct pool_lane *lane, uint32_t idx)
{
    lock_take(&lane->lock);
    cache_push(p, lane, idx);
    lock_drop(&lane->lock);
}

/* ---- Counts. ---- */

/* A count that holds references: not free, not being freed. */
static bool live(uint32_t c)
{
    return c != 0 && c <= POOL_COUNT_MAX;
}

/* lane's mark for a frame its RELEASE took to 0 and has not yet freed. */
static uint32_t freeing_mark(const struct pool *p, const struct pool_lane *lane)
{
    return COUNT_FREEING | (uint32_t)(lane - p->lanes);
}

/* Add d (+1 or -1) to lane's part of the shared figure. Only the owner
 * writes it; PG_STAT reads every lane's. */
static void shared_add(struct pool_lane *lane, int32_t d)
{
    store(&lane->shared_delta, lane->shared_delta + (uint32_t)d);
}

/* One more reference to the frame whose count is *count; returns the count
 * it found, or 0, changing nothing, if that is not live or already
 * POOL_COUNT_MAX. The batch loops name a frame by its count, hoist the
 * pool's fields and the lane's mark (the compiler would reload them around
 * every atomic) and sum the change to the shared figure for the batch. */
static uint32_t count_share(uint32_t *count)
{
    uint32_t c = load(count);

    do {
        if (!live(c) || c == POOL_COUNT_MAX)
            return 0;
    } while (!cas(count, &c, c + 1));
    return c;
}

/* Take back a reference count_share gave on this lane. It is still in the
 * count, so the count stays >= 1: this frees nothing. */
static void count_unshare(uint32_t *count, struct pool_lane *lane)
{
    if (__atomic_fetch_sub(count, 1, __ATOMIC_RELAXED) == 2)
        shared_add(lane, -1);
}

/* One reference fewer; a count of 1 becomes lane's FREEING mark (freed by
 * release_commit). Returns the count found: not live means refused, and
 * nothing changed. */
static uint32_t count_release(uint32_t *count, uint32_t mark)
{
    uint32_t c = load(count);

    do {
        if (!live(c))
            return c;
    } while (!cas(count, &c, c == 1 ? mark : c - 1));
    return c;
}

/* Undo the last count_release of idx on lane not yet undone. */
static void count_unrelease(uint32_t *count, struct pool_lane *lane, uint32_t mark)
{
    uint32_t c = load(count);

    while (!cas(count, &c, c == mark ? 1 : c + 1))
        ;
    if (c == 1)
        shared_add(lane, 1);
}

/* Drop one reference of idx, last seen at c, for a copy; never below 1,
 * since the faulting space still maps it. Returns the count the drop found
 * (>= 2) or the one that stopped it (1, or not live: nothing dropped). */
static uint32_t count_drop_copied(struct pool *p, struct pool_lane *lane, uint32_t idx, uint32_t c)
{
    do {
        if (!live(c) || c == 1)
            return c;
    } while (!cas(&p->count[idx], &c, c - 1));
    if (c == 2)
        shared_add(lane, -1);
    return c;
}

bool pool_init(struct pool *p, uint64_t base_pfn, uint32_t nframes, uint32_t reserved, void *table,
               uint32_t *batches, struct pool_lane *lanes, uint32_t nlanes)
{
    if (reserved > nframes || nlanes == 0 || nlanes > COWL_PAGER_LANES_MAX ||
        base_pfn > UINT32_MAX || base_pfn + nframes > (uint64_t)UINT32_MAX + 1)
        return false;
    p->base_pfn = base_pfn;
    p->nframes = nframes;
    p->nlanes = nlanes;
    p->stack.slot = table;
    p->stack.lock = 0;
    p->stack.n = 0;
    p->count = p->stack.slot + nframes;
    p->batches = batches;
    p->lanes = lanes;
    p->trace = false;
    for (uint32_t i = 0; i < nlanes; i++) {
        lanes[i].lock = 0;
        lanes[i].ncached = 0;
        lanes[i].shared_delta = 0;
    }
    for (uint32_t i = 0; i < nframes; i++)
        p->count[i] = i < reserved ? 1 : 0;
    /* Pushed high to low so the lowest free frames are handed out first. */
    for (uint32_t i = nframes; i > reserved; i--)
        p->stack.slot[p->stack.n++] = i - 1;
    return true;
}

/* ---- Batch requests. ---- */

/* The pool's free, used and shared frames, as STAT and the batch replies
 * give them: a sum of each lane's part, read without locks, so exact when
 * no request is in flight and near it otherwise. */
static void pool_figures(const struct pool *p, struct pg_reply_msg *r)
{
    uint32_t free = load(&p->stack.n), shared = 0;

    for (uint32_t i = 0; i < p->nlanes; i++) {
        free += load(&p->lanes[i].ncached);
        shared += load(&p->lanes[i].shared_delta);
    }
    r->free = free;
    r->used = free < p->nframes ? p->nframes - free : 0;
    r->shared = shared;
}

static uint32_t do_alloc(struct pool *p, struct pool_lane *lane, const struct pg_batch_msg *m,
                         uint32_t *batch)
{
    struct pg_reply_msg now;
    uint32_t i, idx, n = (uint32_t)m->count;

    pool_figures(p, &now);
    if (m->count == 0 || m->count > COWL_BATCH_MAX || m->count > now.free)
        return PG_FAIL;
    for (i = lane_take_many(p, lane, batch, n); i < n && steal(p, lane, &idx); i++) {
        store(&p->count[idx], 1);
        batch[i] = (uint32_t)(p->base_pfn + idx);
    }
    if (i == n)
        return PG_OK;
    while (i-- > 0) { /* other lanes took frames meanwhile: give back, refuse */
        idx = index_of(p, batch[i]);
        store(&p->count[idx], 0);
        give_free(p, lane, idx);
    }
    return PG_FAIL;
}

static uint32_t do_share(struct pool *p, struct pool_lane *lane, const struct pg_batch_msg *m,
                         const uint32_t *batch)
{
    uint32_t i, c, n = (uint32_t)m->count, *count = p->count, nframes = p->nframes;
    uint64_t base = p->base_pfn;
    int32_t shared = 0;

    if (m->count > COWL_BATCH_MAX)
        return PG_FAIL;
    for (i = 0; i < n; i++) {
        if (batch[i] - base >= nframes || !(c = count_share(&count[batch[i] - base])))
            break; /* below the pool, the difference wraps past nframes */
        shared += c == 1;
    }
    if (shared)
        shared_add(lane, shared);
    if (i == n)
        return PG_OK;
    while (i-- > 0)
        count_unshare(&count[batch[i] - base], lane);
    return PG_FAIL;
}

/* Free the `marked` frames of the accepted batch that carry lane's FREEING
 * mark; the CAS frees a frame named twice only once. */
static void release_commit(struct pool *p, struct pool_lane *lane, const uint32_t *batch,
                           uint32_t n, uint32_t marked)
{
    uint32_t mark = freeing_mark(p, lane);

    lock_take(&lane->lock);
    for (uint32_t i = 0; marked > 0 && i < n; i++) {
        uint32_t idx = index_of(p, batch[i]), c = mark;
        if (load(&p->count[idx]) == mark && cas(&p->count[idx], &c, 0)) {
            cache_push(p, lane, idx);
            marked--;
        }
    }
    lock_drop(&lane->lock);
}

static uint32_t do_release(struct pool *p, struct pool_lane *lane, const struct pg_batch_msg *m,
                           const uint32_t *batch)
{
    uint32_t i, c, marked = 0, n = (uint32_t)m->count, *count = p->count, nframes = p->nframes;
    uint32_t mark = freeing_mark(p, lane);
    uint64_t base = p->base_pfn;

    if (m->count > COWL_BATCH_MAX)
        return PG_FAIL;
    int32_t shared = 0;
    for (i = 0; i < n; i++) {
        if (batch[i] - base >= nframes || !live(c = count_release(&count[batch[i] - base], mark)))
            break; /* below the pool, the difference wraps past nframes */
        marked += c == 1;
        shared -= c == 2;
    }
    if (shared)
        shared_add(lane, shared);
    if (i == n) {
        if (marked)
            release_commit(p, lane, batch, n, marked);
        return PG_OK;
    }
    while (i-- > 0)
        count_unrelease(&count[batch[i] - base], lane, mark);
    return PG_FAIL;
}

/* Count the frames in the window whose count differs from the kernel's. */
static uint32_t do_audit(const struct pool *p, const struct pg_batch_msg *m, const uint32_t *batch,
                         struct pg_reply_msg *r)
{
    if (m->count > COWL_BATCH_MAX || m->first > p->nframes || m->count > p->nframes - m->first)
        return PG_FAIL;
    for (uint32_t i = 0; i < m->count; i++)
        r->mismatches += load(&p->count[m->first + i]) != batch[i];
    return PG_OK;
}

/* The requests that carry frame numbers in the batch buffer m names. */
static uint32_t do_batch(struct pool *p, struct pool_lane *lane, const struct pg_batch_msg *m,
                         struct pg_reply_msg *r)
{
    if (m->buffer >= p->nlanes)
        return PG_FAIL;
    uint32_t *batch = p->batches + m->buffer * COWL_BATCH_MAX;
    switch (m->label) {
    case PG_ALLOC:
        return do_alloc(p, lane, m, batch);
    case PG_SHARE:
        return do_share(p, lane, m, batch);
    case PG_RELEASE:
        return do_release(p, lane, m, batch);
    default:
        return do_audit(p, m, batch, r);
    }
}

static uint32_t do_trace(struct pool *p, const struct pg_batch_msg *m)
{
    if (m->count > 1)
        return PG_FAIL;
    __atomic_store_n(&p->trace, m->count == 1, __ATOMIC_RELAXED);
    return PG_OK;
}

/* ---- Faults. ---- */

/* Decide a store fault on the COW frame `frame`; see the table at the top.
 * *count is the frame's count the decision rests on (0 if not live), and
 * *new_frame the copy's frame for PG_COPY. */
__attribute__((always_inline)) static inline uint32_t do_fault(struct pool *p,
                                                               struct pool_lane *lane,
                                                               uint64_t frame, uint64_t *new_frame,
                                                               uint64_t *count)
{
    uint32_t idx, copy, c = 0;

    if ((frame & (COWL_PAGE_SIZE - 1)) == 0 && frame_index(p, frame >> COWL_PAGE_SHIFT, &idx))
        c = load(&p->count[idx]);
    *count = live(c) ? c : 0;
    if (!live(c))
        return PG_KILL;
    if (c == 1)
        return PG_REUSE;
    if (!take_free(p, lane, &copy))
        return PG_KILL;
    c = count_drop_copied(p, lane, idx, c);
    *count = live(c) ? c : 0;
    if (c == 1 || !live(c)) { /* another lane's copy or release came first */
        give_free(p, lane, copy);
        return c == 1 ? PG_REUSE : PG_KILL;
    }
    store(&p->count[copy], 1);
    *new_frame = (p->base_pfn + copy) << COWL_PAGE_SHIFT;
    return PG_COPY;
}

/* ---- Dispatch. ---- */

/* The record of a request before it is answered. */
/* The record of a request and its answer, for the trace. */
static void event_note(struct pool_event *ev, const union pg_msg *in, const union pg_msg *out,
                       uint64_t count)
{
    *ev = (struct pool_event){.label = in->h.label, .result = out->reply.label};
    if (in->h.label == PG_FAULT) {
        ev->space = in->fault.space;
        ev->va = in->fault.va;
        ev->pc = in->fault.pc;
        ev->frame = in->fault.frame;
        ev->count = count;
        ev->new_frame = ev->result == PG_COPY ? out->reply.frame : 0;
        return;
    }
    ev->space = in->batch.space;
    ev->count = in->batch.count;
    ev->frame = in->batch.first;
    ev->free = (uint32_t)out->reply.free;
    ev->mismatches = in->h.label == PG_AUDIT ? out->reply.mismatches : 0;
}

static uint32_t dispatch(struct pool *p, struct pool_lane *lane, const union pg_msg *in,
                         union pg_msg *out, uint64_t *count)
{
    switch (in->h.label) {
    case PG_FAULT:
        return do_fault(p, lane, in->fault.frame, &out->reply.frame, count);
    case PG_ALLOC:
    case PG_SHARE:
    case PG_RELEASE:
    case PG_AUDIT:
        return do_batch(p, lane, &in->batch, &out->reply);
    case PG_STAT:
        pool_figures(p, &out->reply);
        return PG_OK;
    case PG_TRACE:
        return do_trace(p, &in->batch);
    case PG_PING:
        return PG_OK;
    default:
        return PG_FAIL;
    }
}

/* The words of a fault and of its answer, as pool_fault reads and writes
 * them (cowl/abi.h): the label and seq in word 0, the flags in the top
 * half of word 1, the frame in word 4; the answer's frame and count in
 * words 1 and 2. */
_Static_assert(__builtin_offsetof(struct pg_fault_msg, flags) == 14, "flags: word 1, top");
_Static_assert(__builtin_offsetof(struct pg_fault_msg, frame) == 32, "fault frame: word 4");
_Static_assert(__builtin_offsetof(struct pg_fault_reply, count) == 16, "count: word 2");

__attribute__((always_inline)) inline bool pool_fault(struct pool *p, struct pool_lane *lane,
                                                      uint64_t w[COWL_MSG_WORDS])
{
    uint64_t label = (uint32_t)w[0], seq = w[0] >> 32, frame = 0, count = 0;

    if (label != PG_FAULT || (w[1] >> 48) & PG_FAULT_TRACED ||
        __atomic_load_n(&p->trace, __ATOMIC_RELAXED))
        return false;
    label = do_fault(p, lane, w[4], &frame, &count);
    w[0] = label | seq << 32;
    w[1] = frame;
    /* Words 2 to 4 (the count and the decision's time) are the trace's,
     * and nobody traces this one: they go back as they came. */
    return true;
}

void pool_handle(struct pool *p, struct pool_lane *lane, const struct cowl_msg *req,
                 struct cowl_msg *reply, struct pool_event *ev)
{
    union pg_msg in = {.raw = *req}, out = {.raw = {{0}}};
    uint64_t count = 0;

    out.reply.label = dispatch(p, lane, &in, &out, &count);
    out.reply.seq = in.h.seq;
    /* For the kernel's trace: the count a fault saw, the pool after a batch. */
    if (in.h.label == PG_FAULT)
        out.fault_reply.count = count;
    else if (in.h.label >= PG_ALLOC && in.h.label <= PG_RELEASE)
        pool_figures(p, &out.reply);
    if (ev)
        event_note(ev, &in, &out, count);
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
