/*
 * The pager that ships: every request of the kernel goes to the policy, and
 * a user process may only ping.
 */
#include <user.h>

#include "answer.h"

__attribute__((always_inline)) inline bool answer_fault(struct pool *pool, struct pool_lane *lane,
                                                        uint64_t w[COWL_MSG_WORDS])
{
    return pool_fault(pool, lane, w);
}

void answer_kernel(struct pool *pool, struct pool_lane *lane, const struct cowl_msg *req,
                   struct cowl_msg *reply)
{
    struct pool_event ev;
    bool traced = __atomic_load_n(&pool->trace, __ATOMIC_RELAXED);

    pool_handle(pool, lane, req, reply, traced ? &ev : 0);
    if (traced)
        pool_event_print(&ev, printf);
}

bool answer_user(const struct cowl_msg *req, uint64_t badge, struct cowl_msg *reply)
{
    (void)badge;
    return pool_handle_user(req, reply);
}
