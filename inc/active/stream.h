/**
 * DOC: the byte-stream engine's layout (POSIX only; private)
 *
 * act_pipe (and act_socket) embed an act__stream: one descriptor watcher and
 * one request slot per direction.  The layout is here only because those
 * structs are caller-allocated; users never touch it.  The engine's functions
 * are internal (src/io/stream.h); doc/pipes.md describes the model.
 */
#ifndef ACTIVE_STREAM_H
#define ACTIVE_STREAM_H

#include "base.h"
#include "posix.h"
#include "status.h"

typedef struct act__stream act__stream;
typedef struct act__stream_req act__stream_req;
struct act__stream_ops;

/*
 * private: one direction's request.  Idle when @status is NULL; @done keeps
 * the last request's byte count until the next request in this direction.
 */
struct act__stream_req {
    act_status *status;                              /* the outstanding request, NULL when idle */
    int (*step)(act__stream *st, act__stream_req *rq); /* the I/O attempt: a result or ACT_PENDING */
    union {
        void *in;                                    /* a read's buffer */
        const void *out;                             /* a write's buffer */
    } buf;                                           /* the caller's buffer, NULL when idle */
    size_t len;                                      /* its length */
    size_t done;                                     /* bytes moved by the current or last request */
    void *aux;                                       /* what a step needs besides (peer address, ...) */
};

/* private: a stream descriptor served by one scheduler. */
struct act__stream {
    act__watch watch;                   /* fd (-1 when closed) and the registered events */
    const struct act__stream_ops *ops;  /* read and write primitives for the fd's type */
    act__stream_req rd;                 /* the read direction (EPOLLIN) */
    act__stream_req wr;                 /* the write direction (EPOLLOUT) */
    uint32_t flags;                     /* ACT__STREAM_* in src/io/stream.h */
};

#endif
