/*
 * cat: copy standard input, or each named file in turn, to standard output.
 * The only files are the console and the programs in the boot image.
 */
#include <user.h>

static char buf[512];

/* Copy fd to standard output; returns 0, or 1 after a read or write error. */
static int copy(int fd, const char *name)
{
    int n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (write(1, buf, n) != n) {
            fprintf(2, "cat: write error\n");
            return 1;
        }
    }
    if (n < 0) {
        fprintf(2, "cat: read error on %s\n", name);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2)
        return copy(0, "standard input");
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);

        if (fd < 0) {
            fprintf(2, "cat: cannot open %s\n", argv[i]);
            status = 1;
            continue;
        }
        status |= copy(fd, argv[i]);
        close(fd);
    }
    return status;
}
