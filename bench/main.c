/*
 * The benchmark driver: every workload, every library, alternating, several
 * rounds; one line per library with the median and the ratio to libactive,
 * then the budgets of issue 5.
 *
 *   bench                      the whole suite (BENCH_ROUNDS=5 by default)
 *   bench -w dispatch -l libev -n 100000
 *                              one workload, one library, one run; prints
 *                              the figure (for callgrind and strace)
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const bench_lib *const libs[] = { &bench_active, &bench_ev, &bench_uv, &bench_event, &bench_raw };
enum { NLIBS = sizeof libs / sizeof libs[0], LIB_ACTIVE = 0, LIB_EV = 1, LIB_RAW = NLIBS - 1 };
enum { MAX_ROUNDS = 45 };

struct work {
    const char *key;
    const char *title;
    const char *unit;
    long n;
    int rounds; /* at most this many rounds; 0: the suite's count */
    int times;  /* this many times the suite's count (few-nanosecond workloads, and the
                 * I/O ones whose budgets sit within the noise of 5 rounds); 0: once */
    int isolate; /* in a fresh child process */
};

static const struct work works[W_COUNT] = {
    [W_DISPATCH] = { "dispatch", "dispatch: a handler re-arming itself, no I/O", "ns/round", 10000000, 0, 3, 0 },
    [W_DISPATCH3] = { "dispatch3", "dispatch, libactive with three calls (set_pending, set_active, complete)", "ns/round", 10000000, 0, 3, 0 },
    [W_LOOP] = { "loop", "loop iteration: one dispatch per epoll_wait(0) pass, one idle fd", "ns/pass", 1000000, 0, 2, 0 },
    [W_REMOTE1] = { "remote1", "remote completion from another thread, 1 in flight", "ns/completion", 20000, 0, 0, 0 },
    [W_REMOTE64] = { "remote64", "remote completion from another thread, 64 in flight", "ns/completion", 1000000, 0, 2, 0 },
    [W_TIMER_FIRE] = { "timer-fire", "timers: start + fire, random deadlines (0-200 ms)", "CPU ns/timer", 1000000, 5, 0, 0 },
    [W_TIMER_CANCEL] = { "timer-cancel", "timers: start all, then cancel all, random deadlines", "ns/pair", 1000000, 0, 0, 0 },
    [W_PIPE1] = { "pipe1", "pipe ping-pong, 1 B, one thread, one loop", "ns/round trip", 200000, 0, 2, 0 },
    [W_PIPE4K] = { "pipe4k", "pipe ping-pong, 4 KiB, one thread, one loop", "ns/round trip", 100000, 0, 2, 0 },
    [W_TCP1] = { "tcp1", "TCP loopback ping-pong, 1 B, one thread, one loop", "ns/round trip", 50000, 0, 2, 0 },
    [W_SCALE10] = { "scale10", "scale: dispatch with 10 idle objects (each waiting on a timer)", "ns/round", 2000000, 0, 3, 0 },
    [W_SCALE1K] = { "scale1k", "scale: dispatch with 10^3 idle objects", "ns/round", 2000000, 0, 3, 0 },
    [W_SCALE100K] = { "scale100k", "scale: dispatch with 10^5 idle objects", "ns/round", 2000000, 0, 3, 0 },
    [W_SCALE1M] = { "scale1m", "scale: dispatch with 10^6 idle objects", "ns/round", 2000000, 0, 3, 0 },
    [W_MEM_TIMER] = { "mem-timer", "memory per armed timer that calls back (anonymous RSS delta, 10^6)", "bytes", 1000000, 3, 0, 1 },
    [W_MEM_OBJECT] = { "mem-object", "memory per registered object (anonymous RSS delta, 10^6)", "bytes", 1000000, 3, 0, 1 },
    [W_MEM_PIPE] = { "mem-pipe", "memory per pipe end with a read outstanding (anonymous RSS delta, 4000)", "bytes", 4000, 3, 0, 1 },
    [W_MEM_TCP] = { "mem-tcp", "memory per TCP connection with a read outstanding (anonymous RSS delta, 2000)", "bytes", 2000, 3, 0, 1 },
};

static double results[W_COUNT][NLIBS]; /* medians */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * A memory workload runs in a new process (this program again, in its
 * single-workload mode): a forked child would inherit the allocator's
 * resident free memory, and its RSS delta would undercount.
 */
static double run_exec(const char *work, const char *lib, long n)
{
    char count[32];
    char out[64] = "";
    int fd[2];
    ssize_t got;
    pid_t pid;

    snprintf(count, sizeof count, "%ld", n);
    BENCH_CHECK(pipe(fd) == 0, "pipe");
    fflush(stdout);
    pid = fork();
    BENCH_CHECK(pid >= 0, "fork");
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execl("/proc/self/exe", "bench", "-w", work, "-l", lib, "-n", count, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    got = read(fd[0], out, sizeof out - 1);
    close(fd[0]);
    waitpid(pid, NULL, 0);
    return got > 0 ? atof(out) : BENCH_NA;
}

static double run_one(const struct work *w, const bench_lib *lib, enum bench_work wi, long n, int single)
{
    if (w->isolate && !single)
        return run_exec(w->key, lib->name, n);
    return lib->fn[wi](n);
}

static void print_value(double v)
{
    if (v < 0)
        printf("%12s", "n/a");
    else if (v >= 1000)
        printf("%12.0f", v);
    else
        printf("%12.1f", v);
}

static int rounds_of(const struct work *w, int rounds)
{
    if (w->rounds != 0)
        return w->rounds < rounds ? w->rounds : rounds;
    return rounds * (w->times ? w->times : 1);
}

static long count_of(const struct work *w, double scale)
{
    long n = (long)((double)w->n * scale);

    return n < 1 ? 1 : n;
}

static bool chosen[W_COUNT]; /* the workloads -o selected (all by default) */

/*
 * Measure the @nw workloads from @w0 on that are chosen, round by round:
 * each round runs each of them for each library, the library that goes
 * first rotating.  Workloads measured together see the same drift of the
 * machine's speed, which matters when a budget compares two of them: the
 * scale budget compares dispatch beside 10^6 idle objects with dispatch
 * beside 10, which one after the other ran a minute apart, time enough for
 * this VM to drift by 40 %.
 */
static void measure(enum bench_work w0, int nw, int rounds, double scale)
{
    static double v[W_COUNT][NLIBS][MAX_ROUNDS];
    int nr = rounds_of(&works[w0], rounds);

    for (int r = 0; r < nr; r++) {
        for (int j = 0; j < nw; j++) {
            enum bench_work wi = (enum bench_work)((int)w0 + j);
            for (int k = 0; k < NLIBS && chosen[wi]; k++) {
                int li = (k + r) % NLIBS; /* alternate who goes first */
                v[wi][li][r] = libs[li]->fn[wi] != NULL ? run_one(&works[wi], libs[li], wi, count_of(&works[wi], scale), 0)
                                                        : BENCH_NA;
            }
        }
    }
    for (int j = 0; j < nw; j++) {
        enum bench_work wi = (enum bench_work)((int)w0 + j);
        for (int li = 0; li < NLIBS; li++)
            results[wi][li] = !chosen[wi] || v[wi][li][0] < 0 ? BENCH_NA : median(v[wi][li], nr);
    }
}

/* Print @wi's lines from results[]. */
static void report(enum bench_work wi, int rounds, double scale)
{
    const struct work *w = &works[wi];

    printf("\n%s\n  (%ld per run, median of %d, %s; ratio = this / libactive)\n", w->title, count_of(w, scale),
           rounds_of(w, rounds), w->unit);
    for (int li = 0; li < NLIBS; li++) {
        double m = results[wi][li], a = results[wi][LIB_ACTIVE];
        const char *how = libs[li]->how[wi];

        printf("  %-10s", libs[li]->name);
        print_value(m);
        if (m >= 0 && a > 0)
            printf("  %6.2fx", m / a);
        else
            printf("  %7s", "");
        printf("  %s\n", how != NULL ? how : (m < 0 ? "(no equivalent, or not landed yet)" : ""));
    }
    fflush(stdout);
}

/* The fastest (smallest) peer figure for @wi, excluding libactive and the raw floor. */
static int best_peer(enum bench_work wi)
{
    int best = -1;

    for (int li = 1; li < LIB_RAW; li++) {
        double m = results[wi][li];
        if (m >= 0 && (best < 0 || m < results[wi][best]))
            best = li;
    }
    return best;
}

static void budget_row(const char *name, enum bench_work wi, int ref, double limit, const char *rule)
{
    double a = results[wi][LIB_ACTIVE];
    double r = ref >= 0 ? results[wi][ref] : BENCH_NA;
    int peer = best_peer(wi);
    bool faster_than_peers = true;

    for (int li = 1; li < LIB_RAW; li++) {
        if (results[wi][li] >= 0 && a >= results[wi][li])
            faster_than_peers = false;
    }
    printf("  %-14s", name);
    print_value(a);
    if (peer >= 0)
        printf("  %-9s", libs[peer]->name), print_value(results[wi][peer]);
    else
        printf("  %-9s%12s", "-", "");
    print_value(results[wi][LIB_RAW]);
    printf("  %-26s", rule);
    if (a < 0 || r <= 0) {
        printf("  %6s  %s\n", "-", a < 0 ? "not measured" : "no reference");
        return;
    }
    printf("  %6.2f  %s\n", a / r, a / r <= limit && (ref != LIB_RAW || faster_than_peers) ? "yes" : "NO");
}

static void scale_row(void)
{
    double lo = results[W_SCALE10][LIB_ACTIVE], hi = results[W_SCALE1M][LIB_ACTIVE];

    printf("  %-14s", "scale 10^6/10");
    print_value(hi);
    printf("  %-9s%12s", "", "");
    print_value(BENCH_NA);
    printf("  %-26s", "<= 1.10 x scale with 10");
    if (lo <= 0 || hi < 0)
        printf("  %6s  not measured\n", "-");
    else
        printf("  %6.2f  %s\n", hi / lo, hi / lo <= 1.10 ? "yes" : "NO");
}

static void summary(void)
{
    printf("\nSummary (libactive against the budgets of issue 5; lower is better)\n");
    printf("  %-14s%12s  %-9s%12s%12s  %-26s  %6s  %s\n", "workload", "libactive", "best peer", "",
           "raw floor", "budget", "ratio", "holds");
    budget_row("dispatch", W_DISPATCH, LIB_EV, 0.80, "<= 0.80 x libev");
    budget_row("loop", W_LOOP, LIB_RAW, 1.05, "<= 1.05 x raw, < peers");
    budget_row("remote, 1", W_REMOTE1, LIB_EV, 1.00, "<= 1.00 x libev");
    budget_row("remote, 64", W_REMOTE64, LIB_EV, 1.00, "<= 1.00 x libev");
    budget_row("timer fire", W_TIMER_FIRE, best_peer(W_TIMER_FIRE), 0.80, "<= 0.80 x best peer");
    budget_row("timer cancel", W_TIMER_CANCEL, best_peer(W_TIMER_CANCEL), 0.80, "<= 0.80 x best peer");
    budget_row("pipe 1 B", W_PIPE1, LIB_RAW, 1.05, "<= 1.05 x raw, < peers");
    budget_row("pipe 4 KiB", W_PIPE4K, LIB_RAW, 1.05, "<= 1.05 x raw, < peers");
    budget_row("tcp 1 B", W_TCP1, LIB_RAW, 1.05, "<= 1.05 x raw, < peers");
    scale_row();
    budget_row("mem timer", W_MEM_TIMER, best_peer(W_MEM_TIMER), 1.00, "<= leanest peer");
    budget_row("mem object", W_MEM_OBJECT, best_peer(W_MEM_OBJECT), 1.00, "<= leanest peer");
    budget_row("mem pipe", W_MEM_PIPE, best_peer(W_MEM_PIPE), 1.00, "<= leanest peer");
    budget_row("mem tcp", W_MEM_TCP, best_peer(W_MEM_TCP), 1.00, "<= leanest peer");
}

static int find_work(const char *key)
{
    for (int i = 0; i < W_COUNT; i++) {
        if (strcmp(works[i].key, key) == 0)
            return i;
    }
    return -1;
}

static int find_lib(const char *name)
{
    for (int i = 0; i < NLIBS; i++) {
        if (strcmp(libs[i]->name, name) == 0)
            return i;
    }
    return -1;
}

/*
 * Make the stack's next pages resident before a memory workload takes its
 * first reading.  The stack starts at a random offset in its page, so a
 * deep frame (act_sched is 6 KB) touched a new stack page during the
 * measurement in some runs and not others: one page over 4000 pipes read as
 * 1 byte a pipe, 104.5 or 105.5 from one run to the next.
 */
static void touch_stack(void)
{
    volatile char pad[256 * 1024];

    for (size_t i = 0; i < sizeof pad; i += 1024)
        pad[i] = 0;
}

static int single(const char *wkey, const char *lname, long n)
{
    int wi = find_work(wkey), li = find_lib(lname);

    if (wi < 0 || li < 0 || libs[li]->fn[wi] == NULL) {
        fprintf(stderr, "bench: unknown or unavailable workload/library: %s / %s\n", wkey, lname);
        return 2;
    }
    if (works[wi].isolate)
        touch_stack();
    printf("%.2f\n", run_one(&works[wi], libs[li], (enum bench_work)wi, n > 0 ? n : works[wi].n, 1));
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench [-r rounds] [-s scale] [-o workload,...]\n"
                    "       bench -w workload -l library [-n count]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *wkey = NULL, *lname = NULL, *only = NULL;
    long n = 0;
    int rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 5;
    double scale = getenv("BENCH_SCALE") ? atof(getenv("BENCH_SCALE")) : 1.0;
    int opt;
    double t0 = bench_now_ns();

    while ((opt = getopt(argc, argv, "w:l:n:r:s:o:")) != -1) {
        switch (opt) {
        case 'w': wkey = optarg; break;
        case 'l': lname = optarg; break;
        case 'n': n = atol(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        case 's': scale = atof(optarg); break;
        case 'o': only = optarg; break;
        default: usage();
        }
    }
    signal(SIGPIPE, SIG_IGN);
    bench_raise_nofile();
    if (wkey != NULL || lname != NULL) {
        if (wkey == NULL || lname == NULL)
            usage();
        return single(wkey, lname, n);
    }
    if (rounds < 1 || rounds > MAX_ROUNDS / 3)
        rounds = 5;
    printf("libactive benchmarks: %d rounds, libraries alternating; lower is better\n", rounds);
    for (int li = 0; li < NLIBS; li++) {
        if (libs[li]->sizes != NULL)
            printf("  sizeof %-10s %s\n", libs[li]->name, libs[li]->sizes());
    }
    for (int wi = 0; wi < W_COUNT; wi++) {
        char pat[64], list[512];

        snprintf(pat, sizeof pat, ",%s,", works[wi].key);
        snprintf(list, sizeof list, ",%s,", only != NULL ? only : "");
        chosen[wi] = only == NULL || strstr(list, pat) != NULL;
        if (!chosen[wi])
            for (int li = 0; li < NLIBS; li++)
                results[wi][li] = BENCH_NA;
    }
    for (int wi = 0; wi < W_COUNT;) {
        /* the scale workloads together (their budget compares them), the others one by one */
        int end = wi == W_SCALE10 ? W_SCALE1M + 1 : wi + 1;

        measure((enum bench_work)wi, end - wi, rounds, scale);
        for (; wi < end; wi++) {
            if (chosen[wi])
                report((enum bench_work)wi, rounds, scale);
        }
    }
    summary();
    printf("\ntotal time: %.0f s\n", (bench_now_ns() - t0) / 1e9);
    return 0;
}
