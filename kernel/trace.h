/*
 * Trace points: binary events (cowl/trace.h) written into per-hart rings in
 * kernel memory, drained to the trace console (virtio_console.c) and to
 * traceread() readers from the idle loop and the tick.
 *
 * Each site in the kernel is one call of an inline function below. With
 * tracing off a site costs one predicted branch: on the global trace_on for
 * the sites that start something, on the thread's own record (type != 0)
 * for a fault's later phases. Writing an event never blocks and never
 * allocates: a full ring drops the event and counts it, and the count
 * reaches the reader as a TRACE_lost record. Every site runs under big_lock,
 * which also serialises the drain; each hart writes only its own ring.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "thread.h"
#include "cowl/abi.h"
#include "cowl/trace.h"

extern bool trace_on;

#define trace_unlikely(x) __builtin_expect(!!(x), 0)

struct proc;
struct machine;

/* Boot: find the trace console; start recording if there is one. */
void trace_init(const struct machine *m);
/* Start (allocating the rings the first time) or stop recording. 0 or -COWL_ENOMEM. */
int trace_set(bool on);
/* Move records from the rings to the console and the readers. Needs big_lock. */
void trace_drain(void);

/* Out-of-line halves of the sites below; call the inline ones. */
void trace_trap_slow(void);
void trace_fault_begin_slow(struct thread *t, uint64_t va, uint64_t pc, uint64_t frame);
void trace_fault_phase_slow(struct thread *t, enum cowl_trace_phase phase);
void trace_fault_decision_slow(struct thread *t, const struct pg_fault_reply *r);
void trace_fault_end_slow(struct thread *t, bool to_user);
void trace_event_slow(uint16_t type, uint32_t pid, const uint64_t *args, uint32_t nargs);
void trace_stamp_reply_slow(const struct cowl_msg *req, struct cowl_msg *reply);
void trace_fault_kill_slow(struct thread *t, uint64_t scause, uint64_t pc, uint64_t addr);
void trace_exec_slow(uint32_t pid, const char *name);
void trace_fork_slow(struct proc *parent, struct proc *child, int result);
void trace_batch_slow(struct thread *t);

/* user_trap: remember when this hart took the trap (a fault's first phase). */
static inline void trace_trap(void)
{
    if (trace_unlikely(trace_on))
        trace_trap_slow();
}

/* fault_store: a COW store fault (pc 0: a copyout) begins on t. */
static inline void trace_fault_begin(struct thread *t, uint64_t va, uint64_t pc, uint64_t frame)
{
    if (trace_unlikely(trace_on))
        trace_fault_begin_slow(t, va, pc, frame);
}

/* t's fault reached phase (SENT, APPLIED). */
static inline void trace_fault_phase(struct thread *t, enum cowl_trace_phase phase)
{
    if (trace_unlikely(t->trace.h.type))
        trace_fault_phase_slow(t, phase);
}

/* fault_apply: the decision as the pager (or the kernel's policy) gave it. */
static inline void trace_fault_decision(struct thread *t, const struct pg_fault_reply *r)
{
    if (trace_unlikely(t->trace.h.type))
        trace_fault_decision_slow(t, r);
}

/* t returns to user mode (to_user) or exits: its fault, if any, is recorded. */
static inline void trace_fault_end(struct thread *t, bool to_user)
{
    if (trace_unlikely(t->trace.h.type))
        trace_fault_end_slow(t, to_user);
}

/* cow=kernel: stamp the in-kernel policy's answer to a fault as the pager stamps its own. */
static inline void trace_stamp_reply(const struct cowl_msg *req, struct cowl_msg *reply)
{
    if (trace_unlikely(trace_on))
        trace_stamp_reply_slow(req, reply);
}

/* The tick and the idle loop: drain the rings. */
static inline void trace_poll(void)
{
    if (trace_unlikely(trace_on))
        trace_drain();
}

/* An event of `type` about pid with up to COWL_TRACE_ARGS words. */
static inline void trace_event(uint16_t type, uint32_t pid, const uint64_t *args, uint32_t nargs)
{
    if (trace_unlikely(trace_on))
        trace_event_slow(type, pid, args, nargs);
}

/* fork of parent into child; result is space_fork's (0, or -COWL_ENOMEM). */
static inline void trace_fork(struct proc *parent, struct proc *child, int result)
{
    if (trace_unlikely(trace_on))
        trace_fork_slow(parent, child, result);
}

/* The answer to t's request has landed: a batch (PG_ALLOC, PG_SHARE,
 * PG_RELEASE; not the bookkeeping PG_TRACE, PG_AUDIT, PG_STAT) becomes an
 * event with the pool as the pager reports it after the request. */
static inline void trace_batch(struct thread *t)
{
    if (trace_unlikely(trace_on) && t->kreq.h.label <= PG_RELEASE)
        trace_batch_slow(t);
}

/* kill() of pid: the reason is a signal. */
static inline void trace_signal(uint32_t pid)
{
    uint64_t a[] = {TRACE_KILL_signal, 0, 0, 0};
    trace_event(TRACE_kill, pid, a, 4);
}

/* A user fault kills t's process: the reason comes from t's fault record
 * (the pager said kill, or the kernel refused its decision), else `fault`. */
static inline void trace_fault_kill(struct thread *t, uint64_t scause, uint64_t pc, uint64_t addr)
{
    if (trace_unlikely(trace_on))
        trace_fault_kill_slow(t, scause, pc, addr);
}

/* exec of name (at most COWL_TRACE_NAME_BYTES are kept). */
static inline void trace_exec(uint32_t pid, const char *name)
{
    if (trace_unlikely(trace_on))
        trace_exec_slow(pid, name);
}

static inline void trace_exit(struct thread *t, uint32_t pid, int status)
{
    trace_fault_end(t, false);
    uint64_t a[] = {(uint64_t)(int64_t)status};
    trace_event(TRACE_exit, pid, a, 1);
}

/* traceread(): max 0 starts reading (recording starts, older records are
 * dropped); otherwise wait for records and copy up to max (at most
 * COWL_TRACE_READ_MAX) to the user's buf; returns how many. Every process
 * may read: the trace shows what ps shows (pids, addresses, decisions). */
int64_t trace_read(uint64_t buf, uint64_t max);

#endif
