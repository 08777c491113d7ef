/*
 * Address spaces: a Sv39 root whose slots 0..3 are the kernel's, an ASID, and
 * a TLB generation. Whoever changes a space's user PTEs bumps its generation
 * (space_changed); a hart flushes the space's ASID when it next activates it
 * with a generation it has not seen. Because a space's one thread runs on one
 * hart at a time, this covers every hart that may cache the space without
 * cross-hart shootdowns; the hart making the change flushes itself at once.
 *
 * User frames come from and go back to the frame service (frames.h); page
 * tables come from the kernel pool.
 */
#ifndef KERNEL_SPACE_H
#define KERNEL_SPACE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/riscv/asm.h"
#include "arch/riscv/sv39.h"
#include "cowl/abi.h"

#define NSPACE 64

struct space {
    pte_t *root; /* 0 when the record is free */
    uint16_t asid;
    uint64_t token;           /* arch_space_token(root, asid): what a switch installs */
    uint32_t gen;             /* TLB generation: one more at each change of its PTEs */
    uint32_t seen[MAX_HARTS]; /* per hart: the generation it last flushed (0: none) */
    uint64_t heap;            /* start of the heap: end of the loaded image */
    uint64_t brk;             /* current break (sbrk) */
    bool pinned;              /* the pager's: frames carved at boot, never COW */
};

#define PTE_USER_RW (PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)

/* Boot, before any space: set up the count of mappings of each pool frame. */
void space_init(void);

/* The mapping counts and fault marks below are atomic: the fault path
 * (fault.c) uses them without big_lock; the rest of this file's functions
 * run under it. */
/* A fault on the pool frame pa was reported to the pager / its decision is
 * applied: between the two, checks of pa wait (space_frame_settle). */
void space_fault_mark(uint64_t pa);
void space_fault_unmark(uint64_t pa);
/* What the checks of a frame the pager named say. A check that may not
 * wait (may_wait false: the lane's answer, which runs on the lane's stack
 * and must not sleep there) says FRAME_BUSY, having changed nothing, when
 * it could tell only after other faults on the frame settle. */
enum frame_check { FRAME_NO, FRAME_YES, FRAME_BUSY };
/* The fault on pa was decided for reuse: unmark it, wait for the other
 * faults on pa to settle, and say whether one PTE alone maps pa now (the
 * mapping counts are the kernel's own record of its tables, against which
 * it checks every frame the pager names). */
enum frame_check space_fault_reuse(uint64_t pa);
/* The reuse that may not wait (the lane's), of the frame pa this fault
 * marked: if this fault's mark is the only one on pa and one PTE alone
 * maps it, unmark it and return true;
 * otherwise return false, having changed nothing. If space_frame_waiters()
 * then says so, the caller must space_fault_wake(pa). */
bool space_fault_reuse_alone(uint64_t pa);
bool space_frame_waiters(void);
void space_fault_wake(uint64_t pa);
/* Claim pa as a fresh frame: a pool frame no PTE maps (waiting first for
 * the faults outstanding on it), counted as mapped from now on so that no
 * other claim or check passes it. FRAME_NO, and nothing changed, if it is
 * not. */
enum frame_check space_claim_frame(uint64_t pa, bool may_wait);
/* Point the COW PTE *pte of a fault at the claimed frame pa with flags (V
 * and U included); its mapping of the old frame and the fault mark on that
 * frame go in one atomic step. */
void space_install_copy(pte_t *pte, uint64_t pa, uint64_t flags);

struct space *space_create(bool pinned);
/* Give every user frame back and free the tables and the record. Blocks. */
void space_destroy(struct space *s);
void space_activate(struct space *s);
/* space_activate of a space that is not 0 (a user thread's). */
void space_install(struct space *s);
/* The byte offset, from a struct space, of the seen[] slot of the hart of
 * that index (its struct cpu keeps it, so that space_install finds its slot
 * with one add). */
uint64_t space_seen_offset(uint32_t cpu_index);
void space_changed(struct space *s);
/* As space_changed, when only the page at va changed: this hart forgets
 * that page alone (other harts still flush the whole space when they next
 * run it). The fault path's, where a whole-space flush would cost every
 * later access a page walk. */
void space_changed_page(struct space *s, uint64_t va);

/* Leaf tables are shared at fork (On-demand-fork) until a space changes
 * one: whether the leaf table that holds *pte is shared, read without
 * big_lock (a table of the caller's space becomes shared only when that
 * space forks, which its one thread is not doing); and, under big_lock,
 * give s copies of its own of the shared leaf tables that map any of
 * [va, va + npages), and take the PTE_SHARED_TABLE mark off the level-1
 * entries of those it has alone now (blocks; -1 if a copy could not be
 * made or counted). */
bool space_pte_shared(const pte_t *pte);
int space_own(struct space *s, uint64_t va, uint64_t npages);
/* Before a census of every space's mappings (space_count_frames), which
 * counts a shared leaf table once. */
void space_census_begin(void);

/* The valid user leaf PTE for va, or 0 (va outside the user range too). */
__attribute__((always_inline)) static inline pte_t *space_pte_unless(struct space *s, uint64_t va,
                                                                     uint64_t refuse)
{
    if (va < COWL_USER_BASE || va >= COWL_MAXVA)
        return 0;
    pte_t *pte = sv39_lookup_unless(s->root, va, refuse);
    if (!pte || (*pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
        return 0;
    return pte;
}

__attribute__((always_inline)) static inline pte_t *space_pte(struct space *s, uint64_t va)
{
    return space_pte_unless(s, va, 0);
}

/* space_pte for the fault's fast path, which must not change a shared
 * table: 0 also if the leaf table is marked PTE_SHARED_TABLE, as a fork
 * marks both level-1 entries that point at a table it shares. The mark
 * stays when the other sharers go; space_own takes it off. So an unmarked
 * table is the space's own (a table of the caller's space becomes shared
 * only when that space forks, which its one thread is not doing), at no
 * cost to the lookup. */
__attribute__((always_inline)) static inline pte_t *space_pte_own(struct space *s, uint64_t va)
{
    return space_pte_unless(s, va, PTE_SHARED_TABLE);
}
/* Map npages fresh zeroed frames at va with flags (PTE_R/W/X); -1 if out of
 * frames or tables (what was mapped stays mapped). */
int space_map_new(struct space *s, uint64_t va, uint64_t npages, uint64_t flags);
/* Unmap [va, va+npages) and give the frames back. */
void space_unmap(struct space *s, uint64_t va, uint64_t npages);
/* Fill child from parent: COW sharing, or copies in cow=eager. -1 on
 * failure, after which the caller destroys child. */
int space_fork(struct space *parent, struct space *child);
/* Space records in use. */
uint64_t space_count(void);
/* User frames mapped in s. */
uint64_t space_frames(struct space *s);
/* Add one to counts[i] for each mapping of pool frame i (base_pfn + i). */
void space_count_frames(struct space *s, uint64_t base_pfn, uint64_t first, uint64_t n,
                        uint32_t *counts);

#endif
