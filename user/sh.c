/*
 * sh: a small shell. A line is a list of jobs separated by `;` (run in the
 * foreground, one after the other) or ended by `&` (run in the background);
 * a job is a pipeline `a | b | c` of programs with arguments. Built-ins:
 * `exit [status]`, `help`, and `halt [status]`, which powers the machine off:
 * the shell holds init's COWL_PRIV_POWEROFF and drops it in every command it
 * runs. There is no file system, so `<` and `>` are refused. Each job is a
 * process group of its own; while a foreground job runs it is the console's
 * foreground group, which Ctrl-C kills (never the shell). The shell waits
 * for every process of a foreground job; background jobs that finished
 * meanwhile are reaped by the same waits. End of input (Ctrl-D at an empty
 * line) exits, and init starts a new shell.
 */
#include <user.h>

#define MAXLINE  COWL_LINE_MAX
#define MAXTOKS  COWL_LINE_MAX /* one per character at most: never the limit */
#define MAXSTAGE 8

/* A line's words always fit exec's string limit; only their count can not. */
_Static_assert(MAXLINE <= COWL_EXEC_ARG_BYTES, "a line's arguments fit exec's bytes");

/* A token is a word or one of the operators | ; & < >. */
struct token {
    char op; /* 0 for a word */
    char *word;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_op(char c)
{
    return c == '|' || c == ';' || c == '&' || c == '<' || c == '>';
}

/* Split line into tokens in place; returns the count, or -1 if too many. */
static int tokenize(char *s, struct token *t)
{
    int n = 0;

    while (*s) {
        if (is_space(*s)) {
            s++;
            continue;
        }
        if (n == MAXTOKS)
            return -1;
        if (is_op(*s)) {
            t[n].op = *s++;
            t[n++].word = 0;
            continue;
        }
        t[n].op = 0;
        t[n++].word = s;
        while (*s && !is_space(*s) && !is_op(*s))
            s++;
        if (is_op(*s)) {
            /* The operator's slot becomes the word's terminator: record it now. */
            if (n == MAXTOKS)
                return -1;
            t[n].op = *s;
            t[n++].word = 0;
            *s++ = 0;
        } else if (*s) {
            *s++ = 0;
        }
    }
    return n;
}

/* Run argv in this (child) process with stdin/stdout taken from in/out. */
static void exec_stage(char **argv, int in, int out)
{
    if (in != 0) {
        close(0);
        dup(in);
        close(in);
    }
    if (out != 1) {
        close(1);
        dup(out);
        close(out);
    }
    privdrop(COWL_PRIV_ALL); /* commands run unprivileged; `halt` is built in */
    exec(argv[0], argv);
    fprintf(2, "sh: cannot run %s\n", argv[0]);
    exit(127);
}

/* Start the pipeline stages[0..n-1]; pids[] receives each stage's pid. */
static int start_pipeline(char **stages[], int n, int pids[])
{
    int in = 0;
    int started = 0;

    for (int i = 0; i < n; i++) {
        int p[2] = {-1, 1};

        if (i < n - 1 && pipe(p) < 0) {
            fprintf(2, "sh: pipe failed\n");
            break;
        }
        pids[i] = fork();
        if (pids[i] == 0) {
            /* Both sides set the group, so it is set before either goes on. */
            setpgid(0, i ? pids[0] : 0);
            if (p[0] >= 0)
                close(p[0]);
            exec_stage(stages[i], in, p[1]);
        }
        if (pids[i] > 0)
            setpgid(pids[i], pids[0]);
        if (in != 0)
            close(in);
        if (p[1] != 1)
            close(p[1]);
        in = p[0] >= 0 ? p[0] : 0;
        if (pids[i] < 0) {
            fprintf(2, "sh: fork failed\n");
            break;
        }
        started++;
    }
    if (in != 0)
        close(in);
    return started;
}

/* Wait until every pid in pids[0..n-1] has exited; other children are just reaped. */
static void wait_all(int pids[], int n)
{
    int left = n;

    while (left > 0) {
        int w = wait(0);

        if (w < 0)
            return;
        for (int i = 0; i < n; i++) {
            if (pids[i] == w) {
                pids[i] = 0;
                left--;
            }
        }
    }
}

static void help(void)
{
    printf("Cowl's shell. There is no file system: no files, no cd, no < or >.\n"
           "  prog args | prog args   a pipeline (at most %d programs)\n"
           "  job ; job               one job after the other\n"
           "  job &                   in the background\n"
           "Built-ins: help, exit [status], halt [status]. Programs: ls lists them.\n"
           "Keys: Backspace; Ctrl-U erases the line; Ctrl-C interrupts the job;\n"
           "  Ctrl-D at an empty line ends this shell (init starts a new one);\n"
           "  Ctrl-P lists the processes.\n"
           "Limits: %d characters a line, %d arguments a program.\n",
           MAXSTAGE, MAXLINE - 1, COWL_EXEC_MAX_ARGS);
}

/* Run argv as a built-in if it names one; returns 0 if it does not. */
static int run_builtin(char **argv)
{
    if (strcmp(argv[0], "exit") == 0)
        exit(argv[1] ? atoi(argv[1]) : 0);
    if (strcmp(argv[0], "halt") == 0) {
        poweroff(argv[1] ? atoi(argv[1]) : 0);
        fprintf(2, "halt: only the console's shell may power off\n");
        return 1;
    }
    if (strcmp(argv[0], "help") == 0) {
        help();
        return 1;
    }
    return 0;
}

/* Run one job, the tokens t[0..n-1] (no `;` or `&` among them). */
static void run_job(struct token *t, int n, int background)
{
    static char *args[MAXTOKS + MAXSTAGE]; /* every word, and a 0 after each stage */
    char **stages[MAXSTAGE];
    int pids[MAXSTAGE];
    int nstage = 0;
    int nargs = 0;
    int first = 0;
    int started;

    if (n == 0)
        return;
    for (int i = 0; i <= n; i++) {
        if (i < n && t[i].op == 0) {
            args[nargs++] = t[i].word;
            continue;
        }
        if (i < n && t[i].op != '|') {
            fprintf(2, "sh: no files here\n");
            return;
        }
        if (nargs == first) {
            fprintf(2, "sh: syntax error\n");
            return;
        }
        if (nstage == MAXSTAGE) {
            fprintf(2, "sh: too many commands in a pipeline\n");
            return;
        }
        if (nargs - first > COWL_EXEC_MAX_ARGS) {
            fprintf(2, "sh: too many arguments (at most %d)\n", COWL_EXEC_MAX_ARGS);
            return;
        }
        args[nargs++] = 0;
        stages[nstage++] = &args[first];
        first = nargs;
    }
    if (nstage == 1 && run_builtin(stages[0]))
        return;
    started = start_pipeline(stages, nstage, pids);
    if (background || started == 0)
        return;
    setfg(pids[0]);
    wait_all(pids, started);
    setfg(0);
}

/* Run every job on the line, in order. */
static void run_line(char *line)
{
    static struct token toks[MAXTOKS];
    int n = tokenize(line, toks);
    int start = 0;

    if (n < 0) {
        fprintf(2, "sh: line too long\n");
        return;
    }
    for (int i = 0; i <= n; i++) {
        if (i < n && toks[i].op != ';' && toks[i].op != '&')
            continue;
        run_job(toks + start, i - start, i < n && toks[i].op == '&');
        start = i + 1;
    }
}

int main(void)
{
    static char line[MAXLINE + 1]; /* a full line and its newline */

    for (;;) {
        fprintf(2, "$ ");
        gets(line, sizeof(line));
        if (line[0] == 0)
            break;
        run_line(line);
    }
    fprintf(2, "\nsh: end of input; init starts a new shell\n");
    exit(0);
}
