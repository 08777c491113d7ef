/*
 * The kernel's own page allocator. It serves page tables, kernel stacks and
 * other kernel objects from the kernel pool, a stretch of RAM after the
 * kernel image; user frames never come from here (they are the pager's).
 */
#ifndef KERNEL_KALLOC_H
#define KERNEL_KALLOC_H

#include <stdint.h>

void kalloc_init(uint64_t start, uint64_t end);
/* A zeroed page (its physical address, which the kernel may dereference), or 0. */
uint64_t kalloc_page(void);
void kalloc_free(uint64_t pa);
/* Boot only, before anything is freed: npages contiguous zeroed pages (the
 * free list is still in address order then), or 0. */
uint64_t kalloc_boot_run(uint64_t npages);
/* Pages handed out and not yet freed. */
uint64_t kalloc_pages_in_use(void);
/* Pages in the kernel pool, and the index there of pa, a page of it: for
 * records kept per kernel page (space.c's shared leaf tables). */
uint64_t kalloc_pool_pages(void);
uint64_t kalloc_index(uint64_t pa);

#endif
