/*
 * The pager as a process (cow=pager, cow=eager): its bring-up at boot and
 * the kernel's call to it. The kernel loads the pager's program (the one
 * that ships, or with `pager=hostile` the test build that lies), maps its
 * tables and the batch buffer, hands it a struct pager_boot, and from then
 * on calls it over IPC on behalf of the thread that needs a frame or a
 * decision; the answer comes back through the reply path (ipc.c), which
 * calls pager_call_done.
 */
#include "pager_client.h"
#include "bootargs.h"
#include "bootfs.h"
#include "exec.h"
#include "file.h"
#include "ipc.h"
#include "kvm.h"
#include "page.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "space.h"
#include "string.h"
#include "trap.h"

static struct proc *pager;
static struct endpoint *pager_ep;

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

/* Map the batch buffer (frames carved at boot) into the pager's space. */
static int map_batch_buffer(struct space *s, uint32_t *batch)
{
    uint64_t pa = (uint64_t)batch;
    for (uint64_t i = 0; i < COWL_BATCH_MAX * sizeof(uint32_t) / PAGE_SIZE; i++) {
        pte_t *pte = sv39_walk(s->root, COWL_PAGER_BATCH_VA + i * PAGE_SIZE, kvm_alloc_table, 0);
        if (!pte)
            return -1;
        *pte = pte_make(pa + i * PAGE_SIZE, PTE_USER_RW);
    }
    return 0;
}

/* Load the pager into p: its image and stack, its tables, the batch
 * buffer, and the boot record its entry receives in a0. */
static int load_pager(struct proc *p, uint32_t *batch)
{
    struct space *s = p->space;
    uint64_t entry, end, nframes = (user_pool_end - user_pool_base) / PAGE_SIZE;
    uint64_t table_pages = page_count(PAGER_TABLE_BYTES(nframes));
    if (exec_image(s, pager_program(), &entry, &end) < 0 ||
        space_map_new(s, COWL_PAGER_TABLE_VA, table_pages, PTE_R | PTE_W) < 0 ||
        map_batch_buffer(s, batch) < 0)
        return -1;
    struct pager_boot boot = {
        .pool_base = user_pool_base,
        .pool_frames = nframes,
        .reserved = pager_reserved(),
        .table_va = COWL_PAGER_TABLE_VA,
        .batch_va = COWL_PAGER_BATCH_VA,
        .bootargs_trace = bootarg_on("trace"),
        .lanes = 1,
    };
    uint64_t sp = (COWL_STACK_TOP - sizeof(boot)) & ~15UL;
    exec_poke(s, sp, &boot, sizeof(boot));
    s->heap = s->brk = end;
    exec_set_entry(p->thread, entry, sp, sp, 0);
    return 0;
}

void pager_service_start(uint32_t *batch)
{
    pager_ep = ipc_endpoint_new(0);
    pager = proc_create("pager", trap_thread_start, true);
    if (!pager_ep || !pager || load_pager(pager, batch) < 0)
        panic("boot: cannot start the pager");
    pager->pager = true;
    pager->handles[COWL_PAGER_EP] = pager_ep;
    pager_ep->receiver = pager;
    file_std_open(pager->files);
    pager->thread->state = T_RUNNABLE;
}

void pager_service_call(struct thread *t)
{
    ipc_kernel_call(t, pager_ep);
}

struct proc *pager_proc(void)
{
    return pager;
}

struct endpoint *pager_endpoint(void)
{
    return pager_ep;
}
