/*
 * Frame-service requests. In the pager modes a request is an IPC call to the
 * pager's endpoint made by the kernel on the current thread's behalf, which
 * blocks until the reply. In cow=kernel the same policy (pager/policy.c)
 * answers at once, under big_lock, with no IPC.
 *
 * Before the pool is handed over, the pager's own image, stack and tables are
 * carved from the start of the pool (frames_reserve); those frames start
 * with count 1 in the pager's table.
 */
#include "frames.h"
#include "ipc.h"
#include "machine.h"
#include "panic.h"
#include "policy.h"
#include "printk.h"
#include "ratelimit.h"
#include "proc.h"
#include "sched.h"
#include "selftest.h"
#include "thread.h"

#if defined(COW_MODE_KERNEL)
#define COW_MODE COWL_MODE_KERNEL
#elif defined(COW_MODE_EAGER)
#define COW_MODE COWL_MODE_EAGER
#else
#define COW_MODE COWL_MODE_PAGER
#endif

#define BATCH_PAGES (COWL_BATCH_MAX * sizeof(uint32_t) / 4096)

static uint32_t *batch; /* reserved frames; mapped into the pager too */
static bool batch_busy;
static uint32_t next_seq = 1;
static uint64_t reserved_end; /* end of the frames carved for the pager */
static uint64_t last_value;   /* .free of the last batch reply (PG_AUDIT) */
static uint64_t refused;
static struct proc *pager;
static struct endpoint *pager_ep;
#ifdef COW_MODE_KERNEL
static struct pool kernel_pool;
extern struct machine machine;
#endif

bool frames_in_pool(uint64_t pa)
{
    return pa >= reserved_end && pa < user_pool_end && !(pa & 4095);
}

uint64_t frames_reserve(uint64_t npages)
{
    uint64_t pa = reserved_end;
    if (pa + npages * 4096 > user_pool_end)
        panic("frames: the pool cannot hold the pager");
    reserved_end += npages * 4096;
    return pa;
}

uint64_t frames_reserved(void)
{
    return (reserved_end - user_pool_base) / 4096;
}

uint32_t *frames_batch_begin(void)
{
    while (batch_busy)
        sched_sleep(&batch_busy);
    batch_busy = true;
    return batch;
}

void frames_batch_end(void)
{
    batch_busy = false;
    sched_wakeup(&batch_busy);
}

/* The request number lies where each layout puts it. */
static uint32_t *seq_of(struct cowl_msg *req)
{
    if (((struct pg_fault_msg *)req)->label == PG_FAULT)
        return &((struct pg_fault_msg *)req)->seq;
    return &((struct pg_batch_msg *)req)->seq;
}

/* One request/reply with the frame service for the current thread. A reply
 * that answers another request counts as a refusal (PG_FAIL, or PG_KILL for
 * a fault), never as a panic: the kernel checks the pager, it does not trust it. */
static void service_call(struct cowl_msg *req, struct cowl_msg *reply)
{
    uint32_t seq = *seq_of(req) = next_seq++;
#ifdef COW_MODE_KERNEL
    pool_handle(&kernel_pool, req, batch, reply);
#else
    struct thread *t = sched_current();
    ipc_kernel_call(t, pager_ep, req);
    *reply = t->kreply;
#endif
    struct pg_reply_msg *r = (struct pg_reply_msg *)reply;
    if (r->seq != seq) {
        frames_refused("cowl: the pager answered request %u with seq %u\n", seq, r->seq);
        r->label = ((struct pg_fault_msg *)req)->label == PG_FAULT ? PG_KILL : PG_FAIL;
    }
}

uint32_t frames_batch_call(uint32_t label, uint64_t count, uint64_t first)
{
    ASSERT(batch_busy);
    union {
        struct cowl_msg m;
        struct pg_batch_msg b;
        struct pg_reply_msg r;
    } req = {.b = {.label = label, .count = count, .first = first}}, reply;
    struct thread *t = sched_current();
    req.b.space = t ? (uint64_t)t->proc->pid : 0;
    service_call(&req.m, &reply.m);
    last_value = reply.r.free;
    return reply.r.label;
}

void frames_fault(struct thread *t, struct pg_fault_msg *req, struct pg_reply_msg *reply)
{
    (void)t;
    service_call((struct cowl_msg *)req, (struct cowl_msg *)reply);
}

int frames_stat(struct cowl_poolstat *st)
{
    union {
        struct cowl_msg m;
        struct pg_batch_msg b;
        struct pg_reply_msg r;
    } req = {.b = {.label = PG_STAT}}, reply;
    service_call(&req.m, &reply.m);
    if (reply.r.label != PG_OK)
        return -1;
    *st = (struct cowl_poolstat){reply.r.free + reply.r.used, reply.r.free, reply.r.used,
                                 reply.r.shared, COW_MODE};
    return 0;
}

int frames_trace(bool on)
{
    frames_batch_begin();
    uint32_t r = frames_batch_call(PG_TRACE, on, 0);
    frames_batch_end();
    return r == PG_OK ? 0 : -1;
}

void frames_refused(const char *fmt, ...)
{
    static struct ratelimit rl;
    refused++;
    if (!ratelimit_allow(&rl))
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

uint64_t frames_refused_count(void)
{
    return refused;
}

uint64_t frames_audit_result(void)
{
    return last_value;
}

struct proc *frames_pager(void)
{
    return pager;
}

struct endpoint *frames_pager_endpoint(void)
{
    return pager_ep;
}

#ifdef COW_MODE_KERNEL
void policy_trace_line(const char *line)
{
    printk("%s", line);
}
#endif

void frames_init(void)
{
    reserved_end = user_pool_base;
    batch = (uint32_t *)frames_reserve(BATCH_PAGES);
#ifdef COW_MODE_KERNEL
    uint64_t nframes = (user_pool_end - user_pool_base) / 4096;
    uint64_t table = frames_reserve((PAGER_TABLE_BYTES(nframes) + 4095) / 4096);
    uint32_t reserved = (uint32_t)((reserved_end - user_pool_base) / 4096);
    if (!pool_init(&kernel_pool, user_pool_base >> 12, (uint32_t)nframes, reserved, (void *)table))
        panic("frames: cannot set up the in-kernel pool");
    kernel_pool.trace = bootarg_on(machine.bootargs, "trace"); /* as the pager reads it */
#else
    pager_ep = ipc_endpoint_new(0);
    pager = proc_create_pager(pager_ep, (uint64_t)batch);
#endif
}
