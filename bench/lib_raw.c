/*
 * The floor: minimal hand-written loops with no library, so that every
 * library's overhead over the system calls is visible.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"

/* ---- dispatch: a FIFO of function pointers, a handler re-queueing itself ---- */

struct task {
    struct task *next;
    void (*fn)(struct task *t);
};

static struct task *head, **tail = &head;
static long left;

static void push(struct task *t)
{
    t->next = NULL;
    *tail = t;
    tail = &t->next;
}

__attribute__((noinline)) static void spin_fn(struct task *t)
{
    if (--left > 0)
        push(t);
}

static void (*volatile spin_ptr)(struct task *) = spin_fn; /* no devirtualising */

static double dispatch(long n)
{
    struct task t = { NULL, spin_ptr };
    double t0;

    left = n;
    push(&t);
    t0 = bench_now_ns();
    while (head != NULL) {
        struct task *cur = head;
        head = cur->next;
        if (head == NULL)
            tail = &head;
        cur->fn(cur);
    }
    return (bench_now_ns() - t0) / (double)n;
}

/* ---- loop iteration: epoll_wait(0) on a set with one idle pipe, then a call ---- */

static int epoll_with(const int *fds, int nfds)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);

    BENCH_CHECK(ep >= 0, "epoll_create1");
    for (int i = 0; i < nfds; i++) {
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
        BENCH_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0, "epoll_ctl");
    }
    return ep;
}

static double loop_iter(long n)
{
    struct epoll_event ev[64];
    struct task t = { NULL, spin_ptr };
    int p[2], ep;
    double t0;

    BENCH_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    ep = epoll_with(p, 1);
    left = n;
    t0 = bench_now_ns();
    while (left > 0) {
        BENCH_CHECK(epoll_wait(ep, ev, 64, 0) == 0, "raw: idle pipe readable");
        t.fn(&t);
    }
    t0 = bench_now_ns() - t0;
    head = NULL;
    tail = &head;
    close(ep);
    close(p[0]);
    close(p[1]);
    return t0 / (double)n;
}

/* ---- remote completion: a flag and an eventfd write per completion ---- */

static struct {
    int efd;
    atomic_int done[64];
} rem;

static void remote_complete(void *ctx, int i)
{
    uint64_t one = 1;

    (void)ctx;
    atomic_store_explicit(&rem.done[i], 1, memory_order_release);
    BENCH_CHECK(write(rem.efd, &one, sizeof one) == sizeof one, "eventfd write");
}

static double remote(long n, int window)
{
    struct epoll_event ev[64];
    bench_producer *p;
    long count = 0;
    int ep;
    double t0;

    rem.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    BENCH_CHECK(rem.efd >= 0, "eventfd");
    ep = epoll_with(&rem.efd, 1);
    for (int i = 0; i < window; i++)
        atomic_init(&rem.done[i], 0);
    p = bench_producer_start(window, remote_complete, NULL);
    t0 = bench_now_ns();
    for (int i = 0; i < window; i++)
        bench_producer_arm(p, i);
    while (count < n) {
        uint64_t v;
        if (epoll_wait(ep, ev, 64, -1) < 1 || read(rem.efd, &v, sizeof v) < 0)
            continue;
        for (int i = 0; i < window && count < n; i++) {
            if (atomic_load_explicit(&rem.done[i], memory_order_acquire)) {
                atomic_store_explicit(&rem.done[i], 0, memory_order_relaxed);
                if (++count < n)
                    bench_producer_arm(p, i);
            }
        }
    }
    t0 = bench_now_ns() - t0;
    bench_producer_stop(p);
    close(ep);
    close(rem.efd);
    return t0 / (double)n;
}

static double remote1(long n) { return remote(n, 1); }
static double remote64(long n) { return remote(n, 64); }

/* ---- ping-pong: epoll_wait(-1), read(2), write(2) ---- */

static double pingpong(long n, int tcp, size_t size)
{
    bench_pp *pp = malloc(sizeof *pp);
    struct epoll_event ev[8];
    int ep;
    double t0;

    BENCH_CHECK(pp != NULL, "malloc");
    bench_pp_open(pp, tcp, size, n);
    ep = epoll_with(pp->rd, 2);
    t0 = bench_now_ns();
    bench_pp_send(pp, PP_A);
    while (pp->left > 0) {
        int k = epoll_wait(ep, ev, 8, -1);
        for (int i = 0; i < k; i++) {
            int side = ev[i].data.fd == pp->rd[PP_A] ? PP_A : PP_B;
            if (!bench_pp_read(pp, side))
                continue;
            if (side == PP_B || --pp->left > 0)
                bench_pp_send(pp, side);
        }
    }
    t0 = bench_now_ns() - t0;
    close(ep);
    bench_pp_close(pp);
    free(pp);
    return t0 / (double)n;
}

static double pipe1(long n) { return pingpong(n, 0, 1); }
static double pipe4k(long n) { return pingpong(n, 0, 4096); }
static double tcp1(long n) { return pingpong(n, 1, 1); }

const bench_lib bench_raw = {
    .name = "raw",
    .fn = {
        [W_DISPATCH] = dispatch,
        [W_DISPATCH3] = dispatch,
        [W_LOOP] = loop_iter,
        [W_REMOTE1] = remote1,
        [W_REMOTE64] = remote64,
        [W_PIPE1] = pipe1,
        [W_PIPE4K] = pipe4k,
        [W_TCP1] = tcp1,
    },
    .how = {
        [W_DISPATCH] = "a FIFO of function pointers",
        [W_DISPATCH3] = "as in dispatch: a FIFO of function pointers",
        [W_LOOP] = "epoll_wait(0) on one idle pipe, then an indirect call",
        [W_REMOTE1] = "a flag + eventfd write; epoll_wait(-1) + read",
        [W_REMOTE64] = "the same, 64 flags",
        [W_PIPE1] = "epoll_wait(-1) + read(2) + write(2)",
        [W_PIPE4K] = "epoll_wait(-1) + read(2) + write(2)",
        [W_TCP1] = "epoll_wait(-1) + read(2) + write(2)",
    },
};
