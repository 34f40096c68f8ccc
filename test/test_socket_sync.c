/*
 * act_socket's synchronous calls, and the requests that always complete
 * inside their call (recv_full of nothing, shutdown), at their edges: the
 * backlog listen asks for, a listen that fails (the reserve descriptor),
 * the addresses asked for while a connect is outstanding, and shutdown
 * beside an outstanding send.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket_sync, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

/* The kernel's cap on a listen backlog (net.core.somaxconn). */
static unsigned somaxconn(void)
{
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    unsigned n = 0;

    cr_assert_not_null(f);
    cr_assert_eq(fscanf(f, "%u", &n), 1);
    fclose(f);
    return n;
}

/* socket.h: a backlog <= 0 asks for the largest queue the system allows. */
Test(socket_sync, listen_with_a_backlog_of_zero_asks_for_the_largest_queue)
{
    act_socket l;
    act_sockaddr at;
    struct tcp_info ti;
    socklen_t len = sizeof ti;

    sk_listen(&l, "127.0.0.1:0", &at); /* backlog 0 */
    cr_assert_eq(getsockopt(act_socket_fd(&l), IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
    cr_assert_eq(ti.tcpi_sacked, somaxconn(), "a listener's tcpi_sacked is its backlog");
    act_socket_close(&l);
}

/*
 * While a connect is outstanding the socket has its own address already and
 * no peer yet: peer_addr is -ENOTCONN and, as on every failure, empties @addr.
 */
Test(socket_sync, connecting_socket_has_a_local_address_and_no_peer_address)
{
    act_socket l, c;
    act_sockaddr at, addr;
    act_status conn = ACT_STATUS_INIT;

    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &conn);
    cr_assert(act_status_pending(&conn));
    cr_assert_eq(act_socket_local_addr(&c, &addr), 0);
    cr_assert_gt(act_sockaddr_port(&addr), 0);
    cr_assert_eq(act_socket_peer_addr(&c, &addr), -ENOTCONN);
    cr_assert_eq(addr.len, 0, "a failed call leaves the address empty");
    act_wait_for_request(&conn);
    cr_assert_eq(act_status_result(&conn), 0);
    cr_assert_eq(act_socket_peer_addr(&c, &addr), 0);
    cr_assert_eq(act_sockaddr_port(&addr), act_sockaddr_port(&at));
    act_socket_close(&c);
    act_socket_close(&l);
}

/* A listen that fails does not keep the reserve descriptor it took for the listener. */
Test(socket_sync, failed_listen_leaves_no_reserve_descriptor_open)
{
    act_socket c, s;
    int before;

    sk_pair(&c, &s, "127.0.0.1:0");
    before = io_fd_count();
    cr_assert_eq(act_socket_listen(&c, 1), -EINVAL, "a connected socket cannot listen");
    cr_assert_eq(io_fd_count(), before);
    act_socket_close(&c);
    act_socket_close(&s);
}

/* recv_full of nothing is complete at once, on a stream socket as on a pipe. */
Test(socket_sync, recv_full_of_nothing_completes_with_zero_inside_the_call)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_recv_full(&c, NULL, 0, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_close(&c);
    act_socket_close(&s);
}

Test(socket_sync, shutdown_both_ways_completes_inside_the_call_and_the_peer_reads_end_of_file)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    char buf[4];

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_shutdown(&c, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_eq(recv(act_socket_fd(&s), buf, sizeof buf, MSG_DONTWAIT), 0);
    act_socket_close(&c);
    act_socket_close(&s);
}

/* "The end of the stream never cuts a send short": only the writing side waits for it. */
Test(socket_sync, shutdown_for_writing_is_ebusy_while_a_send_is_outstanding_and_for_reading_is_not)
{
    enum { TOTAL = 16 << 20 };
    act_socket c, s;
    act_status w = ACT_STATUS_INIT, st = ACT_STATUS_INIT;
    unsigned char *big = calloc(1, TOTAL);

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_send(&c, big, TOTAL, &w);
    cr_assert(act_status_pending(&w), "16 MiB does not fit in loopback buffers");
    act_socket_shutdown(&c, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), -EBUSY);
    act_socket_shutdown(&c, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), -EBUSY);
    act_socket_shutdown(&c, SHUT_RD, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_close(&c);
    cr_assert_eq(act_status_result(&w), -ECANCELED);
    act_socket_close(&s);
    free(big);
}

/*
 * socket.h, act_socket_bind(): "-EAFNOSUPPORT or -EINVAL (another family
 * than the socket's ...)": -EINVAL for an IPv4 address on a Unix or an
 * IPv6 socket, -EAFNOSUPPORT for an IPv6 one on an IPv4 socket.
 */
Test(socket_sync, bind_to_an_address_of_another_family_is_einval_or_eafnosupport)
{
    act_socket s;
    act_sockaddr v4, v6;

    cr_assert_eq(act_sockaddr_parse(&v4, "127.0.0.1:0"), 0);
    cr_assert_eq(act_sockaddr_parse(&v6, "[::1]:0"), 0);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    cr_expect_eq(act_socket_bind(&s, &v4), -EINVAL, "a Unix socket, an IPv4 address: %s",
                 act_strerror(act_socket_bind(&s, &v4)));
    act_socket_close(&s);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET6, SOCK_STREAM), 0);
    cr_expect_eq(act_socket_bind(&s, &v4), -EINVAL, "an IPv6 socket, an IPv4 address: %s",
                 act_strerror(act_socket_bind(&s, &v4)));
    act_socket_close(&s);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET, SOCK_STREAM), 0);
    cr_expect_eq(act_socket_bind(&s, &v6), -EAFNOSUPPORT, "an IPv4 socket, an IPv6 address: %s",
                 act_strerror(act_socket_bind(&s, &v6)));
    act_socket_close(&s);
}

/* socket.h: shutdown "-ENOTCONN when not connected (a TCP or Unix stream socket ...)". */
Test(socket_sync, shutdown_of_an_unconnected_unix_stream_socket_completes_enotconn)
{
    act_socket s;
    act_status st = ACT_STATUS_INIT;

    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    act_socket_shutdown(&s, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN, "got %s", act_strerror(act_status_result(&st)));
    act_socket_close(&s);
}

/*
 * A listener is not connected either: its shutdown completes -ENOTCONN and
 * leaves it listening (Linux would stop a TCP listener on SHUT_RD).
 */
Test(socket_sync, shutdown_of_a_listener_completes_enotconn_and_it_still_accepts)
{
    act_socket l, c, conn;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT, cst = ACT_STATUS_INIT;

    sk_listen(&l, "127.0.0.1:0", &at);
    act_socket_shutdown(&l, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN, "got %s", act_strerror(act_status_result(&st)));
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &cst);
    act_socket_accept(&l, &conn, &st);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0, "the listener accepts: %s", act_strerror(act_status_result(&st)));
    act_wait_for_request(&cst);
    cr_assert_eq(act_status_result(&cst), 0);
    act_socket_close(&conn);
    act_socket_close(&c);
    act_socket_close(&l);
}
