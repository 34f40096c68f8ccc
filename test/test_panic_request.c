/*
 * act_set_active() needs a request (rule 8): an object set active with no
 * request issued on its status since its last signal would never be
 * signalled, so act_cancel() would wait for ever and the scheduler would
 * count it active for ever.  It panics no-request instead and leaves the
 * object inactive.  The check holds against a completion inside the issuing
 * call (test_object.c) and against a remote one that lands before
 * act_set_active() (test_remote.c, completion_before_set_active_...), and
 * the same bookkeeping makes a request issued on a status whose remote
 * completion is not yet gathered status-in-use.
 */
#include <errno.h>
#include <pthread.h>

#include <active/periodic.h>
#include <active/pipe.h>

#include "support/detail.h"
#include "support/fixture.h"

/*
 * The tests are in the panic suite, with its fixture (fx_setup, fx_teardown)
 * and timeout: a suite is declared once in the binary, in test_panic.c.
 */

/* Set active with no request: the panic, and the object still usable. */
static void assert_no_request_panics(fx_obj *o)
{
    fx_expect_panic(ACT_PANIC_NO_REQUEST);
    act_set_active(&o->base);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o->base);
    cr_assert_not(act_is_active(&o->base), "the refused call must leave the object inactive");
    fx_expect_panic(NULL);
    act_cancel(&o->base); /* inactive: returns at once, where an active one would wait for ever */
    fx_obj_complete_now(o, 4);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o->last_result, 4, "the next request must still run");
}

Test(panic, no_request_when_set_active_on_a_fresh_object)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    assert_no_request_panics(&o);
    cr_assert_eq(o.runs, 1);
}

static int set_active_again(fx_obj *o)
{
    if (o->runs == 1)
        act_set_active(&o->base); /* the signal was consumed and nothing reissued */
    return 0;
}

Test(panic, no_request_when_run_sets_active_again_without_issuing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = set_active_again;
    fx_obj_complete_now(&o, 0);
    fx_expect_panic(ACT_PANIC_NO_REQUEST);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_not(act_is_active(&o.base));
    act_sched_fini(fx_sched()); /* nothing active: finishes without fini-active */
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

Test(panic, no_request_when_set_active_after_a_cancel_consumed_the_signal)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 1000000);
    act_cancel(&o.base);
    cr_assert_eq(act_status_result(act_object_status(&o.base)), -ECANCELED);
    assert_no_request_panics(&o);
    act_timer_fini(&t);
}

Test(panic, no_request_when_set_active_after_wait_for_request_consumed_the_signal)
{
    fx_obj o;
    act_status *st;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    act_status_set_pending(st);
    act_complete(st, 6);
    act_wait_for_request(st); /* the object's status used synchronously: the signal is consumed */
    cr_assert_eq(act_status_result(st), 6);
    assert_no_request_panics(&o);
}

static int tick(act_periodic *p)
{
    (void)p;
    return 0;
}

static void *start_from_thread(void *arg)
{
    (void)act_periodic_start(arg, 1000, 1000);
    return NULL;
}

/* The library's own helpers do not set active what they could not issue. */
Test(panic, periodic_started_on_another_thread_panics_wrong_thread_only_and_stays_stopped)
{
    act_periodic p;
    pthread_t th;

    cr_assert_eq(act_periodic_init(&p, fx_sched(), tick, ACT_PRIORITY_STANDARD), 0);
    fx_expect_panic(ACT_PANIC_WRONG_THREAD); /* the fixture fails on any other rule */
    cr_assert_eq(pthread_create(&th, NULL, start_from_thread, &p), 0);
    pthread_join(th, NULL);
    cr_assert_eq(fx_panics(), 2, "its cancel and its timer refuse the other thread; nothing is issued");
    cr_assert_not(act_is_active(&p.base));
    fx_expect_panic(NULL);
    act_periodic_fini(&p);
}

/*
 * A request whose completion another thread has pushed on the remote stack,
 * not yet gathered: the status is neither pending nor queued, yet its
 * signal is owed.
 */
static act_status *landed_remotely(fx_obj *o, int result)
{
    act_status *st;

    fx_obj_init(o, ACT_PRIORITY_STANDARD);
    st = act_object_status(&o->base);
    act_status_set_pending(st);
    fx_complete_remote(st, result);
    cr_assert_not(act_status_pending(st));
    return st;
}

/* Set active now, and the landed completion runs once with its result. */
static void assert_delivered_once(fx_obj *o, int result)
{
    act_set_active(&o->base);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o->runs, 1);
    cr_assert_eq(o->last_result, result);
}

/*
 * Before, a second request was accepted here: its ACT_PENDING overwrote the
 * landed result, and the gather then queued the object as completed while
 * its status was pending again.
 */
Test(panic, status_in_use_when_issuing_before_a_remote_completion_is_gathered)
{
    fx_obj o;
    act_status *st = landed_remotely(&o, 10);

    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_status_set_pending(st);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(st);
    cr_assert_eq(act_status_result(st), 10, "the refused request changed nothing");
    assert_delivered_once(&o, 10);
}

Test(panic, status_in_use_when_completing_self_before_a_remote_completion_is_gathered)
{
    fx_obj o;
    act_status *st = landed_remotely(&o, 11);

    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_complete_self(&o.base, 0);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_status_result(st), 11);
    assert_delivered_once(&o, 11);
}

/*
 * object.h: act_object_set_priority() panics priority-active when the
 * object "holds an undelivered completion"; one completed remotely and not
 * yet gathered holds one (doc/errors.md: "or on an inactive one whose
 * completion is still undelivered").
 */
Test(panic, priority_active_when_changing_priority_before_a_remote_completion_is_gathered)
{
    fx_obj o;
    act_status *st = landed_remotely(&o, 12);

    fx_expect_panic(ACT_PANIC_PRIORITY_ACTIVE);
    act_object_set_priority(&o.base, ACT_PRIORITY_HIGH);
    cr_assert_eq(fx_panics(), 1, "an undelivered remote completion must refuse the priority change");
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_STANDARD);
    cr_assert_eq(act_status_result(st), 12);
    assert_delivered_once(&o, 12);
}

/* The providers' inline issue (act_pipe_read here) makes the same check. */
Test(panic, status_in_use_when_a_pipe_read_is_issued_before_a_remote_completion_is_gathered)
{
    fx_obj o;
    act_status *st = landed_remotely(&o, 12), next = ACT_STATUS_INIT;
    act_pipe rd, wr;
    char buf[4];

    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_pipe_read(&rd, buf, sizeof buf, st);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_status_result(st), 12);
    act_pipe_read(&rd, buf, sizeof buf, &next);
    cr_assert(act_status_pending(&next), "the refused read must not hold the pipe's read slot");
    act_pipe_cancel_read(&rd);
    assert_delivered_once(&o, 12);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}
