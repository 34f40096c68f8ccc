/*
 * echo-client HOST:PORT [--timeout SECONDS]
 *
 * Connects to an echo server (numeric address: 127.0.0.1:7, [::1]:7, a
 * Unix path), sends what it reads on stdin and prints what comes back on
 * stdout.  --timeout cancels a connect that takes longer (exit status 1).
 * At the end of stdin it shuts down its sending side and prints the rest
 * of the echo until the server closes.  Three active objects on one
 * scheduler: the connect (then stdin -> socket), socket -> stdout, and the
 * connect timeout.
 */
#include <active.h>
#include <active/pipe.h>
#include <active/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct client {
    act_object up;          /* connect, then: read stdin, send it, again */
    act_object down;        /* recv, write it to stdout, again */
    act_object deadline;    /* the connect timeout */
    act_timer timer;
    act_socket sock;
    act_pipe in;            /* stdin, when it can be polled */
    bool in_polled;         /* false: a regular file, read directly */
    bool connected, sending, in_done;
    const char *target;
    double timeout;
    int status;             /* the exit status */
    unsigned char up_buf[16384], down_buf[16384];
};

static void finish(struct client *c, int status)
{
    c->status = status;
    act_sched_stop(act_sched_current());
}

/* The next chunk of stdin, into up_buf; its count completes @up. */
static void read_stdin(struct client *c)
{
    act_status *st = act_object_status(&c->up);
    ssize_t n;

    c->sending = false;
    if (c->in_polled) {
        act_pipe_read(&c->in, c->up_buf, sizeof c->up_buf, st);
    } else { /* a regular file never blocks: complete our own request */
        n = read(STDIN_FILENO, c->up_buf, sizeof c->up_buf);
        act_status_set_pending(st);
        act_complete(st, n < 0 ? -errno : (int)n);
    }
    act_set_active(&c->up);
}

static void recv_next(struct client *c)
{
    act_socket_recv(&c->sock, c->down_buf, sizeof c->down_buf, act_object_status(&c->down));
    act_set_active(&c->down);
}

static int connected(struct client *c, int result)
{
    act_cancel(&c->deadline);
    if (result < 0) {
        fprintf(stderr, "echo-client: connect to %s: %s\n", c->target, act_strerror(result));
        finish(c, 1);
        return 0;
    }
    c->connected = true;
    recv_next(c);
    read_stdin(c);
    return 0;
}

static int up_run(act_object *ao)
{
    struct client *c = ACT_CONTAINER_OF(ao, struct client, up);
    int result = act_status_result(act_object_status(ao));
    act_status st = ACT_STATUS_INIT;

    if (!c->connected)
        return connected(c, result);
    if (result < 0) {
        fprintf(stderr, "echo-client: %s: %s\n", c->sending ? "send" : "stdin", act_strerror(result));
        finish(c, 1);
    } else if (c->sending) {
        read_stdin(c);
    } else if (result == 0) { /* end of stdin: the server echoes the rest, then closes */
        c->in_done = true;
        act_socket_shutdown(&c->sock, SHUT_WR, &st);
    } else {
        c->sending = true;
        act_socket_send(&c->sock, c->up_buf, (size_t)result, act_object_status(ao));
        act_set_active(ao);
    }
    return 0;
}

static void up_cancel(act_object *ao)
{
    struct client *c = ACT_CONTAINER_OF(ao, struct client, up);

    act_socket_cancel_connect(&c->sock);
    act_socket_cancel_send(&c->sock);
    if (c->in_polled)
        act_pipe_cancel_read(&c->in);
}

static int down_run(act_object *ao)
{
    struct client *c = ACT_CONTAINER_OF(ao, struct client, down);
    int result = act_status_result(act_object_status(ao));

    if (result < 0) {
        fprintf(stderr, "echo-client: recv: %s\n", act_strerror(result));
        finish(c, 1);
        return 0;
    }
    if (result == 0) {
        if (!c->in_done)
            fprintf(stderr, "echo-client: the server closed the connection\n");
        finish(c, 0);
        return 0;
    }
    if (fwrite(c->down_buf, 1, (size_t)result, stdout) != (size_t)result || fflush(stdout) != 0) {
        finish(c, 1);
        return 0;
    }
    recv_next(c);
    return 0;
}

static void down_cancel(act_object *ao)
{
    act_socket_cancel_recv(&ACT_CONTAINER_OF(ao, struct client, down)->sock);
}

/* The connect took too long: cancel it (no half-open connection is left). */
static int deadline_run(act_object *ao)
{
    struct client *c = ACT_CONTAINER_OF(ao, struct client, deadline);

    act_cancel(&c->up);
    fprintf(stderr, "echo-client: connect to %s timed out after %g s\n", c->target, c->timeout);
    finish(c, 1);
    return 0;
}

static void deadline_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct client, deadline)->timer);
}

static int usage(void)
{
    fprintf(stderr, "usage: echo-client HOST:PORT [--timeout SECONDS]\n");
    return 2;
}

static int start(struct client *c, act_sched *s)
{
    static const act_object_ops up_ops = { up_run, up_cancel, NULL };
    static const act_object_ops down_ops = { down_run, down_cancel, NULL };
    static const act_object_ops deadline_ops = { deadline_run, deadline_cancel, NULL };
    act_sockaddr addr;
    int rc = act_sockaddr_parse(&addr, c->target);

    if (rc == 0)
        rc = act_socket_open(&c->sock, s, act_sockaddr_family(&addr), SOCK_STREAM);
    if (rc < 0) {
        fprintf(stderr, "echo-client: %s: %s\n", c->target, act_strerror(rc));
        return rc;
    }
    rc = act_pipe_open(&c->in, s, STDIN_FILENO);
    c->in_polled = rc == 0;
    if (rc < 0 && rc != -EPERM) { /* -EPERM: a regular file, read directly */
        fprintf(stderr, "echo-client: stdin: %s\n", act_strerror(rc));
        act_socket_close(&c->sock);
        return rc;
    }
    act_object_init(&c->up, &up_ops, ACT_PRIORITY_STANDARD);
    act_object_init(&c->down, &down_ops, ACT_PRIORITY_STANDARD);
    act_object_init(&c->deadline, &deadline_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(s, &c->up);
    act_sched_add(s, &c->down);
    act_sched_add(s, &c->deadline);
    act_timer_init(&c->timer, s);
    act_socket_connect(&c->sock, &addr, act_object_status(&c->up));
    act_set_active(&c->up);
    if (c->timeout > 0) {
        act_timer_after(&c->timer, act_object_status(&c->deadline), (uint64_t)(c->timeout * 1e6));
        act_set_active(&c->deadline);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct client c; /* two 16 KiB buffers: not on the stack */
    act_sched s;
    char *end = NULL;

    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--timeout") == 0))
        return usage();
    c.target = argv[1];
    /* > 0 and at most 1e6 s (also no NaN or inf): a uint64_t keeps it in usec */
    if (argc == 4 && (!((c.timeout = strtod(argv[3], &end)) > 0 && c.timeout <= 1e6) || *end != '\0'))
        return usage();
    if (act_sched_init(&s) < 0)
        return 1;
    if (start(&c, &s) < 0) { /* nothing was left open */
        act_sched_fini(&s);
        return 1;
    }
    act_sched_start(&s);       /* until finish() */
    act_object_deque(&c.up);   /* each cancels what it still has outstanding */
    act_object_deque(&c.down);
    act_object_deque(&c.deadline);
    act_timer_fini(&c.timer);
    act_socket_close(&c.sock);
    if (c.in_polled)
        act_pipe_close(&c.in); /* gives stdin its blocking mode back */
    act_sched_fini(&s);
    return c.status;
}
