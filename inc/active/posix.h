/**
 * DOC: the Linux port's descriptor watchers (POSIX only)
 *
 * Providers that wait for descriptors (pipes, sockets, act_fd_wait) embed an
 * act__watch and register it with the scheduler's epoll set.  The struct is
 * here only because those providers' structs are caller-allocated; users never
 * touch it.
 */
#ifndef ACTIVE_POSIX_H
#define ACTIVE_POSIX_H

#include "base.h"

typedef struct act__watch act__watch;

/* private: one descriptor in the scheduler's epoll set. */
struct act__watch {
    int fd;                                       /* -1 when unused */
    uint32_t events;                              /* EPOLL* bits registered, 0 when not */
    void (*cb)(act__watch *w, uint32_t revents);  /* called from act_port_wait() */
    act_sched *sched;
};

#endif
