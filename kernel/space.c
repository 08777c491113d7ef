/*
 * Spaces: creation, teardown, fresh mappings, fork, and the TLB-generation
 * rule described in space.h. Every function here runs under big_lock; those
 * that talk to the frame service may block.
 *
 * Every user leaf PTE that names a pool frame is counted in its word of
 * frame_words[]: changed only through the functions below, so the count is
 * always the number of PTEs naming the frame (plus a copy target claimed
 * and not yet installed). The pager's counts are its policy; these are
 * facts, and a frame the pager names is used only if they agree: a fresh
 * frame (alloc, copy target) has no mapping, a frame made writable in
 * place (reuse) has exactly the one.
 *
 * The same word counts the faults outstanding on the frame, from the
 * fault's request until its decision is applied. The pager's count of it
 * may drop as soon as a lane decides to copy, while the faulting PTE maps
 * it until the copy is installed; so an honest decision another thread
 * meets first can name it (reuse by its last sharer, or handed out again
 * once the others are gone). Every check of a frame the pager names waits
 * for the faults on it to settle first (space_frame_settle).
 *
 * The fault path changes these words without big_lock (fault.c), so every
 * change is one atomic operation, and claiming a fresh frame is one
 * compare-and-swap from "no mapping, no fault" to "one mapping".
 *
 * Fork shares leaf tables (On-demand-fork): a leaf table may be pointed at
 * by the level-1 entries of several spaces (table_sharers counts the extra
 * ones), read-only throughout; its PTEs, and so the frame counts, are
 * counted once. A space changes a PTE only in a leaf table of its own, and
 * gets one by copying a shared table first (space_own), which counts the
 * copy's frames once more. Fork also marks the level-1 entries that point
 * at a table it shares (PTE_SHARED_TABLE), so that the fault's fast path
 * tells an own table in its lookup (space_pte_own); space_own takes a
 * mark off once its table is the space's alone.
 */
#include "space.h"
#include "page.h"
#include "cpu.h"
#include "pager_client.h"
#include "proc.h"
#include "kalloc.h"
#include "kvm.h"
#include "lock.h"
#include "panic.h"
#include "sched.h"
#include "string.h"
#include "arch/riscv/arch.h"
#include "cowl/abi.h"

#define USER_SLOT_LO SV39_KERNEL_SLOTS
#define USER_SLOT_HI (COWL_MAXVA >> 30)

static struct space spaces[NSPACE];
#define WORD_MAPS  0xffffU   /* a frame word's mapping count */
#define WORD_FAULT 0x10000U  /* one fault outstanding on the frame */
#define MAPS_MAX   WORD_MAPS /* more mappings than this would spill into the faults */

static uint32_t *frame_words; /* per pool frame: mappings | faults outstanding << 16 */
/* Per kernel-pool page that is a user leaf table: how many more level-1
 * entries than one point at it (fork shares leaf tables; 0: private), and
 * the census that last counted it (space_count_frames). */
static uint32_t *table_sharers;
static uint32_t *table_census;
static uint32_t census_epoch;
static uint64_t maps_frames;
static uint32_t settling; /* threads waiting in space_frame_settle */

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
        s->token = arch_space_token((uint64_t)root, s->asid);
        s->gen = 1; /* every hart's seen is 0: each flushes the ASID before its first use */
        return s;
    }
    return 0;
}

void space_init(void)
{
    maps_frames = (user_pool_end - user_pool_base) / PAGE_SIZE;
    uint64_t bytes = maps_frames * sizeof(*frame_words);
    frame_words = (uint32_t *)kalloc_boot_run(page_count(bytes));
    uint64_t tables = kalloc_pool_pages();
    table_sharers = (uint32_t *)kalloc_boot_run(page_count(tables * sizeof(*table_sharers)));
    table_census = (uint32_t *)kalloc_boot_run(page_count(tables * sizeof(*table_census)));
    if (!frame_words || !table_sharers || !table_census)
        panic("space: no room for the frame mapping counts");
}

static inline uint32_t *sharers_of(const pte_t *table)
{
    return &table_sharers[kalloc_index((uint64_t)table)];
}

/* The sharers' count itself (space_unmap's test); the fault's fast path
 * reads the level-1 entry's mark instead (space_pte_own). */
bool space_pte_shared(const pte_t *pte)
{
    const pte_t *table = (const pte_t *)((uint64_t)pte & ~(PAGE_SIZE - 1));
    return __atomic_load_n(sharers_of(table), __ATOMIC_ACQUIRE) != 0;
}

/* The index of pool frame pa in frame_words[], or maps_frames if pa is no pool frame. */
static inline uint64_t map_index(uint64_t pa)
{
    uint64_t i = (pa - user_pool_base) / PAGE_SIZE;
    return pa >= user_pool_base && i < maps_frames ? i : maps_frames;
}

/* The frame words and the pool's bounds, read once for a loop over many
 * frames (fork, exit): the compiler reloads globals around every atomic. */
struct frame_map {
    uint32_t *words;
    uint64_t base, n;
};

static inline struct frame_map frame_map(void)
{
    return (struct frame_map){frame_words, user_pool_base, maps_frames};
}

static inline void map_ref_in(struct frame_map m, uint64_t pa)
{
    uint64_t i = (pa - m.base) / PAGE_SIZE; /* below the pool, it wraps past n */
    if (i < m.n) {
        uint32_t old = __atomic_fetch_add(&m.words[i], 1, __ATOMIC_RELAXED);
        ASSERT((old & WORD_MAPS) < MAPS_MAX);
    }
}

static inline void map_unref_in(struct frame_map m, uint64_t pa)
{
    uint64_t i = (pa - m.base) / PAGE_SIZE;
    if (i < m.n) {
        uint32_t old = __atomic_fetch_sub(&m.words[i], 1, __ATOMIC_RELEASE);
        ASSERT((old & WORD_MAPS) > 0);
    }
}

static inline void map_ref(uint64_t pa)
{
    map_ref_in(frame_map(), pa);
}

static inline void map_unref(uint64_t pa)
{
    map_unref_in(frame_map(), pa);
}

static inline uint32_t word_of(uint64_t pa)
{
    uint64_t i = map_index(pa);
    return i < maps_frames ? __atomic_load_n(&frame_words[i], __ATOMIC_ACQUIRE) : 0;
}

/* Inlined into the fault path (link-time optimization). */
__attribute__((always_inline)) inline void space_fault_mark(uint64_t pa)
{
    /* A thread has one fault outstanding at most, so the marks never
     * spill out of the word's top half. */
    _Static_assert(NTHREAD < UINT32_MAX / WORD_FAULT, "fault marks fit a frame word");
    uint64_t i = (pa - user_pool_base) / PAGE_SIZE; /* below the pool, it wraps past the end */
    ASSERT(i < maps_frames);
    __atomic_fetch_add(&frame_words[i], WORD_FAULT, __ATOMIC_SEQ_CST);
}

static __attribute__((noinline, cold)) void wake_frame(uint64_t i)
{
    bool held = spin_held(&big_lock);
    if (!held)
        spin_lock(&big_lock);
    sched_wakeup(&frame_words[i]);
    if (!held)
        spin_unlock(&big_lock);
}

/* Wake the threads settling on frame i if any wait: after a fault mark went. */
static inline void wake_settlers(uint64_t i)
{
    if (__builtin_expect(__atomic_load_n(&settling, __ATOMIC_SEQ_CST) != 0, 0))
        wake_frame(i);
}

void space_fault_unmark(uint64_t pa)
{
    uint64_t i = map_index(pa);
    ASSERT(i < maps_frames);
    uint32_t old = __atomic_fetch_sub(&frame_words[i], WORD_FAULT, __ATOMIC_SEQ_CST);
    ASSERT(old >= WORD_FAULT);
    wake_settlers(i);
}

static void space_frame_settle(uint64_t pa);

static __attribute__((noinline, cold)) bool reuse_settled(uint64_t pa)
{
    space_frame_settle(pa);
    return (word_of(pa) & WORD_MAPS) == 1;
}

__attribute__((always_inline)) inline enum frame_check space_fault_reuse(uint64_t pa)
{
    uint64_t i = map_index(pa);
    ASSERT(i < maps_frames);
    uint32_t now = __atomic_fetch_sub(&frame_words[i], WORD_FAULT, __ATOMIC_SEQ_CST);
    ASSERT(now >= WORD_FAULT);
    now -= WORD_FAULT;
    wake_settlers(i);
    if (__builtin_expect(now >= WORD_FAULT, 0))
        return reuse_settled(pa) ? FRAME_YES : FRAME_NO;
    return (now & WORD_MAPS) == 1 ? FRAME_YES : FRAME_NO;
}

/* Inlined into the lane's apply (link-time optimization), like the two
 * below. One compare-and-swap: this fault's mark and one mapping, to the
 * mapping alone. */
__attribute__((always_inline)) inline bool space_fault_reuse_alone(uint64_t pa)
{
    uint32_t alone = WORD_FAULT + 1;
    /* pa is a pool frame: space_fault_mark checked it when it marked it. */
    return __atomic_compare_exchange_n(&frame_words[(pa - user_pool_base) / PAGE_SIZE], &alone, 1,
                                       false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Read after the word's change, both sequentially consistent (as
 * wake_settlers does): see space_frame_settle. */
__attribute__((always_inline)) inline bool space_frame_waiters(void)
{
    return __atomic_load_n(&settling, __ATOMIC_SEQ_CST) != 0;
}

void space_fault_wake(uint64_t pa)
{
    wake_frame(map_index(pa));
}

/* Wait until no fault on the pool frame pa is outstanding (or the current
 * process is killed). Run before checking a frame the pager named against
 * the mapping counts; it may sleep, taking big_lock if the caller does not
 * hold it, so the caller re-reads what it read. Sleeps under big_lock. The
 * count of sleepers goes up before the word is read again, and an unmark
 * reads the count after its change (both sequentially consistent), so
 * either this sees the change or the unmark sees the sleeper and wakes it. */
static void space_frame_settle(uint64_t pa)
{
    uint64_t i = map_index(pa);
    if (__builtin_expect(i >= maps_frames || word_of(pa) < WORD_FAULT, 1))
        return;
    bool held = spin_held(&big_lock);
    if (!held)
        spin_lock(&big_lock);
    __atomic_fetch_add(&settling, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&frame_words[i], __ATOMIC_SEQ_CST) >= WORD_FAULT &&
           !sched_current()->proc->killed)
        sched_sleep(&frame_words[i]);
    __atomic_fetch_sub(&settling, 1, __ATOMIC_SEQ_CST);
    if (!held)
        spin_unlock(&big_lock);
}

/* This and the two below are inlined into the fault path (link-time
 * optimization). */
__attribute__((always_inline)) inline enum frame_check space_claim_frame(uint64_t pa, bool may_wait)
{
    uint64_t i = map_index(pa);
    if (!pager_frame_in_pool(pa) || i >= maps_frames)
        return FRAME_NO;
    for (;;) {
        uint32_t seen = 0;
        if (__atomic_compare_exchange_n(&frame_words[i], &seen, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return FRAME_YES;
        if (seen < WORD_FAULT)
            return FRAME_NO; /* mapped, and no fault on it will unmap it */
        if (!may_wait)
            return FRAME_BUSY;
        space_frame_settle(pa);
        if (word_of(pa) >= WORD_FAULT)
            return FRAME_NO; /* killed while it waited */
    }
}

/* Give up a claim that was not installed. */
static void space_unclaim_frame(uint64_t pa)
{
    map_unref(pa);
}

__attribute__((always_inline)) inline void space_install_copy(pte_t *pte, uint64_t pa,
                                                              uint64_t flags)
{
    uint64_t i = map_index(pte_pa(*pte));
    ASSERT(i < maps_frames);
    *pte = pte_make(pa, flags | PTE_V | PTE_U);
    uint32_t old = __atomic_fetch_sub(&frame_words[i], WORD_FAULT + 1, __ATOMIC_SEQ_CST);
    ASSERT(old >= WORD_FAULT && (old & WORD_MAPS) > 0);
    wake_settlers(i);
}

/* Point *pte at the claimed frame pa with flags (V and U included),
 * dropping the count of the frame it named before. */
static void space_install_claimed(pte_t *pte, uint64_t pa, uint64_t flags)
{
    if (*pte & PTE_V)
        map_unref(pte_pa(*pte));
    *pte = pte_make(pa, flags | PTE_V | PTE_U);
}

/* Point the user PTE *pte at frame pa with flags (V and U included),
 * keeping the mapping counts; the caller bumps the space's generation. */
static void space_set_frame(pte_t *pte, uint64_t pa, uint64_t flags)
{
    if (*pte & PTE_V)
        map_unref(pte_pa(*pte));
    map_ref(pa);
    *pte = pte_make(pa, flags | PTE_V | PTE_U);
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

struct release_walk {
    uint32_t *batch;
    uint64_t n;
};

/* Give back the frames of the leaf table, in batches. */
static void release_frames(pte_t *table, struct release_walk *b)
{
    struct frame_map m = frame_map();
    uint32_t *batch = b->batch;
    uint64_t n = b->n; /* b->n, kept in a register (see frame_map) */
    for (unsigned i = 0; i < SV39_ENTRIES; i++) {
        pte_t pte = table[i];
        if (!(pte & PTE_V))
            continue;
        table[i] = 0;
        map_unref_in(m, pte_pa(pte));
        batch[n++] = (uint32_t)pfn_of(pte_pa(pte));
        if (n == COWL_BATCH_MAX) {
            pager_batch_call(PG_RELEASE, n, 0);
            n = 0;
        }
    }
    b->n = n;
}

/* A dying space's leaf table: one sharer less if others share it (the
 * entry is cleared, so the table is not freed here), else its frames go
 * back. */
static void release_table(pte_t *slot, uint64_t va, void *ctx)
{
    (void)va;
    spin_yield(&big_lock); /* a dying space: only its own thread touches it */
    pte_t *table = (pte_t *)pte_pa(*slot);
    uint32_t *sharers = sharers_of(table);
    if (*sharers) {
        *slot = 0;
        __atomic_fetch_sub(sharers, 1, __ATOMIC_RELEASE);
        return;
    }
    release_frames(table, ctx);
}

void space_destroy(struct space *s)
{
    ASSERT(!s->pinned);
    struct release_walk b = {pager_batch_begin(), 0};
    sv39_leaf_tables(s->root, USER_SLOT_LO, USER_SLOT_HI, release_table, &b);
    if (b.n)
        pager_batch_call(PG_RELEASE, b.n, 0);
    pager_batch_end();
    sv39_free_tables(s->root, USER_SLOT_LO, USER_SLOT_HI, free_table, 0);
    kalloc_free((uint64_t)s->root);
    s->root = 0;
}

/* Inlined into its callers (link-time optimization): every switch runs it. */
__attribute__((always_inline)) inline void space_activate(struct space *s)
{
    if (!s) {
        kvm_install();
        return;
    }
    space_install(s);
}

uint64_t space_seen_offset(uint32_t cpu_index)
{
    _Static_assert(sizeof(((struct space *)0)->seen[0]) == sizeof(uint32_t), "seen_here's slot");
    return __builtin_offsetof(struct space, seen) + cpu_index * sizeof(uint32_t);
}

/* This hart's slot in s->seen[], one add from tp (a hot path's). */
static inline uint32_t *seen_here(struct space *s)
{
    return (uint32_t *)((char *)s + this_cpu()->seen_offset);
}

__attribute__((always_inline)) inline void space_install(struct space *s)
{
    uint32_t *seen = seen_here(s);
    arch_space_install(s->token);
    if (*seen != s->gen) {
        arch_tlb_flush_asid(s->asid);
        *seen = s->gen;
    }
}

/* A space's own count, atomic as fault.c's space_changed_page takes one
 * without big_lock: no two spaces' changes touch a common cache line. */
static inline uint32_t next_gen(struct space *s)
{
    return __atomic_add_fetch(&s->gen, 1, __ATOMIC_RELAXED);
}

void space_changed_page(struct space *s, uint64_t va)
{
    *seen_here(s) = next_gen(s);
    arch_tlb_flush_page(va, s->asid);
}

void space_changed(struct space *s)
{
    *seen_here(s) = next_gen(s);
    arch_tlb_flush_asid(s->asid);
}

/* Give s a leaf table of its own in place of the shared one its level-1
 * entry *slot points at: a copy, whose frames are counted once more (the
 * kernel's mapping counts, and the pager's: PG_SHARE). -1, nothing
 * changed, if there is no room for the copy or the pager refused. Blocks:
 * the other sharers may copy or go meanwhile, and the last one to leave
 * the old table gives its frames back and frees it. */
static int unshare(struct space *s, pte_t *slot)
{
    pte_t *old = (pte_t *)pte_pa(*slot), *copy = (pte_t *)kalloc_page();
    if (!copy)
        return -1;
    uint32_t *batch = pager_batch_begin();
    uint32_t *sharers = sharers_of(old);
    if (!*sharers) { /* the others went while this waited for a buffer */
        pager_batch_end();
        kalloc_free((uint64_t)copy);
        return 0;
    }
    struct frame_map m = frame_map();
    uint64_t n = 0;
    for (unsigned i = 0; i < SV39_ENTRIES; i++) {
        pte_t pte = old[i];
        if (!(pte & PTE_V))
            continue;
        copy[i] = pte;
        map_ref_in(m, pte_pa(pte));
        batch[n++] = (uint32_t)pfn_of(pte_pa(pte));
    }
    if (n && pager_batch_call(PG_SHARE, n, 0) != PG_OK) {
        for (unsigned i = 0; i < SV39_ENTRIES; i++)
            if (copy[i] & PTE_V)
                map_unref_in(m, pte_pa(copy[i]));
        pager_batch_end();
        kalloc_free((uint64_t)copy);
        pager_refused("cowl: the pager refused PG_SHARE of %lu frames for a table's copy\n", n);
        return -1;
    }
    *slot = pte_make((uint64_t)copy, PTE_V);
    if (*sharers) {
        __atomic_fetch_sub(sharers, 1, __ATOMIC_RELEASE);
    } else { /* the others went meanwhile: nobody points at the old table */
        struct release_walk b = {batch, 0};
        release_frames(old, &b);
        if (b.n)
            pager_batch_call(PG_RELEASE, b.n, 0);
        kalloc_free((uint64_t)old);
    }
    pager_batch_end();
    space_changed(s); /* a level-1 entry changed: forget the walks through it */
    return 0;
}

int space_own(struct space *s, uint64_t va, uint64_t npages)
{
    uint64_t end = va + npages * PAGE_SIZE;
    for (va = va & ~(SV39_MEGA - 1); va < end && va < COWL_MAXVA; va += SV39_MEGA) {
        pte_t top = s->root[sv39_index(va, 2)];
        if ((top & (PTE_V | PTE_LEAF_MASK)) != PTE_V)
            continue;
        pte_t *slot = &((pte_t *)pte_pa(top))[sv39_index(va, 1)];
        if ((*slot & (PTE_V | PTE_LEAF_MASK)) != PTE_V)
            continue;
        if (*sharers_of((pte_t *)pte_pa(*slot)) && unshare(s, slot) < 0)
            return -1;
        *slot &= ~PTE_SHARED_TABLE; /* the table is its own now (a copy's entry has no mark) */
    }
    return 0;
}

static int map_frame(struct space *s, uint64_t va, uint64_t pa, uint64_t flags)
{
    pte_t *pte = sv39_walk(s->root, va, kvm_alloc_table, 0);
    if (!pte || (*pte & PTE_V))
        return -1;
    space_set_frame(pte, pa, flags | PTE_A | PTE_D);
    return 0;
}

/* Map the claimed frame pa at va; gives the claim up on failure. */
static int map_claimed(struct space *s, uint64_t va, uint64_t pa, uint64_t flags)
{
    pte_t *pte = sv39_walk(s->root, va, kvm_alloc_table, 0);
    if (!pte || (*pte & PTE_V)) {
        space_unclaim_frame(pa);
        return -1;
    }
    space_install_claimed(pte, pa, flags | PTE_A | PTE_D);
    return 0;
}

/* Claim pa, which the pager handed out as a fresh frame: a pool frame (past
 * the pager's own) that no PTE names; say so when it is not. */
static bool fresh_frame(uint64_t pa, const char *request)
{
    if (space_claim_frame(pa, true) == FRAME_YES)
        return true;
    pager_refused("cowl: the pager's %s named frame 0x%lx, which is %s\n", request, pa,
                  pager_frame_in_pool(pa) ? "mapped already" : "not a free pool frame");
    return false;
}

/* Map n frames named in batch at va; on failure give back the ones not
 * mapped (less a frame refused, which was never the kernel's). Each entry is
 * read once: the pager can write the batch buffer at any time. */
static int map_batch(struct space *s, uint64_t va, uint32_t *batch, uint64_t n, uint64_t flags)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pa = pa_of(batch[i]);
        bool fresh = fresh_frame(pa, "PG_ALLOC");
        if (fresh)
            memset((void *)pa, 0, PAGE_SIZE);
        if (!fresh || map_claimed(s, va + i * PAGE_SIZE, pa, flags) < 0) {
            uint64_t from = fresh ? i : i + 1;
            memmove(batch, batch + from, (n - from) * sizeof(uint32_t));
            if (n > from)
                pager_batch_call(PG_RELEASE, n - from, 0);
            return -1;
        }
    }
    return 0;
}

int space_map_new(struct space *s, uint64_t va, uint64_t npages, uint64_t flags)
{
    if (s->pinned) {
        uint64_t pa = pager_reserve(npages);
        for (uint64_t i = 0; i < npages; i++)
            if (map_frame(s, va + i * PAGE_SIZE, pa + i * PAGE_SIZE, flags) < 0)
                return -1;
        return 0;
    }
    if (space_own(s, va, npages) < 0)
        return -1;
    uint32_t *batch = pager_batch_begin();
    int r = 0;
    while (npages && r == 0) {
        uint64_t n = npages < COWL_BATCH_MAX ? npages : COWL_BATCH_MAX;
        if (pager_batch_call(PG_ALLOC, n, 0) != PG_OK)
            r = -1;
        else
            r = map_batch(s, va, batch, n, flags);
        va += n * PAGE_SIZE;
        npages -= n;
    }
    pager_batch_end();
    return r;
}

void space_unmap(struct space *s, uint64_t va, uint64_t npages)
{
    space_own(s, va, npages); /* a table it could not copy stays mapped, and goes with s */
    uint32_t *batch = pager_batch_begin();
    uint64_t n = 0;
    for (uint64_t i = 0; i < npages; i++) {
        pte_t *pte = space_pte(s, va + i * PAGE_SIZE);
        if (!pte || space_pte_shared(pte))
            continue;
        batch[n++] = (uint32_t)pfn_of(pte_pa(*pte));
        map_unref(pte_pa(*pte));
        *pte = 0;
        if (n == COWL_BATCH_MAX) {
            pager_batch_call(PG_RELEASE, n, 0);
            n = 0;
        }
    }
    if (n)
        pager_batch_call(PG_RELEASE, n, 0);
    pager_batch_end();
    space_changed(s);
}

struct fork_walk {
    struct space *child;
    uint32_t *batch;
    uint64_t n;    /* cow=eager: frames allocated in batch */
    uint64_t used; /* cow=eager: allocated frames consumed */
    int error;
};

/* Share one leaf table with the child (On-demand-fork): the child's level-1
 * entry points at the parent's table, which counts one sharer more. A table
 * the parent alone had becomes read-only first: its writable pages turn
 * COW. The frames' counts do not change: they count PTEs, and no PTE is
 * made; the first store into a shared table gives its space a copy of the
 * table (space_own), which counts them once more. */
static int fork_share(pte_t *from, pte_t *to, uint64_t va, void *ctx)
{
    (void)va;
    (void)ctx;
    spin_yield(&big_lock); /* only this thread changes the parent; no one sees the child */
    pte_t *table = (pte_t *)pte_pa(*from);
    uint32_t *sharers = sharers_of(table);
    if (*sharers == 0)
        for (unsigned i = 0; i < SV39_ENTRIES; i++)
            if (table[i] & PTE_W)
                table[i] = (table[i] & ~PTE_W) | PTE_COW;
    *from |= PTE_SHARED_TABLE; /* an RSW bit: no walk changes, so no flush */
    *to = *from;
    __atomic_fetch_add(sharers, 1, __ATOMIC_RELEASE);
    return 0;
}

/* cow=eager: copy one page into a frame allocated for the child. */
static int fork_copy(pte_t *pte, uint64_t va, void *ctx)
{
    struct fork_walk *w = ctx;
    spin_yield(&big_lock); /* a page copied at a time; as in fork_share */
    if (w->used == w->n) {
        if (pager_batch_call(PG_ALLOC, COWL_BATCH_MAX / 8, 0) != PG_OK)
            return w->error = -1;
        w->n = COWL_BATCH_MAX / 8;
        w->used = 0;
    }
    uint64_t pa = pa_of(w->batch[w->used]);
    if (!fresh_frame(pa, "PG_ALLOC")) {
        w->used++; /* never the kernel's: not given back */
        return w->error = -1;
    }
    if (map_claimed(w->child, va, pa, *pte & (PTE_FLAGS_MASK & ~PTE_V)) < 0)
        return w->error = -1;
    page_copy((void *)pa, (const void *)pte_pa(*pte));
    w->used++;
    return 0;
}

/* Share every leaf table of parent with w->child, copy-on-write. */
static void fork_share_all(struct space *parent, struct fork_walk *w)
{
    w->error = sv39_clone(parent->root, w->child->root, USER_SLOT_LO, USER_SLOT_HI, kvm_alloc_table,
                          fork_share, w);
    space_changed(parent);
}

/* cow=eager: copy every page of parent into w->child; give back the frames
 * allocated and not used. */
static void fork_copy_all(struct space *parent, struct fork_walk *w)
{
    sv39_visit(parent->root, USER_SLOT_LO, USER_SLOT_HI, fork_copy, w);
    if (w->used < w->n) {
        memmove(w->batch, w->batch + w->used, (w->n - w->used) * sizeof(uint32_t));
        pager_batch_call(PG_RELEASE, w->n - w->used, 0);
    }
}

int space_fork(struct space *parent, struct space *child)
{
    ASSERT(!parent->pinned);
    struct fork_walk w = {.child = child};
    if (COW_MODE == COWL_MODE_EAGER) {
        w.batch = pager_batch_begin();
        fork_copy_all(parent, &w);
        pager_batch_end();
    } else {
        fork_share_all(parent, &w);
    }
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

/* A leaf table's mappings, counted once however many spaces share it. */
static void census_table(pte_t *slot, uint64_t va, void *ctx)
{
    (void)va;
    struct census *c = ctx;
    pte_t *table = (pte_t *)pte_pa(*slot);
    uint32_t *seen = &table_census[kalloc_index((uint64_t)table)];
    if (*seen == census_epoch)
        return;
    *seen = census_epoch;
    for (unsigned j = 0; j < SV39_ENTRIES; j++) {
        if (!(table[j] & PTE_V))
            continue;
        uint64_t i = pfn_of(pte_pa(table[j])) - c->base_pfn;
        if (i >= c->first && i < c->first + c->n)
            c->counts[i - c->first]++;
    }
}

void space_census_begin(void)
{
    census_epoch++;
}

void space_count_frames(struct space *s, uint64_t base_pfn, uint64_t first, uint64_t n,
                        uint32_t *counts)
{
    struct census c = {base_pfn, first, n, counts};
    sv39_leaf_tables(s->root, USER_SLOT_LO, USER_SLOT_HI, census_table, &c);
}
