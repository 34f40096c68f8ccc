/*
 * libactive's side of the workloads with pipes: the loop iteration,
 * ping-pong over pipes, and the memory of a pipe (TCP: lib_active_tcp.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <active.h>
#include <active/pipe.h>

#include "bench.h"

/*
 * ---- loop iteration: one completed object a pass, beside an idle pipe read ----
 *
 * A pass (act_sched_run_once) polls once and then dispatches up to 64
 * objects, so an object completing itself from its run would get 64 runs a
 * poll.  Here the loop completes it before each pass instead: one dispatch
 * per epoll_wait(0), as the peers' idle watchers get.
 */

struct pass {
    act_object ao;
    long runs;
};

static void complete_now(act_object *ao)
{
    act_status *st = act_object_status(ao);

    act_status_set_pending(st);
    act_set_active(ao);
    act_complete(st, 0);
}

static int pass_run(act_object *ao)
{
    ACT_CONTAINER_OF(ao, struct pass, ao)->runs++;
    return 0;
}

static void pass_cancel(act_object *ao)
{
    (void)ao; /* completes inside its issuing call */
}

static const act_object_ops pass_ops = { pass_run, pass_cancel, NULL };

/* An object reading a pipe that never gets a byte. */
struct reader {
    act_object ao;
    act_pipe *p;
    char byte;
};

static int never_run(act_object *ao)
{
    (void)ao;
    bench_fail("libactive: an idle descriptor became readable");
}

static void reader_cancel(act_object *ao)
{
    act_pipe_cancel_read(ACT_CONTAINER_OF(ao, struct reader, ao)->p);
}

static const act_object_ops reader_ops = { never_run, reader_cancel, NULL };

static void reader_start(struct reader *r, act_sched *s, act_pipe *p)
{
    r->p = p;
    act_object_init(&r->ao, &reader_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(s, &r->ao);
    act_pipe_read(p, &r->byte, 1, act_object_status(&r->ao));
    act_set_active(&r->ao);
}

double bench_active_loop(long n)
{
    act_sched s;
    act_pipe rd, wr;
    struct reader r;
    struct pass p = { .runs = 0 };
    long a0;
    double t0;

    BENCH_CHECK(act_sched_init(&s) == 0, "act_sched_init");
    act_sched_install(&s);
    BENCH_CHECK(act_pipe_pair(&rd, &wr, &s) == 0, "act_pipe_pair");
    reader_start(&r, &s, &rd);
    act_object_init(&p.ao, &pass_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&s, &p.ao);
    act_sched_run_once(&s, ACT_RUN_NOWAIT); /* register the pipe first */
    a0 = bench_allocs();
    t0 = bench_now_ns();
    for (long i = 0; i < n; i++) {
        complete_now(&p.ao);
        act_sched_run_once(&s, ACT_RUN_NOWAIT);
    }
    t0 = bench_now_ns() - t0;
    BENCH_CHECK(p.runs == n, "libactive loop: one run a pass");
    bench_active_note_allocs(bench_allocs() - a0);
    act_object_deque(&p.ao);
    act_object_deque(&r.ao);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    act_sched_fini(&s);
    return t0 / (double)n;
}

/* ---- ping-pong: an object per side reads (read_full), then writes with a bare status ---- */

struct side {
    act_object ao;
    act_pipe *rd, *wr;
    act_status wst; /* the write's: completes inside act_pipe_write when it fits */
    act_sched *s;
    bench_pp *pp;
    int who;
};

static void side_read(struct side *sd)
{
    act_pipe_read_full(sd->rd, sd->pp->buf[sd->who], sd->pp->size, act_object_status(&sd->ao));
    act_set_active(&sd->ao);
}

static void side_send(struct side *sd)
{
    if (act_status_pending(&sd->wst))
        act_wait_for_request(&sd->wst); /* the last one did not fit at once */
    act_pipe_write(sd->wr, sd->pp->buf[sd->who], sd->pp->size, &sd->wst);
}

static int side_run(act_object *ao)
{
    struct side *sd = ACT_CONTAINER_OF(ao, struct side, ao);
    int got = act_status_result(act_object_status(ao));

    BENCH_CHECK(got == (int)sd->pp->size, "libactive ping-pong: short read");
    if (sd->who == PP_A && --sd->pp->left == 0) {
        act_sched_stop(sd->s);
        return 0;
    }
    side_read(sd); /* before the write: the answer may come back on the next pass */
    side_send(sd);
    return 0;
}

static void side_cancel(act_object *ao)
{
    act_pipe_cancel_read(ACT_CONTAINER_OF(ao, struct side, ao)->rd);
}

static const act_object_ops side_ops = { side_run, side_cancel, NULL };

static double pingpong(long n, size_t size)
{
    act_sched s;
    bench_pp *pp = malloc(sizeof *pp);
    act_pipe pipes[4];
    struct side sd[2];
    long a0;
    double t0;

    BENCH_CHECK(pp != NULL, "malloc");
    BENCH_CHECK(act_sched_init(&s) == 0, "act_sched_init");
    act_sched_install(&s);
    bench_pp_open(pp, 0, size, n);
    for (int who = 0; who < 2; who++) {
        struct side *x = &sd[who];
        memset(x, 0, sizeof *x);
        x->rd = &pipes[2 * who];
        x->wr = &pipes[2 * who + 1];
        BENCH_CHECK(act_pipe_open(x->rd, &s, pp->rd[who]) == 0, "act_pipe_open");
        BENCH_CHECK(act_pipe_open(x->wr, &s, pp->wr[who]) == 0, "act_pipe_open");
        x->s = &s;
        x->pp = pp;
        x->who = who;
        act_object_init(&x->ao, &side_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &x->ao);
        side_read(x);
    }
    act_sched_run_once(&s, ACT_RUN_NOWAIT); /* register the descriptors first */
    a0 = bench_allocs();
    t0 = bench_now_ns();
    side_send(&sd[PP_A]);
    act_sched_start(&s);
    t0 = bench_now_ns() - t0;
    bench_active_note_allocs(bench_allocs() - a0);
    for (int who = 0; who < 2; who++) {
        act_object_deque(&sd[who].ao);
        act_wait_for_request(&sd[who].wst);
        act_pipe_close(sd[who].rd);
        act_pipe_close(sd[who].wr);
    }
    act_sched_fini(&s);
    free(pp);
    return t0 / (double)n;
}

double bench_active_pipe1(long n) { return pingpong(n, 1); }
double bench_active_pipe4k(long n) { return pingpong(n, 4096); }

/* ---- memory: an act_pipe and the object whose 1-byte read is outstanding ---- */

struct pmem {
    act_object ao;
    act_pipe p;
    char byte;
};

static void pmem_cancel(act_object *ao)
{
    act_pipe_cancel_read(&ACT_CONTAINER_OF(ao, struct pmem, ao)->p);
}

static const act_object_ops pmem_ops = { never_run, pmem_cancel, NULL };

double bench_active_mem_pipe(long n)
{
    act_sched s;
    int *fds = malloc((size_t)n * sizeof *fds);
    struct pmem *m;
    long rss0;

    BENCH_CHECK(fds != NULL, "malloc");
    BENCH_CHECK(act_sched_init(&s) == 0, "act_sched_init");
    act_sched_install(&s);
    for (long i = 0; i < n; i++) {
        int fd[2];
        BENCH_CHECK(pipe2(fd, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
        fds[i] = fd[0];
    }
    rss0 = bench_rss_bytes();
    m = malloc((size_t)n * sizeof *m);
    BENCH_CHECK(m != NULL, "malloc");
    for (long i = 0; i < n; i++) {
        BENCH_CHECK(act_pipe_open(&m[i].p, &s, fds[i]) == 0, "act_pipe_open");
        act_object_init(&m[i].ao, &pmem_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &m[i].ao);
        act_pipe_read(&m[i].p, &m[i].byte, 1, act_object_status(&m[i].ao));
        act_set_active(&m[i].ao);
    }
    act_sched_run_once(&s, ACT_RUN_NOWAIT);
    return (double)(bench_rss_bytes() - rss0) / (double)n; /* in a child: nothing freed */
}

size_t bench_active_pipe_size(void)
{
    return sizeof(act_pipe);
}
