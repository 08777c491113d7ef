/*
 * init: the first process. With a word `run=PROG` in the boot arguments it
 * runs PROG with every word that follows as its arguments, as they are (the
 * kernel and the pager read only the words before `run=`), waits for it and
 * powers the machine off with PROG's exit status (-1 if it was killed), so a
 * test run ends by itself. Otherwise it keeps a shell running on the console.
 * Orphans become init's children, so every wait loop here also reaps them.
 */
#include <user.h>

#define MAXARGS COWL_EXEC_MAX_ARGS

static char args[COWL_BOOTARGS_MAX];

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split s into words in place; returns how many fit in words[0..max-1]. */
static int split_words(char *s, char **words, int max)
{
    int n = 0;

    while (*s && n < max) {
        while (is_space(*s))
            *s++ = 0;
        if (!*s)
            break;
        words[n++] = s;
        while (*s && !is_space(*s))
            s++;
    }
    *s = 0; /* ends the last word; words beyond max are dropped */
    return n;
}

/* Fork and exec argv[0]; returns the child's pid, or -1 if fork failed. */
static int spawn(char **argv)
{
    int pid = fork();

    if (pid != 0)
        return pid;
    exec(argv[0], argv);
    fprintf(2, "init: cannot run %s\n", argv[0]);
    exit(127);
}

/* Wait until `pid` exits, reaping any orphans on the way; returns its status. */
static int reap_until(int pid)
{
    int status = 0;
    int w;

    while ((w = wait(&status)) != pid) {
        if (w < 0)
            return -1;
    }
    return status;
}

static void run_and_poweroff(char **argv)
{
    int pid = fork();

    if (pid == 0) {
        privdrop(COWL_PRIV_ALL); /* the program is an ordinary process */
        exec(argv[0], argv);
        fprintf(2, "init: cannot run %s\n", argv[0]);
        exit(127);
    }
    if (pid < 0) {
        fprintf(2, "init: cannot run %s\n", argv[0]);
        poweroff(127);
    }
    poweroff(reap_until(pid));
}

static void shell_forever(void)
{
    char *argv[] = {"sh", 0};

    for (;;) {
        int pid = spawn(argv);

        if (pid < 0 || reap_until(pid) == 127)
            sleep(100); /* do not spin if sh cannot start */
    }
}

int main(void)
{
    char *words[MAXARGS + 1];
    int n;

    n = bootargs(args, sizeof(args) - 1);
    if (n < 0)
        n = 0;
    if (n > (int)sizeof(args) - 1)
        n = sizeof(args) - 1;
    args[n] = 0;
    n = split_words(args, words, MAXARGS);
    for (int i = 0; i < n; i++) {
        if (strncmp(words[i], "run=", 4) != 0)
            continue;
        words[i] += 4;
        words[n] = 0;
        run_and_poweroff(words + i);
    }
    shell_forever();
    return 0;
}
