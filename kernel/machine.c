/*
 * Reads struct machine out of a device tree with the checked reader in fdt.c.
 * It looks only where the virt machine (and the spec) put things: RAM under
 * the root's memory nodes, harts under /cpus, devices anywhere, found by
 * compatible string and decoded with their parent's #address-cells and
 * #size-cells. A device whose status is present and not "okay" is ignored.
 * Anything the kernel cannot boot without (RAM, a hart, the timebase, the
 * uart) is an error; the rest is left zero. Too many reserved regions is an
 * error too, since dropping one would let the kernel hand it out.
 */
#include "machine.h"
#include "arch/riscv/cause.h"

#define NO_CONTEXT UINT32_MAX

/* The phandle of each taken hart's interrupt-controller child (0 if none),
 * for matching the PLIC's interrupts-extended against; and the hart whose
 * place in the table is kept until it appears. */
struct hart_intc {
    uint32_t phandle[MAX_HARTS];
    uint32_t boot_hart;
    bool boot_seen;
};

static bool enabled(const struct fdt *f, int node)
{
    struct fdt_prop p;
    return fdt_prop(f, node, "status", &p) != 0 || fdt_prop_is(&p, "okay");
}

/* True if node's compatible list contains a or b (b may be NULL). */
static bool compatible(const struct fdt *f, int node, const char *a, const char *b)
{
    struct fdt_prop p;
    if (fdt_prop(f, node, "compatible", &p) != 0)
        return false;
    return fdt_prop_has_string(&p, a) || (b && fdt_prop_has_string(&p, b));
}

static bool has_prop(const struct fdt *f, int node, const char *name)
{
    struct fdt_prop p;
    return fdt_prop(f, node, name, &p) == 0;
}

/* True if the ISA string s names the multi-letter extension ext, which must
 * follow an '_' and end at '_' or the end of the string. */
static bool isa_has(const char *s, const char *ext)
{
    for (; *s; s++) {
        if (*s != '_')
            continue;
        const char *a = s + 1, *b = ext;
        while (*b && *a == *b) {
            a++;
            b++;
        }
        if (*b == 0 && (*a == 0 || *a == '_'))
            return true;
    }
    return false;
}

static bool hart_has_sstc(const struct fdt *f, int cpu)
{
    struct fdt_prop p;
    const char *isa;
    if (fdt_prop(f, cpu, "riscv,isa-extensions", &p) == 0 && fdt_prop_has_string(&p, "sstc"))
        return true;
    return fdt_prop(f, cpu, "riscv,isa", &p) == 0 && fdt_prop_string(&p, &isa) == 0 &&
           isa_has(isa, "sstc");
}

/* The phandle of cpu's interrupt-controller child, 0 if it has none. */
static uint32_t intc_phandle(const struct fdt *f, int cpu)
{
    uint32_t ph = 0;
    for (int c = fdt_first_child(f, cpu); c >= 0; c = fdt_next_sibling(f, c))
        if (has_prop(f, c, "interrupt-controller") && fdt_phandle(f, c, &ph) == 0)
            return ph;
    return 0;
}

/* True if the table has room for hart id, keeping the last place for the
 * boot hart until it appears. */
static bool hart_fits(const struct machine *m, const struct hart_intc *intc, uint32_t id)
{
    uint32_t room = MAX_HARTS;
    if (!intc->boot_seen && id != intc->boot_hart)
        room--;
    return m->nharts < room;
}

/* Record the enabled hart at cpu (a child of cpus) if it fits. */
static int add_hart(const struct fdt *f, int cpus, int cpu, struct machine *m,
                    struct hart_intc *intc)
{
    uint64_t id, unused;
    int err = fdt_reg(f, cpus, cpu, 0, &id, &unused);
    if (err)
        return err == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : err;
    if (id > UINT32_MAX)
        return FDT_ERR_BADVALUE;
    m->sstc = m->sstc && hart_has_sstc(f, cpu);
    m->nharts_listed++;
    if (!hart_fits(m, intc, (uint32_t)id))
        return 0;
    intc->boot_seen = intc->boot_seen || id == intc->boot_hart;
    intc->phandle[m->nharts] = intc_phandle(f, cpu);
    m->plic_context[m->nharts] = NO_CONTEXT;
    m->hart_ids[m->nharts++] = (uint32_t)id;
    return 0;
}

/* The enabled harts under /cpus and the timebase. Harts that do not fit
 * are counted and still decide sstc. */
static int read_cpus(const struct fdt *f, struct machine *m, struct hart_intc *intc)
{
    struct fdt_prop p;
    int cpus = fdt_path(f, "/cpus");
    if (cpus < 0)
        return cpus == FDT_ERR_NOTFOUND ? FDT_ERR_NOHARTS : cpus;
    m->sstc = true;
    for (int c = fdt_first_child(f, cpus); c >= 0; c = fdt_next_sibling(f, c)) {
        if (!fdt_name_matches(fdt_node_name(f, c), "cpu") || !enabled(f, c))
            continue;
        int err = add_hart(f, cpus, c, m, intc);
        if (err)
            return err;
    }
    if (m->nharts == 0) {
        m->sstc = false;
        return FDT_ERR_NOHARTS;
    }
    if (fdt_prop(f, cpus, "timebase-frequency", &p) != 0 ||
        fdt_prop_u64(&p, &m->timebase_hz) != 0 || m->timebase_hz == 0)
        return FDT_ERR_NOTIMEBASE;
    return 0;
}

/* The first reg entry of the first memory node under the root. */
static int read_ram(const struct fdt *f, struct machine *m)
{
    int root = fdt_root(f);
    for (int c = fdt_first_child(f, root); c >= 0; c = fdt_next_sibling(f, c)) {
        struct fdt_prop p;
        bool is_mem = fdt_prop(f, c, "device_type", &p) == 0 && fdt_prop_is(&p, "memory");
        if (!is_mem && !fdt_name_matches(fdt_node_name(f, c), "memory"))
            continue;
        int err = fdt_reg(f, root, c, 0, &m->ram.base, &m->ram.size);
        if (err == 0 && m->ram.size == 0)
            err = FDT_ERR_NORAM;
        return err == FDT_ERR_NOTFOUND ? FDT_ERR_NORAM : err;
    }
    return FDT_ERR_NORAM;
}

/* Give each hart whose interrupt controller appears in the PLIC's
 * interrupts-extended with irq 9 the index of that pair as its context. */
static int read_plic_contexts(const struct fdt *f, int plic, struct machine *m,
                              const struct hart_intc *intc)
{
    struct fdt_prop p;
    int err = fdt_prop(f, plic, "interrupts-extended", &p);
    if (err)
        return err == FDT_ERR_NOTFOUND ? 0 : err;
    if (p.len % 8)
        return FDT_ERR_BADVALUE;
    for (uint32_t ctx = 0; ctx < p.len / 8; ctx++) {
        uint32_t ph = fdt_be32(p.data + 8 * ctx), irq = fdt_be32(p.data + 8 * ctx + 4);
        for (uint32_t h = 0; h < m->nharts; h++)
            if (irq == IRQ_S_EXT && ph != 0 && intc->phandle[h] == ph)
                m->plic_context[h] = ctx;
    }
    return 0;
}

static int read_uart(const struct fdt *f, int parent, int node, struct machine *m)
{
    struct fdt_prop p;
    uint64_t irq = 0;
    int err = fdt_reg(f, parent, node, 0, &m->uart.base, &m->uart.size);
    if (err == 0)
        err = fdt_prop(f, node, "interrupts", &p);
    if (err == 0)
        err = fdt_prop_cells(&p, 0, 1, &irq);
    m->uart_irq = (uint32_t)irq;
    return err == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : err;
}

static int read_plic(const struct fdt *f, int parent, int node, struct machine *m,
                     const struct hart_intc *intc)
{
    struct fdt_prop p;
    int err = fdt_reg(f, parent, node, 0, &m->plic.base, &m->plic.size);
    if (err == 0)
        err = fdt_prop(f, node, "riscv,ndev", &p);
    if (err == 0)
        err = fdt_prop_u32(&p, &m->plic_ndev);
    if (err == 0)
        err = read_plic_contexts(f, node, m, intc);
    return err == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : err;
}

static int read_virtio(const struct fdt *f, int parent, int node, struct machine *m)
{
    struct machine_region *r = &m->virtio[m->nvirtio];
    int err = fdt_reg(f, parent, node, 0, &r->base, &r->size);
    if (err == 0)
        m->nvirtio++;
    return err;
}

/* The first enabled uart, PLIC and test device anywhere in the tree, and the
 * first MACHINE_MAX_VIRTIO virtio-mmio transports. */
static int read_devices(const struct fdt *f, struct machine *m, const struct hart_intc *intc)
{
    struct fdt_walk w;
    int node = 0, err = 0;
    fdt_walk_start(&w);
    while (err == 0 && (node = fdt_walk_next(f, &w)) >= 0) {
        int parent = fdt_walk_parent(&w);
        if (parent < 0 || !enabled(f, node))
            continue;
        if (m->uart.size == 0 && compatible(f, node, "ns16550a", 0))
            err = read_uart(f, parent, node, m);
        else if (m->plic.size == 0 && compatible(f, node, "riscv,plic0", "sifive,plic-1.0.0"))
            err = read_plic(f, parent, node, m, intc);
        else if (m->test.size == 0 && compatible(f, node, "sifive,test0", "sifive,test1"))
            err = fdt_reg(f, parent, node, 0, &m->test.base, &m->test.size);
        else if (m->nvirtio < MACHINE_MAX_VIRTIO && compatible(f, node, "virtio,mmio", 0))
            err = read_virtio(f, parent, node, m);
    }
    if (err)
        return err == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : err;
    if (node != FDT_ERR_NOTFOUND)
        return node;
    return m->uart.size ? 0 : FDT_ERR_NOUART;
}

static int add_reserved(struct machine *m, uint64_t base, uint64_t size)
{
    if (m->nreserved == MACHINE_MAX_RESERVED)
        return FDT_ERR_NOSPACE;
    m->reserved[m->nreserved].base = base;
    m->reserved[m->nreserved++].size = size;
    return 0;
}

/* Every reg entry of every /reserved-memory child, then every entry of the
 * memory reservation block. */
static int read_reserved(const struct fdt *f, struct machine *m)
{
    uint64_t base, size;
    int err = 0, rm = fdt_path(f, "/reserved-memory");
    for (int c = fdt_first_child(f, rm); c >= 0 && !err; c = fdt_next_sibling(f, c)) {
        for (uint32_t i = 0; !err && (err = fdt_reg(f, rm, c, i, &base, &size)) == 0; i++)
            err = add_reserved(m, base, size);
        err = err == FDT_ERR_NOTFOUND ? 0 : err;
    }
    for (uint32_t i = 0; !err && fdt_rsv(f, i, &base, &size) == 0; i++)
        err = add_reserved(m, base, size);
    return err;
}

/* /chosen bootargs, cut to fit and always terminated. */
static void read_bootargs(const struct fdt *f, struct machine *m)
{
    struct fdt_prop p;
    uint32_t n = 0;
    if (fdt_prop(f, fdt_path(f, "/chosen"), "bootargs", &p) == 0)
        for (; n < p.len && n < MACHINE_BOOTARGS_MAX - 1 && p.data[n]; n++)
            m->bootargs[n] = (char)p.data[n];
    m->bootargs[n] = 0;
}

int machine_from_fdt(const void *blob, size_t max_size, uint32_t boot_hart, struct machine *m)
{
    struct fdt f;
    struct hart_intc intc = {.boot_hart = boot_hart};
    *m = (struct machine){0};
    int err = fdt_open(&f, blob, max_size);
    if (err == 0)
        err = read_ram(&f, m);
    if (err == 0)
        err = read_cpus(&f, m, &intc);
    if (err == 0)
        err = read_devices(&f, m, &intc);
    if (err == 0)
        err = read_reserved(&f, m);
    if (err == 0)
        read_bootargs(&f, m);
    return err;
}
