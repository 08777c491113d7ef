/*
 * A bounds-checked reader for flattened device trees (DTB, spec v17). It owns
 * no memory: a struct fdt describes a blob the caller keeps alive. fdt_open
 * checks the header and then walks every token of the structure block once,
 * so that after it succeeds every offset the other functions hand out lies
 * inside the blob, every name and string is NUL-terminated inside its block,
 * nodes are balanced and nested at most FDT_MAX_DEPTH deep, and the block ends
 * with FDT_END. The other functions still check what they read and answer a
 * negative error rather than trust that walk. Nodes are named by their offset
 * in the structure block (an int >= 0); negative ints are FDT_ERR_* codes.
 * Freestanding: no libc, no allocation, no global state.
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32

/* Error codes: every function that can fail returns one of these (< 0). The
 * last few are used by machine.c for trees that parse but lack what Cowl needs. */
enum fdt_error {
    FDT_ERR_NOTFOUND = -1,    /* no such node or property (not malformed) */
    FDT_ERR_TRUNCATED = -2,   /* blob smaller than its header says */
    FDT_ERR_BADMAGIC = -3,    /* not a device tree */
    FDT_ERR_BADVERSION = -4,  /* version < 16 or incompatible */
    FDT_ERR_BADLAYOUT = -5,   /* block offsets or sizes outside the blob, misaligned */
    FDT_ERR_BADTOKEN = -6,    /* unknown or truncated token */
    FDT_ERR_BADNAME = -7,     /* node name not terminated inside the block */
    FDT_ERR_BADPROP = -8,     /* property value runs past the block */
    FDT_ERR_BADSTRING = -9,   /* property name offset outside strings, or no NUL */
    FDT_ERR_BADNESTING = -10, /* unbalanced BEGIN_NODE/END_NODE, not one root */
    FDT_ERR_TOODEEP = -11,    /* nesting deeper than FDT_MAX_DEPTH */
    FDT_ERR_NOEND = -12,      /* no FDT_END at the end of the structure block */
    FDT_ERR_BADRSV = -13,     /* memory reservation block unterminated */
    FDT_ERR_BADVALUE = -14,   /* property has the wrong size or an unusable value */
    FDT_ERR_NORAM = -15,      /* no usable /memory node */
    FDT_ERR_NOHARTS = -16,    /* no enabled /cpus/cpu node */
    FDT_ERR_NOTIMEBASE = -17, /* no /cpus timebase-frequency */
    FDT_ERR_NOUART = -18,     /* no ns16550a node */
    FDT_ERR_NOSPACE = -19,    /* more reserved regions than the caller can hold */
    FDT_ERR_BADOFFSET = -20,  /* an int passed as a node is not one */
};

/* A checked blob. Offsets are from the start of the blob. */
struct fdt {
    const uint8_t *blob;
    uint32_t size;
    uint32_t struct_off, struct_size;
    uint32_t strings_off, strings_size;
    uint32_t rsv_off, nrsv;
};

/* One property. data has len readable bytes; name is NUL-terminated. */
struct fdt_prop {
    const char *name;
    const uint8_t *data;
    uint32_t len;
};

/* A depth-first walk over all nodes that remembers each node's ancestors. */
struct fdt_walk {
    int node;                /* current node, or an error before the first */
    int depth;               /* root is 0 */
    int path[FDT_MAX_DEPTH]; /* path[d]: ancestor at depth d; path[depth] == node */
};

/* A short English description of err (any int; unknown codes get a generic text). */
const char *fdt_strerror(int err);

/* Check the blob at blob, of which at most max_size bytes may be read, and fill
 * *f. 0 on success, or an error; *f is only usable after success. */
int fdt_open(struct fdt *f, const void *blob, size_t max_size);

/* The root node's offset. */
int fdt_root(const struct fdt *f);
/* The node's name (without the path), "" for the root, NULL if node is bad. */
const char *fdt_node_name(const struct fdt *f, int node);
/* True if name equals want, or equals want followed by "@unit-address"
 * (false for a NULL name). */
bool fdt_name_matches(const char *name, const char *want);
/* First child of node, next sibling of node: FDT_ERR_NOTFOUND when none. */
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
/* The node at an absolute path such as "/cpus/cpu@0" (components matched
 * with fdt_name_matches). */
int fdt_path(const struct fdt *f, const char *path);

/* Start a walk; each fdt_walk_next returns the next node in tree order
 * (the root first), FDT_ERR_NOTFOUND after the last, or an error. */
void fdt_walk_start(struct fdt_walk *w);
int fdt_walk_next(const struct fdt *f, struct fdt_walk *w);
/* The current node's parent, FDT_ERR_NOTFOUND at the root. */
int fdt_walk_parent(const struct fdt_walk *w);

/* Look up the property name of node into *p: 0, FDT_ERR_NOTFOUND or an error. */
int fdt_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *p);
/* Iterate node's properties: start with *cursor = 0; 0 and *p filled, then
 * FDT_ERR_NOTFOUND after the last. */
int fdt_next_prop(const struct fdt *f, int node, int *cursor, struct fdt_prop *p);

/* Big-endian loads from unaligned memory the caller has checked. */
uint32_t fdt_be32(const uint8_t *p);
uint64_t fdt_be64(const uint8_t *p);
/* The value as one 32-bit cell (len 4). */
int fdt_prop_u32(const struct fdt_prop *p, uint32_t *out);
/* The value as one or two cells (len 4 or 8). */
int fdt_prop_u64(const struct fdt_prop *p, uint64_t *out);
/* Cells [first, first + ncells) as one number; ncells is 0, 1 or 2 (0 gives 0). */
int fdt_prop_cells(const struct fdt_prop *p, uint32_t first, uint32_t ncells, uint64_t *out);
/* The value as a NUL-terminated string (its last byte is the first NUL). */
int fdt_prop_string(const struct fdt_prop *p, const char **out);
/* True if the value is exactly the string s. */
bool fdt_prop_is(const struct fdt_prop *p, const char *s);
/* True if the value is a list of NUL-terminated strings, one of them s. */
bool fdt_prop_has_string(const struct fdt_prop *p, const char *s);

/* node's #address-cells and #size-cells (for its children's reg), with the
 * spec's defaults 2 and 1; an error if present with a size other than 4 or a
 * value above 4. */
int fdt_address_cells(const struct fdt *f, int node);
int fdt_size_cells(const struct fdt *f, int node);
/* Entry index of node's reg, decoded with parent's cells (each at most 2). */
int fdt_reg(const struct fdt *f, int parent, int node, uint32_t index, uint64_t *base,
            uint64_t *size);
/* node's phandle property (or legacy linux,phandle). */
int fdt_phandle(const struct fdt *f, int node, uint32_t *out);

/* Entry index of the memory reservation block, FDT_ERR_NOTFOUND past the last. */
int fdt_rsv(const struct fdt *f, uint32_t index, uint64_t *base, uint64_t *size);

#endif
