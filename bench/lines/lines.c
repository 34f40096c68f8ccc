/*
 * The loop workload (one dispatch per epoll_wait(0) pass beside one idle
 * pipe) as four stand-alone programs, one per -DLINES_<lib>, for
 * bench/lines.sh (in its own folder: the suite links every C file of
 * bench/).  valgrind's lackey traces every memory access, and the script
 * counts the distinct cache lines each pass touches.  epoll_wait is
 * defined here, so that the libraries call this one (the executable's
 * symbol comes first) and each pass starts at the address it prints.
 * Built with -DLINES_TIMED it keeps libc's epoll_wait and prints the time
 * a pass takes instead.
 *
 *   lines <passes>
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef LINES_TIMED
__attribute__((noinline)) int epoll_wait(int ep, struct epoll_event *ev, int n, int timeout)
{
    return (int)syscall(SYS_epoll_pwait, ep, ev, n, timeout, NULL, 8);
}
#endif

static long left; /* passes still to make */

#ifndef LINES_ACTIVE
static void idle_pipe(int fds[2])
{
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        exit(1);
}
#endif

#if defined(LINES_ACTIVE)
#include "active.h"
#include "active/pipe.h"

static int pass_run(act_object *ao)
{
    (void)ao;
    left--;
    return 0;
}

static int never_run(act_object *ao)
{
    (void)ao;
    abort(); /* the idle pipe became readable */
}

static void nothing(act_object *ao)
{
    (void)ao;
}

static const act_object_ops pass_ops = { pass_run, nothing, NULL };
static const act_object_ops reader_ops = { never_run, nothing, NULL };

static void run(void)
{
    act_sched s;
    act_pipe rd, wr;
    act_object reader, pass;
    char byte;

    if (act_sched_init(&s) != 0 || act_pipe_pair(&rd, &wr, &s) != 0)
        exit(1);
    act_sched_install(&s);
    act_object_init(&reader, &reader_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&s, &reader);
    act_pipe_read(&rd, &byte, 1, act_object_status(&reader));
    act_set_active(&reader);
    act_object_init(&pass, &pass_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&s, &pass);
    while (left > 0) {
        act_complete_self(&pass, 0);
        act_sched_run_once(&s, ACT_RUN_NOWAIT);
    }
}
#elif defined(LINES_EV)
#include <ev.h>

static void idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)w;
    (void)revents;
    if (--left <= 0)
        ev_break(loop, EVBREAK_ALL);
}

static void never_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    abort();
}

static void run(void)
{
    struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
    ev_io io;
    ev_idle idle;
    int fds[2];

    idle_pipe(fds);
    ev_io_init(&io, never_cb, fds[0], EV_READ);
    ev_io_start(loop, &io);
    ev_idle_init(&idle, idle_cb);
    ev_idle_start(loop, &idle);
    ev_run(loop, 0);
}
#elif defined(LINES_EVENT)
#include <event2/event.h>
#include <event2/event_struct.h>

static void pass_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *ev = arg;

    (void)fd;
    (void)what;
    if (--left <= 0) {
        event_base_loopbreak(event_get_base(ev));
        return;
    }
    event_active(ev, EV_TIMEOUT, 0);
    event_base_loopcontinue(event_get_base(ev));
}

static void never_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    abort();
}

static void run(void)
{
    struct event_base *base = event_base_new();
    struct event io, ev;
    int fds[2];

    idle_pipe(fds);
    event_assign(&io, base, fds[0], EV_READ | EV_PERSIST, never_cb, NULL);
    event_add(&io, NULL);
    event_assign(&ev, base, -1, 0, pass_cb, &ev);
    event_active(&ev, EV_TIMEOUT, 0);
    event_base_loop(base, 0);
}
#else /* raw: epoll_wait(0), then an indirect call */
static void pass(void)
{
    left--;
}

static void (*volatile call)(void) = pass;

static void run(void)
{
    struct epoll_event ev[64];
    int fds[2], ep = epoll_create1(EPOLL_CLOEXEC);

    idle_pipe(fds);
    ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.fd = fds[0] };
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev[0]) != 0)
        exit(1);
    while (left > 0) {
        if (epoll_wait(ep, ev, 64, 0) != 0)
            abort();
        call();
    }
}
#endif

static double now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200;
    double t0;

    left = n;
    fprintf(stderr, "pass-start %lx\n", (unsigned long)(void *)epoll_wait);
    t0 = now_ns();
    run();
#ifdef LINES_TIMED
    printf("%.1f\n", (now_ns() - t0) / (double)n);
#else
    (void)t0;
#endif
    return 0;
}
