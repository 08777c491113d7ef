/*
 * copy_in and copy_out walk the user page table a page at a time and move
 * bytes through the kernel's direct map of the frame, so user addresses are
 * never dereferenced and a bad one gives -1, not a fault.
 */
#include "copy.h"
#include "page.h"
#include "fault.h"
#include "proc.h"
#include "sched.h"
#include "space.h"
#include "string.h"

/* The frame address backing va for an access needing `need` (PTE_R or PTE_W),
 * resolving a COW page for a write; 0 if the access is not allowed. */
static uint64_t user_frame(struct space *s, uva_t va, uint64_t need)
{
    pte_t *pte = space_pte(s, va);
    if (!pte)
        return 0;
    if (need == PTE_W && !(*pte & PTE_W)) {
        struct thread *t = sched_current();
        if (!(*pte & PTE_COW) || !t || t->proc->space != s || fault_store(t, va, 0) < 0)
            return 0;
        pte = space_pte(s, va);
        if (!pte || !(*pte & PTE_W))
            return 0;
    }
    if (!(*pte & need))
        return 0;
    return pte_pa(*pte) + (va & PAGE_MASK);
}

/* Move n bytes between kbuf and user va, a page at a time, in the direction
 * `need` implies: PTE_W writes user memory, PTE_R reads it. */
static int copy_pages(struct space *s, uva_t va, char *kbuf, uint64_t n, uint64_t need)
{
    if (va + n < va)
        return -1;
    while (n) {
        uint64_t pa = user_frame(s, va, need);
        if (!pa)
            return -1;
        uint64_t chunk = PAGE_SIZE - (va & PAGE_MASK);
        chunk = chunk < n ? chunk : n;
        if (need == PTE_W)
            memmove((void *)pa, kbuf, chunk);
        else
            memmove(kbuf, (const void *)pa, chunk);
        kbuf += chunk;
        va += chunk;
        n -= chunk;
    }
    return 0;
}

int copy_out(struct space *s, uva_t dst, const void *src, uint64_t n)
{
    return copy_pages(s, dst, (char *)src, n, PTE_W);
}

int copy_in(struct space *s, void *dst, uva_t src, uint64_t n)
{
    return copy_pages(s, src, dst, n, PTE_R);
}

int copy_in_str(struct space *s, char *dst, uva_t src, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++) {
        uint64_t pa = user_frame(s, src + i, PTE_R);
        if (!pa)
            return -1;
        dst[i] = *(const char *)pa;
        if (!dst[i])
            return 0;
    }
    return -1;
}
