/*
 * The kernel's client of the pager protocol. Every user frame the kernel
 * maps comes from a request here and goes back through one; every request
 * goes out through pager_call and every answer comes back through
 * pager_call_done, the one place where answers land and are checked. Who
 * answers is chosen by meson, by file: pager_ipc.c (cow=pager, cow=eager)
 * calls the pager process over IPC, pager_local.c (cow=kernel) runs the
 * same policy inside the kernel.
 *
 * Batch requests carry frame numbers in a batch buffer, which a caller
 * holds (pager_batch_begin .. pager_batch_end) across its requests; the
 * holder may block, and may move to another hart meanwhile. Everything here
 * runs under big_lock, but for a fault's request and answer (fault.c):
 * pager_call, pager_call_done and pager_refused take it where they need it.
 */
#ifndef KERNEL_PAGER_CLIENT_H
#define KERNEL_PAGER_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include "cowl/abi.h"

struct thread;
struct proc;
struct endpoint;

extern uint64_t user_pool_base, user_pool_end;

/* Who resolves COW faults in this build: COWL_MODE_PAGER, _KERNEL or _EAGER,
 * set by meson (-DCOW_MODE=...). */
#ifndef COW_MODE
#error "meson sets COW_MODE"
#endif

/* Boot: carve the batch buffer and start the service (the pager process,
 * or the in-kernel policy). */
void pager_client_init(void);
/* Boot only, before the pool is handed over: carve npages contiguous frames
 * from the front of the pool for the service's own use. */
uint64_t pager_reserve(uint64_t npages);
/* Frames carved so far. */
uint64_t pager_reserved(void);
/* Whether pa is a frame of the pool that the service may hand out. */
bool pager_frame_in_pool(uint64_t pa);

/* The lane that serves requests made on this hart. */
unsigned pager_lane_here(void);

/* Hold a batch buffer (this hart's lane's if free; sleeps while all are
 * held); returns it. Caller is a thread holding none. */
uint32_t *pager_batch_begin(void);
void pager_batch_end(void);
/* Send a batch request (count entries of the held buffer) on behalf of the
 * current thread; returns the reply's label (PG_FAIL for a refused reply). */
uint32_t pager_batch_call(uint32_t label, uint64_t count, uint64_t first);
/* PG_AUDIT of frames [first, first+count) against the counts in the held
 * buffer; the mismatches, or -1 if the audit failed. */
int64_t pager_audit(uint64_t first, uint64_t count);
int pager_stat(struct cowl_poolstat *st);
int pager_trace(bool on);

/* Send t->kreq (its label and fields set; the seq is set here) for t, which
 * blocks until the answer is in t->kreply and checked; the caller acts on
 * it (a fault: fault.c applies the decision). The caller may hold big_lock
 * or not, and holds it again, or not, on return. */
void pager_call(struct thread *t);
/* pager_call for a user store's fault, t the current thread in its trap,
 * holding no lock; it does not return. When the lane of this hart can take
 * the call at once, the hart goes to it, and t resumes once the answer is
 * in: at `resume` on an empty kernel stack, or in user mode if the lane
 * could apply the answer itself (fault_answered). Otherwise the call is
 * made as pager_call, and t goes on at `resume`, without the lock. Nothing
 * returns, so that the fault path before it keeps nothing for later. */
void pager_fault_call(struct thread *t, void (*resume)(void)) __attribute__((noreturn));
/* The answer to t's request is in t->kreply: check that it answers that
 * request (else it becomes PG_FAIL or PG_KILL) and trace it. Called once
 * per request, from the IPC reply path or from the in-kernel policy. */
void pager_call_done(struct thread *t);

/* The kernel refused an answer of the pager (a frame it may not map, a
 * decision for a PTE that changed, a reply to another request): count it and
 * say why on the console, rate-limited. */
__attribute__((format(printf, 1, 2))) void pager_refused(const char *fmt, ...);
/* Answers refused since boot. */
uint64_t pager_refused_count(void);

/* The pager process, and the endpoint user processes hold as handle 0 (the
 * pager's ping thread); 0 in cow=kernel. */
struct proc *pager_proc(void);
struct endpoint *pager_endpoint(void);

/* Implemented by the service file meson picks (pager_ipc.c or pager_local.c);
 * the caller of pager_service_call may hold big_lock or not (pager_call). */
/* batches: `lanes` buffers of COWL_BATCH_MAX entries, side by side. */
void pager_service_start(uint32_t *batches, unsigned lanes);
void pager_service_call(struct thread *t);
void pager_service_fault(struct thread *t, void (*resume)(void)) __attribute__((noreturn));

#endif
