/*
 * act_socket against hostile or awkward peers (refused connects, closed and
 * resetting peers, half-close, a silent peer, a fast peer) and the
 * per-operation cancels (connect, accept, recv, send: one direction's cancel
 * leaves the other alone; a cancelled connect leaves no half-open
 * connection).
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket_peer, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* A plain blocking socket connected to @at, outside the library. */
static int raw_connect(const act_sockaddr *at)
{
    int fd = socket(at->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, &at->u.sa, at->len), 0, "raw connect: %s", strerror(errno));
    return fd;
}

static void abortive_close(act_socket *s)
{
    struct linger lg = { 1, 0 };

    cr_assert_eq(setsockopt(act_socket_fd(s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    act_socket_close(s);
}

static int tcp_state(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;

    cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
    return ti.tcpi_state;
}

/* ---- refused and failed connects --------------------------------------- */

Test(socket_peer, connect_to_a_closed_port_completes_econnrefused_on_a_later_pass)
{
    act_socket bound, c;
    act_sockaddr at;
    sk_obj co;

    sk_bind(&bound, SOCK_STREAM, "127.0.0.1:0", &at); /* holds the port, never listens */
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    sk_activate_pending(&co);
    io_run_until(&co.runs, 1);
    cr_assert_eq(co.last, -ECONNREFUSED);
    act_socket_close(&c);
    act_socket_close(&bound);
}

/*
 * A refused connect leaves the socket open, and nothing in socket.h says it
 * cannot connect again (a cancelled one can): the next connect, to a
 * listener that is there, must reach it, not fail with a result that
 * belongs to no peer.
 */
Test(socket_peer, connect_again_after_a_refused_connect_reaches_the_listener)
{
    act_socket bound, l, c;
    act_sockaddr closed, at;
    sk_obj co;

    sk_bind(&bound, SOCK_STREAM, "127.0.0.1:0", &closed); /* holds a port, never listens */
    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &closed, act_object_status(&co.base));
    sk_activate_pending(&co);
    io_run_until(&co.runs, 1);
    cr_assert_eq(co.last, -ECONNREFUSED);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    act_set_active(&co.base);
    io_run_until(&co.runs, 2);
    cr_assert_eq(co.last, 0, "the second connect, to a listener: %s", act_strerror(co.last));
    act_socket_close(&c);
    act_socket_close(&l);
    act_socket_close(&bound);
}

Test(socket_peer, unix_connect_to_nobody_fails_inside_the_call)
{
    act_socket c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    char name[64];

    sk_unix_name(name, sizeof name);
    cr_assert_eq(act_sockaddr_parse(&at, name), 0);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_UNIX, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), -ECONNREFUSED);
    cr_assert_eq(act_sockaddr_parse(&at, "/nonexistent-dir/act.sock"), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), -ENOENT);
    act_socket_close(&c);
}

/* ---- closed and resetting peers ---------------------------------------- */

static int send_until_error(act_socket *c, int limit)
{
    static const char chunk[1024];
    act_status st = ACT_STATUS_INIT;

    for (int i = 0; i < limit; i++) {
        act_socket_send(c, chunk, sizeof chunk, &st);
        act_wait_for_request(&st);
        if (act_status_result(&st) < 0)
            return act_status_result(&st);
        io_poll(1);
    }
    return 0;
}

Test(socket_peer, send_to_a_closed_peer_completes_epipe_without_sigpipe)
{
    act_socket c, s;

    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would kill this test */
    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_close(&s);
    cr_assert_eq(send_until_error(&c, 100), -EPIPE);
    act_socket_close(&c);
}

Test(socket_peer, unix_send_to_a_closed_peer_completes_epipe_without_sigpipe)
{
    act_socket c, s;
    char name[64];

    signal(SIGPIPE, SIG_DFL);
    sk_unix_name(name, sizeof name);
    sk_pair(&c, &s, name);
    act_socket_close(&s);
    cr_assert_eq(send_until_error(&c, 1), -EPIPE);
    act_socket_close(&c);
}

Test(socket_peer, peer_reset_in_the_middle_of_a_send_completes_econnreset)
{
    enum { TOTAL = 16 << 20 };
    act_socket c, s;
    sk_obj w;
    unsigned char *src = calloc(1, TOTAL);

    signal(SIGPIPE, SIG_DFL);
    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&w, &c, SK_SEND);
    act_socket_send(&c, src, TOTAL, act_object_status(&w.base));
    sk_activate_pending(&w);
    io_poll(2);
    abortive_close(&s);
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, -ECONNRESET);
    cr_assert_gt(act_socket_sent(&c), 0);
    cr_assert_lt(act_socket_sent(&c), TOTAL);
    cr_assert_eq(send_until_error(&c, 1), -EPIPE, "later sends see the closed connection");
    act_socket_close(&c);
    free(src);
}

/*
 * A Unix stream peer that shuts down both directions but keeps its
 * descriptor, and our unread bytes, hangs up on the sender without making it
 * writable (the bytes still count against its send buffer) and without an
 * error: the hang-up alone must step the pending send.
 */
Test(socket_peer, unix_send_pending_when_the_peer_shuts_both_directions_completes_epipe)
{
    enum { TOTAL = 1 << 20 };
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj w;
    char name[64];
    unsigned char *src = calloc(1, TOTAL);
    struct pollfd p;

    signal(SIGPIPE, SIG_DFL);
    sk_unix_name(name, sizeof name);
    sk_pair(&c, &s, name);
    sk_obj_init(&w, &c, SK_SEND);
    act_socket_send(&c, src, TOTAL, act_object_status(&w.base));
    sk_activate_pending(&w);
    act_socket_shutdown(&s, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), 0);
    p = (struct pollfd){ .fd = act_socket_fd(&c), .events = POLLOUT };
    cr_assert_eq(poll(&p, 1, 0), 1);
    cr_assert_eq(p.revents & (POLLOUT | POLLERR | POLLHUP), POLLHUP, "the kernel reports the hang-up alone");
    for (int pass = 0; pass < 100 && w.runs == 0; pass++)
        io_poll(1);
    cr_assert_eq(w.runs, 1, "the hang-up completed the send");
    cr_assert_eq(w.last, -EPIPE, "%s", act_strerror(w.last));
    cr_assert_gt(act_socket_sent(&c), 0);
    cr_assert_lt(act_socket_sent(&c), TOTAL);
    act_socket_close(&s);
    act_socket_close(&c);
    free(src);
}

Test(socket_peer, peer_reset_completes_an_outstanding_recv_with_econnreset)
{
    act_socket c, s;
    sk_obj r;
    char buf[16];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    abortive_close(&s);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, -ECONNRESET);
    act_socket_close(&c);
}

/* The ICMP error wakes the socket with EPOLLERR alone: the read slot must see it. */
Test(socket_peer, connected_udp_recv_completes_econnrefused_when_the_peer_port_is_closed)
{
    act_socket gone, u;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[16];

    sk_bind(&gone, SOCK_DGRAM, "127.0.0.1:0", &at);
    act_socket_close(&gone); /* the port is closed: a datagram to it draws port unreachable */
    cr_assert_eq(act_socket_open(&u, fx_sched(), AF_INET, SOCK_DGRAM), 0);
    act_socket_connect(&u, &at, &st);
    cr_assert_eq(act_status_result(&st), 0);
    sk_obj_init(&r, &u, SK_RECV);
    act_socket_recv(&u, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_socket_send(&u, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), 1);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, -ECONNREFUSED);
    act_socket_close(&u);
}

Test(socket_peer, half_close_lets_the_peer_finish_its_reply)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r, pr;
    char buf[16];

    sk_pair(&c, &s, "127.0.0.1:0");
    act_socket_send(&c, "question", 8, &st);
    cr_assert_eq(act_status_result(&st), 8);
    act_socket_shutdown(&c, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), 0);
    sk_obj_init(&pr, &s, SK_RECV);
    act_socket_recv_full(&s, buf, sizeof buf, act_object_status(&pr.base));
    sk_activate_pending(&pr);
    io_run_until(&pr.runs, 1);
    cr_assert_eq(pr.last, 8, "recv_full stops short at the peer's end of stream");
    act_socket_send(&s, "answer", 6, &st);
    cr_assert_eq(act_status_result(&st), 6, "the other direction still works");
    act_socket_close(&s);
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv_full(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 6);
    cr_assert_eq(memcmp(buf, "answer", 6), 0);
    act_socket_send(&c, "more", 4, &st);
    cr_assert_eq(act_status_result(&st), -EPIPE, "our side was shut for writing");
    act_socket_close(&c);
}

Test(socket_peer, silent_peer_leaves_the_recv_pending_until_cancelled)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    char buf[16];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &c, SK_RECV);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    fx_run_for(50000);
    cr_assert_eq(r.runs, 0);
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), -ECANCELED);
    cr_assert_eq(r.runs, 0);
    act_socket_send(&c, "still", 5, &st);
    cr_assert_eq(act_status_result(&st), 5, "the connection is intact");
    act_socket_close(&c);
    act_socket_close(&s);
}

/* ---- a fast peer ------------------------------------------------------- */

struct flood {
    int fd;
    size_t total;
};

static void *flood_thread(void *arg)
{
    struct flood *f = arg;
    unsigned char chunk[65536];

    for (size_t off = 0; off < f->total; off += sizeof chunk) {
        sk_pattern(chunk, sizeof chunk, 7, off);
        for (size_t done = 0; done < sizeof chunk; ) {
            ssize_t n = write(f->fd, chunk + done, sizeof chunk - done);
            cr_assert_gt(n, 0);
            done += (size_t)n;
        }
    }
    close(f->fd);
    return NULL;
}

Test(socket_peer, fast_peer_is_read_in_small_bites_without_loss)
{
    act_socket l, s;
    act_sockaddr at;
    struct flood f = { .total = (size_t)fx_size(32 << 20, 4 << 20) };
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    pthread_t th;
    unsigned char buf[1000], want[1000];
    size_t got = 0;

    sk_listen(&l, "127.0.0.1:0", &at);
    f.fd = raw_connect(&at);
    act_socket_accept(&l, &s, &st);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_eq(pthread_create(&th, NULL, flood_thread, &f), 0);
    sk_obj_init(&r, &s, SK_RECV);
    for (int bites = 1;; bites++) {
        act_socket_recv_full(&s, buf, sizeof buf, act_object_status(&r.base));
        act_set_active(&r.base);
        io_run_until(&r.runs, bites);
        cr_assert_geq(r.last, 0, "%s", act_strerror(r.last));
        sk_pattern(want, (size_t)r.last, 7, got);
        cr_assert_eq(memcmp(buf, want, (size_t)r.last), 0, "bytes at %zu", got);
        got += (size_t)r.last;
        if (r.last < (int)sizeof buf)
            break; /* the peer's end of stream */
        if (bites % 4096 == 0)
            usleep(1000); /* slower still, now and then */
    }
    pthread_join(th, NULL);
    cr_assert_eq(got, f.total);
    act_socket_close(&s);
    act_socket_close(&l);
}

/* ---- per-direction cancel ---------------------------------------------- */

Test(socket_peer, cancel_recv_leaves_the_send_alone_and_cancel_send_the_recv)
{
    enum { TOTAL = 16 << 20 };
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r, w;
    unsigned char *src = calloc(1, TOTAL), buf[8];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &c, SK_RECV);
    sk_obj_init(&w, &c, SK_SEND);
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_socket_send(&c, src, TOTAL, act_object_status(&w.base));
    sk_activate_pending(&w);
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), -ECANCELED);
    cr_assert(act_status_pending(act_object_status(&w.base)), "the send goes on");
    act_socket_recv(&c, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_cancel(&w.base);
    cr_assert_eq(act_status_result(act_object_status(&w.base)), -ECANCELED);
    cr_assert(act_status_pending(act_object_status(&r.base)), "the recv goes on");
    act_socket_send(&s, "ok", 2, &st);
    cr_assert_eq(act_status_result(&st), 2);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 2);
    cr_assert_eq(w.runs, 0);
    act_socket_close(&c);
    act_socket_close(&s);
    free(src);
}

Test(socket_peer, cancelled_send_reports_the_bytes_that_went_out_and_sends_no_more)
{
    enum { TOTAL = 16 << 20 };
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj w, r;
    unsigned char *src = malloc(TOTAL), *dst = malloc(TOTAL);
    size_t sent;

    sk_pattern(src, TOTAL, 3, 0);
    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&w, &c, SK_SEND);
    act_socket_send(&c, src, TOTAL, act_object_status(&w.base));
    sk_activate_pending(&w);
    act_cancel(&w.base);
    cr_assert_eq(act_status_result(act_object_status(&w.base)), -ECANCELED);
    sent = act_socket_sent(&c);
    cr_assert_gt(sent, 0);
    cr_assert_lt(sent, TOTAL);
    act_socket_shutdown(&c, SHUT_WR, &st);
    cr_assert_eq(act_status_result(&st), 0, "the write direction is free again");
    sk_obj_init(&r, &s, SK_RECV);
    act_socket_recv_full(&s, dst, TOTAL, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq((size_t)r.last, sent, "exactly the bytes sent before the cancel");
    cr_assert_eq(memcmp(src, dst, sent), 0);
    act_socket_close(&c);
    act_socket_close(&s);
    free(src);
    free(dst);
}

/*
 * A listener with a backlog of 0 holds one connection; with one queued and
 * never accepted, the kernel drops our SYN and the connect stays pending
 * (a silent host, as far as the client can tell).
 */
static int full_listener(act_sockaddr *at, int *filler)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    cr_assert_eq(act_sockaddr_parse(at, "127.0.0.1:0"), 0);
    cr_assert_eq(bind(l, &at->u.sa, at->len), 0);
    cr_assert_eq(listen(l, 0), 0);
    at->len = sizeof at->u;
    cr_assert_eq(getsockname(l, &at->u.sa, &at->len), 0);
    *filler = raw_connect(at);
    return l;
}

Test(socket_peer, cancelled_connect_leaves_no_half_open_connection_and_can_connect_again)
{
    act_socket c;
    act_sockaddr at;
    sk_obj co;
    int filler, l = full_listener(&at, &filler);
    int fd;

    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    sk_activate_pending(&co);
    fx_run_for(100000);
    cr_assert_eq(co.runs, 0, "the SYN was dropped: still connecting");
    act_cancel(&co.base);
    cr_assert_eq(act_status_result(act_object_status(&co.base)), -ECANCELED);
    cr_assert_eq(tcp_state(act_socket_fd(&c)), TCP_CLOSE, "the handshake was abandoned");
    fd = accept(l, NULL, NULL); /* make room; a SYN retransmitted now would be queued */
    cr_assert_geq(fd, 0);
    close(fd);
    close(filler);
    fx_run_for(1500000); /* past the first SYN retransmission (1 s) */
    cr_assert_lt(accept(l, NULL, NULL), 0, "no connection of ours reached the listener");
    cr_assert_eq(errno, EAGAIN);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    act_set_active(&co.base);
    io_run_until(&co.runs, 1);
    cr_assert_eq(co.last, 0, "the socket connects again: %s", act_strerror(co.last));
    act_socket_close(&c);
    close(l);
}

/*
 * A connect whose descriptor cannot be registered (epoll_ctl fails: ENOMEM,
 * ENOSPC; here EEXIST, the descriptor put in the set behind the socket's
 * back) completes with that error, and leaves no handshake going on behind
 * it: the listener's full queue keeps the SYN unanswered, so without the
 * abort the socket would stay in SYN_SENT.
 */
Test(socket_peer, connect_that_cannot_register_its_descriptor_abandons_the_handshake)
{
    act_socket c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    struct epoll_event ev = { .events = 0, .data.ptr = NULL };
    int filler, l = full_listener(&at, &filler);
    int ep = act_sched_fd(fx_sched());

    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    cr_assert_eq(epoll_ctl(ep, EPOLL_CTL_ADD, act_socket_fd(&c), &ev), 0);
    act_socket_connect(&c, &at, &st);
    cr_assert_eq(act_status_result(&st), -EEXIST);
    cr_assert_eq(epoll_ctl(ep, EPOLL_CTL_DEL, act_socket_fd(&c), NULL), 0);
    cr_assert_eq(tcp_state(act_socket_fd(&c)), TCP_CLOSE, "the handshake was abandoned");
    act_socket_close(&c);
    close(filler);
    close(l);
}

/*
 * socket.h: shutdown of a TCP socket that is not connected completes
 * -ENOTCONN (UDP is the one named as shut all the same).  Linux shuts the
 * directions anyway; the shut socket then polls EPOLLHUP while its SYN is
 * unanswered, and connect, "0 when connected", reports success in SYN_SENT.
 */
Test(socket_peer, refused_shutdown_of_an_unconnected_tcp_socket_does_not_make_a_connect_succeed_before_the_handshake)
{
    act_socket c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    sk_obj co;
    int filler, l = full_listener(&at, &filler);

    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_shutdown(&c, SHUT_RDWR, &st);
    cr_assert_eq(act_status_result(&st), -ENOTCONN);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    sk_activate_pending(&co);
    fx_run_for(100000);
    cr_expect_eq(co.runs, 0, "the SYN was dropped, yet connect completed with %s in TCP state %d (SYN_SENT %d)",
                 act_strerror(co.last), tcp_state(act_socket_fd(&c)), TCP_SYN_SENT);
    act_cancel(&co.base);
    act_socket_close(&c);
    close(filler);
    close(l);
}

Test(socket_peer, cancelled_connect_after_the_kernel_finished_the_handshake_resets_it)
{
    act_socket l, c;
    act_sockaddr at;
    sk_obj co;
    char buf[4];
    int fd;
    ssize_t n;

    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    sk_activate_pending(&co);
    usleep(10000); /* loopback: the handshake is done, the step has not run */
    act_cancel(&co.base);
    cr_assert_eq(act_status_result(act_object_status(&co.base)), -ECANCELED);
    usleep(10000);
    fd = accept4(act_socket_fd(&l), NULL, NULL, SOCK_NONBLOCK);
    if (fd >= 0) { /* the server got it, and sees it end at once */
        n = read(fd, buf, sizeof buf);
        cr_assert(n == 0 || (n < 0 && errno == ECONNRESET), "read %zd: %s", n, strerror(errno));
        close(fd);
    }
    cr_assert_eq(tcp_state(act_socket_fd(&c)), TCP_CLOSE);
    act_socket_close(&c);
    act_socket_close(&l);
}

/*
 * connect(AF_UNSPEC) leaves ECONNRESET pending in the socket, whether the
 * handshake had finished or not.  The cancel takes it, so the socket is
 * plainly unconnected, and a send is refused as on any unconnected TCP
 * socket instead of reporting a reset that belongs to no connection.
 */
Test(socket_peer, send_after_a_cancelled_connect_completes_epipe_not_a_stale_econnreset)
{
    act_socket l, c;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    sk_obj co;

    sk_listen(&l, "127.0.0.1:0", &at);
    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    sk_obj_init(&co, &c, SK_CONNECT);
    act_socket_connect(&c, &at, act_object_status(&co.base));
    sk_activate_pending(&co);
    act_cancel(&co.base);
    cr_assert_eq(act_status_result(act_object_status(&co.base)), -ECANCELED);
    act_socket_send(&c, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), -EPIPE, "%s", act_strerror(act_status_result(&st)));
    act_socket_close(&c);
    act_socket_close(&l);
}

Test(socket_peer, cancelled_accept_leaves_its_target_closed_and_the_connection_queued)
{
    act_socket l, a;
    act_sockaddr at;
    sk_obj ao;
    int c;
    char buf[2];

    sk_listen(&l, "127.0.0.1:0", &at);
    sk_obj_init(&ao, &l, SK_ACCEPT);
    memset(&a, 0x55, sizeof a); /* never used: any bytes at all */
    act_socket_accept(&l, &a, act_object_status(&ao.base));
    sk_activate_pending(&ao); /* nothing waits yet */
    c = raw_connect(&at);     /* queued by the kernel; no pass has run */
    act_cancel(&ao.base);
    cr_assert_eq(act_status_result(act_object_status(&ao.base)), -ECANCELED);
    cr_assert_eq(act_socket_fd(&a), -1);
    act_socket_cancel_recv(&l); /* an accept is not a recv: nothing to do */
    act_socket_accept(&l, &a, act_object_status(&ao.base));
    cr_assert_eq(act_status_result(act_object_status(&ao.base)), 0, "the next accept gets the connection");
    act_set_active(&ao.base);
    io_run_until(&ao.runs, 1);
    cr_assert_eq(write(c, "hi", 2), 2);
    cr_assert_eq(act_socket_fd(&a) >= 0, 1);
    cr_assert_eq(recv(act_socket_fd(&a), buf, sizeof buf, MSG_WAITALL), 2);
    act_socket_close(&a);
    close(c);
    act_socket_close(&l);
}

Test(socket_peer, cancels_of_the_wrong_kind_leave_the_request_alone)
{
    act_socket c;
    act_sockaddr at;
    act_status conn = ACT_STATUS_INIT;
    int filler, fd = full_listener(&at, &filler);

    cr_assert_eq(act_socket_open(&c, fx_sched(), AF_INET, SOCK_STREAM), 0);
    act_socket_connect(&c, &at, &conn);
    cr_assert(act_status_pending(&conn));
    act_socket_cancel_send(&c);
    act_socket_cancel_recv(&c);
    act_socket_cancel_accept(&c);
    cr_assert(act_status_pending(&conn), "only cancel_connect or cancel_all end a connect");
    act_socket_cancel_all(&c);
    cr_assert_eq(act_status_result(&conn), -ECANCELED);
    cr_assert_eq(tcp_state(act_socket_fd(&c)), TCP_CLOSE, "cancel_all abandons the handshake as cancel_connect does");
    act_socket_close(&c);
    close(filler);
    close(fd);
}
