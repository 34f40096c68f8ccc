/*
 * Internal to the Linux port and the POSIX providers (src/io): registering
 * descriptor watchers with the scheduler's epoll set.
 */
#ifndef ACT_PORT_POSIX_WATCH_H
#define ACT_PORT_POSIX_WATCH_H

#include <active/posix.h>

/* A watcher on @fd for @s, registered for nothing yet. */
void act__watch_init(act__watch *w, act_sched *s, int fd, void (*cb)(act__watch *, uint32_t));

/* act__watch_set() when @events differ from what is registered. */
int act__watch_change(act__watch *w, uint32_t events);

/*
 * Register @w for @events (EPOLLIN, EPOLLOUT, ...; level-triggered), change
 * its events, or with 0 remove it.  No system call (and no call) when
 * @events is what is registered already.  Removal also drops events already
 * fetched for @w but not yet delivered, so @w may be freed at once; it
 * forgets @w even when epoll_ctl fails (a descriptor closed behind the
 * watcher's back), and then returns that error.
 * Return: 0 or a negative errno (-EPERM for a descriptor epoll refuses, such
 * as a regular file or a directory).
 */
static inline int act__watch_set(act__watch *w, uint32_t events)
{
    return events == w->events ? 0 : act__watch_change(w, events);
}

#endif
