/*
 * How the pager answers a request. main.c receives and replies; one of two
 * files answers: honest.c (the pager that ships) or hostile.c (a test build
 * that lies on purpose, to prove the kernel's checks). Both define these,
 * and both may be called on several lanes at once.
 */
#ifndef COWL_PAGER_ANSWER_H
#define COWL_PAGER_ANSWER_H

#include <stdbool.h>
#include "policy.h"

/* The hot request: answer a fault of the kernel received on lane in place
 * in w (the request's words in, the answer's out), or return false,
 * touching nothing, and let answer_kernel have it. */
bool answer_fault(struct pool *pool, struct pool_lane *lane, uint64_t w[COWL_MSG_WORDS]);
/* Answer a request of the kernel (badge 0) received on lane into *reply,
 * which the caller sends (to nobody, if the answer went out already). */
void answer_kernel(struct pool *pool, struct pool_lane *lane, const struct cowl_msg *req,
                   struct cowl_msg *reply);
/* Answer a request of user process `badge` into *reply; true if refused. */
bool answer_user(const struct cowl_msg *req, uint64_t badge, struct cowl_msg *reply);

#endif
