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

/*
 * private: one direction's request, three words on 64-bit.  Idle when
 * @status is NULL; @buf and @len mean something only while it is not;
 * @done keeps the last request's byte count until the next request in this
 * direction.  Lengths are at most INT_MAX (the requests' results are int).
 */
struct act__stream_req {
    act_status *status; /* the outstanding request, NULL when idle */
    union {
        void *in;       /* a read's buffer */
        const void *out; /* a write's buffer */
    } buf;
    uint32_t len;       /* the buffer's length */
    uint32_t done;      /* bytes moved by the current or last request */
};

/*
 * private: a stream descriptor served by one scheduler, 64 bytes on 64-bit
 * (44 on 32-bit).  The watcher's owner bits hold the stream's flags and the
 * step id of each slot's request (src/io/stream.h).
 */
struct act__stream {
    act__watch watch;   /* fd (-1 when closed), registered events, kind; owner: flags, step ids */
    act__stream_req rd; /* the read direction (EPOLLIN) */
    act__stream_req wr; /* the write direction (EPOLLOUT) */
};

#endif
