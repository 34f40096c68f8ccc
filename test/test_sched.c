/*
 * The scheduler: dispatch order (rule 3), errors (rule 9), the pass
 * quantum, and O(1) dispatch with many added objects.  Nested loops and waits (rule 10) are
 * in test_sched_loop.c, embedding in a foreign loop in test_sched_embed.c;
 * their tests are in this file's sched suite and fixture.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "support/fixture.h"
#include "support/order.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(sched, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

Test(sched, init_installs_only_when_the_thread_has_none_and_fini_uninstalls)
{
    act_sched other;

    cr_assert_eq(act_sched_init(&other), 0);
    cr_assert_eq(act_sched_current(), fx_sched(), "a second init must not replace the current");
    act_sched_install(&other);
    cr_assert_eq(act_sched_current(), &other);
    act_sched_fini(&other);
    cr_assert_null(act_sched_current());
    act_sched_install(fx_sched());
    cr_assert_eq(act_sched_current(), fx_sched());
}

Test(sched, higher_priority_runs_first)
{
    struct order_log log = { 0 };
    struct logged low, std, input, high;
    const int want[] = { 4, 3, 2, 1 };

    logged_init(&low, 1, ACT_PRIORITY_LOW, &log);
    logged_init(&std, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&input, 3, ACT_PRIORITY_USER_INPUT, &log);
    logged_init(&high, 4, ACT_PRIORITY_HIGH, &log);
    fx_obj_complete_now(&low.o, 0);
    fx_obj_complete_now(&std.o, 0);
    fx_obj_complete_now(&input.o, 0);
    fx_obj_complete_now(&high.o, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 4);
    assert_log(&log, want, 4);
}

static int complete_next(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    fx_obj_complete_now(&l->next->o, 0);
    return 0;
}

Test(sched, priority_is_strict_when_a_higher_object_completes_during_a_run)
{
    struct order_log log = { 0 };
    struct logged first, second_std, low, high;
    const int want[] = { 1, 4, 2, 3 };

    logged_init(&first, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&second_std, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&low, 3, ACT_PRIORITY_LOW, &log);
    logged_init(&high, 4, ACT_PRIORITY_HIGH, &log);
    first.o.on_run = complete_next;
    first.next = &high;
    fx_obj_complete_now(&first.o, 0);
    fx_obj_complete_now(&second_std.o, 0);
    fx_obj_complete_now(&low.o, 0);
    fx_run_for(1000);
    assert_log(&log, want, 4);
}

Test(sched, equal_priority_runs_in_completion_order)
{
    struct order_log log = { 0 };
    struct logged a, b, c, d;
    const int want[] = { 3, 1, 4, 2 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    logged_init(&d, 4, ACT_PRIORITY_STANDARD, &log);
    fx_obj_issue(&a.o);
    fx_obj_issue(&b.o);
    fx_obj_issue(&c.o);
    fx_obj_issue(&d.o);
    act_complete(act_object_status(&c.o.base), 0);
    act_complete(act_object_status(&a.o.base), 0);
    act_complete(act_object_status(&d.o.base), 0);
    act_complete(act_object_status(&b.o.base), 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 4);
    assert_log(&log, want, 4);
}

/*
 * The ready queue after it emptied: cancelling completed objects from its
 * end and its middle (act_cancel() unlinks them) keeps the others in order,
 * for objects appended and for one that outranks the tail.
 */
Test(sched, cancelled_ready_objects_leave_the_rest_in_order_after_the_queue_emptied)
{
    struct order_log log = { 0 };
    struct logged first, a, b, c, d, high;
    const int want[] = { 1, 6, 2, 5 };

    logged_init(&first, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&a, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 3, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 4, ACT_PRIORITY_STANDARD, &log);
    logged_init(&d, 5, ACT_PRIORITY_STANDARD, &log);
    logged_init(&high, 6, ACT_PRIORITY_HIGH, &log);
    fx_obj_complete_now(&first.o, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1, "the queue is empty again");
    fx_obj_complete_now(&a.o, 0);
    fx_obj_complete_now(&b.o, 0);
    fx_obj_complete_now(&c.o, 0);
    act_cancel(&c.o.base); /* the last */
    fx_obj_complete_now(&high.o, 0); /* outranks the tail: goes first */
    act_cancel(&b.o.base); /* now the last */
    fx_obj_complete_now(&d.o, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    assert_log(&log, want, 4);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "the cancelled ones never run");
}

Test(sched, equal_priority_remote_completions_run_in_completion_order)
{
    struct order_log log = { 0 };
    struct logged a, b, c;
    const int want[] = { 2, 3, 1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    fx_obj_issue(&a.o);
    fx_obj_issue(&b.o);
    fx_obj_issue(&c.o);
    act_complete_remote(fx_sched(), act_object_status(&b.o.base), 0);
    act_complete_remote(fx_sched(), act_object_status(&c.o.base), 0);
    act_complete_remote(fx_sched(), act_object_status(&a.o.base), 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    assert_log(&log, want, 3);
}

static int rearm_until_full(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    if (l->log->n < 20)
        fx_obj_complete_now(o, 0);
    else
        act_sched_stop(fx_sched());
    return 0;
}

Test(sched, equal_priority_self_rearming_objects_alternate)
{
    struct order_log log = { 0 };
    struct logged a, b;

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = rearm_until_full;
    b.o.on_run = rearm_until_full;
    fx_obj_complete_now(&a.o, 0);
    fx_obj_complete_now(&b.o, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(log.n, 20);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(log.ids[i], 1 + i % 2, "run %d was object %d: a peer starved", i, log.ids[i]);
    act_cancel(&a.o.base);
    act_cancel(&b.o.base);
}

/* --- errors (rule 9) --- */

struct err_obj {
    act_object base;
    int run_ret;
    int run_error_ret;
    int run_error_calls;
    int run_error_err;
};

struct err_seen {
    int calls;
    act_sched *sched;
    act_object *ao;
    int err;
};

static int err_run(act_object *ao)
{
    return ACT_CONTAINER_OF(ao, struct err_obj, base)->run_ret;
}

static void err_cancel(act_object *ao)
{
    act_complete(act_object_status(ao), -ECANCELED);
}

static int err_run_error(act_object *ao, int err)
{
    struct err_obj *e = ACT_CONTAINER_OF(ao, struct err_obj, base);

    e->run_error_calls++;
    e->run_error_err = err;
    return e->run_error_ret;
}

static void record_error(act_sched *s, act_object *ao, int err, void *arg)
{
    struct err_seen *seen = arg;

    seen->calls++;
    seen->sched = s;
    seen->ao = ao;
    seen->err = err;
}

static void err_obj_fail_now(struct err_obj *e, const act_object_ops *ops, int run_ret, int run_error_ret)
{
    memset(e, 0, sizeof *e);
    act_object_init(&e->base, ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &e->base);
    e->run_ret = run_ret;
    e->run_error_ret = run_error_ret;
    act_status_set_pending(act_object_status(&e->base));
    act_set_active(&e->base);
    act_complete(act_object_status(&e->base), 0);
}

Test(sched, run_error_handles_a_run_failure)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 1);
    cr_assert_eq(e.run_error_err, -EIO);
    cr_assert_eq(seen.calls, 0, "a handled error must not reach the scheduler");
}

Test(sched, run_error_not_called_when_run_succeeds)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, 0, -EIO);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 0);
    cr_assert_eq(seen.calls, 0);
}

Test(sched, unhandled_error_reaches_the_error_handler_with_object_and_error)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, -EPIPE);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 1);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.sched, fx_sched());
    cr_assert_eq(seen.ao, &e.base);
    cr_assert_eq(seen.err, -EPIPE, "the handler gets what run_error returned");
}

Test(sched, error_without_run_error_goes_straight_to_the_handler)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -ENOSPC, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.ao, &e.base);
    cr_assert_eq(seen.err, -ENOSPC);
}

Test(sched, dispatch_goes_on_after_an_error)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    struct err_obj e;
    struct err_seen seen = { 0 };
    fx_obj after;

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, 0);
    fx_obj_init(&after, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&after, 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 2);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(after.runs, 1);
}

/* --- the pass quantum (sched.c NOTE 2) --- */

enum { QUANTUM = 64, BATCH = 200 };

static int rearm_forever(fx_obj *o)
{
    fx_obj_complete_now(o, 0);
    return 0;
}

/* @spin completes itself again in every run, from now on. */
static void start_spinning(fx_obj *spin)
{
    fx_obj_init(spin, ACT_PRIORITY_STANDARD);
    spin->on_run = rearm_forever;
    fx_obj_complete_now(spin, 0);
}

Test(sched, a_pass_ends_after_the_quantum_when_an_object_keeps_completing_itself)
{
    fx_obj spin;

    start_spinning(&spin);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), QUANTUM);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), QUANTUM);
    cr_assert_eq(spin.runs, 2 * QUANTUM);
    act_cancel(&spin.base);
}

/*
 * One pass with @batch completed and @spin re-arming itself: every one of
 * @batch (each a @what) runs in it, and @spin at most QUANTUM times.
 */
static void one_pass_runs_the_batch(fx_obj batch[BATCH], fx_obj *spin, const char *what)
{
    int ran = act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);

    for (int i = 0; i < BATCH; i++)
        cr_assert_eq(batch[i].runs, 1, "%s %d, gathered in the pass, was left for a later one", what, i);
    cr_assert_eq(ran, BATCH + spin->runs);
    cr_assert_leq(spin->runs, QUANTUM, "the self-rearming object ran %d times in one pass", spin->runs);
    act_cancel(&spin->base);
}

Test(sched, a_pass_runs_every_timer_it_expires_beside_a_self_rearming_object)
{
    fx_obj timed[BATCH];
    act_timer t[BATCH];
    fx_obj spin;
    uint64_t deadline = act_now_usec();

    start_spinning(&spin);
    for (int i = 0; i < BATCH; i++) {
        fx_obj_init(&timed[i], ACT_PRIORITY_STANDARD);
        act_timer_init(&t[i], fx_sched());
        fx_obj_at(&timed[i], &t[i], deadline);
    }
    one_pass_runs_the_batch(timed, &spin, "timer");
}

/*
 * A pass dispatches what it gathered + 64 objects, in priority order; the
 * timers it gathers queue behind the objects of their priority that were
 * ready before them.  Behind more than 64 objects that keep completing
 * themselves (which re-queue behind the timers), the last timers of a batch
 * run first thing on the next pass: each once, none lost.
 */
static int timers_run(const fx_obj timed[BATCH])
{
    int n = 0;

    for (int i = 0; i < BATCH; i++) {
        cr_assert_leq(timed[i].runs, 1);
        n += timed[i].runs;
    }
    return n;
}

Test(sched, timers_gathered_behind_many_ready_objects_run_on_the_next_pass)
{
    enum { SPINNERS = 100 };
    static fx_obj timed[BATCH], spin[SPINNERS];
    static act_timer t[BATCH];
    uint64_t deadline = act_now_usec();
    int ran;

    for (int i = 0; i < SPINNERS; i++)
        start_spinning(&spin[i]);
    for (int i = 0; i < BATCH; i++) {
        fx_obj_init(&timed[i], ACT_PRIORITY_STANDARD);
        act_timer_init(&t[i], fx_sched());
        fx_obj_at(&timed[i], &t[i], deadline);
    }
    ran = act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(ran, BATCH + QUANTUM, "what it gathered and 64 more");
    for (int i = 0; i < SPINNERS; i++)
        cr_assert_eq(spin[i].runs, 1, "the spinners were ahead of the timers");
    cr_assert_eq(timers_run(timed), BATCH + QUANTUM - SPINNERS);
    (void)act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(timers_run(timed), BATCH, "the rest ran on the next pass");
    for (int i = 0; i < SPINNERS; i++)
        act_cancel(&spin[i].base);
}

Test(sched, a_pass_runs_every_remote_completion_it_gathers_beside_a_self_rearming_object)
{
    fx_obj far[BATCH];
    fx_obj spin;

    start_spinning(&spin);
    for (int i = 0; i < BATCH; i++) {
        fx_obj_init(&far[i], ACT_PRIORITY_STANDARD);
        fx_obj_issue(&far[i]);
        act_complete_remote(fx_sched(), act_object_status(&far[i].base), i);
    }
    one_pass_runs_the_batch(far, &spin, "remote completion");
}

Test(sched, a_pass_runs_every_remote_completion_and_timer_it_gathers_together_beside_a_self_rearming_object)
{
    fx_obj batch[BATCH];
    act_timer t[BATCH / 2];
    fx_obj spin;
    uint64_t deadline = act_now_usec();

    start_spinning(&spin);
    for (int i = 0; i < BATCH; i++) {
        fx_obj_init(&batch[i], ACT_PRIORITY_STANDARD);
        if (i < BATCH / 2) {
            fx_obj_issue(&batch[i]);
            act_complete_remote(fx_sched(), act_object_status(&batch[i].base), i);
            continue;
        }
        act_timer_init(&t[i - BATCH / 2], fx_sched());
        fx_obj_at(&batch[i], &t[i - BATCH / 2], deadline);
    }
    one_pass_runs_the_batch(batch, &spin, "remote completion or timer");
}

Test(sched, a_pass_that_sleeps_until_its_timers_runs_every_timer_it_then_expires)
{
    fx_obj timed[BATCH];
    act_timer t[BATCH];
    uint64_t deadline = act_now_usec() + 2000;
    int ran;

    for (int i = 0; i < BATCH; i++) {
        fx_obj_init(&timed[i], ACT_PRIORITY_STANDARD);
        act_timer_init(&t[i], fx_sched());
        fx_obj_at(&timed[i], &t[i], deadline);
    }
    while ((ran = act_sched_run_once(fx_sched(), 0)) == 0)
        ; /* the queue may wake the port a little early */
    cr_assert_eq(ran, BATCH, "the pass that expired the timers ran %d of them", ran);
}

/* --- many added objects (dispatch is O(1) in them) --- */

Test(sched, many_added_idle_objects_are_never_touched_by_dispatch)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    const size_t count = 100000;
    size_t bytes = count * sizeof(act_object);
    act_object *idle = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fx_obj o, timed;
    act_timer t;

    cr_assert_neq(idle, MAP_FAILED);
    for (size_t i = 0; i < count; i++) {
        act_object_init(&idle[i], &ops, (int)(i % 7) * 10 - 30);
        act_sched_add(fx_sched(), &idle[i]);
    }
    cr_assert_eq(mprotect(idle, bytes, PROT_NONE), 0); /* any touch now faults */
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_init(&timed, ACT_PRIORITY_LOW);
    act_timer_init(&t, fx_sched());
    fx_obj_complete_now(&o, 3);
    fx_obj_after(&timed, &t, 1000);
    fx_run_for(5000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 3);
    cr_assert_eq(timed.runs, 1);
    fx_obj_after(&timed, &t, 1000);
    act_cancel(&timed.base);
    cr_assert_eq(timed.runs, 1);
    cr_assert_eq(mprotect(idle, bytes, PROT_READ | PROT_WRITE), 0);
    for (size_t i = 0; i < count; i++)
        act_object_deque(&idle[i]);
    munmap(idle, bytes);
}

/*
 * The ready queue against a model.  Objects of a few priorities complete
 * (act_complete_self), are cancelled or consumed by act_wait_for_request
 * from the head, the middle or the tail, change priority while idle, and
 * are dispatched, in an order a small PRNG picks, from the test and from
 * inside runs.  Every run checks that it is the model's head: the highest
 * priority, then the earliest completion.  Exercises ready.c's tail and
 * tail_prev upkeep under every removal position.
 */
enum { MODEL_OBJS = 24 };

struct ready_model {
    fx_obj o[MODEL_OBJS];
    bool queued[MODEL_OBJS];
    unsigned long seq[MODEL_OBJS];
    unsigned long next_seq;
    unsigned rng;
    long runs;
};

static unsigned model_rand(struct ready_model *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 17;
    m->rng ^= m->rng << 5;
    return m->rng;
}

static int model_head(const struct ready_model *m)
{
    int head = -1;

    for (int i = 0; i < MODEL_OBJS; i++) {
        if (!m->queued[i])
            continue;
        if (head < 0 || act_object_priority(&m->o[i].base) > act_object_priority(&m->o[head].base)
            || (act_object_priority(&m->o[i].base) == act_object_priority(&m->o[head].base)
                && m->seq[i] < m->seq[head]))
            head = i;
    }
    return head;
}

static void model_step(struct ready_model *m)
{
    unsigned r = model_rand(m);
    int j = (int)(r % MODEL_OBJS);
    act_object *ao = &m->o[j].base;

    if (m->queued[j]) {
        if ((r >> 8) % 2 == 0)
            act_cancel(ao);
        else
            act_wait_for_request(act_object_status(ao));
        cr_assert_not(act_is_active(ao));
        m->queued[j] = false;
    } else if ((r >> 8) % 4 == 0) {
        act_object_set_priority(ao, (int)((r >> 12) % 4) - 1);
    } else {
        act_complete_self(ao, 0);
        m->queued[j] = true;
        m->seq[j] = m->next_seq++;
    }
}

static int model_run(fx_obj *o)
{
    struct ready_model *m = o->user;
    int id = (int)(o - m->o);

    cr_assert_eq(model_head(m), id, "run %ld: object %d ran, the model's head is %d", m->runs, id, model_head(m));
    m->queued[id] = false;
    m->runs++;
    for (unsigned k = model_rand(m) % 3; k > 0; k--)
        model_step(m);
    return 0;
}

Test(sched, ready_queue_matches_a_model_under_random_completions_cancels_and_dispatches)
{
    struct ready_model *m = calloc(1, sizeof *m);

    cr_assert_not_null(m);
    m->rng = 0x2545f491u;
    for (int i = 0; i < MODEL_OBJS; i++) {
        fx_obj_init(&m->o[i], (int)(i % 4) - 1);
        m->o[i].user = m;
        m->o[i].on_run = model_run;
    }
    for (int round = 0; round < 20000; round++) {
        model_step(m);
        if (model_rand(m) % 4 == 0)
            (void)act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    }
    while (model_head(m) >= 0)
        (void)act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "nothing left queued beyond the model");
    cr_assert_gt(m->runs, 1000);
    free(m);
}
