/*
 * libevent's side of every workload (Debian's libevent 2.1.12, epoll
 * backend), through its public API only.  The remote workloads need
 * evthread_use_pthreads(), which puts a lock on every base made after it,
 * so they run in a child process and leave the other workloads lock-free.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/thread.h>

#include "bench.h"

static struct event_base *base_new(void)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    BENCH_CHECK(cfg != NULL, "event_config_new");
    event_config_avoid_method(cfg, "poll");
    event_config_avoid_method(cfg, "select");
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    BENCH_CHECK(base != NULL && strcmp(event_base_get_method(base), "epoll") == 0, "libevent: no epoll base");
    return base;
}

/* ---- dispatch: event_active from the callback ---- */

static long spin_left;

static void spin_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *ev = arg;

    (void)fd;
    (void)what;
    if (--spin_left > 0)
        event_active(ev, EV_TIMEOUT, 0);
    else
        event_base_loopbreak(event_get_base(ev)); /* the idle timers of scale keep it alive */
}

static double spin_for(struct event_base *base, long n)
{
    struct event ev;
    double t0;

    event_assign(&ev, base, -1, 0, spin_cb, &ev);
    spin_left = n;
    event_active(&ev, EV_TIMEOUT, 0);
    t0 = bench_now_ns();
    event_base_loop(base, 0);
    t0 = bench_now_ns() - t0;
    BENCH_CHECK(spin_left == 0, "libevent: dispatch did not finish");
    return t0 / (double)n;
}

static double dispatch(long n)
{
    struct event_base *base = base_new();
    double ns = spin_for(base, n);

    event_base_free(base);
    return ns;
}

/* ---- loop iteration: event_active + event_base_loopcontinue ---- */

static void pass_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *ev = arg;

    (void)fd;
    (void)what;
    if (--spin_left <= 0) {
        event_base_loopbreak(event_get_base(ev));
        return;
    }
    event_active(ev, EV_TIMEOUT, 0);
    event_base_loopcontinue(event_get_base(ev)); /* poll again before running it */
}

static void never_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    bench_fail("libevent: an idle descriptor became readable");
}

static double loop_iter(long n)
{
    struct event_base *base = base_new();
    struct event ev, io;
    int p[2];
    double t0;

    BENCH_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    event_assign(&io, base, p[0], EV_READ | EV_PERSIST, never_cb, NULL);
    event_add(&io, NULL);
    event_assign(&ev, base, -1, 0, pass_cb, &ev);
    spin_left = n;
    event_active(&ev, EV_TIMEOUT, 0);
    t0 = bench_now_ns();
    event_base_loop(base, 0);
    t0 = bench_now_ns() - t0;
    event_del(&io);
    event_base_free(base);
    close(p[0]);
    close(p[1]);
    return t0 / (double)n;
}

/* ---- remote completion: event_active from another thread ---- */

static struct {
    bench_producer *p;
    long count, n;
    struct event ev[64];
} rem;

static void remote_complete(void *ctx, int i)
{
    (void)ctx;
    event_active(&rem.ev[i], EV_READ, 0);
}

static void remote_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *ev = arg;

    (void)fd;
    (void)what;
    if (++rem.count >= rem.n) {
        event_base_loopbreak(event_get_base(ev));
        return;
    }
    bench_producer_arm(rem.p, (int)(ev - rem.ev));
}

static double remote_child(long n, int window)
{
    struct event_base *base;
    struct event keep;
    int p[2];
    double t0;

    BENCH_CHECK(evthread_use_pthreads() == 0, "evthread_use_pthreads");
    base = base_new();
    BENCH_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    event_assign(&keep, base, p[0], EV_READ | EV_PERSIST, never_cb, NULL);
    event_add(&keep, NULL); /* a loop with only activated events would return at once */
    rem.count = 0;
    rem.n = n;
    for (int i = 0; i < window; i++)
        event_assign(&rem.ev[i], base, -1, 0, remote_cb, &rem.ev[i]);
    rem.p = bench_producer_start(window, remote_complete, NULL);
    t0 = bench_now_ns();
    for (int i = 0; i < window; i++)
        bench_producer_arm(rem.p, i);
    event_base_loop(base, 0);
    t0 = bench_now_ns() - t0;
    bench_producer_stop(rem.p);
    return t0 / (double)n;
}

static double remote1_child(long n) { return remote_child(n, 1); }
static double remote64_child(long n) { return remote_child(n, 64); }
static double remote1(long n) { return bench_isolated(remote1_child, n); }
static double remote64(long n) { return bench_isolated(remote64_child, n); }

/* ---- timers ---- */

static long fired;

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fired++;
}

static struct event *timers_new(struct event_base *base, long n)
{
    struct event *t = malloc((size_t)n * sizeof *t);

    BENCH_CHECK(t != NULL, "malloc timers");
    for (long i = 0; i < n; i++)
        event_assign(&t[i], base, -1, 0, timer_cb, NULL);
    return t;
}

static struct timeval tv_of(uint64_t usec)
{
    struct timeval tv = { (time_t)(usec / 1000000u), (suseconds_t)(usec % 1000000u) };
    return tv;
}

static double timer_fire(long n)
{
    struct event_base *base = base_new();
    const uint32_t *d = bench_delays();
    struct event *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(base, n);
    fired = 0;
    event_base_update_cache_time(base);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++) {
        struct timeval tv = tv_of(d[i]);
        event_add(&t[i], &tv);
    }
    event_base_loop(base, 0);
    t0 = bench_cpu_ns() - t0;
    BENCH_CHECK(fired == n, "libevent timers: not all fired");
    event_base_free(base);
    free(t);
    return t0 / (double)n;
}

static double timer_cancel(long n)
{
    struct event_base *base = base_new();
    const uint32_t *d = bench_delays();
    struct event *t;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    t = timers_new(base, n);
    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++) {
        struct timeval tv = tv_of(d[i]);
        event_add(&t[i], &tv);
    }
    for (long i = 0; i < n; i++)
        event_del(&t[i]);
    t0 = bench_cpu_ns() - t0;
    event_base_free(base);
    free(t);
    return t0 / (double)n;
}

/* ---- scale ---- */

static double scale(enum bench_work w, long n)
{
    struct event_base *base = base_new();
    long idle = bench_scale_idle(w);
    struct event *t = timers_new(base, idle);
    struct timeval tv = tv_of(BENCH_IDLE_US);
    double ns;

    for (long i = 0; i < idle; i++)
        event_add(&t[i], &tv);
    ns = spin_for(base, n);
    for (long i = 0; i < idle; i++)
        event_del(&t[i]);
    event_base_free(base);
    free(t);
    return ns;
}

static double scale10(long n) { return scale(W_SCALE10, n); }
static double scale1k(long n) { return scale(W_SCALE1K, n); }
static double scale100k(long n) { return scale(W_SCALE100K, n); }
static double scale1m(long n) { return scale(W_SCALE1M, n); }

/* ---- ping-pong: persistent read events, read(2)/write(2) in the callbacks ---- */

static bench_pp pp;

static void pp_cb(evutil_socket_t fd, short what, void *arg)
{
    int side = fd == pp.rd[PP_A] ? PP_A : PP_B;

    (void)what;
    if (!bench_pp_read(&pp, side))
        return;
    if (side == PP_A && --pp.left == 0) {
        event_base_loopbreak(arg);
        return;
    }
    bench_pp_send(&pp, side);
}

static double pingpong(long n, int tcp, size_t size)
{
    struct event_base *base = base_new();
    struct event io[2];
    double t0;

    bench_pp_open(&pp, tcp, size, n);
    for (int side = 0; side < 2; side++) {
        event_assign(&io[side], base, pp.rd[side], EV_READ | EV_PERSIST, pp_cb, base);
        event_add(&io[side], NULL);
    }
    t0 = bench_now_ns();
    bench_pp_send(&pp, PP_A);
    event_base_loop(base, 0);
    t0 = bench_now_ns() - t0;
    for (int side = 0; side < 2; side++)
        event_del(&io[side]);
    event_base_free(base);
    bench_pp_close(&pp);
    return t0 / (double)n;
}

static double pipe1(long n) { return pingpong(n, 0, 1); }
static double pipe4k(long n) { return pingpong(n, 0, 4096); }
static double tcp1(long n) { return pingpong(n, 1, 1); }

/* ---- memory (in a child process: nothing is freed) ---- */

static double mem_timer(long n)
{
    struct event_base *base = base_new();
    long rss0 = bench_rss_bytes();
    struct event *t = timers_new(base, n);
    struct timeval tv = tv_of(BENCH_IDLE_US);

    for (long i = 0; i < n; i++)
        event_add(&t[i], &tv);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static double mem_object(long n)
{
    struct event_base *base = base_new();
    long rss0 = bench_rss_bytes();

    (void)timers_new(base, n);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static double mem_fds(long n, int tcp)
{
    struct event_base *base = base_new();
    int *fds = malloc((size_t)n * sizeof *fds);
    struct event *io;
    long rss0;

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
    io = malloc((size_t)n * sizeof *io);
    BENCH_CHECK(io != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        event_assign(&io[i], base, fds[i], EV_READ | EV_PERSIST, never_cb, NULL);
        event_add(&io[i], NULL);
    }
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

static double mem_pipe(long n) { return mem_fds(n, 0); }
static double mem_tcp(long n) { return mem_fds(n, 1); }

static const char *sizes(void)
{
    static char buf[80];

    snprintf(buf, sizeof buf, "struct event %zu", sizeof(struct event));
    return buf;
}

const bench_lib bench_event = {
    .name = "libevent",
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
        [W_DISPATCH] = "event_active from the callback",
        [W_DISPATCH3] = "as in dispatch: event_active from the callback",
        [W_LOOP] = "event_active + event_base_loopcontinue from the callback",
        [W_REMOTE1] = "event_active from the thread (evthread_use_pthreads, in a child)",
        [W_REMOTE64] = "event_active, 64 events (evthread_use_pthreads, in a child)",
        [W_TIMER_FIRE] = "event_add with a timeout",
        [W_TIMER_CANCEL] = "event_add, then event_del",
        [W_PIPE1] = "EV_READ|EV_PERSIST events, read(2)/write(2) (no bufferevents)",
        [W_PIPE4K] = "EV_READ|EV_PERSIST events, read(2)/write(2) (no bufferevents)",
        [W_TCP1] = "EV_READ|EV_PERSIST events, read(2)/write(2) (no bufferevents)",
        [W_SCALE10] = "idle: event_add(1 h) each; dispatch as above",
        [W_MEM_TIMER] = "struct event, added with a timeout (+ its heap slot)",
        [W_MEM_OBJECT] = "struct event, assigned",
        [W_MEM_PIPE] = "struct event, added for reading",
        [W_MEM_TCP] = "struct event, added for reading",
    },
};
