/*
 * The byte-stream request engine (see stream.h for its internal API and
 * doc/pipes.md for the model).
 *
 * Invariants:
 *  - a slot's step runs only while the slot holds a request (status != NULL),
 *    so bytes are read only into the buffer of a pending read: NOTE 1;
 *  - the epoll interest of a direction is added when a request of that
 *    direction must wait, and removed only when a readiness event finds the
 *    direction idle, so it never changes while requests keep being re-issued:
 *    NOTE 2;
 *  - a read never completes inside its issuing call; a write is tried inside
 *    its issuing call and completes there when every byte went out: NOTE 3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../port/posix/watch.h"
#include "stream.h"

/* ---- the I/O primitives --------------------------------------------- */

static ssize_t fd_read(act__stream *st, void *buf, size_t len)
{
    ssize_t n;

    do
        n = read(st->watch.fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

static ssize_t fd_write(act__stream *st, const void *buf, size_t len)
{
    ssize_t n;

    do
        n = write(st->watch.fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

/*
 * The thread's SIGPIPE block: taken by the first writable FIFO opened on the
 * thread, given back by the last one closed (NOTE 4).
 */
static _Thread_local struct {
    unsigned users;   /* writable FIFO streams open on this thread */
    bool was_blocked; /* SIGPIPE was already blocked before the first */
} sigpipe;

static void sigpipe_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGPIPE);
}

static void sigpipe_hold(void)
{
    sigset_t set, old;

    if (sigpipe.users++ > 0)
        return;
    sigpipe_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    sigpipe.was_blocked = sigismember(&old, SIGPIPE) == 1;
}

static void sigpipe_release(void)
{
    sigset_t set;

    if (sigpipe.users == 0 || --sigpipe.users > 0 || sigpipe.was_blocked)
        return;
    sigpipe_set(&set);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* The EPIPE we just got raised a SIGPIPE for this thread, blocked: take it. */
static void sigpipe_consume(void)
{
    static const struct timespec zero = { 0, 0 };
    sigset_t set;
    int saved = errno;

    sigpipe_set(&set);
    while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
        continue;
    errno = saved;
}

static ssize_t fifo_write(act__stream *st, const void *buf, size_t len)
{
    ssize_t n = fd_write(st, buf, len);

    if (n < 0 && errno == EPIPE)
        sigpipe_consume();
    return n;
}

static ssize_t sock_write(act__stream *st, const void *buf, size_t len)
{
    ssize_t n;

    do
        n = send(st->watch.fd, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

const struct act__stream_ops act__stream_fd_ops = { fd_read, fd_write };
const struct act__stream_ops act__stream_fifo_ops = { fd_read, fifo_write };
const struct act__stream_ops act__stream_sock_ops = { fd_read, sock_write };

/* ---- the byte steps ---------------------------------------------------- */

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

int act__stream_read_some(act__stream *st, act__stream_req *rq)
{
    ssize_t n = st->ops->read(st, rq->buf.in, rq->len);

    if (n < 0)
        return would_block(errno) ? ACT_PENDING : -errno;
    rq->done = (size_t)n;
    return (int)n;
}

/*
 * One read a readiness event.  A short read means the kernel had no more at
 * that moment: with level-triggered interest the next pass reports any bytes
 * that came since, so trying again now would only cost an EAGAIN.
 */
int act__stream_read_full(act__stream *st, act__stream_req *rq)
{
    ssize_t n = st->ops->read(st, (char *)rq->buf.in + rq->done, rq->len - rq->done);

    if (n < 0)
        return would_block(errno) ? ACT_PENDING : -errno;
    if (n == 0)
        return (int)rq->done;
    rq->done += (size_t)n;
    return rq->done == rq->len ? (int)rq->done : ACT_PENDING;
}

/* As read_full: a short write means the descriptor is full for now. */
int act__stream_write_all(act__stream *st, act__stream_req *rq)
{
    ssize_t n = st->ops->write(st, (const char *)rq->buf.out + rq->done, rq->len - rq->done);

    if (n < 0)
        return would_block(errno) ? ACT_PENDING : -errno;
    rq->done += (size_t)n;
    return rq->done == rq->len ? (int)rq->done : ACT_PENDING;
}

/* ---- readiness --------------------------------------------------------- */

static uint32_t direction(const act__stream *st, const act__stream_req *rq)
{
    return rq == &st->rd ? (uint32_t)EPOLLIN : (uint32_t)EPOLLOUT;
}

static uint32_t idle_flag(uint32_t dir)
{
    return dir == EPOLLIN ? ACT__STREAM_IDLE_IN : ACT__STREAM_IDLE_OUT;
}

/*
 * Of the directions in @idle (reported ready with no request), those found
 * idle twice in a row, with no request issued between: NOTE 2.
 */
static uint32_t second_strike(act__stream *st, uint32_t idle)
{
    uint32_t drop = 0;

    for (uint32_t dir = EPOLLIN; dir != 0; dir = dir == EPOLLIN ? (uint32_t)EPOLLOUT : 0) {
        if ((idle & dir) == 0)
            continue;
        if (st->flags & idle_flag(dir)) {
            drop |= dir;
            st->flags &= ~idle_flag(dir);
        } else {
            st->flags |= idle_flag(dir);
        }
    }
    return drop;
}

void act__stream_complete(act__stream_req *rq, int result)
{
    act_status *status = rq->status;

    rq->status = NULL;
    rq->buf.in = NULL;
    rq->aux = NULL;
    act_complete(status, result);
}

/* Run @rq's step on readiness.  Returns false when the direction is idle. */
static bool serve(act__stream *st, act__stream_req *rq)
{
    int result;

    if (rq->status == NULL)
        return false;
    result = rq->step(st, rq);
    if (result != ACT_PENDING)
        act__stream_complete(rq, result);
    return true;
}

/*
 * The watcher callback.  Errors and hang-ups go to both directions: a read
 * then sees end of file or the error, a write EPIPE or the error.  A
 * direction found idle leaves the interest (NOTE 2); with both gone the
 * descriptor leaves the epoll set, so a hang-up cannot spin the loop.
 */
static void on_ready(act__watch *w, uint32_t revents)
{
    act__stream *st = ACT_CONTAINER_OF(w, act__stream, watch);
    uint32_t idle = 0;
    uint32_t want;

    if ((revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0 && !serve(st, &st->rd))
        idle |= EPOLLIN;
    if ((revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0 && !serve(st, &st->wr))
        idle |= EPOLLOUT;
    idle = second_strike(st, idle);
    if (idle == 0)
        return;
    want = w->events & ~idle;
    if ((want & (EPOLLIN | EPOLLOUT)) == 0)
        want = 0;
    (void)act__watch_set(w, want); /* a failed narrowing costs one more wake-up */
}

/* ---- requests ---------------------------------------------------------- */

bool act__stream_accept(act__stream *st, act__stream_req *rq, act_status *status, int err)
{
    if (!act__status_issue(status))
        return false;
    if (err == 0 && st->watch.fd < 0)
        err = -EBADF;
    if (err == 0 && rq->status != NULL)
        err = -EBUSY;
    if (err < 0) {
        act_complete(status, err);
        return false;
    }
    rq->status = status;
    rq->done = 0;
    return true;
}

void act__stream_start(act__stream *st, act__stream_req *rq, bool now)
{
    int rc;

    st->flags &= ~idle_flag(direction(st, rq)); /* a request came before a second strike */
    if (now && serve(st, rq) && rq->status == NULL)
        return;
    rc = act__watch_set(&st->watch, st->watch.events | direction(st, rq));
    if (rc < 0)
        act__stream_complete(rq, rc);
}

void act__stream_start_read(act__stream *st, void *buf, size_t len, bool full)
{
    st->rd.step = full ? act__stream_read_full : act__stream_read_some;
    st->rd.buf.in = buf;
    st->rd.len = len > INT_MAX ? INT_MAX : len;
    act__stream_start(st, &st->rd, false);
}

void act__stream_start_write(act__stream *st, const void *buf, size_t len)
{
    st->wr.step = act__stream_write_all;
    st->wr.buf.out = buf;
    st->wr.len = len;
    act__stream_start(st, &st->wr, true);
}

void act__stream_cancel(act__stream_req *rq)
{
    if (rq->status != NULL)
        act__stream_complete(rq, -ECANCELED);
}

/* ---- open and close ---------------------------------------------------- */

/* What epoll cannot watch, by type; other types are checked by probe(). */
static int check_type(mode_t mode)
{
    if (S_ISDIR(mode))
        return -EISDIR;
    if (S_ISREG(mode) || S_ISBLK(mode))
        return -EPERM;
    return 0;
}

/* Register once and leave: epoll refuses some character devices (/dev/null). */
static int probe(act__stream *st)
{
    int rc = act__watch_set(&st->watch, (st->flags & ACT__STREAM_IN) ? EPOLLIN : EPOLLOUT);

    if (rc == 0)
        rc = act__watch_set(&st->watch, 0);
    return rc;
}

static uint32_t access_flags(int fl)
{
    switch (fl & O_ACCMODE) {
    case O_RDONLY:
        return ACT__STREAM_IN;
    case O_WRONLY:
        return ACT__STREAM_OUT;
    default:
        return ACT__STREAM_IN | ACT__STREAM_OUT;
    }
}

void act__stream_clear(act__stream *st)
{
    st->watch.fd = -1;
    st->watch.events = 0;
    st->ops = NULL;
    st->rd = (act__stream_req){ 0 };
    st->wr = (act__stream_req){ 0 };
    st->flags = 0;
}

int act__stream_init(act__stream *st, act_sched *s, int fd)
{
    struct stat sb;
    int fl, rc;

    act__stream_clear(st);
    if (s == NULL)
        return -EINVAL;
    if (fd < 0)
        return -EBADF;
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fstat(fd, &sb) < 0)
        return -errno;
    if (fl & O_PATH)
        return -EBADF;
    rc = check_type(sb.st_mode);
    if (rc < 0)
        return rc;
    act__watch_init(&st->watch, s, fd, on_ready);
    st->flags = access_flags(fl);
    rc = S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) ? 0 : probe(st);
    if (rc == 0 && (fl & O_NONBLOCK) == 0)
        rc = fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
    if (rc < 0) {
        act__stream_clear(st);
        return rc;
    }
    st->flags |= (fl & O_NONBLOCK) == 0 ? ACT__STREAM_RESTORE : 0;
    st->ops = S_ISSOCK(sb.st_mode) ? &act__stream_sock_ops
              : S_ISFIFO(sb.st_mode) ? &act__stream_fifo_ops : &act__stream_fd_ops;
    if (S_ISFIFO(sb.st_mode) && (st->flags & ACT__STREAM_OUT)) {
        sigpipe_hold();
        st->flags |= ACT__STREAM_SIGPIPE;
    }
    return 0;
}

void act__stream_adopt(act__stream *st, act_sched *s, int fd, const struct act__stream_ops *ops)
{
    act__stream_clear(st);
    act__watch_init(&st->watch, s, fd, on_ready);
    st->ops = ops;
    st->flags = ACT__STREAM_IN | ACT__STREAM_OUT;
}

int act__stream_fini(act__stream *st)
{
    int fd = st->watch.fd;
    int fl;

    if (fd < 0)
        return -EBADF;
    act__stream_cancel(&st->rd);
    act__stream_cancel(&st->wr);
    (void)act__watch_set(&st->watch, 0); /* fails only for an fd closed behind our back */
    if (st->flags & ACT__STREAM_RESTORE) {
        fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    if (st->flags & ACT__STREAM_SIGPIPE)
        sigpipe_release();
    act__stream_clear(st);
    return fd;
}

/*
 * NOTE 1: late data.  The kernel is the only buffer: the engine reads a
 * descriptor only from a pending read's step, straight into that request's
 * buffer, on the scheduler's thread.  Cancel empties the slot before it
 * completes the status, and the watcher callback checks the slot, so after a
 * cancel nothing reads into the old buffer, and bytes that arrive later stay
 * in the kernel for the next read.  A cancel that races an arrival therefore
 * has exactly two outcomes: a pass of the port ran the step first (the read
 * completed with its bytes; act_cancel() then finds it done and keeps the
 * count), or it did not (-ECANCELED, the bytes are still in the kernel).
 * read_full can have moved part of its bytes before a cancel: they are in the
 * buffer, counted by rq->done (act_pipe_received()), and never read again.
 *
 * NOTE 2: why level-triggered interest that changes only when a direction is
 * found idle.  A ping-pong must cost what a bare epoll loop costs: epoll_wait,
 * read, write per side, and no epoll_ctl.  Here a completed read leaves
 * EPOLLIN registered; the owner's run re-issues the read before the next
 * epoll_wait, so the interest never changes in steady state.  Only when
 * epoll reports a direction that has no request (the owner stopped reading,
 * or a write finished and the pipe stays writable) twice in a row, with no
 * request issued in between, is that direction dropped, once, so
 * level-triggering cannot spin.  Why twice: an owner that alternates
 * directions on one object (an echo: recv, send, recv) has its send complete
 * inside the call and re-issues its read only in the run of the next pass,
 * which polls first; a stream that keeps arriving is reported readable in
 * that gap.  Dropping at the first report cost a DEL and an ADD per echoed
 * chunk (two thirds of the system calls of a streaming echo server); the
 * second strike costs at most one more wake-up when the owner really
 * stopped.  Edge-triggering with cached
 * readiness would save that one epoll_ctl, but then a request that finds
 * cached readiness must either do its I/O inside the issuing call (sometimes
 * completing there, sometimes not: NOTE 3 wants it the same every time) or
 * be deferred with machinery the core does not have.  Level-triggering also
 * makes one read per event safe for every descriptor type: a tty in
 * canonical mode returns one line at a time, and whatever is left is
 * reported again on the next pass.
 *
 * NOTE 3: where requests complete.  A read always completes on a later pass
 * of the scheduler, never inside act_pipe_read(): knowing whether bytes are
 * already there would cost a read(2) that usually fails with EAGAIN (the
 * poll that follows reports them anyway), a 4th system call per ping-pong
 * side.  A write is always tried inside act_pipe_write() (a bare loop writes
 * at once too) and completes there when every byte fitted; otherwise the
 * rest goes out on later passes.  Both rules hold every time, so an owner can
 * rely on them; run is never called from inside the issuing call either way.
 *
 * NOTE 4: EPIPE without SIGPIPE, at no cost per write.  Sockets use
 * send(MSG_NOSIGNAL).  write(2) on a pipe has no such flag, so the thread
 * that serves a writable FIFO keeps SIGPIPE blocked while one is open (one
 * pthread_sigmask at the first open, one at the last close; nothing per
 * write).  The kernel then queues the SIGPIPE of a failed write on the thread
 * instead of killing the process, and the EPIPE path (only that path) takes
 * it back with a zero-timeout sigtimedwait().  What this changes for the user
 * is written in pipe.h and doc/pipes.md: the thread's mask while pipes are
 * open, inherited by threads and exec'd children created meanwhile.
 */
