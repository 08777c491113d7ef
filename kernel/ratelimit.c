/*
 * Console rate limits (see ratelimit.h). A window is one second of uptime
 * ticks; the held-back count is reported at the start of the next line
 * allowed, so nothing is lost silently.
 */
#include "ratelimit.h"
#include "printk.h"
#include "timer.h"

static uint64_t held_total;

bool ratelimit_allow(struct ratelimit *rl)
{
    uint64_t now = timer_ticks();
    if (now - rl->window >= timer_hz()) {
        rl->window = now;
        rl->printed = 0;
    }
    if (rl->printed >= RATELIMIT_BURST) {
        rl->held++;
        held_total++;
        return false;
    }
    rl->printed++;
    if (rl->held) {
        printk("cowl: %u similar lines held back\n", rl->held);
        rl->held = 0;
    }
    return true;
}

uint64_t ratelimit_held_total(void)
{
    return held_total;
}
