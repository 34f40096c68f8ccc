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
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"

/* ---- the I/O primitives --------------------------------------------- */

/*
 * read(2), or recv(MSG_DONTWAIT) on a socket handed in blocking (NOTE 6);
 * never EINTR.  Always inlined, as are step_read_full() and run_step(): the
 * branch made gcc call them out of line, 32 instructions more a pipe round
 * trip.
 */
static inline __attribute__((always_inline)) ssize_t read_some(act__stream *st, void *buf, size_t len)
{
    ssize_t n;

    do
        n = (st->watch.owner & ACT__STREAM_DONTWAIT) ? recv(st->watch.fd, buf, len, MSG_DONTWAIT)
                                                      : read(st->watch.fd, buf, len);
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

/*
 * write(2), or send(MSG_NOSIGNAL | MSG_DONTWAIT) on a socket; never EINTR
 * (NOTE 4; the SIGPIPE of a FIFO is taken back by write_result).  One flag picks the
 * call, where a table of primitives would cost a word in every stream and
 * an indirect call in every write.
 */
static ssize_t write_some(act__stream *st, const void *buf, size_t len)
{
    ssize_t n;

    do
        n = (st->watch.owner & ACT__STREAM_SOCK) ? send(st->watch.fd, buf, len, ACT__STREAM_SEND_FLAGS)
                                                  : write(st->watch.fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

/* ---- the byte steps ---------------------------------------------------- */

/* Whether @st is a socket shut down for reading (one poll(2); NOTE 5). */
static bool shut_for_reading(const act__stream *st)
{
    struct pollfd p = { .fd = st->watch.fd, .events = POLLRDHUP };

    if ((st->watch.owner & ACT__STREAM_SOCK) == 0)
        return false;
    return poll(&p, 1, 0) > 0 && (p.revents & POLLRDHUP) != 0;
}

/*
 * Never inlined: inside step_read_full() it made gcc stop inlining that
 * step into act__stream_ready(), the hot path of every read.
 */
__attribute__((noinline)) int act__stream_read_failed(const act__stream *st, uint32_t done)
{
    if (!act__would_block(errno))
        return -errno;
    return shut_for_reading(st) ? (int)done : ACT_PENDING;
}

static int step_read_some(act__stream *st, act__stream_req *rq)
{
    ssize_t n = read_some(st, rq->buf.in, rq->len);

    if (n < 0)
        return act__stream_read_failed(st, 0);
    rq->done = (uint32_t)n;
    return (int)n;
}

/*
 * One read a readiness event.  A short read means the kernel had no more at
 * that moment: with level-triggered interest the next pass reports any bytes
 * that came since, so trying again now would only cost an EAGAIN.
 */
static inline __attribute__((always_inline)) int step_read_full(act__stream *st, act__stream_req *rq)
{
    ssize_t n = read_some(st, (char *)rq->buf.in + rq->done, rq->len - rq->done);

    if (n < 0)
        return act__stream_read_failed(st, rq->done);
    if (n == 0)
        return (int)rq->done;
    rq->done += (uint32_t)n;
    return rq->done == rq->len ? (int)rq->done : ACT_PENDING;
}

/* What write(2) returning @n (EINTR retried already) means for @rq. */
static int write_result(act__stream *st, act__stream_req *rq, ssize_t n)
{
    if (n < 0) {
        if (errno == EPIPE && (st->watch.owner & ACT__STREAM_SIGPIPE))
            sigpipe_consume();
        return act__would_block(errno) ? ACT_PENDING : -errno;
    }
    rq->done += (uint32_t)n;
    return rq->done == rq->len ? (int)rq->done : ACT_PENDING;
}

/* As read_full: a short write means the descriptor is full for now. */
static int step_write_all(act__stream *st, act__stream_req *rq)
{
    return write_result(st, rq, write_some(st, (const char *)rq->buf.out + rq->done, rq->len - rq->done));
}

/* The step @id of @rq: the engine's own, or the wrapper's from @steps. */
static inline __attribute__((always_inline)) int run_step(act__stream *st, act__stream_req *rq, unsigned id,
                                                         act__stream_step *const *steps)
{
    switch (id) {
    case ACT__STEP_READ_SOME:
        return step_read_some(st, rq);
    case ACT__STEP_READ_FULL:
        return step_read_full(st, rq);
    case ACT__STEP_WRITE_ALL:
        return step_write_all(st, rq);
    default:
        return steps[id - ACT__STEP_WRAPPER](st, rq);
    }
}

/* ---- readiness --------------------------------------------------------- */

static uint32_t direction(const act__stream *st, const act__stream_req *rq)
{
    return rq == &st->rd ? (uint32_t)EPOLLIN : (uint32_t)EPOLLOUT;
}

/*
 * The directions in @idle were reported ready with no request: those found
 * so twice in a row, with no request issued between, leave the interest
 * (NOTE 2); with both gone the descriptor leaves the epoll set, so a hang-up
 * cannot spin the loop.
 */
static void strike(act__stream *st, uint32_t idle)
{
    uint32_t drop = 0;
    uint32_t want;

    if (idle & EPOLLIN) {
        drop |= (st->watch.owner & ACT__STREAM_IDLE_IN) ? (uint32_t)EPOLLIN : 0u;
        st->watch.owner ^= ACT__STREAM_IDLE_IN;
    }
    if (idle & EPOLLOUT) {
        drop |= (st->watch.owner & ACT__STREAM_IDLE_OUT) ? (uint32_t)EPOLLOUT : 0u;
        st->watch.owner ^= ACT__STREAM_IDLE_OUT;
    }
    if (drop == 0)
        return;
    want = st->watch.events & ~drop;
    if ((want & (EPOLLIN | EPOLLOUT)) == 0)
        want = 0;
    (void)act__watch_set(&st->watch, want); /* a failed narrowing costs one more wake-up */
}

void act__stream_ready(act__stream *st, uint32_t revents, act__stream_step *const *steps)
{
    uint32_t idle = 0;
    int result;

    if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (st->rd.status == NULL)
            idle |= EPOLLIN;
        else if ((result = run_step(st, &st->rd, act__stream_step_id(st, &st->rd), steps))
                 != ACT_PENDING)
            act__stream_complete(&st->rd, result);
    }
    if (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        if (st->wr.status == NULL)
            idle |= EPOLLOUT;
        else if ((result = run_step(st, &st->wr, act__stream_step_id(st, &st->wr), steps))
                 != ACT_PENDING)
            act__stream_complete(&st->wr, result);
    }
    if (idle != 0)
        strike(st, idle);
}

/* The ready function of ACT__WATCH_STREAM: the engine's steps only. */
void act__stream_on_ready(act__watch *w, uint32_t revents)
{
    act__stream_ready(ACT_CONTAINER_OF(w, act__stream, watch), revents, NULL);
}

/* ---- requests ---------------------------------------------------------- */

void act__stream_in_use(act_status *status)
{
    (void)act__status_issue(status); /* which panics: the status is not free */
}

void act__stream_refuse(act__stream *st, act__stream_req *rq, act_status *status, int err)
{
    if (err == 0) /* closed, or busy: the outstanding request is untouched */
        err = act__stream_open_for(st, rq) ? -EBUSY : -EBADF;
    act_complete(status, err);
}

void act__stream_watch(act__stream *st, act__stream_req *rq, uint32_t dir)
{
    int rc = act__watch_set(&st->watch, st->watch.events | dir);

    if (rc < 0)
        act__stream_complete(rq, rc);
}

void act__stream_start(act__stream *st, act__stream_req *rq, act__stream_step *now)
{
    uint32_t dir = direction(st, rq);

    /* NOTE 2 */
    st->watch.owner &= (uint16_t)(dir == EPOLLIN ? ~ACT__STREAM_IDLE_IN : ~ACT__STREAM_IDLE_OUT);
    if (now != NULL) {
        int result = now(st, rq);
        if (result != ACT_PENDING) {
            act__stream_complete(rq, result);
            return;
        }
    }
    if ((st->watch.events & dir) == 0)
        act__stream_watch(st, rq, dir);
}

/*
 * A write tried in its call that did not go out whole at once: @n is what
 * the first write(2) returned.  EINTR tries again; a short write or EAGAIN
 * waits for readiness; an error completes the request.
 */
void act__stream_write_rest(act__stream *st, const void *buf, size_t len, ssize_t n)
{
    act__stream_req *rq = &st->wr;
    int result;

    act__stream_set_step(st, rq, ACT__STEP_WRITE_ALL);
    rq->buf.out = buf;
    rq->len = (uint32_t)len;
    result = n < 0 && errno == EINTR ? step_write_all(st, rq) : write_result(st, rq, n);
    if (result != ACT_PENDING)
        act__stream_complete(rq, result);
    else if ((st->watch.events & EPOLLOUT) == 0)
        act__stream_watch(st, rq, EPOLLOUT);
}

/* ---- open and close ---------------------------------------------------- */

/* The directions the descriptor's access mode opens. */
static uint16_t access_flags(int fl)
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
    st->rd = (act__stream_req){ 0 };
    st->wr = (act__stream_req){ 0 };
    st->watch.owner = 0;
}

/*
 * Give the tty @fd (flags @fl) an open file description of its own: the
 * same tty opened again through /proc, non-blocking, put in @fd's place
 * with @fd's close-on-exec flag (NOTE 6).  Not a pty master: opening that
 * again makes a new pty.  Returns 0, or -1 when @fd is left as it was.
 */
static int reopen_tty(int fd, int fl)
{
    char path[sizeof "/proc/thread-self/fd/" + 3 * sizeof(int)];
    int ptn, fdfl, nfd, rc;

    if (!isatty(fd) || ioctl(fd, TIOCGPTN, &ptn) == 0 || (fdfl = fcntl(fd, F_GETFD)) < 0)
        return -1;
    snprintf(path, sizeof path, "/proc/thread-self/fd/%d", fd); /* this thread's table (unshare) */
    nfd = open(path, (fl & O_ACCMODE) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (nfd < 0)
        return -1;
    if (nfd == fd) /* @fd was closed meanwhile (by another thread): the new one took its number */
        return 0;
    rc = dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0);
    close(nfd);
    return rc < 0 ? -1 : 0;
}

/*
 * Make @fd's reads and writes non-blocking (NOTE 6): 0 or -errno.  A tty is
 * opened again even when already non-blocking: its description may be one
 * an open act_pipe gave the descriptor that @fd is a dup() of.
 */
static int make_nonblocking(int fd, int fl, unsigned mode)
{
    if (S_ISSOCK(mode))
        return 0; /* a socket's calls pass MSG_DONTWAIT */
    if (S_ISCHR(mode) && reopen_tty(fd, fl) == 0)
        return 0;
    if (fl & O_NONBLOCK)
        return 0;
    return fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

int act__stream_init(act__stream *st, act_sched *s, int fd)
{
    unsigned mode;
    int fl, rc;
    bool sock, blocking;

    act__stream_clear(st);
    if (s == NULL)
        return -EINVAL;
    rc = act__watch_open(&st->watch, s, fd, ACT__WATCH_STREAM, &fl, &mode);
    if (rc == 0)
        rc = make_nonblocking(fd, fl, mode);
    if (rc < 0) {
        act__stream_clear(st);
        return rc;
    }
    sock = S_ISSOCK(mode);
    blocking = (fl & O_NONBLOCK) == 0;
    st->watch.owner = access_flags(fl);
    st->watch.owner |= sock ? ACT__STREAM_SOCK : 0u;
    if (blocking) /* a socket's reads pass MSG_DONTWAIT; anything else got O_NONBLOCK (NOTE 6) */
        st->watch.owner |= sock ? ACT__STREAM_DONTWAIT : ACT__STREAM_RESTORE;
    if (S_ISFIFO(mode) && (st->watch.owner & ACT__STREAM_OUT)) {
        sigpipe_hold();
        st->watch.owner |= ACT__STREAM_SIGPIPE;
    }
    return 0;
}

void act__stream_adopt(act__stream *st, act_sched *s, int fd, unsigned kind)
{
    act__stream_clear(st);
    act__watch_init(&st->watch, s, fd, kind);
    st->watch.owner = ACT__STREAM_IN | ACT__STREAM_OUT | ACT__STREAM_SOCK;
}

int act__stream_fini(act__stream *st)
{
    int fd = act__stream_fd(st);
    int fl;

    if (fd < 0)
        return -EBADF;
    act__stream_cancel(&st->rd);
    act__stream_cancel(&st->wr);
    (void)act__watch_set(&st->watch, 0); /* fails only for an fd closed behind our back */
    if (st->watch.owner & ACT__STREAM_RESTORE) {
        fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    if (st->watch.owner & ACT__STREAM_SIGPIPE)
        sigpipe_release();
    act__stream_clear(st);
    return fd;
}

/*
 * NOTE 1: late data.  The kernel is the only buffer: the engine reads a
 * descriptor only from a pending read's step, straight into that request's
 * buffer, on the scheduler's thread.  Cancel empties the slot before it
 * completes the status, and the ready function checks the slot, so after a
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
 *
 * NOTE 5: a datagram socket shut down for reading.  After shutdown(SHUT_RD)
 * (or SHUT_RDWR) a UDP or Unix datagram socket polls readable for ever
 * (EPOLLIN | EPOLLRDHUP), but its empty queue answers recv with EAGAIN, not
 * the 0 a stream socket gives: a read step that waited for that readiness
 * would be called again on every pass, a busy loop, and never complete.  So
 * a socket's read step that finds nothing asks poll() for POLLRDHUP (one
 * call, on that path only: readiness with nothing to read is otherwise rare)
 * and ends the read as at end of file.
 *
 * NOTE 6: non-blocking without touching what others share.  O_NONBLOCK
 * belongs to the open file description, which dup(), fork() and a shell's
 * redirections share: a terminal's stdin and stdout are usually one, and
 * other processes have it too.  Setting it there and clearing it at close
 * would pull it from under a second act_pipe on the same description (its
 * writes would block the thread) and, meanwhile, make other processes'
 * reads fail with EAGAIN.  So each kind is made non-blocking its own way:
 *  - a socket is left as it is: its writes pass MSG_DONTWAIT (all sockets'
 *    do: send() takes flags anyway), and its reads are recv(MSG_DONTWAIT)
 *    instead of read(2) (only a socket handed in blocking: the others keep
 *    the plain call);
 *  - a tty gets a description of its own, as libuv does for its ttys: the
 *    same tty opened again through /proc/thread-self/fd, non-blocking,
 *    dup3()'d into the caller's descriptor number; even when it is
 *    non-blocking already, since it may be a dup() of a descriptor another
 *    act_pipe gave a description of its own.  Descriptors the caller made
 *    earlier keep the old description, still blocking.  A pty master is
 *    left alone (opening it again makes a new pty);
 *  - anything else (a pipe, a FIFO, another device), and a tty that cannot
 *    be opened again (no /proc, no permission, hung up), gets O_NONBLOCK on
 *    its shared description, cleared at close or detach if it was clear:
 *    pipe.h tells the caller what that means.  A FIFO opened again
 *    changes its end of file: a reader opened while no writer is there is
 *    not told of a hang-up until a new writer comes and goes, so a pending
 *    read would never end; fstat() does not tell an anonymous pipe from a
 *    FIFO, so neither is opened again.
 */
