/*
 * IPC syscalls. Endpoint handles are small indices into the process's
 * table, checked on every use; the work is ipc.c's.
 */
#include "ipc.h"
#include "pager_client.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"

static struct endpoint *handle(uint64_t h)
{
    return h < NHANDLE ? proc_current()->handles[h] : 0;
}

int64_t sys_ep_create(struct trapframe *tf)
{
    (void)tf;
    struct proc *p = proc_current();
    for (int h = 0; h < NHANDLE; h++) {
        if (p->handles[h])
            continue;
        if (!(p->handles[h] = ipc_endpoint_new(0)))
            return -COWL_ENOMEM;
        return h;
    }
    return -COWL_ENOMEM;
}

int64_t sys_send(struct trapframe *tf)
{
    struct endpoint *ep = handle(tf_arg(tf, 0));
    return ep ? ipc_send(sched_current(), ep, 0) : -COWL_EBADF;
}

int64_t sys_call(struct trapframe *tf)
{
    struct endpoint *ep = handle(tf_arg(tf, 0));
    return ep ? ipc_send(sched_current(), ep, 1) : -COWL_EBADF;
}

int64_t sys_recv(struct trapframe *tf)
{
    struct endpoint *ep = handle(tf_arg(tf, 0));
    return ep ? ipc_recv(sched_current(), ep, 0) : -COWL_EBADF;
}

int64_t sys_reply(struct trapframe *tf)
{
    (void)tf;
    return ipc_reply(sched_current(), 0);
}

int64_t sys_reply_recv(struct trapframe *tf)
{
    struct endpoint *ep = handle(tf_arg(tf, 0));
    if (!ep)
        return -COWL_EBADF;
    struct thread *t = sched_current(), *woken = 0;
    int64_t r = ipc_reply(t, &woken);
    if (r < 0 && r != -COWL_EPERM)
        return r;
    return ipc_recv(t, ep, woken);
}

/* Inlined into trap.c's entry (link-time optimization), so that the
 * message stays in registers. */
__attribute__((always_inline)) inline struct thread *sys_ipc_lane_answer(struct thread *t,
                                                                         uint64_t h, MSG_WORDS_ARGS)
{
    if (h >= NHANDLE || !t->proc->handles[h])
        return 0;
    return ipc_lane_answer(t, t->proc->handles[h], MSG_WORDS_PASS);
}

__attribute__((always_inline)) inline struct thread *sys_ipc_fast(struct thread *t, uint64_t num,
                                                                  uint64_t h, MSG_WORDS_ARGS)
{
    if (__builtin_expect(h >= NHANDLE || !t->proc->handles[h], 0))
        return 0; /* the slow path answers -EBADF */
    struct endpoint *ep = t->proc->handles[h];
    return num == SYSCALL_call ? ipc_fast_call(t, ep, MSG_WORDS_PASS)
                               : ipc_fast_reply_recv(t, ep, MSG_WORDS_PASS);
}
