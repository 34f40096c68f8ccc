/*
 * Late data on sockets (DESIGN.md rule 6): after a cancelled recv, bytes
 * and datagrams that arrive later are never written into the cancelled
 * buffer (a pattern that must survive, and a read-only page) and every one
 * of them reaches the next read, in order.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket_late, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

enum { PATTERN = 0xa5 };

/* Issue a read into @buf, let the scheduler find nothing, cancel it. */
static void recv_then_cancel(act_socket *s, sk_obj *r, void *buf, size_t len, act_sockaddr *from)
{
    if (from != NULL)
        act_socket_recvfrom(s, buf, len, from, act_object_status(&r->base));
    else
        act_socket_recv(s, buf, len, act_object_status(&r->base));
    sk_activate_pending(r);
    io_poll(2);
    act_cancel(&r->base);
    cr_assert_eq(act_status_result(act_object_status(&r->base)), -ECANCELED);
    cr_assert_eq(r->runs, 0);
}

/* Run the scheduler a while with nobody reading: nothing may be read. */
static void let_it_arrive(int fd)
{
    fx_run_for(20000);
    cr_assert_eq(io_epoll_events(fd), 0, "the idle read direction left the set");
}

/* The next reads get exactly @late, in order, however the kernel splits it. */
static void next_reads_get(act_socket *s, sk_obj *r, const unsigned char *late, size_t n)
{
    unsigned char next[1024];
    size_t got = 0;

    while (got < n) {
        int runs = r->runs;
        act_socket_recv(s, next, sizeof next, act_object_status(&r->base));
        act_set_active(&r->base);
        io_run_until(&r->runs, runs + 1);
        cr_assert_gt(r->last, 0, "%s", act_strerror(r->last));
        cr_assert_leq(got + (size_t)r->last, n, "more bytes than were sent late");
        cr_assert_eq(memcmp(next, late + got, (size_t)r->last), 0, "late bytes out of order at %zu", got);
        got += (size_t)r->last;
    }
}

static void late_stream_bytes(unsigned char *buf, size_t len)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    unsigned char late[300];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &s, SK_RECV);
    recv_then_cancel(&s, &r, buf, len, NULL);
    sk_pattern(late, sizeof late, 11, 0);
    act_socket_send(&c, late, 100, &st);
    act_socket_send(&c, late + 100, 200, &st);
    cr_assert_eq(act_status_result(&st), 200);
    let_it_arrive(act_socket_fd(&s));
    next_reads_get(&s, &r, late, sizeof late);
    act_socket_close(&c);
    act_socket_close(&s);
}

Test(socket_late, tcp_late_bytes_leave_the_cancelled_pattern_intact_and_reach_the_next_recv)
{
    unsigned char buf[512];

    memset(buf, PATTERN, sizeof buf);
    late_stream_bytes(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        cr_assert_eq(buf[i], PATTERN, "byte %zu of the cancelled buffer changed", i);
}

Test(socket_late, tcp_late_bytes_never_touch_a_cancelled_buffer_made_read_only)
{
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    unsigned char late[200];

    cr_assert_neq(page, MAP_FAILED);
    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &s, SK_RECV);
    recv_then_cancel(&s, &r, page, (size_t)pg, NULL);
    cr_assert_eq(mprotect(page, (size_t)pg, PROT_READ), 0);
    sk_pattern(late, sizeof late, 12, 0);
    act_socket_send(&c, late, sizeof late, &st);
    cr_assert_eq(act_status_result(&st), (int)sizeof late);
    let_it_arrive(act_socket_fd(&s));
    next_reads_get(&s, &r, late, sizeof late);
    for (long i = 0; i < pg; i++)
        cr_assert_eq(page[i], 0, "the cancelled page was written at %ld", i);
    act_socket_close(&c);
    act_socket_close(&s);
    munmap(page, (size_t)pg);
}

Test(socket_late, cancelled_recv_full_keeps_its_received_bytes_which_are_not_read_again)
{
    act_socket c, s;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    unsigned char buf[100], late[50];

    sk_pair(&c, &s, "127.0.0.1:0");
    sk_obj_init(&r, &s, SK_RECV);
    memset(buf, PATTERN, sizeof buf);
    act_socket_recv_full(&s, buf, sizeof buf, act_object_status(&r.base));
    sk_activate_pending(&r);
    act_socket_send(&c, "first-thirty-bytes-of-the-strm", 30, &st);
    while (act_socket_received(&s) < 30)
        io_poll(1);
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), -ECANCELED);
    cr_assert_eq(act_socket_received(&s), 30);
    cr_assert_eq(memcmp(buf, "first-thirty-bytes-of-the-strm", 30), 0);
    sk_pattern(late, sizeof late, 13, 0);
    act_socket_send(&c, late, sizeof late, &st);
    let_it_arrive(act_socket_fd(&s));
    for (size_t i = 30; i < sizeof buf; i++)
        cr_assert_eq(buf[i], PATTERN, "the cancelled buffer was written past its 30 bytes");
    next_reads_get(&s, &r, late, sizeof late);
    act_socket_close(&c);
    act_socket_close(&s);
}

/* Datagrams: each late one arrives whole at the next recvfrom, in order. */
static void late_datagrams(const char *server_text, const char *client_text)
{
    enum { N = 5 };
    act_socket s, c;
    act_sockaddr at, mine, from, cancelled_from;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    unsigned char buf[256], cancelled[256], dgram[N][64];
    char t1[ACT_SOCKADDR_STRLEN], t2[ACT_SOCKADDR_STRLEN];

    sk_bind(&s, SOCK_DGRAM, server_text, &at);
    sk_bind(&c, SOCK_DGRAM, client_text, &mine);
    sk_obj_init(&r, &s, SK_RECV);
    memset(cancelled, PATTERN, sizeof cancelled);
    memset(&cancelled_from, PATTERN, sizeof cancelled_from);
    recv_then_cancel(&s, &r, cancelled, sizeof cancelled, &cancelled_from);
    for (int i = 0; i < N; i++) {
        sk_pattern(dgram[i], (size_t)(10 + i), (uint32_t)(20 + i), 0);
        act_socket_sendto(&c, dgram[i], (size_t)(10 + i), &at, &st);
        cr_assert_eq(act_status_result(&st), 10 + i);
    }
    let_it_arrive(act_socket_fd(&s));
    for (int i = 0; i < N; i++) {
        act_socket_recvfrom(&s, buf, sizeof buf, &from, act_object_status(&r.base));
        act_set_active(&r.base);
        io_run_until(&r.runs, i + 1);
        cr_assert_eq(r.last, 10 + i, "datagram %d arrives whole, in order", i);
        cr_assert_eq(memcmp(buf, dgram[i], (size_t)r.last), 0);
        cr_assert_geq(act_sockaddr_format(&from, t1, sizeof t1), 0);
        cr_assert_geq(act_sockaddr_format(&mine, t2, sizeof t2), 0);
        cr_assert_str_eq(t1, t2);
    }
    for (size_t i = 0; i < sizeof cancelled; i++)
        cr_assert_eq(cancelled[i], PATTERN, "byte %zu of the cancelled buffer changed", i);
    for (size_t i = 0; i < sizeof cancelled_from; i++)
        cr_assert_eq(((unsigned char *)&cancelled_from)[i], PATTERN, "the cancelled address changed");
    act_socket_close(&s);
    act_socket_close(&c);
}

Test(socket_late, udp_late_datagrams_leave_the_cancelled_buffers_intact_and_reach_the_next_recvfrom)
{
    late_datagrams("127.0.0.1:0", "127.0.0.1:0");
}

Test(socket_late, unix_late_datagrams_leave_the_cancelled_buffers_intact_and_reach_the_next_recvfrom)
{
    char a[64], b[64];

    sk_unix_name(a, sizeof a);
    sk_unix_name(b, sizeof b);
    late_datagrams(a, b);
}

Test(socket_late, udp_late_datagram_never_touches_a_cancelled_buffer_made_read_only)
{
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    act_socket s, c;
    act_sockaddr at, mine, from;
    act_status st = ACT_STATUS_INIT;
    sk_obj r;
    unsigned char buf[64];

    cr_assert_neq(page, MAP_FAILED);
    sk_bind(&s, SOCK_DGRAM, "127.0.0.1:0", &at);
    sk_bind(&c, SOCK_DGRAM, "127.0.0.1:0", &mine);
    sk_obj_init(&r, &s, SK_RECV);
    recv_then_cancel(&s, &r, page, (size_t)pg, NULL);
    cr_assert_eq(mprotect(page, (size_t)pg, PROT_READ), 0);
    act_socket_sendto(&c, "late", 4, &at, &st);
    let_it_arrive(act_socket_fd(&s));
    act_socket_recvfrom(&s, buf, sizeof buf, &from, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(buf, "late", 4), 0);
    act_socket_close(&s);
    act_socket_close(&c);
    munmap(page, (size_t)pg);
}
