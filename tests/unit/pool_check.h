/*
 * The policy's invariants checked by brute force on a quiescent pool, for
 * the host tests of pager/policy.c (policy_test.c, policy_lanes_test.c):
 * the free frames (the shared stack and every lane's cache) hold each
 * count-0 frame exactly once and nothing else, and the figures PG_STAT
 * reports equal a recount of the counts. Call them only when no lane is
 * mid-request; they read the pool's fields directly.
 */
#ifndef TESTS_UNIT_POOL_CHECK_H
#define TESTS_UNIT_POOL_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "unit.h"

/* Frames with count 0, >= 1 and >= 2, recounted. */
struct pool_recount {
    uint32_t free, used, shared;
};

static inline struct pool_recount pool_recount(const struct pool *p)
{
    struct pool_recount n = {0, 0, 0};

    for (uint32_t i = 0; i < p->nframes; i++) {
        n.free += p->count[i] == 0;
        n.used += p->count[i] >= 1;
        n.shared += p->count[i] >= 2;
    }
    return n;
}

/* Mark one free-frame entry in seen[], checking it names a count-0 frame
 * not seen before. */
static inline void pool_check_free_entry(const struct pool *p, uint32_t idx, unsigned char *seen)
{
    CHECKF(idx < p->nframes, "free entry %u past the pool", idx);
    if (idx >= p->nframes)
        return;
    CHECKF(p->count[idx] == 0, "free entry %u has count %u", idx, p->count[idx]);
    CHECKF(seen[idx]++ == 0, "frame %u is free twice", idx);
}

/* Every count-0 frame is on the stack or in one cache, once; nothing else is. */
static inline void pool_check_free_frames(const struct pool *p)
{
    unsigned char *seen = calloc(p->nframes, 1);
    uint32_t listed = p->stack.n;

    EXPECT(seen != NULL, "out of memory");
    for (uint32_t i = 0; i < p->stack.n; i++)
        pool_check_free_entry(p, p->stack.slot[i], seen);
    for (uint32_t l = 0; l < p->nlanes; l++) {
        const struct pool_lane *lane = &p->lanes[l];
        CHECKF(lane->ncached <= POOL_LANE_CACHE, "lane %u caches %u", l, lane->ncached);
        CHECKF(lane->lock == 0, "lane %u's lock is held", l);
        for (uint32_t i = 0; i < lane->ncached && i < POOL_LANE_CACHE; i++)
            pool_check_free_entry(p, lane->cache[i], seen);
        listed += lane->ncached;
    }
    CHECK(p->stack.lock == 0);
    CHECKF(listed == pool_recount(p).free, "%u free entries for %u count-0 frames", listed,
           pool_recount(p).free);
    free(seen);
}

#endif
