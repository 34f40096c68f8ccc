/*
 * The Linux port: CLOCK_MONOTONIC, one epoll set per scheduler, one eventfd
 * for wakes, lock-free atomics, a thread-local current scheduler.
 *
 * s->port[0] is the epoll fd, [1] the eventfd, [2] the number of watched
 * descriptors (not counting the eventfd), [3] the batch of events being
 * delivered, so that removing a watcher can drop its undelivered events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <active.h>
#include <active/port.h>

#include "../../core/internal.h"
#include "watch.h"

#if !ACT_PORT_IO
#error "the POSIX port watches descriptors: build the library with ACT_PORT_IO 1 (inc/active/base.h)"
#endif

enum { P_EPOLL, P_EVENT, P_NWATCH, P_BATCH };
enum { MAX_EVENTS = 64 };

struct batch {
    struct epoll_event ev[MAX_EVENTS];
    int n;
};

static _Thread_local act_sched *current;

uint64_t act_port_now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int act_port_init(act_sched *s)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int efd;

    if (ep < 0)
        return -errno;
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) {
        int err = -errno;
        if (efd >= 0)
            close(efd);
        close(ep);
        return err;
    }
    s->port[P_EPOLL] = ep;
    s->port[P_EVENT] = efd;
    s->port[P_NWATCH] = 0;
    s->port[P_BATCH] = 0;
    return 0;
}

void act_port_fini(act_sched *s)
{
    close((int)s->port[P_EVENT]);
    close((int)s->port[P_EPOLL]);
    s->port[P_EVENT] = s->port[P_EPOLL] = -1;
}

/*
 * Milliseconds rounded up, so a wait never ends before @deadline (the core
 * also checks the clock before firing a timer).  Timers are therefore as fine
 * as 1 ms on Linux, as in libuv and libev; see NOTE 2.
 */
static int epoll_until(int ep, struct epoll_event *ev, uint64_t deadline)
{
    uint64_t now, rel;

    if (deadline == ACT_PORT_FOREVER)
        return epoll_wait(ep, ev, MAX_EVENTS, -1);
    now = deadline == 0 ? 0 : act_port_now_usec();
    rel = deadline > now ? deadline - now : 0;
    if (rel > 86400000000u)
        rel = 86400000000u; /* a day; the loop waits again */
    return epoll_wait(ep, ev, MAX_EVENTS, (int)((rel + 999u) / 1000u));
}

/* ACT__WATCH_NONE: a removed watcher's undelivered events (drop_undelivered). */
static void ignore(act__watch *w, uint32_t revents)
{
    (void)w;
    (void)revents;
}

/* ACT__WATCH_CALL: the watcher's own function. */
static void call(act__watch *w, uint32_t revents)
{
    ACT_CONTAINER_OF(w, act__watch_call, watch)->call(w, revents);
}

/*
 * Weak: a program links a provider only when it calls one of its functions,
 * which is also the only way to have a watcher of its kind (NOTE 1).
 */
__attribute__((weak)) void act__stream_on_ready(act__watch *w, uint32_t revents);
__attribute__((weak)) void act__socket_on_ready(act__watch *w, uint32_t revents);
__attribute__((weak)) void act__fd_on_ready(act__watch *w, uint32_t revents);

/* The ready function of each kind (NOTE 1); a new kind needs a weak declaration above. */
static void (*const ready[ACT__WATCH_KINDS])(act__watch *w, uint32_t revents) = {
    [ACT__WATCH_NONE] = ignore,
    [ACT__WATCH_STREAM] = act__stream_on_ready,
    [ACT__WATCH_SOCKET] = act__socket_on_ready,
    [ACT__WATCH_FD] = act__fd_on_ready,
    [ACT__WATCH_CALL] = call,
};

_Static_assert(((EPOLLIN | EPOLLOUT) & (EPOLLERR | EPOLLHUP)) == 0 && (EPOLLIN | EPOLLOUT) <= UINT8_MAX,
               "act__watch.events holds EPOLLIN and EPOLLOUT, and delivery adds EPOLLERR and EPOLLHUP with +");
_Static_assert(sizeof(act__watch) == sizeof(void *) + 8, "act__watch: 16 bytes (12 on 32-bit)");

/*
 * What a removed watcher's undelivered events point at: registered for
 * nothing, so at most an error or hang-up reaches it, and its kind ignores
 * that.  Delivery needs no test for it.  Never written, so every thread may
 * share it.
 */
static act__watch tombstone = { .fd = -1, .events = 0, .kind = ACT__WATCH_NONE, .sched = NULL };

/*
 * Deliver one batch.  A ready function may remove any watcher, which points that
 * watcher's entries in the batch at the tombstone (drop_undelivered).  A
 * callback sees only what is still registered: a MOD may have narrowed the
 * watcher since the batch was fetched.
 */
int act_port_wait(act_sched *s, uint64_t deadline)
{
    struct batch b;
    int n = epoll_until((int)s->port[P_EPOLL], b.ev, deadline);

    if (n < 0) {
        int err = -errno;

        if (err == -EINTR)
            return 0;
        /* EBADF, EINVAL: the epoll descriptor was closed or replaced (act_sched_fd()'s "do not close it") */
        act__panic(ACT_PANIC_PORT_FAILED, "epoll_wait failed: the descriptor of scheduler @ was closed behind it", s);
        return err;
    }
    b.n = n;
    s->port[P_BATCH] = (intptr_t)&b;
    for (int i = 0; i < n; i++) {
        act__watch *w = b.ev[i].data.ptr;
        uint32_t revents;

        if (w == NULL) {
            uint64_t count;
            if (read((int)s->port[P_EVENT], &count, sizeof count) < 0 && errno != EAGAIN)
                break;
            continue;
        }
        /* + is | here (w->events has EPOLLIN and EPOLLOUT only): an instruction less, gcc 12 */
        revents = b.ev[i].events & (w->events + (uint32_t)(EPOLLERR | EPOLLHUP));
        if (revents != 0)
            ready[w->kind](w, revents);
    }
    s->port[P_BATCH] = 0;
    return 0;
}

void act_port_wake(act_sched *s)
{
    uint64_t one = 1;
    int saved = errno; /* may run in a signal handler */

    if (write((int)s->port[P_EVENT], &one, sizeof one) < 0) {
        /* EAGAIN: the counter is saturated, so a wake is already pending */
    }
    errno = saved;
}

bool act_port_has_io(const act_sched *s)
{
    return s->port[P_NWATCH] != 0;
}

int act_port_fd(const act_sched *s)
{
    return (int)s->port[P_EPOLL];
}

act_sched *act_port_current(void)
{
    return current;
}

void act_port_set_current(act_sched *s)
{
    current = s;
}

bool act_port_cas_ptr(void **p, void *expect, void *desire)
{
    return __atomic_compare_exchange_n(p, &expect, desire, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void *act_port_swap_ptr(void **p, void *v)
{
    return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

bool act_port_cas_i32(int32_t *p, int32_t expect, int32_t desire)
{
    return __atomic_compare_exchange_n(p, &expect, desire, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

int32_t act_port_load_i32(const int32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

_Noreturn void act_port_panic(const char *rule, const char *detail)
{
    fprintf(stderr, "libactive panic: %s: %s\n", rule, detail);
    fflush(stderr);
    abort();
}

void act__watch_init(act__watch *w, act_sched *s, int fd, unsigned kind)
{
    w->fd = fd;
    w->events = 0;
    w->kind = (uint8_t)kind;
    w->sched = s;
}

/*
 * Events already fetched for @w must not reach it once it is removed.  The
 * whole batch is marked, delivered entries too: cheaper than keeping the
 * delivery's position in memory for a removal that is rare.
 */
static void drop_undelivered(act_sched *s, act__watch *w)
{
    struct batch *b = (struct batch *)s->port[P_BATCH];

    if (b == NULL)
        return;
    for (int i = 0; i < b->n; i++) {
        if (b->ev[i].data.ptr == w)
            b->ev[i].data.ptr = &tombstone;
    }
}

int act__watch_open(act__watch *w, act_sched *s, int fd, unsigned kind, int *flags, unsigned *mode)
{
    struct stat sb;
    int rc;

    if (fd < 0 || (*flags = fcntl(fd, F_GETFL)) < 0 || (*flags & O_PATH) || fstat(fd, &sb) < 0)
        return -EBADF;
    *mode = sb.st_mode;
    if (S_ISDIR(sb.st_mode))
        return -EISDIR;
    if (S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode))
        return -EPERM;
    act__watch_init(w, s, fd, kind);
    if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
        return 0;
    rc = act__watch_set(w, EPOLLIN);
    if (rc == 0)
        rc = act__watch_set(w, 0);
    return rc;
}

int act__watch_change(act__watch *w, uint32_t events)
{
    act_sched *s = w->sched;
    struct epoll_event ev = { .events = events, .data.ptr = w };
    int op;
    int err = 0;

    if ((events & ~(uint32_t)(EPOLLIN | EPOLLOUT)) != 0)
        return -EINVAL; /* w->events has room for these two only */
    op = w->events == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl((int)s->port[P_EPOLL], op, w->fd, &ev) < 0) {
        err = -errno;
        if (op != EPOLL_CTL_DEL)
            return err;
        /* removal forgets @w anyway: its fd was closed behind its back */
    }
    if (op == EPOLL_CTL_ADD)
        s->port[P_NWATCH]++;
    if (op == EPOLL_CTL_DEL) {
        s->port[P_NWATCH]--;
        drop_undelivered(s, w);
    }
    w->events = (uint8_t)events;
    return err;
}

/*
 * NOTE 1: a watcher's kind, not its callback.  A kind is a byte in the
 * 16-byte watcher where a callback pointer took 8 bytes (of 24), and the
 * watcher's spare bytes go to its owner: an act_pipe is 64 bytes, an
 * act_socket 80, an act_fd 24.  Dispatch is one indirect call through the
 * table of kinds, as it was through the pointer (plus the load of the kind
 * byte).  The table names the providers' ready functions weakly, so that a
 * static link of the port does not pull in stream.c, socket.c and fd.c
 * (about 12 KiB of text on x86-64) for a program that watches no
 * descriptor: a watcher of a kind exists only after a call into the
 * provider that defines the kind's function (act__stream_init,
 * act_socket_open and accept, act_fd_init), which links it.  Code that is
 * not a provider uses act__watch_call, which keeps a pointer beside the
 * watcher.  The Cortex-M port has no watchers.
 *
 * NOTE 2: epoll_pwait2 (Linux 5.11) would give microsecond timeouts, but
 * valgrind 3.19, which CI uses, does not know the system call, and a timer
 * finer than a millisecond is rarely worth a second code path.  A timerfd
 * would cost an extra system call per re-arm.
 */
