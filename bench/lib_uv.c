/*
 * libuv's side of every workload (Debian's libuv 1.44), through its public
 * API only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "bench.h"

static uv_loop_t *loop_new(void)
{
    uv_loop_t *loop = malloc(sizeof *loop);

    BENCH_CHECK(loop != NULL && uv_loop_init(loop) == 0, "uv_loop_init");
    return loop;
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void loop_free(uv_loop_t *loop)
{
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    BENCH_CHECK(uv_loop_close(loop) == 0, "uv_loop_close");
    free(loop);
}

/* ---- dispatch: a zero timeout re-armed from the callback ---- */

static long spin_left;

static void spin_cb(uv_timer_t *t)
{
    if (--spin_left > 0)
        uv_timer_start(t, spin_cb, 0, 0);
    else
        uv_stop(t->loop); /* idle timers of the scale workloads keep the loop alive */
}

static double spin_for(uv_loop_t *loop, long n)
{
    uv_timer_t t;
    double t0;

    uv_timer_init(loop, &t);
    spin_left = n;
    uv_timer_start(&t, spin_cb, 0, 0);
    t0 = bench_now_ns();
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = bench_now_ns() - t0;
    BENCH_CHECK(spin_left == 0, "libuv: dispatch did not finish");
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return t0 / (double)n;
}

static double dispatch(long n)
{
    uv_loop_t *loop = loop_new();
    double ns = spin_for(loop, n);

    loop_free(loop);
    return ns;
}

/* ---- loop iteration: a uv_idle, and a uv_poll on an idle pipe ---- */

static void idle_cb(uv_idle_t *w)
{
    if (--spin_left <= 0) {
        uv_idle_stop(w);
        uv_stop(w->loop);
    }
}

static void never_cb(uv_poll_t *w, int status, int events)
{
    (void)w;
    (void)status;
    (void)events;
    bench_fail("libuv: the idle pipe became readable");
}

static double loop_iter(long n)
{
    uv_loop_t *loop = loop_new();
    uv_idle_t w;
    uv_poll_t io;
    int p[2];
    double t0;

    BENCH_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    uv_poll_init(loop, &io, p[0]);
    uv_poll_start(&io, UV_READABLE, never_cb);
    uv_idle_init(loop, &w);
    uv_idle_start(&w, idle_cb);
    spin_left = n;
    t0 = bench_now_ns();
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = bench_now_ns() - t0;
    loop_free(loop);
    close(p[0]);
    close(p[1]);
    return t0 / (double)n;
}

/* ---- remote completion: uv_async_send from another thread ---- */

static struct {
    bench_producer *p;
    long count, n;
    uv_async_t a[64];
} rem;

static void remote_complete(void *ctx, int i)
{
    (void)ctx;
    uv_async_send(&rem.a[i]);
}

static void async_cb(uv_async_t *w)
{
    if (++rem.count >= rem.n) {
        uv_stop(w->loop);
        return;
    }
    bench_producer_arm(rem.p, (int)(w - rem.a));
}

static double remote(long n, int window)
{
    uv_loop_t *loop = loop_new();
    double t0;

    rem.count = 0;
    rem.n = n;
    for (int i = 0; i < window; i++)
        uv_async_init(loop, &rem.a[i], async_cb);
    rem.p = bench_producer_start(window, remote_complete, NULL);
    t0 = bench_now_ns();
    for (int i = 0; i < window; i++)
        bench_producer_arm(rem.p, i);
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = bench_now_ns() - t0;
    bench_producer_stop(rem.p);
    loop_free(loop);
    return t0 / (double)n;
}

static double remote1(long n) { return remote(n, 1); }
static double remote64(long n) { return remote(n, 64); }

/* ---- timers ---- */

static long fired;

static void timer_cb(uv_timer_t *t)
{
    (void)t;
    fired++;
}

static uv_timer_t *timers_new(uv_loop_t *loop, long n)
{
    uv_timer_t *t = malloc((size_t)n * sizeof *t);

    BENCH_CHECK(t != NULL, "malloc timers");
    for (long i = 0; i < n; i++)
        uv_timer_init(loop, &t[i]);
    return t;
}

/* libuv counts milliseconds: round up, never fire early. */
static uint64_t ms(uint32_t usec)
{
    return (usec + 999u) / 1000u;
}

static double timer_fire(long n)
{
    uv_loop_t *loop = loop_new();
    const uint32_t *d = bench_delays();
    uv_timer_t *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(loop, n);
    fired = 0;
    uv_update_time(loop);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++)
        uv_timer_start(&t[i], timer_cb, ms(d[i]), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = bench_cpu_ns() - t0;
    BENCH_CHECK(fired == n, "libuv timers: not all fired");
    loop_free(loop);
    free(t);
    return t0 / (double)n;
}

static double timer_cancel(long n)
{
    uv_loop_t *loop = loop_new();
    const uint32_t *d = bench_delays();
    uv_timer_t *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(loop, n);
    uv_update_time(loop);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++)
        uv_timer_start(&t[i], timer_cb, ms(d[i]), 0);
    for (long i = 0; i < n; i++)
        uv_timer_stop(&t[i]);
    t0 = bench_cpu_ns() - t0;
    loop_free(loop);
    free(t);
    return t0 / (double)n;
}

/* ---- scale ---- */

static double scale(enum bench_work w, long n)
{
    uv_loop_t *loop = loop_new();
    long idle = bench_scale_idle(w);
    uv_timer_t *t = timers_new(loop, idle);
    double ns;

    for (long i = 0; i < idle; i++)
        uv_timer_start(&t[i], timer_cb, BENCH_IDLE_US / 1000u, 0);
    ns = spin_for(loop, n);
    loop_free(loop);
    free(t);
    return ns;
}

static double scale10(long n) { return scale(W_SCALE10, n); }
static double scale1k(long n) { return scale(W_SCALE1K, n); }
static double scale100k(long n) { return scale(W_SCALE100K, n); }
static double scale1m(long n) { return scale(W_SCALE1M, n); }

/* ---- ping-pong: uv_read_start on both read ends, uv_try_write ---- */

static bench_pp pp;

struct side_handles {
    union {
        uv_pipe_t pipe;
        uv_tcp_t tcp;
        uv_stream_t stream;
    } rd, wr;
};

static struct side_handles hs[2];

static int side_of(uv_handle_t *h)
{
    return h == (uv_handle_t *)&hs[PP_A].rd ? PP_A : PP_B;
}

static void pp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    int side = side_of(h);

    (void)suggested;
    *buf = uv_buf_init(pp.buf[side] + pp.got[side], (unsigned)(pp.size - pp.got[side]));
}

static void pp_send(int side)
{
    uv_buf_t b = uv_buf_init(pp.buf[side], (unsigned)pp.size);
    uv_stream_t *s = pp.wr[side] == pp.rd[side] ? &hs[side].rd.stream : &hs[side].wr.stream;

    BENCH_CHECK(uv_try_write(s, &b, 1) == (int)pp.size, "libuv: uv_try_write");
}

static void pp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    int side = side_of((uv_handle_t *)s);

    (void)buf;
    if (nread == 0)
        return;
    BENCH_CHECK(nread > 0, "libuv: read");
    if (!bench_pp_got(&pp, side, (size_t)nread))
        return;
    if (side == PP_A && --pp.left == 0) {
        uv_stop(s->loop);
        return;
    }
    pp_send(side);
}

static void open_stream(uv_loop_t *loop, int tcp, int fd, void *h)
{
    if (tcp)
        BENCH_CHECK(uv_tcp_init(loop, h) == 0 && uv_tcp_open(h, fd) == 0, "uv_tcp_open");
    else
        BENCH_CHECK(uv_pipe_init(loop, h, 0) == 0 && uv_pipe_open(h, fd) == 0, "uv_pipe_open");
}

static double pingpong(long n, int tcp, size_t size)
{
    uv_loop_t *loop = loop_new();
    double t0;

    bench_pp_open(&pp, tcp, size, n);
    for (int side = 0; side < 2; side++) {
        open_stream(loop, tcp, pp.rd[side], &hs[side].rd);
        if (pp.wr[side] != pp.rd[side])
            open_stream(loop, tcp, pp.wr[side], &hs[side].wr);
        uv_read_start(&hs[side].rd.stream, pp_alloc, pp_read);
    }
    uv_run(loop, UV_RUN_NOWAIT); /* register the descriptors first */
    t0 = bench_now_ns();
    pp_send(PP_A);
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = bench_now_ns() - t0;
    loop_free(loop); /* closes every descriptor */
    return t0 / (double)n;
}

static double pipe1(long n) { return pingpong(n, 0, 1); }
static double pipe4k(long n) { return pingpong(n, 0, 4096); }
static double tcp1(long n) { return pingpong(n, 1, 1); }

/* ---- memory (in a child process: nothing is freed) ---- */

static double mem_timer(long n)
{
    uv_loop_t *loop = loop_new();
    long rss0 = bench_rss_bytes();
    uv_timer_t *t = timers_new(loop, n);

    for (long i = 0; i < n; i++)
        uv_timer_start(&t[i], timer_cb, BENCH_IDLE_US / 1000u, 0);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static double mem_object(long n)
{
    uv_loop_t *loop = loop_new();
    long rss0 = bench_rss_bytes();

    (void)timers_new(loop, n);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static void never_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    (void)buf;
    bench_fail("libuv: an idle descriptor became readable");
}

static void never_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)s;
    (void)nread;
    (void)buf;
}

static double mem_streams(long n, int tcp)
{
    uv_loop_t *loop = loop_new();
    int *fds = malloc((size_t)n * sizeof *fds);
    long rss0;
    size_t hsize = tcp ? sizeof(uv_tcp_t) : sizeof(uv_pipe_t);
    char *h;

    BENCH_CHECK(fds != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        int s[2];
        if (tcp)
            BENCH_CHECK(bench_tcp_pair(s) == 0, "tcp pair");
        else
            BENCH_CHECK(pipe2(s, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
        fds[i] = s[0];
    }
    rss0 = bench_rss_bytes();
    h = malloc((size_t)n * hsize);
    BENCH_CHECK(h != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        open_stream(loop, tcp, fds[i], h + (size_t)i * hsize);
        uv_read_start((uv_stream_t *)(void *)(h + (size_t)i * hsize), never_alloc, never_read);
    }
    uv_run(loop, UV_RUN_NOWAIT);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static double mem_pipe(long n) { return mem_streams(n, 0); }
static double mem_tcp(long n) { return mem_streams(n, 1); }

static const char *sizes(void)
{
    static char buf[160];

    snprintf(buf, sizeof buf, "uv_timer_t %zu, uv_idle_t %zu, uv_async_t %zu, uv_pipe_t %zu, uv_tcp_t %zu",
             sizeof(uv_timer_t), sizeof(uv_idle_t), sizeof(uv_async_t), sizeof(uv_pipe_t), sizeof(uv_tcp_t));
    return buf;
}

const bench_lib bench_uv = {
    .name = "libuv",
    .sizes = sizes,
    .fn = {
        [W_DISPATCH] = dispatch,
        [W_DISPATCH3] = dispatch,
        [W_LOOP] = loop_iter,
        [W_REMOTE1] = remote1,
        [W_REMOTE64] = remote64,
        [W_TIMER_FIRE] = timer_fire,
        [W_TIMER_CANCEL] = timer_cancel,
        [W_PIPE1] = pipe1,
        [W_PIPE4K] = pipe4k,
        [W_TCP1] = tcp1,
        [W_SCALE10] = scale10,
        [W_SCALE1K] = scale1k,
        [W_SCALE100K] = scale100k,
        [W_SCALE1M] = scale1m,
        [W_MEM_TIMER] = mem_timer,
        [W_MEM_OBJECT] = mem_object,
        [W_MEM_PIPE] = mem_pipe,
        [W_MEM_TCP] = mem_tcp,
    },
    .how = {
        [W_DISPATCH] = "uv_timer_start(0) from the callback (1.44 runs it in the same pass)",
        [W_DISPATCH3] = "as in dispatch: uv_timer_start(0) from the callback (1.44 runs it in the same pass)",
        [W_LOOP] = "a started uv_idle (uv_run polls with timeout 0)",
        [W_REMOTE1] = "uv_async_send; callback counts",
        [W_REMOTE64] = "uv_async_send, 64 uv_async_t",
        [W_TIMER_FIRE] = "uv_timer_start (ms, rounded up)",
        [W_TIMER_CANCEL] = "uv_timer_start, then uv_timer_stop",
        [W_PIPE1] = "uv_pipe_t, uv_read_start + uv_try_write",
        [W_PIPE4K] = "uv_pipe_t, uv_read_start + uv_try_write",
        [W_TCP1] = "uv_tcp_t, uv_read_start + uv_try_write",
        [W_SCALE10] = "idle: uv_timer_start(1 h) each; dispatch as above",
        [W_MEM_TIMER] = "uv_timer_t, started",
        [W_MEM_OBJECT] = "uv_timer_t, initialised (the dispatch handle)",
        [W_MEM_PIPE] = "uv_pipe_t, reading",
        [W_MEM_TCP] = "uv_tcp_t, reading",
    },
};
