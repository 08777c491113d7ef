/*
 * Cowl's one interface: system-call numbers, the user address-space layout and
 * the layouts of the messages that travel between the kernel and the pager.
 * The kernel, the pager and libsys all include this file and nothing else
 * defines any of it. The syscall list is an X-macro: the kernel's dispatch
 * table and libsys's assembly stubs are both generated from it.
 *
 * Register convention for a syscall: a7 = number, a0..a5 = arguments, result
 * in a0 (negative on error). IPC calls carry a message of COWL_MSG_WORDS words
 * in a1..a5 and return the sender's badge in a6. Every call preserves every
 * other register, except the IPC calls (send, recv, call, reply,
 * reply_recv), which preserve only what a function call does: ra, sp, gp,
 * tp and s0..s11. Their t0..t6 and a7 come back undefined, so that the
 * kernel's fast path saves and hands over as few registers as it can.
 */
#ifndef COWL_ABI_H
#define COWL_ABI_H

/* X(number, name, stub): stub is 1 when libsys's generated assembly stub
 * serves the call as-is, 0 when libsys wraps it by hand (IPC, multi-word). */
#define COWL_SYSCALLS(X)                                                                           \
    X(1, fork, 1)                                                                                  \
    X(2, exit, 1)                                                                                  \
    X(3, wait, 1)                                                                                  \
    X(4, pipe, 1)                                                                                  \
    X(5, read, 1)                                                                                  \
    X(6, write, 1)                                                                                 \
    X(7, close, 1)                                                                                 \
    X(8, kill, 1)                                                                                  \
    X(9, exec, 1)                                                                                  \
    X(10, getpid, 1)                                                                               \
    X(11, sbrk, 1)                                                                                 \
    X(12, sleep, 1)                                                                                \
    X(13, uptime, 1)                                                                               \
    X(14, dup, 1)                                                                                  \
    X(15, open, 1)                                                                                 \
    X(20, ep_create, 1)                                                                            \
    X(21, send, 0)                                                                                 \
    X(22, recv, 0)                                                                                 \
    X(23, call, 0)                                                                                 \
    X(24, reply, 0)                                                                                \
    X(25, reply_recv, 0)                                                                           \
    X(30, bootargs, 1)                                                                             \
    X(31, poweroff, 1)                                                                             \
    X(32, procinfo, 1)                                                                             \
    X(33, poolstat, 1)                                                                             \
    X(34, poolcheck, 1)                                                                            \
    X(35, pagertrace, 1)                                                                           \
    X(36, nullcall, 1)                                                                             \
    X(37, hartid, 1)                                                                               \
    X(38, kstat, 1)                                                                                \
    X(39, privdrop, 1)                                                                             \
    X(40, pin, 1)                                                                                  \
    X(41, setpgid, 1)                                                                              \
    X(42, setfg, 1)                                                                                \
    X(43, progname, 1)                                                                             \
    X(44, benchstat, 1)                                                                            \
    X(45, traceread, 1)

#define COWL_NSYSCALL 46 /* one more than the largest number above */

/* User address-space layout (Sv39: user addresses lie below MAXVA). The low
 * 64 GiB belong to the kernel: its identity map of devices and RAM, and its
 * stack window just below COWL_USER_BASE. Programs (and libsys/user.ld) start
 * at COWL_USER_BASE, the heap grows up to COWL_PAGER_TABLE_VA. */
#define COWL_PAGE_SHIFT     12
#define COWL_PAGE_SIZE      (1UL << COWL_PAGE_SHIFT)
#define COWL_USER_BASE      0x1000000000UL /* 64 GiB: programs are linked here */
#define COWL_MAXVA          0x4000000000UL /* 1 << 38: first address no user may name */
#define COWL_STACK_TOP      0x3fc0000000UL /* user stack grows down from here */
#define COWL_STACK_PAGES    8              /* mapped at exec; one unmapped guard page below */
#define COWL_PAGER_TABLE_VA 0x2000000000UL /* pager: its frame tables */
#define COWL_PAGER_BATCH_VA 0x3f00000000UL /* pager: batch buffers shared with the kernel */
#define COWL_BATCH_MAX      4096           /* frame numbers in one batch buffer */
#define COWL_BATCH_BYTES    (COWL_BATCH_MAX * 4UL)

/* The pager runs one thread (a lane) per hart, up to COWL_PAGER_LANES_MAX;
 * harts past that share lanes. Lane i waits on endpoint handle
 * COWL_PAGER_EP + i, runs on the stack whose top is COWL_PAGER_LANE_STACK(i)
 * (lane 0's is the exec stack; each has an unmapped guard page below), and
 * the kernel's batch buffer b lies at COWL_PAGER_BATCH_VA + b *
 * COWL_BATCH_BYTES, one buffer per lane. One more thread, "lane" number
 * `lanes` (pager_boot), serves user processes: it waits on handle
 * COWL_PAGER_EP + lanes, the endpoint every other process holds as
 * COWL_PAGER_EP, on stack COWL_PAGER_LANE_STACK(lanes). */
#define COWL_PAGER_LANES_MAX 7 /* and the ping thread: 8 endpoint handles */
#define COWL_PAGER_LANE_STACK(i)                                                                   \
    (COWL_STACK_TOP - (uint64_t)(i) * (COWL_STACK_PAGES + 1) * COWL_PAGE_SIZE)

/* Privileges (privdrop): init starts with all of them, fork passes the
 * parent's on, and a process can only drop them, never gain one. */
#define COWL_PRIV_POWEROFF 0x1 /* poweroff() */
#define COWL_PRIV_CONSOLE  0x2 /* setfg(): which process group Ctrl-C interrupts */
#define COWL_PRIV_ALL      0x3

/* Limits a user meets. */
#define COWL_EXEC_MAX_ARGS  128  /* exec: most arguments, argv[0] included */
#define COWL_EXEC_ARG_BYTES 4096 /* exec: most bytes of argument strings, NULs included */
#define COWL_LINE_MAX       1024 /* console: longest line, newline included */
#define COWL_BOOTARGS_MAX   4096 /* boot arguments kept, NUL included; longer ones are cut */
#define COWL_PIN_ANY        (-1) /* pin(): run on any hart again */

/* Endpoint handle every process holds: the pager's (its ping thread's). In
 * the pager itself, lane i's is COWL_PAGER_EP + i. */
#define COWL_PAGER_EP 0

/* Error numbers, returned negated. */
#define COWL_EINVAL  1 /* bad argument */
#define COWL_EFAULT  2 /* bad user address */
#define COWL_ENOMEM  3 /* out of frames or kernel objects */
#define COWL_EPERM   4 /* not allowed for this process */
#define COWL_EBADF   5 /* bad handle or file descriptor */
#define COWL_ENOENT  6 /* no such program or process */
#define COWL_ECHILD  7 /* no children to wait for */
#define COWL_ENOEXEC 8 /* not a valid program */
#define COWL_E2BIG   9 /* exec: more than COWL_EXEC_MAX_ARGS arguments or COWL_EXEC_ARG_BYTES */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define COWL_MSG_WORDS 5

/* A message as it travels in registers a1..a5. */
struct cowl_msg {
    uint64_t w[COWL_MSG_WORDS];
};

/* Labels of requests the kernel sends to the pager (badge 0 = the kernel). */
enum pager_label {
    PG_ALLOC = 1, /* give `count` fresh frames, numbers into the batch buffer */
    PG_SHARE,     /* add one to the count of each frame in the batch buffer */
    PG_RELEASE,   /* drop one from the count of each frame in the batch buffer */
    PG_FAULT,     /* a store hit a COW page: decide reuse, copy or kill */
    PG_STAT,      /* report free, used and shared frame counts */
    PG_AUDIT,     /* compare counts of frames [first, first+count) with the batch */
    PG_TRACE,     /* turn decision tracing on (count=1) or off (count=0) */
    PG_PING,      /* any process may ping the pager; it answers PG_OK */
};

/* Labels of the pager's replies. */
enum pager_reply_label {
    PG_OK = 1, /* request done */
    PG_FAIL,   /* request refused or impossible (no frames, bad frame) */
    PG_REUSE,  /* fault: the frame is not shared; make the PTE writable */
    PG_COPY,   /* fault: copy the old frame into `frame`, map it writable */
    PG_KILL,   /* fault: kill the faulting process */
};

/* Every pager message, request or reply, starts with this word: what it is,
 * and the request's number, which the reply must echo. */
struct pg_header {
    uint32_t label; /* enum pager_label or enum pager_reply_label */
    uint32_t seq;
};

#define PG_FAULT_TRACED 0x1

/* PG_FAULT: everything the pager needs to decide, and to trace the decision. */
struct pg_fault_msg {
    uint32_t label;
    uint32_t seq;
    uint32_t space; /* pid of the faulting process */
    uint16_t hart;  /* hart the fault was taken on */
    uint16_t flags; /* PG_FAULT_TRACED: the kernel is tracing; stamp the decision */
    uint64_t va;    /* faulting address */
    uint64_t pc;    /* faulting instruction, 0 for a kernel copyout */
    uint64_t frame; /* physical address of the frame now mapped */
};

/* PG_ALLOC, PG_SHARE, PG_RELEASE, PG_AUDIT, PG_STAT, PG_TRACE, PG_PING. */
struct pg_batch_msg {
    uint32_t label;
    uint32_t seq;
    uint64_t count;  /* entries in the batch buffer (PG_TRACE: on/off) */
    uint64_t space;  /* pid on whose behalf, for tracing */
    uint64_t first;  /* PG_AUDIT: first frame index of the window */
    uint64_t buffer; /* the batch buffer holding the entries (0 .. lanes-1) */
};

/* Every reply from the pager. */
struct pg_reply_msg {
    uint32_t label; /* enum pager_reply_label */
    uint32_t seq;   /* the request's seq */
    union {
        uint64_t frame;      /* PG_COPY: physical address of the new frame */
        uint64_t mismatches; /* PG_AUDIT: frames whose count differs from the kernel's */
    };
    uint64_t free;   /* PG_STAT and batches: free frames */
    uint64_t used;   /* PG_STAT and batches: frames with count >= 1 */
    uint64_t shared; /* PG_STAT and batches: frames with count >= 2 */
};

/* The reply to PG_FAULT as the kernel's trace reads it: the policy fills
 * count, and whoever ran it stamps when it decided (cowl/trace.h). */
struct pg_fault_reply {
    uint32_t label; /* PG_REUSE, PG_COPY, PG_KILL */
    uint32_t seq;
    uint64_t frame;         /* PG_COPY: the new frame */
    uint64_t count;         /* the old frame's count the decision saw */
    uint64_t decided_time;  /* `time` CSR when decided; 0 if not stamped */
    uint64_t decided_cycle; /* that hart's `cycle` CSR then */
};

/* The views of one message; GNU C defines reading a member other than the
 * one last written. */
union pg_msg {
    struct cowl_msg raw;
    struct pg_header h;
    struct pg_fault_msg fault;
    struct pg_batch_msg batch;
    struct pg_reply_msg reply;
    struct pg_fault_reply fault_reply;
};

#define PG_ASSERT_HEADER(type)                                                                     \
    _Static_assert(sizeof(struct type) == sizeof(struct cowl_msg), #type " is five words");        \
    _Static_assert(__builtin_offsetof(struct type, label) == 0, #type " label first");             \
    _Static_assert(__builtin_offsetof(struct type, seq) == 4, #type " seq second")
_Static_assert(sizeof(struct cowl_msg) == 40, "message is five words");
PG_ASSERT_HEADER(pg_fault_msg);
PG_ASSERT_HEADER(pg_batch_msg);
PG_ASSERT_HEADER(pg_reply_msg);
PG_ASSERT_HEADER(pg_fault_reply);
_Static_assert(sizeof(union pg_msg) == sizeof(struct cowl_msg), "a view adds nothing");
_Static_assert(__builtin_offsetof(struct pg_fault_msg, va) == 16, "fault va is word 2");
_Static_assert(__builtin_offsetof(struct pg_reply_msg, frame) == 8, "reply frame is word 1");

/* What the kernel hands the pager at start: every lane's entry gets a0 =
 * a pointer to it and a1 = its lane number. */
struct pager_boot {
    uint64_t pool_base;      /* physical address of frame 0 of the pool */
    uint64_t pool_frames;    /* frames in the pool */
    uint64_t reserved;       /* frames 0..reserved-1 already hold the pager itself */
    uint64_t table_va;       /* pager_table_bytes(pool_frames) of zeroed memory */
    uint64_t batch_va;       /* `lanes` buffers of COWL_BATCH_MAX uint32_t frame numbers */
    uint64_t bootargs_trace; /* 1 when booted with trace=1 */
    uint64_t lanes;          /* pager threads started, 1 .. COWL_PAGER_LANES_MAX */
};

/* Bytes the pager needs for its tables: a 32-bit count (so that lanes can
 * change it with one AMO) and a free-stack slot per frame. */
#define PAGER_TABLE_BYTES(frames) ((uint64_t)(frames) * (sizeof(uint32_t) + sizeof(uint32_t)))

/* One row of procinfo(): a process as `ps` and Ctrl-P show it. */
struct cowl_procinfo {
    int32_t pid;
    int32_t ppid;
    int32_t state;  /* enum cowl_proc_state */
    int32_t frames; /* user frames mapped */
    char name[16];
};

enum cowl_proc_state { COWL_RUNNABLE = 1, COWL_RUNNING, COWL_SLEEPING, COWL_BLOCKED, COWL_ZOMBIE };

/* poolstat() result. */
struct cowl_poolstat {
    uint64_t total;
    uint64_t free;
    uint64_t used;
    uint64_t shared;
    uint64_t mode; /* enum cowl_mode: who resolves COW faults in this build */
};

enum cowl_mode { COWL_MODE_PAGER = 1, COWL_MODE_KERNEL, COWL_MODE_EAGER };

/* kstat() result: the kernel's own objects in use, which return to their
 * baseline when a program's processes are gone, and two running counters. */
struct cowl_kstat {
    uint64_t threads;   /* thread records */
    uint64_t spaces;    /* address spaces */
    uint64_t endpoints; /* IPC endpoints */
    uint64_t files;     /* open-file records */
    uint64_t pipes;     /* pipes */
    uint64_t kpages;    /* kernel-pool pages: page tables, kernel stacks */
    uint64_t rejected;  /* pager answers the kernel refused, since boot */
    uint64_t held;      /* console lines held back by rate limits, since boot */
    uint64_t ipc_slow;  /* calls and reply_recvs that took the ordinary path, since boot */
};

/* benchstat() result: what a benchmark reads before and after a timed
 * region to tell whether anything else ran inside it. A region is clean
 * when the hart, its tick count and the thread's preemptions are unchanged.
 * The big_lock figures are machine-wide (every hart's, summed): their change
 * over a region says how much of the harts' time went to waiting for it. */
struct cowl_benchstat {
    uint64_t hart;           /* firmware id of the hart the caller runs on */
    uint64_t ticks;          /* timer interrupts this hart has taken since boot */
    uint64_t preemptions;    /* times the caller was put back on the run queue */
    uint64_t timebase_hz;    /* frequency of the time CSR */
    uint64_t tick_hz;        /* timer interrupts a second (the tick= boot option) */
    uint64_t lock_contended; /* big_lock acquisitions that found it taken, all harts */
    uint64_t lock_wait;      /* time CSR ticks spent spinning for big_lock, all harts */
    uint64_t lock_wait_long; /* the part of lock_wait spent in waits over 1 ms */
    uint64_t harts;          /* harts the kernel started (some may not be online yet) */
};

#endif /* __ASSEMBLER__ */
#endif /* COWL_ABI_H */
