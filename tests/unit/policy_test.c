/*
 * Host unit test of the pager's policy (pager/policy.c), built natively with
 * sanitizers, single-threaded (policy_lanes_test.c runs lanes at once). Each
 * case starts from a fresh pool, drives it only through pool_handle /
 * pool_handle_user as the kernel and user processes would, and checks both
 * the replies and the pool's invariants (every count recounted by brute
 * force against the figures and the free frames: pool_check.h). The table
 * of cases runs four times: with one lane, and with four lanes taking the
 * requests in turn (each with its own batch buffer, as the kernel's harts
 * will), so that frames freed on one lane are taken on another; and each
 * so with faults answered by pool_handle, then by pool_fault (the lanes'
 * hot path, in registers), which must answer alike. Cases after
 * the table's marker choose their lanes themselves. One line per case; the
 * exit status is 1 if any case failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "pool_check.h"
#include "unit.h"

#define NFRAMES     64  /* the pool of most cases */
#define BIG_NFRAMES 512 /* a pool larger than the lanes' caches */
#define RESERVED    4
#define BASE_PFN    0x80400UL
#define MANY_LANES  4

static struct pool pool;
static struct pool_lane lanes[COWL_PAGER_LANES_MAX];
static uint32_t table[PAGER_TABLE_BYTES(BIG_NFRAMES) / sizeof(uint32_t)];
static uint32_t buffers[COWL_PAGER_LANES_MAX * COWL_BATCH_MAX]; /* the pool's batch buffers */
static uint32_t batch[COWL_BATCH_MAX]; /* a case's entries, copied to and from a lane's buffer */
static uint32_t next_seq = 100;
static uint32_t lanes_in_use = 1; /* lanes the table's cases run with */
static bool faults_in_registers;  /* send_fault: pool_fault, not pool_handle */
static uint32_t next_lane;        /* the lane of the next request, in turn */
static int pinned_lane = -1;      /* >= 0: every request goes to this lane */

static char trace_buf[4096];
static int trace_lines;

/* The trace printer, as the pager's printf and the kernel's printk are:
 * the lines gather in trace_buf. */
static void trace_print(const char *fmt, ...)
{
    size_t used = strlen(trace_buf);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(trace_buf + used, sizeof(trace_buf) - used, fmt, ap);
    va_end(ap);
    trace_lines++;
}

/* A pool of nframes with nlanes lanes; requests take the lanes in turn. */
static void fresh_pool_with(uint32_t nframes, uint32_t reserved, uint32_t nlanes)
{
    /* init must not rely on zeroed memory */
    memset(table, 0xa5, sizeof(table));
    memset(lanes, 0xa5, sizeof(lanes));
    EXPECT(pool_init(&pool, BASE_PFN, nframes, reserved, table, buffers, lanes, nlanes),
           "pool_init");
    next_lane = 0;
    pinned_lane = -1;
    trace_buf[0] = 0;
    trace_lines = 0;
}

static void fresh_pool(uint32_t reserved)
{
    fresh_pool_with(NFRAMES, reserved, lanes_in_use);
}

/* ---- Requests as the kernel sends them. ---- */

/* The lane of the next request: the pinned one, else each in turn. */
static uint32_t take_lane(void)
{
    if (pinned_lane >= 0)
        return (uint32_t)pinned_lane;
    return next_lane++ % pool.nlanes;
}

static uint32_t *buffer_of(uint64_t b)
{
    return buffers + b * COWL_BATCH_MAX;
}

static struct pg_reply_msg send_raw(uint32_t lane, const struct cowl_msg *req)
{
    struct cowl_msg out;
    struct pg_reply_msg r;
    struct pool_event ev;

    memset(&out, 0xee, sizeof(out)); /* every reply word must be written */
    pool_handle(&pool, &lanes[lane], req, &out, &ev);
    if (pool.trace) /* as each caller traces */
        pool_event_print(&ev, trace_print);
    memcpy(&r, &out, sizeof(r));
    return r;
}

/* A batch request on lane naming batch buffer `buffer`, which carries the
 * case's entries in and out. */
static struct pg_reply_msg send_batch_on(uint32_t lane, uint64_t buffer, uint32_t label,
                                         uint64_t count, uint64_t first)
{
    struct pg_batch_msg m = {.label = label, .seq = ++next_seq, .count = count, .space = 7};
    struct cowl_msg raw;
    struct pg_reply_msg r;
    bool carried = buffer < COWL_PAGER_LANES_MAX;

    m.first = first;
    m.buffer = buffer;
    if (carried)
        memcpy(buffer_of(buffer), batch, sizeof(batch));
    memcpy(&raw, &m, sizeof(raw));
    r = send_raw(lane, &raw);
    if (carried)
        memcpy(batch, buffer_of(buffer), sizeof(batch));
    CHECK(r.seq == m.seq);
    return r;
}

/* A batch request on the next lane, with that lane's own buffer. */
static struct pg_reply_msg send_batch(uint32_t label, uint64_t count, uint64_t first)
{
    uint32_t lane = take_lane();

    return send_batch_on(lane, lane, label, count, first);
}

static struct pg_reply_msg send_fault(uint64_t pa)
{
    struct pg_fault_msg m = {.label = PG_FAULT, .space = 3, .seq = ++next_seq};
    struct cowl_msg raw;
    struct pg_reply_msg r;

    m.va = 0x100002000UL;
    m.pc = 0x100000040UL;
    m.frame = pa;
    memcpy(&raw, &m, sizeof(raw));
    if (faults_in_registers) {
        uint64_t w[COWL_MSG_WORDS];
        memcpy(w, &raw, sizeof(w));
        /* Traced, the pool wants pool_handle's record: pool_fault declines. */
        CHECK(pool_fault(&pool, &lanes[take_lane()], w) == !pool.trace);
        if (!pool.trace) {
            memcpy(&r, w, sizeof(r));
            CHECK(r.seq == m.seq);
            return r;
        }
    }
    r = send_raw(take_lane(), &raw);
    CHECK(r.seq == m.seq);
    return r;
}

/* Allocate one frame; returns its page number. */
static uint32_t alloc_one(void)
{
    struct pg_reply_msg r = send_batch(PG_ALLOC, 1, 0);

    CHECK(r.label == PG_OK);
    return batch[0];
}

static uint32_t batch_one(uint32_t label, uint32_t pfn)
{
    batch[0] = pfn;
    return send_batch(label, 1, 0).label;
}

static uint32_t batch_two(uint32_t label, uint32_t a, uint32_t b)
{
    batch[0] = a;
    batch[1] = b;
    return send_batch(label, 2, 0).label;
}

static uint32_t count_of(uint32_t pfn)
{
    return pool.count[pfn - BASE_PFN];
}

static uint64_t pa_of(uint32_t pfn)
{
    return (uint64_t)pfn << 12;
}

/* ---- Invariants by brute force. ---- */

/* The free frames as PG_STAT reports them. */
static uint32_t free_frames(void)
{
    return (uint32_t)send_batch(PG_STAT, 0, 0).free;
}

/* Recount everything and compare with STAT and the free frames. */
static void check_consistent(void)
{
    struct pool_recount n = pool_recount(&pool);
    struct pg_reply_msg r = send_batch(PG_STAT, 0, 0);

    pool_check_free_frames(&pool);
    CHECK(r.label == PG_OK);
    CHECKF(r.free == n.free, "STAT free %lu, recount %u", (unsigned long)r.free, n.free);
    CHECKF(r.used == n.used, "STAT used %lu, recount %u", (unsigned long)r.used, n.used);
    CHECKF(r.shared == n.shared, "STAT shared %lu, recount %u", (unsigned long)r.shared, n.shared);
}

/* A copy of the pool's state, to show that a refused request changed nothing. */
struct snapshot {
    uint32_t count[BIG_NFRAMES];
    uint32_t stack[BIG_NFRAMES], nstack;
    uint32_t cache[COWL_PAGER_LANES_MAX][POOL_LANE_CACHE], ncached[COWL_PAGER_LANES_MAX];
    uint32_t shared_delta[COWL_PAGER_LANES_MAX];
};

static void take_snapshot(struct snapshot *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->count, pool.count, pool.nframes * sizeof(uint32_t));
    memcpy(s->stack, pool.stack.slot, pool.stack.n * sizeof(uint32_t));
    s->nstack = pool.stack.n;
    for (uint32_t l = 0; l < pool.nlanes; l++) {
        memcpy(s->cache[l], lanes[l].cache, lanes[l].ncached * sizeof(uint32_t));
        s->ncached[l] = lanes[l].ncached;
        s->shared_delta[l] = lanes[l].shared_delta;
    }
}

static int unchanged(const struct snapshot *s)
{
    struct snapshot now;

    take_snapshot(&now);
    return memcmp(s, &now, sizeof(now)) == 0;
}

/* ---- Cases. ---- */

static void boot_counts_are_one_for_reserved_and_zero_for_free(void)
{
    struct pool other;

    fresh_pool(RESERVED);
    for (uint32_t i = 0; i < NFRAMES; i++)
        CHECK(pool.count[i] == (i < RESERVED ? 1 : 0));
    CHECK(free_frames() == NFRAMES - RESERVED);
    check_consistent();
    CHECK(alloc_one() == BASE_PFN + RESERVED); /* lowest free frame first */
    CHECK(!pool_init(&other, BASE_PFN, NFRAMES, NFRAMES + 1, table, buffers, lanes, 1));
    CHECK(!pool_init(&other, 0xffffffffUL, 2, 0, table, buffers, lanes, 1));
    CHECK(!pool_init(&other, BASE_PFN, NFRAMES, 0, table, buffers, lanes, 0));
    CHECK(
        !pool_init(&other, BASE_PFN, NFRAMES, 0, table, buffers, lanes, COWL_PAGER_LANES_MAX + 1));
    CHECK(pool_init(&other, 0xfffffffeUL, 2, 0, table, buffers, lanes, COWL_PAGER_LANES_MAX));
}

static void alloc_is_all_or_nothing_when_short(void)
{
    struct snapshot s;

    fresh_pool(RESERVED);
    take_snapshot(&s);
    CHECK(send_batch(PG_ALLOC, NFRAMES - RESERVED + 1, 0).label == PG_FAIL);
    CHECK(send_batch(PG_ALLOC, 0, 0).label == PG_FAIL);
    CHECK(send_batch(PG_ALLOC, COWL_BATCH_MAX + 1, 0).label == PG_FAIL);
    CHECK(unchanged(&s));
    CHECK(send_batch(PG_ALLOC, NFRAMES - RESERVED, 0).label == PG_OK);
    for (uint32_t i = 0; i < NFRAMES - RESERVED; i++)
        CHECK(batch[i] >= BASE_PFN + RESERVED && count_of(batch[i]) == 1);
    CHECK(free_frames() == 0);
    check_consistent();
}

static void share_then_fault_copies_and_moves_one_count(void)
{
    uint32_t f;
    struct pg_reply_msg r;

    fresh_pool(RESERVED);
    f = alloc_one();
    CHECK(batch_one(PG_SHARE, f) == PG_OK);
    CHECK(count_of(f) == 2);
    r = send_fault(pa_of(f));
    CHECK(r.label == PG_COPY);
    CHECK(r.frame != pa_of(f) && (r.frame & 0xfff) == 0);
    CHECK(r.frame >= pa_of(BASE_PFN) && r.frame < pa_of(BASE_PFN + NFRAMES));
    CHECK(count_of(f) == 1);
    CHECK(count_of((uint32_t)(r.frame >> 12)) == 1);
    r = send_fault(pa_of(f)); /* the other side now owns the old frame alone */
    CHECK(r.label == PG_REUSE && r.frame == 0);
    CHECK(count_of(f) == 1);
    check_consistent();
}

static void fault_on_sole_owner_reuses_without_allocating(void)
{
    uint32_t f, nfree;

    fresh_pool(RESERVED);
    f = alloc_one();
    nfree = free_frames();
    CHECK(send_fault(pa_of(f)).label == PG_REUSE);
    CHECK(free_frames() == nfree && count_of(f) == 1);
    check_consistent();
}

static void fault_with_empty_pool_kills_and_changes_nothing(void)
{
    struct snapshot s;

    fresh_pool(RESERVED);
    CHECK(send_batch(PG_ALLOC, NFRAMES - RESERVED, 0).label == PG_OK);
    CHECK(batch_one(PG_SHARE, BASE_PFN + RESERVED) == PG_OK);
    take_snapshot(&s);
    CHECK(send_fault(pa_of(BASE_PFN + RESERVED)).label == PG_KILL);
    CHECK(unchanged(&s));
    check_consistent();
}

static void fault_on_bad_frame_kills(void)
{
    struct snapshot s;
    uint32_t f;

    fresh_pool(RESERVED);
    f = alloc_one();
    CHECK(batch_one(PG_SHARE, f) == PG_OK);
    take_snapshot(&s);
    CHECK(send_fault(pa_of(BASE_PFN - 1)).label == PG_KILL);
    CHECK(send_fault(pa_of(BASE_PFN + NFRAMES)).label == PG_KILL);
    CHECK(send_fault(pa_of(f) + 8).label == PG_KILL);                  /* not page-aligned */
    CHECK(send_fault(pa_of(BASE_PFN + NFRAMES - 1)).label == PG_KILL); /* free frame */
    CHECK(unchanged(&s));
}

static void release_to_zero_frees_the_frame(void)
{
    uint32_t f, nfree;

    fresh_pool(RESERVED);
    nfree = free_frames();
    f = alloc_one();
    CHECK(batch_one(PG_SHARE, f) == PG_OK);
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    CHECK(count_of(f) == 1 && free_frames() == nfree - 1);
    pinned_lane = 0;
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    CHECK(count_of(f) == 0 && free_frames() == nfree);
    check_consistent();      /* f among the free frames, once */
    CHECK(alloc_one() == f); /* the lane that freed it hands it out next */
}

static void double_release_is_refused(void)
{
    struct snapshot s;
    uint32_t f;

    fresh_pool(RESERVED);
    f = alloc_one();
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    take_snapshot(&s);
    CHECK(batch_one(PG_RELEASE, f) == PG_FAIL);
    CHECK(unchanged(&s));
    check_consistent();
}

static void out_of_pool_frame_in_any_batch_is_refused(void)
{
    struct snapshot s;
    uint32_t f;
    const uint32_t bad[] = {0, BASE_PFN - 1, BASE_PFN + NFRAMES, 0xffffffffu};

    fresh_pool(RESERVED);
    f = alloc_one();
    take_snapshot(&s);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(batch_two(PG_SHARE, f, bad[i]) == PG_FAIL);
        CHECK(batch_two(PG_RELEASE, f, bad[i]) == PG_FAIL);
        CHECK(batch_two(PG_SHARE, bad[i], f) == PG_FAIL);
    }
    CHECK(send_batch(PG_SHARE, COWL_BATCH_MAX + 1, 0).label == PG_FAIL);
    CHECK(send_batch(PG_RELEASE, COWL_BATCH_MAX + 1, 0).label == PG_FAIL);
    CHECK(unchanged(&s));
    check_consistent();
}

static void duplicate_frame_in_one_batch_is_judged_in_order(void)
{
    struct snapshot s;
    uint32_t f, nfree;

    fresh_pool(RESERVED);
    f = alloc_one();
    CHECK(batch_two(PG_SHARE, f, f) == PG_OK); /* 1 -> 3 */
    CHECK(count_of(f) == 3);
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    nfree = free_frames();
    CHECK(batch_two(PG_RELEASE, f, f) == PG_OK); /* 2 -> 0, freed once */
    CHECK(count_of(f) == 0 && free_frames() == nfree + 1);
    check_consistent();
    f = alloc_one();
    take_snapshot(&s);
    CHECK(batch_two(PG_RELEASE, f, f) == PG_FAIL); /* 1 cannot drop twice */
    CHECK(unchanged(&s));
    check_consistent();
}

static void count_overflow_is_refused(void)
{
    struct snapshot s;
    uint32_t f;

    fresh_pool(RESERVED);
    f = alloc_one();
    for (uint32_t i = 0; i < COWL_BATCH_MAX; i++)
        batch[i] = f;
    for (uint32_t left = POOL_COUNT_MAX - 1; left > 0;) {
        uint32_t n = left < COWL_BATCH_MAX ? left : COWL_BATCH_MAX;
        CHECK(send_batch(PG_SHARE, n, 0).label == PG_OK);
        left -= n;
    }
    CHECK(count_of(f) == POOL_COUNT_MAX);
    take_snapshot(&s);
    CHECK(batch_one(PG_SHARE, f) == PG_FAIL);
    CHECK(unchanged(&s));
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    take_snapshot(&s);
    CHECK(batch_two(PG_SHARE, f, f) == PG_FAIL); /* the second step would overflow */
    CHECK(unchanged(&s));
    check_consistent();
}

static void audit_reports_mismatches(void)
{
    fresh_pool(RESERVED);
    alloc_one();
    for (uint32_t i = 0; i < NFRAMES; i++)
        batch[i] = pool.count[i];
    CHECK(send_batch(PG_AUDIT, NFRAMES, 0).label == PG_OK);
    CHECK(send_batch(PG_AUDIT, NFRAMES, 0).mismatches == 0);
    for (uint32_t i = 0; i < NFRAMES; i++)
        batch[i] = pool.count[i];
    batch[1] = 5;
    batch[RESERVED] = 0;
    CHECK(send_batch(PG_AUDIT, NFRAMES, 0).mismatches == 2);
    for (uint32_t i = 0; i < 8; i++) /* a window: frames [RESERVED, RESERVED+8) */
        batch[i] = pool.count[RESERVED + i];
    CHECK(send_batch(PG_AUDIT, 8, RESERVED).mismatches == 0);
    CHECK(send_batch(PG_AUDIT, 1, 0).mismatches == 0);
    CHECK(send_batch(PG_AUDIT, NFRAMES, 1).label == PG_FAIL);
    CHECK(send_batch(PG_AUDIT, 1, NFRAMES).label == PG_FAIL);
    CHECK(send_batch(PG_AUDIT, 1, ~0ULL).label == PG_FAIL);
}

static void unknown_labels_fail_and_echo_seq(void)
{
    const uint32_t labels[] = {0, PG_PING + 1, 0xffffffffu};
    struct snapshot s;

    fresh_pool(RESERVED);
    take_snapshot(&s);
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        CHECK(send_batch(labels[i], 1, 0).label == PG_FAIL); /* send_batch checks seq */
    CHECK(send_batch(PG_PING, 0, 0).label == PG_OK);
    CHECK(unchanged(&s));
}

static void user_processes_may_only_ping(void)
{
    struct pg_batch_msg m = {.label = PG_PING, .seq = 42};
    struct pg_fault_msg f = {.label = PG_FAULT, .seq = 43};
    struct cowl_msg raw, out;
    struct pg_reply_msg r;

    fresh_pool(RESERVED);
    memcpy(&raw, &m, sizeof(raw));
    CHECK(!pool_handle_user(&raw, &out));
    memcpy(&r, &out, sizeof(r));
    CHECK(r.label == PG_OK && r.seq == 42);
    memcpy(&raw, &f, sizeof(raw));
    CHECK(pool_handle_user(&raw, &out));
    memcpy(&r, &out, sizeof(r));
    CHECK(r.label == PG_FAIL && r.seq == 43);
    m.label = PG_ALLOC;
    memcpy(&raw, &m, sizeof(raw));
    CHECK(pool_handle_user(&raw, &out));
    CHECK(strcmp(pool_label_name(PG_ALLOC), "PG_ALLOC") == 0);
    CHECK(strcmp(pool_label_name(PG_FAULT), "PG_FAULT") == 0);
    CHECK(strcmp(pool_label_name(0), "?") == 0);
    CHECK(strcmp(pool_label_name(999), "?") == 0);
}

static void trace_reports_each_decision(void)
{
    uint32_t f;
    struct pg_reply_msg r;
    char want[256];

    fresh_pool(RESERVED);
    f = alloc_one();
    CHECK(trace_lines == 0); /* off by default */
    CHECK(send_batch(PG_TRACE, 2, 0).label == PG_FAIL);
    CHECK(send_batch(PG_TRACE, 1, 0).label == PG_OK);
    CHECK(batch_one(PG_SHARE, f) == PG_OK);
    r = send_fault(pa_of(f));
    CHECK(r.label == PG_COPY);
    snprintf(want, sizeof(want),
             "pager: share pid 7 n 1 -> ok, free %u\n"
             "pager: fault pid 3 va 0x100002000 pc 0x100000040 frame 0x%lx count 2 -> copy "
             "0x%lx\n",
             (unsigned)NFRAMES - RESERVED - 1, (unsigned long)pa_of(f), (unsigned long)r.frame);
    CHECK(strcmp(trace_buf, want) == 0);
    if (strcmp(trace_buf, want) != 0)
        printf("  got:\n%s  want:\n%s", trace_buf, want);
    CHECK(send_batch(PG_TRACE, 0, 0).label == PG_OK);
    trace_lines = 0;
    send_fault(pa_of(f));
    CHECK(trace_lines == 0);
}

/* Tiny fixed-seed generator so the random case is the same on every run. */
static uint32_t rng_state = 12345;

static uint32_t rng(uint32_t below)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % below;
}

/* Any frame number near the pool, sometimes outside it. */
static uint32_t random_pfn(void)
{
    return (uint32_t)(BASE_PFN - 2 + rng(NFRAMES + 4));
}

/* A fault on a random frame: the decision must follow the model's count. */
static void random_fault(uint32_t *model)
{
    uint32_t pfn = random_pfn(), idx = pfn - BASE_PFN, nfree = free_frames();
    struct pg_reply_msg r = send_fault(pa_of(pfn));
    uint32_t want = PG_COPY, copy;

    if (pfn < BASE_PFN || idx >= NFRAMES || model[idx] == 0 || (model[idx] >= 2 && nfree == 0))
        want = PG_KILL;
    else if (model[idx] == 1)
        want = PG_REUSE;
    CHECK(r.label == want);
    if (r.label != PG_COPY || want != PG_COPY)
        return;
    copy = (uint32_t)(r.frame >> 12) - BASE_PFN;
    CHECK(copy < NFRAMES && model[copy] == 0);
    if (copy < NFRAMES) {
        model[idx]--;
        model[copy] = 1;
    }
}

/* An allocation of n frames: all of them, fresh, or none. */
static void random_alloc(uint32_t *model, uint32_t n)
{
    uint32_t nfree = free_frames();
    struct pg_reply_msg r = send_batch(PG_ALLOC, n, 0);

    CHECK(r.label == (n <= nfree ? PG_OK : PG_FAIL));
    for (uint32_t i = 0; r.label == PG_OK && i < n; i++) {
        uint32_t idx = batch[i] - BASE_PFN;
        CHECK(batch[i] >= BASE_PFN && idx < NFRAMES && model[idx] == 0);
        if (idx < NFRAMES)
            model[idx] = 1;
    }
}

/* One random request, checked against a shadow model of every count. */
static void random_step(uint32_t *model)
{
    uint32_t n = 1 + rng(6), label = 1 + rng(4), shadow[NFRAMES];
    struct pg_reply_msg r;
    int ok = 1;

    memcpy(shadow, model, sizeof(shadow));
    if (label == PG_FAULT) {
        random_fault(model);
        return;
    }
    if (label == PG_ALLOC) {
        random_alloc(model, n);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pfn = random_pfn(), idx = pfn - BASE_PFN;
        batch[i] = pfn;
        if (pfn < BASE_PFN || idx >= NFRAMES || shadow[idx] == 0)
            ok = 0;
        else
            shadow[idx] += label == PG_SHARE ? 1 : -1;
    }
    r = send_batch(label, n, 0);
    CHECK(r.label == (ok ? PG_OK : PG_FAIL));
    if (ok)
        memcpy(model, shadow, sizeof(shadow));
}

static void counters_stay_exact_over_random_requests(void)
{
    uint32_t model[NFRAMES];

    fresh_pool(RESERVED);
    for (uint32_t i = 0; i < NFRAMES; i++)
        model[i] = i < RESERVED;
    for (int step = 0; step < 5000 && !unit_case_failed; step++) {
        random_step(model);
        check_consistent();
        for (uint32_t i = 0; i < NFRAMES; i++)
            CHECK(pool.count[i] == model[i]);
    }
}

/* ---- Cases that choose their lanes. ---- */

static void fault_on_a_lane_with_an_empty_cache_takes_another_lanes_frame(void)
{
    uint32_t held[NFRAMES], n = NFRAMES - RESERVED;
    struct pg_reply_msg r;

    fresh_pool_with(NFRAMES, RESERVED, 2);
    pinned_lane = 0;
    EXPECT(send_batch(PG_ALLOC, n, 0).label == PG_OK, "alloc every frame");
    memcpy(held, batch, n * sizeof(uint32_t));
    CHECK(send_batch(PG_RELEASE, 8, 0).label == PG_OK); /* held[0..8) */
    CHECK(pool.stack.n == 0 && lanes[0].ncached == 8 && lanes[1].ncached == 0);
    pinned_lane = 1;
    CHECK(batch_one(PG_SHARE, held[8]) == PG_OK);
    r = send_fault(pa_of(held[8]));
    CHECK(r.label == PG_COPY); /* not PG_KILL: lane 0 holds free frames */
    CHECK(lanes[0].ncached == 7 && count_of((uint32_t)(r.frame >> 12)) == 1);
    CHECK(send_batch(PG_ALLOC, 7, 0).label == PG_OK); /* the rest of lane 0's */
    CHECK(send_batch(PG_ALLOC, 1, 0).label == PG_FAIL);
    CHECK(batch_one(PG_SHARE, held[9]) == PG_OK);
    CHECK(send_fault(pa_of(held[9])).label == PG_KILL); /* now none anywhere */
    check_consistent();
}

static void freed_frames_pass_between_lanes_through_the_shared_stack(void)
{
    uint32_t n = 300, all = BIG_NFRAMES - RESERVED;

    fresh_pool_with(BIG_NFRAMES, RESERVED, 2);
    pinned_lane = 0;
    CHECK(send_batch(PG_ALLOC, n, 0).label == PG_OK); /* refills from the stack */
    CHECK(lanes[0].ncached < POOL_LANE_CACHE && pool.stack.n == all - n - lanes[0].ncached);
    CHECK(send_batch(PG_RELEASE, n, 0).label == PG_OK); /* fills the cache, flushes halves */
    CHECK(lanes[0].ncached >= POOL_LANE_CACHE / 2 && lanes[0].ncached <= POOL_LANE_CACHE);
    CHECK(pool.stack.n == all - lanes[0].ncached);
    check_consistent();
    pinned_lane = 1;
    CHECK(send_batch(PG_ALLOC, all, 0).label == PG_OK); /* the stack, then lane 0's cache */
    CHECK(pool.stack.n == 0 && lanes[0].ncached == 0 && lanes[1].ncached == 0);
    for (uint32_t i = 0; i < all; i++)
        CHECK(count_of(batch[i]) == 1);
    check_consistent(); /* each once: no frame handed out twice */
    CHECK(send_batch(PG_RELEASE, all, 0).label == PG_OK);
    CHECK(free_frames() == all);
    check_consistent();
}

static void refused_release_restores_the_frame_it_took_to_zero(void)
{
    struct snapshot s;
    uint32_t f, g, nfree;

    fresh_pool_with(NFRAMES, RESERVED, 2);
    pinned_lane = 0;
    f = alloc_one();
    g = alloc_one();
    CHECK(batch_one(PG_SHARE, g) == PG_OK);
    take_snapshot(&s);
    batch[0] = g;
    batch[1] = f; /* 1 -> 0 before the refusal */
    batch[2] = BASE_PFN - 1;
    CHECK(send_batch(PG_RELEASE, 3, 0).label == PG_FAIL);
    CHECK(unchanged(&s) && count_of(f) == 1 && count_of(g) == 2);
    CHECK(batch_two(PG_RELEASE, f, f) == PG_FAIL);
    CHECK(unchanged(&s));
    check_consistent();
    nfree = free_frames(); /* and f is not among the free frames: */
    CHECK(send_batch(PG_ALLOC, nfree, 0).label == PG_OK);
    for (uint32_t i = 0; i < nfree; i++)
        CHECK(batch[i] != f && batch[i] != g);
    check_consistent();
}

static void batch_naming_a_buffer_past_the_lanes_is_refused(void)
{
    const uint32_t labels[] = {PG_ALLOC, PG_SHARE, PG_RELEASE, PG_AUDIT};
    const uint64_t bad[] = {2, COWL_PAGER_LANES_MAX, ~0ULL};
    struct snapshot s;
    uint32_t f;

    fresh_pool_with(NFRAMES, RESERVED, 2);
    f = alloc_one();
    take_snapshot(&s);
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
            batch[0] = f;
            CHECKF(send_batch_on(0, bad[j], labels[i], 1, 0).label == PG_FAIL,
                   "label %u buffer %lu", labels[i], (unsigned long)bad[j]);
        }
    CHECK(unchanged(&s));
    batch[0] = f;
    CHECK(send_batch_on(0, 1, PG_SHARE, 1, 0).label == PG_OK); /* any lane's buffer */
    CHECK(count_of(f) == 2);
    check_consistent();
}

/* pool_fault takes an untraced fault alone: a batch, a fault the kernel
 * traces and any fault while the pool traces go to pool_handle, with the
 * words and the pool untouched. */
static void fault_in_registers_declines_all_but_untraced_faults(void)
{
    struct pg_fault_msg traced = {.label = PG_FAULT, .seq = 5, .flags = PG_FAULT_TRACED};
    struct pg_batch_msg batch = {.label = PG_ALLOC, .seq = 6, .count = 1};
    struct pg_fault_msg plain = {.label = PG_FAULT, .seq = 7};
    uint64_t w[COWL_MSG_WORDS], before[COWL_MSG_WORDS];
    struct snapshot s;

    fresh_pool(RESERVED);
    uint32_t f = alloc_one();
    traced.frame = plain.frame = pa_of(f);
    take_snapshot(&s);
    memcpy(w, &traced, sizeof(w));
    memcpy(before, w, sizeof(w));
    CHECK(!pool_fault(&pool, &lanes[0], w) && memcmp(w, before, sizeof(w)) == 0);
    memcpy(w, &batch, sizeof(w));
    memcpy(before, w, sizeof(w));
    CHECK(!pool_fault(&pool, &lanes[0], w) && memcmp(w, before, sizeof(w)) == 0);
    CHECK(send_batch(PG_TRACE, 1, 0).label == PG_OK);
    memcpy(w, &plain, sizeof(w));
    memcpy(before, w, sizeof(w));
    CHECK(!pool_fault(&pool, &lanes[0], w) && memcmp(w, before, sizeof(w)) == 0);
    CHECK(send_batch(PG_TRACE, 0, 0).label == PG_OK);
    CHECK(unchanged(&s));
    CHECK(pool_fault(&pool, &lanes[0], w)); /* untraced: its own, and a reuse */
    CHECK((uint32_t)w[0] == PG_REUSE && w[0] >> 32 == 7 && w[1] == 0);
    check_consistent();
}

static const struct unit_case cases[] = {
#define CASE(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }
    CASE(boot_counts_are_one_for_reserved_and_zero_for_free),
    CASE(alloc_is_all_or_nothing_when_short),
    CASE(share_then_fault_copies_and_moves_one_count),
    CASE(fault_on_sole_owner_reuses_without_allocating),
    CASE(fault_with_empty_pool_kills_and_changes_nothing),
    CASE(fault_on_bad_frame_kills),
    CASE(release_to_zero_frees_the_frame),
    CASE(double_release_is_refused),
    CASE(out_of_pool_frame_in_any_batch_is_refused),
    CASE(duplicate_frame_in_one_batch_is_judged_in_order),
    CASE(count_overflow_is_refused),
    CASE(audit_reports_mismatches),
    CASE(unknown_labels_fail_and_echo_seq),
    CASE(user_processes_may_only_ping),
    CASE(trace_reports_each_decision),
    CASE(fault_in_registers_declines_all_but_untraced_faults),
    CASE(counters_stay_exact_over_random_requests),
};

static const struct unit_case lane_cases[] = {
    CASE(fault_on_a_lane_with_an_empty_cache_takes_another_lanes_frame),
    CASE(freed_frames_pass_between_lanes_through_the_shared_stack),
    CASE(refused_release_restores_the_frame_it_took_to_zero),
    CASE(batch_naming_a_buffer_past_the_lanes_is_refused),
#undef CASE
};

int main(void)
{
    int failed = 0;

    for (int regs = 0; regs <= 1; regs++)
        for (lanes_in_use = 1; lanes_in_use <= MANY_LANES; lanes_in_use *= MANY_LANES) {
            faults_in_registers = regs;
            printf("-- every case, requests taking %u lane(s) in turn, faults answered by %s\n",
                   lanes_in_use, regs ? "pool_fault" : "pool_handle");
            failed |= UNIT_CASES(cases);
        }
    faults_in_registers = false;
    printf("-- lanes of their own\n");
    failed |= UNIT_CASES(lane_cases);
    return failed;
}
