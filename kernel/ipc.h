/*
 * Synchronous endpoints. A message is COWL_MSG_WORDS words that travel in
 * registers a1..a5; the receiver learns the sender's badge (its pid, set by
 * the kernel; 0 for the kernel itself) in a6. The kernel also calls the
 * pager through the pager's endpoint, on behalf of a thread that blocks until
 * the answer (ipc_kernel_call).
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdint.h>
#include "cowl/abi.h"
#include "thread.h"

#define NHANDLE 8
_Static_assert(COWL_PAGER_LANES_MAX + 1 <= NHANDLE,
               "the pager holds its lanes' and its ping endpoint");

struct endpoint {
    int refs;                 /* handles naming it; free at 0 */
    struct proc *receiver;    /* the only process that may receive, or 0 for any */
    struct thread *senders;   /* queue of IPC_SEND, IPC_CALL, IPC_KCALL threads */
    struct thread *receivers; /* queue of IPC_RECV threads */
};

struct endpoint *ipc_endpoint_new(struct proc *receiver);
void ipc_endpoint_get(struct endpoint *ep);
void ipc_endpoint_put(struct endpoint *ep);
/* Endpoints in use. */
uint64_t ipc_endpoint_count(void);
/* kstat().ipc_slow, so that tests see which path user IPC took: the calls
 * and reply_recvs the fast path left to the ordinary one, counted there
 * (trap.c's ipc_ordinary), under big_lock, so that the fast path counts
 * nothing. */
extern uint64_t ipc_slow_count;

/* The syscalls; each returns the value for a0 (the partner may have set the
 * rest of the registers), or blocks and never returns: t then resumes in
 * user mode from its frame, with a0 set by the partner. */
int64_t ipc_send(struct thread *t, struct endpoint *ep, int call);
/* next: a thread ipc_reply just woke, to run here if t has to wait. */
int64_t ipc_recv(struct thread *t, struct endpoint *ep, struct thread *next);
/* *woken (if not 0) is the thread the reply made runnable. */
int64_t ipc_reply(struct thread *t, struct thread **woken);

/* The fast paths of call and reply_recv (t is the caller, ep its handle's
 * endpoint, w0..w4 the message in t's registers, not in its frame): the partner
 * waits, in user IPC, and may run here, so the message goes straight into
 * its frame and it becomes the running thread
 * (sched_pass_to_user); t blocks as the slow path would leave it. Return
 * that partner, or 0 with nothing changed: the slow path then gives the
 * same result (and every error). Caller holds big_lock and is t. */
struct thread *ipc_fast_call(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS);
struct thread *ipc_fast_reply_recv(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS);
/* Send t->kreq to ep for thread t, which blocks until the reply is in
 * t->kreply and pager_call_done has seen it. Caller holds big_lock and is t. */
void ipc_kernel_call(struct thread *t, struct endpoint *ep);
/* The same call without big_lock, to the lane's thread waiting on ep, which
 * must be the lane of this hart and this hart's alone, for a caller that
 * leaves its kernel stack rather than waiting on it (a user store's fault,
 * fault.c): the lane, to which t's call is committed (the caller switches
 * the hart to it), or 0 with nothing changed when it is not waiting there
 * (the caller then takes big_lock and calls ipc_kernel_call); and, once t
 * runs again, the end of its call. */
struct thread *ipc_lane_take(struct thread *t, struct endpoint *ep);
static inline void ipc_lane_back(struct thread *t)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->kcall_parked = false;
    t->in_kcall = false;
}
/* The lane t (the pager's thread pinned to this hart, its lane this hart's
 * alone) answers the kernel call it owes with w0..w4 (its registers) and
 * waits on ep again, without big_lock, having made pager_call_done's
 * checks. A caller that waits on its kernel stack gets the answer in its
 * kreply and resumes there; one that left it (kcall_parked: a user store's
 * fault) is returned, for the system-call entry to finish its fault with
 * the answer as it is (fault_answered). Returns 0, having changed nothing,
 * when anything is unusual. */
struct thread *ipc_lane_answer(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS);

/* t is dying: take it off every queue and forget replies owed to it. */
void ipc_forget(struct thread *t);
/* Wake t if it waits in user IPC, with a0 = err; kernel calls keep waiting. */
void ipc_abort(struct thread *t, int64_t err);

#endif
