/*
 * What the workloads share: clocks, RSS, the random timer delays, loopback
 * TCP pairs, and a count of the allocations made by libactive (linked
 * statically, with malloc wrapped by the linker) and by the bench itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double bench_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

long bench_rss_bytes(void)
{
    char line[128];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return 0;
    while (kib < 0 && fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "RssAnon: %ld kB", &kib) != 1)
            kib = -1;
    }
    fclose(f);
    return kib < 0 ? 0 : kib * 1024;
}

const uint32_t *bench_delays(void)
{
    static uint32_t *delays;
    uint64_t x = 0x9e3779b97f4a7c15u;

    if (delays != NULL)
        return delays;
    delays = malloc(BENCH_NDELAYS * sizeof delays[0]);
    BENCH_CHECK(delays != NULL, "malloc delays");
    for (int i = 0; i < BENCH_NDELAYS; i++) {
        x ^= x << 13; /* xorshift64: the same sequence for every library */
        x ^= x >> 7;
        x ^= x << 17;
        delays[i] = 1u + (uint32_t)(x % (BENCH_SPAN_US - 1u));
    }
    return delays;
}

long bench_scale_idle(enum bench_work w)
{
    switch (w) {
    case W_SCALE10: return 10;
    case W_SCALE1K: return 1000;
    case W_SCALE100K: return 100000;
    case W_SCALE1M: return 1000000;
    default: return 0;
    }
}

/*
 * Closing with a reset leaves no TIME_WAIT behind: a run opens tens of
 * thousands of loopback connections (the memory workloads exit with 2000
 * open, five libraries, three rounds), and that many TIME_WAIT sockets use up
 * the ephemeral ports, so the next bind to port 0 fails for a minute.
 */
int bench_close_with_reset(int fd)
{
    static const struct linger reset = { 1, 0 };

    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

static int nonblock_nodelay(int fd)
{
    int one = 1;

    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    if (bench_close_with_reset(fd) < 0)
        return -1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int bench_tcp_pair(int fd[2])
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int lis = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = -1;

    if (lis < 0)
        return -1;
    fd[0] = fd[1] = -1;
    if (bind(lis, (struct sockaddr *)&a, sizeof a) < 0 || listen(lis, 1) < 0
        || getsockname(lis, (struct sockaddr *)&a, &len) < 0)
        goto out;
    fd[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd[0] < 0 || connect(fd[0], (struct sockaddr *)&a, sizeof a) < 0)
        goto out;
    fd[1] = accept4(lis, NULL, NULL, SOCK_CLOEXEC);
    if (fd[1] < 0 || nonblock_nodelay(fd[0]) < 0 || nonblock_nodelay(fd[1]) < 0)
        goto out;
    rc = 0;
out:
    close(lis);
    if (rc < 0) {
        if (fd[0] >= 0)
            close(fd[0]);
        if (fd[1] >= 0)
            close(fd[1]);
    }
    return rc;
}

long bench_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return (long)rl.rlim_cur;
}

_Noreturn void bench_fail(const char *what)
{
    fprintf(stderr, "bench: setup failed: %s\n", what);
    abort();
}

/* The linker routes malloc and friends of statically linked objects here. */
static long allocs;
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

void *__wrap_malloc(size_t size)
{
    allocs++;
    return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    allocs++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    allocs++;
    return __real_realloc(p, size);
}

long bench_allocs(void)
{
    return allocs;
}

struct bench_producer {
    pthread_t thread;
    int window;
    void (*complete)(void *ctx, int i);
    void *ctx;
    atomic_int done;
    atomic_int armed[]; /* FLAG_STRIDE apart */
};

/* Each flag on its own cache line, so that flags do not share lines. */
enum { FLAG_STRIDE = 16 };

static void *producer_main(void *arg)
{
    bench_producer *p = arg;

    while (!atomic_load_explicit(&p->done, memory_order_relaxed)) {
        for (int i = 0; i < p->window; i++) {
            atomic_int *f = &p->armed[i * FLAG_STRIDE];
            if (atomic_load_explicit(f, memory_order_acquire)) {
                atomic_store_explicit(f, 0, memory_order_relaxed);
                p->complete(p->ctx, i);
            }
        }
    }
    return NULL;
}

bench_producer *bench_producer_start(int window, void (*complete)(void *ctx, int i), void *ctx)
{
    bench_producer *p = aligned_alloc(64, (sizeof *p + (size_t)window * FLAG_STRIDE * sizeof(atomic_int) + 63) / 64 * 64);

    BENCH_CHECK(p != NULL, "producer alloc");
    p->window = window;
    p->complete = complete;
    p->ctx = ctx;
    atomic_init(&p->done, 0);
    for (int i = 0; i < window * FLAG_STRIDE; i++)
        atomic_init(&p->armed[i], 0);
    BENCH_CHECK(pthread_create(&p->thread, NULL, producer_main, p) == 0, "pthread_create");
    return p;
}

void bench_producer_arm(bench_producer *p, int i)
{
    atomic_store_explicit(&p->armed[i * FLAG_STRIDE], 1, memory_order_release);
}

void bench_producer_stop(bench_producer *p)
{
    atomic_store_explicit(&p->done, 1, memory_order_relaxed);
    pthread_join(p->thread, NULL);
    free(p);
}

double bench_isolated(bench_fn fn, long n)
{
    int fd[2];
    double v = BENCH_NA;
    pid_t pid;

    BENCH_CHECK(pipe(fd) == 0, "pipe");
    fflush(stdout);
    pid = fork();
    BENCH_CHECK(pid >= 0, "fork");
    if (pid == 0) {
        close(fd[0]);
        v = fn(n);
        if (write(fd[1], &v, sizeof v) != (ssize_t)sizeof v)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &v, sizeof v) != (ssize_t)sizeof v)
        v = BENCH_NA;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    return v;
}

void bench_pp_open(bench_pp *pp, int tcp, size_t size, long n)
{
    memset(pp, 0, sizeof *pp);
    pp->size = size;
    pp->left = n;
    if (tcp) {
        int s[2];
        BENCH_CHECK(bench_tcp_pair(s) == 0, "tcp pair");
        pp->rd[PP_A] = pp->wr[PP_A] = s[0];
        pp->rd[PP_B] = pp->wr[PP_B] = s[1];
    } else {
        int p1[2], p2[2];
        BENCH_CHECK(pipe2(p1, O_NONBLOCK | O_CLOEXEC) == 0 && pipe2(p2, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
        pp->wr[PP_A] = p1[1];
        pp->rd[PP_B] = p1[0];
        pp->wr[PP_B] = p2[1];
        pp->rd[PP_A] = p2[0];
    }
    memset(pp->buf, 'x', sizeof pp->buf);
}

void bench_pp_close(bench_pp *pp)
{
    for (int side = 0; side < 2; side++) {
        close(pp->rd[side]);
        if (pp->wr[side] != pp->rd[side])
            close(pp->wr[side]);
    }
}

int bench_pp_got(bench_pp *pp, int side, size_t len)
{
    pp->got[side] += len;
    if (pp->got[side] < pp->size)
        return 0;
    BENCH_CHECK(pp->got[side] == pp->size, "ping-pong: more than one message");
    pp->got[side] = 0;
    return 1;
}

int bench_pp_read(bench_pp *pp, int side)
{
    ssize_t r = read(pp->rd[side], pp->buf[side] + pp->got[side], pp->size - pp->got[side]);

    if (r < 0 && errno == EAGAIN)
        return 0;
    BENCH_CHECK(r > 0, "ping-pong read");
    return bench_pp_got(pp, side, (size_t)r);
}

void bench_pp_send(bench_pp *pp, int side)
{
    ssize_t w = write(pp->wr[side], pp->buf[side], pp->size);

    BENCH_CHECK(w == (ssize_t)pp->size, "ping-pong write");
}
