/**
 * DOC: pipes and other stream descriptors (POSIX only)
 *
 * An act_pipe (Symbian's RPipe) serves one stream descriptor: a pipe end, a
 * FIFO, a tty, stdin/stdout, a socketpair end, a character device.  It keeps
 * one read request and one write request outstanding at a time, each
 * completing a caller's act_status; a second request in a busy direction
 * completes with -EBUSY inside its call and the first is untouched.
 *
 * Where requests complete, every time:
 *  - a read (act_pipe_read(), act_pipe_read_full()) never completes inside
 *    its issuing call, even when bytes are already there: it completes on a
 *    later pass of the scheduler, once the poll reports the descriptor;
 *  - a write (act_pipe_write()) is tried inside its call and completes there
 *    when every byte went out at once; otherwise the rest goes out on later
 *    passes and it completes then;
 *  - a request rejected at once (-EBADF, -EINVAL, -EBUSY, and -EPIPE or
 *    another error from the first write attempt) completes inside the call.
 * Either way the owner calls act_set_active() after issuing, and run comes
 * later, never from inside the issuing call.
 *
 * Late data: bytes are read only while a read is pending, straight into its
 * buffer.  After a cancel (act_pipe_cancel_read(), act_cancel(), close)
 * nothing is written into the cancelled buffer, and bytes that arrive later
 * stay in the kernel for the next read, in order.  A cancel that races an
 * arrival ends one way: the read completed with its bytes (act_cancel() keeps
 * that count), or it completed -ECANCELED and the bytes wait.
 *
 * SIGPIPE: a write to a pipe whose reader has gone completes with -EPIPE and
 * never raises SIGPIPE.  For sockets this is send(MSG_NOSIGNAL).  For pipes
 * and FIFOs, SIGPIPE is blocked on the scheduler's thread while at least one
 * act_pipe that writes to a pipe or FIFO is open (restored at the last
 * close), and the SIGPIPE of a failed write is taken back at once.  While
 * the block lasts, the thread's own write(2) calls to a broken pipe also get
 * EPIPE (their SIGPIPE stays pending and is delivered when the block ends,
 * unless a write of the library gets EPIPE meanwhile: the two SIGPIPEs merge
 * and the library takes the one there is), and threads and exec'd children
 * created from the thread inherit the block: reset the mask in a child
 * (posix_spawnattr_setsigmask()) if it relies on SIGPIPE.
 *
 * Descriptor flags: O_NONBLOCK belongs to the open file description, which
 * dup() and fork() share (a terminal's stdin and stdout, with the shell).
 * act_pipe_open() never sets it on a socket (its calls pass MSG_DONTWAIT);
 * a tty (not a pty master) is opened again through /proc/thread-self/fd
 * and put in @fd's place, so the flag is on a description of its own;
 * anything else, and a tty that cannot be opened again, gets the flag on
 * its shared description, cleared again at close or detach if it was clear
 * (doc/pipes.md, "Descriptor flags").
 *
 * States (when the memory may be freed, moved or reused):
 *
 *   state            requests        free / move the act_pipe
 *   ---------------  --------------  --------------------------------------
 *   closed           complete -EBADF yes (also after a failed open, and zeroed)
 *   open, idle       may be issued   no: close or detach first
 *   open, busy       outstanding     no; their buffers and statuses belong
 *                                    to the pipe until they complete
 *
 * A request's buffer and status are the pipe's from the issuing call until
 * the status completes (by the request, a cancel or the close); then the
 * caller may free or reuse them, even before run is called.
 */
#ifndef ACTIVE_PIPE_H
#define ACTIVE_PIPE_H

#include "base.h"
#include "status.h"
#include "stream.h"

/* act_pipe_open_fifo() modes */
#define ACT_PIPE_READ 1  /* open the FIFO for reading */
#define ACT_PIPE_WRITE 2 /* open the FIFO for writing */

typedef struct act_pipe {
    /* private: */
    act__stream stream;
} act_pipe;

/**
 * act_pipe_open() - serve the stream descriptor @fd with @s
 * @p:  caller-allocated pipe, closed or never used
 * @s:  the scheduler that serves it
 * @fd: an open descriptor: pipe, FIFO, socket, tty or pollable device
 *
 * Makes @fd non-blocking, sharing nothing that it need not (DOC above): a
 * socket stays as it is; a tty gets an open file description of its own
 * (the same number, close-on-exec as it was, its other status flags,
 * O_ASYNC owner and flock() locks not carried over, and an epoll set
 * elsewhere that watches @fd keeps watching the old description;
 * descriptors made from @fd earlier keep the old one); anything else, and
 * a tty that cannot be opened again (no /proc, no permission, hung up),
 * gets O_NONBLOCK, undone at close or detach when it was clear.  With two
 * pipes on one such shared description (a dup()), close the one opened
 * first last.  Either way @fd itself is non-blocking while open: stdio on
 * it may fail with EAGAIN.
 * Only one act_pipe (or act_fd) may watch a given descriptor number: wrap a
 * dup() for a second one.
 * Context: @s's thread.
 * Ownership: @p owns @fd from success until act_pipe_close() (which closes
 * it) or act_pipe_detach() (which hands it back).  On failure @fd is
 * untouched and still the caller's.
 * Return: 0; -EINVAL when @s is NULL; -EBADF when @fd is not an open
 * descriptor (or an O_PATH one); -EISDIR for a directory; -EPERM for what
 * epoll cannot watch (a regular file, a block device, /dev/null).  On
 * failure @p is closed.
 * Panics: none.
 */
ACT_API int act_pipe_open(act_pipe *p, act_sched *s, int fd);

/**
 * act_pipe_pair() - a new anonymous pipe: @rd reads what @wr writes
 * @rd: caller-allocated pipe for the read end
 * @wr: caller-allocated pipe for the write end
 * @s:  the scheduler that serves both
 *
 * The descriptors are non-blocking and close-on-exec.
 * Context: @s's thread.
 * Ownership: @rd and @wr own their descriptors; close both.
 * Return: 0; -EINVAL when @s is NULL; -EMFILE or -ENFILE when out of
 * descriptors.  On failure both pipes are closed.
 * Panics: none.
 */
ACT_API int act_pipe_pair(act_pipe *rd, act_pipe *wr, act_sched *s);

/**
 * act_pipe_open_fifo() - open the named FIFO at @path for one direction
 * @p:    caller-allocated pipe
 * @s:    the scheduler
 * @path: the FIFO's path
 * @mode: ACT_PIPE_READ or ACT_PIPE_WRITE
 *
 * Never blocks.  For reading it opens at once; reads wait for a writer's
 * bytes, and end of file comes only after a writer has come and gone.  For
 * writing it needs a reader to have the FIFO open already.
 * The descriptor is non-blocking and close-on-exec.
 * Context: @s's thread.
 * Ownership: @p owns the descriptor it opened; close it.
 * Return: 0; -EINVAL for a NULL @path or @s, or another @mode; -ENXIO for
 * writing when no reader has the FIFO open; -ENOENT, -EACCES, ... from
 * open(2); -EISDIR or -EPERM when @path is not a FIFO (nor another pollable
 * file).  On failure @p is closed.
 * Panics: none.
 */
ACT_API int act_pipe_open_fifo(act_pipe *p, act_sched *s, const char *path, int mode);

/**
 * act_pipe_close() - cancel what is outstanding and close the descriptor
 * @p: a pipe, open or closed
 *
 * Outstanding requests complete now with -ECANCELED (their owners' run gets
 * it, as an asynchronous notice; use act_cancel() first for "never run").
 * Clears the O_NONBLOCK act_pipe_open() set, leaves the scheduler, closes it.
 * Does nothing on a closed pipe.
 * Context: the scheduler's thread (the one that opened @p).
 * Ownership: the descriptor is closed; @p may be freed on return, and so may
 * the buffers and statuses of the cancelled requests.
 * Panics: none.
 */
ACT_API void act_pipe_close(act_pipe *p);

/**
 * act_pipe_detach() - as act_pipe_close(), but hand the descriptor back
 * @p: a pipe, open or closed
 *
 * Context: the scheduler's thread.
 * Ownership: the caller owns the returned descriptor, with O_NONBLOCK as it
 * was before act_pipe_open() (descriptors made by act_pipe_pair() or
 * act_pipe_open_fifo() stay non-blocking; a tty's is the description of its
 * own that act_pipe_open() gave it).  @p may be freed.
 * Return: the descriptor, or -EBADF when @p was closed.
 * Panics: none.
 */
ACT_API int act_pipe_detach(act_pipe *p);

/**
 * act_pipe_fd() - the descriptor @p serves
 * @p: a pipe
 *
 * Context: the scheduler's thread.
 * Ownership: the descriptor stays @p's; do not close it, change its flags or
 * read from it while requests are outstanding.
 * Return: the descriptor, or -1 when @p is closed.
 */
ACT_API int act_pipe_fd(const act_pipe *p);

/**
 * act_pipe_read() - read one or more bytes (Symbian's RecvOneOrMore)
 * @p:   an open pipe
 * @buf: where the bytes go
 * @len: its size, >= 1 (at most INT_MAX is used)
 * @st:  the caller's status, not pending
 *
 * Completes on a later pass, never inside this call, as soon as at least
 * one byte has arrived.
 * Context: the scheduler's thread.
 * Ownership: @p holds @buf and @st until @st completes; nothing is written
 * into @buf after that, even after a cancel.
 * Return (in @st): the byte count (>= 1); 0 at end of file (every writer
 * closed); any other read(2) error, negated (-EIO, -ECONNRESET on a
 * socket); -ECANCELED after act_pipe_cancel_read() or act_pipe_close();
 * inside the call: -EBUSY when a read is already outstanding (it is
 * untouched), -EBADF when @p is closed or not open for reading, -EINVAL
 * when @buf is NULL or @len is 0.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_pipe_read(act_pipe *p, void *buf, size_t len, act_status *st);

/**
 * act_pipe_read_full() - read exactly @len bytes, fewer at end of file
 * @p:   an open pipe
 * @buf: where the bytes go
 * @len: how many, at most INT_MAX
 * @st:  the caller's status, not pending
 *
 * Completes on a later pass (inside the call only for @len 0, with 0).
 * Context: the scheduler's thread.
 * Ownership: as act_pipe_read().
 * Return (in @st): @len; fewer (possibly 0) at end of file; -ECANCELED, with
 * the bytes that arrived before the cancel in @buf and counted by
 * act_pipe_received() (they are not read again); a read(2) error, the bytes
 * before it counted the same way; inside the call: -EBUSY, -EBADF as for
 * act_pipe_read(), -EINVAL when @buf is NULL with @len > 0 or @len >
 * INT_MAX.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_pipe_read_full(act_pipe *p, void *buf, size_t len, act_status *st);

/**
 * act_pipe_write() - write all @len bytes
 * @p:   an open pipe
 * @buf: the bytes
 * @len: how many, at most INT_MAX
 * @st:  the caller's status, not pending
 *
 * Tried inside the call: completes there when every byte went out at once,
 * otherwise on a later pass once the rest has gone.  Never raises SIGPIPE.
 * Context: the scheduler's thread.
 * Ownership: @p holds @buf and @st until @st completes.
 * Return (in @st): @len; -EPIPE when the reading end has gone (the bytes
 * written before it are counted by act_pipe_written()); -ECANCELED after
 * act_pipe_cancel_write() or act_pipe_close() (the rest is never sent);
 * inside the call: -EBUSY when a write is outstanding (it is untouched),
 * -EBADF when @p is closed or not open for writing, -EINVAL when @buf is
 * NULL with @len > 0 or @len > INT_MAX; 0 for @len 0; any other write(2)
 * error, negated (-EIO, -ENOSPC).
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_pipe_write(act_pipe *p, const void *buf, size_t len, act_status *st);

/**
 * act_pipe_cancel_read() - cancel the outstanding read, now
 * @p: a pipe
 *
 * The read completes inside this call with -ECANCELED; the write direction
 * is untouched.  Does nothing when no read is outstanding (a read that has
 * completed keeps its result).  Suitable as an object's do_cancel.
 * Context: the scheduler's thread.
 * Ownership: the read's buffer and status are the caller's again on return.
 */
ACT_API void act_pipe_cancel_read(act_pipe *p);

/**
 * act_pipe_cancel_write() - cancel the outstanding write, now
 * @p: a pipe
 *
 * The write completes inside this call with -ECANCELED; act_pipe_written()
 * then tells how many of its bytes went out; the rest is never sent.  The
 * read direction is untouched.  Does nothing when no write is outstanding.
 * Context: the scheduler's thread.
 * Ownership: as act_pipe_cancel_read().
 */
ACT_API void act_pipe_cancel_write(act_pipe *p);

/**
 * act_pipe_written() - bytes of the last write that went out
 * @p: a pipe
 *
 * Context: the scheduler's thread.
 * Return: for the write outstanding or last completed (with any result):
 * the bytes written so far; 0 before the first write.  A write rejected
 * inside its call (-EBUSY, -EBADF, -EINVAL) does not change it.
 */
ACT_API size_t act_pipe_written(const act_pipe *p);

/**
 * act_pipe_received() - bytes the last read placed in its buffer
 * @p: a pipe
 *
 * Context: the scheduler's thread.
 * Return: for the read outstanding or last completed: the bytes in its
 * buffer (its count on success; what act_pipe_read_full() had received
 * before -ECANCELED or an error); 0 before the first read.  A read rejected
 * inside its call (-EBUSY, -EBADF, -EINVAL) does not change it.
 */
ACT_API size_t act_pipe_received(const act_pipe *p);

#endif
