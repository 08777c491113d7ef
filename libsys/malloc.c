/*
 * malloc and free over sbrk. Free memory is one list of blocks kept in
 * address order; malloc takes the first block that fits (splitting off its
 * tail), free puts a block back and merges it with the neighbours it touches,
 * so memory freed in any order coalesces. Every block starts with a header
 * of one unit (16 bytes), which keeps the payload 16-byte aligned. Memory is
 * never given back to the kernel.
 */
#include <user.h>

struct block {
    struct block *next; /* next free block, higher address; only while free */
    uint64 units;       /* size including this header, in units of 16 bytes */
};

_Static_assert(sizeof(struct block) == 16, "a header is one unit");

#define UNIT      sizeof(struct block)
#define MIN_GROW  256          /* units asked of sbrk at least: 4 KiB */
#define MAX_BYTES 0x40000000UL /* larger requests cannot be an sbrk(int) */

static struct block *free_list;

/* Put `b` back into the free list and merge it with adjacent free blocks. */
static void free_insert(struct block *b)
{
    struct block *prev = 0;
    struct block *next = free_list;

    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    if (next && b + b->units == next) {
        b->units += next->units;
        next = next->next;
    }
    b->next = next;
    if (prev && prev + prev->units == b) {
        prev->units += b->units;
        prev->next = next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

/* Extend the heap by at least `units`. Returns 0 when sbrk refuses. */
static int grow(uint64 units)
{
    uint64 misalign = (uint64)sbrk(0) % UNIT;
    char *p;

    if (units < MIN_GROW)
        units = MIN_GROW;
    /* The break may start unaligned; align it once and it stays aligned. */
    if (misalign && sbrk(UNIT - misalign) == (char *)-1)
        return 0;
    p = sbrk(units * UNIT);
    if (p == (char *)-1)
        return 0;
    ((struct block *)p)->units = units;
    free_insert((struct block *)p);
    return 1;
}

/* Take `units` from the first free block large enough, or return 0. */
static void *take(uint64 units)
{
    struct block *prev = 0;

    for (struct block *b = free_list; b; prev = b, b = b->next) {
        if (b->units < units)
            continue;
        if (b->units > units) {
            b->units -= units;
            b += b->units;
            b->units = units;
        } else if (prev) {
            prev->next = b->next;
        } else {
            free_list = b->next;
        }
        return b + 1;
    }
    return 0;
}

void *malloc(uint n)
{
    uint64 units;
    void *p;

    if (n > MAX_BYTES)
        return 0;
    units = (n + UNIT - 1) / UNIT + 1;
    p = take(units);
    if (!p && grow(units))
        p = take(units);
    return p;
}

void free(void *p)
{
    if (p)
        free_insert((struct block *)p - 1);
}
