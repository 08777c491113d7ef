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
struct thread *sched_current(void);

#endif
