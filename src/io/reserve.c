/*
 * The thread's reserve descriptor (NOTE 1): held while a listening socket
 * is open on the thread, given up for a moment to reset one waiting
 * connection when accept(2) fails for lack of descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reserve.h"

static _Thread_local struct {
    unsigned listeners; /* listening sockets open on this thread */
    int fd;             /* the reserve, -1 when not held */
} reserve = { 0, -1 };

static int reserve_open(void)
{
    reserve.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return reserve.fd < 0 ? -errno : 0;
}

int act__reserve_hold(void)
{
    if (reserve.fd < 0) {
        int rc = reserve_open();
        if (rc < 0)
            return rc;
    }
    reserve.listeners++;
    return 0;
}

void act__reserve_release(void)
{
    if (reserve.listeners == 0 || --reserve.listeners > 0)
        return;
    if (reserve.fd >= 0)
        close(reserve.fd);
    reserve.fd = -1;
}

/* Whether a connection waits on @listener (accept4 fails with EMFILE either way). */
static bool waiting(int listener)
{
    struct pollfd p = { .fd = listener, .events = POLLIN };

    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

bool act__reserve_shed(int listener)
{
    static const struct linger abort_close = { 1, 0 };
    int fd;

    if (!waiting(listener))
        return false;
    if (reserve.fd >= 0) {
        close(reserve.fd);
        fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
            close(fd);
        }
    }
    (void)reserve_open(); /* may fail when another thread took the slot: next time */
    return true;
}

/*
 * NOTE 1: why a reserve.  accept(2) fails with EMFILE or ENFILE before it
 * takes the connection off the listen queue, so the listener stays readable
 * and a level-triggered loop would spin on it.  The classic answer (libev's
 * and libuv's docs) is a descriptor kept in reserve: close it, accept the
 * waiting connection into its slot, close that with a reset (SO_LINGER 0,
 * so the client learns at once and no TIME_WAIT is left), reopen the
 * reserve.  libuv drains the whole backlog that way; here each accept that
 * fails sheds one connection, so a server that pauses on -EMFILE (a timer)
 * loses one connection and keeps the rest, while one that re-issues at once
 * drains the backlog and then sleeps.  The reserve is per thread (one
 * scheduler per thread), held while a listening socket is open, costing
 * one descriptor.  Another thread can take the freed slot between the close
 * and the accept: then nothing is shed that time.  Linux's accept4() takes
 * the descriptor slot before it looks at the queue, so it fails with EMFILE
 * even when no connection waits: a zero-timeout poll, on that path only,
 * tells the two apart.
 */
