/*
 * act_fd: readiness as a cancellable request, never completing inside the
 * call; errors and hang-ups always reported; no I/O done; -EBUSY; bad input;
 * an idle descriptor leaves the epoll set; no descriptor leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "support/io.h"

TestSuite(fd, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* A raw non-blocking pipe: fds[0] reads, fds[1] writes. */
static void raw_pipe(int fds[2])
{
    cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void wait_for(io_wait *o, int events)
{
    act_fd_wait(o->fd, events, act_object_status(&o->base));
    cr_assert(act_status_pending(act_object_status(&o->base)), "never completes inside the call");
    act_set_active(&o->base);
}

Test(fd, wait_readable_completes_when_bytes_arrive)
{
    int fds[2];
    act_fd w;
    io_wait o;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    io_poll(2);
    cr_assert_eq(o.runs, 0);
    cr_assert_eq(write(fds[1], "x", 1), 1);
    io_run_until(&o.runs, 1);
    cr_assert_eq(o.last, ACT_FD_READABLE);
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, wait_writable_on_an_empty_pipe_completes_on_the_next_pass_only)
{
    int fds[2];
    act_fd w;
    io_wait o;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[1]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE | ACT_FD_WRITABLE);
    io_run_until(&o.runs, 1);
    cr_assert_eq(o.last, ACT_FD_WRITABLE, "only what was asked and is ready");
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, wait_does_no_io_and_leaves_the_bytes_in_place)
{
    int fds[2];
    act_fd w;
    io_wait o;
    char buf[8];

    raw_pipe(fds);
    cr_assert_eq(write(fds[1], "abc", 3), 3);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    for (int i = 1; i <= 3; i++) {
        wait_for(&o, ACT_FD_READABLE);
        io_run_until(&o.runs, i);
        cr_assert_eq(o.last, ACT_FD_READABLE, "level-triggered: ready stays ready");
    }
    cr_assert_eq(read(fds[0], buf, sizeof buf), 3);
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, wait_reports_hangup_when_the_writer_closes)
{
    int fds[2];
    act_fd w;
    io_wait o;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    close(fds[1]);
    io_run_until(&o.runs, 1);
    cr_assert(o.last & ACT_FD_HANGUP);
    act_fd_fini(&w);
    close(fds[0]);
}

Test(fd, wait_reports_error_on_a_write_end_whose_reader_closed)
{
    int fds[2];
    act_fd w;
    io_wait o;
    char fill[65536] = { 0 };

    raw_pipe(fds);
    while (write(fds[1], fill, sizeof fill) > 0) /* full: not writable */
        continue;
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[1]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_WRITABLE);
    io_poll(2);
    cr_assert_eq(o.runs, 0);
    close(fds[0]);
    io_run_until(&o.runs, 1);
    cr_assert(o.last & ACT_FD_ERROR, "asked only for writable, got %d", o.last);
    act_fd_fini(&w);
    close(fds[1]);
}

Test(fd, cancel_completes_ecanceled_and_the_wait_can_be_issued_again)
{
    int fds[2];
    act_fd w;
    io_wait o;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    act_cancel(&o.base);
    cr_assert_eq(act_status_result(act_object_status(&o.base)), -ECANCELED);
    cr_assert_eq(o.runs, 0);
    wait_for(&o, ACT_FD_READABLE);
    cr_assert_eq(write(fds[1], "x", 1), 1);
    io_run_until(&o.runs, 1);
    cr_assert_eq(o.last, ACT_FD_READABLE);
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, second_wait_completes_ebusy_inside_the_call_and_the_first_is_untouched)
{
    int fds[2];
    act_fd w;
    io_wait o;
    act_status second = ACT_STATUS_INIT;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    act_fd_wait(&w, ACT_FD_READABLE, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    cr_assert_eq(write(fds[1], "x", 1), 1);
    io_run_until(&o.runs, 1);
    cr_assert_eq(o.last, ACT_FD_READABLE);
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, fini_completes_the_outstanding_wait_ecanceled)
{
    int fds[2];
    act_fd w;
    io_wait o;
    act_status st = ACT_STATUS_INIT;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    act_fd_fini(&w);
    io_run_until(&o.runs, 1);
    cr_assert_eq(o.last, -ECANCELED);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "after fini");
    act_fd_fini(&w); /* twice: nothing */
    close(fds[0]);
    close(fds[1]);
}

/* The descriptor stays the caller's after fini: it must not stay in the scheduler's set. */
Test(fd, fini_takes_the_descriptor_out_of_the_epoll_set)
{
    int fds[2];
    act_fd w;
    act_status st = ACT_STATUS_INIT;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(io_epoll_events(fds[0]), EPOLLIN);
    act_fd_fini(&w);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    cr_assert_eq(io_epoll_events(fds[0]), 0);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, bad_descriptors_and_events_give_negative_results)
{
    int fds[2], dir, file;
    act_fd w;
    act_status st = ACT_STATUS_INIT;

    raw_pipe(fds);
    close(fds[1]);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[1]), -EBADF);
    cr_assert_eq(act_fd_init(&w, fx_sched(), -1), -EBADF);
    cr_assert_eq(act_fd_init(&w, NULL, fds[0]), -EINVAL);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "after a failed init");
    dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    cr_assert_eq(act_fd_init(&w, fx_sched(), dir), -EISDIR);
    file = open("/proc/self/status", O_RDONLY);
    cr_assert_eq(act_fd_init(&w, fx_sched(), file), -EPERM);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    act_fd_wait(&w, 0, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_fd_wait(&w, ACT_FD_ERROR, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL, "errors are reported, never asked for");
    act_fd_fini(&w);
    close(dir);
    close(file);
    close(fds[0]);
}

Test(fd, descriptors_epoll_cannot_watch_are_refused_at_init_as_pipes_refuse_them)
{
    int path = open("/dev/null", O_PATH | O_CLOEXEC);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int fds[2], fifo_path;
    char name[64];
    act_fd w;
    act_pipe p;
    act_status st = ACT_STATUS_INIT;

    raw_pipe(fds);
    snprintf(name, sizeof name, "/proc/self/fd/%d", fds[0]);
    fifo_path = open(name, O_PATH | O_CLOEXEC);
    cr_assert_geq(fifo_path, 0);
    cr_assert_geq(path, 0);
    cr_assert_geq(null, 0);
    cr_assert_eq(act_fd_init(&w, fx_sched(), path), -EBADF, "O_PATH: no I/O at all");
    cr_assert_eq(act_pipe_open(&p, fx_sched(), path), -EBADF);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fifo_path), -EBADF, "O_PATH of a pipe, whose type passes");
    cr_assert_eq(act_fd_init(&w, fx_sched(), null), -EPERM, "a character device epoll refuses");
    cr_assert_eq(act_pipe_open(&p, fx_sched(), null), -EPERM);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "the failed init left it fini'd");
    close(path);
    close(null);
    close(fifo_path);
    close(fds[0]);
    close(fds[1]);
}

/* A type that may or may not be pollable is registered once to find out, then left out. */
Test(fd, init_tries_a_character_device_and_leaves_it_out_of_the_epoll_set)
{
    int pt = posix_openpt(O_RDWR | O_NOCTTY);
    act_fd w;

    if (pt < 0)
        cr_skip_test("no pseudo-terminal here");
    cr_assert_eq(act_fd_init(&w, fx_sched(), pt), 0);
    cr_assert_eq(io_epoll_events(pt), 0, "registered only until epoll accepted it");
    act_fd_fini(&w);
    close(pt);
}

Test(fd, a_zeroed_watcher_is_a_finished_one_and_its_wait_completes_ebadf)
{
    act_fd w;
    act_status st = ACT_STATUS_INIT;

    memset(&w, 0, sizeof w);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_fd_fini(&w);
    act_fd_cancel(&w);
}

Test(fd, descriptor_closed_behind_the_watcher_gives_ebadf)
{
    int fds[2];
    act_fd w;
    act_status st = ACT_STATUS_INIT;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    close(fds[0]);
    act_fd_wait(&w, ACT_FD_READABLE, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_fd_fini(&w);
    close(fds[1]);
}

Test(fd, ready_descriptor_nobody_waits_for_leaves_the_epoll_set)
{
    int fds[2];
    act_fd w;
    io_wait o;

    raw_pipe(fds);
    cr_assert_eq(act_fd_init(&w, fx_sched(), fds[0]), 0);
    io_wait_init(&o, &w);
    wait_for(&o, ACT_FD_READABLE);
    cr_assert_eq(write(fds[1], "x", 1), 1);
    io_run_until(&o.runs, 1);
    cr_assert_eq(io_epoll_events(fds[0]), EPOLLIN, "kept after the wait: a re-wait is free");
    io_poll(1);
    cr_assert_eq(io_epoll_events(fds[0]), 0, "still readable, nobody waits: removed, no spin");
    act_fd_fini(&w);
    close(fds[0]);
    close(fds[1]);
}

Test(fd, no_descriptor_leaks_after_init_wait_and_fini)
{
    int before = io_fd_count();

    for (int i = 0; i < 50; i++) {
        int fds[2];
        act_fd w;
        act_status st = ACT_STATUS_INIT;

        raw_pipe(fds);
        cr_assert_eq(act_fd_init(&w, fx_sched(), fds[1]), 0);
        act_fd_wait(&w, ACT_FD_WRITABLE, &st);
        act_wait_for_request(&st);
        cr_assert_eq(act_status_result(&st), ACT_FD_WRITABLE);
        act_fd_fini(&w);
        close(fds[0]);
        close(fds[1]);
    }
    cr_assert_eq(io_fd_count(), before);
}
