/*
 * Host test of the device-tree reader (fdt.c) and the boot facts drawn from
 * it (machine.c). Good input: device trees dumped from QEMU's virt machine
 * (fixtures in the directory given as argv[1]) and small trees built here.
 * Bad input: mutations of those blobs, each of which must give a negative
 * error and never an out-of-bounds read (every blob sits in a heap block of
 * exactly its size, so AddressSanitizer catches a read past it). Each case
 * runs in its own process (unit.h), so a crash fails that case alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fdt.h"
#include "machine.h"
#include "unit.h"

#define MIB (1024ULL * 1024ULL)

#define BEGIN_NODE 1
#define END_NODE   2
#define PROP       3
#define NOP        4
#define END        9

/* Header field offsets. */
#define H_TOTALSIZE   4
#define H_OFF_STRUCT  8
#define H_OFF_STRINGS 12
#define H_OFF_RSV     16
#define H_SIZE_STRS   32
#define H_SIZE_STRUCT 36

struct blob {
    uint8_t *data;
    size_t size;
};

static const char *fixture_dir;

/* <string.h> here is the kernel's (the include path puts kernel/ first), which
 * has no strcmp. */
static bool streq(const char *a, const char *b)
{
    return strlen(a) == strlen(b) && memcmp(a, b, strlen(a)) == 0;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A heap copy of n bytes of src in a block of exactly n bytes. */
static struct blob copy(const uint8_t *src, size_t n)
{
    struct blob b = {malloc(n ? n : 1), n};
    if (n)
        memcpy(b.data, src, n);
    return b;
}

static struct blob load(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    FILE *fp = fopen(path, "rb");
    EXPECT(fp, "cannot open %s", path);
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return copy(buf, n);
}

static struct blob fixture_2h(void)
{
    return load("virt-2h-128m.dtb");
}

/* Parse b as a machine and expect error code want (or any error if want is 1). */
static void expect_machine_err(struct blob b, int want, const char *what)
{
    struct machine m;
    int err = machine_from_fdt(b.data, b.size, 100, &m);
    if (want == 1)
        EXPECT(err < 0, "%s: expected an error, got success", what);
    else
        EXPECT(err == want, "%s: expected %d (%s), got %d (%s)", what, want, fdt_strerror(want),
               err, fdt_strerror(err));
}

/* Offsets (in the blob) of every structure token with the given tag. */
static size_t find_tokens(struct blob b, uint32_t tag, size_t *out, size_t max)
{
    struct fdt f;
    EXPECT(fdt_open(&f, b.data, b.size) == 0, "fixture does not open");
    size_t n = 0, off = f.struct_off, end = f.struct_off + f.struct_size;
    while (off < end) {
        uint32_t t = get32(b.data + off), at = (uint32_t)off;
        off += 4;
        if (t == BEGIN_NODE)
            off = (off + strlen((char *)b.data + off) + 1 + 3) & ~(size_t)3;
        else if (t == PROP)
            off = (off + 8 + get32(b.data + off) + 3) & ~(size_t)3;
        if (t == tag && n < max)
            out[n++] = at;
    }
    return n;
}

/* Replace every occurrence of from with to (same length) inside the
 * structure block. Returns how many were replaced. */
static int replace_in_struct(struct blob b, const char *from, const char *to)
{
    size_t start = get32(b.data + H_OFF_STRUCT), end = start + get32(b.data + H_SIZE_STRUCT);
    size_t n = strlen(from);
    int count = 0;
    for (size_t i = start; i + n <= end; i++)
        if (memcmp(b.data + i, from, n) == 0) {
            memcpy(b.data + i, to, n);
            count++;
        }
    return count;
}

/* ---- A small tree builder, for shapes QEMU does not produce. ---- */

struct builder {
    uint8_t st[32768];
    size_t n;
    char strs[16384]; /* names are not shared: 64 harts take 4 KiB */
    size_t ns;
    uint64_t rsv[2 * 16];
    size_t nrsv;
};

static void put(struct builder *b, uint32_t v)
{
    set32(b->st + b->n, v);
    b->n += 4;
}

static void begin(struct builder *b, const char *name)
{
    put(b, BEGIN_NODE);
    size_t len = strlen(name) + 1;
    memset(b->st + b->n, 0, (len + 3) & ~(size_t)3);
    memcpy(b->st + b->n, name, len);
    b->n += (len + 3) & ~(size_t)3;
}

static void end(struct builder *b)
{
    put(b, END_NODE);
}

static void prop(struct builder *b, const char *name, const void *data, size_t len)
{
    put(b, PROP);
    put(b, (uint32_t)len);
    put(b, (uint32_t)b->ns);
    memcpy(b->strs + b->ns, name, strlen(name) + 1);
    b->ns += strlen(name) + 1;
    memset(b->st + b->n, 0, (len + 3) & ~(size_t)3);
    memcpy(b->st + b->n, data, len);
    b->n += (len + 3) & ~(size_t)3;
}

static void prop_str(struct builder *b, const char *name, const char *s)
{
    prop(b, name, s, strlen(s) + 1);
}

/* A property of n 32-bit cells. */
static void prop_cells(struct builder *b, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        set32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    prop(b, name, buf, 4 * (size_t)n);
}

/* Lay out header, reservation block, structure and strings in one exact-size
 * heap block. */
static struct blob finish(struct builder *b)
{
    put(b, END);
    size_t rsv = 40, st = rsv + 16 * (b->nrsv + 1), strs = st + b->n, total = strs + b->ns;
    uint8_t *d = calloc(1, total);
    uint32_t hdr[10] = {
        FDT_MAGIC, (uint32_t)total, (uint32_t)st,  (uint32_t)strs, (uint32_t)rsv, 17, 16,
        0,         (uint32_t)b->ns, (uint32_t)b->n};
    for (int i = 0; i < 10; i++)
        set32(d + 4 * i, hdr[i]);
    for (size_t i = 0; i < 2 * b->nrsv; i++) {
        set32(d + rsv + 8 * i, (uint32_t)(b->rsv[i] >> 32));
        set32(d + rsv + 8 * i + 4, (uint32_t)b->rsv[i]);
    }
    memcpy(d + st, b->st, b->n);
    memcpy(d + strs, b->strs, b->ns);
    return (struct blob){d, total};
}

struct shape {
    int nharts;
    int disabled;           /* index of a hart with status "disabled", or -1 */
    const char *isa;        /* riscv,isa of every hart */
    int plain;              /* index of a hart whose riscv,isa is "rv64imac", or -1 */
    const char *extensions; /* riscv,isa-extensions list (NUL-separated), or NULL */
    size_t extensions_len;
    int nreserved;        /* children of /reserved-memory */
    const char *bootargs; /* or NULL */
};

static void build_cpus(struct builder *b, const struct shape *s)
{
    begin(b, "cpus");
    prop_cells(b, "#address-cells", 1, 1);
    prop_cells(b, "#size-cells", 1, 0);
    prop_cells(b, "timebase-frequency", 1, 10000000);
    for (int i = 0; i < s->nharts; i++) {
        char name[32];
        snprintf(name, sizeof name, "cpu@%d", i);
        begin(b, name);
        prop_str(b, "device_type", "cpu");
        prop_cells(b, "reg", 1, 100 + i);
        prop_str(b, "status", i == s->disabled ? "disabled" : "okay");
        prop_str(b, "riscv,isa", i == s->plain ? "rv64imac" : s->isa);
        if (s->extensions)
            prop(b, "riscv,isa-extensions", s->extensions, s->extensions_len);
        begin(b, "interrupt-controller");
        prop(b, "interrupt-controller", "", 0);
        prop_cells(b, "phandle", 1, 50 + i);
        end(b);
        end(b);
    }
    end(b);
}

static void build_soc(struct builder *b, const struct shape *s)
{
    begin(b, "soc");
    prop_cells(b, "#address-cells", 1, 1);
    prop_cells(b, "#size-cells", 1, 1);
    begin(b, "serial@10000000");
    prop_str(b, "compatible", "ns16550a");
    prop_cells(b, "reg", 2, 0x10000000, 0x100);
    prop_cells(b, "interrupts", 1, 10);
    end(b);
    begin(b, "plic@c000000");
    prop(b, "compatible", "sifive,plic-1.0.0\0riscv,plic0", 30);
    prop_cells(b, "reg", 2, 0xc000000, 0x600000);
    prop_cells(b, "riscv,ndev", 1, 31);
    /* context 0 is hart 1's M-mode, 1 is hart 0's S-mode, 2 is hart 1's S-mode */
    prop_cells(b, "interrupts-extended", 6, 51, 11, 50, 9, s->nharts > 1 ? 51 : 0, 9);
    end(b);
    end(b);
}

static void build_rest(struct builder *b, const struct shape *s)
{
    begin(b, "reserved-memory");
    prop_cells(b, "#address-cells", 1, 2);
    prop_cells(b, "#size-cells", 1, 2);
    for (int i = 0; i < s->nreserved; i++) {
        char name[32];
        snprintf(name, sizeof name, "mmode@%d", i);
        begin(b, name);
        prop_cells(b, "reg", 4, 0, 0x80000000 + 0x10000 * i, 0, 0x10000);
        end(b);
    }
    end(b);
    begin(b, "chosen");
    if (s->bootargs)
        prop_str(b, "bootargs", s->bootargs);
    end(b);
}

static struct blob build(const struct shape *s)
{
    static struct builder b;
    memset(&b, 0, sizeof b);
    begin(&b, "");
    prop_cells(&b, "#address-cells", 1, 2);
    prop_cells(&b, "#size-cells", 1, 2);
    begin(&b, "memory@80000000");
    prop_str(&b, "device_type", "memory");
    prop_cells(&b, "reg", 4, 0, 0x80000000, 0, 0x4000000);
    end(&b);
    build_cpus(&b, s);
    build_soc(&b, s);
    build_rest(&b, s);
    end(&b);
    return finish(&b);
}

static const struct shape base_shape = {
    .nharts = 2, .disabled = -1, .isa = "rv64imafdc_zicsr_sstc", .plain = -1, .nreserved = 1};

/* ---- Cases: good trees. ---- */

static void check_virt(const char *file, uint32_t harts, uint64_t ram, const char *bootargs)
{
    struct blob b = load(file);
    struct machine m;
    int err = machine_from_fdt(b.data, b.size, 100, &m);
    EXPECT(err == 0, "%s: %s", file, fdt_strerror(err));
    EXPECT(m.ram.base == 0x80000000 && m.ram.size == ram, "ram %#llx+%#llx",
           (unsigned long long)m.ram.base, (unsigned long long)m.ram.size);
    EXPECT(m.nharts == harts, "nharts %u", m.nharts);
    for (uint32_t i = 0; i < harts; i++) {
        EXPECT(m.hart_ids[i] == i, "hart_ids[%u] = %u", i, m.hart_ids[i]);
        EXPECT(m.plic_context[i] == 2 * i + 1, "plic_context[%u] = %u", i, m.plic_context[i]);
    }
    EXPECT(m.timebase_hz == 10000000, "timebase %llu", (unsigned long long)m.timebase_hz);
    EXPECT(m.sstc, "sstc not found");
    EXPECT(m.uart.base == 0x10000000 && m.uart.size == 0x100 && m.uart_irq == 10, "uart");
    EXPECT(m.plic.base == 0xc000000 && m.plic.size == 0x600000 && m.plic_ndev == 0x60, "plic");
    EXPECT(m.test.base == 0x100000 && m.test.size == 0x1000, "test device");
    EXPECT(m.nreserved == 0, "nreserved %u", m.nreserved);
    EXPECT(streq(m.bootargs, bootargs), "bootargs '%s'", m.bootargs);
}

static void virt_1h_64m(void)
{
    check_virt("virt-1h-64m.dtb", 1, 64 * MIB, "");
}

static void virt_2h_128m(void)
{
    check_virt("virt-2h-128m.dtb", 2, 128 * MIB, "");
}

static void virt_4h_512m(void)
{
    check_virt("virt-4h-512m.dtb", 4, 512 * MIB, "");
}

static void virt_bootargs(void)
{
    check_virt("virt-2h-128m-bootargs.dtb", 2, 128 * MIB, "test=boot run=echo hi");
}

static void path_lookup_and_props(void)
{
    struct blob b = fixture_2h();
    struct fdt f;
    struct fdt_prop p;
    uint32_t v;
    EXPECT(fdt_open(&f, b.data, b.size) == 0, "open");
    int cpu1 = fdt_path(&f, "/cpus/cpu@1");
    EXPECT(cpu1 >= 0 && streq(fdt_node_name(&f, cpu1), "cpu@1"), "/cpus/cpu@1");
    EXPECT(fdt_path(&f, "/soc/serial") >= 0, "unit address may be left out");
    EXPECT(fdt_path(&f, "/cpus/cpu@7") == FDT_ERR_NOTFOUND, "missing node is NOTFOUND");
    EXPECT(fdt_prop(&f, cpu1, "reg", &p) == 0 && fdt_prop_u32(&p, &v) == 0 && v == 1, "reg");
    EXPECT(fdt_prop(&f, cpu1, "nonesuch", &p) == FDT_ERR_NOTFOUND, "missing prop");
    EXPECT(fdt_address_cells(&f, fdt_path(&f, "/cpus")) == 1, "#address-cells");
    EXPECT(fdt_size_cells(&f, fdt_path(&f, "/cpus")) == 0, "#size-cells");
    int test = fdt_path(&f, "/soc/test@100000");
    EXPECT(fdt_prop(&f, test, "compatible", &p) == 0 && fdt_prop_has_string(&p, "sifive,test0") &&
               !fdt_prop_has_string(&p, "sifive,test"),
           "compatible list");
    int cursor = 0, n = 0;
    while (fdt_next_prop(&f, cpu1, &cursor, &p) == 0)
        n++;
    EXPECT(n == 7, "cpu@1 has %d properties, want 7", n);
}

static void walk_visits_every_node_with_parent(void)
{
    struct blob b = fixture_2h();
    struct fdt f;
    struct fdt_walk w;
    EXPECT(fdt_open(&f, b.data, b.size) == 0, "open");
    size_t begins[512];
    size_t nbegin = find_tokens(b, BEGIN_NODE, begins, 512);
    int n = 0, node, intc = 0;
    fdt_walk_start(&w);
    while ((node = fdt_walk_next(&f, &w)) >= 0) {
        EXPECT(f.struct_off + (size_t)node == begins[n], "node %d at wrong offset", n);
        n++;
        if (streq(fdt_node_name(&f, node), "interrupt-controller")) {
            EXPECT(w.depth == 3, "intc depth %d", w.depth);
            EXPECT(fdt_name_matches(fdt_node_name(&f, fdt_walk_parent(&w)), "cpu"), "parent");
            intc++;
        }
    }
    EXPECT(node == FDT_ERR_NOTFOUND, "walk ended with %s", fdt_strerror(node));
    EXPECT((size_t)n == nbegin && intc == 2, "visited %d of %zu nodes, %d intc", n, nbegin, intc);
}

/* Rebuild b with two memory reservation entries inserted before the
 * structure block. */
static struct blob with_rsv(struct blob b)
{
    size_t rsv = get32(b.data + H_OFF_RSV), ins = 32;
    struct blob n = {malloc(b.size + ins), b.size + ins};
    memcpy(n.data, b.data, rsv);
    memset(n.data + rsv, 0, ins);
    set32(n.data + rsv + 4, 0x80000000);
    set32(n.data + rsv + 12, 0x20000);
    set32(n.data + rsv + 20, 0x90000000);
    set32(n.data + rsv + 28, 0x1000);
    memcpy(n.data + rsv + ins, b.data + rsv, b.size - rsv);
    set32(n.data + H_TOTALSIZE, (uint32_t)n.size);
    set32(n.data + H_OFF_STRUCT, get32(b.data + H_OFF_STRUCT) + (uint32_t)ins);
    set32(n.data + H_OFF_STRINGS, get32(b.data + H_OFF_STRINGS) + (uint32_t)ins);
    return n;
}

static void reservation_block_becomes_reserved(void)
{
    struct blob b = with_rsv(fixture_2h());
    struct machine m;
    int err = machine_from_fdt(b.data, b.size, 100, &m);
    EXPECT(err == 0, "%s", fdt_strerror(err));
    EXPECT(m.nreserved == 2, "nreserved %u", m.nreserved);
    EXPECT(m.reserved[0].base == 0x80000000 && m.reserved[0].size == 0x20000, "entry 0");
    EXPECT(m.reserved[1].base == 0x90000000 && m.reserved[1].size == 0x1000, "entry 1");
}

static void built_tree_gives_machine(void)
{
    struct shape s = base_shape;
    s.nreserved = 2;
    s.bootargs = "trace";
    struct blob b = build(&s);
    struct machine m;
    int err = machine_from_fdt(b.data, b.size, 100, &m);
    EXPECT(err == 0, "%s", fdt_strerror(err));
    EXPECT(m.nharts == 2 && m.hart_ids[0] == 100 && m.hart_ids[1] == 101, "harts");
    EXPECT(m.plic_context[0] == 1 && m.plic_context[1] == 2, "contexts %u %u", m.plic_context[0],
           m.plic_context[1]);
    EXPECT(m.uart.base == 0x10000000 && m.uart.size == 0x100, "uart with 1-cell parent");
    EXPECT(m.nreserved == 2 && m.reserved[1].base == 0x80010000 && m.reserved[1].size == 0x10000,
           "reserved-memory children");
    EXPECT(m.test.size == 0 && streq(m.bootargs, "trace"), "test absent, bootargs");
}

static void hart_without_s_context_gets_none(void)
{
    struct shape s = base_shape;
    s.nharts = 1;
    struct blob b = build(&s);
    struct machine m;
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0, "parse");
    EXPECT(m.plic_context[0] == 1, "hart 0 context");
    s.nharts = 3;
    b = build(&s);
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0, "parse");
    EXPECT(m.plic_context[2] == UINT32_MAX, "hart 2 context %u", m.plic_context[2]);
}

static void disabled_hart_is_skipped(void)
{
    struct shape s = base_shape;
    s.nharts = 3;
    s.disabled = 1;
    struct blob b = build(&s);
    struct machine m;
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0, "parse");
    EXPECT(m.nharts == 2 && m.hart_ids[0] == 100 && m.hart_ids[1] == 102, "harts");
}

static void more_harts_than_max_keeps_first(void)
{
    struct shape s = base_shape;
    s.nharts = MAX_HARTS + 3;
    struct blob b = build(&s);
    struct machine m;
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0, "parse");
    EXPECT(m.nharts == MAX_HARTS, "nharts %u", m.nharts);
    for (uint32_t i = 0; i < MAX_HARTS; i++)
        EXPECT(m.hart_ids[i] == 100 + i, "hart %u", i);
}

static void boot_hart_past_max_is_kept(void)
{
    struct shape s = base_shape;
    s.nharts = MAX_HARTS + 3;
    struct blob b = build(&s);
    struct machine m;
    uint32_t boot = 100 + MAX_HARTS + 1;
    EXPECT(machine_from_fdt(b.data, b.size, boot, &m) == 0, "parse");
    EXPECT(m.nharts == MAX_HARTS && m.nharts_listed == MAX_HARTS + 3, "nharts %u of %u", m.nharts,
           m.nharts_listed);
    for (uint32_t i = 0; i + 1 < MAX_HARTS; i++)
        EXPECT(m.hart_ids[i] == 100 + i, "hart %u", i);
    EXPECT(m.hart_ids[MAX_HARTS - 1] == boot, "boot hart %u", m.hart_ids[MAX_HARTS - 1]);
}

static void sstc_needs_every_hart(void)
{
    struct shape s = base_shape;
    struct machine m;
    struct blob b;
    const char *no[] = {"rv64imafdc_zicsr", "rv64imafdc_sstcx", "rv64imafdc_xsstc", "rv64sstc"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        s.isa = no[i];
        b = build(&s);
        EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0 && !m.sstc, "%s is not sstc", no[i]);
    }
    s.isa = "rv64imafdc_sstc_zba";
    b = build(&s);
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0 && m.sstc, "sstc mid-string");
    s.plain = 1;
    b = build(&s);
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0 && !m.sstc, "one hart without sstc");
    s.plain = -1;
    s.isa = "rv64imafdc";
    s.extensions = "i\0m\0sstc";
    s.extensions_len = 9;
    b = build(&s);
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0 && m.sstc, "riscv,isa-extensions");
}

static void long_bootargs_are_truncated(void)
{
    char args[MACHINE_BOOTARGS_MAX + 100];
    memset(args, 'a', sizeof args - 1);
    args[sizeof args - 1] = 0;
    struct shape s = base_shape;
    s.bootargs = args;
    struct blob b = build(&s);
    struct machine m;
    EXPECT(machine_from_fdt(b.data, b.size, 100, &m) == 0, "parse");
    EXPECT(strlen(m.bootargs) == MACHINE_BOOTARGS_MAX - 1, "length %zu", strlen(m.bootargs));
}

static void nesting_at_max_depth_is_accepted(void)
{
    static struct builder bl;
    struct fdt f;
    struct fdt_walk w;
    for (int i = 0; i < FDT_MAX_DEPTH; i++)
        begin(&bl, i ? "n" : "");
    for (int i = 0; i < FDT_MAX_DEPTH; i++)
        end(&bl);
    struct blob b = finish(&bl);
    EXPECT(fdt_open(&f, b.data, b.size) == 0, "open");
    int node, n = 0;
    fdt_walk_start(&w);
    while ((node = fdt_walk_next(&f, &w)) >= 0)
        n++;
    EXPECT(n == FDT_MAX_DEPTH && node == FDT_ERR_NOTFOUND, "walked %d", n);
}

/* ---- Cases: bad trees. ---- */

static void every_prefix_is_rejected(void)
{
    struct blob b = fixture_2h();
    for (size_t len = 0; len < b.size; len++) {
        struct blob p = copy(b.data, len);
        struct fdt f;
        char what[64];
        snprintf(what, sizeof what, "prefix of %zu bytes", len);
        EXPECT(fdt_open(&f, p.data, p.size) < 0, "%s opens", what);
        expect_machine_err(p, len < 4 ? FDT_ERR_TRUNCATED : 1, what);
        if (len >= 8) {
            set32(p.data + H_TOTALSIZE, (uint32_t)len); /* and claims to be whole */
            expect_machine_err(p, 1, what);
        }
        free(p.data);
    }
}

static void every_struct_block_prefix_is_rejected(void)
{
    struct blob b = fixture_2h();
    uint32_t size = get32(b.data + H_SIZE_STRUCT);
    for (uint32_t k = 0; k < size; k++) {
        set32(b.data + H_SIZE_STRUCT, k);
        struct fdt f;
        int err = fdt_open(&f, b.data, b.size);
        EXPECT(err < 0, "struct block of %u bytes opens", k);
    }
}

static void bad_magic(void)
{
    struct blob b = fixture_2h();
    b.data[3] ^= 1;
    expect_machine_err(b, FDT_ERR_BADMAGIC, "magic");
}

static void totalsize_beyond_max_size(void)
{
    struct blob b = fixture_2h();
    struct machine m;
    EXPECT(machine_from_fdt(b.data, b.size - 1, 100, &m) == FDT_ERR_TRUNCATED, "max_size - 1");
    set32(b.data + H_TOTALSIZE, (uint32_t)b.size + 1);
    expect_machine_err(b, FDT_ERR_TRUNCATED, "totalsize + 1");
    set32(b.data + H_TOTALSIZE, 0xffffffff);
    expect_machine_err(b, FDT_ERR_TRUNCATED, "totalsize 4G");
}

static void bad_version(void)
{
    struct blob b = fixture_2h();
    set32(b.data + 20, 15);
    expect_machine_err(b, FDT_ERR_BADVERSION, "version 15");
}

/* Set the 32-bit header field at off to v and expect FDT_ERR_BADLAYOUT. */
static void expect_layout_err(uint32_t off, uint32_t v, const char *what)
{
    struct blob b = fixture_2h();
    set32(b.data + off, v);
    expect_machine_err(b, FDT_ERR_BADLAYOUT, what);
    free(b.data);
}

static void struct_block_out_of_bounds(void)
{
    struct blob b = fixture_2h();
    uint32_t off = get32(b.data + H_OFF_STRUCT), size = get32(b.data + H_SIZE_STRUCT);
    expect_layout_err(H_OFF_STRUCT, (uint32_t)b.size + 4, "struct offset past the end");
    expect_layout_err(H_OFF_STRUCT, (uint32_t)b.size - size + 4, "struct block past the end");
    expect_layout_err(H_OFF_STRUCT, 0xfffffffc, "struct offset wraps");
    expect_layout_err(H_OFF_STRUCT, 8, "struct offset inside the header");
    expect_layout_err(H_OFF_STRUCT, off + 2, "struct offset misaligned");
    expect_layout_err(H_SIZE_STRUCT, (uint32_t)b.size, "struct size past the end");
    expect_layout_err(H_SIZE_STRUCT, 0xffffffff, "struct size wraps");
}

static void strings_block_out_of_bounds(void)
{
    struct blob b = fixture_2h();
    expect_layout_err(H_OFF_STRINGS, (uint32_t)b.size + 1, "strings offset past the end");
    expect_layout_err(H_OFF_STRINGS, 0xffffffff, "strings offset wraps");
    expect_layout_err(H_SIZE_STRS, (uint32_t)b.size, "strings size past the end");
    expect_layout_err(H_OFF_RSV, (uint32_t)b.size + 8, "reservation offset past the end");
    expect_layout_err(H_OFF_RSV, 44, "reservation offset misaligned");
}

static void unterminated_reservation_block(void)
{
    struct blob b = fixture_2h();
    uint32_t rsv = get32(b.data + H_OFF_RSV);
    memset(b.data + rsv, 0xff, b.size - rsv);
    expect_machine_err(b, FDT_ERR_BADRSV, "reservation block filled with entries");
}

static void property_length_past_block(void)
{
    struct blob b = fixture_2h();
    size_t props[1024], n = find_tokens(b, PROP, props, 1024);
    uint32_t lens[] = {0xffffffff, 0xfffffff8, get32(b.data + H_SIZE_STRUCT)};
    for (size_t i = 0; i < 3; i++) {
        struct blob m = copy(b.data, b.size);
        set32(m.data + props[n / 2] + 4, lens[i]);
        expect_machine_err(m, FDT_ERR_BADPROP, "middle property");
        set32(m.data + props[n - 1] + 4, lens[i]);
        expect_machine_err(m, FDT_ERR_BADPROP, "last property");
        free(m.data);
    }
}

static void node_name_without_nul(void)
{
    struct blob b = fixture_2h();
    size_t nodes[512];
    find_tokens(b, BEGIN_NODE, nodes, 512);
    size_t end = get32(b.data + H_OFF_STRUCT) + get32(b.data + H_SIZE_STRUCT);
    memset(b.data + nodes[1] + 4, 'A', end - nodes[1] - 4);
    expect_machine_err(b, FDT_ERR_BADNAME, "name runs to the end of the block");
}

static void missing_fdt_end(void)
{
    struct blob b = fixture_2h();
    size_t ends[4];
    EXPECT(find_tokens(b, END, ends, 4) == 1, "one FDT_END");
    set32(b.data + ends[0], NOP);
    expect_machine_err(b, FDT_ERR_NOEND, "FDT_END made a NOP");
}

static void unbalanced_nodes(void)
{
    struct blob b = fixture_2h();
    size_t ends[512], end[1];
    size_t n = find_tokens(b, END_NODE, ends, 512);
    find_tokens(b, END, end, 1);
    struct blob m = copy(b.data, b.size);
    set32(m.data + ends[n - 1], NOP);
    expect_machine_err(m, FDT_ERR_BADNESTING, "root never closed");
    m = copy(b.data, b.size);
    set32(m.data + end[0], END_NODE);
    expect_machine_err(m, FDT_ERR_BADNESTING, "one END_NODE too many");
    m = copy(b.data, b.size);
    set32(m.data + ends[n - 1], BEGIN_NODE);
    expect_machine_err(m, 1, "a second root");
}

static void unknown_token(void)
{
    struct blob b = fixture_2h();
    size_t nops[4];
    find_tokens(b, END_NODE, nops, 4);
    set32(b.data + nops[0], 7);
    expect_machine_err(b, FDT_ERR_BADTOKEN, "token 7");
}

static void absurd_nesting_depth(void)
{
    static struct builder bl;
    for (int i = 0; i < 1000; i++)
        begin(&bl, i ? "n" : "");
    for (int i = 0; i < 1000; i++)
        end(&bl);
    struct blob b = finish(&bl);
    expect_machine_err(b, FDT_ERR_TOODEEP, "1000 levels");
    static struct builder one;
    for (int i = 0; i <= FDT_MAX_DEPTH; i++)
        begin(&one, i ? "n" : "");
    for (int i = 0; i <= FDT_MAX_DEPTH; i++)
        end(&one);
    b = finish(&one);
    expect_machine_err(b, FDT_ERR_TOODEEP, "FDT_MAX_DEPTH + 1 levels");
}

static void string_offset_past_strings_block(void)
{
    struct blob b = fixture_2h();
    size_t props[1024];
    find_tokens(b, PROP, props, 1024);
    uint32_t strs = get32(b.data + H_SIZE_STRS);
    uint32_t offs[] = {strs, strs + 100, 0xffffffff};
    for (size_t i = 0; i < 3; i++) {
        set32(b.data + props[3] + 8, offs[i]);
        expect_machine_err(b, FDT_ERR_BADSTRING, "name offset");
    }
}

static void string_without_nul(void)
{
    struct blob b = fixture_2h();
    size_t props[1024], n = find_tokens(b, PROP, props, 1024);
    uint32_t strs = get32(b.data + H_SIZE_STRS);
    /* point a property at the strings block's last byte, then make it not a NUL */
    set32(b.data + props[n - 1] + 8, strs - 1);
    b.data[get32(b.data + H_OFF_STRINGS) + strs - 1] = 'x';
    expect_machine_err(b, FDT_ERR_BADSTRING, "last string unterminated");
}

static void zero_harts(void)
{
    struct blob b = fixture_2h();
    EXPECT(replace_in_struct(b, "cpu@", "cpx@") == 2, "renamed cpu nodes");
    expect_machine_err(b, FDT_ERR_NOHARTS, "no cpu nodes");
    struct shape s = base_shape;
    s.nharts = 1;
    s.disabled = 0;
    expect_machine_err(build(&s), FDT_ERR_NOHARTS, "only hart disabled");
}

static void no_memory_node(void)
{
    struct blob b = fixture_2h();
    EXPECT(replace_in_struct(b, "memory", "memorx") >= 2, "renamed memory");
    expect_machine_err(b, FDT_ERR_NORAM, "no memory node");
}

static void no_uart(void)
{
    struct blob b = fixture_2h();
    EXPECT(replace_in_struct(b, "ns16550a", "ns16550x") == 1, "renamed uart");
    expect_machine_err(b, FDT_ERR_NOUART, "no uart");
}

static void no_timebase(void)
{
    struct blob b = fixture_2h();
    size_t strs = get32(b.data + H_OFF_STRINGS), n = get32(b.data + H_SIZE_STRS);
    uint8_t *tf = 0;
    for (size_t i = strs; i + 18 <= strs + n && !tf; i++)
        if (memcmp(b.data + i, "timebase-frequency", 18) == 0)
            tf = b.data + i;
    EXPECT(tf, "timebase string");
    *tf = 'x';
    expect_machine_err(b, FDT_ERR_NOTIMEBASE, "no timebase");
}

static void too_many_reserved_regions(void)
{
    struct shape s = base_shape;
    s.nreserved = MACHINE_MAX_RESERVED + 1;
    expect_machine_err(build(&s), FDT_ERR_NOSPACE, "9 reserved regions");
}

/* Flip each byte in turn: the parse may succeed or fail, but must not read
 * outside the blob or hang. */
static void every_byte_corruption_is_safe(void)
{
    struct blob b = fixture_2h();
    struct machine m;
    for (size_t i = 0; i < b.size; i++) {
        b.data[i] ^= 0xff;
        (void)machine_from_fdt(b.data, b.size, 100, &m);
        b.data[i] ^= 0xff;
        b.data[i] ^= 0x01;
        (void)machine_from_fdt(b.data, b.size, 100, &m);
        b.data[i] ^= 0x01;
    }
}

static void strerror_names_every_code(void)
{
    for (int e = 0; e >= FDT_ERR_BADOFFSET; e--) {
        const char *s = fdt_strerror(e);
        EXPECT(s && *s && !streq(s, fdt_strerror(1000)), "code %d has no text", e);
    }
}

static const struct unit_case cases[] = {
    {"virt 1 hart 64M parses", virt_1h_64m},
    {"virt 2 harts 128M parses", virt_2h_128m},
    {"virt 4 harts 512M parses with contexts 1,3,5,7", virt_4h_512m},
    {"virt bootargs are read from /chosen", virt_bootargs},
    {"path lookup and property helpers", path_lookup_and_props},
    {"walk visits every node in order with its parent", walk_visits_every_node_with_parent},
    {"memory reservation block becomes reserved regions", reservation_block_becomes_reserved},
    {"built tree: 1-cell soc, reserved-memory, contexts", built_tree_gives_machine},
    {"hart without an S-mode PLIC context gets none", hart_without_s_context_gets_none},
    {"disabled hart is skipped", disabled_hart_is_skipped},
    {"more harts than MAX_HARTS keeps the first", more_harts_than_max_keeps_first},
    {"a boot hart past MAX_HARTS keeps its place", boot_hart_past_max_is_kept},
    {"sstc only when every hart names the extension", sstc_needs_every_hart},
    {"long bootargs are truncated and terminated", long_bootargs_are_truncated},
    {"nesting of exactly FDT_MAX_DEPTH is accepted", nesting_at_max_depth_is_accepted},
    {"every prefix of a real blob is rejected", every_prefix_is_rejected},
    {"every structure block prefix is rejected", every_struct_block_prefix_is_rejected},
    {"bad magic is rejected", bad_magic},
    {"totalsize beyond max_size is rejected", totalsize_beyond_max_size},
    {"old version is rejected", bad_version},
    {"structure block out of bounds is rejected", struct_block_out_of_bounds},
    {"strings and reservation blocks out of bounds are rejected", strings_block_out_of_bounds},
    {"unterminated reservation block is rejected", unterminated_reservation_block},
    {"property length past the block is rejected", property_length_past_block},
    {"node name without NUL is rejected", node_name_without_nul},
    {"missing FDT_END is rejected", missing_fdt_end},
    {"unbalanced BEGIN/END_NODE is rejected", unbalanced_nodes},
    {"unknown token is rejected", unknown_token},
    {"absurd nesting depth is rejected", absurd_nesting_depth},
    {"string offset past the strings block is rejected", string_offset_past_strings_block},
    {"string without NUL is rejected", string_without_nul},
    {"zero harts is rejected", zero_harts},
    {"no memory node is rejected", no_memory_node},
    {"no uart is rejected", no_uart},
    {"no timebase is rejected", no_timebase},
    {"too many reserved regions is rejected", too_many_reserved_regions},
    {"every single-byte corruption parses or fails cleanly", every_byte_corruption_is_safe},
    {"fdt_strerror names every code", strerror_names_every_code},
};

/* Run one case in a child process; true if it exited 0. */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];
    return UNIT_CASES(cases);
}
