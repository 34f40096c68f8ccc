#include "sock.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static int obj_run(act_object *ao)
{
    sk_obj *o = ACT_CONTAINER_OF(ao, sk_obj, base);

    o->runs++;
    o->last = act_status_result(act_object_status(ao));
    return o->on_run != NULL ? o->on_run(o) : 0;
}

static void obj_cancel(act_object *ao)
{
    sk_obj *o = ACT_CONTAINER_OF(ao, sk_obj, base);

    switch (o->cancel) {
    case SK_CONNECT:
        act_socket_cancel_connect(o->sock);
        break;
    case SK_ACCEPT:
        act_socket_cancel_accept(o->sock);
        break;
    case SK_RECV:
        act_socket_cancel_recv(o->sock);
        break;
    case SK_SEND:
        act_socket_cancel_send(o->sock);
        break;
    case SK_ALL:
        act_socket_cancel_all(o->sock);
        break;
    }
}

void sk_obj_init(sk_obj *o, act_socket *sock, enum sk_cancel cancel)
{
    static const act_object_ops ops = { obj_run, obj_cancel, NULL };

    *o = (sk_obj){ .sock = sock, .cancel = cancel };
    act_object_init(&o->base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &o->base);
}

void sk_activate_pending(sk_obj *o)
{
    cr_assert(act_status_pending(act_object_status(&o->base)), "the request completed inside its call: %s",
              act_strerror(act_status_result(act_object_status(&o->base))));
    act_set_active(&o->base);
}

static void echo_recv(sk_echo *e)
{
    e->sending = false;
    act_socket_recv(&e->sock, e->buf, sizeof e->buf, act_object_status(&e->base));
    act_set_active(&e->base);
}

static int echo_run(act_object *ao)
{
    sk_echo *e = ACT_CONTAINER_OF(ao, sk_echo, base);
    int result = act_status_result(act_object_status(ao));

    if (result > 0 && !e->sending) {
        e->sending = true;
        act_socket_send(&e->sock, e->buf, (size_t)result, act_object_status(ao));
        act_set_active(ao);
        return 0;
    }
    if (result >= 0 && e->sending) {
        e->bytes += (size_t)result;
        echo_recv(e);
        return 0;
    }
    e->end = result;
    e->closed = true;
    act_socket_close(&e->sock);
    return 0;
}

static void echo_cancel(act_object *ao)
{
    act_socket_cancel_all(&ACT_CONTAINER_OF(ao, sk_echo, base)->sock);
}

void sk_echo_start(sk_echo *e)
{
    static const act_object_ops ops = { echo_run, echo_cancel, NULL };

    e->bytes = 0;
    e->closed = false;
    e->end = 0;
    act_object_init(&e->base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &e->base);
    echo_recv(e);
}

void sk_unix_name(char *buf, size_t size)
{
    static int n;

    snprintf(buf, size, "@act-test-%d-%d", (int)getpid(), n++);
}

void sk_listen(act_socket *l, const char *text, act_sockaddr *at)
{
    act_sockaddr addr;

    cr_assert_eq(act_sockaddr_parse(&addr, text), 0, "parse %s", text);
    cr_assert_eq(act_socket_open(l, fx_sched(), act_sockaddr_family(&addr), SOCK_STREAM), 0);
    cr_assert_eq(act_socket_bind(l, &addr), 0, "bind %s", text);
    cr_assert_eq(act_socket_listen(l, 0), 0);
    cr_assert_eq(act_socket_local_addr(l, at), 0);
}

void sk_bind(act_socket *s, int type, const char *text, act_sockaddr *at)
{
    act_sockaddr addr;

    cr_assert_eq(act_sockaddr_parse(&addr, text), 0, "parse %s", text);
    cr_assert_eq(act_socket_open(s, fx_sched(), act_sockaddr_family(&addr), type), 0);
    cr_assert_eq(act_socket_bind(s, &addr), 0, "bind %s", text);
    cr_assert_eq(act_socket_local_addr(s, at), 0);
}

void sk_pair(act_socket *client, act_socket *server, const char *text)
{
    act_socket l;
    act_sockaddr at;
    sk_obj co, ao;

    sk_listen(&l, text, &at);
    cr_assert_eq(act_socket_open(client, fx_sched(), act_sockaddr_family(&at), SOCK_STREAM), 0);
    sk_obj_init(&co, client, SK_CONNECT);
    sk_obj_init(&ao, &l, SK_ACCEPT);
    act_socket_accept(&l, server, act_object_status(&ao.base));
    act_set_active(&ao.base);
    act_socket_connect(client, &at, act_object_status(&co.base));
    act_set_active(&co.base);
    io_run_until(&co.runs, 1);
    io_run_until(&ao.runs, 1);
    cr_assert_eq(co.last, 0, "connect: %s", act_strerror(co.last));
    cr_assert_eq(ao.last, 0, "accept: %s", act_strerror(ao.last));
    act_object_deque(&co.base);
    act_object_deque(&ao.base);
    act_socket_close(&l);
}

bool sk_have_ipv6(void)
{
    act_socket s;
    act_sockaddr addr;
    int rc;

    act_sockaddr_parse(&addr, "[::1]:0");
    if (act_socket_open(&s, fx_sched(), AF_INET6, SOCK_STREAM) < 0)
        return false;
    rc = act_socket_bind(&s, &addr);
    act_socket_close(&s);
    return rc == 0;
}

bool sk_raise_nofile(long n)
{
    struct rlimit rl;

    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)n) {
        rl.rlim_cur = (rlim_t)n;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
            rl.rlim_max = (rlim_t)n; /* allowed with CAP_SYS_RESOURCE only */
        return setrlimit(RLIMIT_NOFILE, &rl) == 0;
    }
    return true;
}

void sk_pattern(unsigned char *buf, size_t len, uint32_t seed, size_t off)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t x = (uint32_t)(off + i) * 2654435761u ^ seed * 40503u;
        buf[i] = (unsigned char)(x >> 13 ^ x >> 24);
    }
}
