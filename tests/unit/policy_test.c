/*
 * Host unit test of the pager's policy (pager/policy.c), built natively with
 * sanitizers. Each case starts from a fresh pool, drives it only through
 * pool_handle / pool_handle_user as the kernel and user processes would, and
 * checks both the replies and the pool's invariants (every count recounted by
 * brute force against the running counters and the free stack). One line per
 * case; the exit status is the number of failed cases, capped at 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "unit.h"

#define NFRAMES  64
#define RESERVED 4
#define BASE_PFN 0x80400UL

static struct pool pool;
static uint32_t table[PAGER_TABLE_BYTES(NFRAMES) / sizeof(uint32_t)];
static uint32_t batch[COWL_BATCH_MAX];
static uint32_t next_seq = 100;

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

static void fresh_pool(uint32_t reserved)
{
    memset(table, 0xa5, sizeof(table)); /* init must not rely on zeroed memory */
    pool_init(&pool, BASE_PFN, NFRAMES, reserved, table);
    trace_buf[0] = 0;
    trace_lines = 0;
}

/* ---- Requests as the kernel sends them. ---- */

static struct pg_reply_msg send_raw(const struct cowl_msg *req)
{
    struct cowl_msg out;
    struct pg_reply_msg r;

    struct pool_event ev;

    memset(&out, 0xee, sizeof(out)); /* every reply word must be written */
    pool_handle(&pool, req, batch, &out, &ev);
    if (pool.trace) /* as each caller traces */
        pool_event_print(&ev, trace_print);
    memcpy(&r, &out, sizeof(r));
    return r;
}

static struct pg_reply_msg send_batch(uint32_t label, uint64_t count, uint64_t first)
{
    struct pg_batch_msg m = {.label = label, .seq = ++next_seq, .count = count, .space = 7};
    struct cowl_msg raw;
    struct pg_reply_msg r;

    m.first = first;
    memcpy(&raw, &m, sizeof(raw));
    r = send_raw(&raw);
    CHECK(r.seq == m.seq);
    return r;
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
    r = send_raw(&raw);
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

static uint16_t count_of(uint32_t pfn)
{
    return pool.count[pfn - BASE_PFN];
}

static uint64_t pa_of(uint32_t pfn)
{
    return (uint64_t)pfn << 12;
}

/* ---- Invariants by brute force. ---- */

/* Recount everything and compare with STAT and the free stack. */
static void check_consistent(void)
{
    uint32_t nfree = 0, used = 0, shared = 0, on_stack[NFRAMES] = {0};
    struct pg_reply_msg r;

    for (uint32_t i = 0; i < NFRAMES; i++) {
        nfree += pool.count[i] == 0;
        used += pool.count[i] >= 1;
        shared += pool.count[i] >= 2;
    }
    for (uint32_t i = 0; i < pool.nfree; i++) {
        uint32_t idx = pool.free_stack[i];
        CHECK(idx < NFRAMES);
        if (idx < NFRAMES) {
            CHECK(pool.count[idx] == 0);
            CHECK(on_stack[idx]++ == 0);
        }
    }
    r = send_batch(PG_STAT, 0, 0);
    CHECK(r.label == PG_OK);
    CHECK(r.free == nfree && pool.nfree == nfree);
    CHECK(r.used == used);
    CHECK(r.shared == shared);
}

/* A copy of the pool's state, to show that a refused request changed nothing. */
struct snapshot {
    uint16_t count[NFRAMES];
    uint32_t stack[NFRAMES];
    uint32_t nfree, nused, nshared;
};

static void take_snapshot(struct snapshot *s)
{
    memcpy(s->count, pool.count, sizeof(s->count));
    memcpy(s->stack, pool.free_stack, sizeof(s->stack));
    s->nfree = pool.nfree;
    s->nused = pool.nused;
    s->nshared = pool.nshared;
}

static int unchanged(const struct snapshot *s)
{
    struct snapshot now;

    take_snapshot(&now);
    return memcmp(s->count, now.count, sizeof(now.count)) == 0 &&
           memcmp(s->stack, now.stack, s->nfree * sizeof(uint32_t)) == 0 && s->nfree == now.nfree &&
           s->nused == now.nused && s->nshared == now.nshared;
}

/* ---- Cases. ---- */

static void boot_counts_are_one_for_reserved_and_zero_for_free(void)
{
    struct pool other;

    fresh_pool(RESERVED);
    for (uint32_t i = 0; i < NFRAMES; i++)
        CHECK(pool.count[i] == (i < RESERVED ? 1 : 0));
    CHECK(pool.nfree == NFRAMES - RESERVED);
    check_consistent();
    CHECK(alloc_one() == BASE_PFN + RESERVED); /* lowest free frame first */
    CHECK(!pool_init(&other, BASE_PFN, NFRAMES, NFRAMES + 1, table));
    CHECK(!pool_init(&other, 0xffffffffUL, 2, 0, table));
    CHECK(pool_init(&other, 0xfffffffeUL, 2, 0, table));
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
    CHECK(pool.nfree == 0);
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
    nfree = pool.nfree;
    CHECK(send_fault(pa_of(f)).label == PG_REUSE);
    CHECK(pool.nfree == nfree && count_of(f) == 1);
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
    nfree = pool.nfree;
    f = alloc_one();
    CHECK(batch_one(PG_SHARE, f) == PG_OK);
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    CHECK(count_of(f) == 1 && pool.nfree == nfree - 1);
    CHECK(batch_one(PG_RELEASE, f) == PG_OK);
    CHECK(count_of(f) == 0 && pool.nfree == nfree);
    check_consistent();
    CHECK(alloc_one() == f); /* it is on the free stack again */
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
    nfree = pool.nfree;
    CHECK(batch_two(PG_RELEASE, f, f) == PG_OK); /* 2 -> 0, freed once */
    CHECK(count_of(f) == 0 && pool.nfree == nfree + 1);
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
    uint32_t pfn = random_pfn(), idx = pfn - BASE_PFN, nfree = pool.nfree;
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
    uint32_t nfree = pool.nfree;
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
    CASE(counters_stay_exact_over_random_requests),
#undef CASE
};

int main(void)
{
    return UNIT_CASES(cases);
}
