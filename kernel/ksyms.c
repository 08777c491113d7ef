/*
 * Binary search over the generated table (sorted by address). The first link
 * uses ksyms_empty.S, and the lookup then names nothing.
 */
#include "ksyms.h"

extern const struct ksym ksyms_table[];
extern const uint64_t ksyms_count;
extern char __text_end[];

const char *ksyms_lookup(uint64_t pc, uint64_t *offset)
{
    if (!ksyms_count || pc < ksyms_table[0].addr || pc >= (uint64_t)__text_end)
        return 0;
    uint64_t lo = 0, hi = ksyms_count;
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (ksyms_table[mid].addr <= pc)
            lo = mid;
        else
            hi = mid;
    }
    *offset = pc - ksyms_table[lo].addr;
    return ksyms_table[lo].name;
}
