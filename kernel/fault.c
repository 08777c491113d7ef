/*
 * The COW fault path: the kernel reports, the pager decides, the kernel
 * checks and applies. One path for a user store (trap.c) and for a kernel
 * write into user memory (copy.c), and one place where a decision is
 * applied (fault_apply), by the faulting thread once pager_call returns.
 *
 *   store to va --> PTE valid, user, COW, not writable?
 *                     no  --> -1: not ours (the caller kills or fails)
 *                     yes --> PG_FAULT {space, hart, va, pc, frame}, the
 *                             frame marked (a fault is outstanding on it),
 *                             through pager_call; the thread blocks
 *   the answer --> pager_call_done (seq checked); back in the faulting
 *                  thread, fault_apply, without big_lock:
 *                     the PTE (its slot kept: only t changes its tables)
 *                     must still be the one reported
 *                     PG_REUSE  --> once no other fault on the frame is
 *                                   outstanding, the frame mapped only
 *                                   here: set W, clear COW
 *                     PG_COPY F --> claim F, a pool frame no PTE maps (so
 *                                   not the old one); copy old -> F, map F
 *                                   writable; unmark the old frame
 *                     PG_KILL or a failed check --> PG_KILL: the caller kills
 *                     then bump the space's TLB generation; the thread resumes
 *
 * Who answers (the pager over IPC, or the policy inside the kernel in
 * cow=kernel) is pager_client's business, not this file's.
 * Locks: none of its own. A user store comes without big_lock (trap.c), a
 * copyout with it; the IPC hand-off to the pager takes it only when the
 * lane is not this hart's alone (pager_ipc.c), and a refusal's console line
 * and a wait in space_frame_settle take it. The report, the check, the copy
 * and the install need none, so faults on different harts overlap.
 */
#include "fault.h"
#include "cpu.h"
#include "ipc.h"
#include "lock.h"
#include "page.h"
#include "pager_client.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "space.h"
#include "string.h"
#include "thread.h"
#include "trace.h"
#include "trap.h"
#include "arch/riscv/cause.h"

/* What a check of a decision found. */
enum verdict {
    APPLY,  /* apply it */
    REFUSE, /* kill (*why says why), the old frame's mark dropped */
};

/* Whether the decision rep for request req may be applied to *pte. A
 * copy's target is claimed here (space_claim_frame, after any fault
 * outstanding on it settles), so no other check can pass it until the copy
 * is installed; a reuse unmarks the old frame and waits for the other
 * faults on it first. Either way, on APPLY the old frame's mark is the
 * apply's to drop (a reuse's is gone already). */
__attribute__((always_inline)) static inline enum verdict
check_decision(const struct pg_fault_msg *req, const struct pg_reply_msg *rep, const pte_t *pte,
               const char **why)
{
    if (rep->label != PG_COPY && rep->label != PG_REUSE) {
        space_fault_unmark(req->frame);
        *why = rep->label == PG_KILL ? "kill" : "an unknown decision";
        return REFUSE;
    }
    if (!(*pte & PTE_COW) || pte_pa(*pte) != req->frame) {
        space_fault_unmark(req->frame);
        *why = "the PTE changed since the fault";
        return REFUSE;
    }
    enum frame_check c;
    if (rep->label == PG_REUSE) {
        c = space_fault_reuse(req->frame);
        *why = "reuse of a frame other spaces map";
        return c == FRAME_YES ? APPLY : REFUSE;
    }
    c = rep->frame == req->frame ? FRAME_NO : space_claim_frame(rep->frame, true);
    if (c == FRAME_NO) {
        space_fault_unmark(req->frame);
        *why = "the new frame is not a free pool frame";
        return REFUSE;
    }
    return APPLY;
}

/* Check and apply the answer in t->kreply to t's fault request on *pte; 0
 * when the page is writable now, -1 when the answer is to kill or was
 * refused. Needs no big_lock: t's PTEs, and the tables that hold them,
 * change only in t (a user process has one thread, and it is blocked here
 * or running this), and the frame counts are atomic (space.h). The old
 * frame stays marked (this fault is outstanding on it) until a copy out of
 * it is installed, so no one reuses or claims it meanwhile. The checks may
 * wait for other faults on a frame to settle. */
__attribute__((always_inline)) static inline int fault_apply(struct thread *t, pte_t *pte)
{
    const struct pg_fault_msg *req = &t->kreq.fault;
    struct pg_reply_msg *rep = &t->kreply.reply;
    const char *why = 0;
    enum verdict v = check_decision(req, rep, pte, &why);
    trace_fault_decision(t, &t->kreply.fault_reply);
    if (v == REFUSE) {
        if (rep->label != PG_KILL)
            pager_refused("cowl: pager decision for pid %d va 0x%lx refused: %s\n", t->proc->pid,
                          req->va, why);
        rep->label = PG_KILL;
        return -1;
    }
    uint64_t flags = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_W | PTE_D;
    if (rep->label == PG_COPY) {
        page_copy((void *)rep->frame, (const void *)req->frame);
        space_install_copy(pte, rep->frame, flags);
    } else {
        *pte = pte_make(req->frame, flags);
    }
    space_changed_page(t->proc->space, req->va);
    trace_fault_phase(t, TRACE_PHASE_APPLIED);
    return 0;
}

/* Whether *pte is a COW PTE: a store through it is a COW fault. */
__attribute__((always_inline)) static inline pte_t *cow(pte_t *pte)
{
    return pte && !(*pte & PTE_W) && (*pte & PTE_COW) ? pte : 0;
}

/* The COW PTE for a store to va by t, or 0 if the store is not a COW fault. */
__attribute__((always_inline)) static inline pte_t *cow_pte(struct thread *t, uint64_t va)
{
    return cow(space_pte(t->proc->space, va));
}

_Static_assert(__builtin_offsetof(struct pg_fault_msg, space) == 8 &&
                   __builtin_offsetof(struct pg_fault_msg, hart) == 12 &&
                   __builtin_offsetof(struct pg_fault_msg, flags) == 14 &&
                   __builtin_offsetof(struct pg_fault_msg, pc) == 24,
               "fault_report's words are cowl/abi.h's pg_fault_msg");

/* Mark the frame of the COW PTE *pte, and make the request for t's store
 * to va through it (its seq is pager_client's to set); traced, if tracing
 * is on (a user store's fault that began untraced stays so: traced, it
 * takes the ordinary path from its trap). The request is written a word
 * at a time, after the mark's atomic operation, so that the hand-off to
 * the lane copies it on from registers. */
__attribute__((always_inline)) static inline void
fault_report(struct thread *t, pte_t *pte, uint64_t va, uint64_t pc, bool may_trace)
{
    uint64_t frame = pte_pa(*pte), *w = t->kreq.raw.w;
    bool traced = may_trace && trace_on;
    if (traced)
        trace_fault_begin(t, page_down(va), pc, frame);
    space_fault_mark(frame);
    w[0] = PG_FAULT;
    w[1] = (uint32_t)t->proc->pid | (uint64_t)this_cpu()->hartid << 32 |
           (uint64_t)(traced ? PG_FAULT_TRACED : 0) << 48;
    w[2] = page_down(va);
    w[3] = pc;
    w[4] = frame;
}

int fault_store(struct thread *t, uint64_t va, uint64_t pc)
{
    pte_t *pte = cow_pte(t, va);
    /* A table marked shared first becomes t's own: a copy if it is still
     * shared, its mark taken off either way. */
    if (pte && !space_pte_own(t->proc->space, va))
        pte = space_own(t->proc->space, page_down(va), 1) < 0 ? 0 : cow_pte(t, va);
    if (!pte)
        return -1;
    fault_report(t, pte, va, pc, true);
    pager_call(t);
    return fault_apply(t, pte);
}

/* The current thread t's store fault was refused, or the answer was to
 * kill: kill t, with its console line. */
__attribute__((noreturn, noinline)) static void fault_kill(struct thread *t)
{
    if (!spin_held(&big_lock)) /* held when the answer came the locked way */
        spin_lock(&big_lock);
    proc_fault_kill(t->proc, EXC_STORE_PAGE_FAULT, t->kreq.fault.pc, t->fault_addr);
    trap_return();
}

/* Where a user store's fault goes on once its answer is in, when the lane
 * did not apply it (fault_answered): on an empty stack if the fault was
 * handed to the lane, on the thread's own if the call was made the locked
 * way or the policy is the kernel's (pager_fault_call). Apply the
 * decision, or kill; then back to user mode (or exit, if killed
 * meanwhile). */
__attribute__((noreturn)) static void fault_resume(void)
{
    struct thread *t = sched_current();
    ipc_lane_back(t);
    if (fault_apply(t, t->fault_pte) < 0)
        fault_kill(t);
    trap_return();
}

/* c's answer is applied: c runs here now, from its frame. */
__attribute__((always_inline)) static inline ipc_exit_t fault_resumed(struct thread *c)
{
    sched_return_here(c); /* it trapped here */
    ipc_lane_back(c);     /* once it is the running thread: a kill now finds it running */
    return ipc_exit(&c->tf, false);
}

/* The lane's copy, out of line: its call of page_copy is all that needs a
 * stack frame on the lane's way. */
static __attribute__((noinline)) ipc_exit_t fault_answered_copy(struct thread *c, pte_t *pte,
                                                                uint64_t flags, uint64_t to)
{
    page_copy((void *)to, (const void *)c->kreq.fault.frame);
    space_install_copy(pte, to, flags);
    space_changed_page(c->proc->space, c->kreq.fault.va);
    return fault_resumed(c);
}

/* A reuse that took the last mark off a frame while a thread waited to
 * check it (space_frame_settle): wake it, out of line. */
static __attribute__((noinline)) ipc_exit_t fault_answered_wake(struct thread *c)
{
    space_fault_wake(c->kreq.fault.frame);
    return fault_resumed(c);
}

/* Anything but what the lane applies at once: the answer goes where the
 * ordinary path finds it, and c on at fault_resume on its own stack. */
__attribute__((noreturn, always_inline)) static inline void fault_answer_later(struct thread *c,
                                                                               MSG_WORDS_ARGS)
{
    msg_put(c->kreply.raw.w, MSG_WORDS_PASS);
    sched_resume_here(c);
}

_Static_assert(__builtin_offsetof(struct pg_reply_msg, label) == 0 &&
                   __builtin_offsetof(struct pg_reply_msg, frame) == 8,
               "fault_answered reads the answer's label and frame in words 0 and 1");

/* The checks here change nothing when they fail, and nothing here waits,
 * prints or makes a call that returns, so that the lane's way back to c
 * pays for no stack frame: the copy and the rare cases are tail calls, and
 * the rest is fault_resume's, on c's own stack. The answer stays in the
 * registers it came in, unless the ordinary path is to read it. */
ipc_exit_t fault_answered(struct thread *c, MSG_WORDS_ARGS)
{
    uint64_t frame = c->kreq.fault.frame, to = w1;
    uint32_t label = (uint32_t)w0;
    pte_t *pte = c->fault_pte;
    if (__builtin_expect(
            c->proc->killed || c->trace.h.type || !(*pte & PTE_COW) || pte_pa(*pte) != frame, 0))
        fault_answer_later(c, MSG_WORDS_PASS); /* where trap_return sees to a kill and a trace */
    uint64_t flags = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_W | PTE_D;
    if (label == PG_COPY && to != frame && space_claim_frame(to, false) == FRAME_YES)
        return fault_answered_copy(c, pte, flags, to);
    /* Read before the compare-and-swap, which the compiler may not look across. */
    uint64_t va = c->kreq.fault.va;
    struct space *s = c->proc->space;
    if (__builtin_expect(label != PG_REUSE || !space_fault_reuse_alone(frame), 0))
        fault_answer_later(c, MSG_WORDS_PASS);
    *pte = pte_make(frame, flags);
    space_changed_page(s, va);
    if (__builtin_expect(space_frame_waiters(), 0))
        return fault_answered_wake(c);
    return fault_resumed(c);
}

void fault_user_store(struct thread *t, uint64_t va, uint64_t pc)
{
    pte_t *pte = cow(space_pte_own(t->proc->space, va));
    if (!pte)
        return; /* not COW; or its table is marked shared, which fault_store sees to */
    fault_report(t, pte, va, pc, false);
    t->fault_pte = pte;
    t->fault_addr = va;
    pager_fault_call(t, fault_resume);
}
