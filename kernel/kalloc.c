/*
 * A free list threaded through the free pages themselves, under its own leaf
 * lock. Pages enter the list once at boot; kalloc_free checks that a page
 * belongs to the pool so that a stray pointer panics here, not later.
 */
#include "kalloc.h"
#include "lock.h"
#include "panic.h"
#include "string.h"

#define PAGE 4096UL

struct free_page {
    struct free_page *next;
};

static struct spinlock kalloc_lock = SPINLOCK_INIT("kalloc");
static struct free_page *free_list;
static uint64_t pool_start, pool_end, nfree;

static void push(uint64_t pa)
{
    struct free_page *p = (struct free_page *)pa;
    p->next = free_list;
    free_list = p;
    nfree++;
}

void kalloc_init(uint64_t start, uint64_t end)
{
    pool_start = (start + PAGE - 1) & ~(PAGE - 1);
    pool_end = end & ~(PAGE - 1);
    for (uint64_t pa = pool_end; pa > pool_start; pa -= PAGE)
        push(pa - PAGE);
}

uint64_t kalloc_page(void)
{
    spin_lock(&kalloc_lock);
    struct free_page *p = free_list;
    if (p) {
        free_list = p->next;
        nfree--;
    }
    spin_unlock(&kalloc_lock);
    if (p)
        memset(p, 0, PAGE);
    return (uint64_t)p;
}

void kalloc_free(uint64_t pa)
{
    ASSERT(pa >= pool_start && pa < pool_end && !(pa & (PAGE - 1)));
    spin_lock(&kalloc_lock);
    push(pa);
    spin_unlock(&kalloc_lock);
}

uint64_t kalloc_boot_run(uint64_t npages)
{
    uint64_t first = kalloc_page();
    for (uint64_t i = 1; first && i < npages; i++)
        if (kalloc_page() != first + i * PAGE)
            panic("kalloc: the pool is not in address order at boot");
    return first;
}

uint64_t kalloc_pages_in_use(void)
{
    return (pool_end - pool_start) / PAGE - nfree;
}

uint64_t kalloc_pool_pages(void)
{
    return (pool_end - pool_start) / PAGE;
}

uint64_t kalloc_index(uint64_t pa)
{
    ASSERT(pa >= pool_start && pa < pool_end);
    return (pa - pool_start) / PAGE;
}
