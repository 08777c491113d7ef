/*
 * Lookup and listing of the table the generated bootfs.S provides.
 */
#include "bootfs.h"
#include "string.h"

extern const struct bootfs_file bootfs_files[];
extern const uint64_t bootfs_count;

const struct bootfs_file *bootfs_find(const char *name)
{
    while (*name == '/')
        name++;
    for (uint64_t i = 0; i < bootfs_count; i++) {
        size_t n = strlen(bootfs_files[i].name);
        if (!strncmp(bootfs_files[i].name, name, n + 1))
            return &bootfs_files[i];
    }
    return 0;
}

const struct bootfs_file *bootfs_at(uint64_t k)
{
    return k < bootfs_count ? &bootfs_files[k] : 0;
}
