/*
 * Rate limits for console lines that user processes (or the pager) can
 * cause at will: kills, refused decisions. Each site owns one struct
 * ratelimit; a site prints at most RATELIMIT_BURST lines per second of
 * ticks and counts the rest, and the first line it prints after holding
 * some back says how many. All under big_lock.
 */
#ifndef KERNEL_RATELIMIT_H
#define KERNEL_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_BURST 5

struct ratelimit {
    uint64_t window; /* tick at which the current one-second window began */
    uint32_t printed;
    uint32_t held; /* lines held back since the last one printed */
};

/* True if the caller may print its line now. */
bool ratelimit_allow(struct ratelimit *rl);
/* Lines held back by every site since boot. */
uint64_t ratelimit_held_total(void);

#endif
