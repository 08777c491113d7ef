/*
 * Sv39 walk, map, visit and teardown. Three levels of 512 entries; a valid
 * entry with none of R, W, X points to the next table.
 */
#include "sv39.h"

static inline bool pte_is_table(pte_t pte)
{
    return (pte & PTE_V) && !(pte & PTE_LEAF_MASK);
}

pte_t *sv39_walk(pte_t *root, uint64_t va, sv39_alloc_fn alloc, void *ctx)
{
    pte_t *table = root;
    for (int level = 2; level > 0; level--) {
        pte_t *pte = &table[sv39_index(va, level)];
        if (pte_is_table(*pte)) {
            table = (pte_t *)pte_pa(*pte);
            continue;
        }
        if ((*pte & PTE_V) || !alloc)
            return 0;
        uint64_t page = alloc(ctx);
        if (!page)
            return 0;
        *pte = pte_make(page, PTE_V);
        table = (pte_t *)page;
    }
    return &table[sv39_index(va, 0)];
}

/* Install one 2 MiB leaf at level 1, allocating the level-1 table if needed. */
static int map_mega(pte_t *root, uint64_t va, uint64_t pa, uint64_t flags, sv39_alloc_fn alloc,
                    void *ctx)
{
    pte_t *top = &root[sv39_index(va, 2)];
    if (!(*top & PTE_V)) {
        uint64_t page = alloc(ctx);
        if (!page)
            return -1;
        *top = pte_make(page, PTE_V);
    }
    if (!pte_is_table(*top))
        return -1;
    pte_t *pte = &((pte_t *)pte_pa(*top))[sv39_index(va, 1)];
    if (*pte & PTE_V)
        return -1;
    *pte = pte_make(pa, flags | PTE_V);
    return 0;
}

/* True if [va, end) from va and pa on can take a leaf of `size` bytes. */
static bool fits_leaf(uint64_t va, uint64_t pa, uint64_t end, uint64_t size)
{
    return !(va & (size - 1)) && !(pa & (size - 1)) && end - va >= size;
}

int sv39_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
             sv39_alloc_fn alloc, void *ctx)
{
    uint64_t end = va + size;
    while (va < end) {
        pte_t *top = &root[sv39_index(va, 2)];
        if (fits_leaf(va, pa, end, SV39_GIGA) && !(*top & PTE_V)) {
            *top = pte_make(pa, flags | PTE_V);
            va += SV39_GIGA;
            pa += SV39_GIGA;
            continue;
        }
        bool mega = fits_leaf(va, pa, end, SV39_MEGA);
        if (mega) {
            if (map_mega(root, va, pa, flags, alloc, ctx) < 0)
                return -1;
            va += SV39_MEGA;
            pa += SV39_MEGA;
            continue;
        }
        pte_t *pte = sv39_walk(root, va, alloc, ctx);
        if (!pte || (*pte & PTE_V))
            return -1;
        *pte = pte_make(pa, flags | PTE_V);
        va += SV39_PAGE;
        pa += SV39_PAGE;
    }
    return 0;
}

static int visit_level(pte_t *table, int level, uint64_t base, sv39_leaf_fn fn, void *ctx)
{
    for (unsigned i = 0; i < SV39_ENTRIES; i++) {
        pte_t *pte = &table[i];
        uint64_t va = base + ((uint64_t)i << (12 + 9 * level));
        if (!(*pte & PTE_V))
            continue;
        int r = 0;
        if (level == 0)
            r = fn(pte, va, ctx);
        else if (pte_is_table(*pte))
            r = visit_level((pte_t *)pte_pa(*pte), level - 1, va, fn, ctx);
        if (r)
            return r;
    }
    return 0;
}

int sv39_visit(pte_t *root, unsigned slot_lo, unsigned slot_hi, sv39_leaf_fn fn, void *ctx)
{
    for (unsigned i = slot_lo; i < slot_hi; i++) {
        if (!pte_is_table(root[i]))
            continue;
        int r = visit_level((pte_t *)pte_pa(root[i]), 1, (uint64_t)i << 30, fn, ctx);
        if (r)
            return r;
    }
    return 0;
}

void sv39_leaf_tables(pte_t *root, unsigned slot_lo, unsigned slot_hi, sv39_leaf_table_fn fn,
                      void *ctx)
{
    for (unsigned i = slot_lo; i < slot_hi; i++) {
        if (!pte_is_table(root[i]))
            continue;
        pte_t *mid = (pte_t *)pte_pa(root[i]);
        for (unsigned j = 0; j < SV39_ENTRIES; j++)
            if (pte_is_table(mid[j]))
                fn(&mid[j], ((uint64_t)i << 30) + ((uint64_t)j << 21), ctx);
    }
}

/* The table *slot points to, allocating it if the slot is empty; 0 if that fails. */
static pte_t *ensure_table(pte_t *slot, sv39_alloc_fn alloc, void *ctx)
{
    if (!(*slot & PTE_V)) {
        uint64_t page = alloc(ctx);
        if (!page)
            return 0;
        *slot = pte_make(page, PTE_V);
    }
    return (pte_t *)pte_pa(*slot);
}

/* The level-1 tables: fn for each entry that points at a leaf table. */
static int clone_level(pte_t *from, pte_t *to, uint64_t base, sv39_table_fn fn, void *ctx)
{
    for (unsigned i = 0; i < SV39_ENTRIES; i++) {
        if (!pte_is_table(from[i]))
            continue;
        int r = fn(&from[i], &to[i], base + ((uint64_t)i << 21), ctx);
        if (r)
            return r;
    }
    return 0;
}

int sv39_clone(pte_t *from, pte_t *to, unsigned slot_lo, unsigned slot_hi, sv39_alloc_fn alloc,
               sv39_table_fn fn, void *ctx)
{
    for (unsigned i = slot_lo; i < slot_hi; i++) {
        if (!pte_is_table(from[i]))
            continue;
        pte_t *next = ensure_table(&to[i], alloc, ctx);
        if (!next)
            return -1;
        int r = clone_level((pte_t *)pte_pa(from[i]), next, (uint64_t)i << 30, fn, ctx);
        if (r)
            return r;
    }
    return 0;
}

static void free_level(pte_t *table, int level, void (*free_fn)(uint64_t, void *), void *ctx)
{
    for (unsigned i = 0; level > 0 && i < SV39_ENTRIES; i++)
        if (pte_is_table(table[i]))
            free_level((pte_t *)pte_pa(table[i]), level - 1, free_fn, ctx);
    free_fn((uint64_t)table, ctx);
}

void sv39_free_tables(pte_t *root, unsigned slot_lo, unsigned slot_hi,
                      void (*free_fn)(uint64_t pa, void *ctx), void *ctx)
{
    for (unsigned i = slot_lo; i < slot_hi; i++) {
        if (pte_is_table(root[i]))
            free_level((pte_t *)pte_pa(root[i]), 1, free_fn, ctx);
        root[i] = 0;
    }
}
