/*
 * free: the user-frame pool as the pager counts it (total, free, used:
 * count >= 1, shared: count >= 2, the copy-on-write savings), in frames and
 * KiB; then the kernel's own objects in use (kstat), which, like the free
 * frames, return to where they were when a program's processes are gone.
 */
#include <user.h>

static void row(const char *what, uint64 frames)
{
    printf("%-7s %8lu frames %10lu KiB\n", what, frames, frames * (COWL_PAGE_SIZE / 1024));
}

int main(void)
{
    struct cowl_poolstat st;
    struct cowl_kstat k;

    if (poolstat(&st) < 0 || kstat(&k) < 0) {
        fprintf(2, "free: poolstat or kstat failed\n");
        return 1;
    }
    row("total", st.total);
    row("free", st.free);
    row("used", st.used);
    row("shared", st.shared);
    printf("kernel  %lu threads, %lu spaces, %lu endpoints, %lu files, %lu pipes, %lu pages\n",
           k.threads, k.spaces, k.endpoints, k.files, k.pipes, k.kpages);
    printf("since boot: %lu pager answers refused, %lu console lines held back\n", k.rejected,
           k.held);
    return 0;
}
