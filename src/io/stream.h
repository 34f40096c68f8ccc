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
 *   rq->step = ...; rq->buf = ...; rq->len = ...; rq->aux = ...
 *   act__stream_start(st, rq, now)            try now (writes) or wait (reads)
 *   ... on readiness, the step runs again until it returns a result ...
 *   the status completes once: result, error, or -ECANCELED (cancel, fini)
 *
 * Steps run only while their slot holds a request, so a cancelled buffer is
 * never touched again and unread bytes stay in the kernel.
 *
 * How act_socket should reuse it: embed an act__stream (open the socket, then
 * act__stream_init() picks act__stream_sock_ops); recv/send/recv_full are the
 * steps below; connect is a step in the write slot started with now = false
 * after connect(2) returned EINPROGRESS (it reads SO_ERROR); accept and
 * recvfrom are steps in the read slot (the peer address or the new socket go
 * through rq->aux); sendto is a step in the write slot started with now = true.
 */
#ifndef ACT_IO_STREAM_H
#define ACT_IO_STREAM_H

#include <sys/types.h>

#include <active/stream.h>

/* act__stream.flags */
#define ACT__STREAM_IN 1u       /* open for reading */
#define ACT__STREAM_OUT 2u      /* open for writing */
#define ACT__STREAM_RESTORE 4u  /* the engine set O_NONBLOCK: clear it at fini */
#define ACT__STREAM_SIGPIPE 8u  /* holds the thread's SIGPIPE block (a writable FIFO) */
#define ACT__STREAM_IDLE_IN 16u  /* reported readable with no read: dropped if again (NOTE 2) */
#define ACT__STREAM_IDLE_OUT 32u /* reported writable with no write: dropped if again */
#define ACT__STREAM_WRAPPER 0xffff0000u /* the wrapper's own bits: the engine only clears them */

/*
 * The I/O primitives for one kind of descriptor.  Both behave as read(2) and
 * write(2) on the stream's fd, except that they never fail with EINTR and
 * never raise SIGPIPE.
 */
struct act__stream_ops {
    ssize_t (*read)(act__stream *st, void *buf, size_t len);
    ssize_t (*write)(act__stream *st, const void *buf, size_t len);
};

extern const struct act__stream_ops act__stream_fd_ops;   /* ttys, character devices */
extern const struct act__stream_ops act__stream_fifo_ops; /* pipes and FIFOs */
extern const struct act__stream_ops act__stream_sock_ops; /* stream sockets: send(MSG_NOSIGNAL) */

/*
 * Take @fd into @st for @s: checks it (-EBADF closed or O_PATH, -EISDIR a
 * directory, -EPERM what epoll cannot watch: regular files, block devices,
 * /dev/null), makes it non-blocking (remembering to undo it) and picks the
 * ops for its type.  On failure @st is closed (fd -1) and @fd untouched.
 * Does not take ownership of @fd: act__stream_fini() gives it back.
 */
int act__stream_init(act__stream *st, act_sched *s, int fd);

/*
 * Take @fd into @st for @s with @ops, open both ways, making no check and no
 * system call: for a non-blocking descriptor the wrapper has just created
 * itself and knows the type of (socket(2) or accept4(2) with SOCK_NONBLOCK).
 * act__stream_fini() leaves its O_NONBLOCK alone.
 */
void act__stream_adopt(act__stream *st, act_sched *s, int fd, const struct act__stream_ops *ops);

/* Make @st closed (fd -1, both slots idle) without touching any descriptor. */
void act__stream_clear(act__stream *st);

/*
 * Cancel both slots (-ECANCELED), leave the epoll set, restore O_NONBLOCK,
 * drop the SIGPIPE block.  Returns the fd (the caller closes it or hands it
 * back), or -EBADF when @st was already closed.  @st may then be freed.
 */
int act__stream_fini(act__stream *st);

/*
 * Issue @status into the slot @rq of @st.  Completes it inside the call and
 * returns false when @err < 0 (with @err), when @st is closed (-EBADF) or
 * when the slot is busy (-EBUSY; the outstanding request is untouched), and
 * when a panic handler returned from the issue (status in use).  Returns true
 * when @rq now holds the request with done = 0; the caller sets step, buf,
 * len and aux, then calls act__stream_start().
 */
bool act__stream_accept(act__stream *st, act__stream_req *rq, act_status *status, int err);

/*
 * Start the accepted request in @rq: with @now, run its step once inside the
 * call (completing it there if it finishes); otherwise, or when the step must
 * wait, make sure the direction is in the epoll interest.  A registration
 * error completes the request with it.
 */
void act__stream_start(act__stream *st, act__stream_req *rq, bool now);

/*
 * The byte-stream requests every wrapper shares, started in an accepted slot:
 * a read into @buf of one or more bytes (at most INT_MAX), or with @full of
 * exactly @len (the caller has checked @len <= INT_MAX), waiting for
 * readiness first; a write of all @len bytes, tried inside the call.
 */
void act__stream_start_read(act__stream *st, void *buf, size_t len, bool full);
void act__stream_start_write(act__stream *st, const void *buf, size_t len);

/* Complete the request in @rq with @result and leave the slot idle. */
void act__stream_complete(act__stream_req *rq, int result);

/* Cancel the request in @rq (-ECANCELED now); nothing when idle. */
void act__stream_cancel(act__stream_req *rq);

/*
 * The byte steps.  Each returns a result, or ACT_PENDING to wait for the
 * next readiness event; rq->done counts the bytes moved so far.
 *   read_some: one read of up to len; the count (>= 1), or 0 at end of file.
 *   read_full: until len bytes, or fewer at end of file.
 *   write_all: until len bytes are written.
 */
int act__stream_read_some(act__stream *st, act__stream_req *rq);
int act__stream_read_full(act__stream *st, act__stream_req *rq);
int act__stream_write_all(act__stream *st, act__stream_req *rq);

#endif
