/*
 * libactive's side of every workload, through its public API only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <active.h>
#include "bench.h"

static long steady_allocs; /* allocations seen inside timed sections */

long bench_active_steady_allocs(void)
{
    return steady_allocs;
}

void bench_active_note_allocs(long n)
{
    steady_allocs += n;
}

static void sched_up(act_sched *s)
{
    BENCH_CHECK(act_sched_init(s) == 0, "act_sched_init");
    act_sched_install(s);
}

static void sched_down(act_sched *s)
{
    act_sched_fini(s);
}

/* An object completing its own request: issue, activate, complete. */
/* The three calls of a self-completion, as a provider-less object would write them. */
static void complete_self3(act_object *ao)
{
    act_status *st = act_object_status(ao);

    act_status_set_pending(st);
    act_set_active(ao);
    act_complete(st, 0);
}

static void nothing_to_cancel(act_object *ao)
{
    (void)ao; /* every request here completes inside its issuing call */
}

/* ---- dispatch, and dispatch beside idle objects (scale) ---- */

struct spin {
    act_object ao;
    act_sched *s;
    long left;
};

static int spin_run(act_object *ao)
{
    struct spin *sp = ACT_CONTAINER_OF(ao, struct spin, ao);

    if (--sp->left <= 0) {
        act_sched_stop(sp->s);
        return 0;
    }
    act_complete_self(ao, 0);
    return 0;
}

static int spin3_run(act_object *ao)
{
    struct spin *sp = ACT_CONTAINER_OF(ao, struct spin, ao);

    if (--sp->left <= 0) {
        act_sched_stop(sp->s);
        return 0;
    }
    complete_self3(ao);
    return 0;
}

static const act_object_ops spin_ops = { spin_run, nothing_to_cancel, NULL };
static const act_object_ops spin3_ops = { spin3_run, nothing_to_cancel, NULL };

/* Time n dispatches of one self-completing object on @s. */
static double spin_for(act_sched *s, long n, const act_object_ops *ops)
{
    struct spin sp = { .s = s, .left = n };
    long a0 = bench_allocs();
    double t0;

    act_object_init(&sp.ao, ops, ACT_PRIORITY_STANDARD);
    act_sched_add(s, &sp.ao);
    act_complete_self(&sp.ao, 0);
    t0 = bench_now_ns();
    act_sched_start(s);
    t0 = bench_now_ns() - t0;
    steady_allocs += bench_allocs() - a0;
    act_object_deque(&sp.ao);
    return t0 / (double)n;
}

static double dispatch(long n)
{
    act_sched s;
    double ns;

    sched_up(&s);
    ns = spin_for(&s, n, &spin_ops);
    sched_down(&s);
    return ns;
}

static double dispatch3(long n)
{
    act_sched s;
    double ns;

    sched_up(&s);
    ns = spin_for(&s, n, &spin3_ops);
    sched_down(&s);
    return ns;
}

/* An object waiting on its own timer. */
struct tobj {
    act_object ao;
    act_timer t;
    long *fired; /* counts runs; stops the scheduler at *fired == target */
};

static long tobj_target;

static int tobj_run(act_object *ao)
{
    struct tobj *o = ACT_CONTAINER_OF(ao, struct tobj, ao);

    if (++*o->fired == tobj_target)
        act_sched_stop(act_sched_current());
    return 0;
}

static void tobj_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct tobj, ao)->t);
}

static const act_object_ops tobj_ops = { tobj_run, tobj_cancel, NULL };

static struct tobj *tobjs_new(act_sched *s, long n, long *fired)
{
    struct tobj *o = malloc((size_t)n * sizeof *o);

    BENCH_CHECK(o != NULL, "malloc timers");
    memset(o, 0, (size_t)n * sizeof *o);
    for (long i = 0; i < n; i++) {
        act_object_init(&o[i].ao, &tobj_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(s, &o[i].ao);
        act_timer_init(&o[i].t, s);
        o[i].fired = fired;
    }
    return o;
}

static void tobj_arm(struct tobj *o, uint64_t usec)
{
    act_timer_after(&o->t, act_object_status(&o->ao), usec);
    act_set_active(&o->ao);
}

/*
 * The timer workloads arm a batch from one reading of the clock
 * (act_timer_at), as the peers arm from their loop's cached time;
 * act_timer_after reads the clock at every call (never early from the call).
 */
static void tobj_arm_at(struct tobj *o, uint64_t deadline)
{
    act_timer_at(&o->t, act_object_status(&o->ao), deadline);
    act_set_active(&o->ao);
}

static void tobjs_free(struct tobj *o, long n)
{
    for (long i = 0; i < n; i++)
        act_object_deque(&o[i].ao);
    free(o);
}

static double scale(enum bench_work w, long n)
{
    act_sched s;
    long idle = bench_scale_idle(w), fired = 0;
    struct tobj *o;
    double ns;

    sched_up(&s);
    o = tobjs_new(&s, idle, &fired);
    for (long i = 0; i < idle; i++)
        tobj_arm(&o[i], BENCH_IDLE_US);
    ns = spin_for(&s, n, &spin_ops);
    tobjs_free(o, idle);
    sched_down(&s);
    return ns;
}

static double scale10(long n) { return scale(W_SCALE10, n); }
static double scale1k(long n) { return scale(W_SCALE1K, n); }
static double scale100k(long n) { return scale(W_SCALE100K, n); }
static double scale1m(long n) { return scale(W_SCALE1M, n); }

/* ---- timers ---- */

static double timer_fire(long n)
{
    act_sched s;
    long fired = 0, a0;
    uint64_t now;
    const uint32_t *d = bench_delays();
    struct tobj *o;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    sched_up(&s);
    o = tobjs_new(&s, n, &fired);
    tobj_target = n;
    a0 = bench_allocs();
    t0 = bench_cpu_ns();
    now = act_now_usec();
    for (long i = 0; i < n; i++)
        tobj_arm_at(&o[i], now + d[i]);
    act_sched_start(&s);
    t0 = bench_cpu_ns() - t0;
    steady_allocs += bench_allocs() - a0;
    BENCH_CHECK(fired == n, "libactive timers: not all fired");
    tobjs_free(o, n);
    sched_down(&s);
    return t0 / (double)n;
}

static double timer_cancel(long n)
{
    act_sched s;
    long fired = 0, a0;
    uint64_t now;
    const uint32_t *d = bench_delays();
    struct tobj *o;
    double t0;

    if (n > BENCH_NDELAYS)
        n = BENCH_NDELAYS;
    sched_up(&s);
    o = tobjs_new(&s, n, &fired);
    a0 = bench_allocs();
    t0 = bench_cpu_ns();
    now = act_now_usec();
    for (long i = 0; i < n; i++)
        tobj_arm_at(&o[i], now + d[i]);
    for (long i = 0; i < n; i++)
        act_cancel(&o[i].ao);
    t0 = bench_cpu_ns() - t0;
    steady_allocs += bench_allocs() - a0;
    BENCH_CHECK(fired == 0, "libactive timers: fired while cancelling");
    tobjs_free(o, n);
    sched_down(&s);
    return t0 / (double)n;
}

/* ---- remote completion ---- */

struct remote;

struct robj {
    act_object ao;
    struct remote *r;
    int i;
};

struct remote {
    act_sched s;
    bench_producer *p;
    long count, n;
    struct robj o[64];
};

static void remote_complete(void *ctx, int i)
{
    struct remote *r = ctx;

    act_complete_remote(&r->s, act_object_status(&r->o[i].ao), 0);
}

static void robj_arm(struct robj *o)
{
    act_status_set_pending(act_object_status(&o->ao));
    act_set_active(&o->ao);
    bench_producer_arm(o->r->p, o->i);
}

static int robj_run(act_object *ao)
{
    struct robj *o = ACT_CONTAINER_OF(ao, struct robj, ao);

    if (++o->r->count >= o->r->n) {
        act_sched_stop(&o->r->s);
        return 0;
    }
    robj_arm(o);
    return 0;
}

static void robj_cancel(act_object *ao)
{
    /* only after the producer has stopped: nobody else can complete it now */
    act_complete(act_object_status(ao), -ECANCELED);
}

static const act_object_ops robj_ops = { robj_run, robj_cancel, NULL };

static double remote(long n, int window)
{
    struct remote *r = calloc(1, sizeof *r);
    double t0;
    long a0;

    BENCH_CHECK(r != NULL, "calloc");
    sched_up(&r->s);
    r->n = n;
    r->p = bench_producer_start(window, remote_complete, r);
    for (int i = 0; i < window; i++) {
        r->o[i].r = r;
        r->o[i].i = i;
        act_object_init(&r->o[i].ao, &robj_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&r->s, &r->o[i].ao);
    }
    a0 = bench_allocs();
    t0 = bench_now_ns();
    for (int i = 0; i < window; i++)
        robj_arm(&r->o[i]);
    act_sched_start(&r->s);
    t0 = bench_now_ns() - t0;
    steady_allocs += bench_allocs() - a0;
    bench_producer_stop(r->p);
    for (int i = 0; i < window; i++)
        act_object_deque(&r->o[i].ao);
    sched_down(&r->s);
    free(r);
    return t0 / (double)n;
}

static double remote1(long n) { return remote(n, 1); }
static double remote64(long n) { return remote(n, 64); }

/* ---- memory ---- */

/* The library state of an armed timer that calls back: the object and its timer, nothing else. */
struct tmem {
    act_object ao;
    act_timer t;
};

static int tmem_run(act_object *ao)
{
    (void)ao;
    return 0;
}

static void tmem_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct tmem, ao)->t);
}

static const act_object_ops tmem_ops = { tmem_run, tmem_cancel, NULL };

static double mem_timer(long n)
{
    act_sched s;
    long rss0;
    struct tmem *o;
    double per;

    sched_up(&s);
    rss0 = bench_rss_bytes();
    o = malloc((size_t)n * sizeof *o);
    BENCH_CHECK(o != NULL, "malloc timers");
    for (long i = 0; i < n; i++) {
        act_object_init(&o[i].ao, &tmem_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &o[i].ao);
        act_timer_init(&o[i].t, &s);
        act_timer_after(&o[i].t, act_object_status(&o[i].ao), BENCH_IDLE_US);
        act_set_active(&o[i].ao);
    }
    per = (double)(bench_rss_bytes() - rss0) / (double)n;
    for (long i = 0; i < n; i++)
        act_object_deque(&o[i].ao);
    free(o);
    sched_down(&s);
    return per;
}

static double mem_object(long n)
{
    act_sched s;
    long rss0;
    act_object *o;
    double per;

    sched_up(&s);
    rss0 = bench_rss_bytes();
    o = malloc((size_t)n * sizeof *o);
    BENCH_CHECK(o != NULL, "malloc objects");
    for (long i = 0; i < n; i++) {
        act_object_init(&o[i], &spin_ops, ACT_PRIORITY_STANDARD);
        act_sched_add(&s, &o[i]);
    }
    per = (double)(bench_rss_bytes() - rss0) / (double)n;
    for (long i = 0; i < n; i++)
        act_object_deque(&o[i]);
    free(o);
    sched_down(&s);
    return per;
}

static const char *sizes(void)
{
    static char buf[200];

    snprintf(buf, sizeof buf, "act_object %zu, act_timer %zu, act_sched %zu, act_pipe %zu, act_socket %zu",
             sizeof(act_object), sizeof(act_timer), sizeof(act_sched), bench_active_pipe_size(),
             bench_active_socket_size());
    return buf;
}

const bench_lib bench_active = {
    .name = "libactive",
    .sizes = sizes,
    .fn = {
        [W_DISPATCH] = dispatch,
        [W_DISPATCH3] = dispatch3,
        [W_REMOTE1] = remote1,
        [W_REMOTE64] = remote64,
        [W_TIMER_FIRE] = timer_fire,
        [W_TIMER_CANCEL] = timer_cancel,
        [W_SCALE10] = scale10,
        [W_SCALE1K] = scale1k,
        [W_SCALE100K] = scale100k,
        [W_SCALE1M] = scale1m,
        [W_MEM_TIMER] = mem_timer,
        [W_MEM_OBJECT] = mem_object,
        [W_LOOP] = bench_active_loop,
        [W_PIPE1] = bench_active_pipe1,
        [W_PIPE4K] = bench_active_pipe4k,
        [W_TCP1] = bench_active_tcp1,
        [W_MEM_PIPE] = bench_active_mem_pipe,
        [W_MEM_TCP] = bench_active_mem_tcp,
    },
    .how = {
        [W_DISPATCH] = "act_complete_self in run",
        [W_DISPATCH3] = "act_status_set_pending + act_set_active + act_complete in run",
        [W_REMOTE1] = "act_complete_remote; run re-issues (set_pending + set_active)",
        [W_REMOTE64] = "act_complete_remote, 64 objects",
        [W_TIMER_FIRE] = "act_timer_at(now + delay), the clock read once a batch, on an act_object's status",
        [W_TIMER_CANCEL] = "act_timer_at(now + delay), then act_cancel(object) (its one signal consumed)",
        [W_SCALE10] = "idle: act_object + act_timer_after(1 h) each",
        [W_MEM_TIMER] = "act_object + act_timer, armed",
        [W_MEM_OBJECT] = "act_object, added",
        [W_LOOP] = "act_sched_run_once(NOWAIT) beside an idle act_pipe_read; the object completed before each",
        [W_PIPE1] = "act_pipe_read_full on an object, act_pipe_write with a bare status",
        [W_PIPE4K] = "act_pipe_read_full on an object, act_pipe_write with a bare status",
        [W_TCP1] = "act_socket_recv_full on an object, act_socket_send with a bare status",
        [W_MEM_PIPE] = "act_pipe + act_object + its 1-byte buffer, reading",
        [W_MEM_TCP] = "accepted act_socket + act_object + 1-byte buffer, receiving",
    },
};
