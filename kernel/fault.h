/*
 * Copy-on-write faults: the kernel reports, the pager decides, the kernel
 * checks and applies. The same path serves a user store (trap.c) and a
 * kernel write into user memory (copy.c).
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>
#include "trap.h"

struct thread;

/* Resolve a store by t at va (pc: the instruction, 0 for copyout). 0 when
 * the page is writable now; -1 when it is not a COW page or the decision is
 * to kill (the caller kills or fails). t is the current thread. The caller
 * may hold big_lock (copyout) or not (a user trap), and holds it, or not,
 * on return; t may block meanwhile, and others take the lock. */
int fault_store(struct thread *t, uint64_t va, uint64_t pc);
/* A user store by t, the current thread, in its trap without big_lock:
 * returns only if it is not a COW fault or its table is shared (the caller
 * takes the ordinary path). Otherwise the decision is applied, or t killed
 * with a console line, and t goes back to user mode; the fault may hand
 * the hart to the pager's lane and resume later on an empty kernel stack
 * (pager_fault_call). It makes no call that returns, so that its caller's
 * fast path keeps nothing on the stack. */
void fault_user_store(struct thread *t, uint64_t va, uint64_t pc);
/* The lane of this hart, running here, has answered c's fault (c left its
 * stack in fault_user_store, and the answer is w0..w4): apply a
 * reuse or copy that passes its checks at once, on the lane's stack, and
 * make c this hart's running thread; returns c's frame, to resume in user
 * mode as it is, without big_lock. Anything else (a kill, a trace, a
 * check that fails or would wait) changes nothing here and resumes c's
 * kernel continuation, which checks again and may wait, refuse or kill. */
ipc_exit_t fault_answered(struct thread *c, MSG_WORDS_ARGS);

#endif
