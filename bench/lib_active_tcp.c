/*
 * libactive's TCP side: loopback ping-pong and the memory of a connection,
 * through act_socket (connect, accept, recv_full, send).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <active.h>
#include <active/socket.h>

#include "bench.h"

static void wait_ok(act_status *st, const char *what)
{
    act_wait_for_request(st);
    BENCH_CHECK(act_status_result(st) >= 0, what);
}

/* A listening socket on 127.0.0.1, any port; its address in @addr. */
static void listen_local(act_socket *lis, act_sched *s, act_sockaddr *addr)
{
    BENCH_CHECK(act_socket_open(lis, s, AF_INET, SOCK_STREAM) == 0, "act_socket_open");
    BENCH_CHECK(act_sockaddr_parse(addr, "127.0.0.1:0") == 0, "act_sockaddr_parse");
    BENCH_CHECK(act_socket_bind(lis, addr) == 0, "act_socket_bind");
    BENCH_CHECK(act_socket_listen(lis, 128) == 0, "act_socket_listen");
    BENCH_CHECK(act_socket_local_addr(lis, addr) == 0, "act_socket_local_addr");
}

/* Connect @cli to @lis's address and accept the other end into @srv; TCP_NODELAY on both. */
static void connect_pair(act_socket *lis, const act_sockaddr *addr, act_socket *cli, act_socket *srv)
{
    act_status c = ACT_STATUS_INIT, a = ACT_STATUS_INIT;

    BENCH_CHECK(act_socket_open(cli, act_sched_current(), AF_INET, SOCK_STREAM) == 0, "act_socket_open");
    act_socket_accept(lis, srv, &a);
    act_socket_connect(cli, addr, &c);
    wait_ok(&c, "act_socket_connect");
    wait_ok(&a, "act_socket_accept");
    BENCH_CHECK(act_socket_set_option(cli, ACT_SOCKET_NODELAY, 1) == 0, "nodelay");
    BENCH_CHECK(bench_close_with_reset(act_socket_fd(cli)) == 0, "SO_LINGER");
    BENCH_CHECK(bench_close_with_reset(act_socket_fd(srv)) == 0, "SO_LINGER");
    BENCH_CHECK(act_socket_set_option(srv, ACT_SOCKET_NODELAY, 1) == 0, "nodelay");
}

/* ---- ping-pong: an object per side receives (recv_full), then sends with a bare status ---- */

struct side {
    act_object ao;
    act_socket sock;
    act_status sst; /* the send's: completes inside act_socket_send when it fits */
    act_sched *s;
    bench_pp *pp;
    int who;
};

static void side_recv(struct side *sd)
{
    act_socket_recv_full(&sd->sock, sd->pp->buf[sd->who], sd->pp->size, act_object_status(&sd->ao));
    act_set_active(&sd->ao);
}

static void side_send(struct side *sd)
{
    if (act_status_pending(&sd->sst))
        act_wait_for_request(&sd->sst); /* the last one did not fit at once */
    act_socket_send(&sd->sock, sd->pp->buf[sd->who], sd->pp->size, &sd->sst);
}

static int side_run(act_object *ao)
{
    struct side *sd = ACT_CONTAINER_OF(ao, struct side, ao);

    BENCH_CHECK(act_status_result(act_object_status(ao)) == (int)sd->pp->size, "libactive tcp: short recv");
    if (sd->who == PP_A && --sd->pp->left == 0) {
        act_sched_stop(sd->s);
        return 0;
    }
    side_recv(sd);
    side_send(sd);
    return 0;
}

static void side_cancel(act_object *ao)
{
    act_socket_cancel_recv(&ACT_CONTAINER_OF(ao, struct side, ao)->sock);
}

static const act_object_ops side_ops = { side_run, side_cancel, NULL };

double bench_active_tcp1(long n)
{
    act_sched s;
    act_socket lis;
    act_sockaddr addr;
    bench_pp *pp = calloc(1, sizeof *pp);
    struct side *sd = calloc(2, sizeof *sd);
    long a0;
    double t0;

    BENCH_CHECK(pp != NULL && sd != NULL, "calloc");
    BENCH_CHECK(act_sched_init(&s) == 0, "act_sched_init");
    act_sched_install(&s);
    pp->size = 1;
    pp->left = n;
    listen_local(&lis, &s, &addr);
    connect_pair(&lis, &addr, &sd[PP_A].sock, &sd[PP_B].sock);
    act_socket_close(&lis);
    for (int who = 0; who < 2; who++) {
        sd[who].s = &s;
        sd[who].pp = pp;
        sd[who].who = who;
        act_object_init(&sd[who].ao, &side_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &sd[who].ao);
        side_recv(&sd[who]);
    }
    act_sched_run_once(&s, ACT_RUN_NOWAIT); /* register the descriptors first */
    a0 = bench_allocs();
    t0 = bench_now_ns();
    side_send(&sd[PP_A]);
    act_sched_start(&s);
    t0 = bench_now_ns() - t0;
    bench_active_note_allocs(bench_allocs() - a0);
    for (int who = 0; who < 2; who++) {
        act_object_deque(&sd[who].ao);
        act_wait_for_request(&sd[who].sst);
        act_socket_close(&sd[who].sock);
    }
    act_sched_fini(&s);
    free(sd);
    free(pp);
    return t0 / (double)n;
}

/* ---- memory: an accepted act_socket and the object whose 1-byte recv is outstanding ---- */

struct conn {
    act_object ao;
    act_socket sock;
    char byte;
};

static int never_run(act_object *ao)
{
    (void)ao;
    bench_fail("libactive: an idle connection became readable");
}

static void conn_cancel(act_object *ao)
{
    act_socket_cancel_recv(&ACT_CONTAINER_OF(ao, struct conn, ao)->sock);
}

static const act_object_ops conn_ops = { never_run, conn_cancel, NULL };

/* In a child process: nothing is freed. */
double bench_active_mem_tcp(long n)
{
    act_sched s;
    act_socket lis;
    act_sockaddr addr;
    act_socket *cli = calloc((size_t)n, sizeof *cli);
    struct conn *m;
    long rss0;

    BENCH_CHECK(cli != NULL, "calloc");
    BENCH_CHECK(act_sched_init(&s) == 0, "act_sched_init");
    act_sched_install(&s);
    listen_local(&lis, &s, &addr);
    memset(cli, 0xff, (size_t)n * sizeof *cli); /* its pages are counted before */
    rss0 = bench_rss_bytes();
    m = malloc((size_t)n * sizeof *m);
    BENCH_CHECK(m != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        memset(&m[i], 0, sizeof m[i]);
        connect_pair(&lis, &addr, &cli[i], &m[i].sock);
        act_object_init(&m[i].ao, &conn_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &m[i].ao);
        act_socket_recv(&m[i].sock, &m[i].byte, 1, act_object_status(&m[i].ao));
        act_set_active(&m[i].ao);
    }
    act_sched_run_once(&s, ACT_RUN_NOWAIT);
    return (double)(bench_rss_bytes() - rss0) / (double)n;
}

size_t bench_active_socket_size(void)
{
    return sizeof(act_socket);
}
