/*
 * The byte-stream engine's epoll interest (NOTE 2 of src/io/stream.c): a
 * direction reported ready with no request is dropped only at the second
 * such report in a row, and every request issued in between, whichever
 * call issues it, starts the count again.  One idle report after a request
 * therefore keeps the interest; two drop it.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(stream_idle, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

Test(stream_idle, pipe_read_issued_after_an_idle_report_starts_the_count_again)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char buf[8];

    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    cr_assert_eq(write(act_pipe_fd(&wr), "a", 1), 1);
    for (int i = 0; i < 2; i++) {
        act_pipe_read(&rd, buf, sizeof buf, &st);
        act_wait_for_request(&st);
        cr_assert_eq(act_status_result(&st), 1);
        cr_assert_eq(write(act_pipe_fd(&wr), "b", 1), 1);
        io_poll(1); /* readable, no read: an idle report */
        cr_assert_eq(io_epoll_events(act_pipe_fd(&rd)), EPOLLIN, "round %d: one idle report keeps it", i);
    }
    io_poll(1);
    cr_assert_eq(io_epoll_events(act_pipe_fd(&rd)), 0, "two in a row drop it");
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(stream_idle, pipe_write_that_fits_after_an_idle_report_starts_the_count_again)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char chunk[4096] = { 0 };

    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    while (write(act_pipe_fd(&wr), chunk, sizeof chunk) > 0)
        continue;
    act_pipe_write(&wr, "x", 1, &st);
    cr_assert(act_status_pending(&st), "the pipe is full: the write waits for EPOLLOUT");
    while (read(act_pipe_fd(&rd), chunk, sizeof chunk) > 0)
        continue;
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 1);
    for (int i = 0; i < 2; i++) {
        io_poll(1); /* writable, no write: an idle report */
        cr_assert_eq(io_epoll_events(act_pipe_fd(&wr)), EPOLLOUT, "round %d: one idle report keeps it", i);
        act_pipe_write(&wr, "y", 1, &st);
        cr_assert_eq(act_status_result(&st), 1, "it fits: complete inside the call");
    }
    io_poll(1);
    io_poll(1);
    cr_assert_eq(io_epoll_events(act_pipe_fd(&wr)), 0, "two in a row drop it");
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(stream_idle, recvfrom_issued_after_an_idle_report_starts_the_count_again)
{
    act_socket u, c;
    act_sockaddr at, from;
    act_status rst = ACT_STATUS_INIT, sst = ACT_STATUS_INIT;
    char buf[8];

    sk_bind(&u, SOCK_DGRAM, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_DGRAM), 0);
    act_socket_sendto(&c, "x", 1, &at, &sst);
    for (int i = 0; i < 2; i++) {
        act_socket_recvfrom(&u, buf, sizeof buf, &from, &rst);
        act_wait_for_request(&rst);
        cr_assert_eq(act_status_result(&rst), 1);
        act_socket_sendto(&c, "x", 1, &at, &sst);
        cr_assert_eq(act_status_result(&sst), 1);
        io_poll(1); /* readable, no recvfrom: an idle report */
        cr_assert_eq(io_epoll_events(act_socket_fd(&u)), EPOLLIN, "round %d: one idle report keeps it", i);
    }
    io_poll(1);
    cr_assert_eq(io_epoll_events(act_socket_fd(&u)), 0, "two in a row drop it");
    act_socket_close(&c);
    act_socket_close(&u);
}
