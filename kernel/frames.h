/*
 * The kernel's side of the frame service. Every user frame the kernel maps
 * comes from a request here and goes back through one: to the pager by IPC
 * (cow=pager, cow=eager), or to the same policy code run inside the kernel
 * (cow=kernel). Batch requests carry frame numbers in the batch buffer,
 * which a caller holds (frames_batch_begin .. frames_batch_end) across its
 * requests; the holder may block.
 */
#ifndef KERNEL_FRAMES_H
#define KERNEL_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include "cowl/abi.h"

struct thread;
struct proc;

extern uint64_t user_pool_base, user_pool_end;

/* Boot: set up the service; in pager modes load and start the pager. */
void frames_init(void);
/* Carve npages contiguous frames for the pager from the front of the pool
 * (boot only, before the pool is handed over). */
uint64_t frames_reserve(uint64_t npages);
/* Frames carved so far. */
uint64_t frames_reserved(void);
/* Whether pa is a frame of the user pool that the service hands out. */
bool frames_in_pool(uint64_t pa);

/* Hold the batch buffer; returns it. Caller holds big_lock and is a thread. */
uint32_t *frames_batch_begin(void);
void frames_batch_end(void);
/* Send a request (label, count entries in the held batch) on behalf of the
 * current thread; returns the reply's label. */
uint32_t frames_batch_call(uint32_t label, uint64_t count, uint64_t first);
/* The kernel refused an answer of the pager (a frame it may not map, a
 * decision for a PTE that changed, a reply to another request): count it and
 * say why on the console, rate-limited. */
__attribute__((format(printf, 1, 2))) void frames_refused(const char *fmt, ...);
/* Answers refused since boot. */
uint64_t frames_refused_count(void);
/* Mismatches the last PG_AUDIT reply reported. */
uint64_t frames_audit_result(void);

/* A decision for a COW fault of the current thread; fills the reply. */
void frames_fault(struct thread *t, struct pg_fault_msg *req, struct pg_reply_msg *reply);
int frames_stat(struct cowl_poolstat *st);
int frames_trace(bool on);
struct proc *frames_pager(void);
struct endpoint *frames_pager_endpoint(void);

#endif
