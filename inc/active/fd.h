/**
 * DOC: waiting for any descriptor (POSIX only)
 *
 * An act_fd lets code that does its own I/O (libcurl's multi interface,
 * c-ares, a database driver) live in the scheduler: act_fd_wait() is a
 * cancellable request that completes when the descriptor is readable,
 * writable or in error.  It does no I/O and never changes the descriptor's
 * flags; the descriptor stays the caller's.
 *
 * A wait never completes inside its issuing call (except the rejections
 * listed there): it completes on a later pass, once the scheduler's poll
 * reports the descriptor, so an owner that waits again with the same events
 * in its run costs no system call beyond the poll itself.
 *
 * States (when the memory may be freed, moved or reused):
 *
 *   state        waits           free / move the act_fd    close the fd
 *   -----------  --------------  ------------------------  ------------------
 *   fini'd       complete -EBADF yes (also after a failed  yes
 *                                init, and zeroed)
 *   initialised  may be issued   no: act_fd_fini() first   no: fini first
 *   waiting      outstanding     no                        no
 */
#ifndef ACTIVE_FD_H
#define ACTIVE_FD_H

#include "base.h"
#include "posix.h"
#include "status.h"

/* What to wait for, and what a completed wait reports (a positive mask; int, like results). */
#define ACT_FD_READABLE 1 /* a read would not block (data, end of file, a connection to accept) */
#define ACT_FD_WRITABLE 2 /* a write would not block */
#define ACT_FD_ERROR 4     /* an error is pending (always reported, never asked for) */
#define ACT_FD_HANGUP 8    /* the peer or the device hung up (always reported) */

typedef struct act_fd {
    /* private: 24 bytes on 64-bit */
    act__watch watch;   /* fd (-1 after fini), the registered events; owner: the
                           ACT_FD_READABLE | ACT_FD_WRITABLE of the current wait */
    act_status *status; /* the outstanding wait, NULL when idle */
} act_fd;

/**
 * act_fd_init() - prepare to wait on @fd with @s
 * @w:  caller-allocated watcher, fini'd or never used (act_fd_fini() one
 *       that is watching first: its wait and registration are not undone
 *       here, and would be lost)
 * @s:  the scheduler
 * @fd: an open descriptor epoll can watch (socket, pipe, tty, eventfd, ...)
 *
 * Only one act_fd (or act_pipe) may watch a given descriptor number.
 * Context: @s's thread.
 * Ownership: @fd stays the caller's; it must stay open until act_fd_fini().
 * Return: 0; -EINVAL when @s is NULL; -EBADF when @fd is not open or is an
 * O_PATH descriptor; -EISDIR for a directory; -EPERM for what epoll cannot
 * watch (a regular file or a block device, which never block, and
 * /dev/null); -ENOMEM, -ENOSPC (epoll's max_user_watches).  As
 * act_pipe_open() checks.  On failure @w is fini'd.
 * Panics: none.
 */
ACT_API int act_fd_init(act_fd *w, act_sched *s, int fd);

/**
 * act_fd_fini() - cancel the outstanding wait and stop watching
 * @w: a watcher, initialised or fini'd
 *
 * An outstanding wait completes now with -ECANCELED.  Does nothing on a
 * fini'd watcher.
 * Context: the scheduler's thread.
 * Ownership: @w may be freed, and the descriptor closed, on return.
 * Panics: none.
 */
ACT_API void act_fd_fini(act_fd *w);

/**
 * act_fd_wait() - complete @st when the descriptor is ready for @events
 * @w:      an initialised watcher
 * @events: ACT_FD_READABLE, ACT_FD_WRITABLE or both
 * @st:     the caller's status, not pending
 *
 * Completes on a later pass, never inside this call, once the poll reports
 * the descriptor ready (level-triggered: ready now counts, not only a
 * change).  Errors and hang-ups complete it whatever @events asked.
 * Context: the scheduler's thread.
 * Ownership: @w holds @st until it completes.
 * Return (in @st): a positive mask of ACT_FD_READABLE / ACT_FD_WRITABLE (only
 * those asked for), ACT_FD_ERROR and ACT_FD_HANGUP; -ECANCELED after
 * act_fd_cancel() or act_fd_fini(); inside the call: -EBUSY when a wait is
 * outstanding (it is untouched), -EBADF when @w is fini'd or the
 * descriptor was closed before the wait had to register it, -EINVAL when
 * @events is 0 or has other bits, -ENOMEM, -ENOSPC.  Closing the descriptor
 * before act_fd_fini() is a misuse the watcher cannot always see: a wait
 * for the events of the last one makes no system call, and after such a
 * close it never completes.
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending()).
 */
ACT_API void act_fd_wait(act_fd *w, int events, act_status *st);

/**
 * act_fd_cancel() - cancel the outstanding wait, now
 * @w: a watcher
 *
 * The wait completes inside this call with -ECANCELED.  Does nothing when
 * no wait is outstanding (a completed wait keeps its mask).  Suitable as an
 * object's do_cancel.
 * Context: the scheduler's thread.
 * Ownership: the status is the caller's again on return.
 */
ACT_API void act_fd_cancel(act_fd *w);

#endif
