/*
 * libev's side of every workload (Debian's libev 4.33, epoll backend),
 * through its public API only.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "bench.h"

static struct ev_loop *loop_new(void)
{
    struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);

    BENCH_CHECK(loop != NULL, "ev_loop_new");
    return loop;
}

/* ---- dispatch: ev_feed_event from the callback ---- */

static long spin_left;

static void spin_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)revents;
    if (--spin_left > 0)
        ev_feed_event(loop, w, EV_CUSTOM);
}

static double spin_for(struct ev_loop *loop, long n)
{
    ev_idle w;
    double t0;

    ev_idle_init(&w, spin_cb);
    spin_left = n;
    ev_feed_event(loop, &w, EV_CUSTOM);
    t0 = bench_now_ns();
    ev_run(loop, EVRUN_NOWAIT); /* one poll (timeout 0), then the pending chain */
    t0 = bench_now_ns() - t0;
    BENCH_CHECK(spin_left == 0, "libev: dispatch did not finish");
    return t0 / (double)n;
}

static double dispatch(long n)
{
    struct ev_loop *loop = loop_new();
    double ns = spin_for(loop, n);

    ev_loop_destroy(loop);
    return ns;
}

/* ---- loop iteration: an ev_idle, and an ev_io on an idle pipe ---- */

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)w;
    (void)revents;
    if (--spin_left <= 0)
        ev_break(loop, EVBREAK_ALL);
}

static void never_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    bench_fail("libev: the idle pipe became readable");
}

static double loop_iter(long n)
{
    struct ev_loop *loop = loop_new();
    ev_idle w;
    ev_io io;
    int p[2];
    double t0;

    BENCH_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    ev_io_init(&io, never_cb, p[0], EV_READ);
    ev_io_start(loop, &io);
    ev_idle_init(&w, idle_cb);
    ev_idle_start(loop, &w);
    spin_left = n;
    t0 = bench_now_ns();
    ev_run(loop, 0);
    t0 = bench_now_ns() - t0;
    ev_idle_stop(loop, &w);
    ev_io_stop(loop, &io);
    ev_loop_destroy(loop);
    close(p[0]);
    close(p[1]);
    return t0 / (double)n;
}

/* ---- remote completion: ev_async_send from another thread ---- */

static struct {
    struct ev_loop *loop;
    bench_producer *p;
    long count, n;
    ev_async a[64];
} rem;

static void remote_complete(void *ctx, int i)
{
    (void)ctx;
    ev_async_send(rem.loop, &rem.a[i]);
}

static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)revents;
    if (++rem.count >= rem.n) {
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    bench_producer_arm(rem.p, (int)(w - rem.a));
}

static double remote(long n, int window)
{
    double t0;

    rem.loop = loop_new();
    rem.count = 0;
    rem.n = n;
    for (int i = 0; i < window; i++) {
        ev_async_init(&rem.a[i], async_cb);
        ev_async_start(rem.loop, &rem.a[i]);
    }
    rem.p = bench_producer_start(window, remote_complete, NULL);
    t0 = bench_now_ns();
    for (int i = 0; i < window; i++)
        bench_producer_arm(rem.p, i);
    ev_run(rem.loop, 0);
    t0 = bench_now_ns() - t0;
    bench_producer_stop(rem.p);
    for (int i = 0; i < window; i++)
        ev_async_stop(rem.loop, &rem.a[i]);
    ev_loop_destroy(rem.loop);
    return t0 / (double)n;
}

static double remote1(long n) { return remote(n, 1); }
static double remote64(long n) { return remote(n, 64); }

/* ---- timers ---- */

static long fired;

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    fired++;
}

static ev_timer *timers_new(long n)
{
    ev_timer *t = malloc((size_t)n * sizeof *t);

    BENCH_CHECK(t != NULL, "malloc timers");
    memset(t, 0, (size_t)n * sizeof *t);
    return t;
}

static double timer_fire(long n)
{
    struct ev_loop *loop = loop_new();
    const uint32_t *d = bench_delays();
    ev_timer *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(n);
    fired = 0;
    ev_now_update(loop);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++) {
        ev_timer_init(&t[i], timer_cb, (double)d[i] * 1e-6, 0.);
        ev_timer_start(loop, &t[i]);
    }
    ev_run(loop, 0);
    t0 = bench_cpu_ns() - t0;
    BENCH_CHECK(fired == n, "libev timers: not all fired");
    free(t);
    ev_loop_destroy(loop);
    return t0 / (double)n;
}

static double timer_cancel(long n)
{
    struct ev_loop *loop = loop_new();
    const uint32_t *d = bench_delays();
    ev_timer *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(n);
    ev_now_update(loop);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++) {
        ev_timer_init(&t[i], timer_cb, (double)d[i] * 1e-6, 0.);
        ev_timer_start(loop, &t[i]);
    }
    for (long i = 0; i < n; i++)
        ev_timer_stop(loop, &t[i]);
    t0 = bench_cpu_ns() - t0;
    free(t);
    ev_loop_destroy(loop);
    return t0 / (double)n;
}

/* ---- scale: dispatch beside idle timers ---- */

static double scale(enum bench_work w, long n)
{
    struct ev_loop *loop = loop_new();
    long idle = bench_scale_idle(w);
    ev_timer *t = timers_new(idle);
    double ns;

    for (long i = 0; i < idle; i++) {
        ev_timer_init(&t[i], timer_cb, BENCH_IDLE_US * 1e-6, 0.);
        ev_timer_start(loop, &t[i]);
    }
    ns = spin_for(loop, n);
    for (long i = 0; i < idle; i++)
        ev_timer_stop(loop, &t[i]);
    free(t);
    ev_loop_destroy(loop);
    return ns;
}

static double scale10(long n) { return scale(W_SCALE10, n); }
static double scale1k(long n) { return scale(W_SCALE1K, n); }
static double scale100k(long n) { return scale(W_SCALE100K, n); }
static double scale1m(long n) { return scale(W_SCALE1M, n); }

/* ---- ping-pong: ev_io on both read ends, read(2) and write(2) in the callbacks ---- */

static bench_pp pp;

static void pp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    int side = w->fd == pp.rd[PP_A] ? PP_A : PP_B;

    (void)revents;
    if (!bench_pp_read(&pp, side))
        return;
    if (side == PP_A && --pp.left == 0) {
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    bench_pp_send(&pp, side);
}

static double pingpong(long n, int tcp, size_t size)
{
    struct ev_loop *loop = loop_new();
    ev_io io[2];
    double t0;

    bench_pp_open(&pp, tcp, size, n);
    for (int side = 0; side < 2; side++) {
        ev_io_init(&io[side], pp_cb, pp.rd[side], EV_READ);
        ev_io_start(loop, &io[side]);
    }
    ev_run(loop, EVRUN_NOWAIT); /* register the descriptors first */
    t0 = bench_now_ns();
    bench_pp_send(&pp, PP_A);
    ev_run(loop, 0);
    t0 = bench_now_ns() - t0;
    for (int side = 0; side < 2; side++)
        ev_io_stop(loop, &io[side]);
    ev_loop_destroy(loop);
    bench_pp_close(&pp);
    return t0 / (double)n;
}

static double pipe1(long n) { return pingpong(n, 0, 1); }
static double pipe4k(long n) { return pingpong(n, 0, 4096); }
static double tcp1(long n) { return pingpong(n, 1, 1); }

/* ---- memory ---- */

static double mem_timer(long n)
{
    struct ev_loop *loop = loop_new();
    long rss0 = bench_rss_bytes();
    ev_timer *t = malloc((size_t)n * sizeof *t);
    double per;

    BENCH_CHECK(t != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        ev_timer_init(&t[i], timer_cb, BENCH_IDLE_US * 1e-6, 0.);
        ev_timer_start(loop, &t[i]);
    }
    per = (double)(bench_rss_bytes() - rss0) / (double)n;
    for (long i = 0; i < n; i++)
        ev_timer_stop(loop, &t[i]);
    free(t);
    ev_loop_destroy(loop);
    return per;
}

static double mem_object(long n)
{
    long rss0 = bench_rss_bytes();
    ev_idle *w = malloc((size_t)n * sizeof *w);
    double per;

    BENCH_CHECK(w != NULL, "malloc");
    for (long i = 0; i < n; i++)
        ev_idle_init(&w[i], spin_cb);
    per = (double)(bench_rss_bytes() - rss0) / (double)n;
    free(w);
    return per;
}

/* @n descriptors (pipe read ends or TCP sockets), each watched for reading. */
static double mem_fds(long n, const int *fds)
{
    struct ev_loop *loop = loop_new();
    long rss0 = bench_rss_bytes();
    ev_io *io = malloc((size_t)n * sizeof *io);
    double per;

    BENCH_CHECK(io != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        ev_io_init(&io[i], never_cb, fds[i], EV_READ);
        ev_io_start(loop, &io[i]);
    }
    ev_run(loop, EVRUN_NOWAIT);
    per = (double)(bench_rss_bytes() - rss0) / (double)n;
    for (long i = 0; i < n; i++)
        ev_io_stop(loop, &io[i]);
    free(io);
    ev_loop_destroy(loop);
    return per;
}

static double mem_pipe(long n)
{
    int *fds = malloc((size_t)n * 2 * sizeof *fds);
    double per;

    BENCH_CHECK(fds != NULL, "malloc");
    for (long i = 0; i < n; i++)
        BENCH_CHECK(pipe2(&fds[2 * i], O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    for (long i = 0; i < n; i++)
        fds[i] = fds[2 * i]; /* the read ends, packed; the write ends leak until exit */
    per = mem_fds(n, fds);
    return per;
}

static double mem_tcp(long n)
{
    int *fds = malloc((size_t)n * sizeof *fds);
    double per;

    BENCH_CHECK(fds != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        int s[2];
        BENCH_CHECK(bench_tcp_pair(s) == 0, "tcp pair");
        fds[i] = s[0];
    }
    per = mem_fds(n, fds);
    return per;
}

static const char *sizes(void)
{
    static char buf[160];

    snprintf(buf, sizeof buf, "ev_idle %zu, ev_timer %zu, ev_io %zu, ev_async %zu", sizeof(ev_idle),
             sizeof(ev_timer), sizeof(ev_io), sizeof(ev_async));
    return buf;
}

const bench_lib bench_ev = {
    .name = "libev",
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
        [W_DISPATCH] = "ev_feed_event on its own ev_idle (not started) from the callback",
        [W_DISPATCH3] = "as in dispatch: ev_feed_event on its own ev_idle (not started) from the callback",
        [W_LOOP] = "a started ev_idle (ev_run polls with timeout 0)",
        [W_REMOTE1] = "ev_async_send; callback counts",
        [W_REMOTE64] = "ev_async_send, 64 ev_async",
        [W_TIMER_FIRE] = "ev_timer_start",
        [W_TIMER_CANCEL] = "ev_timer_start, then ev_timer_stop",
        [W_PIPE1] = "ev_io, read(2)/write(2) in the callback",
        [W_PIPE4K] = "ev_io, read(2)/write(2) in the callback",
        [W_TCP1] = "ev_io, read(2)/write(2) in the callback",
        [W_SCALE10] = "idle: ev_timer_start(1 h) each; dispatch as above",
        [W_MEM_TIMER] = "ev_timer, started (+ its heap entry)",
        [W_MEM_OBJECT] = "ev_idle, initialised (nothing to register)",
        [W_MEM_PIPE] = "ev_io, started",
        [W_MEM_TCP] = "ev_io, started",
    },
};
