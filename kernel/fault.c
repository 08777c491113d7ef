/*
 * The COW fault path.
 *
 *   store to va --> PTE valid, user, COW, not writable?
 *                     no  --> -1: not ours (the caller kills or fails)
 *                     yes --> PG_FAULT message (space, va, pc, frame, flags, hart)
 *                             to the pager; the thread blocks
 *   pager reply --> fault_apply, in the pager's reply_recv entry:
 *                     seq must match the pending request, and the PTE must
 *                     still be the one reported (re-read now)
 *                     PG_REUSE --> the old frame mapped only here:
 *                                   set W, clear COW
 *                     PG_COPY F --> F a pool frame no PTE maps (so not the
 *                                   old one): copy old -> F, map F writable
 *                     PG_KILL or a failed check --> the thread is killed
 *                     then bump the space's TLB generation; the thread resumes
 *
 * cow=kernel runs the same policy inside the kernel (frames.c), with no IPC.
 * Lock order: big_lock only; the thread blocks holding nothing else.
 */
#include "fault.h"
#include "cpu.h"
#include "frames.h"
#include "printk.h"
#include "proc.h"
#include "string.h"
#include "thread.h"

static const char *check_decision(struct thread *t, const struct pg_fault_msg *req,
                                  const struct pg_reply_msg *rep, pte_t **ptep)
{
    if (rep->seq != req->seq)
        return "answers another request";
    pte_t *pte = space_pte(t->proc->space, req->va);
    if (!pte || !(*pte & PTE_COW) || pte_pa(*pte) != req->frame)
        return "the PTE changed since the fault";
    if (rep->label == PG_COPY && (!frames_in_pool(rep->frame) || space_frame_maps(rep->frame) != 0))
        return "the new frame is not a free pool frame";
    if (rep->label == PG_REUSE && space_frame_maps(req->frame) != 1)
        return "reuse of a frame other spaces map";
    if (rep->label != PG_COPY && rep->label != PG_REUSE)
        return rep->label == PG_KILL ? "kill" : "an unknown decision";
    *ptep = pte;
    return 0;
}

void fault_apply(struct thread *t)
{
    const struct pg_fault_msg *req = (const struct pg_fault_msg *)&t->kreq;
    struct pg_reply_msg *rep = (struct pg_reply_msg *)&t->kreply;
    if (req->label != PG_FAULT)
        return;
    pte_t *pte = 0;
    const char *why = check_decision(t, req, rep, &pte);
    if (why) {
        if (rep->label != PG_KILL)
            frames_refused("cowl: pager decision for pid %d va 0x%lx refused: %s\n", t->proc->pid,
                           req->va, why);
        rep->label = PG_KILL;
        return;
    }
    uint64_t flags = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_W | PTE_D;
    if (rep->label == PG_COPY) {
        page_copy((void *)rep->frame, (const void *)req->frame);
        space_set_frame(pte, rep->frame, flags);
    } else {
        *pte = pte_make(req->frame, flags);
    }
    space_changed(t->proc->space);
}

int fault_store(struct thread *t, uint64_t va, uint64_t pc)
{
    pte_t *pte = space_pte(t->proc->space, va);
    if (!pte || (*pte & PTE_W) || !(*pte & PTE_COW))
        return -1;
    union {
        struct cowl_msg m;
        struct pg_fault_msg f;
    } req = {.f = {
                 .label = PG_FAULT,
                 .hart = (uint16_t)this_cpu()->hartid,
                 .pte_flags = (uint16_t)(*pte & PTE_FLAGS_MASK),
                 .space = (uint32_t)t->proc->pid,
                 .va = va & ~4095UL,
                 .pc = pc,
                 .frame = pte_pa(*pte),
             }};
    union {
        struct cowl_msg m;
        struct pg_reply_msg r;
    } reply;
    frames_fault(t, &req.f, &reply.r);
#ifdef COW_MODE_KERNEL
    t->kreq = req.m;
    t->kreply = reply.m;
    fault_apply(t);
    reply.m = t->kreply;
#endif
    return reply.r.label == PG_REUSE || reply.r.label == PG_COPY ? 0 : -1;
}
