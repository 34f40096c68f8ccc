/*
 * Internal to the Linux port and the POSIX providers (src/io): registering
 * descriptor watchers with the scheduler's epoll set.
 *
 * A watcher names its provider by a kind, a byte, where a callback pointer
 * would cost 8 bytes in every pipe, socket and act_fd; the port calls the
 * kind's ready function through its table of kinds (NOTE 1 of port.c).
 * The ready functions are the providers' (src/io); the table refers to them
 * weakly, so a static link of the port does not pull the providers in.
 */
#ifndef ACT_PORT_POSIX_WATCH_H
#define ACT_PORT_POSIX_WATCH_H

#include <active/posix.h>

/* act__watch.kind: whose ready function the port calls on readiness. */
enum {
    ACT__WATCH_NONE,   /* nothing: a removed watcher's undelivered events (port.c) */
    ACT__WATCH_STREAM, /* an act__stream with the engine's steps only (act_pipe) */
    ACT__WATCH_SOCKET, /* an act_socket's act__stream, with the socket's steps */
    ACT__WATCH_FD,     /* an act_fd */
    ACT__WATCH_CALL,   /* an act__watch_call: its own function */
    ACT__WATCH_KINDS   /* a new kind: its ready function here, weak in port.c's table */
};

/*
 * The ready functions, one a kind: @revents is what epoll reported, masked
 * to what @w registered plus EPOLLERR and EPOLLHUP, and never 0.  Called
 * from act_port_wait() on the scheduler's thread; each may change or remove
 * any watcher, its own included.
 */
void act__stream_on_ready(act__watch *w, uint32_t revents); /* stream.c */
void act__socket_on_ready(act__watch *w, uint32_t revents); /* socket.c */
void act__fd_on_ready(act__watch *w, uint32_t revents);     /* fd.c */

/*
 * A watcher that carries its own ready function (kind ACT__WATCH_CALL), for
 * code that is not one of the providers (the port's tests): it pays the
 * pointer the providers save.
 */
typedef struct act__watch_call {
    act__watch watch;
    void (*call)(act__watch *w, uint32_t revents);
} act__watch_call;

/*
 * A watcher on @fd for @s, of @kind (ACT__WATCH_*), registered for nothing
 * yet.  Leaves w->owner alone.
 */
void act__watch_init(act__watch *w, act_sched *s, int fd, unsigned kind);

/* act__watch_set() when @events differ from what is registered. */
int act__watch_change(act__watch *w, uint32_t events);

/*
 * Register @w for @events (EPOLLIN, EPOLLOUT or both; level-triggered),
 * change its events, or with 0 remove it.  No system call (and no call)
 * when @events is what is registered already.  Removal also drops events
 * already fetched for @w but not yet delivered, so @w may be freed at once;
 * it forgets @w even when epoll_ctl fails (a descriptor closed behind the
 * watcher's back), and then returns that error.
 * Return: 0 or a negative errno (-EINVAL for events beyond EPOLLIN and
 * EPOLLOUT, which a watcher has no room to record; -EPERM for a descriptor
 * epoll refuses, such as a regular file or a directory).
 */
static inline int act__watch_set(act__watch *w, uint32_t events)
{
    return events == w->events ? 0 : act__watch_change(w, events);
}

/*
 * act__watch_init() for a descriptor the caller hands in, once it is known
 * that epoll can watch it: 0; -EBADF when @fd is not open or is an O_PATH
 * one; -EISDIR for a directory; -EPERM for a regular file or a block device
 * (they never block), or for a descriptor epoll refuses although its type
 * passes (/dev/null), which only registering it tells (it is registered
 * once and removed, unless it is a pipe or a socket).  Gives its file
 * status flags in *@flags and its fstat() mode in *@mode.  On failure @w
 * is left registered for nothing; the caller clears it.
 */
int act__watch_open(act__watch *w, act_sched *s, int fd, unsigned kind, int *flags, unsigned *mode);

#endif
