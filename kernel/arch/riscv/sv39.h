/*
 * Sv39 page tables: PTE bits and the walk, map and visit helpers. Pure code
 * over memory reached through the direct map (page-table pages are named by
 * their physical address, which the kernel can dereference as-is); the host
 * unit test runs it over ordinary heap pages.
 *
 * Root slots 0..SV39_KERNEL_SLOTS-1 (the low 64 GiB: devices, RAM and the
 * kernel's stack window) belong to the kernel and are shared by every space;
 * user mappings live in the slots above, from COWL_USER_BASE up to COWL_MAXVA.
 */
#ifndef ARCH_RISCV_SV39_H
#define ARCH_RISCV_SV39_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V   (1UL << 0)
#define PTE_R   (1UL << 1)
#define PTE_W   (1UL << 2)
#define PTE_X   (1UL << 3)
#define PTE_U   (1UL << 4)
#define PTE_G   (1UL << 5)
#define PTE_A   (1UL << 6)
#define PTE_D   (1UL << 7)
#define PTE_COW (1UL << 8) /* RSW bit: read-only now, writable once the pager decides */
/* The same RSW bit in a level-1 entry (the hardware ignores RSW in every
 * entry): its leaf table was shared by a fork, and may be shared still. */
#define PTE_SHARED_TABLE (1UL << 8)

#define PTE_FLAGS_MASK 0x3ffUL
#define PTE_LEAF_MASK  (PTE_R | PTE_W | PTE_X)

#define SV39_PAGE         4096UL
#define SV39_MEGA         (1UL << 21)
#define SV39_GIGA         (1UL << 30)
#define SV39_ENTRIES      512
#define SV39_KERNEL_SLOTS 64 /* root slots 0..63: the low 64 GiB */

static inline uint64_t pte_pa(pte_t pte)
{
    return (pte >> 10) << 12;
}

static inline pte_t pte_make(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static inline unsigned sv39_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

/* The level-0 PTE for va under root, or 0 if a table on the way is missing
 * or a superpage covers va: sv39_walk without allocation, inline for the
 * fault path. Requires va below the Sv39 limit. */
/* sv39_lookup, and 0 also if the level-1 entry has any of the bits in
 * refuse (which its own check then costs nothing). */
__attribute__((always_inline)) static inline pte_t *sv39_lookup_unless(const pte_t *root,
                                                                       uint64_t va, uint64_t refuse)
{
    pte_t e = root[sv39_index(va, 2)];
    if ((e & (PTE_V | PTE_LEAF_MASK)) != PTE_V)
        return 0;
    e = ((const pte_t *)pte_pa(e))[sv39_index(va, 1)];
    if ((e & (PTE_V | PTE_LEAF_MASK | refuse)) != PTE_V)
        return 0;
    return &((pte_t *)pte_pa(e))[sv39_index(va, 0)];
}

__attribute__((always_inline)) static inline pte_t *sv39_lookup(const pte_t *root, uint64_t va)
{
    return sv39_lookup_unless(root, va, 0);
}

/* Returns a zeroed page-table page (its physical address) or 0. */
typedef uint64_t (*sv39_alloc_fn)(void *ctx);

/* Return the address of the level-0 PTE for va under root, or 0 if a table on
 * the way is missing (and alloc is 0 or fails) or a superpage covers va.
 * Requires va below the Sv39 limit. */
pte_t *sv39_walk(pte_t *root, uint64_t va, sv39_alloc_fn alloc, void *ctx);

/* Map [va, va+size) to [pa, ...) with flags, using 1 GiB and 2 MiB leaves
 * where both addresses and the remaining size allow. Returns 0, or -1 if a table could not
 * be allocated or a mapping is already present. */
int sv39_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
             sv39_alloc_fn alloc, void *ctx);

/* Call fn on every valid 4 KiB leaf in root slots [slot_lo, slot_hi). fn may
 * rewrite the PTE; it returns non-zero to stop the visit, which then returns
 * that value. */
typedef int (*sv39_leaf_fn)(pte_t *pte, uint64_t va, void *ctx);
int sv39_visit(pte_t *root, unsigned slot_lo, unsigned slot_hi, sv39_leaf_fn fn, void *ctx);

/* Call fn once per leaf table (level 0) under root slots [slot_lo, slot_hi),
 * with the level-1 entry that points at it and the va it starts at: for
 * passes over every page whose per-page work is a few instructions, so that
 * it runs inline in fn's own loop. fn may clear the entry (the table is then
 * not the caller's to free). */
typedef void (*sv39_leaf_table_fn)(pte_t *slot, uint64_t va, void *ctx);
void sv39_leaf_tables(pte_t *root, unsigned slot_lo, unsigned slot_hi, sv39_leaf_table_fn fn,
                      void *ctx);

/* Give `to` the upper tables (levels 2 and 1) of `from` in root slots
 * [slot_lo, slot_hi), allocating them, and call fn once per leaf table of
 * `from` with its level-1 entry, the matching empty entry of `to`, and the
 * va they start at; fn fills that entry (fork shares the leaf table).
 * Returns 0, -1 if a table could not be allocated, or fn's non-zero value. */
typedef int (*sv39_table_fn)(pte_t *from, pte_t *to, uint64_t va, void *ctx);
int sv39_clone(pte_t *from, pte_t *to, unsigned slot_lo, unsigned slot_hi, sv39_alloc_fn alloc,
               sv39_table_fn fn, void *ctx);

/* Hand every page-table page below root slots [slot_lo, slot_hi) to free_fn
 * and clear those slots; leaves are the caller's to release first. */
void sv39_free_tables(pte_t *root, unsigned slot_lo, unsigned slot_hi,
                      void (*free_fn)(uint64_t pa, void *ctx), void *ctx);

#endif
