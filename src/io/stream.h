/*
 * Internal to src/io: the byte-stream request engine shared by act_pipe and
 * act_socket.  One act__stream is one non-blocking descriptor with one read
 * slot and one write slot; each slot holds at most one request, whose step
 * does the I/O.  The engine owns readiness (a level-triggered epoll interest
 * that changes only when a direction goes idle), cancel, -EBUSY and the
 * late-data discipline; the wrappers own argument checks and which step runs.
 *
 * Life of a request in a slot:
 *
 *   act__stream_accept(st, rq, status, err)   issue; reject now (err, closed, busy)
 *   act__stream_start_read() / _start_write() the engine's byte requests, or:
 *   rq->buf, rq->len, act__stream_set_step(); act__stream_start(st, rq, now)
 *   ... on readiness, the step runs again until it returns a result ...
 *   the status completes once: result, error, or -ECANCELED (cancel, fini)
 *
 * Steps run only while their slot holds a request, so a cancelled buffer is
 * never touched again and unread bytes stay in the kernel.
 *
 * A step is named by a small id (three bits of the stream, not a pointer in
 * each slot): the engine's own byte steps first, then the wrapper's, which
 * the wrapper's ready function (its watcher kind, watch.h) hands to
 * act__stream_ready() as a table.
 * act_socket's connect is a step in the write slot started with now NULL
 * after connect(2) returned EINPROGRESS (it reads SO_ERROR); accept and
 * recvfrom are steps in the read slot; sendto a step in the write slot
 * started with itself as now.  What a socket step needs besides the slot
 * (the peer address, the new socket) is in act_socket.
 */
#ifndef ACT_IO_STREAM_H
#define ACT_IO_STREAM_H

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <active/stream.h>

#include "../core/internal.h"
#include "../port/posix/watch.h"

/*
 * act__stream's own bits, in its watcher's owner field (16 bits, which the
 * port never touches): the step id of each slot's request, then the flags.
 */
#define ACT__STREAM_RD_STEP 0u  /* bits 0-2: the read slot's step id (cheapest to read) */
#define ACT__STREAM_WR_STEP 3u  /* bits 3-5: the write slot's step id */
#define ACT__STREAM_IN 0x40u    /* open for reading */
#define ACT__STREAM_OUT 0x80u   /* open for writing */
#define ACT__STREAM_RESTORE 0x100u /* the engine set O_NONBLOCK: clear it at fini (NOTE 6) */
#define ACT__STREAM_SIGPIPE 0x200u /* holds the thread's SIGPIPE block (a writable FIFO) */
#define ACT__STREAM_IDLE_IN 0x400u /* reported readable with no read: dropped if again (NOTE 2) */
#define ACT__STREAM_IDLE_OUT 0x800u /* reported writable with no write: dropped if again */
#define ACT__STREAM_SOCK 0x1000u /* a socket: writes are send(MSG_NOSIGNAL | MSG_DONTWAIT) (NOTES 4, 6) */
#define ACT__STREAM_WRAPPER 0x6000u /* the wrapper's own two bits: the engine only clears them */
#define ACT__STREAM_DONTWAIT 0x8000u /* a socket handed in blocking: reads are recv(MSG_DONTWAIT) (NOTE 6) */
#define ACT__STREAM_STEP_MAX 7u /* the largest step id */

/* Whether a failed call's @err means "nothing now, try when ready". */
static inline bool act__would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* A socket's send(): no SIGPIPE (NOTE 4), and never blocking even on a blocking socket (NOTE 6). */
#define ACT__STREAM_SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)

/* The packing: two step fields, the flags and the wrapper's bits, disjoint, in 16 bits. */
#define ACT__STREAM_STEPS_ ((ACT__STREAM_STEP_MAX << ACT__STREAM_RD_STEP) | (ACT__STREAM_STEP_MAX << ACT__STREAM_WR_STEP))
#define ACT__STREAM_FLAGS_                                                                         \
    (ACT__STREAM_IN | ACT__STREAM_OUT | ACT__STREAM_RESTORE | ACT__STREAM_SIGPIPE | ACT__STREAM_IDLE_IN \
     | ACT__STREAM_IDLE_OUT | ACT__STREAM_SOCK | ACT__STREAM_DONTWAIT)
_Static_assert(((ACT__STREAM_STEP_MAX << ACT__STREAM_RD_STEP) & (ACT__STREAM_STEP_MAX << ACT__STREAM_WR_STEP)) == 0,
               "the two step fields overlap");
_Static_assert(ACT__STREAM_IN + ACT__STREAM_OUT + ACT__STREAM_RESTORE + ACT__STREAM_SIGPIPE + ACT__STREAM_IDLE_IN
                       + ACT__STREAM_IDLE_OUT + ACT__STREAM_SOCK + ACT__STREAM_DONTWAIT
                   == ACT__STREAM_FLAGS_,
               "two flags share a bit");
_Static_assert((ACT__STREAM_STEPS_ & ACT__STREAM_FLAGS_) == 0
                   && ((ACT__STREAM_STEPS_ | ACT__STREAM_FLAGS_) & ACT__STREAM_WRAPPER) == 0,
               "steps, flags and the wrapper's bits overlap");
_Static_assert((ACT__STREAM_STEPS_ | ACT__STREAM_FLAGS_ | ACT__STREAM_WRAPPER) <= UINT16_MAX,
               "act__watch.owner has 16 bits");

/*
 * A step: the I/O attempt of the request in @rq.  Returns its result, or
 * ACT_PENDING to wait for the next readiness event; it never completes the
 * status itself.  rq->done counts the bytes moved so far.
 */
typedef int act__stream_step(act__stream *st, act__stream_req *rq);

/* Step ids (act__stream_step_id(), at most ACT__STREAM_STEP_MAX). */
enum {
    ACT__STEP_READ_SOME, /* one read of up to len: the count (>= 1), or 0 at end of file */
    ACT__STEP_READ_FULL, /* until len bytes, or fewer at end of file */
    ACT__STEP_WRITE_ALL, /* until len bytes are written */
    ACT__STEP_WRAPPER    /* the wrapper's table starts here: id - ACT__STEP_WRAPPER */
};
_Static_assert(ACT__STEP_WRAPPER <= ACT__STREAM_STEP_MAX, "a step id has three bits");

/* Where the step id of @rq's request sits in st->watch.owner. */
static inline unsigned act__stream_step_shift(const act__stream *st, const act__stream_req *rq)
{
    return rq == &st->rd ? ACT__STREAM_RD_STEP : ACT__STREAM_WR_STEP;
}

/* The step id of the request in @rq, a slot of @st. */
static inline unsigned act__stream_step_id(const act__stream *st, const act__stream_req *rq)
{
    return (st->watch.owner >> act__stream_step_shift(st, rq)) & ACT__STREAM_STEP_MAX;
}

/* Make @id the step of the request in @rq, a slot of @st. */
static inline void act__stream_set_step(act__stream *st, act__stream_req *rq, unsigned id)
{
    unsigned shift = act__stream_step_shift(st, rq);
    unsigned rest = st->watch.owner & ~(ACT__STREAM_STEP_MAX << shift);

    st->watch.owner = (uint16_t)(rest | (id & ACT__STREAM_STEP_MAX) << shift);
}

/*
 * Take @fd into @st for @s: checks it (-EBADF closed or O_PATH, -EISDIR a
 * directory, -EPERM what epoll cannot watch: regular files, block devices,
 * /dev/null), makes it non-blocking (remembering to undo it) and notes its
 * type.  Only the engine's steps run on it.  On failure @st is closed
 * (fd -1) and @fd untouched.  Does not take ownership of @fd:
 * act__stream_fini() gives it back.
 */
int act__stream_init(act__stream *st, act_sched *s, int fd);

/*
 * Take the socket @fd into @st for @s, open both ways, making no check and
 * no system call: for a non-blocking descriptor the wrapper has just created
 * itself (socket(2) or accept4(2) with SOCK_NONBLOCK).  @kind is the
 * wrapper's watcher kind (watch.h), whose ready function passes its steps to
 * act__stream_ready().  act__stream_fini() leaves its O_NONBLOCK alone.
 */
void act__stream_adopt(act__stream *st, act_sched *s, int fd, unsigned kind);

/* Make @st closed (fd -1, both slots idle) without touching any descriptor. */
void act__stream_clear(act__stream *st);

/*
 * Cancel both slots (-ECANCELED), leave the epoll set, restore O_NONBLOCK,
 * drop the SIGPIPE block.  Returns the fd (the caller closes it or hands it
 * back), or -EBADF when @st was already closed.  @st may then be freed.
 */
int act__stream_fini(act__stream *st);

/*
 * Readiness @revents for @st: run the step of each direction it concerns,
 * the wrapper's from @steps (indexed by id - ACT__STEP_WRAPPER; NULL when it
 * has none).  Errors and hang-ups go to both directions.  For the wrapper's
 * ready function.
 */
void act__stream_ready(act__stream *st, uint32_t revents, act__stream_step *const *steps);

/*
 * A read step's read(2) or recvfrom(2) failed (EINTR retried already): its
 * error; ACT_PENDING to wait for the next readiness; or @done, the
 * request's bytes so far, as at end of file, when @st is a socket shut down
 * for reading with nothing left (NOTE 5 of stream.c: one poll(2), on that
 * path only).
 */
int act__stream_read_failed(const act__stream *st, uint32_t done);

/* Complete the request in @rq with @result and leave the slot idle. */
static inline void act__stream_complete(act__stream_req *rq, int result)
{
    act_status *status = rq->status;

    rq->status = NULL;
    act_complete(status, result);
}

/*
 * Whether @st is open: one direction flag at least.  Both are clear in a
 * closed stream (fd -1) and in a zeroed one, which is closed too, so that a
 * never-opened act_pipe or act_socket that was zeroed closes as a no-op
 * (a zero handle in Symbian's R classes) instead of closing descriptor 0.
 */
static inline bool act__stream_is_open(const act__stream *st)
{
    return (st->watch.owner & (ACT__STREAM_IN | ACT__STREAM_OUT)) != 0;
}

/* @st's descriptor, or -1 when it is closed. */
static inline int act__stream_fd(const act__stream *st)
{
    return act__stream_is_open(st) ? st->watch.fd : -1;
}

/*
 * Whether @st is open in the direction of its slot @rq: its ACT__STREAM_IN
 * or ACT__STREAM_OUT flag, both clear exactly while it is closed (fd -1).
 * The flag rather than the fd, so that act_pipe's requests, which test the
 * flag first, make no second test (gcc folds it).
 */
static inline bool act__stream_open_for(const act__stream *st, const act__stream_req *rq)
{
    return (st->watch.owner & (rq == &st->rd ? ACT__STREAM_IN : ACT__STREAM_OUT)) != 0;
}

/* The status-in-use panic of act__stream_accept(): @status is not free. */
void act__stream_in_use(act_status *status);

/* The rejecting half of act__stream_accept(): @status is issued already. */
void act__stream_refuse(act__stream *st, act__stream_req *rq, act_status *status, int err);

/*
 * Issue @status into the slot @rq of @st.  Completes it inside the call and
 * returns false when @err < 0 (with @err), when @st is closed or not open
 * in @rq's direction (-EBADF), when the slot is busy (-EBUSY; the
 * outstanding request is untouched), and
 * when a panic handler returned from the issue (status in use).  Returns true
 * when @rq now holds the request with done = 0; the caller then starts it.
 * Inline: every request passes here.
 */
static inline bool act__stream_accept(act__stream *st, act__stream_req *rq, act_status *status, int err)
{
    if (!act__status_free(status)) { /* act__status_issue(), inline */
        act__stream_in_use(status);
        return false;
    }
    act__status_take(status);
    if (err < 0 || !act__stream_open_for(st, rq) || rq->status != NULL) {
        act__stream_refuse(st, rq, status, err);
        return false;
    }
    rq->status = status;
    rq->done = 0;
    return true;
}

/* The waiting half of act__stream_start(): add @dir to the interest. */
void act__stream_watch(act__stream *st, act__stream_req *rq, uint32_t dir);

/*
 * Start the accepted request in @rq (its step id, buf and len set): run
 * @now once inside the call when not NULL (completing the request there if
 * it finishes); otherwise, or when it must wait, make sure the direction is
 * in the epoll interest.  A registration error completes the request with
 * it.
 */
void act__stream_start(act__stream *st, act__stream_req *rq, act__stream_step *now);

/*
 * The byte-stream requests every wrapper shares, started in an accepted slot
 * with 1 <= @len <= INT_MAX (the caller clamps or refuses longer ones; a
 * datagram socket's write may be empty): a
 * read into @buf of one or more bytes, or with @full of exactly @len,
 * waiting for readiness first (NOTE 3 of stream.c); a write of all @len
 * bytes, tried inside the call.  The read is inline: with the direction
 * already watched it makes no call at all.
 */
static inline void act__stream_start_read(act__stream *st, void *buf, size_t len, bool full)
{
    st->watch.owner &= (uint16_t)~ACT__STREAM_IDLE_IN; /* a request came before a second strike */
    act__stream_set_step(st, &st->rd, full ? ACT__STEP_READ_FULL : ACT__STEP_READ_SOME);
    st->rd.buf.in = buf;
    st->rd.len = (uint32_t)len;
    if ((st->watch.events & (uint32_t)EPOLLIN) == 0)
        act__stream_watch(st, &st->rd, (uint32_t)EPOLLIN);
}

/* The rest of act__stream_start_write() when the first write did not take it all. */
void act__stream_write_rest(act__stream *st, const void *buf, size_t len, ssize_t n);

/*
 * Inline down to the system call: a write that fits (the usual case) costs
 * the wrapper one write(2) and the completion.  A socket's write is
 * send(MSG_NOSIGNAL | MSG_DONTWAIT) (NOTES 4 and 6 of stream.c).
 */
static inline void act__stream_start_write(act__stream *st, const void *buf, size_t len)
{
    ssize_t n = (st->watch.owner & ACT__STREAM_SOCK) ? send(st->watch.fd, buf, len, ACT__STREAM_SEND_FLAGS)
                                                     : write(st->watch.fd, buf, len);

    st->watch.owner &= (uint16_t)~ACT__STREAM_IDLE_OUT; /* a request came before a second strike */
    if (n != (ssize_t)len) {
        act__stream_write_rest(st, buf, len, n);
        return;
    }
    st->wr.done = (uint32_t)n;
    act__stream_complete(&st->wr, (int)n);
}

/* Cancel the request in @rq (-ECANCELED now); nothing when idle. */
static inline void act__stream_cancel(act__stream_req *rq)
{
    if (rq->status != NULL)
        act__stream_complete(rq, -ECANCELED);
}

#endif
