/*
 * Host test of the Sv39 helpers over heap pages standing in for physical
 * memory: walk with and without allocation, 4 KiB and 2 MiB mappings, the
 * leaf visit, and teardown that hands back every table it allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sv39.h"
#include "unit.h"

static int tables_live;

static uint64_t alloc_table(void *ctx)
{
    (void)ctx;
    void *p = aligned_alloc(4096, 4096);
    memset(p, 0, 4096);
    tables_live++;
    return (uint64_t)p;
}

static void free_table(uint64_t pa, void *ctx)
{
    (void)ctx;
    free((void *)pa);
    tables_live--;
}

static int count_leaf(pte_t *pte, uint64_t va, void *ctx)
{
    (void)pte;
    (void)va;
    (*(int *)ctx)++;
    return 0;
}

static void count_in_table(pte_t *slot, uint64_t va, void *ctx)
{
    (void)va;
    pte_t *table = (pte_t *)pte_pa(*slot);
    for (int i = 0; i < 512; i++)
        *(int *)ctx += (table[i] & PTE_V) != 0;
}

static int stop_at_second(pte_t *pte, uint64_t va, void *ctx)
{
    (void)pte;
    return ++*(int *)ctx == 2 ? (int)(va >> 12) : 0;
}

/* A clone that copies each leaf table (fork shares them instead). */
static int clone_count(pte_t *from, pte_t *to, uint64_t va, void *ctx)
{
    (void)va;
    pte_t *copy = (pte_t *)alloc_table(0), *table = (pte_t *)pte_pa(*from);
    for (int i = 0; i < 512; i++)
        copy[i] = table[i];
    *to = pte_make((uint64_t)copy, PTE_V);
    (*(int *)ctx)++;
    return 0;
}

/* One walk through the helpers, each step checked against the last. */
static void walk_map_visit_clone_and_teardown(void)
{
    pte_t *root = (pte_t *)alloc_table(0);
    uint64_t user = 0x100000000UL;

    CHECKF(sv39_walk(root, user, 0, 0) == 0, "walk without alloc finds nothing in an empty table");
    pte_t *pte = sv39_walk(root, user, alloc_table, 0);
    CHECKF(pte && *pte == 0 && tables_live == 3, "walk with alloc creates two tables");
    CHECKF(sv39_map(root, user + 4096, 0x80001000UL, 3 * 4096, PTE_R | PTE_U, alloc_table, 0) == 0,
           "map three 4 KiB pages");
    pte = sv39_walk(root, user + 2 * 4096, 0, 0);
    CHECKF(pte && pte_pa(*pte) == 0x80002000UL &&
               (*pte & (PTE_V | PTE_R | PTE_U)) == (PTE_V | PTE_R | PTE_U),
           "walk finds the right frame and flags");
    CHECKF(sv39_map(root, user + 4096, 0x90000000UL, 4096, PTE_R, alloc_table, 0) < 0,
           "mapping over a present page fails");

    int before = tables_live;
    CHECKF(sv39_map(root, 0x80000000UL, 0x80000000UL, 4UL << 20, PTE_R | PTE_W, alloc_table, 0) ==
               0,
           "map 4 MiB of aligned memory");
    CHECKF(tables_live == before + 1, "aligned memory uses 2 MiB leaves (one new table)");
    CHECKF(sv39_walk(root, 0x80000000UL, 0, 0) == 0, "walk stops at a 2 MiB leaf");
    before = tables_live;
    CHECKF(sv39_map(root, 8UL << 30, 8UL << 30, 2UL << 30, PTE_R | PTE_W, alloc_table, 0) == 0 &&
               tables_live == before && (root[8] & PTE_R) && (root[9] & PTE_R),
           "aligned gigabytes use 1 GiB leaves (no new table)");
    CHECKF(sv39_map(root, 0x80400000UL + 4096, 0x80401000UL, (2UL << 20), PTE_R, alloc_table, 0) ==
               0,
           "unaligned start falls back to 4 KiB pages");

    int n = 0;
    sv39_visit(root, 4, 256, count_leaf, &n);
    CHECKF(n == 3, "visit of the user slots sees the three user pages only");
    n = 0;
    sv39_leaf_tables(root, 4, 256, count_in_table, &n);
    CHECKF(n == 3, "a pass over the leaf tables of the user slots sees the same three pages");
    n = 0;
    CHECKF(sv39_visit(root, 4, 256, stop_at_second, &n) == (int)((user + 2 * 4096) >> 12),
           "visit stops with the callback's value");

    pte_t *copy = (pte_t *)alloc_table(0);
    n = 0;
    CHECKF(sv39_clone(root, copy, 4, 256, alloc_table, clone_count, &n) == 0 && n == 1,
           "clone visits each leaf table once");
    pte = sv39_walk(copy, user + 2 * 4096, 0, 0);
    CHECKF(pte && pte_pa(*pte) == 0x80002000UL, "clone copies the leaves");
    CHECKF(sv39_walk(copy, 0x80000000UL, 0, 0) == 0, "clone leaves the kernel slots alone");
    sv39_free_tables(copy, 4, 256, free_table, 0);
    free_table((uint64_t)copy, 0);

    sv39_free_tables(root, 4, 256, free_table, 0);
    CHECKF(sv39_walk(root, user, 0, 0) == 0, "teardown clears the user slots");
    sv39_free_tables(root, 0, 4, free_table, 0);
    CHECKF(tables_live == 1, "teardown frees every table it allocated");
    free_table((uint64_t)root, 0);
}

static const struct unit_case cases[] = {
    {"walk-map-visit-clone-and-teardown", walk_map_visit_clone_and_teardown},
};

int main(void)
{
    return UNIT_CASES(cases);
}
