/*
 * Open files: the console, the two ends of a pipe, or a program of the boot
 * image opened read-only. Shared between descriptors by reference count.
 */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include <stdint.h>
#include "copy.h"

struct file;

/* Fill fds 0, 1 and 2 with the console. */
void file_std_open(struct file **files);
struct file *file_open(const char *path);
int file_pipe(struct file **rd, struct file **wr);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int64_t file_read(struct file *f, uva_t dst, uint64_t n);
int64_t file_write(struct file *f, uva_t src, uint64_t n);
/* Open-file records in use; *npipes gets the pipes in use. */
uint64_t file_count(uint64_t *npipes);

#endif
