/*
 * The boot image: the programs meson built, packed into the kernel by
 * tools/mkbootfs.py. Read-only.
 */
#ifndef KERNEL_BOOTFS_H
#define KERNEL_BOOTFS_H

#include <stdint.h>

struct bootfs_file {
    const char *name;
    const uint8_t *data;
    uint64_t size;
};

/* The file named name (a leading '/' is ignored), or 0. */
const struct bootfs_file *bootfs_find(const char *name);
/* The k-th file of the image (k from 0), or 0 past the last. */
const struct bootfs_file *bootfs_at(uint64_t k);

#endif
