/*
 * Dispatch and cancel against a reference model (rules 1 to 4): 32 objects
 * go through a long, fixed-seed random sequence of requests, completions
 * (later, inside the issuing call, by the object itself, from another
 * thread), cancels, priority changes and passes.  The library must agree
 * with a model kept here in plain arrays: every run is the one the model
 * expects next, for the request and with the result it expects, and after
 * every step each object's activity, status word and priority are the
 * model's, and so is the ready queue itself (check_queue(), white-box).
 *
 * The model's rules, as sched.h and object.h state them:
 *   - an object is ready from its completion until its run or its cancel;
 *   - a completion takes its place in the order when the scheduler sees it:
 *     act_complete() and act_complete_self() at once, a remote completion
 *     when gathered (oldest first), by a pass before it dispatches or by a
 *     cancel that has to wait: for a completion not yet gathered, or for a
 *     do_cancel that completes from another thread (a cancel whose signal
 *     is queued already gathers nothing: sched.c, act__sched_await());
 *   - a pass gathers, then runs up to 64 objects more than it gathered,
 *     each time the ready one of highest priority and, among equals, the one
 *     that completed first, including those completed by runs in the pass;
 *   - a cancel runs nothing: a pending request completes with -ECANCELED
 *     (do_cancel is called once), a completed one keeps its result.
 * A run may complete its own object again (act_complete_self(): a chain,
 * long enough now and then to outlast a pass's quantum), and complete or
 * cancel a peer, so that the queue changes in the middle of a pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(sched_model, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

enum { NOBJ = 32, QUANTUM = 64 };

/* The object the library sees. */
struct mobj {
    act_object base;
    struct harness *h;
    int id;
    int cancels;        /* do_cancel calls */
    bool cancel_remote; /* do_cancel completes from another thread */
    bool remote_started;
    fx_remote remote;
};

/* What the model says about one object. */
enum mstate {
    IDLE,    /* inactive, nothing undelivered */
    PENDING, /* active, request outstanding */
    READY,   /* active, completed and seen: queued */
    REMOTE   /* active, completed from another thread, not gathered yet */
};

/* What a run does after checking itself, besides a chain. */
enum peer_op { PEER_NONE, PEER_COMPLETE, PEER_CANCEL };

struct mmodel {
    enum mstate state;
    int prio;
    unsigned req;        /* the request number, counted per object */
    int result;          /* the status word's result */
    unsigned long order; /* READY: completion order; REMOTE: push order */
    int cancels;         /* do_cancel calls */
    int chain;           /* how many more times its runs complete it again */
    enum peer_op peer_op;
    int peer;
};

struct stats {
    long passes, runs, quantum_cut, chains, remote, cancel[REMOTE + 1], cancel_remote, reprio, peer_ops;
};

struct harness {
    struct mobj obj[NOBJ];
    struct mmodel model[NOBJ];
    const int *prios; /* what priorities are drawn from */
    int nprios;
    uint64_t rng;
    unsigned long seq;    /* completions seen so far */
    unsigned long pushes; /* remote completions so far */
    int quantum;          /* of the pass under way */
    int ran;              /* runs in the pass under way */
    long step;
    const char *op;
    struct stats stats;
};

static const char *const state_name[] = { "idle", "pending", "ready", "remote" };

/* @id: the object, or -1 for the scheduler as a whole. */
static void expect_eq(const struct harness *h, int id, const char *what, long want, long got)
{
    if (want == got)
        return;
    if (id < 0)
        cr_assert_fail("step %ld (%s): %s: expected %ld, got %ld", h->step, h->op, what, want, got);
    cr_assert_fail("step %ld (%s): object %d: %s: expected %ld, got %ld", h->step, h->op, id, what, want, got);
}

static unsigned pick(struct harness *h, unsigned n)
{
    return (unsigned)(fx_random(&h->rng) % n);
}

/* --- the model --- */

/* Gather the remote completions, oldest first; return how many. */
static int model_gather(struct harness *h)
{
    int gathered = 0;

    for (;;) {
        int oldest = -1;

        for (int i = 0; i < NOBJ; i++) {
            if (h->model[i].state == REMOTE && (oldest < 0 || h->model[i].order < h->model[oldest].order))
                oldest = i;
        }
        if (oldest < 0)
            return gathered;
        h->model[oldest].state = READY;
        h->model[oldest].order = ++h->seq;
        gathered++;
    }
}

/* Whether ready object @a runs before ready object @b: higher priority, then first completed. */
static bool runs_before(const struct harness *h, int a, int b)
{
    const struct mmodel *ma = &h->model[a], *mb = &h->model[b];

    return ma->prio > mb->prio || (ma->prio == mb->prio && ma->order < mb->order);
}

/* The ready object to run next; -1 if none. */
static int model_next(const struct harness *h)
{
    int best = -1;

    for (int i = 0; i < NOBJ; i++) {
        if (h->model[i].state == READY && (best < 0 || runs_before(h, i, best)))
            best = i;
    }
    return best;
}

/* The ready objects in the order they will run, into @ids; return how many. */
static int model_ready(const struct harness *h, int *ids)
{
    int n = 0;

    for (int i = 0; i < NOBJ; i++) {
        int k;

        if (h->model[i].state != READY)
            continue;
        for (k = n++; k > 0 && runs_before(h, i, ids[k - 1]); k--) /* insertion sort */
            ids[k] = ids[k - 1];
        ids[k] = i;
    }
    return n;
}

static void model_complete(struct harness *h, int i, int result)
{
    h->model[i].state = READY;
    h->model[i].result = result;
    h->model[i].order = ++h->seq;
}

static void model_complete_remote(struct harness *h, int i, int result)
{
    h->model[i].state = REMOTE;
    h->model[i].result = result;
    h->model[i].order = ++h->pushes;
    h->stats.remote++;
}

/* --- the operations: each does it to the library and to the model --- */

static int random_result(struct harness *h)
{
    static const int errs[] = { -EIO, -ETIMEDOUT, -ECONNRESET, -EBUSY };

    if (pick(h, 4) == 0)
        return errs[pick(h, 4)];
    return (int)pick(h, 1000000);
}

/* A new request on an idle object, and what its run will do. */
static void new_request(struct harness *h, int i)
{
    struct mmodel *m = &h->model[i];
    unsigned r = pick(h, 200);

    m->req++;
    m->chain = r < 170 ? 0 : r < 199 ? 1 + (int)(r % 3) : QUANTUM + 6;
    h->stats.chains += m->chain > 0;
    r = pick(h, 100);
    m->peer_op = r < 85 ? PEER_NONE : r < 92 ? PEER_COMPLETE : PEER_CANCEL;
    m->peer = (int)pick(h, NOBJ);
}

static void op_issue(struct harness *h, int i)
{
    h->op = "issue";
    new_request(h, i);
    act_status_set_pending(act_object_status(&h->obj[i].base));
    act_set_active(&h->obj[i].base);
    h->model[i].state = PENDING;
    h->model[i].result = ACT_PENDING;
}

/* The provider completes the request inside the issuing call, here or from another thread. */
static void op_issue_completed(struct harness *h, int i, bool remote)
{
    act_status *st = act_object_status(&h->obj[i].base);
    int result = random_result(h);

    h->op = remote ? "issue, completed remotely before set_active" : "issue, completed before set_active";
    new_request(h, i);
    act_status_set_pending(st);
    if (remote) {
        fx_complete_remote(st, result);
        model_complete_remote(h, i, result);
    } else {
        act_complete(st, result);
        model_complete(h, i, result);
    }
    act_set_active(&h->obj[i].base);
}

static void op_complete_self(struct harness *h, int i)
{
    int result = random_result(h);

    h->op = "act_complete_self";
    new_request(h, i);
    act_complete_self(&h->obj[i].base, result);
    model_complete(h, i, result);
}

/* Complete a pending request, here or from another thread. */
static void op_complete(struct harness *h, int i, bool remote)
{
    act_status *st = act_object_status(&h->obj[i].base);
    int result = random_result(h);

    if (remote) {
        h->op = "act_complete_remote";
        fx_complete_remote(st, result);
        model_complete_remote(h, i, result);
    } else {
        h->op = "act_complete";
        act_complete(st, result);
        model_complete(h, i, result);
    }
}

static void op_cancel(struct harness *h, int i)
{
    struct mobj *o = &h->obj[i];
    struct mmodel *m = &h->model[i];

    o->cancel_remote = m->state == PENDING && pick(h, 5) == 0;
    h->op = o->cancel_remote ? "act_cancel, do_cancel completing remotely" : "act_cancel";
    h->stats.cancel[m->state]++;
    h->stats.cancel_remote += o->cancel_remote;
    act_cancel(&o->base);
    if (o->remote_started)
        fx_remote_join(&o->remote);
    o->remote_started = false;
    if (m->state == REMOTE || o->cancel_remote)
        (void)model_gather(h); /* the cancel waited, gathering */
    if (m->state == PENDING) {
        m->cancels++;
        m->result = -ECANCELED;
    }
    m->state = IDLE;
    m->chain = 0; /* the plan belonged to the cancelled request */
    m->peer_op = PEER_NONE;
}

static void op_set_priority(struct harness *h, int i)
{
    int prio = h->prios[pick(h, (unsigned)h->nprios)];

    h->op = "act_object_set_priority";
    act_object_set_priority(&h->obj[i].base, prio);
    h->model[i].prio = prio;
    h->stats.reprio++;
}

/* A run, for a failure message: the object's model entry before it ran. */
static const char *describe(const struct harness *h, int i, char *buf, size_t size)
{
    if (i < 0)
        return "no run";
    snprintf(buf, size, "object %d (priority %d, request %u, result %d)", i, h->model[i].prio, h->model[i].req,
             h->model[i].result);
    return buf;
}

/* A pass: the runs themselves check that each is the one the model expects (mobj_run). */
static void op_pass(struct harness *h)
{
    char want[100];
    int ran;
    int next;

    h->op = "act_sched_run_once";
    h->quantum = QUANTUM + model_gather(h);
    h->ran = 0;
    ran = act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    h->op = "act_sched_run_once";
    next = h->ran < h->quantum ? model_next(h) : -1;
    if (next >= 0)
        cr_assert_fail("step %ld (pass): run %d: expected %s, got no run", h->step, h->ran,
                       describe(h, next, want, sizeof want));
    expect_eq(h, -1, "runs returned by act_sched_run_once", h->ran, ran);
    h->quantum = 0;
    h->stats.passes++;
    h->stats.runs += ran;
    h->stats.quantum_cut += model_next(h) >= 0;
}

/* --- the object's callbacks --- */

/* The run's own request: complete itself again, then complete or cancel a peer. */
static void run_plan(struct harness *h, int i)
{
    struct mmodel *m = &h->model[i];
    enum peer_op op = m->peer_op;
    int peer = m->peer;

    m->peer_op = PEER_NONE;
    if (m->chain > 0) {
        h->op = "act_complete_self in run";
        m->chain--;
        m->req++;
        act_complete_self(&h->obj[i].base, (int)m->req);
        model_complete(h, i, (int)m->req);
    }
    if (op == PEER_COMPLETE && h->model[peer].state == PENDING)
        op_complete(h, peer, pick(h, 4) == 0);
    else if (op == PEER_CANCEL)
        op_cancel(h, peer);
    h->stats.peer_ops += op != PEER_NONE;
}

static int mobj_run(act_object *ao)
{
    struct mobj *o = ACT_CONTAINER_OF(ao, struct mobj, base);
    struct harness *h = o->h;
    int want = h->ran < h->quantum ? model_next(h) : -1;
    char wbuf[100], gbuf[100];

    const char *during = h->quantum > 0 ? "pass" : h->op; /* a run outside a pass is wrong too */

    if (want != o->id || act_status_result(act_object_status(ao)) != h->model[o->id].result)
        cr_assert_fail("step %ld (%s): run %d: expected %s, got object %d (result %d; the model: %s %s)", h->step,
                       during, h->ran, describe(h, want, wbuf, sizeof wbuf), o->id,
                       act_status_result(act_object_status(ao)), state_name[h->model[o->id].state],
                       describe(h, o->id, gbuf, sizeof gbuf));
    if (act_is_active(ao) || act_status_pending(act_object_status(ao)))
        cr_assert_fail("step %ld (%s): run %d: object %d active (%d) or pending (%d) in its run", h->step, during,
                       h->ran, o->id, act_is_active(ao), act_status_pending(act_object_status(ao)));
    h->ran++;
    h->model[o->id].state = IDLE;
    run_plan(h, o->id);
    return 0;
}

static void mobj_cancel(act_object *ao)
{
    struct mobj *o = ACT_CONTAINER_OF(ao, struct mobj, base);

    o->cancels++;
    if (o->cancel_remote) {
        fx_remote_start(&o->remote, act_object_status(ao), -ECANCELED, 0);
        o->remote_started = true;
    } else {
        act_complete(act_object_status(ao), -ECANCELED);
    }
}

/* --- the workload --- */

/* The fixture's check, with the step: no panic is expected here. */
static void step_panic(const char *rule, const char *detail, void *arg)
{
    const struct harness *h = arg;

    cr_assert_fail("step %ld (%s): unexpected panic %s: %s", h->step, h->op, rule, detail);
}

/*
 * White-box, the one place that reads the scheduler's private fields
 * (sched.h): the ready queue holds the model's ready objects in the order
 * they will run, ready_tail is the last, and ready_tail_prev (not kept with
 * ACT_OPTIMIZE_SIZE) is NULL or the link before it.  Runs cannot see that
 * bookkeeping: a stale tail or tail_prev only makes appends and removals
 * walk, and the queue stays in order.
 */
static void check_queue(const struct harness *h)
{
    const act_sched *s = fx_sched();
    const act__link *prev = &s->ready;
    int want[NOBJ];
    int n = model_ready(h, want);
    int k = 0;

    for (const act__link *l = s->ready.next; l != NULL && k <= n; prev = l, l = l->next, k++) {
        const struct mobj *o = ACT_CONTAINER_OF(l, const struct mobj, base.link);
        int id = o >= h->obj && o < h->obj + NOBJ ? o->id : -1;

        if (k == n || id != want[k])
            cr_assert_fail("step %ld (%s): ready queue, place %d: expected object %d, got object %d", h->step,
                           h->op, k, k < n ? want[k] : -1, id);
    }
    expect_eq(h, -1, "objects in the ready queue", n, k);
    if (s->ready_tail != prev)
        cr_assert_fail("step %ld (%s): ready_tail is not the last of the %d ready objects", h->step, h->op, n);
#if !ACT_OPTIMIZE_SIZE
    if (n > 0 && s->ready_tail_prev != NULL) {
        const act__link *before = &s->ready;

        while (before->next != s->ready_tail)
            before = before->next;
        if (s->ready_tail_prev != before)
            cr_assert_fail("step %ld (%s): ready_tail_prev is not the link before ready_tail", h->step, h->op);
    }
#endif
}

/* Every object's state in the library is the model's. */
/* White-box: the status's kind byte, ACT__OBJ 1 | ACT__QUEUED 2 | ACT__ISSUED 4 (src/core/internal.h). */
static int expected_kind(enum mstate state)
{
    static const int kind[] = { [IDLE] = 1, [PENDING] = 1 | 4, [READY] = 1 | 2, [REMOTE] = 1 | 4 };

    return kind[state];
}

static void check_all(struct harness *h)
{
    check_queue(h);
    for (int i = 0; i < NOBJ; i++) {
        struct mobj *o = &h->obj[i];
        const struct mmodel *m = &h->model[i];
        const act_status *st = act_object_status(&o->base);

        if (act_is_active(&o->base) != (m->state != IDLE))
            cr_assert_fail("step %ld (%s): object %d: act_is_active: expected %d (%s), got %d", h->step, h->op, i,
                           m->state != IDLE, state_name[m->state], act_is_active(&o->base));
        expect_eq(h, i, "status result", m->result, act_status_result(st));
        expect_eq(h, i, "status pending", m->state == PENDING, act_status_pending(st));
        expect_eq(h, i, "do_cancel calls", m->cancels, o->cancels);
        expect_eq(h, i, "priority", m->prio, act_object_priority(&o->base));
        expect_eq(h, i, "status kind", expected_kind(m->state), st->kind);
    }
}

static void step_object(struct harness *h, int i)
{
    unsigned r = pick(h, 100);

    switch (h->model[i].state) {
    case IDLE:
        if (r < 35)
            op_issue(h, i);
        else if (r < 55)
            op_issue_completed(h, i, false);
        else if (r < 58)
            op_issue_completed(h, i, true);
        else if (r < 80)
            op_complete_self(h, i);
        else if (r < 95)
            op_set_priority(h, i);
        else
            op_cancel(h, i); /* does nothing */
        break;
    case PENDING:
        if (r < 55)
            op_complete(h, i, false);
        else if (r < 65)
            op_complete(h, i, true);
        else
            op_cancel(h, i);
        break;
    case READY:
    case REMOTE:
        if (r < 35)
            op_cancel(h, i);
        else
            h->op = "none"; /* its run comes in a pass */
        break;
    }
}

/* Passes come in phases: often (few ready), rarely (many ready, long passes). */
static bool pass_now(struct harness *h)
{
    static const unsigned pct[] = { 10, 30, 2, 5 };

    return pick(h, 100) < pct[(h->step / 1000) % 4];
}

static void run_workload(struct harness *h, uint64_t seed, long steps)
{
    static const act_object_ops ops = { mobj_run, mobj_cancel, NULL };

    h->rng = seed;
    h->op = "init";
    act_set_panic_handler(step_panic, h);
    for (int i = 0; i < NOBJ; i++) {
        int prio = h->prios[i % h->nprios];

        act_object_init(&h->obj[i].base, &ops, prio);
        act_sched_add(fx_sched(), &h->obj[i].base);
        h->obj[i].h = h;
        h->obj[i].id = i;
        h->model[i] = (struct mmodel){ .state = IDLE, .prio = prio };
    }
    for (h->step = 0; h->step < steps; h->step++) {
        if (pass_now(h))
            op_pass(h);
        else
            step_object(h, (int)pick(h, NOBJ));
        check_all(h);
    }
}

/* Cancel what is outstanding, check that nothing runs, deque all, finish cleanly. */
static void finish_workload(struct harness *h)
{
    for (int i = 0; i < NOBJ; i++) {
        op_cancel(h, i);
        check_all(h);
    }
    op_pass(h);
    expect_eq(h, -1, "runs after cancelling everything", 0, h->ran);
    for (int i = 0; i < NOBJ; i++)
        act_object_deque(&h->obj[i].base);
    h->op = "act_sched_fini";
    act_sched_fini(fx_sched()); /* a stray or an active object would panic: step_panic fails it */
    fx_setup(); /* a fresh scheduler for fx_teardown, and the fixture's panic check back */
    cr_log_info("%ld passes, %ld runs, %ld cut by the quantum, %ld chains, %ld peer ops, %ld remote completions, "
                "cancels: %ld idle %ld pending (%ld remote) %ld ready %ld remote, %ld priority changes",
                h->stats.passes, h->stats.runs, h->stats.quantum_cut, h->stats.chains, h->stats.peer_ops,
                h->stats.remote, h->stats.cancel[IDLE], h->stats.cancel[PENDING], h->stats.cancel_remote,
                h->stats.cancel[READY], h->stats.cancel[REMOTE], h->stats.reprio);
}

/* The workload reached every case the model speaks of. */
static void assert_covered(const struct harness *h)
{
    const struct stats *s = &h->stats;

    cr_assert(s->quantum_cut > 0 && s->chains > 0 && s->peer_ops > 0 && s->remote > 0 && s->cancel_remote > 0
                  && s->reprio > 0,
              "a case was never reached: raise the steps or the odds");
    for (int k = IDLE; k <= REMOTE; k++)
        cr_assert_gt(s->cancel[k], 0, "no cancel of a %s object", state_name[k]);
}

static void run_model(const int *prios, int nprios, uint64_t seed)
{
    struct harness *h = calloc(1, sizeof *h);

    cr_assert_not_null(h);
    h->prios = prios;
    h->nprios = nprios;
    run_workload(h, seed, fx_size(24000, 3000));
    finish_workload(h);
    assert_covered(h);
    free(h);
}

Test(sched_model, random_requests_cancels_and_passes_of_mixed_priorities_run_as_the_model_says)
{
    static const int prios[] = { ACT_PRIORITY_LOW, -10, ACT_PRIORITY_STANDARD, ACT_PRIORITY_USER_INPUT,
                                 ACT_PRIORITY_HIGH };

    run_model(prios, 5, 0x2545f4914f6cdd1du);
}

/* One priority: the order is the completion order alone (the queue's tail paths). */
Test(sched_model, random_requests_cancels_and_passes_of_one_priority_run_in_completion_order)
{
    static const int prios[] = { ACT_PRIORITY_STANDARD };

    run_model(prios, 1, 0x9e3779b97f4a7c15u);
}
