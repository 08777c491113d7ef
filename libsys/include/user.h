/*
 * The one header of every Cowl user program: xv6's user API (system calls
 * and ulib helpers, with xv6's signatures, so xv6 programs build with only
 * their include lines changed) plus Cowl's own calls and the IPC wrappers.
 *
 * Plain system calls return -1 on any error, as in xv6. The IPC wrappers
 * return the kernel's status unchanged: 0, or a negated COWL_E* number.
 */
#ifndef COWL_USER_H
#define COWL_USER_H

#include <stdarg.h>
#include <stddef.h>
#include <cowl/abi.h>

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;

/* open() modes, as xv6 spells them; Cowl opens only for reading. */
#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR   0x002
#define O_CREATE 0x200
#define O_TRUNC  0x400

/* System calls (syscall.S). */
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);
int pipe(int *fds);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int mode);
int dup(int fd);
int getpid(void);
char *sbrk(int n);
int sleep(int ticks);
int uptime(void);

/* Cowl's own calls. */
int bootargs(char *buf, int n);
int poweroff(int status); /* returns only on refusal: needs COWL_PRIV_POWEROFF */
int privdrop(int privs);  /* drop COWL_PRIV_* bits; returns those kept */
int procinfo(struct cowl_procinfo *rows, int max);
int poolstat(struct cowl_poolstat *st);
int poolcheck(void);
int pagertrace(int on);
int traceread(void *buf, int max); /* trace events (cowl/trace.h); max 0 starts reading */
int nullcall(void);
int hartid(void);
int kstat(struct cowl_kstat *st);
int pin(int hart);              /* run only on that hart (a hartid() value), or COWL_PIN_ANY */
int setpgid(int pid, int pgid); /* pid 0: the caller; pgid 0: pid's own group */
int setfg(int pgid);            /* Ctrl-C kills that process group; 0: none */
int progname(int k, char *buf, int n); /* the k-th program of the boot image; -1 past the last */
int ep_create(void);
int benchstat(struct cowl_benchstat *st); /* hart, ticks, preemptions: see cowl/abi.h */

/* System-call numbers (cowl/abi.h), for a raw ecall: SYS_call, ... */
#define COWL_SYSNUM(num, name, stub) SYS_##name = num,
enum { COWL_SYSCALLS(COWL_SYSNUM) };
#undef COWL_SYSNUM

/* The IPC trap itself: *in's words (zeros if in is 0) go out in a1..a5
 * and, if the call succeeds, the words received come back into *out and
 * the sender's badge into *badge (each skipped if 0; in and out may be the
 * same message). An IPC call preserves what a function call does
 * (cowl/abi.h). Always inlined, so that a server whose loop keeps its
 * message in registers never stores it (the pager's lanes). Returns 0 or
 * -COWL_E*. */
static inline __attribute__((always_inline)) int
ipc_trap(long num, long ep, const struct cowl_msg *in, struct cowl_msg *out, uint64 *badge)
{
    register long a0 asm("a0") = ep;
    register uint64 a1 asm("a1") = in ? in->w[0] : 0;
    register uint64 a2 asm("a2") = in ? in->w[1] : 0;
    register uint64 a3 asm("a3") = in ? in->w[2] : 0;
    register uint64 a4 asm("a4") = in ? in->w[3] : 0;
    register uint64 a5 asm("a5") = in ? in->w[4] : 0;
    register uint64 a6 asm("a6");
    register long a7 asm("a7") = num;

    asm volatile("ecall"
                 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "=r"(a6), "+r"(a7)
                 :
                 : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory");
    if (a0 == 0 && out) {
        out->w[0] = a1;
        out->w[1] = a2;
        out->w[2] = a3;
        out->w[3] = a4;
        out->w[4] = a5;
    }
    if (a0 == 0 && badge)
        *badge = a6;
    return (int)a0;
}

/* IPC (ipc.c). `badge` may be 0; it receives the sender's pid (0 = kernel). */
int ipc_send(int ep, const struct cowl_msg *m);
int ipc_recv(int ep, struct cowl_msg *out, uint64 *badge);
int ipc_call(int ep, const struct cowl_msg *m, struct cowl_msg *out);
int ipc_reply(const struct cowl_msg *m);
int ipc_reply_recv(int ep, const struct cowl_msg *reply, struct cowl_msg *out, uint64 *badge);

/* procs.c: procinfo()'s row of live or zombie process pid into *row (1),
 * or 0 when there is none; the pid of the first process called name, or -1. */
int procfind(int pid, struct cowl_procinfo *row);
int procnamed(const char *name);

/* ulib (string.c, ulib.c). */
char *strcpy(char *dst, const char *src);
int strcmp(const char *p, const char *q);
int strncmp(const char *p, const char *q, uint n);
uint strlen(const char *s);
char *strchr(const char *s, char c);
void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, int n);
int memcmp(const void *s1, const void *s2, uint n);
void *memcpy(void *dst, const void *src, uint n);
char *gets(char *buf, int max);
int atoi(const char *s);

/* printf.c: %d %u %x %p %s %c %%, l and ll modifiers, width, '0' and '-'. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintf(int fd, const char *fmt, va_list ap);

/* malloc.c */
void *malloc(uint n);
void free(void *p);

/* The cycle counter, for benchmarks (the kernel lets user mode read it). */
static inline uint64 rdcycle(void)
{
    uint64 c;
    asm volatile("rdcycle %0" : "=r"(c));
    return c;
}

/* The time CSR: one clock for every hart, the device tree's timebase a second. */
static inline uint64 rdtime(void)
{
    uint64 t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

#endif /* COWL_USER_H */
