/*
 * Host test of the pager's policy with lanes running at once: threads, each
 * with its own lane and batch buffer, as the pager's threads on several
 * harts. Built with ThreadSanitizer, so a data race in policy.c fails the
 * test as surely as a wrong count.
 *
 * The model check: every thread holds references to frames (a list, with
 * repeats), and acts only on references it holds: ALLOC gains fresh ones,
 * SHARE one more of a held frame, RELEASE gives some up, FAULT writes a held
 * frame (a copy replaces the reference, a reuse keeps it). A mailbox passes
 * references between threads, so that frames are shared across lanes.
 * refs[] counts the references held anywhere, and is kept on the safe side
 * of the pool's counts: a reference is counted only once the pool has
 * counted it (after ALLOC's or SHARE's reply) and uncounted before the pool
 * may drop it (before RELEASE and before FAULT: a faulting reference is "in
 * flight" and comes back after a REUSE or a KILL). So refs[f] never exceeds
 * the pool's count while the threads run, which makes two checks exact:
 *   - a frame ALLOC or COPY hands out has refs 0 (nobody holds it), and
 *   - a frame a fault is told to REUSE has refs 0 besides the faulting
 *     reference (the pool saw count 1, which was that reference: nobody else
 *     holds it, and nobody can gain a reference to it but its holder).
 * When every thread has joined, each frame's count must equal refs, and the
 * free frames, STAT and AUDIT must agree with the counts.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "pool_check.h"
#include "unit.h"

#define NFRAMES  512 /* tight: the threads may hold more, so ALLOC and COPY run out */
#define RESERVED 4
#define BASE_PFN 0x80400UL
#define THREADS  4
#define HELD_MAX 256   /* references one thread holds at most */
#define STEPS    20000 /* requests per thread, at least */
#define SECONDS  2     /* and for this long */
#define MAILBOX  64    /* references in passage between threads */

static struct pool pool;
static struct pool_lane lanes[COWL_PAGER_LANES_MAX];
static uint32_t table[PAGER_TABLE_BYTES(NFRAMES) / sizeof(uint32_t)];
static uint32_t buffers[COWL_PAGER_LANES_MAX * COWL_BATCH_MAX];
static uint32_t refs[NFRAMES]; /* references held anywhere; changed atomically */

/* Failures seen by the threads, reported by the main thread after join. */
static uint32_t violations;
static char first_violation[256];

static void violation(const char *fmt, ...)
{
    va_list ap;

    if (__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(first_violation, sizeof(first_violation), fmt, ap);
    va_end(ap);
}

/* A data race ends the case at once (a failure), whatever the counts say. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "halt_on_error=1:abort_on_error=1";
}

static void fresh_pool(uint32_t nlanes)
{
    memset(refs, 0, sizeof(refs));
    violations = 0;
    EXPECT(pool_init(&pool, BASE_PFN, NFRAMES, RESERVED, table, buffers, lanes, nlanes),
           "pool_init");
}

static uint32_t *buffer_of(uint32_t lane)
{
    return buffers + lane * COWL_BATCH_MAX;
}

/* One request on lane; the reply must echo its seq. */
static struct pg_reply_msg call(uint32_t lane, const void *msg)
{
    struct cowl_msg req, out;
    struct pg_reply_msg r;
    struct pool_event ev;

    memcpy(&req, msg, sizeof(req));
    pool_handle(&pool, &lanes[lane], &req, &out, &ev);
    memcpy(&r, &out, sizeof(r));
    if (r.seq != req.w[0] >> 32)
        violation("reply seq %u for request seq %lu", r.seq, (unsigned long)(req.w[0] >> 32));
    return r;
}

/* A batch request on lane, with lane's own buffer. */
static struct pg_reply_msg batch_call(uint32_t lane, uint32_t label, uint32_t n, uint32_t seq)
{
    struct pg_batch_msg m = {
        .label = label, .seq = seq, .count = n, .space = lane + 1, .buffer = lane};

    return call(lane, &m);
}

static struct pg_reply_msg fault_call(uint32_t lane, uint32_t pfn, uint32_t seq)
{
    struct pg_fault_msg m = {.label = PG_FAULT, .seq = seq, .space = lane + 1};

    m.frame = (uint64_t)pfn << 12;
    return call(lane, &m);
}

static bool in_pool(uint32_t pfn)
{
    return pfn >= BASE_PFN + RESERVED && pfn < BASE_PFN + NFRAMES;
}

/* Count one more reference to pfn; a fresh frame must have had none. */
static void ref_gain(uint32_t pfn, bool fresh, const char *how)
{
    if (!in_pool(pfn)) {
        violation("%s named frame 0x%x, not a free pool frame", how, pfn);
        return;
    }
    uint32_t was = __atomic_fetch_add(&refs[pfn - BASE_PFN], 1, __ATOMIC_ACQ_REL);
    if (fresh && was != 0)
        violation("%s handed out frame 0x%x, which %u references still hold", how, pfn, was);
}

static void ref_drop(uint32_t pfn)
{
    if (__atomic_fetch_sub(&refs[pfn - BASE_PFN], 1, __ATOMIC_ACQ_REL) == 0)
        violation("a thread dropped a reference to 0x%x it did not hold", pfn);
}

/* ---- The threads of the model check. ---- */

struct worker {
    uint32_t lane;
    uint32_t rng;
    uint32_t seq;
    uint32_t nheld;
    uint32_t held[HELD_MAX]; /* frame numbers, one entry per reference */
    uint32_t steps, copies, reuses, kills, alloc_refused, passed;
};

static struct mailbox {
    pthread_mutex_t lock;
    uint32_t n;
    uint32_t frames[MAILBOX];
} mailbox = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint32_t rnd(struct worker *w, uint32_t below)
{
    w->rng = w->rng * 1103515245u + 12345u;
    return (w->rng >> 8) % below;
}

/* Take out a random held reference. Needs nheld > 0. */
static uint32_t take_held(struct worker *w)
{
    uint32_t k = rnd(w, w->nheld), pfn = w->held[k];

    w->held[k] = w->held[--w->nheld];
    return pfn;
}

static void step_alloc(struct worker *w)
{
    uint32_t n = 1 + rnd(w, 8), *buf = buffer_of(w->lane);

    if (w->nheld + n > HELD_MAX)
        return;
    if (batch_call(w->lane, PG_ALLOC, n, ++w->seq).label != PG_OK) {
        w->alloc_refused++;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        ref_gain(buf[i], true, "PG_ALLOC");
        w->held[w->nheld++] = buf[i];
    }
}

static void step_share(struct worker *w)
{
    uint32_t n = 1 + rnd(w, 4), *buf = buffer_of(w->lane);

    if (w->nheld == 0 || w->nheld + n > HELD_MAX)
        return;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = w->held[rnd(w, w->nheld)];
    if (batch_call(w->lane, PG_SHARE, n, ++w->seq).label != PG_OK) {
        violation("PG_SHARE of %u held frames refused", n);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        ref_gain(buf[i], false, "PG_SHARE");
        w->held[w->nheld++] = buf[i];
    }
}

static void step_release(struct worker *w)
{
    uint32_t n = 1 + rnd(w, 4), *buf = buffer_of(w->lane);

    if (n > w->nheld)
        n = w->nheld;
    if (n == 0)
        return;
    for (uint32_t i = 0; i < n; i++) {
        buf[i] = take_held(w);
        ref_drop(buf[i]); /* before the pool may free it */
    }
    if (batch_call(w->lane, PG_RELEASE, n, ++w->seq).label != PG_OK)
        violation("PG_RELEASE of %u held references refused", n);
}

/* A store to a held frame: the reference is in flight during the request. */
static void step_fault(struct worker *w)
{
    if (w->nheld == 0)
        return;
    uint32_t k = rnd(w, w->nheld), pfn = w->held[k];
    ref_drop(pfn);
    struct pg_reply_msg r = fault_call(w->lane, pfn, ++w->seq);
    switch (r.label) {
    case PG_REUSE:
        if (__atomic_fetch_add(&refs[pfn - BASE_PFN], 1, __ATOMIC_ACQ_REL) != 0)
            violation("PG_REUSE of frame 0x%x, which another reference holds", pfn);
        w->reuses++;
        break;
    case PG_COPY:
        if (r.frame & 0xfff || r.frame >> 12 == pfn)
            violation("PG_COPY of 0x%x into 0x%lx", pfn, (unsigned long)r.frame);
        ref_gain((uint32_t)(r.frame >> 12), true, "PG_COPY");
        w->held[k] = (uint32_t)(r.frame >> 12);
        w->copies++;
        break;
    case PG_KILL:
        ref_gain(pfn, false, "PG_KILL");
        w->kills++;
        break;
    default:
        violation("fault answered %u", r.label);
    }
}

/* Hand a held reference to the mailbox, or take one from it. */
static void step_pass(struct worker *w)
{
    pthread_mutex_lock(&mailbox.lock);
    if (rnd(w, 2) && w->nheld > 0 && mailbox.n < MAILBOX) {
        mailbox.frames[mailbox.n++] = take_held(w);
        w->passed++;
    } else if (mailbox.n > 0 && w->nheld < HELD_MAX) {
        w->held[w->nheld++] = mailbox.frames[--mailbox.n];
    }
    pthread_mutex_unlock(&mailbox.lock);
}

static pthread_barrier_t start_line; /* the threads start together */

static double seconds_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;

    pthread_barrier_wait(&start_line);
    double end = seconds_now() + SECONDS;
    for (uint32_t s = 0; s < STEPS || seconds_now() < end; s++) {
        uint32_t pick = rnd(w, 20);
        if (pick < 7)
            step_fault(w);
        else if (pick < 11)
            step_share(w);
        else if (pick < 15)
            step_release(w);
        else if (pick < 18)
            step_alloc(w);
        else
            step_pass(w);
        w->steps++;
    }
    return NULL;
}

/* Every count equals the references held, and STAT and AUDIT agree. */
static void check_counts_match_refs(void)
{
    struct pool_recount n = pool_recount(&pool);
    struct pg_reply_msg r = batch_call(0, PG_STAT, 0, 1);
    uint32_t *buf = buffer_of(0), wrong = 0;

    for (uint32_t i = 0; i < NFRAMES; i++)
        wrong += pool.count[i] != (i < RESERVED ? 1 : refs[i]);
    CHECKF(wrong == 0, "%u frames' counts differ from the references held", wrong);
    pool_check_free_frames(&pool);
    CHECK(r.free == n.free && r.used == n.used && r.shared == n.shared);
    for (uint32_t i = 0; i < NFRAMES; i++)
        buf[i] = i < RESERVED ? 1 : refs[i];
    r = batch_call(0, PG_AUDIT, NFRAMES, 2);
    CHECK(r.label == PG_OK && r.mismatches == 0);
}

/* Give every reference back through lane 0. */
static void release_everything(struct worker *w)
{
    uint32_t *buf = buffer_of(0), n = 0;

    for (uint32_t t = 0; t <= THREADS; t++) {
        uint32_t *held = t < THREADS ? w[t].held : mailbox.frames;
        uint32_t count = t < THREADS ? w[t].nheld : mailbox.n;
        for (uint32_t i = 0; i < count; i++) {
            buf[n++] = held[i];
            refs[held[i] - BASE_PFN]--;
        }
    }
    CHECK(batch_call(0, PG_RELEASE, n, 3).label == PG_OK);
}

static void concurrent_lanes_keep_each_count_equal_to_the_references_held(void)
{
    static struct worker w[THREADS];
    pthread_t threads[THREADS];
    uint32_t steps = 0, copies = 0, reuses = 0, kills = 0, refused = 0, passed = 0;

    fresh_pool(THREADS);
    EXPECT(pthread_barrier_init(&start_line, NULL, THREADS) == 0, "pthread_barrier_init");
    for (uint32_t t = 0; t < THREADS; t++) {
        w[t] = (struct worker){.lane = t, .rng = 1 + 7919 * t};
        EXPECT(pthread_create(&threads[t], NULL, worker_run, &w[t]) == 0, "pthread_create");
    }
    for (uint32_t t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    CHECKF(violations == 0, "%u violations, the first: %s", violations, first_violation);
    for (uint32_t t = 0; t < THREADS; t++) {
        steps += w[t].steps;
        copies += w[t].copies;
        reuses += w[t].reuses;
        kills += w[t].kills;
        refused += w[t].alloc_refused;
        passed += w[t].passed;
    }
    printf("    %u requests: %u copies, %u reuses, %u kills, %u allocations refused, %u "
           "references passed\n",
           steps, copies, reuses, kills, refused, passed);
    CHECK(copies > 0 && reuses > 0 && passed > 0); /* the run covered the cases */
    check_counts_match_refs();
    release_everything(w);
    struct pg_reply_msg r = batch_call(0, PG_STAT, 0, 4);
    CHECK(r.free == NFRAMES - RESERVED && r.used == RESERVED && r.shared == 0);
    pool_check_free_frames(&pool);
}

/* ---- One interleaving, forced. ---- */

struct fault_job {
    uint32_t pfn;
    struct pg_reply_msg reply;
};

static void *fault_on_lane_1(void *arg)
{
    struct fault_job *job = arg;

    job->reply = fault_call(1, job->pfn, 77);
    return NULL;
}

static bool lock_is(uint32_t *lock, uint32_t value)
{
    const struct timespec ms = {0, 1000000};

    for (int i = 0; i < 5000; i++) {
        if (__atomic_load_n(lock, __ATOMIC_ACQUIRE) == value)
            return true;
        nanosleep(&ms, NULL);
    }
    return false;
}

/*
 * Fault on pfn (count 2) on lane 1, and release it `releases` times on lane
 * 0 after the fault has read the count but before it drops it. The gap is
 * made by holding lane 1's lock, with the value 2: the fault reads the
 * count, then takes a frame, whose first step is lane 1's lock, and its
 * test-and-set leaves 1 there. Seeing 1, the count has been read.
 */
static struct pg_reply_msg fault_across_release(uint32_t pfn, uint32_t releases)
{
    struct fault_job job = {.pfn = pfn};
    pthread_t thread;

    __atomic_store_n(&lanes[1].lock, 2, __ATOMIC_RELEASE);
    EXPECT(pthread_create(&thread, NULL, fault_on_lane_1, &job) == 0, "pthread_create");
    bool waiting = lock_is(&lanes[1].lock, 1);
    for (uint32_t i = 0; waiting && i < releases; i++) {
        buffer_of(0)[0] = pfn;
        CHECK(batch_call(0, PG_RELEASE, 1, 10 + i).label == PG_OK);
    }
    __atomic_store_n(&lanes[1].lock, 0, __ATOMIC_RELEASE);
    pthread_join(thread, NULL);
    EXPECT(waiting, "the fault never reached lane 1's lock");
    return job.reply;
}

static void fault_that_finds_its_frame_dropped_to_one_reuses_and_gives_the_copy_back(void)
{
    uint32_t f, nfree;
    struct pg_reply_msg r;
    struct pg_fault_reply fr;

    fresh_pool(2);
    EXPECT(batch_call(0, PG_ALLOC, 1, 1).label == PG_OK, "alloc");
    f = buffer_of(0)[0];
    CHECK(batch_call(0, PG_SHARE, 1, 2).label == PG_OK);
    nfree = (uint32_t)batch_call(0, PG_STAT, 0, 3).free;
    r = fault_across_release(f, 1); /* the other holder's copy went first */
    memcpy(&fr, &r, sizeof(fr));
    CHECK(r.label == PG_REUSE && fr.count == 1);
    CHECK(pool.count[f - BASE_PFN] == 1);
    CHECK(batch_call(0, PG_STAT, 0, 4).free == nfree); /* the copy's frame went back */
    pool_check_free_frames(&pool);

    buffer_of(0)[0] = f; /* and found at 0: both holders gone, the fault is stale */
    CHECK(batch_call(0, PG_SHARE, 1, 5).label == PG_OK);
    r = fault_across_release(f, 2);
    CHECK(r.label == PG_KILL);
    CHECK(pool.count[f - BASE_PFN] == 0);
    CHECK(batch_call(0, PG_STAT, 0, 6).free == nfree + 1);
    pool_check_free_frames(&pool);
}

static const struct unit_case cases[] = {
#define CASE(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }
    CASE(fault_that_finds_its_frame_dropped_to_one_reuses_and_gives_the_copy_back),
    CASE(concurrent_lanes_keep_each_count_equal_to_the_references_held),
#undef CASE
};

int main(void)
{
    return UNIT_CASES(cases);
}
