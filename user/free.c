/*
 * free: show the user-frame pool as the pager counts it: total, free, used
 * (count >= 1) and shared (count >= 2, the copy-on-write savings), in frames
 * and KiB.
 */
#include <user.h>

static void row(const char *what, uint64 frames)
{
    printf("%-7s %8lu frames %10lu KiB\n", what, frames, frames * (COWL_PAGE_SIZE / 1024));
}

int main(void)
{
    struct cowl_poolstat st;

    if (poolstat(&st) < 0) {
        fprintf(2, "free: poolstat failed\n");
        return 1;
    }
    row("total", st.total);
    row("free", st.free);
    row("used", st.used);
    row("shared", st.shared);
    return 0;
}
