/*
 * The Linux port's descriptor watchers (src/port/posix/watch.h), which
 * act_pipe, act_socket and act_fd build on: a watcher removed while a batch
 * of events is being delivered gets none of that batch, and its memory is
 * not touched again, even for the error and hang-up events epoll reports
 * whatever a watcher registered.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "port/posix/watch.h"
#include "support/fixture.h"

TestSuite(fd_watch, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* A watcher whose callback removes another one and scribbles over it. */
typedef struct remover {
    act__watch_call w;
    struct remover *other;
    int calls;
} remover;

/* What a removed watcher holds: a delivery to it fails by name. */
static void removed(act__watch *w, uint32_t revents)
{
    (void)w;
    cr_assert_fail("delivered 0x%x to a removed watcher", (unsigned)revents);
}

static void remove_other(act__watch *w, uint32_t revents)
{
    remover *r = ACT_CONTAINER_OF(w, remover, w.watch);

    (void)revents;
    r->calls++;
    if (r->other->w.watch.events != 0) {
        cr_assert_eq(act__watch_set(&r->other->w.watch, 0), 0);
        memset(&r->other->w, 0xa5, sizeof r->other->w); /* as if freed... */
        r->other->w.watch.kind = ACT__WATCH_CALL; /* ...but a kind of 0xa5 would read past the port's table */
        r->other->w.call = removed;
    }
}

static void watch_both(remover r[2], const int fds[2])
{
    for (int i = 0; i < 2; i++) {
        r[i].other = &r[1 - i];
        r[i].calls = 0;
        act__watch_init(&r[i].w.watch, fx_sched(), fds[i], ACT__WATCH_CALL);
        r[i].w.call = remove_other;
        cr_assert_eq(act__watch_set(&r[i].w.watch, EPOLLIN), 0);
    }
}

Test(fd_watch, removed_in_the_same_batch_gets_none_of_it)
{
    int a[2], b[2];
    remover r[2];

    cr_assert_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    cr_assert_eq(pipe2(b, O_NONBLOCK | O_CLOEXEC), 0);
    cr_assert_eq(write(a[1], "x", 1), 1);
    cr_assert_eq(write(b[1], "y", 1), 1);
    watch_both(r, (int[]){ a[0], b[0] });
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT); /* both in one epoll_wait */
    cr_assert_eq(r[0].calls + r[1].calls, 1, "the first delivered removes the other: %d + %d",
                 r[0].calls, r[1].calls);
    cr_assert_eq(act__watch_set(r[0].calls ? &r[0].w.watch : &r[1].w.watch, 0), 0);
    close(a[0]), close(a[1]), close(b[0]), close(b[1]);
}

Test(fd_watch, removed_in_the_same_batch_misses_its_hang_up_too)
{
    int a[2], b[2];
    remover r[2];

    cr_assert_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    cr_assert_eq(pipe2(b, O_NONBLOCK | O_CLOEXEC), 0);
    close(a[1]); /* both read ends report EPOLLHUP, which no watcher can mask */
    close(b[1]);
    watch_both(r, (int[]){ a[0], b[0] });
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(r[0].calls + r[1].calls, 1, "the first delivered removes the other: %d + %d",
                 r[0].calls, r[1].calls);
    cr_assert_eq(act__watch_set(r[0].calls ? &r[0].w.watch : &r[1].w.watch, 0), 0);
    close(a[0]), close(b[0]);
}

/* A watcher records EPOLLIN and EPOLLOUT only (a byte): anything more is refused, not truncated. */
Test(fd_watch, events_beyond_in_and_out_are_refused_and_nothing_is_registered)
{
    int a[2];
    act__watch_call c;

    cr_assert_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    act__watch_init(&c.watch, fx_sched(), a[0], ACT__WATCH_CALL);
    c.call = removed;
    cr_assert_eq(act__watch_set(&c.watch, EPOLLIN | EPOLLRDHUP), -EINVAL);
    cr_assert_eq(c.watch.events, 0);
    cr_assert_eq(act__watch_set(&c.watch, EPOLLIN), 0, "registered for the first time only now");
    cr_assert_eq(act__watch_set(&c.watch, 0), 0);
    close(a[0]), close(a[1]);
}
