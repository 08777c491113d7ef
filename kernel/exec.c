/*
 * ELF64 loading. Everything in the file is checked before use: the header,
 * the program-header table, and each PT_LOAD's offsets and sizes (inside the
 * file, no overflow, memsz >= filesz, within the image window above
 * COWL_USER_BASE). Segments map with their own permissions (R-X, R--, RW-);
 * the stack gets COWL_STACK_PAGES pages under COWL_STACK_TOP with an unmapped
 * guard page below. A bad program makes exec fail before the old image is
 * touched.
 */
#include "exec.h"
#include "lock.h"
#include "page.h"
#include "bootfs.h"
#include "copy.h"
#include "kvm.h"
#include "machine.h"
#include "panic.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "space.h"
#include "string.h"
#include "trace.h"

#define IMAGE_LIMIT (COWL_USER_BASE + (1UL << 30)) /* programs live in the first GiB */
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2
#define PF_R        4
#define EM_RISCV    243

struct elf_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Copy into s at va through the direct map, whatever the page's permissions. */
void exec_poke(struct space *s, uint64_t va, const void *from, uint64_t n)
{
    const uint8_t *src = from;
    while (n) {
        pte_t *pte = space_pte(s, va);
        ASSERT(pte);
        uint64_t chunk = PAGE_SIZE - (va & PAGE_MASK);
        chunk = chunk < n ? chunk : n;
        memcpy((void *)(pte_pa(*pte) + (va & PAGE_MASK)), src, chunk);
        va += chunk;
        src += chunk;
        n -= chunk;
    }
}

static int check_header(const struct elf_header *h, uint64_t size)
{
    if (size < sizeof(*h) || memcmp(h->ident, "\177ELF\2\1", 6) || h->type != 2 ||
        h->machine != EM_RISCV || h->phentsize != sizeof(struct elf_phdr) || h->phnum > 16 ||
        h->phoff > size || (uint64_t)h->phnum * sizeof(struct elf_phdr) > size - h->phoff)
        return -1;
    return 0;
}

static int check_segment(const struct elf_phdr *ph, uint64_t size)
{
    if (ph->offset > size || ph->filesz > size - ph->offset || ph->memsz < ph->filesz)
        return -1;
    if (ph->vaddr < COWL_USER_BASE || ph->memsz > IMAGE_LIMIT - ph->vaddr ||
        ph->vaddr >= IMAGE_LIMIT)
        return -1;
    return 0;
}

static uint64_t segment_flags(uint32_t pf)
{
    return ((pf & PF_R) ? PTE_R : 0) | ((pf & PF_W) ? PTE_W : 0) | ((pf & PF_X) ? PTE_X : 0);
}

/* Load every PT_LOAD of the ELF file into s; *end is the first byte after. */
static int load_elf(struct space *s, const uint8_t *data, uint64_t size, uint64_t *entry,
                    uint64_t *end)
{
    const struct elf_header *h = (const void *)data;
    if (check_header(h, size) < 0)
        return -COWL_ENOEXEC;
    const struct elf_phdr *phdrs = (const void *)(data + h->phoff);
    *end = COWL_USER_BASE;
    for (int i = 0; i < h->phnum; i++) {
        const struct elf_phdr *ph = &phdrs[i];
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (check_segment(ph, size) < 0 || !(ph->flags & PF_R))
            return -COWL_ENOEXEC;
        uint64_t first = ph->vaddr & ~4095UL;
        uint64_t last = page_up(ph->vaddr + ph->memsz);
        if (space_map_new(s, first, (last - first) / PAGE_SIZE, segment_flags(ph->flags)) < 0)
            return -COWL_ENOMEM;
        exec_poke(s, ph->vaddr, data + ph->offset, ph->filesz);
        *end = last > *end ? last : *end;
    }
    if (h->entry < COWL_USER_BASE || h->entry >= *end)
        return -COWL_ENOEXEC;
    *entry = h->entry;
    return 0;
}

static int map_stack(struct space *s)
{
    uint64_t base = COWL_STACK_TOP - COWL_STACK_PAGES * PAGE_SIZE;
    return space_map_new(s, base, COWL_STACK_PAGES, PTE_R | PTE_W) < 0 ? -COWL_ENOMEM : 0;
}

/* Bytes the argument strings take on the stack, each 16-byte aligned. */
static uint64_t args_stack_bytes(const char *args, int argc)
{
    uint64_t total = 0;
    for (int i = 0; i < argc; i++) {
        uint64_t n = strlen(args) + 1;
        total += (n + 15) & ~15UL;
        args += n;
    }
    return total;
}

/* Push the argument strings and, below them, the argv pointer array; returns
 * sp (16-byte aligned), 0 if they do not fit. One pointer is written at a
 * time, so the kernel stack holds no array of them. */
static uint64_t push_args(struct space *s, const char *args, int argc, uint64_t *uargv)
{
    uint64_t strings = args_stack_bytes(args, argc), ptr_bytes = (argc + 1) * sizeof(uint64_t);
    uint64_t sp = (COWL_STACK_TOP - strings - ptr_bytes) & ~15UL, str = COWL_STACK_TOP, zero = 0;
    if (strings + ptr_bytes + 16 > COWL_STACK_PAGES * PAGE_SIZE)
        return 0;
    for (int i = 0; i < argc; i++) {
        uint64_t n = strlen(args) + 1;
        str -= (n + 15) & ~15UL;
        if (copy_out(s, str, args, n) < 0 || copy_out(s, sp + i * 8, &str, 8) < 0)
            return 0;
        args += n;
    }
    if (copy_out(s, sp + argc * 8, &zero, 8) < 0)
        return 0;
    *uargv = sp;
    return sp;
}

void exec_set_entry(struct thread *t, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{
    uint64_t kernel_sp = t->tf.kernel_sp;
    t->tf = (struct trapframe){.sepc = pc, .kernel_sp = kernel_sp};
    tf_set_sp(&t->tf, sp);
    tf_set_result(&t->tf, a0); /* a0 and a1: main's argc and argv */
    tf_msg(&t->tf)[0] = a1;
}

int exec_image(struct space *s, const char *name, uint64_t *entry, uint64_t *end)
{
    const struct bootfs_file *f = bootfs_find(name);
    if (!f)
        return -COWL_ENOENT;
    int err = load_elf(s, f->data, f->size, entry, end);
    return err ? err : map_stack(s);
}

int exec_program(const char *name, const char *args, int argc)
{
    ASSERT(spin_held(&big_lock));
    const struct bootfs_file *f = bootfs_find(name);
    if (!f)
        return -COWL_ENOENT;
    if (argc > COWL_EXEC_MAX_ARGS)
        return -COWL_E2BIG;
    struct space *s = space_create(false);
    if (!s)
        return -COWL_ENOMEM;
    uint64_t entry, end, uargv = 0, sp = 0;
    int err = exec_image(s, name, &entry, &end);
    if (!err && !(sp = push_args(s, args, argc, &uargv)))
        err = -COWL_E2BIG;
    if (err) {
        space_destroy(s);
        return err;
    }
    struct proc *p = proc_current();
    struct space *old = p->space;
    s->heap = s->brk = end;
    p->space = s;
    strlcpy(p->name, f->name, sizeof(p->name));
    trace_exec((uint32_t)p->pid, p->name);
    exec_set_entry(p->thread, entry, sp, (uint64_t)argc, uargv);
    space_activate(s);
    space_destroy(old);
    return argc;
}
