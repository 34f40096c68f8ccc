/*
 * act_pipe: a thin wrapper over the byte-stream engine (stream.h).  It owns
 * the descriptor (opened, paired, or handed in), the argument checks and the
 * choice of step; readiness, cancel, -EBUSY and late data are the engine's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <active/pipe.h>

#include "stream.h"

int act_pipe_open(act_pipe *p, act_sched *s, int fd)
{
    return act__stream_init(&p->stream, s, fd);
}

/* Take a descriptor the library created: on failure it is closed. */
static int adopt(act_pipe *p, act_sched *s, int fd)
{
    int rc = act__stream_init(&p->stream, s, fd);

    if (rc < 0)
        close(fd);
    return rc;
}

int act_pipe_pair(act_pipe *rd, act_pipe *wr, act_sched *s)
{
    int fds[2];
    int rc;

    act__stream_clear(&rd->stream); /* both closed until they succeed */
    act__stream_clear(&wr->stream);
    if (s == NULL)
        return -EINVAL;
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    rc = adopt(rd, s, fds[0]);
    if (rc < 0) {
        close(fds[1]);
        return rc;
    }
    rc = adopt(wr, s, fds[1]);
    if (rc < 0)
        act_pipe_close(rd);
    return rc;
}

int act_pipe_open_fifo(act_pipe *p, act_sched *s, const char *path, int mode)
{
    int fd;

    act__stream_clear(&p->stream);
    if (s == NULL || path == NULL || (mode != ACT_PIPE_READ && mode != ACT_PIPE_WRITE))
        return -EINVAL;
    fd = open(path, (mode == ACT_PIPE_READ ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    return adopt(p, s, fd);
}

void act_pipe_close(act_pipe *p)
{
    int fd = act__stream_fini(&p->stream);

    if (fd >= 0)
        close(fd);
}

int act_pipe_detach(act_pipe *p)
{
    return act__stream_fini(&p->stream);
}

int act_pipe_fd(const act_pipe *p)
{
    return act__stream_fd(&p->stream);
}

/*
 * Each request tests the usual case in one expression (open in its
 * direction, a buffer, 1 to INT_MAX bytes) and goes straight to the engine;
 * anything else takes the unusual path, which checks in the order the
 * header gives (a closed pipe and a busy direction are the engine's).
 */
static bool usual(const act__stream *s, uint32_t open, const void *buf, size_t len)
{
    return (s->watch.owner & open) != 0 && buf != NULL && len - 1 < (size_t)INT_MAX;
}

static void read_unusual(act_pipe *p, void *buf, size_t len, act_status *st, bool full)
{
    act__stream *s = &p->stream;
    int err = 0;

    if (act__stream_is_open(s) && (s->watch.owner & ACT__STREAM_IN) == 0)
        err = -EBADF;
    else if (buf == NULL && len > 0)
        err = -EINVAL;
    else if (full ? len > INT_MAX : len == 0)
        err = -EINVAL; /* read: "one or more" cannot be met by a 0-byte buffer */
    if (!act__stream_accept(s, &s->rd, st, err))
        return;
    if (len == 0) /* read_full of nothing */
        act__stream_complete(&s->rd, 0);
    else
        act__stream_start_read(s, buf, len > INT_MAX ? (size_t)INT_MAX : len, full);
}

/* Inline into both reads, so that @full is a constant in each. */
static inline void read_request(act_pipe *p, void *buf, size_t len, act_status *st, bool full)
{
    act__stream *s = &p->stream;

    if (!usual(s, ACT__STREAM_IN, buf, len))
        read_unusual(p, buf, len, st, full);
    else if (act__stream_accept(s, &s->rd, st, 0))
        act__stream_start_read(s, buf, len, full);
}

void act_pipe_read(act_pipe *p, void *buf, size_t len, act_status *st)
{
    read_request(p, buf, len, st, false);
}

void act_pipe_read_full(act_pipe *p, void *buf, size_t len, act_status *st)
{
    read_request(p, buf, len, st, true);
}

/* Only a write of nothing gets past these checks. */
static void write_unusual(act_pipe *p, const void *buf, size_t len, act_status *st)
{
    act__stream *s = &p->stream;
    int err = 0;

    if (act__stream_is_open(s) && (s->watch.owner & ACT__STREAM_OUT) == 0)
        err = -EBADF;
    else if ((buf == NULL && len > 0) || len > INT_MAX)
        err = -EINVAL;
    if (act__stream_accept(s, &s->wr, st, err))
        act__stream_complete(&s->wr, 0);
}

void act_pipe_write(act_pipe *p, const void *buf, size_t len, act_status *st)
{
    act__stream *s = &p->stream;

    if (!usual(s, ACT__STREAM_OUT, buf, len))
        write_unusual(p, buf, len, st);
    else if (act__stream_accept(s, &s->wr, st, 0))
        act__stream_start_write(s, buf, len);
}

void act_pipe_cancel_read(act_pipe *p)
{
    act__stream_cancel(&p->stream.rd);
}

void act_pipe_cancel_write(act_pipe *p)
{
    act__stream_cancel(&p->stream.wr);
}

size_t act_pipe_written(const act_pipe *p)
{
    return p->stream.wr.done;
}

size_t act_pipe_received(const act_pipe *p)
{
    return p->stream.rd.done;
}
