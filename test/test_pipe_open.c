/*
 * act_pipe opening and closing: close cancels and closes, flags restored,
 * FIFOs by path, bad descriptors and bad arguments give negative results,
 * no descriptor leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/io.h"

TestSuite(pipe_open, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static void pair(act_pipe *rd, act_pipe *wr)
{
    cr_assert_eq(act_pipe_pair(rd, wr, fx_sched()), 0);
}

Test(pipe_open, close_completes_outstanding_requests_ecanceled_and_closes_the_fd)
{
    enum { TOTAL = 1 << 20 };
    act_pipe rd, wr;
    io_obj r, w;
    char buf[8], *src = calloc(1, TOTAL);
    int rfd, wfd;

    pair(&rd, &wr);
    rfd = act_pipe_fd(&rd);
    wfd = act_pipe_fd(&wr);
    io_obj_init(&r, &rd, false);
    io_obj_init(&w, &wr, true);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    act_set_active(&r.base);
    act_pipe_write(&wr, src, TOTAL, act_object_status(&w.base));
    cr_assert(act_status_pending(act_object_status(&w.base)), "the write fills the pipe");
    act_set_active(&w.base);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    cr_assert_eq(fcntl(rfd, F_GETFD), -1);
    cr_assert_eq(fcntl(wfd, F_GETFD), -1);
    io_run_until(&r.runs, 1);
    io_run_until(&w.runs, 1);
    cr_assert_eq(r.last, -ECANCELED);
    cr_assert_eq(w.last, -ECANCELED);
    cr_assert_eq(act_pipe_fd(&rd), -1);
    free(src);
}

Test(pipe_open, detach_and_close_restore_the_blocking_mode_they_found)
{
    int fds[2], spare;
    act_pipe p, q;

    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), fds[0]), 0);
    cr_assert(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    cr_assert_eq(act_pipe_detach(&p), fds[0]);
    cr_assert_not(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
    cr_assert_eq(act_pipe_detach(&p), -EBADF, "already detached");
    spare = dup(fds[1]); /* shares the open file description */
    cr_assert_eq(act_pipe_open(&q, fx_sched(), fds[1]), 0);
    cr_assert(fcntl(spare, F_GETFL) & O_NONBLOCK);
    act_pipe_close(&q);
    cr_assert_not(fcntl(spare, F_GETFL) & O_NONBLOCK);
    cr_assert_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), fds[0]), 0);
    act_pipe_detach(&p);
    cr_assert(fcntl(fds[0], F_GETFL) & O_NONBLOCK, "it was non-blocking before");
    close(fds[0]);
    close(spare);
}

/* The descriptor handed back may be watched elsewhere: it must not stay in this set. */
Test(pipe_open, detach_takes_the_descriptor_out_of_the_epoll_set)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char buf[8];
    int fd;

    pair(&rd, &wr);
    act_pipe_read(&rd, buf, sizeof buf, &st);
    fd = act_pipe_fd(&rd);
    cr_assert_eq(io_epoll_events(fd), EPOLLIN);
    cr_assert_eq(act_pipe_detach(&rd), fd);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    cr_assert_eq(io_epoll_events(fd), 0);
    close(fd);
    act_pipe_close(&wr);
}

/* pipe.h: the descriptors the library opens are non-blocking and close-on-exec. */
Test(pipe_open, paired_and_fifo_descriptors_are_close_on_exec)
{
    char dir[] = "/tmp/act-fifo-XXXXXX", path[64];
    act_pipe rd, wr, frd;

    pair(&rd, &wr);
    cr_assert(fcntl(act_pipe_fd(&rd), F_GETFD) & FD_CLOEXEC);
    cr_assert(fcntl(act_pipe_fd(&wr), F_GETFD) & FD_CLOEXEC);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(act_pipe_open_fifo(&frd, fx_sched(), path, ACT_PIPE_READ), 0);
    cr_assert(fcntl(act_pipe_fd(&frd), F_GETFD) & FD_CLOEXEC);
    act_pipe_close(&frd);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    unlink(path);
    rmdir(dir);
}

Test(pipe_open, fifo_opened_by_path_carries_bytes_then_eof)
{
    char dir[] = "/tmp/act-fifo-XXXXXX", path[64];
    act_pipe rd, wr, none;
    int fds_before;
    io_obj r;
    act_status st = ACT_STATUS_INIT;
    char buf[8];

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(act_pipe_open_fifo(&wr, fx_sched(), path, ACT_PIPE_WRITE), -ENXIO, "no reader yet");
    cr_assert_eq(act_pipe_open_fifo(&rd, fx_sched(), path, ACT_PIPE_READ), 0);
    cr_assert_eq(act_pipe_open_fifo(&wr, fx_sched(), path, ACT_PIPE_WRITE), 0);
    cr_assert_eq(act_pipe_open_fifo(&none, fx_sched(), path, 3), -EINVAL);
    fds_before = io_fd_count();
    cr_assert_eq(act_pipe_open_fifo(&none, fx_sched(), dir, ACT_PIPE_READ), -EISDIR);
    cr_assert_eq(io_fd_count(), fds_before, "the descriptor it opened and refused was closed");
    io_obj_init(&r, &rd, false);
    act_pipe_write(&wr, "fifo", 4, &st);
    cr_assert_eq(act_status_result(&st), 4);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    act_pipe_close(&wr);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 2);
    cr_assert_eq(r.last, 0);
    act_pipe_close(&rd);
    unlink(path);
    rmdir(dir);
}

/* Descriptor 0 is a pipe's read end here, so that closing it would show. */
static void zero_is_a_pipe(void)
{
    int fds[2];

    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(dup2(fds[0], 0), 0);
    close(fds[0]);
    close(fds[1]);
}

Test(pipe_open, a_zeroed_pipe_is_closed_and_descriptor_0_is_never_touched)
{
    act_pipe p;
    act_status st = ACT_STATUS_INIT;
    char byte;

    zero_is_a_pipe();
    memset(&p, 0, sizeof p);
    cr_assert_eq(act_pipe_fd(&p), -1);
    act_pipe_read(&p, &byte, 1, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_pipe_write(&p, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    cr_assert_eq(act_pipe_detach(&p), -EBADF);
    act_pipe_close(&p);
    cr_assert_geq(fcntl(0, F_GETFD), 0, "descriptor 0 was closed");
}

Test(pipe_open, open_gives_negative_results_for_bad_descriptors)
{
    int fds[2], dir, file, null;
    act_pipe p;

    cr_assert_eq(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), fds[0]), -EBADF);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), -1), -EBADF);
    dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), dir), -EISDIR);
    cr_assert_geq(fcntl(dir, F_GETFD), 0, "the fd is still the caller's");
    file = open("/proc/self/status", O_RDONLY);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), file), -EPERM);
    null = open("/dev/null", O_RDWR);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), null), -EPERM);
    cr_assert_not(fcntl(null, F_GETFL) & O_NONBLOCK, "a refused fd keeps its flags");
    cr_assert_eq(act_pipe_open(&p, NULL, 0), -EINVAL);
    cr_assert_eq(act_pipe_fd(&p), -1);
    close(dir);
    close(file);
    close(null);
}

Test(pipe_open, requests_with_bad_arguments_complete_negative_inside_the_call)
{
    act_pipe rd, wr, closed;
    act_status st = ACT_STATUS_INIT;
    char buf[4];

    pair(&rd, &wr);
    act_pipe_read(&rd, NULL, 4, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_pipe_read(&rd, NULL, 1, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL, "one byte needs a buffer too");
    act_pipe_read(&rd, buf, 0, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_pipe_read_full(&rd, NULL, 4, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_pipe_write(&wr, NULL, 4, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_pipe_read(&wr, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "read on the write end");
    act_pipe_write(&rd, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "write on the read end");
    cr_assert_eq(act_pipe_open(&closed, fx_sched(), -1), -EBADF);
    act_pipe_read(&closed, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_pipe_close(&rd);
    act_pipe_write(&rd, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "after close");
    act_pipe_close(&rd); /* twice: nothing */
    act_pipe_close(&wr);
}

/* A read that must wait and cannot register its descriptor completes with epoll's error. */
Test(pipe_open, read_that_cannot_register_its_descriptor_completes_with_the_error_and_registers_nothing)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char buf[8];
    int fd, spare;

    pair(&rd, &wr);
    fd = act_pipe_fd(&rd);
    spare = dup(fd);
    close(fd); /* behind the pipe's back: epoll_ctl fails with EBADF */
    act_pipe_read(&rd, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    cr_assert_eq(dup2(spare, fd), fd); /* the same pipe under the same number again */
    cr_assert_eq(write(act_pipe_fd(&wr), "z", 1), 1);
    act_pipe_read(&rd, buf, sizeof buf, &st);
    io_poll(2);
    cr_assert_eq(act_status_result(&st), 1, "the failed read left nothing that looks registered");
    act_pipe_close(&rd);
    close(spare);
    act_pipe_close(&wr);
}

Test(pipe_open, no_descriptor_leaks_after_open_use_and_close)
{
    int before = io_fd_count();
    int fds[2];

    for (int i = 0; i < 50; i++) {
        act_pipe rd, wr, p;
        act_status st = ACT_STATUS_INIT;
        char buf[4];

        pair(&rd, &wr);
        act_pipe_read(&rd, buf, sizeof buf, &st);
        act_pipe_close(&rd);
        act_pipe_close(&wr);
        cr_assert_eq(pipe(fds), 0);
        cr_assert_eq(act_pipe_open(&p, fx_sched(), fds[0]), 0);
        act_pipe_close(&p);
        close(fds[1]);
    }
    cr_assert_eq(io_fd_count(), before);
}

/* What the reader's run re-opens its pipe on, and where its next read goes. */
struct reopen {
    int fd;
    char byte;
};

/* The reader's run: close the socketpair end both objects use, open the new one into the same struct, read again. */
static int close_and_reopen(io_obj *o)
{
    struct reopen *next = o->user;

    if (o->runs > 1)
        return 0; /* the read on the new descriptor */
    act_pipe_close(o->pipe);
    cr_assert_eq(act_pipe_open(o->pipe, fx_sched(), next->fd), 0);
    act_pipe_read(o->pipe, &next->byte, 1, act_object_status(&o->base));
    act_set_active(&o->base);
    return 0;
}

Test(pipe_open, close_and_reopen_inside_run_cancels_the_other_direction_once_and_the_struct_serves_the_new_fd)
{
    enum { TOTAL = 1 << 22 };
    int old[2], fresh[2], before = io_fd_count();
    struct reopen next = { .byte = 0 };
    char byte = 0, *src = calloc(1, TOTAL);
    act_pipe p;
    io_obj r, w;

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, old), 0);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fresh), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), old[0]), 0);
    next.fd = fresh[0];
    io_obj_init(&r, &p, false);
    io_obj_init(&w, &p, true);
    r.on_run = close_and_reopen;
    r.user = &next;
    act_pipe_read(&p, &byte, 1, act_object_status(&r.base));
    act_set_active(&r.base);
    act_pipe_write(&p, src, TOTAL, act_object_status(&w.base));
    cr_assert(act_status_pending(act_object_status(&w.base)), "the write fills the socket");
    act_set_active(&w.base);
    cr_assert_eq(write(old[1], "a", 1), 1);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 1);
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, -ECANCELED, "the close in the reader's run cancelled the write, once");
    cr_assert_eq(act_pipe_fd(&p), fresh[0]);
    cr_assert_eq(io_epoll_events(old[0]), 0, "the old descriptor left the epoll set before it closed");
    cr_assert_eq(write(fresh[1], "b", 1), 1);
    io_run_until(&r.runs, 2);
    cr_assert_eq(r.last, 1);
    cr_assert_eq(next.byte, 'b', "the re-opened struct serves the new descriptor");
    io_poll(3);
    cr_assert_eq(w.runs, 1, "no second signal for the cancelled write");
    act_pipe_close(&p);
    close(old[1]);
    close(fresh[1]);
    cr_assert_eq(io_fd_count(), before, "old[0] closed by the close, fresh[0] by the last");
    free(src);
}

Test(pipe_open, lengths_beyond_int_max_clamp_a_read_and_refuse_a_full_read_or_a_write)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char *buf = io_big_buffer();
    size_t huge = IO_BIG;

    pair(&rd, &wr);
    act_pipe_read_full(&rd, buf, huge, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL, "a full read's count would not fit its int result");
    act_pipe_write(&wr, "abc", huge, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    cr_assert_eq(act_pipe_written(&wr), 0, "a refused write moved nothing");
    act_pipe_read(&rd, buf, SIZE_MAX, &st);
    cr_assert(act_status_pending(&st), "a read of one or more takes at most INT_MAX of any length");
    cr_assert_eq(write(act_pipe_fd(&wr), "abc", 3), 3);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 3);
    cr_assert_eq(memcmp(buf, "abc", 3), 0);
#if SIZE_MAX > UINT32_MAX
    act_pipe_read(&rd, buf, (size_t)UINT32_MAX + 1, &st);
    cr_assert(act_status_pending(&st), "2^32 is clamped to INT_MAX, not cut to 32 bits (a 0-byte read)");
    cr_assert_eq(write(act_pipe_fd(&wr), "de", 2), 2);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 2);
#endif
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    act_pipe_read_full(&rd, buf, INT_MAX, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "INT_MAX itself is a length: the closed pipe is the error");
    act_pipe_write(&wr, buf, INT_MAX, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    cr_assert_eq(munmap(buf, IO_BIG), 0);
}

/*
 * act_pipe_open_fifo() takes "another pollable file" too, such as a tty path;
 * opening one must not make it the caller's controlling terminal (open(2)
 * does for a session leader that has none, unless given O_NOCTTY).  Checked
 * in a child that is a session leader without a terminal.
 */
Test(pipe_open, fifo_open_of_a_tty_path_does_not_make_it_the_controlling_terminal)
{
    int pt = io_pty_master(), status;
    pid_t pid;

    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        act_sched s;
        act_pipe p;
        int ok = setsid() >= 0 && act_sched_init(&s) == 0
                 && act_pipe_open_fifo(&p, &s, ptsname(pt), ACT_PIPE_READ) == 0;
        int tty = open("/dev/tty", O_RDWR | O_NOCTTY); /* succeeds only with a controlling terminal */
        _exit(!ok ? 2 : tty >= 0 ? 1 : 0);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    close(pt);
    cr_assert(WIFEXITED(status));
    cr_assert_neq(WEXITSTATUS(status), 2, "the child could not open the tty path");
    cr_assert_eq(WEXITSTATUS(status), 0, "the tty became the controlling terminal of the process that opened it");
}
