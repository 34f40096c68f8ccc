/*
 * echo-server PORT [--idle-timeout SECONDS] [--backlog N]
 *
 * A TCP echo server on 127.0.0.1:PORT (0: the system picks a port; the
 * first line says which).  One thread, one scheduler; each connection is
 * one active object that alternates recv and send, plus an idle timer that
 * closes the connection by cancelling its read when the peer has been quiet
 * for SECONDS.  One line per connection event.  Ctrl-C (SIGINT) or SIGTERM
 * stops it cleanly: the signal handler fires an act_callback, whose call
 * closes every connection and stops the scheduler.
 */
#include <active.h>
#include <active/socket.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conn {
    act_object io;          /* recv, then send what came, again */
    act_object idle;        /* the idle timer's object */
    act_timer timer;
    act_socket sock;
    struct server *srv;
    struct conn *prev, *next;
    unsigned id;
    bool sending;
    unsigned long long bytes;
    char peer[ACT_SOCKADDR_STRLEN];
    unsigned char buf[16384];
};

struct server {
    act_object acceptor;    /* accepts into @pending */
    act_object pause;       /* waits a moment after running out of descriptors */
    act_timer pause_timer;
    act_socket listener;
    act_callback stop;      /* fired by the signal handler */
    act_sched *sched;
    struct conn *pending;   /* the accept's target */
    struct conn *conns;     /* open connections */
    unsigned next_id, open;
    uint64_t idle_usec;     /* 0: no idle timeout */
    bool out_of_memory;     /* stopped for want of memory: exit status 1 */
};

static struct server *the_server; /* for the signal handler only */

static void conn_close(struct conn *c, const char *why)
{
    struct server *srv = c->srv;

    printf("#%u closed: %s (%llu bytes echoed)\n", c->id, why, c->bytes);
    act_object_deque(&c->io);   /* cancels what is outstanding; fine from inside run */
    act_object_deque(&c->idle);
    act_timer_fini(&c->timer);
    act_socket_close(&c->sock);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    srv->open--;
    free(c);
}

/* (Re)start the idle timer: the peer was heard from, or we just connected. */
static void idle_restart(struct conn *c)
{
    if (c->srv->idle_usec == 0)
        return;
    act_cancel(&c->idle);
    act_timer_after(&c->timer, act_object_status(&c->idle), c->srv->idle_usec);
    act_set_active(&c->idle);
}

static void conn_recv(struct conn *c)
{
    c->sending = false;
    act_socket_recv(&c->sock, c->buf, sizeof c->buf, act_object_status(&c->io));
    act_set_active(&c->io);
}

static int io_run(act_object *ao)
{
    struct conn *c = ACT_CONTAINER_OF(ao, struct conn, io);
    int result = act_status_result(act_object_status(ao));
    char why[64];

    if (result < 0) {
        snprintf(why, sizeof why, "%s", act_strerror(result));
        conn_close(c, why);
    } else if (c->sending) {
        c->bytes += (unsigned)result;
        conn_recv(c);
    } else if (result == 0) {
        conn_close(c, "the peer finished");
    } else {
        idle_restart(c);
        c->sending = true;
        act_socket_send(&c->sock, c->buf, (size_t)result, act_object_status(ao));
        act_set_active(ao);
    }
    return 0;
}

static void io_cancel(act_object *ao)
{
    act_socket_cancel_all(&ACT_CONTAINER_OF(ao, struct conn, io)->sock);
}

/* The peer has been quiet too long: cancel the read (or send), close. */
static int idle_run(act_object *ao)
{
    struct conn *c = ACT_CONTAINER_OF(ao, struct conn, idle);
    char why[64];

    act_cancel(&c->io); /* its run is not called, whatever the result */
    if (act_status_result(act_object_status(&c->io)) != -ECANCELED)
        return io_run(&c->io); /* it completed in this pass, before the timer's run: not idle after all */
    snprintf(why, sizeof why, "idle for %.1f s, %s cancelled", (double)c->srv->idle_usec / 1e6,
             c->sending ? "send" : "read");
    conn_close(c, why);
    return 0;
}

static void idle_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct conn, idle)->timer);
}

static struct conn *conn_new(struct server *srv)
{
    static const act_object_ops io_ops = { io_run, io_cancel, NULL };
    static const act_object_ops idle_ops = { idle_run, idle_cancel, NULL };
    struct conn *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->srv = srv;
    act_object_init(&c->io, &io_ops, ACT_PRIORITY_STANDARD);
    act_object_init(&c->idle, &idle_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(srv->sched, &c->io);
    act_sched_add(srv->sched, &c->idle);
    act_timer_init(&c->timer, srv->sched);
    return c;
}

/* The next accept; false (said on stderr) when out of memory: the caller stops. */
static bool accept_next(struct server *srv)
{
    if (srv->pending == NULL)
        srv->pending = conn_new(srv);
    if (srv->pending == NULL) {
        fprintf(stderr, "echo-server: out of memory\n");
        srv->out_of_memory = true;
        return false;
    }
    act_socket_accept(&srv->listener, &srv->pending->sock, act_object_status(&srv->acceptor));
    act_set_active(&srv->acceptor);
    return true;
}

/* accept_next() from inside the loop: out of memory stops it, and main closes what is open. */
static void accept_next_or_stop(struct server *srv)
{
    if (!accept_next(srv))
        act_sched_stop(srv->sched);
}

static void conn_start(struct server *srv, struct conn *c)
{
    act_sockaddr peer;

    c->id = ++srv->next_id;
    if (act_socket_peer_addr(&c->sock, &peer) < 0 || act_sockaddr_format(&peer, c->peer, sizeof c->peer) < 0)
        snprintf(c->peer, sizeof c->peer, "?");
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    srv->open++;
    printf("#%u connected from %s (%u open)\n", c->id, c->peer, srv->open);
    idle_restart(c);
    conn_recv(c);
}

static int acceptor_run(act_object *ao)
{
    struct server *srv = ACT_CONTAINER_OF(ao, struct server, acceptor);
    int result = act_status_result(act_object_status(ao));

    if (result == 0) {
        struct conn *c = srv->pending;
        srv->pending = NULL;
        conn_start(srv, c);
    } else if (result == -EMFILE || result == -ENFILE) {
        /* one waiting connection was reset; pause, keep the rest of the backlog */
        printf("accept: %s: pausing 100 ms\n", act_strerror(result));
        act_timer_after(&srv->pause_timer, act_object_status(&srv->pause), 100000);
        act_set_active(&srv->pause);
        return 0;
    } else {
        printf("accept: %s\n", act_strerror(result));
    }
    accept_next_or_stop(srv);
    return 0;
}

static void acceptor_cancel(act_object *ao)
{
    act_socket_cancel_accept(&ACT_CONTAINER_OF(ao, struct server, acceptor)->listener);
}

static int pause_run(act_object *ao)
{
    accept_next_or_stop(ACT_CONTAINER_OF(ao, struct server, pause));
    return 0;
}

static void pause_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct server, pause)->pause_timer);
}

/* The signal's call, on the scheduler's thread: close everything, stop. */
static int stop_call(act_callback *cb)
{
    struct server *srv = ACT_CONTAINER_OF(cb, struct server, stop);

    printf("stopping: closing %u connection%s\n", srv->open, srv->open == 1 ? "" : "s");
    act_cancel(&srv->acceptor);
    act_cancel(&srv->pause);
    while (srv->conns != NULL)
        conn_close(srv->conns, "server stopping");
    act_sched_stop(srv->sched);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    act_callback_fire(&the_server->stop); /* async-signal-safe */
}

static int usage(void)
{
    fprintf(stderr, "usage: echo-server PORT [--idle-timeout SECONDS] [--backlog N]\n");
    return 2;
}

static int parse_args(int argc, char **argv, long *port, double *idle, long *backlog)
{
    char *end;

    if (argc < 2)
        return -1;
    *port = strtol(argv[1], &end, 10);
    if (*end != '\0' || *port < 0 || *port > 65535)
        return -1;
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc)
            return -1;
        if (strcmp(argv[i], "--idle-timeout") == 0)
            *idle = strtod(argv[i + 1], &end);
        else if (strcmp(argv[i], "--backlog") == 0)
            *backlog = strtol(argv[i + 1], &end, 10);
        else
            return -1;
        if (*end != '\0' || !(*idle >= 0 && *idle <= 1e6)) /* also NaN; a uint64_t keeps 1e6 s in usec */
            return -1;
    }
    return 0;
}

static int listen_on(struct server *srv, long port, long backlog)
{
    char text[ACT_SOCKADDR_STRLEN];
    act_sockaddr addr;
    int rc;

    snprintf(text, sizeof text, "127.0.0.1:%ld", port);
    act_sockaddr_parse(&addr, text);
    rc = act_socket_open(&srv->listener, srv->sched, AF_INET, SOCK_STREAM);
    if (rc == 0)
        rc = act_socket_set_option(&srv->listener, ACT_SOCKET_REUSEADDR, 1);
    if (rc == 0)
        rc = act_socket_bind(&srv->listener, &addr);
    if (rc == 0)
        rc = act_socket_listen(&srv->listener, (int)backlog);
    if (rc == 0)
        rc = act_socket_local_addr(&srv->listener, &addr);
    if (rc < 0) {
        fprintf(stderr, "echo-server: cannot listen on %s: %s\n", text, act_strerror(rc));
        return rc;
    }
    act_sockaddr_format(&addr, text, sizeof text);
    printf("listening on %s\n", text);
    return 0;
}

int main(int argc, char **argv)
{
    static const act_object_ops acceptor_ops = { acceptor_run, acceptor_cancel, NULL };
    static const act_object_ops pause_ops = { pause_run, pause_cancel, NULL };
    static struct server srv; /* static: the signal handlers, installed until exit, may fire after main returns */
    struct sigaction sa = { .sa_handler = on_signal };
    static act_sched sched; /* as srv */
    long port, backlog = 0;
    double idle = 0;

    if (parse_args(argc, argv, &port, &idle, &backlog) < 0)
        return usage();
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, even into a pipe or file */
    if (act_sched_init(&sched) < 0)
        return 1;
    srv.sched = &sched;
    srv.idle_usec = (uint64_t)(idle * 1e6);
    if (srv.idle_usec == 0 && idle > 0)
        srv.idle_usec = 1; /* a timeout under 1 us is still one, not none */
    if (listen_on(&srv, port, backlog) < 0)
        return 1;
    act_object_init(&srv.acceptor, &acceptor_ops, ACT_PRIORITY_STANDARD);
    act_object_init(&srv.pause, &pause_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&sched, &srv.acceptor);
    act_sched_add(&sched, &srv.pause);
    act_timer_init(&srv.pause_timer, &sched);
    act_callback_open(&srv.stop, &sched, stop_call, ACT_PRIORITY_HIGH);
    the_server = &srv;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (accept_next(&srv))
        act_sched_start(&sched); /* until stop_call, or out of memory */
    while (srv.conns != NULL) /* out of memory stopped it with connections open */
        conn_close(srv.conns, "server stopping");
    act_callback_close(&srv.stop);
    act_object_deque(&srv.acceptor);
    act_object_deque(&srv.pause);
    act_timer_fini(&srv.pause_timer);
    act_socket_close(&srv.listener);
    if (srv.pending != NULL) {
        act_object_deque(&srv.pending->io);
        act_object_deque(&srv.pending->idle);
        free(srv.pending);
    }
    act_sched_fini(&sched);
    printf("stopped\n");
    return srv.out_of_memory ? 1 : 0;
}
