/*
 * act_socket at the kernel's awkward edges, where readiness and the system
 * call disagree: a datagram socket shut down for reading (polls readable,
 * recv says EAGAIN), and a Unix datagram receiver with a full queue (an
 * unconnected sender polls writable, sendto says EAGAIN).  Either, waited
 * for, would be a busy loop with the request never completing.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket_edge, .init = fx_setup, .fini = fx_teardown, .timeout = 30);

/* @a and @b bound to loopback UDP ports, @a connected to @b. */
static void udp_connected(act_socket *a, act_socket *b)
{
    act_sockaddr at_a, at_b;
    act_status st = ACT_STATUS_INIT;

    sk_bind(a, SOCK_DGRAM, "127.0.0.1:0", &at_a);
    sk_bind(b, SOCK_DGRAM, "127.0.0.1:0", &at_b);
    act_socket_connect(a, &at_b, &st);
    cr_assert_eq(act_status_result(&st), 0);
}

Test(socket_edge, udp_recv_outstanding_at_shutdown_for_reading_completes_with_zero_and_stops_polling)
{
    act_socket a, b;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[16];

    udp_connected(&a, &b);
    sk_obj_init(&r, &a, SK_RECV);
    act_socket_recv(&a, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_poll(1);
    act_socket_shutdown(&a, SHUT_RD, &st);
    cr_assert_eq(act_status_result(&st), 0);
    io_poll(1);
    cr_assert_eq(r.runs, 1, "the socket polls readable for ever: the recv must end, not be retried every pass");
    cr_assert_eq(r.last, 0, "shut for reading with nothing queued: 0, as the header says");
    io_poll(2);
    cr_assert_eq(io_epoll_events(act_socket_fd(&a)), 0, "nobody reads: the readable socket leaves the set");
    act_socket_close(&a);
    act_socket_close(&b);
}

/*
 * act_pipe takes any socket, a datagram one too, whose read_full moves
 * datagram after datagram: shut for reading midway, it ends as at end of
 * file, with the count of what it had.
 */
Test(socket_edge, pipe_read_full_on_a_datagram_socket_shut_for_reading_midway_keeps_its_count)
{
    act_pipe p;
    act_status st = ACT_STATUS_INIT;
    int sv[2];
    char buf[16];

    cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), sv[0]), 0);
    act_pipe_read_full(&p, buf, sizeof buf, &st);
    cr_assert_eq(write(sv[1], "four", 4), 4);
    io_poll(1);
    cr_assert(act_status_pending(&st));
    cr_assert_eq(act_pipe_received(&p), 4);
    cr_assert_eq(shutdown(sv[0], SHUT_RD), 0);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 4, "the bytes it had, as at end of file");
    act_pipe_close(&p);
    close(sv[1]);
}

Test(socket_edge, unix_recvfrom_after_shutdown_for_reading_gets_the_queued_datagram_then_zero_with_no_sender)
{
    act_socket rx, tx;
    act_sockaddr at, from;
    act_status st = ACT_STATUS_INIT;
    char name[64], buf[16];
    sk_obj r;

    sk_unix_name(name, sizeof name);
    sk_bind(&rx, SOCK_DGRAM, name, &at);
    cr_assert_eq(act_socket_open(&tx, fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
    act_socket_sendto(&tx, "one", 3, &at, &st);
    cr_assert_eq(act_status_result(&st), 3);
    act_socket_shutdown(&rx, SHUT_RD, &st);
    cr_assert_eq(act_status_result(&st), 0);
    sk_obj_init(&r, &rx, SK_RECV);
    act_socket_recvfrom(&rx, buf, sizeof buf, &from, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 3, "what arrived before the shutdown is read first");
    cr_assert_eq(memcmp(buf, "one", 3), 0);
    memset(&from, 0x5a, sizeof from);
    act_socket_recvfrom(&rx, buf, sizeof buf, &from, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_poll(1);
    cr_assert_eq(r.runs, 2, "then the recvfrom ends instead of being retried every pass");
    cr_assert_eq(r.last, 0);
    cr_assert_eq(from.len, 0, "no datagram, no sender: the address is empty");
    act_socket_close(&tx);
    act_socket_close(&rx);
}

/*
 * Send 1-byte datagrams from @tx to @at until one does not go at once:
 * returns that sendto's result, or ACT_PENDING after cancelling it (@tx's
 * own send buffer filled before the receiver's queue, as with a large
 * net.unix.max_dgram_qlen: systemd sets 512).
 */
static int sendto_until_refused(act_socket *tx, const act_sockaddr *at)
{
    act_status st = ACT_STATUS_INIT;

    for (int sent = 0; sent < 100000; sent++) {
        act_socket_sendto(tx, "x", 1, at, &st);
        if (act_status_pending(&st)) {
            act_socket_cancel_send(tx);
            act_wait_for_request(&st);
            return ACT_PENDING;
        }
        if (act_status_result(&st) != 1)
            return act_status_result(&st);
    }
    cr_assert_fail("the receiver's queue never filled");
    return 0;
}

Test(socket_edge, unix_sendto_a_receiver_whose_queue_is_full_completes_eagain_inside_the_call)
{
    enum { SENDERS = 16 };
    act_socket rx, tx[SENDERS];
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    char name[64], one;
    int n = 0, result = ACT_PENDING;

    sk_unix_name(name, sizeof name);
    sk_bind(&rx, SOCK_DGRAM, name, &at); /* never reads until the end */
    while (result == ACT_PENDING && n < SENDERS) { /* fresh senders until the queue is what refuses */
        cr_assert_eq(act_socket_open(&tx[n], fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
        result = sendto_until_refused(&tx[n++], &at);
    }
    cr_assert_eq(result, -EAGAIN,
                 "the kernel cannot report room in another socket's queue: waiting would be a busy loop");
    cr_assert_eq(read(act_socket_fd(&rx), &one, 1), 1);
    act_socket_sendto(&tx[n - 1], "x", 1, &at, &st);
    cr_assert_eq(act_status_result(&st), 1, "room again: the next sendto goes");
    while (n > 0)
        act_socket_close(&tx[--n]);
    act_socket_close(&rx);
}

/*
 * socket.h, act_socket_sendto(): "-EPERM when the Unix receiver is
 * connected to another peer" (unix_may_send()).
 */
Test(socket_edge, unix_sendto_a_receiver_connected_to_another_peer_completes_eperm)
{
    act_socket tx, rx, other;
    act_sockaddr at_tx, at_rx, at_other;
    act_status st = ACT_STATUS_INIT;
    char name[64];

    sk_unix_name(name, sizeof name);
    sk_bind(&tx, SOCK_DGRAM, name, &at_tx);
    sk_unix_name(name, sizeof name);
    sk_bind(&rx, SOCK_DGRAM, name, &at_rx);
    sk_unix_name(name, sizeof name);
    sk_bind(&other, SOCK_DGRAM, name, &at_other);
    act_socket_connect(&rx, &at_other, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_sendto(&tx, "x", 1, &at_rx, &st);
    cr_assert_eq(act_status_result(&st), -EPERM, "the header's result; got %s", act_strerror(act_status_result(&st)));
    act_socket_close(&tx);
    act_socket_close(&rx);
    act_socket_close(&other);
}

Test(socket_edge, unix_send_on_a_connected_socket_waits_for_room_in_its_peers_full_queue)
{
    act_socket rx, tx;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    char name[64], one;
    int sent = 0;

    sk_unix_name(name, sizeof name);
    sk_bind(&rx, SOCK_DGRAM, name, &at);
    cr_assert_eq(act_socket_open(&tx, fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
    act_socket_connect(&tx, &at, &st);
    cr_assert_eq(act_status_result(&st), 0);
    for (;;) {
        act_socket_send(&tx, "x", 1, &st);
        if (act_status_pending(&st))
            break;
        cr_assert_eq(act_status_result(&st), 1);
        cr_assert_lt(++sent, 100000, "the receiver's queue never filled");
    }
    io_poll(2);
    cr_assert(act_status_pending(&st), "connected: the kernel reports room in the peer's queue, so the send waits");
    while (read(act_socket_fd(&rx), &one, 1) == 1)
        continue; /* all of it: with a large queue limit the send waits for its own buffer */
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 1);
    act_socket_close(&tx);
    act_socket_close(&rx);
}

Test(socket_edge, tcp_recv_outstanding_at_shutdown_for_reading_gets_what_arrived_then_zero)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[16];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_socket_send(&s, "abc", 3, &st);
    cr_assert_eq(act_status_result(&st), 3);
    act_socket_shutdown(&c, SHUT_RD, &st);
    cr_assert_eq(act_status_result(&st), 0);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 3, "what arrived before the shutdown is read first");
    cr_assert_eq(memcmp(buf, "abc", 3), 0);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 2);
    cr_assert_eq(r.last, 0, "then end of stream");
    act_socket_close(&c);
    act_socket_close(&s);
}

Test(socket_edge, lengths_beyond_int_max_clamp_a_recv_and_refuse_a_full_recv_a_send_or_a_sendto)
{
    act_socket a, b, c, s;
    act_status st = ACT_STATUS_INIT, rst = ACT_STATUS_INIT;
    act_sockaddr at;
    char *buf = io_big_buffer();
    size_t huge = IO_BIG;

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_recv_full(&c, buf, huge, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_send(&c, "abc", huge, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    cr_assert_eq(act_socket_sent(&c), 0, "a refused send moved nothing");
    udp_connected(&a, &b);
    cr_assert_eq(act_socket_local_addr(&a, &at), 0);
    act_socket_sendto(&b, "abc", huge, &at, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_recv(&a, buf, SIZE_MAX, &rst);
    cr_assert(act_status_pending(&rst), "a recv takes at most INT_MAX of any length");
    act_socket_sendto(&b, "abc", 3, &at, &st);
    cr_assert_eq(act_status_result(&st), 3);
    act_wait_for_request(&rst);
    cr_assert_eq(act_status_result(&rst), 3);
    cr_assert_eq(memcmp(buf, "abc", 3), 0);
#if SIZE_MAX > UINT32_MAX
    act_socket_recv(&a, buf, (size_t)UINT32_MAX + 1, &rst);
    cr_assert(act_status_pending(&rst), "2^32 is clamped to INT_MAX, not cut to 32 bits (a 0-byte recv)");
    act_socket_sendto(&b, "de", 2, &at, &st);
    act_wait_for_request(&rst);
    cr_assert_eq(act_status_result(&rst), 2);
#endif
    act_socket_recv_full(&a, buf, INT_MAX, &st);
    cr_assert_eq(act_status_result(&st), -EOPNOTSUPP, "INT_MAX itself is a length: the datagram socket is the error");
    act_socket_close(&a);
    act_socket_close(&b);
    act_socket_close(&c);
    act_socket_close(&s);
    act_socket_sendto(&b, buf, INT_MAX, &at, &st);
    cr_assert_eq(act_status_result(&st), -EBADF, "INT_MAX itself is a length: the closed socket is the error");
    cr_assert_eq(munmap(buf, IO_BIG), 0);
}

/* @rx's next datagram, through recvfrom (@from not NULL) or recv, into a buffer of @len. */
static int next_datagram(act_socket *rx, char *buf, size_t len, act_sockaddr *from)
{
    act_status st = ACT_STATUS_INIT;

    if (from != NULL)
        act_socket_recvfrom(rx, buf, len, from, &st);
    else
        act_socket_recv(rx, buf, len, &st);
    act_wait_for_request(&st);
    return act_status_result(&st);
}

Test(socket_edge, a_datagram_longer_than_the_buffer_is_truncated_and_its_rest_discarded)
{
    act_socket rx, tx, urx, utx;
    act_sockaddr at, mine, from, uat;
    act_status st = ACT_STATUS_INIT;
    char buf[8], name[64];

    sk_bind(&rx, SOCK_DGRAM, "127.0.0.1:0", &at);
    sk_bind(&tx, SOCK_DGRAM, "127.0.0.1:0", &mine);
    act_socket_sendto(&tx, "0123456789", 10, &at, &st);
    cr_assert_eq(act_status_result(&st), 10);
    act_socket_sendto(&tx, "xyz", 3, &at, &st);
    cr_assert_eq(act_status_result(&st), 3);
    memset(buf, '.', sizeof buf);
    cr_assert_eq(next_datagram(&rx, buf, 4, &from), 4, "recvfrom: the datagram cut to the buffer");
    cr_assert_eq(memcmp(buf, "0123....", 8), 0, "nothing written past the buffer's length");
    cr_assert_eq(act_sockaddr_port(&from), act_sockaddr_port(&mine));
    cr_assert_eq(next_datagram(&rx, buf, sizeof buf, &from), 3, "its rest was discarded: the next is the next datagram");
    cr_assert_eq(memcmp(buf, "xyz", 3), 0);

    sk_unix_name(name, sizeof name);
    sk_bind(&urx, SOCK_DGRAM, name, &uat);
    cr_assert_eq(act_socket_open(&utx, fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
    act_socket_sendto(&utx, "0123456789", 10, &uat, &st);
    act_socket_sendto(&utx, "xyz", 3, &uat, &st);
    memset(buf, '.', sizeof buf);
    cr_assert_eq(next_datagram(&urx, buf, 4, NULL), 4, "recv: the same");
    cr_assert_eq(memcmp(buf, "0123....", 8), 0);
    cr_assert_eq(next_datagram(&urx, buf, sizeof buf, NULL), 3);
    cr_assert_eq(memcmp(buf, "xyz", 3), 0);
    act_socket_close(&rx);
    act_socket_close(&tx);
    act_socket_close(&urx);
    act_socket_close(&utx);
}

Test(socket_edge, unix_connect_to_a_full_backlog_completes_eagain_inside_the_call_and_watches_nothing)
{
    act_socket l, c, a;
    act_sockaddr at, addr;
    act_status st = ACT_STATUS_INIT;
    char name[64];
    int raw[16], n = 0;

    sk_unix_name(name, sizeof name);
    cr_assert_eq(act_sockaddr_parse(&addr, name), 0);
    cr_assert_eq(act_socket_open(&l, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    cr_assert_eq(act_socket_bind(&l, &addr), 0);
    cr_assert_eq(act_socket_listen(&l, 1), 0);
    cr_assert_eq(act_socket_local_addr(&l, &at), 0);
    for (;;) { /* fill the backlog from outside the library */
        cr_assert_lt(n, 16, "the backlog never filled");
        raw[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        cr_assert_geq(raw[n], 0);
        if (connect(raw[n], &at.u.sa, at.len) < 0) {
            cr_assert_eq(errno, EAGAIN);
            close(raw[n]);
            break;
        }
        n++;
    }
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), -EAGAIN, "the kernel cannot report room in a backlog: a result, not a wait");
    cr_assert_eq(io_epoll_events(act_socket_fd(&c)), 0, "nothing registered, so nothing can spin");
    act_socket_accept(&l, &a, &st);
    cr_assert_eq(act_status_result(&st), 0, "a connection was waiting");
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), 0, "room again: the same socket connects");
    act_socket_close(&a);
    act_socket_close(&c);
    while (n > 0)
        close(raw[--n]);
    act_socket_close(&l);
}

Test(socket_edge, a_connection_reset_while_it_waited_is_accepted_and_its_recv_gets_econnreset)
{
    act_socket l, a;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    struct linger abort_close = { 1, 0 };
    char buf[8];
    int fd;

    sk_listen(&l, "127.0.0.1:0", &at);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, &at.u.sa, at.len), 0, "blocking: established, queued for accept");
    cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close), 0);
    close(fd); /* a reset, before or after the accept: either way the same results */
    act_socket_accept(&l, &a, &st);
    cr_assert_eq(act_status_result(&st), 0, "not skipped: Linux hands the connection over");
    act_socket_recv(&a, buf, sizeof buf, &st);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), -ECONNRESET);
    act_socket_close(&a);
    act_socket_close(&l);
}

/* socket.h: "non-blocking and close-on-exec", for opened and accepted sockets alike. */
Test(socket_edge, opened_and_accepted_sockets_are_non_blocking_and_close_on_exec)
{
    act_socket c, s, u;

    sk_pair(&c, &s, "127.0.0.1:0");
    cr_assert_eq(act_socket_open(&u, fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
    act_socket *all[] = { &c, &s, &u };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        cr_assert(fcntl(act_socket_fd(all[i]), F_GETFD) & FD_CLOEXEC, "socket %zu", i);
        cr_assert(fcntl(act_socket_fd(all[i]), F_GETFL) & O_NONBLOCK, "socket %zu", i);
        act_socket_close(all[i]);
    }
}

/*
 * With IP_RECVERR an ICMP error also stays in the socket's error queue, which
 * polls EPOLLERR while recv says EAGAIN: that is not a socket shut down for
 * reading, so a recvfrom keeps waiting (NOTE 5 of stream.c asks for POLLRDHUP).
 */
Test(socket_edge, udp_recvfrom_with_only_an_error_queue_entry_keeps_waiting)
{
    act_socket u, gone;
    act_sockaddr at_u, at_gone, from;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[8];
    int on = 1;

    sk_bind(&u, SOCK_DGRAM, "127.0.0.1:0", &at_u);
    cr_assert_eq(setsockopt(act_socket_fd(&u), IPPROTO_IP, IP_RECVERR, &on, sizeof on), 0);
    sk_bind(&gone, SOCK_DGRAM, "127.0.0.1:0", &at_gone);
    act_socket_close(&gone);
    act_socket_sendto(&u, "x", 1, &at_gone, &st);
    cr_assert_eq(act_status_result(&st), 1);
    act_socket_recvfrom(&u, buf, sizeof buf, &from, &st);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), -ECONNREFUSED);
    sk_obj_init(&r, &u, SK_RECV);
    act_socket_recvfrom(&u, buf, sizeof buf, &from, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_poll(3);
    cr_assert_eq(r.runs, 0, "completed with %d", r.last);
    act_cancel(&r.base);
    act_socket_close(&u);
}

/* NOTE 1 of socket.c holds for stream sockets only: a datagram connect completes in its call. */
Test(socket_edge, udp_connect_while_a_recv_is_outstanding_completes_and_leaves_the_recv_alone)
{
    act_socket a, b;
    act_sockaddr at_a, at_b;
    act_status rst = ACT_STATUS_INIT, st = ACT_STATUS_INIT;
    char buf[8];

    sk_bind(&a, SOCK_DGRAM, "127.0.0.1:0", &at_a);
    sk_bind(&b, SOCK_DGRAM, "127.0.0.1:0", &at_b);
    act_socket_recv(&a, buf, sizeof buf, &rst);
    act_socket_connect(&a, &at_b, &st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert(act_status_pending(&rst));
    act_socket_sendto(&b, "hi", 2, &at_a, &st);
    cr_assert_eq(act_status_result(&st), 2);
    act_wait_for_request(&rst);
    cr_assert_eq(act_status_result(&rst), 2);
    act_socket_close(&a);
    act_socket_close(&b);
}

/* A send of nothing on a datagram socket is a datagram: the peer receives it, empty. */
/*
 * socket.h, act_socket_connect(): "A datagram socket's connect sets its
 * default peer and filters what arrives after it (datagrams of other
 * senders queued before it are still received)".
 */
Test(socket_edge, udp_connect_filters_only_what_arrives_after_it)
{
    act_socket a, peer, other;
    act_sockaddr at_a, at_peer, at_other, from;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[16];

    sk_bind(&a, SOCK_DGRAM, "127.0.0.1:0", &at_a);
    sk_bind(&peer, SOCK_DGRAM, "127.0.0.1:0", &at_peer);
    sk_bind(&other, SOCK_DGRAM, "127.0.0.1:0", &at_other);
    act_socket_sendto(&other, "early", 5, &at_a, &st);
    cr_assert_eq(act_status_result(&st), 5);
    act_socket_connect(&a, &at_peer, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_sendto(&other, "late", 4, &at_a, &st); /* filtered */
    cr_assert_eq(act_status_result(&st), 4);
    act_socket_sendto(&peer, "peer", 4, &at_a, &st);
    cr_assert_eq(act_status_result(&st), 4);
    sk_obj_init(&r, &a, SK_RECV);
    act_socket_recvfrom(&a, buf, sizeof buf, &from, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 5, "the datagram queued before the connect");
    cr_assert_eq(act_sockaddr_port(&from), act_sockaddr_port(&at_other));
    act_socket_recvfrom(&a, buf, sizeof buf, &from, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 2);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(buf, "peer", 4), 0, "the other sender's late datagram was filtered");
    act_socket_close(&a);
    act_socket_close(&peer);
    act_socket_close(&other);
}

Test(socket_edge, empty_send_on_a_datagram_socket_sends_an_empty_datagram)
{
    act_socket a, b;
    act_status st = ACT_STATUS_INIT;
    char buf[4];

    udp_connected(&a, &b);
    act_socket_send(&a, NULL, 0, &st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_eq(recv(act_socket_fd(&b), buf, sizeof buf, MSG_DONTWAIT), 0, "an empty datagram waited");
    act_socket_close(&a);
    act_socket_close(&b);
}
