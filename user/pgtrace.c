/*
 * pgtrace: the kernel's trace events, decoded, live on the console; the
 * in-guest view for people without the host tools (docs/tracing.md).
 *
 *   pgtrace [-p PID] [-d copy|reuse|kill] [-n COUNT]
 *
 * It starts recording if it is off, prints each event as it comes (faults
 * with the time of each phase), and runs until Ctrl-C or, with -n, until
 * COUNT events have been printed. -p keeps the events of one process, -d the
 * faults with one decision. Lost events are always shown.
 */
#include <user.h>
#include <cowl/trace.h>

struct filter {
    int pid;      /* 0: every process */
    int decision; /* 0: every event; else PG_COPY, PG_REUSE or PG_KILL faults only */
    int count;    /* events to print; 0: no end */
};

static struct cowl_trace_event events[COWL_TRACE_READ_MAX];
static uint64 timebase = 10000000; /* until the stream record says */

static const char *const event_names[] = {
#define PGTRACE_NAME(n, name) [n] = #name,
    COWL_TRACE_EVENTS(PGTRACE_NAME)
#undef PGTRACE_NAME
};

static const char *decision_name(int d)
{
    return d == PG_COPY ? "copy" : d == PG_REUSE ? "reuse" : d == PG_KILL ? "kill" : "?";
}

static int decision_of(const char *s)
{
    if (strcmp(s, "copy") == 0)
        return PG_COPY;
    if (strcmp(s, "reuse") == 0)
        return PG_REUSE;
    return strcmp(s, "kill") == 0 ? PG_KILL : -1;
}

/* Microseconds between two time stamps; 0 when the later one did not happen. */
static uint64 us(uint64 from, uint64 to)
{
    return to && to >= from ? (to - from) * 1000000 / timebase : 0;
}

static void print_fault(const struct cowl_trace_fault *f)
{
    const uint64 *t = f->time;

    printf("va 0x%lx pc 0x%lx count %u -> %s", f->va, f->pc, f->count, decision_name(f->decision));
    if (f->decision == PG_COPY)
        printf(" 0x%lx", f->new_frame);
    printf(" us: sent %lu decided %lu applied %lu user %lu\n", us(f->h.time, t[0]), us(t[0], t[1]),
           us(t[1], t[2]), us(t[2], t[3]));
}

static void print_event(const struct cowl_trace_event *e)
{
    uint64 t = e->h.time * 1000000 / timebase;
    int type = e->h.type;
    const char *name = type > 0 && type <= TRACE_exit ? event_names[type] : "unknown";

    printf("%lu.%06lu hart %d pid %d %s ", t / 1000000, t % 1000000, e->h.hart, e->h.pid, name);
    if (type == TRACE_fault)
        print_fault((const struct cowl_trace_fault *)e);
    else if (type == TRACE_exec)
        printf("%s\n", (const char *)e->args);
    else if (type == TRACE_batch)
        printf("request %lu n %lu -> %s, free %lu\n", e->args[0], e->args[1],
               e->args[2] == PG_OK ? "ok" : "fail", e->args[3]);
    else
        printf("%ld %ld %ld\n", (long)e->args[0], (long)e->args[1], (long)e->args[2]);
}

static int wanted(const struct filter *f, const struct cowl_trace_event *e)
{
    if (e->h.type == TRACE_lost)
        return 1;
    if (e->h.type == TRACE_stream) {
        timebase = e->args[TRACE_STREAM_TIMEBASE_HZ] ? e->args[TRACE_STREAM_TIMEBASE_HZ] : timebase;
        return 0;
    }
    if (f->pid && (int)e->h.pid != f->pid)
        return 0;
    return !f->decision || (e->h.type == TRACE_fault &&
                            ((const struct cowl_trace_fault *)e)->decision == f->decision);
}

static int usage(void)
{
    fprintf(2, "usage: pgtrace [-p PID] [-d copy|reuse|kill] [-n COUNT]\n");
    return 1;
}

/* Read the options into *f; false on a bad one. */
static int parse(int argc, char **argv, struct filter *f)
{
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc)
            return 0;
        if (strcmp(argv[i], "-p") == 0 && (f->pid = atoi(argv[i + 1])) > 0)
            continue;
        if (strcmp(argv[i], "-n") == 0 && (f->count = atoi(argv[i + 1])) > 0)
            continue;
        if (strcmp(argv[i], "-d") == 0 && (f->decision = decision_of(argv[i + 1])) > 0)
            continue;
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct filter f = {0, 0, 0};
    int printed = 0;

    if (!parse(argc, argv, &f))
        return usage();
    if (traceread(events, 0) < 0) {
        fprintf(2, "pgtrace: cannot start tracing (no kernel memory for the rings)\n");
        return 1;
    }
    for (;;) {
        int n = traceread(events, COWL_TRACE_READ_MAX);
        if (n < 0) {
            fprintf(2, "pgtrace: tracing stopped\n");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (!wanted(&f, &events[i]))
                continue;
            print_event(&events[i]);
            if (f.count && ++printed >= f.count)
                return 0;
        }
    }
}
