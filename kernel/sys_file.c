/*
 * File-descriptor syscalls. Descriptors are small indices into the
 * process's table, checked on every use.
 */
#include "copy.h"
#include "file.h"
#include "proc.h"
#include "sched.h"
#include "string.h"
#include "syscall.h"

static struct file *fd_file(uint64_t fd)
{
    return fd < NOFILE ? proc_current()->files[fd] : 0;
}

static int fd_install(struct file *f)
{
    struct proc *p = proc_current();
    for (int fd = 0; fd < NOFILE; fd++)
        if (!p->files[fd]) {
            p->files[fd] = f;
            return fd;
        }
    return -1;
}

int64_t sys_read(struct trapframe *tf)
{
    struct file *f = fd_file(tf_arg(tf, 0));
    if (!f || (int64_t)tf_arg(tf, 2) < 0)
        return -COWL_EBADF;
    return file_read(f, tf_arg(tf, 1), tf_arg(tf, 2));
}

int64_t sys_write(struct trapframe *tf)
{
    struct file *f = fd_file(tf_arg(tf, 0));
    if (!f || (int64_t)tf_arg(tf, 2) < 0)
        return -COWL_EBADF;
    return file_write(f, tf_arg(tf, 1), tf_arg(tf, 2));
}

int64_t sys_close(struct trapframe *tf)
{
    struct file *f = fd_file(tf_arg(tf, 0));
    if (!f)
        return -COWL_EBADF;
    proc_current()->files[tf_arg(tf, 0)] = 0;
    file_close(f);
    return 0;
}

int64_t sys_dup(struct trapframe *tf)
{
    struct file *f = fd_file(tf_arg(tf, 0));
    if (!f)
        return -COWL_EBADF;
    int fd = fd_install(f);
    if (fd < 0)
        return -COWL_ENOMEM;
    file_dup(f);
    return fd;
}

int64_t sys_open(struct trapframe *tf)
{
    char path[32];
    if (copy_in_str(proc_current()->space, path, tf_arg(tf, 0), sizeof(path)) < 0)
        return -COWL_EFAULT;
    if (tf_arg(tf, 1) != 0 && strncmp(path, "console", sizeof("console")))
        return -COWL_EPERM; /* the boot image is read-only */
    struct file *f = file_open(path);
    if (!f)
        return -COWL_ENOENT;
    int fd = fd_install(f);
    if (fd < 0)
        file_close(f);
    return fd < 0 ? -COWL_ENOMEM : fd;
}

int64_t sys_pipe(struct trapframe *tf)
{
    struct proc *p = proc_current();
    struct file *rd, *wr;
    if (file_pipe(&rd, &wr) < 0)
        return -COWL_ENOMEM;
    int fds[2] = {fd_install(rd), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(wr);
    if (fds[1] < 0 || copy_out(p->space, tf_arg(tf, 0), fds, sizeof(fds)) < 0) {
        if (fds[0] >= 0)
            p->files[fds[0]] = 0;
        if (fds[1] >= 0)
            p->files[fds[1]] = 0;
        file_close(rd);
        file_close(wr);
        return fds[1] < 0 ? -COWL_ENOMEM : -COWL_EFAULT;
    }
    return 0;
}
