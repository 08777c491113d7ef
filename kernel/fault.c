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
 *                     the PTE must still be the one reported (re-read now)
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
#include "lock.h"
#include "page.h"
#include "pager_client.h"
#include "panic.h"
#include "proc.h"
#include "space.h"
#include "string.h"
#include "thread.h"
#include "trace.h"

/* Why the decision rep for request req may not be applied, or 0; *ptep is
 * the PTE to change. A copy's target is claimed here (space_claim_frame,
 * after any fault outstanding on it settles), so no other check can pass it
 * until the copy is installed; a reused frame settles first. */
static const char *check_decision(struct thread *t, const struct pg_fault_msg *req,
                                  const struct pg_reply_msg *rep, pte_t **ptep)
{
    if (rep->label != PG_COPY && rep->label != PG_REUSE)
        return rep->label == PG_KILL ? "kill" : "an unknown decision";
    pte_t *pte = space_pte(t->proc->space, req->va);
    if (!pte || !(*pte & PTE_COW) || pte_pa(*pte) != req->frame)
        return "the PTE changed since the fault";
    if (rep->label == PG_COPY && (rep->frame == req->frame || !space_claim_frame(rep->frame)))
        return "the new frame is not a free pool frame";
    if (rep->label == PG_REUSE) {
        space_frame_settle(req->frame);
        if (space_frame_maps(req->frame) != 1)
            return "reuse of a frame other spaces map";
    }
    *ptep = pte;
    return 0;
}

/* Check and apply the answer in t->kreply to t's fault request; 0 when the
 * page is writable now, -1 when the answer is to kill or was refused. Needs
 * no big_lock: t's PTEs change only in t (a user process has one
 * thread), and the frame counts are atomic (space.h). The old frame stays
 * marked (this fault is outstanding on it) until a copy out of it is
 * installed, so no one reuses or claims it meanwhile. */
static int fault_apply(struct thread *t)
{
    const struct pg_fault_msg *req = &t->kreq.fault;
    struct pg_reply_msg *rep = &t->kreply.reply;
    trace_fault_decision(t, &t->kreply.fault_reply);
    if (rep->label != PG_COPY)
        space_fault_unmark(req->frame);
    pte_t *pte = 0;
    const char *why = check_decision(t, req, rep, &pte);
    if (why) {
        if (rep->label == PG_COPY)
            space_fault_unmark(req->frame);
        if (rep->label != PG_KILL)
            pager_refused("cowl: pager decision for pid %d va 0x%lx refused: %s\n", t->proc->pid,
                          req->va, why);
        rep->label = PG_KILL;
        return -1;
    }
    uint64_t flags = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_W | PTE_D;
    if (rep->label == PG_COPY) {
        page_copy((void *)rep->frame, (const void *)req->frame);
        ASSERT((*pte & PTE_COW) && pte_pa(*pte) == req->frame); /* only t changes it */
        space_install_claimed(pte, rep->frame, flags);
        space_fault_unmark(req->frame);
    } else {
        *pte = pte_make(req->frame, flags);
    }
    space_changed_page(t->proc->space, req->va);
    trace_fault_phase(t, TRACE_PHASE_APPLIED);
    return 0;
}

int fault_store(struct thread *t, uint64_t va, uint64_t pc)
{
    pte_t *pte = space_pte(t->proc->space, va);
    if (!pte || (*pte & PTE_W) || !(*pte & PTE_COW))
        return -1;
    trace_fault_begin(t, page_down(va), pc, pte_pa(*pte));
    t->kreq.fault = (struct pg_fault_msg){
        .label = PG_FAULT,
        .space = (uint32_t)t->proc->pid,
        .hart = (uint16_t)this_cpu()->hartid,
        .flags = trace_on ? PG_FAULT_TRACED : 0,
        .va = page_down(va),
        .pc = pc,
        .frame = pte_pa(*pte),
    };
    space_fault_mark(pte_pa(*pte));
    pager_call(t);
    return fault_apply(t);
}
