/*
 * The device-tree reader. All reads of the structure block go through
 * token_at, which decodes one token and checks that the token, its node name
 * or its property value, and the property's name in the strings block all lie
 * inside their blocks. Every loop over tokens moves forward by at least one
 * 4-byte token per step and stops at the end of the block, so no input makes
 * it read out of bounds or loop for ever. Offsets are computed in 64 bits so
 * that no sum wraps; fdt_open rejects blobs above 2 GiB so that node offsets
 * fit in an int.
 */
#include "fdt.h"

#define HEADER_SIZE 40 /* v17 header; v16 lacks only size_dt_struct */
#define RSV_ENTRY   16
#define MAX_CELLS   4

enum fdt_tag {
    TAG_BEGIN_NODE = 1,
    TAG_END_NODE = 2,
    TAG_PROP = 3,
    TAG_NOP = 4,
    TAG_END = 9,
};

/* One decoded token: where the next one starts and, for BEGIN_NODE and PROP,
 * the name and value, all already checked to lie inside the blob. */
struct token {
    uint32_t tag;
    uint32_t next;
    const char *name;
    const uint8_t *data;
    uint32_t len;
};

const char *fdt_strerror(int err)
{
    switch (err) {
    case 0:
        return "no error";
    case FDT_ERR_NOTFOUND:
        return "not found";
    case FDT_ERR_TRUNCATED:
        return "blob truncated (totalsize beyond the readable size)";
    case FDT_ERR_BADMAGIC:
        return "bad magic, not a device tree";
    case FDT_ERR_BADVERSION:
        return "unsupported device tree version";
    case FDT_ERR_BADLAYOUT:
        return "header block offsets or sizes out of bounds";
    case FDT_ERR_BADTOKEN:
        return "bad or truncated structure token";
    case FDT_ERR_BADNAME:
        return "node name not terminated";
    case FDT_ERR_BADPROP:
        return "property value runs past the structure block";
    case FDT_ERR_BADSTRING:
        return "property name outside the strings block";
    case FDT_ERR_BADNESTING:
        return "unbalanced nodes";
    case FDT_ERR_TOODEEP:
        return "nodes nested too deep";
    case FDT_ERR_NOEND:
        return "structure block has no FDT_END";
    case FDT_ERR_BADRSV:
        return "memory reservation block not terminated";
    case FDT_ERR_BADVALUE:
        return "property has a bad size or value";
    case FDT_ERR_NORAM:
        return "no /memory node with a reg";
    case FDT_ERR_NOHARTS:
        return "no enabled hart under /cpus";
    case FDT_ERR_NOTIMEBASE:
        return "no /cpus timebase-frequency";
    case FDT_ERR_NOUART:
        return "no ns16550a uart";
    case FDT_ERR_NOSPACE:
        return "too many reserved memory regions";
    case FDT_ERR_BADOFFSET:
        return "not a node offset";
    default:
        return "unknown device tree error";
    }
}

uint32_t fdt_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_be64(const uint8_t *p)
{
    return (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Index of the first NUL in p[from, end), or -1 if there is none. */
static int64_t find_nul(const uint8_t *p, uint64_t from, uint64_t end)
{
    for (uint64_t i = from; i < end; i++)
        if (p[i] == 0)
            return (int64_t)i;
    return -1;
}

/* True if off + size lies inside [lo, total] without wrapping. */
static bool block_ok(uint64_t off, uint64_t size, uint64_t lo, uint64_t total)
{
    return off >= lo && off <= total && size <= total - off;
}

/* Name of the property whose strings-block offset is off, or NULL if it
 * does not start and end (NUL included) inside the strings block. */
static const char *string_at(const struct fdt *f, uint32_t off)
{
    const uint8_t *s = f->blob + f->strings_off;
    if (off >= f->strings_size || find_nul(s, off, f->strings_size) < 0)
        return 0;
    return (const char *)s + off;
}

/* Decode the PROP token whose header (len, nameoff) starts at struct offset
 * at, filling t. */
static int decode_prop(const struct fdt *f, uint64_t at, struct token *t)
{
    const uint8_t *s = f->blob + f->struct_off;
    if (at + 8 > f->struct_size)
        return FDT_ERR_BADTOKEN;
    t->len = fdt_be32(s + at);
    t->name = string_at(f, fdt_be32(s + at + 4));
    if (!t->name)
        return FDT_ERR_BADSTRING;
    if (t->len > f->struct_size - (at + 8))
        return FDT_ERR_BADPROP;
    t->data = s + at + 8;
    t->next = (uint32_t)((at + 8 + t->len + 3) & ~3ULL);
    return 0;
}

/* Decode the token at structure-block offset off into *t. 0 or an error; on
 * success t->next > off (it may lie past the block, for the caller to stop). */
static int token_at(const struct fdt *f, int64_t off, struct token *t)
{
    const uint8_t *s = f->blob + f->struct_off;
    if (off < 0 || off % 4 || (uint64_t)off + 4 > f->struct_size)
        return FDT_ERR_BADTOKEN;
    t->tag = fdt_be32(s + off);
    t->next = (uint32_t)off + 4;
    t->name = 0;
    t->data = 0;
    t->len = 0;
    switch (t->tag) {
    case TAG_BEGIN_NODE: {
        int64_t nul = find_nul(s, (uint64_t)off + 4, f->struct_size);
        if (nul < 0)
            return FDT_ERR_BADNAME;
        t->name = (const char *)s + off + 4;
        t->next = (uint32_t)(((uint64_t)nul + 1 + 3) & ~3ULL);
        return 0;
    }
    case TAG_PROP:
        return decode_prop(f, (uint64_t)off + 4, t);
    case TAG_END_NODE:
    case TAG_NOP:
    case TAG_END:
        return 0;
    default:
        return FDT_ERR_BADTOKEN;
    }
}

/* Walk the whole structure block once: exactly one root, balanced nodes, no
 * property outside a node, depth at most FDT_MAX_DEPTH, then FDT_END. */
static int check_structure(const struct fdt *f)
{
    uint64_t off = 0;
    int depth = 0;
    bool rooted = false;
    while (off < f->struct_size) {
        struct token t;
        int err = token_at(f, (int64_t)off, &t);
        if (err)
            return err;
        off = t.next;
        if (t.tag == TAG_BEGIN_NODE) {
            if (depth == 0 && rooted)
                return FDT_ERR_BADNESTING;
            rooted = true;
            if (++depth > FDT_MAX_DEPTH)
                return FDT_ERR_TOODEEP;
        } else if (t.tag == TAG_END_NODE || t.tag == TAG_PROP) {
            if (depth == 0)
                return FDT_ERR_BADNESTING;
            depth -= t.tag == TAG_END_NODE;
        } else if (t.tag == TAG_END) {
            return depth == 0 && rooted ? 0 : FDT_ERR_BADNESTING;
        }
    }
    return FDT_ERR_NOEND;
}

/* Count the reservation entries up to the all-zero terminator, which must lie
 * inside the blob. */
static int count_rsv(struct fdt *f)
{
    for (uint64_t at = f->rsv_off;; at += RSV_ENTRY) {
        if (at + RSV_ENTRY > f->size)
            return FDT_ERR_BADRSV;
        if (fdt_be64(f->blob + at) == 0 && fdt_be64(f->blob + at + 8) == 0)
            return 0;
        f->nrsv++;
    }
}

/* Check the header fields against each other and against max_size. */
static int check_header(struct fdt *f, const uint8_t *b, size_t max_size)
{
    if (max_size < 4)
        return FDT_ERR_TRUNCATED;
    if (fdt_be32(b) != FDT_MAGIC)
        return FDT_ERR_BADMAGIC;
    if (max_size < HEADER_SIZE)
        return FDT_ERR_TRUNCATED;
    uint32_t total = fdt_be32(b + 4), version = fdt_be32(b + 20);
    if (total > max_size)
        return FDT_ERR_TRUNCATED;
    if (version < 16 || fdt_be32(b + 24) > 17)
        return FDT_ERR_BADVERSION;
    if (total < HEADER_SIZE || total > INT32_MAX)
        return FDT_ERR_BADLAYOUT;
    f->blob = b;
    f->size = total;
    f->struct_off = fdt_be32(b + 8);
    f->strings_off = fdt_be32(b + 12);
    f->rsv_off = fdt_be32(b + 16);
    f->strings_size = fdt_be32(b + 32);
    /* v16 has no struct size; FDT_END still bounds the walk */
    f->struct_size = version >= 17            ? fdt_be32(b + 36)
                     : f->struct_off <= total ? total - f->struct_off
                                              : 0;
    f->nrsv = 0;
    if (!block_ok(f->struct_off, f->struct_size, HEADER_SIZE, total) ||
        !block_ok(f->strings_off, f->strings_size, HEADER_SIZE, total) ||
        !block_ok(f->rsv_off, 0, HEADER_SIZE, total) || f->struct_off % 4 || f->rsv_off % 8)
        return FDT_ERR_BADLAYOUT;
    return 0;
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size)
{
    if (!blob)
        return FDT_ERR_TRUNCATED;
    int err = check_header(f, blob, max_size);
    if (err == 0)
        err = count_rsv(f);
    if (err == 0)
        err = check_structure(f);
    return err;
}

/* Offset of the first token at or after off that is not a NOP (and, if
 * props is true, not a PROP either), or an error. */
static int64_t skip(const struct fdt *f, int64_t off, bool props)
{
    struct token t;
    if (off < 0)
        return off;
    for (;;) {
        int err = token_at(f, off, &t);
        if (err)
            return err;
        if (t.tag != TAG_NOP && !(props && t.tag == TAG_PROP))
            return off;
        off = t.next;
    }
}

/* Offset just past node's BEGIN_NODE token and name. */
static int64_t node_body(const struct fdt *f, int node)
{
    struct token t;
    if (node < 0)
        return node;
    if (token_at(f, node, &t) || t.tag != TAG_BEGIN_NODE)
        return FDT_ERR_BADOFFSET;
    return t.next;
}

/* node, if off holds a BEGIN_NODE token; FDT_ERR_NOTFOUND if it holds
 * another token; or the error off carries. */
static int node_or_none(const struct fdt *f, int64_t off)
{
    struct token t;
    if (off < 0)
        return (int)off;
    int err = token_at(f, off, &t);
    if (err)
        return err;
    return t.tag == TAG_BEGIN_NODE ? (int)off : FDT_ERR_NOTFOUND;
}

int fdt_root(const struct fdt *f)
{
    return node_or_none(f, skip(f, 0, false));
}

const char *fdt_node_name(const struct fdt *f, int node)
{
    struct token t;
    if (node < 0 || token_at(f, node, &t) || t.tag != TAG_BEGIN_NODE)
        return 0;
    return t.name;
}

/* fdt_name_matches, with want given as want[0..n). */
static bool name_matches_n(const char *name, const char *want, uint64_t n)
{
    uint64_t i = 0;
    if (!name)
        return false;
    for (; i < n; i++)
        if (name[i] != want[i] || name[i] == 0)
            return false;
    return name[i] == 0 || name[i] == '@';
}

bool fdt_name_matches(const char *name, const char *want)
{
    uint64_t n = 0;
    while (want[n])
        n++;
    return name_matches_n(name, want, n);
}

int fdt_first_child(const struct fdt *f, int node)
{
    return node_or_none(f, skip(f, node_body(f, node), true));
}

/* Offset just past node's matching END_NODE. */
static int64_t node_end(const struct fdt *f, int node)
{
    int64_t off = node_body(f, node);
    int depth = 1;
    struct token t;
    while (off >= 0) {
        int err = token_at(f, off, &t);
        if (err)
            return err;
        off = t.next;
        if (t.tag == TAG_BEGIN_NODE)
            depth++;
        else if (t.tag == TAG_END_NODE && --depth == 0)
            return off;
        else if (t.tag == TAG_END)
            return FDT_ERR_BADNESTING;
    }
    return off;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
    return node_or_none(f, skip(f, node_end(f, node), false));
}

/* The child of parent matching want[0..n). */
static int subnode_n(const struct fdt *f, int parent, const char *want, uint64_t n)
{
    int c = fdt_first_child(f, parent);
    for (; c >= 0; c = fdt_next_sibling(f, c))
        if (name_matches_n(fdt_node_name(f, c), want, n))
            return c;
    return c;
}

int fdt_path(const struct fdt *f, const char *path)
{
    if (path[0] != '/')
        return FDT_ERR_NOTFOUND;
    int node = fdt_root(f);
    while (node >= 0 && *path) {
        while (*path == '/')
            path++;
        uint64_t n = 0;
        while (path[n] && path[n] != '/')
            n++;
        if (n)
            node = subnode_n(f, node, path, n);
        path += n;
    }
    return node;
}

void fdt_walk_start(struct fdt_walk *w)
{
    w->node = FDT_ERR_NOTFOUND;
    w->depth = -1;
}

/* Enter the node at off, which sits at depth d. */
static int walk_enter(struct fdt_walk *w, int off, int d)
{
    if (d >= FDT_MAX_DEPTH)
        return w->node = FDT_ERR_TOODEEP;
    w->path[d] = off;
    w->depth = d;
    return w->node = off;
}

int fdt_walk_next(const struct fdt *f, struct fdt_walk *w)
{
    if (w->depth < 0) {
        int root = fdt_root(f);
        return root < 0 ? (w->node = root) : walk_enter(w, root, 0);
    }
    int64_t off = node_body(f, w->node);
    int d = w->depth + 1; /* depth a BEGIN_NODE found now would have */
    struct token t;
    while (off >= 0) {
        int err = token_at(f, off, &t);
        if (err)
            return w->node = err;
        if (t.tag == TAG_BEGIN_NODE)
            return d == 0 ? (w->node = FDT_ERR_BADNESTING) : walk_enter(w, (int)off, d);
        if (t.tag == TAG_END_NODE && --d < 0)
            return w->node = FDT_ERR_BADNESTING;
        if (t.tag == TAG_END)
            return w->node = FDT_ERR_NOTFOUND;
        off = t.next;
    }
    return w->node = (int)off;
}

int fdt_walk_parent(const struct fdt_walk *w)
{
    if (w->node < 0)
        return w->node;
    return w->depth > 0 ? w->path[w->depth - 1] : FDT_ERR_NOTFOUND;
}

int fdt_next_prop(const struct fdt *f, int node, int *cursor, struct fdt_prop *p)
{
    int64_t off = *cursor ? *cursor : node_body(f, node);
    struct token t;
    off = skip(f, off, false);
    if (off < 0)
        return (int)off;
    int err = token_at(f, off, &t);
    if (err)
        return err;
    if (t.tag != TAG_PROP)
        return FDT_ERR_NOTFOUND;
    p->name = t.name;
    p->data = t.data;
    p->len = t.len;
    *cursor = (int)t.next;
    return 0;
}

int fdt_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *p)
{
    int cursor = 0, err;
    while ((err = fdt_next_prop(f, node, &cursor, p)) == 0)
        if (str_eq(p->name, name))
            return 0;
    return err;
}

int fdt_prop_cells(const struct fdt_prop *p, uint32_t first, uint32_t ncells, uint64_t *out)
{
    if (ncells > 2 || ((uint64_t)first + ncells) * 4 > p->len)
        return FDT_ERR_BADVALUE;
    uint64_t v = 0;
    for (uint32_t i = 0; i < ncells; i++)
        v = v << 32 | fdt_be32(p->data + 4 * ((uint64_t)first + i));
    *out = v;
    return 0;
}

int fdt_prop_u32(const struct fdt_prop *p, uint32_t *out)
{
    if (p->len != 4)
        return FDT_ERR_BADVALUE;
    *out = fdt_be32(p->data);
    return 0;
}

int fdt_prop_u64(const struct fdt_prop *p, uint64_t *out)
{
    if (p->len != 4 && p->len != 8)
        return FDT_ERR_BADVALUE;
    return fdt_prop_cells(p, 0, p->len / 4, out);
}

int fdt_prop_string(const struct fdt_prop *p, const char **out)
{
    if (p->len == 0 || find_nul(p->data, 0, p->len) != (int64_t)p->len - 1)
        return FDT_ERR_BADVALUE;
    *out = (const char *)p->data;
    return 0;
}

bool fdt_prop_is(const struct fdt_prop *p, const char *s)
{
    const char *v;
    return fdt_prop_string(p, &v) == 0 && str_eq(v, s);
}

bool fdt_prop_has_string(const struct fdt_prop *p, const char *s)
{
    uint64_t at = 0;
    while (at < p->len) {
        int64_t nul = find_nul(p->data, at, p->len);
        if (nul < 0)
            return false;
        if (str_eq((const char *)p->data + at, s))
            return true;
        at = (uint64_t)nul + 1;
    }
    return false;
}

/* node's property name as a cell count, or dflt if absent. */
static int cells(const struct fdt *f, int node, const char *name, int dflt)
{
    struct fdt_prop p;
    uint32_t v;
    int err = fdt_prop(f, node, name, &p);
    if (err == FDT_ERR_NOTFOUND)
        return dflt;
    if (err == 0)
        err = fdt_prop_u32(&p, &v);
    if (err == 0 && v > MAX_CELLS)
        err = FDT_ERR_BADVALUE;
    return err ? err : (int)v;
}

int fdt_address_cells(const struct fdt *f, int node)
{
    return cells(f, node, "#address-cells", 2);
}

int fdt_size_cells(const struct fdt *f, int node)
{
    return cells(f, node, "#size-cells", 1);
}

int fdt_reg(const struct fdt *f, int parent, int node, uint32_t index, uint64_t *base,
            uint64_t *size)
{
    int ac = fdt_address_cells(f, parent), sc = fdt_size_cells(f, parent);
    if (ac < 0 || sc < 0)
        return ac < 0 ? ac : sc;
    if (ac < 1 || ac > 2 || sc > 2)
        return FDT_ERR_BADVALUE;
    struct fdt_prop p;
    int err = fdt_prop(f, node, "reg", &p);
    if (err)
        return err;
    uint32_t entry = (uint32_t)(ac + sc);
    if (p.len % (4 * entry))
        return FDT_ERR_BADVALUE;
    if (index >= p.len / (4 * entry))
        return FDT_ERR_NOTFOUND;
    err = fdt_prop_cells(&p, index * entry, (uint32_t)ac, base);
    return err ? err : fdt_prop_cells(&p, index * entry + (uint32_t)ac, (uint32_t)sc, size);
}

int fdt_phandle(const struct fdt *f, int node, uint32_t *out)
{
    struct fdt_prop p;
    int err = fdt_prop(f, node, "phandle", &p);
    if (err == FDT_ERR_NOTFOUND)
        err = fdt_prop(f, node, "linux,phandle", &p);
    return err ? err : fdt_prop_u32(&p, out);
}

int fdt_rsv(const struct fdt *f, uint32_t index, uint64_t *base, uint64_t *size)
{
    if (index >= f->nrsv)
        return FDT_ERR_NOTFOUND;
    const uint8_t *e = f->blob + f->rsv_off + (uint64_t)index * RSV_ENTRY;
    *base = fdt_be64(e);
    *size = fdt_be64(e + 8);
    return 0;
}
