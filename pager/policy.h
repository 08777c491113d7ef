/*
 * The pager's policy: the user-frame pool, each frame's reference count, and
 * the answer to every request the kernel sends about them. Plain C over plain
 * data, freestanding (no libc, no allocation), so the same file runs in the
 * pager, in the kernel for `cow=kernel`, and natively in the host unit test.
 *
 * Several lanes (the pager's threads, one per hart) call pool_handle at the
 * same time, each with its own struct pool_lane; a lane is used by one
 * thread at a time. The lanes share the counts (changed by atomic
 * operations) and the free stack (a small lock); each keeps a cache of free
 * frames of its own. policy.c's opening comment gives the rules.
 *
 * Invariants, true whenever no request is in flight ("at quiescence"):
 *   - a frame is free (count 0) exactly when it is on the free stack or in
 *     one lane's cache, and then in exactly one place, once;
 *   - free + used == nframes; shared counts frames with count >= 2;
 *   - a request that is refused (PG_FAIL, PG_KILL) changes no count.
 * STAT, the figures in batch replies and AUDIT read a snapshot: exact at
 * quiescence, approximate while other lanes are mid-request.
 */
#ifndef COWL_PAGER_POLICY_H
#define COWL_PAGER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cowl/abi.h"

#define POOL_COUNT_MAX  UINT16_MAX /* a share past this is refused */
#define POOL_LANE_CACHE 64         /* free frames a lane keeps for itself */
#define POOL_CACHE_LINE 64         /* bytes; what two lanes must not share */

/* One lane's private state. Only its owner touches it, but for cache and
 * ncached, which another lane may take frames from under lock. */
struct pool_lane {
    uint32_t lock;                   /* guards cache and ncached */
    uint32_t ncached;                /* frames in cache; top at ncached-1 */
    uint32_t cache[POOL_LANE_CACHE]; /* frame indices with count 0 */
    uint32_t shared_delta;           /* frames this lane took to count >= 2, less
                                        those it took below: a signed change,
                                        modulo 2^32; written by the owner only */
} __attribute__((aligned(POOL_CACHE_LINE)));

/* The shared free stack and its lock, on a cache line of their own. */
struct pool_stack {
    uint32_t lock;
    uint32_t n;     /* frames on the stack; top at n-1 */
    uint32_t *slot; /* nframes frame indices */
} __attribute__((aligned(POOL_CACHE_LINE)));

struct pool {
    uint64_t base_pfn;       /* page number of frame index 0 */
    uint32_t nframes;        /* frames in the pool */
    uint32_t nlanes;         /* lanes, and batch buffers */
    uint32_t *count;         /* nframes reference counts, changed atomically */
    uint32_t *batches;       /* nlanes buffers of COWL_BATCH_MAX entries */
    struct pool_lane *lanes; /* nlanes */
    bool trace;              /* the callers print each request's event */
    struct pool_stack stack; /* free frames no lane holds */
};

/* What one request did: pool_handle's record, which its caller prints when
 * the pool's trace is on (pool_event_print). */
struct pool_event {
    uint32_t label;      /* the request's */
    uint32_t result;     /* the reply's label */
    uint64_t space;      /* pid on whose behalf */
    uint64_t count;      /* batch: entries; fault: the frame's count as found */
    uint64_t va, pc;     /* fault */
    uint64_t frame;      /* fault: the frame mapped; audit: first index */
    uint64_t new_frame;  /* fault, PG_COPY: the copy's frame */
    uint64_t mismatches; /* audit */
    uint32_t free;       /* alloc, share, release: free frames after the request */
};

/*
 * Set up the pool over frames [base_pfn, base_pfn + nframes). Frames
 * 0..reserved-1 start with count 1 (they hold the pager itself), the rest
 * free with count 0, all on the shared stack (the lanes' caches start
 * empty). table is PAGER_TABLE_BYTES(nframes) bytes, 4-byte aligned;
 * batches is nlanes buffers of COWL_BATCH_MAX uint32_t side by side; lanes
 * is nlanes records, not yet initialised. All are owned by the caller for
 * the pool's lifetime. Tracing starts off. Returns false, touching nothing,
 * when reserved > nframes, when nlanes is not in 1..COWL_PAGER_LANES_MAX, or
 * when a frame's number would not fit the 32-bit entries of a batch buffer.
 * Call it before any lane runs; the caller publishes the pool to the lanes.
 */
bool pool_init(struct pool *p, uint64_t base_pfn, uint32_t nframes, uint32_t reserved, void *table,
               uint32_t *batches, struct pool_lane *lanes, uint32_t nlanes);

/*
 * Answer one request from the kernel (badge 0) on lane, one of p's lanes,
 * which no other thread uses meanwhile. A batch request names its buffer in
 * pg_batch_msg.buffer (an index >= nlanes is refused); the caller keeps that
 * buffer stable for the call. Always fills *reply, echoing the request's
 * seq, and *ev unless ev is 0 (the record is for the trace alone); never
 * corrupts the pool on bad input (it answers PG_FAIL, or PG_KILL for a
 * fault). Safe to run on several lanes at once.
 */
void pool_handle(struct pool *p, struct pool_lane *lane, const struct cowl_msg *req,
                 struct cowl_msg *reply, struct pool_event *ev);

/*
 * The hot request, answered in registers: if w (the message's words) holds
 * a fault of the kernel that nobody traces (neither the kernel, by the
 * request's PG_FAULT_TRACED, nor the pool), decide it as pool_handle would
 * and write the answer's label, seq and frame over words 0 and 1 of w (the
 * rest are the trace's: left as they came); otherwise return false,
 * touching nothing.
 * Inlined into the caller's loop (link-time optimization), so that the
 * message need never reach memory.
 */
bool pool_fault(struct pool *p, struct pool_lane *lane, uint64_t w[COWL_MSG_WORDS]);

/*
 * Print ev as one trace line through print (printf in the pager, printk in
 * the kernel: the same text from either), for the requests that are traced
 * (alloc, share, release, fault, audit).
 */
void pool_event_print(const struct pool_event *ev, void (*print)(const char *fmt, ...));

/*
 * Answer a request from a user process (badge != 0): PG_PING gets PG_OK,
 * anything else PG_FAIL. Returns true when the request was refused, so the
 * caller can report it. Touches no pool state.
 */
bool pool_handle_user(const struct cowl_msg *req, struct cowl_msg *reply);

/* The request's label as the messages spell it ("PG_FAULT"), "?" if unknown. */
const char *pool_label_name(uint32_t label);

#endif /* COWL_PAGER_POLICY_H */
