/*
 * Endpoint queues and message transfer, all under big_lock.
 *
 *   send/call:  a receiver waits -> transfer, wake it (call: it owes a reply)
 *               none waits       -> queue on senders, block
 *   recv:       a sender waits   -> transfer, wake a plain sender
 *               none waits       -> queue on receivers, block
 *   reply:      the caller the receiver owes -> transfer, wake it; a kernel
 *               call's answer lands in the caller's kreply and goes to
 *               pager_call_done, in the replier's entry
 *
 * A blocked thread's result is written into its trap frame by its partner.
 * A thread blocked in user IPC keeps nothing on its kernel stack: it
 * resumes from its frame (sched_block_user), so a partner may also hand it
 * the hart straight from the system-call entry (the fast path below:
 * guards, then a point of no return after which it only commits).
 * A kernel call stays blocked until answered, even if its process is killed:
 * the pager may already have acted on it, and the answer settles the books.
 */
#include "ipc.h"
#include "lock.h"
#include "pager_client.h"
#include "panic.h"
#include "proc.h"
#include "sched.h"
#include "trace.h"

#define NENDPOINT 64

static struct endpoint endpoints[NENDPOINT];

uint64_t ipc_slow_count;

struct endpoint *ipc_endpoint_new(struct proc *receiver)
{
    for (int i = 0; i < NENDPOINT; i++) {
        if (endpoints[i].refs)
            continue;
        endpoints[i] = (struct endpoint){.refs = 1, .receiver = receiver};
        return &endpoints[i];
    }
    return 0;
}

void ipc_endpoint_get(struct endpoint *ep)
{
    ep->refs++;
}

void ipc_endpoint_put(struct endpoint *ep)
{
    ASSERT(ep->refs > 0);
    ep->refs--;
}

uint64_t ipc_endpoint_count(void)
{
    uint64_t n = 0;
    for (int i = 0; i < NENDPOINT; i++)
        n += endpoints[i].refs > 0;
    return n;
}

static void enqueue(struct thread **q, struct thread *t)
{
    t->ipc_next = 0;
    while (__builtin_expect(*q != 0, 0)) /* a server's one thread: the queue is empty */
        q = &(*q)->ipc_next;
    *q = t;
}

static struct thread *dequeue(struct thread **q)
{
    struct thread *t = *q;
    if (t)
        *q = t->ipc_next;
    return t;
}

static void unlink(struct thread **q, struct thread *t)
{
    for (; *q; q = &(*q)->ipc_next)
        if (*q == t) {
            *q = t->ipc_next;
            return;
        }
}

static void wake(struct thread *t, int64_t a0)
{
    tf_set_result(&t->tf, (uint64_t)a0);
    t->ipc_op = IPC_NONE;
    t->ipc_ep = 0;
    t->state = T_RUNNABLE;
}

/* Copy a message's words, unrolled (a hot path). */
static inline void msg_copy(uint64_t *to, const uint64_t *from)
{
    _Static_assert(COWL_MSG_WORDS == 5, "msg_copy copies five words");
    to[0] = from[0];
    to[1] = from[1];
    to[2] = from[2];
    to[3] = from[3];
    to[4] = from[4];
}

/* Move the sender's message into the receiver's registers. */
static void transfer(struct thread *from, struct thread *to)
{
    msg_copy(tf_msg(&to->tf), from->in_kcall ? from->kreq.raw.w : tf_msg(&from->tf));
    tf_set_badge(&to->tf, from->in_kcall ? 0 : (uint64_t)from->proc->pid);
    tf_set_result(&to->tf, 0);
}

/* A call's commit, the message in r's frame already: the badge goes with
 * it into the waiting receiver r, which now owes caller t the reply, and t
 * waits for it. */
static inline void hand_call(struct thread *t, struct thread *r, uint64_t badge)
{
    tf_set_badge(&r->tf, badge);
    tf_set_result(&r->tf, 0);
    r->ipc_op = IPC_NONE;
    r->ipc_ep = 0;
    r->reply_to = t;
    t->replier = r;
    t->ipc_op = IPC_REPLY_WAIT;
    t->state = T_BLOCKED;
}

/* The receiver r takes sender s's message. */
static void deliver(struct thread *s, struct thread *r)
{
    trace_fault_phase(s, TRACE_PHASE_SENT); /* s's fault request reaches the pager */
    transfer(s, r);
    if (s->ipc_op == IPC_SEND) {
        if (s->state == T_BLOCKED)
            wake(s, 0);
        else
            s->ipc_op = IPC_NONE; /* s is the running sender: it must stay running */
        return;
    }
    s->ipc_op = IPC_REPLY_WAIT;
    s->ipc_ep = 0;
    r->reply_to = s;
    s->replier = r;
}

/* Cut the reply link between a replier and the caller it owes, from either
 * end, so that a reply never reaches a caller that stopped waiting (killed,
 * or a record since reused). */
static void unlink_reply(struct thread *replier, struct thread *caller)
{
    replier->reply_to = 0;
    caller->replier = 0;
}

static void block(struct thread *t, enum ipc_op op, struct endpoint *ep)
{
    t->ipc_op = op;
    t->ipc_ep = ep;
    t->state = T_BLOCKED;
    sched_switch();
}

/* t waits in user IPC: it keeps nothing on its kernel stack and resumes in
 * user mode from its frame, which the partner fills in (sched_block_user). */
__attribute__((noreturn)) static void block_user(struct thread *t, enum ipc_op op,
                                                 struct endpoint *ep, struct thread *next)
{
    t->ipc_op = op;
    t->ipc_ep = ep;
    t->state = T_BLOCKED;
    sched_block_user(next);
}

int64_t ipc_send(struct thread *t, struct endpoint *ep, int call)
{
    if (t->proc->killed)
        return -COWL_ENOENT; /* killed while running: it must not block now */
    t->ipc_op = call ? IPC_CALL : IPC_SEND;
    struct thread *r = dequeue(&ep->receivers);
    if (r) {
        deliver(t, r);
        r->ipc_op = IPC_NONE;
        if (!call) {
            r->state = T_RUNNABLE;
            t->ipc_op = IPC_NONE;
            return 0;
        }
        block_user(t, IPC_REPLY_WAIT, 0, r); /* the receiver runs on this hart now */
    }
    enqueue(&ep->senders, t);
    block_user(t, t->ipc_op, ep, 0);
}

int64_t ipc_recv(struct thread *t, struct endpoint *ep, struct thread *next)
{
    if (ep->receiver && ep->receiver != t->proc)
        return -COWL_EPERM;
    if (t->reply_to)
        return -COWL_EINVAL; /* answer the caller first */
    if (t->proc->killed)
        return -COWL_ENOENT; /* killed while running: it must not block now */
    struct thread *s = dequeue(&ep->senders);
    if (s) {
        deliver(s, t);
        return 0;
    }
    enqueue(&ep->receivers, t);
    block_user(t, IPC_RECV, ep, next); /* the caller just answered runs here */
}

int64_t ipc_reply(struct thread *t, struct thread **woken)
{
    struct thread *c = t->reply_to;
    if (!c)
        return -COWL_EPERM;
    if (woken)
        *woken = c;
    unlink_reply(t, c);
    ASSERT(c->ipc_op == IPC_REPLY_WAIT && c->state == T_BLOCKED);
    if (c->in_kcall) {
        msg_copy(c->kreply.raw.w, tf_msg(&t->tf));
        pager_call_done(c);
        c->ipc_op = IPC_NONE;
        c->state = T_RUNNABLE;
        return 0;
    }
    msg_copy(tf_msg(&c->tf), tf_msg(&t->tf));
    tf_set_badge(&c->tf, (uint64_t)t->proc->pid);
    wake(c, 0);
    return 0;
}

/* The pager answered the kernel call of c with c->kreply: the one place
 * answers land, then c goes on in its kernel call on this hart (on its
 * kernel stack, or at fault_resume if it left it). Out of line: the fast
 * path makes no call that returns. */
__attribute__((noreturn, noinline)) static void kernel_call_answered(struct thread *c)
{
    pager_call_done(c);
    sched_block_user(c);
}

/* The commit of both fast answers (ipc_fast_reply_recv, ipc_lane_answer):
 * t answers c, which leaves IPC, and waits on ep for its next message. */
static inline void reply_and_wait(struct thread *t, struct thread *c, struct endpoint *ep)
{
    unlink_reply(t, c);
    enqueue(&ep->receivers, t);
    t->ipc_op = IPC_RECV;
    t->ipc_ep = ep;
    t->state = T_BLOCKED;
    c->ipc_op = IPC_NONE;
}

/* The fast paths are inlined into trap.c's entry (link-time
 * optimization): the message stays in the registers it came in. */
__attribute__((always_inline)) inline struct thread *
ipc_fast_call(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS)
{
    struct thread *r = ep->receivers;
    if (__builtin_expect(!r, 0))
        return 0; /* nobody waits: t queues */
    if (__builtin_expect(!sched_runs_here(r), 0))
        return 0; /* pinned to another hart */
    if (__builtin_expect(t->proc->killed, 0))
        return 0;
    /* Point of no return: only commits from here on. */
    ep->receivers = r->ipc_next;
    msg_put(tf_msg(&r->tf), MSG_WORDS_PASS);
    hand_call(t, r, (uint64_t)t->proc->pid);
    sched_pass_to_user(r);
    return r;
}

__attribute__((always_inline)) inline struct thread *
ipc_fast_reply_recv(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS)
{
    struct thread *c = t->reply_to;
    if (__builtin_expect(!c, 0))
        return 0; /* nothing owed: the slow path only receives */
    if (__builtin_expect(ep->senders != 0, 0))
        return 0; /* a message waits: t takes it without blocking */
    if (__builtin_expect(ep->receiver && ep->receiver != t->proc, 0))
        return 0; /* the slow path answers -EPERM */
    if (__builtin_expect(!sched_runs_here(c) || t->proc->killed, 0))
        return 0;
    /* Point of no return. c is in IPC_REPLY_WAIT, blocked (ipc_reply
     * asserts it). */
    reply_and_wait(t, c, ep);
    if (c->in_kcall) {
        msg_put(c->kreply.raw.w, MSG_WORDS_PASS);
        kernel_call_answered(c);
    }
    msg_put(tf_msg(&c->tf), MSG_WORDS_PASS);
    tf_set_badge(&c->tf, (uint64_t)t->proc->pid);
    tf_set_result(&c->tf, 0);
    sched_pass_to_user(c);
    return c;
}

void ipc_kernel_call(struct thread *t, struct endpoint *ep)
{
    /* big_lock: pager_service_call, the one caller, holds it. */
    t->in_kcall = true;
    t->ipc_op = IPC_KCALL;
    struct thread *r = dequeue(&ep->receivers);
    if (r) {
        trace_fault_phase(t, TRACE_PHASE_SENT); /* the fault request reaches the pager */
        msg_copy(tf_msg(&r->tf), t->kreq.raw.w);
        hand_call(t, r, 0); /* a kernel call: badge 0 */
        sched_handoff(r);
    } else {
        enqueue(&ep->senders, t);
        block(t, IPC_KCALL, ep);
    }
    t->in_kcall = false;
}

/*
 * The hand-off without big_lock, between a faulting thread and the pager's
 * lane of this hart when the lane is this hart's alone: the lane's thread
 * is pinned here and its endpoint is touched by no one else (no user
 * process holds it, and only this hart calls it), so on this hart, with
 * interrupts off, no one can change either meanwhile. Another hart may read
 * the caller's state (kill, the scheduler): in_kcall is set before the
 * caller leaves T_RUNNING and cleared after it is back, and the caller is
 * never made T_RUNNABLE here, so nobody else acts on it.
 */
struct thread *ipc_lane_take(struct thread *t, struct endpoint *ep)
{
    struct thread *r = ep->receivers;
    if (__builtin_expect(!r || ep->senders || r->pinned != this_cpu(), 0))
        return 0; /* the lane is busy, or not this hart's: take big_lock */
    /* Point of no return. The request first, read before anything is
     * written to r (which the compiler cannot tell from t) and before the
     * fence, while it still has it in registers. */
    const uint64_t *q = t->kreq.raw.w;
    msg_put(tf_msg(&r->tf), q[0], q[1], q[2], q[3], q[4]);
    t->in_kcall = true;
    t->kcall_parked = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ep->receivers = r->ipc_next;
    hand_call(t, r, 0); /* untraced: a traced fault takes big_lock from its trap */
    return r;
}

__attribute__((always_inline)) inline struct thread *
ipc_lane_answer(struct thread *t, struct endpoint *ep, MSG_WORDS_ARGS)
{
    struct thread *c = t->reply_to;
    /* Anything unusual, or a trace (its rings are drained under big_lock):
     * big_lock and the ordinary path. c may run here: it made its call on
     * this hart, to this hart's lane, and cannot be pinned meanwhile. */
    if (__builtin_expect(!c || !c->in_kcall || ep->senders || ep->receiver != t->proc || trace_on,
                         0))
        return 0;
    if (__builtin_expect(w0 >> 32 != c->kreq.h.seq, 0)) /* the seq: word 0, top half */
        return 0; /* the refusal is the ordinary path's to print */
    /* Point of no return. */
    reply_and_wait(t, c, ep);
    /* pager_call_done's work is done: the seq matched, and no trace is on. */
    if (!c->kcall_parked) {
        msg_put(c->kreply.raw.w, MSG_WORDS_PASS); /* c's own buffer */
        sched_resume_here(c);                     /* it waits on its kernel stack */
    }
    return c; /* fault_answered has the answer in registers */
}

/* Take t off the queue it waits on and off the replier it waits for. */
static void withdraw(struct thread *t)
{
    if (t->ipc_ep) {
        unlink(&t->ipc_ep->senders, t);
        unlink(&t->ipc_ep->receivers, t);
    }
    if (t->replier)
        unlink_reply(t->replier, t);
}

void ipc_forget(struct thread *t)
{
    ASSERT(!t->in_kcall);
    withdraw(t);
    struct thread *c = t->reply_to;
    if (c) {
        unlink_reply(t, c);
        /* A kernel call is answered only by the pager, whose death halts. */
        if (!c->in_kcall)
            wake(c, -COWL_ENOENT);
    }
}

void ipc_abort(struct thread *t, int64_t err)
{
    if (t->state != T_BLOCKED || t->in_kcall || t->ipc_op == IPC_NONE)
        return;
    withdraw(t);
    wake(t, err);
}
