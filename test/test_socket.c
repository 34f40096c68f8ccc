/*
 * act_socket basics: echo over loopback for TCP (v4, v6), UDP and Unix
 * stream and datagram sockets, where each request completes, -EBUSY, bad
 * input, options, close.  Hostile peers and cancel are in
 * test_socket_peer.c, late data in test_socket_late.c, the race, EMFILE and
 * C10K in test_socket_stress.c and test_socket_c10k.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static void addr_text(const act_sockaddr *a, char *buf)
{
    cr_assert_geq(act_sockaddr_format(a, buf, ACT_SOCKADDR_STRLEN), 0);
}

/* The two ends of a pair see each other's addresses. */
static void check_ends(act_socket *c, act_socket *s)
{
    act_sockaddr a, b;
    char ta[ACT_SOCKADDR_STRLEN], tb[ACT_SOCKADDR_STRLEN];

    cr_assert_eq(act_socket_peer_addr(c, &a), 0);
    cr_assert_eq(act_socket_local_addr(s, &b), 0);
    addr_text(&a, ta);
    addr_text(&b, tb);
    cr_assert_str_eq(ta, tb);
}

/* 256 KiB through an echo connection at once both ways, then an orderly end. */
static void stream_echo(const char *text)
{
    enum { TOTAL = 256 * 1024 };
    act_socket c;
    sk_echo e;
    sk_obj w, r;
    act_status st = ACT_STATUS_INIT;
    unsigned char *src = malloc(TOTAL), *dst = malloc(TOTAL);

    sk_pair(&c, &e.sock, text);
    check_ends(&c, &e.sock);
    sk_echo_start(&e);
    sk_pattern(src, TOTAL, 1, 0);
    sk_obj_init(&w, &c, SK_SEND);
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_send(&c, src, TOTAL, act_object_status(&w.base));
    act_set_active(&w.base);
    act_socket_recv_full(&c, dst, TOTAL, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&w.runs, 1);
    io_run_until(&r.runs, 1);
    cr_assert_eq(w.last, TOTAL);
    cr_assert_eq(r.last, TOTAL);
    cr_assert_eq(memcmp(src, dst, TOTAL), 0);
    act_socket_shutdown(&c, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_recv(&c, dst, 16, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 2);
    cr_assert_eq(r.last, 0, "the server closed after our end of stream");
    cr_assert(e.closed);
    cr_assert_eq(e.end, 0);
    cr_assert_eq(e.bytes, TOTAL);
    act_socket_close(&c);
    free(src);
    free(dst);
}

Test(socket, tcp_v4_echo_over_loopback)
{
    stream_echo("127.0.0.1:0");
}

Test(socket, tcp_v6_echo_over_loopback)
{
    if (!sk_have_ipv6())
        cr_skip_test("IPv6 loopback (::1) is not available on this host");
    stream_echo("[::1]:0");
}

Test(socket, unix_stream_echo_abstract_name)
{
    char name[64];

    sk_unix_name(name, sizeof name);
    stream_echo(name);
}

Test(socket, unix_stream_echo_path)
{
    char path[64];

    snprintf(path, sizeof path, "/tmp/act-test-%d.sock", (int)getpid());
    unlink(path);
    stream_echo(path);
    cr_assert_eq(unlink(path), 0, "close does not unlink the path");
}

/* A datagram echo object: recvfrom, then sendto the sender, again. */
struct dgram_echo {
    sk_obj o;
    act_socket sock;
    act_sockaddr from;
    bool sending;
    unsigned char buf[2048];
};

static int dgram_echo_run(sk_obj *o)
{
    struct dgram_echo *d = ACT_CONTAINER_OF(o, struct dgram_echo, o);

    cr_assert_geq(o->last, 0, "%s", act_strerror(o->last));
    d->sending = !d->sending;
    if (d->sending)
        act_socket_sendto(&d->sock, d->buf, (size_t)o->last, &d->from, act_object_status(&o->base));
    else
        act_socket_recvfrom(&d->sock, d->buf, sizeof d->buf, &d->from, act_object_status(&o->base));
    act_set_active(&o->base);
    return 0;
}

static void dgram_echo_start(struct dgram_echo *d, const char *text, act_sockaddr *at)
{
    sk_bind(&d->sock, SOCK_DGRAM, text, at);
    sk_obj_init(&d->o, &d->sock, SK_ALL);
    d->o.on_run = dgram_echo_run;
    d->sending = false;
    act_socket_recvfrom(&d->sock, d->buf, sizeof d->buf, &d->from, act_object_status(&d->o.base));
    act_set_active(&d->o.base);
}

/* Datagrams of sizes 0..1400 keep their boundaries and come from the server. */
static void dgram_echo(const char *server_text, const char *client_text)
{
    static const size_t sizes[] = { 1, 0, 1400, 7, 512 };
    struct dgram_echo d;
    act_socket c;
    act_sockaddr at, mine, from;
    sk_obj w, r;
    unsigned char out[1400], in[2048];
    char t1[ACT_SOCKADDR_STRLEN], t2[ACT_SOCKADDR_STRLEN];

    dgram_echo_start(&d, server_text, &at);
    sk_bind(&c, SOCK_DGRAM, client_text, &mine);
    sk_obj_init(&w, &c, SK_SEND);
    sk_obj_init(&r, &c, SK_RECV);
    for (int i = 0; i < 5; i++) {
        sk_pattern(out, sizes[i], (uint32_t)i, 0);
        act_socket_sendto(&c, out, sizes[i], &at, act_object_status(&w.base));
        act_set_active(&w.base);
        act_socket_recvfrom(&c, in, sizeof in, &from, act_object_status(&r.base));
        sk_activate_pending(&r);
        io_run_until(&w.runs, i + 1);
        io_run_until(&r.runs, i + 1);
        cr_assert_eq(w.last, (int)sizes[i]);
        cr_assert_eq(act_socket_sent(&c), sizes[i], "sent counts a sendto too");
        cr_assert_eq(r.last, (int)sizes[i], "datagram %d keeps its size", i);
        cr_assert_eq(memcmp(in, out, sizes[i]), 0);
        addr_text(&from, t1);
        addr_text(&at, t2);
        cr_assert_str_eq(t1, t2);
    }
    act_cancel(&d.o.base);
    act_socket_close(&d.sock);
    act_socket_close(&c);
}

Test(socket, udp_v4_datagrams_echo_with_the_peer_address)
{
    dgram_echo("127.0.0.1:0", "127.0.0.1:0");
}

Test(socket, udp_v6_datagrams_echo_with_the_peer_address)
{
    if (!sk_have_ipv6())
        cr_skip_test("IPv6 loopback (::1) is not available on this host");
    dgram_echo("[::1]:0", "[::1]:0");
}

Test(socket, unix_datagrams_echo_with_the_peer_address)
{
    char a[64], b[64];

    sk_unix_name(a, sizeof a);
    sk_unix_name(b, sizeof b);
    dgram_echo(a, b);
}

Test(socket, connected_udp_uses_send_and_recv)
{
    struct dgram_echo d;
    act_socket c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char in[16];

    dgram_echo_start(&d, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_DGRAM), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), 0, "a datagram connect completes inside the call");
    act_socket_send(&c, "ping", 4, &st);
    cr_assert_eq(act_status_result(&st), 4);
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv(&c, in, sizeof in, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(in, "ping", 4), 0);
    act_cancel(&d.o.base);
    act_socket_close(&d.sock);
    act_socket_close(&c);
}

Test(socket, unbound_unix_sender_reads_as_the_unnamed_address)
{
    act_socket s, c;
    act_sockaddr at, from;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char name[64], in[8], text[ACT_SOCKADDR_STRLEN];

    sk_unix_name(name, sizeof name);
    sk_bind(&s, SOCK_DGRAM, name, &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_UNIX, SOCK_DGRAM), 0);
    act_socket_sendto(&c, "hi", 2, &at, &st);
    cr_assert_eq(act_status_result(&st), 2);
    sk_obj_init(&r, &s, SK_RECV);
    act_socket_recvfrom(&s, in, sizeof in, &from, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 2);
    cr_assert_eq(act_sockaddr_family(&from), AF_UNIX);
    cr_assert_eq(act_sockaddr_format(&from, text, sizeof text), 5);
    cr_assert_str_eq(text, "unix:");
    act_socket_close(&s);
    act_socket_close(&c);
}

/* ---- where requests complete ------------------------------------------- */

Test(socket, recv_never_completes_inside_the_call_and_accept_does_when_a_connection_waits)
{
    act_socket l, c, s;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    sk_obj ao, r;
    char buf[8];

    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert(act_status_pending(&st), "a TCP connect completes on a later pass");
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
    sk_obj_init(&ao, &l, SK_ACCEPT);
    act_socket_accept(&l, &s, act_object_status(&ao.base));
    cr_assert_eq(act_status_result(act_object_status(&ao.base)), 0, "the connection was queued");
    cr_assert_geq(act_socket_fd(&s), 0);
    act_set_active(&ao.base);
    cr_assert_eq(ao.runs, 0, "run is never called from inside the issuing call");
    io_run_until(&ao.runs, 1);
    cr_assert_eq(ao.last, 0);
    act_socket_send(&s, "hello", 5, &st);
    cr_assert_eq(act_status_result(&st), 5, "a send that fits completes inside the call");
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r); /* the bytes are already there */
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 5);
    cr_assert_eq(act_socket_received(&c), 5);
    act_socket_close(&c);
    act_socket_close(&s);
    act_socket_close(&l);
}

Test(socket, unix_stream_connect_completes_inside_the_call)
{
    act_socket l, c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    char name[64];

    sk_unix_name(name, sizeof name);
    sk_listen(&l, name, &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_close(&c);
    act_socket_close(&l);
}

Test(socket, reissued_recvs_keep_the_epoll_registration_and_fitting_sends_add_none)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[8];

    sk_pair(&c, &s, "127.0.0.1:0");
    io_poll(2); /* the connect's write interest is dropped once, here */
    cr_assert_eq(io_epoll_events(act_socket_fd(&c)), 0);
    sk_obj_init(&r, &s, SK_RECV);
    for (int i = 1; i <= 3; i++) {
        act_socket_recv(&s, buf, sizeof buf, act_object_status(&r.base));
        act_set_active(&r.base);
        act_socket_send(&c, "x", 1, &st);
        cr_assert_eq(act_status_result(&st), 1);
        io_run_until(&r.runs, i);
        cr_assert_eq(io_epoll_events(act_socket_fd(&s)), EPOLLIN);
        cr_assert_eq(io_epoll_events(act_socket_fd(&c)), 0, "a send that fitted registered nothing");
    }
    act_socket_close(&c);
    act_socket_close(&s);
}

/* ---- one request per direction ----------------------------------------- */

Test(socket, second_request_in_a_busy_direction_completes_ebusy_and_the_first_is_untouched)
{
    act_socket c, s;
    act_status second = ACT_STATUS_INIT;
    sk_obj r;
    char buf[8], other[8] = "xxxxxxx";

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &s, SK_RECV);
    act_socket_recv(&s, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_socket_recv(&s, other, sizeof other, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    act_socket_recv_full(&s, other, sizeof other, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    act_socket_send(&c, "data", 4, &second);
    cr_assert_eq(act_status_result(&second), 4, "the other direction is free");
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    cr_assert_str_eq(other, "xxxxxxx");
    act_socket_close(&c);
    act_socket_close(&s);
}

Test(socket, second_accept_completes_ebusy)
{
    act_socket l, a, b;
    act_sockaddr at;
    act_status first = ACT_STATUS_INIT, second = ACT_STATUS_INIT;

    sk_listen(&l, "127.0.0.1:0", &at);
    act_socket_accept(&l, &a, &first);
    act_socket_accept(&l, &b, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    cr_assert(act_status_pending(&first));
    act_socket_close(&l);
    cr_assert_eq(act_status_result(&first), -ECANCELED);
    cr_assert_eq(act_socket_fd(&a), -1, "a failed accept leaves its target closed");
}

Test(socket, tcp_connect_holds_both_directions_while_outstanding)
{
    act_socket l, c;
    act_sockaddr at;
    act_status conn = ACT_STATUS_INIT, st = ACT_STATUS_INIT;
    char buf[4];

    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &conn);
    cr_assert(act_status_pending(&conn));
    act_socket_recv(&c, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN);
    act_socket_recv_full(&c, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN);
    act_socket_send(&c, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), -EBUSY);
    act_socket_shutdown(&c, SHUT_RD, &st);
    cr_assert_eq(act_status_result(&st), -EBUSY);
    act_wait_for_request(&conn);
    cr_assert_eq(act_status_result(&conn), 0);
    act_socket_recv(&c, buf, sizeof buf, &st);
    act_socket_connect(&c, &at, &conn);
    cr_assert_eq(act_status_result(&conn), -EBUSY, "a connect is refused while a read is out");
    act_socket_close(&c);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    act_socket_close(&l);
}

/* ---- bad input --------------------------------------------------------- */

Test(socket, requests_on_a_closed_socket_complete_ebadf_inside_the_call)
{
    act_socket s, t;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    char buf[4];

    act_sockaddr_parse(&at, "127.0.0.1:9");
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_close(&s);
    act_socket_close(&s); /* twice: nothing */
    act_socket_recv(&s, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_send(&s, buf, sizeof buf, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_connect(&s, &at, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_accept(&s, &t, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_shutdown(&s, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    cr_assert_eq(act_socket_bind(&s, &at), -EBADF);
    cr_assert_eq(act_socket_listen(&s, 1), -EBADF);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_NODELAY, 1), -EBADF);
    cr_assert_eq(act_socket_local_addr(&s, &at), -EBADF);
    cr_assert_eq(act_socket_fd(&s), -1);
}

Test(socket, bad_arguments_are_results_never_crashes)
{
    act_socket s, d, t;
    act_sockaddr at, at2, empty = { .len = 0 };
    act_status st = ACT_STATUS_INIT;
    char buf[4];

    cr_assert_eq(act_socket_open(&s, NULL, AF_INET, SOCK_STREAM), -EINVAL);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET, SOCK_RAW), -EINVAL);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_PACKET, SOCK_DGRAM), -EAFNOSUPPORT);
    cr_assert_eq(act_socket_fd(&s), -1, "a failed open leaves the socket closed");
    sk_bind(&d, SOCK_DGRAM, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_recv(&s, NULL, 4, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_recv(&s, buf, 0, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_send(&s, NULL, 4, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_connect(&s, NULL, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_connect(&s, &empty, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_accept(&s, &t, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL, "accept on a socket that does not listen");
    act_socket_accept(&s, &s, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_sendto(&s, buf, 1, &at, &st);
    cr_assert_eq(act_status_result(&st), -EOPNOTSUPP);
    act_socket_recvfrom(&s, buf, 1, &at, &st);
    cr_assert_eq(act_status_result(&st), -EOPNOTSUPP);
    act_socket_shutdown(&s, 42, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_shutdown(&s, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN);
    cr_assert_eq(act_socket_bind(&s, NULL), -EINVAL);
    cr_assert_eq(act_socket_bind(&s, &empty), -EINVAL);
    sk_listen(&t, "127.0.0.1:0", &at2);
    cr_assert_eq(act_socket_bind(&s, &at2), -EADDRINUSE);
    act_socket_accept(&t, &t, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL, "a listener cannot accept into itself");
    act_socket_close(&t);
    act_socket_recv_full(&d, buf, 1, &st);
    cr_assert_eq(act_status_result(&st), -EOPNOTSUPP);
    act_socket_sendto(&d, buf, 1, NULL, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_recvfrom(&d, buf, 0, &at, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    act_socket_recvfrom(&d, buf, 1, NULL, &st);
    cr_assert_eq(act_status_result(&st), -EINVAL);
    cr_assert_eq(act_socket_listen(&d, 1), -EOPNOTSUPP);
    act_socket_close(&s);
    act_socket_close(&d);
}

Test(socket, options_reach_the_kernel)
{
    act_socket s, d;
    int v;
    socklen_t len = sizeof v;

    cr_assert_eq(act_socket_open(&s, fx_sched(), AF_INET, SOCK_STREAM), 0);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_REUSEADDR, 1), 0);
    cr_assert_eq(getsockopt(act_socket_fd(&s), SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_NODELAY, 1), 0);
    cr_assert_eq(getsockopt(act_socket_fd(&s), IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_KEEPALIVE, 30), 0);
    cr_assert_eq(getsockopt(act_socket_fd(&s), SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(getsockopt(act_socket_fd(&s), IPPROTO_TCP, TCP_KEEPIDLE, &v, &len), 0);
    cr_assert_eq(v, 30);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_KEEPALIVE, 0), 0);
    cr_assert_eq(getsockopt(act_socket_fd(&s), SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(act_socket_set_option(&s, 99, 1), -EINVAL);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_NODELAY, -1), -EINVAL);
    cr_assert_eq(act_socket_open(&d, fx_sched(), AF_INET, SOCK_DGRAM), 0);
    cr_assert_eq(act_socket_set_option(&d, ACT_SOCKET_NODELAY, 1), -EOPNOTSUPP);
    cr_assert_eq(act_socket_set_option(&d, ACT_SOCKET_KEEPALIVE, 30), -EOPNOTSUPP);
    cr_assert_eq(getsockopt(act_socket_fd(&d), SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
    cr_assert_eq(v, 0, "a refused keepalive time leaves keepalive off");
    act_socket_close(&s);
    act_socket_close(&d);
}

Test(socket, close_cancels_both_directions_and_releases_every_descriptor)
{
    int before = io_fd_count();
    act_socket l, c, s;
    act_sockaddr at;
    act_status a = ACT_STATUS_INIT, r = ACT_STATUS_INIT, w = ACT_STATUS_INIT;
    unsigned char *big = calloc(1, 16 << 20), buf[8];

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_recv(&c, buf, sizeof buf, &r);
    act_socket_send(&c, big, 16 << 20, &w);
    cr_assert(act_status_pending(&w), "16 MiB does not fit in loopback buffers");
    act_socket_close(&c);
    cr_assert_eq(act_status_result(&r), -ECANCELED);
    cr_assert_eq(act_status_result(&w), -ECANCELED);
    sk_listen(&l, "127.0.0.1:0", &at);
    act_socket_accept(&l, &c, &a);
    act_socket_close(&l);
    cr_assert_eq(act_status_result(&a), -ECANCELED);
    act_socket_close(&s);
    cr_assert_eq(io_fd_count(), before, "every socket and the reserve were closed");
    free(big);
}

Test(socket, a_zeroed_socket_is_closed_and_descriptor_0_is_never_touched)
{
    act_socket s;
    act_sockaddr at, mine;
    act_status st = ACT_STATUS_INIT;
    char byte;

    cr_assert_eq(act_sockaddr_parse(&at, "127.0.0.1:0"), 0);
    memset(&s, 0, sizeof s);
    cr_assert_eq(act_socket_fd(&s), -1);
    cr_assert_eq(act_socket_bind(&s, &at), -EBADF);
    cr_assert_eq(act_socket_listen(&s, 1), -EBADF);
    cr_assert_eq(act_socket_set_option(&s, ACT_SOCKET_NODELAY, 1), -EBADF);
    cr_assert_eq(act_socket_local_addr(&s, &mine), -EBADF);
    act_socket_recv(&s, &byte, 1, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_connect(&s, &at, &st);
    cr_assert_eq(act_status_result(&st), -EBADF);
    act_socket_close(&s);
    cr_assert_geq(fcntl(0, F_GETFD), 0, "descriptor 0 was closed");
}
