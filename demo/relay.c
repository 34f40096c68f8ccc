/*
 * relay: copy stdin to stdout through the scheduler, with an optional idle
 * timeout that cancels the read when the input goes quiet.
 *
 *   some-command | relay [--idle-timeout SECONDS] | other-command
 *
 * At the end it prints "relay: N bytes relayed (REASON)" on stderr, REASON
 * being "end of input" or "idle for S s".  Exit status: 0 at end of input or
 * idle timeout, 1 when reading or writing failed (a reader that went away
 * gives "stdout: EPIPE", never a SIGPIPE), 2 for a usage error.
 *
 * Two active objects: the copier (a read, then a write of what came, then
 * the next read) and the idle timer, armed only while a read waits.  When
 * stdin or stdout is a regular file (or /dev/null), which epoll cannot
 * watch and which never blocks, that end does plain I/O and completes its
 * request inside the call: the owner's code is the same either way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <active.h>
#include <active/pipe.h>

/* One end: an act_pipe, or a file served in the call. */
struct end {
    act_pipe pipe;
    int fd;
    bool direct;
    size_t written; /* direct: bytes of the last write that went out */
};

struct relay {
    act_object copier;  /* reads into buf, then writes what came */
    act_object idle;    /* its timer fires when a read waits too long */
    act_timer timer;
    struct end in, out;
    bool writing;       /* the copier's request is a write */
    uint64_t idle_usec; /* 0: no idle timeout */
    uint64_t relayed;
    const char *reason; /* why it stopped, or NULL */
    int exit_code;
    char buf[64 * 1024];
};

static int end_open(struct end *e, act_sched *s, int fd)
{
    int rc = act_pipe_open(&e->pipe, s, fd);

    e->fd = fd;
    e->direct = rc == -EPERM; /* a regular file: it never blocks */
    return e->direct ? 0 : rc;
}

static void end_read(struct end *e, void *buf, size_t len, act_status *st)
{
    ssize_t n;

    if (!e->direct) {
        act_pipe_read(&e->pipe, buf, len, st);
        return;
    }
    act_status_set_pending(st);
    do
        n = read(e->fd, buf, len);
    while (n < 0 && errno == EINTR);
    act_complete(st, n < 0 ? -errno : (int)n);
}

static void end_write(struct end *e, const char *buf, size_t len, act_status *st)
{
    size_t done = 0;

    if (!e->direct) {
        act_pipe_write(&e->pipe, buf, len, st);
        return;
    }
    act_status_set_pending(st);
    while (done < len) {
        ssize_t n = write(e->fd, buf + done, len - done);
        if (n < 0 && errno != EINTR)
            break;
        done += n > 0 ? (size_t)n : 0;
    }
    e->written = done;
    act_complete(st, done == len ? (int)len : -errno);
}

static void end_close(struct end *e)
{
    if (!e->direct)
        (void)act_pipe_detach(&e->pipe); /* restores the descriptor's flags, keeps it open */
}

static void stop(struct relay *r, const char *reason, int exit_code)
{
    r->reason = reason;
    r->exit_code = exit_code;
    act_cancel(&r->idle);
    act_sched_stop(act_sched_current());
}

static void start_read(struct relay *r)
{
    r->writing = false;
    end_read(&r->in, r->buf, sizeof r->buf, act_object_status(&r->copier));
    act_set_active(&r->copier);
    if (r->idle_usec != 0) {
        act_timer_after(&r->timer, act_object_status(&r->idle), r->idle_usec);
        act_set_active(&r->idle);
    }
}

static int copier_run(act_object *ao)
{
    struct relay *r = ACT_CONTAINER_OF(ao, struct relay, copier);
    int result = act_status_result(act_object_status(ao));

    if (r->writing) {
        if (result < 0) {
            r->relayed += r->out.direct ? r->out.written : act_pipe_written(&r->out.pipe);
            fprintf(stderr, "relay: stdout: %s\n", act_strerror(result));
            stop(r, "write failed", 1);
            return 0;
        }
        r->relayed += (uint64_t)result;
        start_read(r);
        return 0;
    }
    act_cancel(&r->idle); /* the input spoke (or ended) */
    if (result <= 0) {
        if (result < 0)
            fprintf(stderr, "relay: stdin: %s\n", act_strerror(result));
        stop(r, result == 0 ? "end of input" : "read failed", result == 0 ? 0 : 1);
        return 0;
    }
    r->writing = true;
    end_write(&r->out, r->buf, (size_t)result, act_object_status(ao));
    act_set_active(ao);
    return 0;
}

static void copier_cancel(act_object *ao)
{
    struct relay *r = ACT_CONTAINER_OF(ao, struct relay, copier);

    if (r->writing)
        act_pipe_cancel_write(&r->out.pipe);
    else
        act_pipe_cancel_read(&r->in.pipe);
}

static int idle_run(act_object *ao)
{
    struct relay *r = ACT_CONTAINER_OF(ao, struct relay, idle);

    act_cancel(&r->copier); /* the read: its buffer is ours again at once */
    if (act_status_result(act_object_status(&r->copier)) != -ECANCELED)
        return copier_run(&r->copier); /* it completed first: its bytes still count */
    stop(r, "idle", 0);
    return 0;
}

static void idle_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct relay, idle)->timer);
}

static const act_object_ops copier_ops = { copier_run, copier_cancel, NULL };
static const act_object_ops idle_ops = { idle_run, idle_cancel, NULL };

static int usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--idle-timeout SECONDS]\n"
                    "copies stdin to stdout; with --idle-timeout, stops when no input came for\n"
                    "SECONDS (a decimal > 0); prints the bytes relayed on stderr\n", prog);
    return 2;
}

/* Parse the command line into @idle_usec; false on a usage error. */
static bool parse(int argc, char **argv, uint64_t *idle_usec)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        char *end;
        double sec;

        if (strcmp(arg, "--idle-timeout") == 0 && i + 1 < argc)
            arg = argv[++i];
        else if (strncmp(arg, "--idle-timeout=", 15) == 0)
            arg += 15;
        else
            return false;
        sec = strtod(arg, &end);
        if (end == arg || *end != '\0' || !(sec > 0.0 && sec <= 1e6))
            return false;
        *idle_usec = (uint64_t)(sec * 1e6);
        if (*idle_usec == 0)
            *idle_usec = 1; /* under 1 us is still a timeout: 0 would mean none */
    }
    return true;
}

int main(int argc, char **argv)
{
    static struct relay r; /* 64 KiB of buffer: not on the stack */
    act_sched s;
    int rc;

    if (!parse(argc, argv, &r.idle_usec))
        return usage(argv[0]);
    if (act_sched_init(&s) < 0)
        return 1;
    rc = end_open(&r.in, &s, STDIN_FILENO);
    if (rc == 0 && (rc = end_open(&r.out, &s, STDOUT_FILENO)) < 0)
        end_close(&r.in);
    if (rc < 0) {
        fprintf(stderr, "relay: cannot serve stdin/stdout: %s\n", act_strerror(rc));
        return 1;
    }
    act_object_init(&r.copier, &copier_ops, ACT_PRIORITY_STANDARD);
    act_object_init(&r.idle, &idle_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&s, &r.copier);
    act_sched_add(&s, &r.idle);
    act_timer_init(&r.timer, &s);
    start_read(&r);
    act_sched_start(&s); /* until stop(): nothing is outstanding then */
    end_close(&r.in);
    end_close(&r.out);
    act_sched_fini(&s);
    if (r.reason != NULL && strcmp(r.reason, "idle") == 0)
        fprintf(stderr, "relay: %llu bytes relayed (idle for %g s)\n",
                (unsigned long long)r.relayed, (double)r.idle_usec / 1e6);
    else
        fprintf(stderr, "relay: %llu bytes relayed (%s)\n", (unsigned long long)r.relayed,
                r.reason != NULL ? r.reason : "stopped");
    return r.exit_code;
}
