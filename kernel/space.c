/*
 * Spaces: creation, teardown, fresh mappings, fork, and the TLB-generation
 * rule described in space.h. Every function here runs under big_lock; those
 * that talk to the frame service may block.
 */
#include "space.h"
#include "cpu.h"
#include "frames.h"
#include "kalloc.h"
#include "kvm.h"
#include "panic.h"
#include "string.h"
#include "arch/riscv/csr.h"
#include "cowl/abi.h"

#define USER_SLOT_LO SV39_KERNEL_SLOTS
#define USER_SLOT_HI (COWL_MAXVA >> 30)

static struct space spaces[NSPACE];
static uint32_t next_gen = 1;
/* Per hart, per ASID: the generation last flushed there. */
static uint32_t flushed[MAX_HARTS][NSPACE + 1];

struct space *space_create(bool pinned)
{
    for (int i = 0; i < NSPACE; i++) {
        struct space *s = &spaces[i];
        if (s->root)
            continue;
        pte_t *root = (pte_t *)kalloc_page();
        if (!root)
            return 0;
        memcpy(root, kvm_root(), SV39_KERNEL_SLOTS * sizeof(pte_t));
        *s = (struct space){.root = root, .asid = (uint16_t)(i + 1), .pinned = pinned};
        s->gen = next_gen++;
        return s;
    }
    return 0;
}

uint64_t space_count(void)
{
    uint64_t n = 0;
    for (int i = 0; i < NSPACE; i++)
        n += spaces[i].root != 0;
    return n;
}

static void free_table(uint64_t pa, void *ctx)
{
    (void)ctx;
    kalloc_free(pa);
}

static int release_leaf(pte_t *pte, uint64_t va, void *ctx)
{
    (void)va;
    struct {
        uint32_t *batch;
        uint64_t n;
    } *b = ctx;
    b->batch[b->n++] = (uint32_t)(pte_pa(*pte) >> 12);
    *pte = 0;
    if (b->n == COWL_BATCH_MAX) {
        frames_batch_call(PG_RELEASE, b->n, 0);
        b->n = 0;
    }
    return 0;
}

void space_destroy(struct space *s)
{
    ASSERT(!s->pinned);
    struct {
        uint32_t *batch;
        uint64_t n;
    } b = {frames_batch_begin(), 0};
    sv39_visit(s->root, USER_SLOT_LO, USER_SLOT_HI, release_leaf, &b);
    if (b.n)
        frames_batch_call(PG_RELEASE, b.n, 0);
    frames_batch_end();
    sv39_free_tables(s->root, USER_SLOT_LO, USER_SLOT_HI, free_table, 0);
    kalloc_free((uint64_t)s->root);
    s->root = 0;
}

void space_activate(struct space *s)
{
    if (!s) {
        kvm_install();
        return;
    }
    uint32_t *seen = &flushed[this_cpu()->index][s->asid];
    csr_write(satp,
              SATP_MODE_SV39 | ((uint64_t)s->asid << SATP_ASID_SHIFT) | ((uint64_t)s->root >> 12));
    if (*seen != s->gen) {
        sfence_vma_asid(s->asid);
        *seen = s->gen;
    }
}

void space_changed(struct space *s)
{
    s->gen = next_gen++;
    flushed[this_cpu()->index][s->asid] = s->gen;
    sfence_vma_asid(s->asid);
}

pte_t *space_pte(struct space *s, uint64_t va)
{
    if (va < COWL_USER_BASE || va >= COWL_MAXVA)
        return 0;
    pte_t *pte = sv39_walk(s->root, va, 0, 0);
    if (!pte || (*pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
        return 0;
    return pte;
}

static int map_frame(struct space *s, uint64_t va, uint64_t pa, uint64_t flags)
{
    pte_t *pte = sv39_walk(s->root, va, kvm_alloc_table, 0);
    if (!pte || (*pte & PTE_V))
        return -1;
    *pte = pte_make(pa, flags | PTE_V | PTE_U | PTE_A | PTE_D);
    return 0;
}

/* Map n frames named in batch at va; on failure give back the unmapped rest. */
static int map_batch(struct space *s, uint64_t va, uint32_t *batch, uint64_t n, uint64_t flags)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pa = (uint64_t)batch[i] << 12;
        ASSERT(frames_in_pool(pa));
        memset((void *)pa, 0, 4096);
        if (map_frame(s, va + i * 4096, pa, flags) < 0) {
            memmove(batch, batch + i, (n - i) * sizeof(uint32_t));
            frames_batch_call(PG_RELEASE, n - i, 0);
            return -1;
        }
    }
    return 0;
}

int space_map_new(struct space *s, uint64_t va, uint64_t npages, uint64_t flags)
{
    if (s->pinned) {
        uint64_t pa = frames_reserve(npages);
        for (uint64_t i = 0; i < npages; i++)
            if (map_frame(s, va + i * 4096, pa + i * 4096, flags) < 0)
                return -1;
        return 0;
    }
    uint32_t *batch = frames_batch_begin();
    int r = 0;
    while (npages && r == 0) {
        uint64_t n = npages < COWL_BATCH_MAX ? npages : COWL_BATCH_MAX;
        if (frames_batch_call(PG_ALLOC, n, 0) != PG_OK)
            r = -1;
        else
            r = map_batch(s, va, batch, n, flags);
        va += n * 4096;
        npages -= n;
    }
    frames_batch_end();
    return r;
}

void space_unmap(struct space *s, uint64_t va, uint64_t npages)
{
    uint32_t *batch = frames_batch_begin();
    uint64_t n = 0;
    for (uint64_t i = 0; i < npages; i++) {
        pte_t *pte = space_pte(s, va + i * 4096);
        if (!pte)
            continue;
        batch[n++] = (uint32_t)(pte_pa(*pte) >> 12);
        *pte = 0;
        if (n == COWL_BATCH_MAX) {
            frames_batch_call(PG_RELEASE, n, 0);
            n = 0;
        }
    }
    if (n)
        frames_batch_call(PG_RELEASE, n, 0);
    frames_batch_end();
    space_changed(s);
}

struct fork_walk {
    struct space *child;
    uint32_t *batch;
    uint64_t n;    /* entries in batch */
    uint64_t used; /* cow=eager: allocated frames consumed */
    int error;
};

#ifndef COW_MODE_EAGER
/* Share one leaf table's pages: writable ones become read-only and COW in
 * both spaces; the frame numbers go to the pager in batches. */
static int fork_share(pte_t *from, pte_t *to, uint64_t va, void *ctx)
{
    (void)va;
    struct fork_walk *w = ctx;
    for (unsigned i = 0; i < SV39_ENTRIES; i++) {
        pte_t pte = from[i];
        if (!(pte & PTE_V))
            continue;
        if (pte & PTE_W)
            from[i] = pte = (pte & ~PTE_W) | PTE_COW;
        to[i] = pte;
        w->batch[w->n++] = (uint32_t)(pte_pa(pte) >> 12);
        if (w->n == COWL_BATCH_MAX) {
            frames_batch_call(PG_SHARE, w->n, 0);
            w->n = 0;
        }
    }
    return 0;
}
#else
/* Copy one page into a frame allocated for the child. */
static int fork_copy(pte_t *pte, uint64_t va, void *ctx)
{
    struct fork_walk *w = ctx;
    if (w->used == w->n) {
        if (frames_batch_call(PG_ALLOC, COWL_BATCH_MAX / 8, 0) != PG_OK)
            return w->error = -1;
        w->n = COWL_BATCH_MAX / 8;
        w->used = 0;
    }
    uint64_t pa = (uint64_t)w->batch[w->used] << 12;
    ASSERT(frames_in_pool(pa));
    if (map_frame(w->child, va, pa, *pte & (PTE_FLAGS_MASK & ~PTE_V)) < 0)
        return w->error = -1;
    page_copy((void *)pa, (const void *)pte_pa(*pte));
    w->used++;
    return 0;
}
#endif

int space_fork(struct space *parent, struct space *child)
{
    ASSERT(!parent->pinned);
    struct fork_walk w = {.child = child, .batch = frames_batch_begin()};
#ifndef COW_MODE_EAGER
    w.error = sv39_clone(parent->root, child->root, USER_SLOT_LO, USER_SLOT_HI, kvm_alloc_table,
                         fork_share, &w);
    if (w.n)
        frames_batch_call(PG_SHARE, w.n, 0);
    space_changed(parent);
#else
    sv39_visit(parent->root, USER_SLOT_LO, USER_SLOT_HI, fork_copy, &w);
    if (w.used < w.n) {
        memmove(w.batch, w.batch + w.used, (w.n - w.used) * sizeof(uint32_t));
        frames_batch_call(PG_RELEASE, w.n - w.used, 0);
    }
#endif
    frames_batch_end();
    child->heap = parent->heap;
    child->brk = parent->brk;
    return w.error;
}

static int count_leaf(pte_t *pte, uint64_t va, void *ctx)
{
    (void)pte;
    (void)va;
    (*(uint64_t *)ctx)++;
    return 0;
}

uint64_t space_frames(struct space *s)
{
    uint64_t n = 0;
    sv39_visit(s->root, USER_SLOT_LO, USER_SLOT_HI, count_leaf, &n);
    return n;
}

struct census {
    uint64_t base_pfn, first, n;
    uint32_t *counts;
};

static int census_leaf(pte_t *pte, uint64_t va, void *ctx)
{
    (void)va;
    struct census *c = ctx;
    uint64_t i = (pte_pa(*pte) >> 12) - c->base_pfn;
    if (i >= c->first && i < c->first + c->n)
        c->counts[i - c->first]++;
    return 0;
}

void space_count_frames(struct space *s, uint64_t base_pfn, uint64_t first, uint64_t n,
                        uint32_t *counts)
{
    struct census c = {base_pfn, first, n, counts};
    sv39_visit(s->root, USER_SLOT_LO, USER_SLOT_HI, census_leaf, &c);
}
