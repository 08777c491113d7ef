/*
 * The pager as a process (cow=pager, cow=eager): its bring-up at boot and
 * the kernel's call to it. The kernel loads the pager's program (the one
 * that ships, or with `pager=hostile` the test build that lies), maps its
 * tables and the batch buffers, starts one thread per lane (lane i pinned
 * to hart index i, waiting on its own endpoint) and a thread for user
 * processes' pings (on the endpoint they hold as handle 0, so that no user
 * process ever touches a lane's endpoint), hands every thread the same
 * struct pager_boot, and from then on calls the lane of the hart it is on,
 * over IPC, on behalf of the thread that needs a frame or a decision. So a
 * fault's hand-off never crosses harts, and faults on different harts are
 * decided at once. The answer comes back through the reply path (ipc.c),
 * which calls pager_call_done.
 */
#include "pager_client.h"
#include "bootargs.h"
#include "bootfs.h"
#include "exec.h"
#include "file.h"
#include "cpu.h"
#include "ipc.h"
#include "kvm.h"
#include "lock.h"
#include "page.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "space.h"
#include "string.h"
#include "trap.h"

static struct proc *pager;
static struct endpoint *lane_ep[COWL_PAGER_LANES_MAX];
static struct endpoint *ping_ep; /* user processes' handle 0: the ping thread's */
static unsigned nlanes;

/* The pager's program: `pager=hostile` boots the test build that lies. */
static const char *pager_program(void)
{
    char which[16];
    if (bootarg_get("pager", which, sizeof(which)) &&
        !strncmp(which, "hostile", sizeof("hostile"))) {
        printk("cowl: starting the hostile test pager (pager=hostile)\n");
        return "pager-hostile";
    }
    return "pager";
}

/* Map the batch buffers (frames carved at boot) into the pager's space. */
static int map_batch_buffers(struct space *s, uint32_t *batches)
{
    uint64_t pa = (uint64_t)batches;
    for (uint64_t i = 0; i < nlanes * COWL_BATCH_BYTES / PAGE_SIZE; i++) {
        pte_t *pte = sv39_walk(s->root, COWL_PAGER_BATCH_VA + i * PAGE_SIZE, kvm_alloc_table, 0);
        if (!pte)
            return -1;
        *pte = pte_make(pa + i * PAGE_SIZE, PTE_USER_RW);
    }
    return 0;
}

/* Map the stacks of lanes 1.. and of the ping thread (lane 0 runs on the
 * exec stack). Before the boot record is made: their frames are carved from
 * the pool too. */
static int map_lane_stacks(struct space *s)
{
    for (unsigned i = 1; i <= nlanes; i++)
        if (space_map_new(s, COWL_PAGER_LANE_STACK(i) - COWL_STACK_PAGES * PAGE_SIZE,
                          COWL_STACK_PAGES, PTE_R | PTE_W) < 0)
            return -1;
    return 0;
}

/* Start lane i of the pager: a thread of p (lane 0's is p's own) pinned to
 * hart index i, entering at entry on stack sp with the boot record at
 * boot_va in a0 and i in a1. Lane nlanes is the ping thread, on any hart. */
static int start_lane(struct proc *p, unsigned i, uint64_t entry, uint64_t sp, uint64_t boot_va)
{
    struct thread *t = i ? sched_thread_alloc(trap_thread_start) : p->thread;
    if (!t)
        return -1;
    t->proc = p;
    t->pinned = i < nlanes ? &cpus[i] : 0;
    t->lane_cpu = i < nlanes && nlanes == ncpu ? &cpus[i] : 0;
    exec_set_entry(t, entry, sp, boot_va, i);
    t->state = T_RUNNABLE;
    return 0;
}

/* Load the pager into p: its image and stacks, its tables, the batch
 * buffers, the boot record every lane's entry receives, and its lanes. */
static int load_pager(struct proc *p, uint32_t *batches)
{
    struct space *s = p->space;
    uint64_t entry, end, nframes = (user_pool_end - user_pool_base) / PAGE_SIZE;
    uint64_t table_pages = page_count(PAGER_TABLE_BYTES(nframes));
    if (exec_image(s, pager_program(), &entry, &end) < 0 ||
        space_map_new(s, COWL_PAGER_TABLE_VA, table_pages, PTE_R | PTE_W) < 0 ||
        map_batch_buffers(s, batches) < 0 || map_lane_stacks(s) < 0)
        return -1;
    struct pager_boot boot = {
        .pool_base = user_pool_base,
        .pool_frames = nframes,
        .reserved = pager_reserved(),
        .table_va = COWL_PAGER_TABLE_VA,
        .batch_va = COWL_PAGER_BATCH_VA,
        .bootargs_trace = bootarg_on("trace"),
        .lanes = nlanes,
    };
    uint64_t boot_va = (COWL_STACK_TOP - sizeof(boot)) & ~15UL;
    exec_poke(s, boot_va, &boot, sizeof(boot));
    s->heap = s->brk = end;
    for (unsigned i = 0; i <= nlanes; i++)
        if (start_lane(p, i, entry, i ? COWL_PAGER_LANE_STACK(i) : boot_va, boot_va) < 0)
            return -1;
    return 0;
}

void pager_service_start(uint32_t *batches, unsigned lanes)
{
    nlanes = lanes;
    pager = proc_create("pager", trap_thread_start, true);
    if (!pager)
        panic("boot: cannot start the pager");
    for (unsigned i = 0; i < nlanes; i++) {
        lane_ep[i] = ipc_endpoint_new(pager);
        if (!lane_ep[i])
            panic("boot: cannot start the pager");
        pager->handles[COWL_PAGER_EP + i] = lane_ep[i];
    }
    ping_ep = ipc_endpoint_new(pager);
    if (!ping_ep)
        panic("boot: cannot start the pager");
    pager->handles[COWL_PAGER_EP + nlanes] = ping_ep;
    if (load_pager(pager, batches) < 0)
        panic("boot: cannot start the pager");
    pager->pager = true;
    file_std_open(pager->files);
}

/* The call under big_lock, to the lane of this hart. The caller gets back
 * the lock state it came with, whichever path the answer took (a lane
 * answers without the lock when it can: ipc_lane_answer). */
void pager_service_call(struct thread *t)
{
    bool held = spin_held(&big_lock);
    if (!held)
        spin_lock(&big_lock);
    ipc_kernel_call(t, lane_ep[pager_lane_here()]);
    if (!held && spin_held(&big_lock))
        spin_unlock(&big_lock);
    else if (held && !spin_held(&big_lock))
        spin_lock(&big_lock);
}

/* The call the locked way, on the current thread's stack, and on to resume. */
static __attribute__((noinline, noreturn)) void service_fault_locked(void (*resume)(void))
{
    pager_service_call(sched_current());
    resume();
    __builtin_unreachable();
}

/* A user store's fault goes to the lane of this hart without big_lock when
 * that lane is this hart's alone (a lane per hart) and waits: its endpoint
 * and its thread are then touched by this hart only (docs/design.md, "The
 * hand-off without big_lock"). Otherwise it takes the lock. */
void pager_service_fault(struct thread *t, void (*resume)(void))
{
    if (nlanes == ncpu) {
        struct thread *r = ipc_lane_take(t, lane_ep[this_cpu()->index]); /* a lane per hart */
        if (r)
            sched_leave_for_user(resume, r);
    }
    service_fault_locked(resume);
}

struct proc *pager_proc(void)
{
    return pager;
}

struct endpoint *pager_endpoint(void)
{
    return ping_ep;
}
