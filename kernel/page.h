/*
 * The page: one size for the kernel (the ABI's), and the conversions between
 * physical addresses, page numbers and page counts.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <stdint.h>
#include "cowl/abi.h"

#define PAGE_SHIFT COWL_PAGE_SHIFT
#define PAGE_SIZE  COWL_PAGE_SIZE
#define PAGE_MASK  (PAGE_SIZE - 1)

/* Page number of the page holding pa. */
static inline uint64_t pfn_of(uint64_t pa)
{
    return pa >> PAGE_SHIFT;
}

/* Physical address of page number pfn. */
static inline uint64_t pa_of(uint64_t pfn)
{
    return pfn << PAGE_SHIFT;
}

/* Pages needed to hold bytes. */
static inline uint64_t page_count(uint64_t bytes)
{
    return (bytes + PAGE_MASK) >> PAGE_SHIFT;
}

/* a rounded down and up to a page boundary. */
static inline uint64_t page_down(uint64_t a)
{
    return a & ~PAGE_MASK;
}

static inline uint64_t page_up(uint64_t a)
{
    return (a + PAGE_MASK) & ~PAGE_MASK;
}

#endif
