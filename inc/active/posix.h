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

/*
 * private: one descriptor in the scheduler's epoll set, 16 bytes on 64-bit
 * (12 on 32-bit).  The port calls the ready function of the watcher's kind
 * (a byte, not a pointer in every watcher); @owner is the owner's own, which
 * the port never reads or writes (act__stream keeps its flags and step ids
 * there, act_fd the events it waits for).
 */
struct act__watch {
    int fd;            /* -1 when unused */
    uint8_t events;    /* EPOLLIN | EPOLLOUT registered, 0 when not */
    uint8_t kind;      /* whose ready function act_port_wait() calls */
    uint16_t owner;    /* the owner's bits: never touched by the port */
    act_sched *sched;
};

#endif
