/*
 * traceshape: a program whose trace has a known shape, for the trace tests
 * (tests/qemu/trace_test.py, docs/tracing.md).
 *
 *   traceshape K
 *
 * The parent writes K fresh pages and forks. The child stores once into
 * each of the K pages while the parent lives (K copy decisions: each frame
 * is shared), and exits. Then the parent stores into the same K pages
 * (K reuse decisions: the child's copies are gone, each frame is the
 * parent's alone). It prints the pids and the pages' range first:
 *
 *   traceshape: parent P child C pages LO-HI K
 *
 * and `traceshape: ok` at the end. In cow=eager fork copies, so there are
 * no faults at all.
 */
#include <user.h>

#define PAGE     4096UL
#define MAX_K    512
#define PAD_BYTE 0x5a

/* k fresh page-aligned pages from sbrk, each written once; 0 if there is no room. */
static char *fresh_pages(int k)
{
    uint64 pad = (PAGE - (uint64)sbrk(0) % PAGE) % PAGE;
    char *p = sbrk((int)(pad + (uint64)k * PAGE));

    if (p == (char *)-1)
        return 0;
    p += pad;
    for (int i = 0; i < k; i++)
        p[i * PAGE] = PAD_BYTE;
    return p;
}

static void store_each(char *p, int k, char v)
{
    for (int i = 0; i < k; i++)
        p[i * PAGE + 8] = v;
}

int main(int argc, char **argv)
{
    int k = argc == 2 ? atoi(argv[1]) : 0;
    int status = -1;

    if (k < 1 || k > MAX_K) {
        fprintf(2, "usage: traceshape K (1..%d)\n", MAX_K);
        return 2;
    }
    char *p = fresh_pages(k);
    if (!p) {
        printf("traceshape: FAILED no room for %d pages\n", k);
        return 1;
    }
    int parent = getpid();
    int child = fork();
    if (child < 0) {
        printf("traceshape: FAILED fork\n");
        return 1;
    }
    if (child == 0) {
        store_each(p, k, 1);
        exit(0);
    }
    printf("traceshape: parent %d child %d pages 0x%lx-0x%lx %d\n", parent, child, (uint64)p,
           (uint64)p + (uint64)k * PAGE - 1, k);
    if (wait(&status) != child || status != 0) {
        printf("traceshape: FAILED child status %d\n", status);
        return 1;
    }
    store_each(p, k, 2);
    /* A pause for the rings to drain (the tick drains them), so that the
     * exit that follows is kept even when the faults overflowed a ring. */
    sleep(3);
    printf("traceshape: ok\n");
    return 0;
}
