/*
 * The pager's policy: the user-frame pool, each frame's reference count, and
 * the answer to every request the kernel sends about them. Plain C over plain
 * data, freestanding (no libc, no allocation), so the same file runs in the
 * pager, in the kernel for `cow=kernel`, and natively in the host unit test.
 *
 * Invariants, true between calls:
 *   - a frame is on the free stack exactly when its count is 0, and at most once;
 *   - nfree + nused == nframes; nshared counts frames with count >= 2;
 *   - a request that is refused (PG_FAIL, PG_KILL) changes no count.
 * Not thread-safe: the caller serialises (the pager is single-threaded; in
 * cow=kernel every call is made under the kernel's big_lock).
 */
#ifndef COWL_PAGER_POLICY_H
#define COWL_PAGER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cowl/abi.h"

#define POOL_COUNT_MAX UINT16_MAX /* a share past this is refused */

struct pool {
    uint64_t base_pfn;    /* page number of frame index 0 */
    uint32_t nframes;     /* frames in the pool */
    uint16_t *count;      /* nframes reference counts */
    uint32_t *free_stack; /* frame indices with count 0; top at nfree-1 */
    uint32_t nfree;       /* frames with count 0 */
    uint32_t nused;       /* frames with count >= 1 */
    uint32_t nshared;     /* frames with count >= 2 */
    bool trace;           /* the callers print each request's event */
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
    uint32_t free;       /* free frames after the request */
};

/*
 * Set up the pool over frames [base_pfn, base_pfn + nframes). Frames
 * 0..reserved-1 start with count 1 (they hold the pager itself), the rest
 * free with count 0. table is PAGER_TABLE_BYTES(nframes) bytes, 4-byte
 * aligned, owned by the caller for the pool's lifetime. Tracing starts off.
 * Returns false, touching nothing, when reserved > nframes or when a frame's
 * number would not fit the 32-bit entries of the batch buffer.
 */
bool pool_init(struct pool *p, uint64_t base_pfn, uint32_t nframes, uint32_t reserved, void *table);

/*
 * Answer one request from the kernel (badge 0). batch is the shared batch
 * buffer of COWL_BATCH_MAX entries; the caller keeps it stable for the call.
 * Always fills *reply, echoing the request's seq, and *ev; never corrupts
 * the pool on bad input (it answers PG_FAIL, or PG_KILL for a fault).
 */
void pool_handle(struct pool *p, const struct cowl_msg *req, uint32_t *batch,
                 struct cowl_msg *reply, struct pool_event *ev);

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
