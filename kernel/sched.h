/*
 * The scheduler: a round-robin loop on every hart over the thread table,
 * and sleep/wakeup on channels. Everything here runs under big_lock.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "thread.h"

/* Run threads on this hart for ever. Caller does not hold big_lock. */
__attribute__((noreturn)) void sched_loop(void);
/* Give up the hart; the caller's state is already set (not T_RUNNING).
 * Caller holds big_lock, which it holds again on return. */
void sched_switch(void);
/* Fast path: switch straight to `to`, which is ready to run, without going
 * through the scheduler loop. The caller (the current thread) has set its
 * own state (not T_RUNNING). */
void sched_handoff(struct thread *to);
/* The current thread has blocked in user IPC (state and queues set) and
 * leaves its kernel stack empty: it resumes, when woken or handed to, in
 * user mode from its trap frame (trap_resume_user), whose registers must
 * all be there. The hart goes to `to` if given and allowed here (else `to`
 * is made runnable), or to the scheduler loop. Caller holds big_lock. */
__attribute__((noreturn)) void sched_block_user(struct thread *to);
/* The IPC fast path's switch: as sched_block_user, but no kernel context
 * is resumed: `to` (blocked in user IPC, allowed on this hart) becomes the
 * running thread in its space, and the caller returns to trap.S, which
 * loads to's registers. Caller holds big_lock. */
void sched_pass_to_user(struct thread *to);
/* sched_pass_to_user for a thread that trapped on this hart and has run
 * nowhere since (a fault's, answered on the lane's stack): its frame's
 * kernel_tp is this hart's already. */
void sched_return_here(struct thread *to);
/* The lane's answer without big_lock (ipc_lane_answer), on threads only
 * this hart touches: park the current thread (blocked in user IPC) and
 * resume `to`'s kernel continuation. */
__attribute__((noreturn)) void sched_resume_here(struct thread *to);
/* Make t, blocked and parked (sched_leave_for_user), resume at `resume`
 * instead, on an empty stack. */
void sched_park_at(struct thread *t, void (*resume)(void));
/* A fault's hand-off to the lane of this hart (the same conditions): the
 * current thread (state set) gives up its kernel stack and resumes at
 * `resume` on an empty one, and `to`, blocked in user IPC, runs on this
 * hart in user mode from its frame at once. Only from a user trap, with
 * sstatus as it left it. */
__attribute__((noreturn)) void sched_leave_for_user(void (*resume)(void), struct thread *to);
/* Whether t may run on this hart (not pinned to another). */
static inline bool sched_runs_here(const struct thread *t)
{
    return !t->pinned || t->pinned == this_cpu();
}
/* Put the current thread back on the run queue and switch. */
void sched_yield(void);
/* Run the current thread only on the hart whose firmware id is hartid (the
 * caller is there on return), or on any hart again for COWL_PIN_ANY.
 * -COWL_EINVAL, and no change, for a hart that is not online. */
int sched_pin(int hartid);
/* A pause in a long kernel path: lets other harts take big_lock, takes a
 * pending interrupt (the tick), then yields to this hart's other runnable
 * threads. Caller holds big_lock and nothing another thread could change
 * under it; it may resume on another hart. */
void sched_pause(void);
/* Sleep on chan until sched_wakeup(chan). Caller holds big_lock. */
void sched_sleep(const void *chan);
void sched_wakeup(const void *chan);
/* A free thread with a kernel stack whose context starts at entry, or 0. */
struct thread *sched_thread_alloc(void (*entry)(void));
void sched_thread_free(struct thread *t);
/* Thread records in use. */
uint64_t sched_thread_count(void);
/* Thread record i (0..NTHREAD-1), for naming the owner of stack slot i. */
struct thread *sched_thread(unsigned i);
/* The thread running on this hart (0 in the scheduler loop). */
static inline struct thread *sched_current(void)
{
    return this_cpu()->current;
}

#endif
