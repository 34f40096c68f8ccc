/*
 * act_socket: sockets as a wrapper over the byte-stream engine (stream.h),
 * as act_pipe is.  The engine owns readiness, the request slots, cancel,
 * -EBUSY and late data; this file owns the descriptor, the argument checks
 * and the socket steps (connect, accept, sendto, recvfrom), which reach the
 * engine as a table, through this file's ready function (ACT__WATCH_SOCKET).
 *
 * Invariants:
 *  - the read slot holds a recv, recv_full, recvfrom or accept; the write
 *    slot a send, sendto or connect; which one is told by the slot's step
 *    id (act__stream_step_id()); rd_arg and to hold what an outstanding
 *    accept, recvfrom or sendto needs besides its slot;
 *  - while a stream socket's connect is outstanding its read slot is idle,
 *    so the connect's error cannot be taken by a read: NOTE 1;
 *  - a thread with a listening socket open holds one reserve descriptor
 *    (reserve.c); SOCK_LISTENING marks the sockets that count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <active/socket.h>

#include "reserve.h"
#include "stream.h"

/* act__stream bits of ours (ACT__STREAM_WRAPPER) */
#define SOCK_DATAGRAM 0x2000u  /* SOCK_DGRAM: message boundaries, no recv_full */
#define SOCK_LISTENING 0x4000u /* listen() succeeded: holds the reserve */

static bool is_datagram(const act__stream *st)
{
    return (st->watch.owner & SOCK_DATAGRAM) != 0;
}

/* ---- the socket steps -------------------------------------------------- */

/*
 * Take a TCP socket back from a handshake (NOTE 3): connect(AF_UNSPEC)
 * disconnects it, resetting a connection the kernel already completed, and
 * leaves ECONNRESET pending, which reading SO_ERROR clears.
 */
static void abort_connect(int fd)
{
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    int err;
    socklen_t len = sizeof err;

    if (connect(fd, &unspec, sizeof unspec) < 0)
        (void)shutdown(fd, SHUT_RDWR); /* also disconnects a socket in SYN_SENT */
    (void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

/* Readiness on a connecting socket: SO_ERROR says how the handshake ended (failed: NOTE 3). */
static int connect_step(act__stream *st, act__stream_req *rq)
{
    int err = 0;
    socklen_t len = sizeof err;

    (void)rq;
    if (getsockopt(st->watch.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    if (err != 0) /* else the next connect(2) fails with ECONNABORTED */
        abort_connect(st->watch.fd);
    return -err;
}

/* accept(2) errors that are the waiting connection's, not the listener's. */
static bool skip_connection(int err)
{
    return err == EINTR || err == ECONNABORTED || err == EPROTO || err == ENETDOWN
           || err == ENOPROTOOPT || err == EHOSTDOWN || err == ENONET
           || err == EHOSTUNREACH || err == ENETUNREACH;
}

static act_socket *socket_of(act__stream *st)
{
    return ACT_CONTAINER_OF(st, act_socket, stream);
}

static int accept_step(act__stream *st, act__stream_req *rq)
{
    act_socket *conn = socket_of(st)->rd_arg.conn;
    int fd;

    (void)rq;
    do
        fd = accept4(st->watch.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (fd < 0 && skip_connection(errno)); /* each failure used up one connection */
    if (fd < 0) {
        int err = errno;
        if (act__would_block(err))
            return ACT_PENDING;
        if ((err == EMFILE || err == ENFILE) && !act__reserve_shed(st->watch.fd))
            return ACT_PENDING; /* NOTE 2: nothing to report or shed yet */
        return -err;
    }
    act__stream_adopt(&conn->stream, st->watch.sched, fd, ACT__WATCH_SOCKET);
    return 0;
}

/* Whether @fd polls writable now: for a sendto that would block (NOTE 5). */
static bool writable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };

    return poll(&p, 1, 0) > 0 && (p.revents & POLLOUT) != 0;
}

static ssize_t sendto_once(act__stream *st, const act__stream_req *rq)
{
    const act_sockaddr *to = socket_of(st)->to;
    ssize_t n;

    do
        n = sendto(st->watch.fd, rq->buf.out, rq->len, MSG_NOSIGNAL, &to->u.sa, to->len);
    while (n < 0 && errno == EINTR);
    return n;
}

static int sendto_step(act__stream *st, act__stream_req *rq)
{
    ssize_t n = sendto_once(st, rq);

    if (n < 0 && act__would_block(errno)) {
        if (!writable(st->watch.fd))
            return ACT_PENDING; /* a full send buffer: EPOLLOUT comes */
        n = sendto_once(st, rq); /* room came between the two calls, or never will: NOTE 5 */
        if (n < 0 && act__would_block(errno))
            return -EAGAIN;
    }
    if (n < 0)
        return -errno;
    rq->done = (uint32_t)n;
    return (int)n;
}

static int recvfrom_step(act__stream *st, act__stream_req *rq)
{
    act_sockaddr *from = socket_of(st)->rd_arg.from;
    socklen_t len = sizeof from->u;
    ssize_t n;

    do
        n = recvfrom(st->watch.fd, rq->buf.in, rq->len, 0, &from->u.sa, &len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int rc = act__stream_read_failed(st, 0);

        if (rc == 0) /* shut for reading, nothing left: no sender (NOTE 5 of stream.c) */
            *from = (act_sockaddr){ .len = 0 };
        return rc;
    }
    from->len = len;
    if (len < sizeof(sa_family_t)) { /* an unbound Unix sender: the unnamed address */
        from->u.sa.sa_family = AF_UNIX;
        from->len = sizeof(sa_family_t);
    }
    rq->done = (uint32_t)n;
    return (int)n;
}

/* The socket's steps, after the engine's (stream.h): their ids. */
enum { STEP_CONNECT = ACT__STEP_WRAPPER, STEP_ACCEPT, STEP_SENDTO, STEP_RECVFROM };
_Static_assert(STEP_RECVFROM <= ACT__STREAM_STEP_MAX, "a step id has three bits");
_Static_assert(((SOCK_DATAGRAM | SOCK_LISTENING) & ~ACT__STREAM_WRAPPER) == 0, "our bits");

static act__stream_step *const steps[] = { connect_step, accept_step, sendto_step, recvfrom_step };

/* The ready function of ACT__WATCH_SOCKET. */
void act__socket_on_ready(act__watch *w, uint32_t revents)
{
    act__stream_ready(ACT_CONTAINER_OF(w, act__stream, watch), revents, steps);
}

static bool connecting(const act__stream *st)
{
    return st->wr.status != NULL && act__stream_step_id(st, &st->wr) == STEP_CONNECT;
}

/* ---- open, close and the synchronous calls ----------------------------- */

int act_socket_open(act_socket *sock, act_sched *s, int family, int type)
{
    int fd;

    act__stream_clear(&sock->stream);
    if (s == NULL || (type != SOCK_STREAM && type != SOCK_DGRAM))
        return -EINVAL;
    if (family != AF_INET && family != AF_INET6 && family != AF_UNIX)
        return -EAFNOSUPPORT;
    fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    act__stream_adopt(&sock->stream, s, fd, ACT__WATCH_SOCKET);
    if (type == SOCK_DGRAM)
        sock->stream.watch.owner |= SOCK_DATAGRAM;
    return 0;
}

void act_socket_close(act_socket *sock)
{
    bool listening = (sock->stream.watch.owner & SOCK_LISTENING) != 0;
    int fd = act__stream_fini(&sock->stream);

    if (fd < 0)
        return;
    close(fd);
    if (listening)
        act__reserve_release();
}

int act_socket_fd(const act_socket *sock)
{
    return act__stream_fd(&sock->stream);
}

int act_socket_bind(act_socket *sock, const act_sockaddr *addr)
{
    if (!act__stream_is_open(&sock->stream))
        return -EBADF;
    if (addr == NULL || addr->len == 0)
        return -EINVAL;
    return bind(sock->stream.watch.fd, &addr->u.sa, addr->len) < 0 ? -errno : 0;
}

int act_socket_listen(act_socket *sock, int backlog)
{
    act__stream *st = &sock->stream;
    int rc;

    if (!act__stream_is_open(st))
        return -EBADF;
    if (is_datagram(st))
        return -EOPNOTSUPP;
    if ((st->watch.owner & SOCK_LISTENING) == 0) {
        rc = act__reserve_hold();
        if (rc < 0)
            return rc;
    }
    /* the kernel caps the backlog at net.core.somaxconn */
    if (listen(st->watch.fd, backlog <= 0 ? INT_MAX : backlog) < 0) {
        rc = -errno;
        if ((st->watch.owner & SOCK_LISTENING) == 0)
            act__reserve_release();
        return rc;
    }
    st->watch.owner |= SOCK_LISTENING;
    return 0;
}

static int set_int(int fd, int level, int name, int value)
{
    if (setsockopt(fd, level, name, &value, sizeof value) == 0)
        return 0;
    return errno == ENOPROTOOPT ? -EOPNOTSUPP : -errno;
}

int act_socket_set_option(act_socket *sock, int option, int value)
{
    int fd = act__stream_fd(&sock->stream);
    int rc;

    if (fd < 0)
        return -EBADF;
    if (value < 0)
        return -EINVAL;
    switch (option) {
    case ACT_SOCKET_REUSEADDR:
        return set_int(fd, SOL_SOCKET, SO_REUSEADDR, value != 0);
    case ACT_SOCKET_NODELAY:
        return set_int(fd, IPPROTO_TCP, TCP_NODELAY, value != 0);
    case ACT_SOCKET_KEEPALIVE:
        /* the idle time first: a socket that has none (UDP, Unix) is left as it was */
        rc = value > 0 ? set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, value) : 0;
        return rc < 0 ? rc : set_int(fd, SOL_SOCKET, SO_KEEPALIVE, value != 0);
    default:
        return -EINVAL;
    }
}

/* getsockname() or getpeername() into @addr, emptied on failure. */
static int sock_name(const act_socket *sock, act_sockaddr *addr, bool peer)
{
    socklen_t len;
    int rc;

    if (addr == NULL)
        return -EINVAL;
    *addr = (act_sockaddr){ .len = 0 };
    if (!act__stream_is_open(&sock->stream))
        return -EBADF;
    if (peer && connecting(&sock->stream))
        return -ENOTCONN;
    len = sizeof addr->u;
    rc = peer ? getpeername(sock->stream.watch.fd, &addr->u.sa, &len)
              : getsockname(sock->stream.watch.fd, &addr->u.sa, &len);
    if (rc < 0)
        return -errno;
    addr->len = len;
    return 0;
}

int act_socket_local_addr(const act_socket *sock, act_sockaddr *addr)
{
    return sock_name(sock, addr, false);
}

int act_socket_peer_addr(const act_socket *sock, act_sockaddr *addr)
{
    return sock_name(sock, addr, true);
}

/* ---- requests ---------------------------------------------------------- */

void act_socket_connect(act_socket *sock, const act_sockaddr *addr, act_status *st)
{
    act__stream *s = &sock->stream;
    int err = 0;

    if (addr == NULL || addr->len == 0)
        err = -EINVAL;
    else if (!is_datagram(s) && s->rd.status != NULL)
        err = -EBUSY; /* NOTE 1 */
    if (!act__stream_accept(s, &s->wr, st, err))
        return;
    if (connect(s->watch.fd, &addr->u.sa, addr->len) == 0) {
        act__stream_complete(&s->wr, 0);
        return;
    }
    if (errno != EINPROGRESS && errno != EINTR) { /* EINTR: it goes on, as EINPROGRESS */
        act__stream_complete(&s->wr, -errno);
        return;
    }
    act__stream_set_step(s, &s->wr, STEP_CONNECT);
    s->wr.len = 0;
    act__stream_start(s, &s->wr, NULL);
    if (s->wr.status == NULL) /* completed: the descriptor could not be watched (NOTE 3) */
        abort_connect(s->watch.fd);
}

void act_socket_accept(act_socket *sock, act_socket *conn, act_status *st)
{
    act__stream *s = &sock->stream;
    int err = 0;

    if (conn == NULL || conn == sock)
        err = -EINVAL;
    else if (act__stream_is_open(s) && (s->watch.owner & SOCK_LISTENING) == 0)
        err = -EINVAL;
    if (!act__stream_accept(s, &s->rd, st, err))
        return;
    act__stream_clear(&conn->stream);
    act__stream_set_step(s, &s->rd, STEP_ACCEPT);
    s->rd.len = 0;
    sock->rd_arg.conn = conn;
    act__stream_start(s, &s->rd, accept_step); /* NOTE 4 */
}

static int write_check(const void *buf, size_t len)
{
    return (buf == NULL && len > 0) || len > INT_MAX ? -EINVAL : 0;
}

/* A buffer of 1 to INT_MAX bytes: the usual case, tested in one expression. */
static bool usual(const void *buf, size_t len)
{
    return buf != NULL && len - 1 < (size_t)INT_MAX;
}

/* A send of nothing, with a NULL buffer, or of more than INT_MAX bytes. */
static void send_unusual(act__stream *s, const void *buf, size_t len, act_status *st)
{
    if (!act__stream_accept(s, &s->wr, st, write_check(buf, len)))
        return;
    if (len == 0 && !is_datagram(s))
        act__stream_complete(&s->wr, 0);
    else
        act__stream_start_write(s, buf, len); /* an empty datagram is one too */
}

/* The usual case takes its own path (as in pipe.c): no test for an error it cannot have. */
void act_socket_send(act_socket *sock, const void *buf, size_t len, act_status *st)
{
    act__stream *s = &sock->stream;

    if (!usual(buf, len))
        send_unusual(s, buf, len, st);
    else if (act__stream_accept(s, &s->wr, st, 0))
        act__stream_start_write(s, buf, len);
}

void act_socket_sendto(act_socket *sock, const void *buf, size_t len,
                       const act_sockaddr *to, act_status *st)
{
    act__stream *s = &sock->stream;
    int err = write_check(buf, len);

    if (err == 0 && (to == NULL || to->len == 0))
        err = -EINVAL;
    if (err == 0 && act__stream_is_open(s) && !is_datagram(s))
        err = -EOPNOTSUPP;
    if (!act__stream_accept(s, &s->wr, st, err))
        return;
    act__stream_set_step(s, &s->wr, STEP_SENDTO);
    s->wr.buf.out = buf;
    s->wr.len = (uint32_t)len;
    sock->to = to;
    act__stream_start(s, &s->wr, sendto_step);
}

/* Checks shared by recv and recv_full; @len 0 is the caller's to judge. */
static int read_check(const act__stream *s, const void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return -EINVAL;
    return connecting(s) ? -ENOTCONN : 0;
}

void act_socket_recv(act_socket *sock, void *buf, size_t len, act_status *st)
{
    act__stream *s = &sock->stream;
    int err = len == 0 ? -EINVAL : read_check(s, buf, len);

    if (!act__stream_accept(s, &s->rd, st, err))
        return;
    act__stream_start_read(s, buf, len > INT_MAX ? (size_t)INT_MAX : len, false);
}

/*
 * A recv_full of nothing, with a NULL buffer or more than INT_MAX bytes, on
 * a datagram socket, or while a connect is outstanding.
 */
static void recv_full_unusual(act__stream *s, void *buf, size_t len, act_status *st)
{
    int err = len > INT_MAX ? -EINVAL : read_check(s, buf, len);

    if (err == 0 && act__stream_is_open(s) && is_datagram(s))
        err = -EOPNOTSUPP;
    if (!act__stream_accept(s, &s->rd, st, err))
        return;
    if (len == 0)
        act__stream_complete(&s->rd, 0);
    else
        act__stream_start_read(s, buf, len, true);
}

void act_socket_recv_full(act_socket *sock, void *buf, size_t len, act_status *st)
{
    act__stream *s = &sock->stream;

    if (!usual(buf, len) || is_datagram(s) || connecting(s))
        recv_full_unusual(s, buf, len, st);
    else if (act__stream_accept(s, &s->rd, st, 0))
        act__stream_start_read(s, buf, len, true);
}

void act_socket_recvfrom(act_socket *sock, void *buf, size_t len, act_sockaddr *from, act_status *st)
{
    act__stream *s = &sock->stream;
    int err = 0;

    if (buf == NULL || len == 0 || from == NULL)
        err = -EINVAL;
    else if (act__stream_is_open(s) && !is_datagram(s))
        err = -EOPNOTSUPP;
    if (!act__stream_accept(s, &s->rd, st, err))
        return;
    act__stream_set_step(s, &s->rd, STEP_RECVFROM);
    s->rd.buf.in = buf;
    s->rd.len = len > INT_MAX ? (uint32_t)INT_MAX : (uint32_t)len;
    sock->rd_arg.from = from;
    act__stream_start(s, &s->rd, NULL);
}

void act_socket_shutdown(act_socket *sock, int how, act_status *st)
{
    act__stream *s = &sock->stream;
    act_sockaddr peer;
    int result = 0;

    if (!act__status_issue(st))
        return;
    if (!act__stream_is_open(s))
        result = -EBADF;
    else if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        result = -EINVAL;
    else if (connecting(s) || (how != SHUT_RD && s->wr.status != NULL))
        result = -EBUSY; /* the end of the stream never cuts a send short */
    else if (!is_datagram(s) && ((s->watch.owner & SOCK_LISTENING) || sock_name(sock, &peer, true) == -ENOTCONN))
        result = -ENOTCONN; /* Linux would shut it all the same: for its next connect, or stop listening */
    else if (shutdown(s->watch.fd, how) < 0)
        result = -errno;
    act_complete(st, result);
}

/* ---- cancel ------------------------------------------------------------ */

void act_socket_cancel_connect(act_socket *sock)
{
    act__stream *s = &sock->stream;

    if (!connecting(s))
        return;
    abort_connect(s->watch.fd);
    act__stream_cancel(&s->wr);
}

void act_socket_cancel_accept(act_socket *sock)
{
    if (act__stream_step_id(&sock->stream, &sock->stream.rd) == STEP_ACCEPT)
        act__stream_cancel(&sock->stream.rd); /* nothing when idle */
}

void act_socket_cancel_recv(act_socket *sock)
{
    act__stream_req *rq = &sock->stream.rd;

    if (rq->status != NULL && act__stream_step_id(&sock->stream, rq) != STEP_ACCEPT)
        act__stream_cancel(rq);
}

void act_socket_cancel_send(act_socket *sock)
{
    act__stream_req *rq = &sock->stream.wr;

    if (rq->status != NULL && act__stream_step_id(&sock->stream, rq) != STEP_CONNECT)
        act__stream_cancel(rq);
}

void act_socket_cancel_all(act_socket *sock)
{
    act_socket_cancel_connect(sock);
    act__stream_cancel(&sock->stream.wr);
    act__stream_cancel(&sock->stream.rd);
}

size_t act_socket_sent(const act_socket *sock)
{
    return sock->stream.wr.done;
}

size_t act_socket_received(const act_socket *sock)
{
    return sock->stream.rd.done;
}

/*
 * NOTE 1: a stream connect holds both directions.  A failed TCP handshake
 * leaves its error in the socket (SO_ERROR) and wakes both directions; the
 * engine serves the read slot first, and a read would take the error (as
 * recv() does), leaving connect_step a 0 that looks like success.  So a
 * recv is refused (-ENOTCONN) while the connect is outstanding, and a
 * connect is refused (-EBUSY) while a read is.  Datagram connects finish
 * inside the call, so they never meet a read.
 *
 * NOTE 2: accept at the descriptor limit.  The step sheds one waiting
 * connection through the thread's reserve descriptor and reports the error
 * (why: reserve.c, NOTE 1).  When no connection waits there is nothing to
 * shed or report, and the step keeps waiting, or an accept tried inside
 * its call (NOTE 4) would report -EMFILE for nothing, and a server
 * re-issuing it would spin on those reports.
 *
 * NOTE 3: cancelling a connect.  Closing the descriptor would abort the
 * handshake too, but act_socket must stay open (cancel is not close).
 * connect(AF_UNSPEC) is Linux's documented way to dissolve a TCP
 * association: a socket in SYN_SENT goes back to CLOSE (its SYN
 * retransmits stop), an established one is reset, and the socket can
 * connect again (a failed handshake leaves the kernel's socket "connecting"
 * too: connect_step dissolves it the same way, as act_socket_connect() does
 * one it could not watch).  The watcher may still hold EPOLLOUT; the closed
 * socket reports it, the engine drops it when idle.
 *
 * NOTE 4: why accept is tried inside its call, unlike recv.  A listener is
 * one descriptor among many in the epoll batch; an accept that waited for
 * the next report of it would take one connection per round of the ready
 * list (with 10,000 busy connections, one accept every few passes).  Tried
 * in the call, a server that re-issues its accept in run takes one
 * connection per pass.  The cost is one accept4() that fails with EAGAIN
 * when nothing waits, small beside what a connection costs; a recv has no
 * such excuse (NOTE 3 of stream.c).
 *
 * NOTE 5: a sendto that would block while the socket polls writable.  A
 * Unix datagram socket that sends to a receiver it is not connected to gets
 * EAGAIN when that receiver's queue is full (net.unix.max_dgram_qlen), and
 * the kernel has no readiness event for it: the sender polls writable (its
 * own send buffer has room) and registers no wake-up on the receiver.
 * Waiting for EPOLLOUT would then call the step on every pass, a busy loop
 * until the receiver reads.  So, as for a Unix connect to a full backlog,
 * that EAGAIN is the result (try again later); an EAGAIN while the socket
 * does not poll writable (a full send buffer, UDP's only case) waits.  The
 * poll costs one call, on the would-block path only.  A connected Unix
 * datagram socket's send is the engine's write, and the kernel wakes it when
 * its peer's queue has room.
 */
