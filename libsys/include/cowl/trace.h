/*
 * Cowl's trace events: the one definition of the binary records the kernel
 * writes into its per-hart rings, sends out on the trace console (a virtio
 * console) and hands to `traceread()`. The kernel, the pager, user programs
 * (pgtrace) and the host tool (tools/cowltrace.py, which reads the numbers
 * below from this file) all use it.
 *
 * A stream is a sequence of COWL_TRACE_RECORD_BYTES records, little-endian,
 * starting with one TRACE_STREAM record (magic, format version, record size,
 * the timer's frequency). Every record starts with the same 32-byte header;
 * times are the `time` CSR (one clock for all harts, COWL_TRACE_STREAM's
 * timebase ticks a second), cycles the hart's own `cycle` CSR (comparable
 * only on one hart; under -icount they count instructions).
 */
#ifndef COWL_TRACE_H
#define COWL_TRACE_H

#include <stdint.h>

#define COWL_TRACE_MAGIC        0x45435254574f43ULL /* "COWTRCE" little-endian */
#define COWL_TRACE_VERSION      1
#define COWL_TRACE_RECORD_BYTES 128
#define COWL_TRACE_ARGS         12     /* payload words of a generic record */
#define COWL_TRACE_NAME_BYTES   16     /* exec: the program's name */
#define COWL_TRACE_HART_READER  0xffff /* lost: dropped by the traceread() buffer, not a hart */
#define COWL_TRACE_READ_MAX     64     /* traceread(): most records one call returns */

/* X(number, name): the event types. */
#define COWL_TRACE_EVENTS(X)                                                                       \
    X(1, stream) /* first record: magic, version, record size, timebase, harts, mode */            \
    X(2, lost)   /* args[0] events this hart dropped since its last lost record */                 \
    X(3, fault)  /* a COW fault, phase by phase: struct cowl_trace_fault */                        \
    X(4, fork)   /* args[0] child pid, args[1] pages shared (eager: copied), args[2] 0/-err */     \
    X(5, batch)  /* args[0] request (PG_ALLOC...), [1] count, [2] result, [3..5] pool */           \
    X(6, kill)   /* args[0] reason (enum cowl_trace_kill), [1] scause, [2] pc, [3] address */      \
    X(7, exec)   /* args[0..1] the program's name, NUL-padded */                                   \
    X(8, exit)   /* args[0] status */

enum cowl_trace_event_type {
#define COWL_TRACE_ENUM(n, name) TRACE_##name = n,
    COWL_TRACE_EVENTS(COWL_TRACE_ENUM)
#undef COWL_TRACE_ENUM
};

/* Why a process was killed (TRACE_kill args[0]). */
#define COWL_TRACE_KILL_REASONS(X)                                                                 \
    X(1, fault)    /* a user fault that is not a COW store */                                      \
    X(2, decision) /* the pager decided PG_KILL (no frame, bad frame) */                           \
    X(3, refused)  /* the kernel refused the pager's decision */                                   \
    X(4, signal)   /* kill() or Ctrl-C */

enum cowl_trace_kill {
#define COWL_TRACE_KILL_ENUM(n, name) TRACE_KILL_##name = n,
    COWL_TRACE_KILL_REASONS(COWL_TRACE_KILL_ENUM)
#undef COWL_TRACE_KILL_ENUM
};

/* The phases of a fault, in the order they happen. */
enum cowl_trace_phase {
    TRACE_PHASE_TRAP,    /* trap taken (copyout: the kernel met the COW PTE) */
    TRACE_PHASE_SENT,    /* request handed to the pager (cow=kernel: to the policy) */
    TRACE_PHASE_DECIDED, /* the pager's decision made (stamped by the pager) */
    TRACE_PHASE_APPLIED, /* decision checked and applied: copy done, PTE written */
    TRACE_PHASE_USER,    /* thread back in user mode (0: never, see flags) */
    TRACE_PHASES
};

/* struct cowl_trace_fault flags. */
#define COWL_TRACE_FAULT_COPYOUT  0x1 /* a kernel write (copyout) met the COW page */
#define COWL_TRACE_FAULT_NORETURN 0x2 /* the thread did not return to user mode after it */

/* The header every record starts with. */
struct cowl_trace_head {
    uint16_t type;  /* enum cowl_trace_event_type */
    uint16_t hart;  /* hart the event happened on (fault: the trap's hart) */
    uint32_t pid;   /* process it concerns; 0 for the kernel itself */
    uint64_t time;  /* `time` CSR when it happened (fault: phase TRAP) */
    uint64_t cycle; /* that hart's `cycle` CSR then */
    uint32_t seq;   /* per-hart record number: a gap is counted by TRACE_lost */
    uint32_t flags; /* per type (fault: COWL_TRACE_FAULT_*) */
};

/* Every event but faults. */
struct cowl_trace_event {
    struct cowl_trace_head h;
    uint64_t args[COWL_TRACE_ARGS];
};

/* TRACE_fault: the phases' times and cycles, TRAP's in the header. */
struct cowl_trace_fault {
    struct cowl_trace_head h;
    uint64_t time[TRACE_PHASES - 1];   /* phases SENT..USER; 0: did not happen */
    uint32_t cycles[TRACE_PHASES - 1]; /* each phase's `cycle` minus the header's, mod 2^32 */
    uint64_t va, pc;                   /* page address; pc 0 for a copyout */
    uint64_t old_frame, new_frame;     /* new_frame 0 unless the decision is copy */
    uint32_t count;                    /* the frame's count as the decider saw it */
    uint16_t decision;                 /* PG_COPY, PG_REUSE, PG_KILL (abi.h) */
    uint16_t resume_hart;              /* hart it returned to user mode (or exited) on: its ring */
    uint64_t reserved;
};

/* TRACE_stream's args. */
enum cowl_trace_stream_arg {
    TRACE_STREAM_MAGIC,
    TRACE_STREAM_VERSION,
    TRACE_STREAM_RECORD_BYTES,
    TRACE_STREAM_TIMEBASE_HZ,
    TRACE_STREAM_HARTS,
    TRACE_STREAM_MODE, /* enum cowl_mode */
};

_Static_assert(sizeof(struct cowl_trace_head) == 32, "trace header is 32 bytes");
_Static_assert(sizeof(struct cowl_trace_event) == COWL_TRACE_RECORD_BYTES, "event size");
_Static_assert(sizeof(struct cowl_trace_fault) == COWL_TRACE_RECORD_BYTES, "fault size");
_Static_assert(__builtin_offsetof(struct cowl_trace_fault, time) == 32, "fault times at 32");
_Static_assert(__builtin_offsetof(struct cowl_trace_fault, va) == 80, "fault va at 80");
_Static_assert(__builtin_offsetof(struct cowl_trace_fault, count) == 112, "fault count at 112");

#endif /* COWL_TRACE_H */
