/*
 * act_fd: readiness of any descriptor as a cancellable request.  The epoll
 * interest follows the events of the current wait and stays registered after
 * it completes, so re-waiting for the same events costs no epoll_ctl; a
 * readiness event that finds no wait removes the descriptor from the set, so
 * level-triggering cannot spin (the same rule as stream.c's NOTE 2).
 */
#include <errno.h>
#include <sys/epoll.h>

#include <active/fd.h>

#include "../core/internal.h"
#include "../port/posix/watch.h"

static uint32_t interest(int events)
{
    return ((events & ACT_FD_READABLE) ? (uint32_t)EPOLLIN : 0u)
           | ((events & ACT_FD_WRITABLE) ? (uint32_t)EPOLLOUT : 0u);
}

static int readiness(uint32_t revents)
{
    return ((revents & EPOLLIN) ? ACT_FD_READABLE : 0)
           | ((revents & EPOLLOUT) ? ACT_FD_WRITABLE : 0)
           | ((revents & EPOLLERR) ? ACT_FD_ERROR : 0)
           | ((revents & EPOLLHUP) ? ACT_FD_HANGUP : 0);
}

static void finish(act_fd *w, int result)
{
    act_status *st = w->status;

    w->status = NULL;
    act_complete(st, result);
}

/* The ready function of ACT__WATCH_FD. */
void act__fd_on_ready(act__watch *watch, uint32_t revents)
{
    act_fd *w = ACT_CONTAINER_OF(watch, act_fd, watch);
    int ready;

    if (w->status == NULL) {
        (void)act__watch_set(watch, 0); /* nobody waits: leave the set */
        return;
    }
    ready = readiness(revents) & (watch->owner | ACT_FD_ERROR | ACT_FD_HANGUP);
    if (ready != 0)
        finish(w, ready);
}

/* Closed: no scheduler, as in a zeroed act_fd, which is closed too. */
static void clear(act_fd *w)
{
    w->watch.fd = -1;
    w->watch.events = 0;
    w->watch.owner = 0;
    w->watch.sched = NULL;
    w->status = NULL;
}

int act_fd_init(act_fd *w, act_sched *s, int fd)
{
    unsigned mode;
    int fl, rc;

    clear(w);
    if (s == NULL)
        return -EINVAL;
    rc = act__watch_open(&w->watch, s, fd, ACT__WATCH_FD, &fl, &mode);
    if (rc < 0)
        clear(w);
    return rc;
}

void act_fd_fini(act_fd *w)
{
    if (w->watch.sched == NULL)
        return;
    act_fd_cancel(w);
    (void)act__watch_set(&w->watch, 0);
    clear(w);
}

void act_fd_wait(act_fd *w, int events, act_status *st)
{
    int err = 0;

    if (!act__status_issue(st))
        return;
    if (w->watch.sched == NULL)
        err = -EBADF;
    else if (events == 0 || (events & ~(ACT_FD_READABLE | ACT_FD_WRITABLE)) != 0)
        err = -EINVAL;
    else if (w->status != NULL)
        err = -EBUSY;
    else
        err = act__watch_set(&w->watch, interest(events));
    if (err < 0) {
        act_complete(st, err);
        return;
    }
    w->status = st;
    w->watch.owner = (uint16_t)events;
}

void act_fd_cancel(act_fd *w)
{
    if (w->status != NULL)
        finish(w, -ECANCELED);
}
