/*
 * Stray signals and status misuse are loud (rule 7): a completion nobody
 * waits for, a second completion, a request issued on a status in use and a
 * completion with ACT_PENDING each reach the handler with the rule's name
 * and a detail naming the status or object, and change nothing.
 */
#include <errno.h>

#include <active/pipe.h>

#include "support/detail.h"
#include "support/fixture.h"

/*
 * The tests are in the panic suite, with its fixture (fx_setup, fx_teardown)
 * and timeout: a suite is declared once in the binary, in test_panic.c.
 */

/* --- stray signals (rule 7) --- */

/* @o, a fresh object whose request completes with no act_set_active: its dispatch is a stray. */
static void complete_without_set_active(fx_obj *o)
{
    fx_obj_init(o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o->base));
    act_complete(act_object_status(&o->base), 0);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
}

Test(panic, stray_signal_when_set_active_is_forgotten)
{
    fx_obj o;

    complete_without_set_active(&o);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(o.runs, 0, "a stray signal is reported, never delivered");
}

/* sched.h: act_sched_run_once() returns the objects it dispatched: a stray counts, reported instead of a run. */
Test(panic, stray_signal_dispatch_counts_as_a_dispatch_but_is_not_run)
{
    fx_obj o;
    int ran;

    complete_without_set_active(&o);
    ran = act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(o.runs, 0);
    cr_assert_eq(ran, 1, "run_once returned %d for one stray dispatched", ran);
}

/*
 * status.h: act_complete_remote()'s @sched is "the scheduler that owns the
 * request (the object's ...)".  Given another one, the completion must not
 * be dispatched there: today the other scheduler runs the object (on its
 * own thread in a real program), its active count wraps below zero and the
 * owner's stays one too high, with no panic naming the mistake.
 */
Test(panic, stray_signal_when_an_objects_status_is_completed_remotely_to_another_scheduler)
{
    act_sched other;
    fx_obj o;

    cr_assert_eq(act_sched_init(&other), 0); /* not installed: the fixture's is current */
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete_remote(&other, act_object_status(&o.base), 7);
    act_sched_run_once(&other, ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 0, "the object ran on a scheduler it was never added to");
    cr_assert_eq(fx_panics(), 1);
    act_sched_fini(&other);
    act_cancel(&o.base);
}

/* The same mistake, then the owner cancels: its cancel walks its own ready queue for an object queued in the other's (SIGSEGV today). */
Test(panic, stray_signal_when_a_remote_completion_to_another_scheduler_is_gathered_and_the_owner_cancels)
{
    act_sched other;
    fx_obj o;

    cr_assert_eq(act_sched_init(&other), 0);
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete_remote(&other, act_object_status(&o.base), 7);
    (void)act_sched_timeout(&other); /* gathers */
    act_cancel(&o.base);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(o.runs, 0);
    act_sched_fini(&other);
}

Test(panic, stray_signal_when_object_status_completed_twice)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 1);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete(act_object_status(&o.base), 2);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(act_object_status(&o.base));
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 1, "the second completion changed nothing");
}

Test(panic, stray_signal_when_bare_status_completed_twice)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    act_complete(&st, 4);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete(&st, 5);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&st);
    cr_assert_eq(act_status_result(&st), 4);
}

Test(panic, stray_signal_when_status_never_issued_is_completed)
{
    act_status st = ACT_STATUS_INIT;

    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete(&st, 0);
    cr_assert_eq(fx_panics(), 1);
}

Test(panic, remote_stray_is_reported_on_the_scheduler_thread_at_its_next_pass)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 1);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    fx_complete_remote(act_object_status(&o.base), 9);
    cr_assert_eq(fx_panics(), 0, "a remote stray is reported later, not on the remote thread");
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(act_object_status(&o.base));
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 1, "the stray completion changed nothing");
}

Test(panic, stray_signal_when_object_leaves_with_an_undelivered_completion)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 0); /* set_active forgotten */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_object_deque(&o.base);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 0);
    act_sched_add(fx_sched(), &o.base); /* it left after all: no add-twice */
    cr_assert_eq(fx_panics(), 1);
}

/*
 * The same stray, completed from another thread: still on the remote stack,
 * not yet gathered, when the object leaves.  It must be caught then, not
 * delivered later to an object that may be freed or added elsewhere.
 */
Test(panic, stray_signal_when_object_leaves_with_a_remote_completion_not_yet_gathered)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    fx_complete_remote(act_object_status(&o.base), 0); /* set_active forgotten; the completion is on the remote stack */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_object_deque(&o.base);
    cr_assert_eq(fx_panics(), 1, "caught when the object leaves");
    assert_detail_names(&o.base);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(fx_panics(), 1, "and never delivered afterwards");
    cr_assert_eq(o.runs, 0);
}

Test(panic, stray_signal_when_object_leaves_with_a_request_outstanding_it_was_never_active_for)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base)); /* issued; set_active forgotten */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_object_deque(&o.base);
    cr_assert_eq(fx_panics(), 1, "a provider still holds the status of an object that leaves");
    assert_detail_names(&o.base);
    act_sched_add(fx_sched(), &o.base); /* it left all the same: no add-twice */
    cr_assert_eq(fx_panics(), 1);
}

/*
 * The scheduler ends while strays are still undelivered: act_sched_fini
 * reports each (it no longer drops them), naming its object, and finishes
 * all the same.  The objects stay as they were, added to a finished
 * scheduler, free to be freed.
 */
Test(panic, stray_signal_when_the_scheduler_ends_before_dispatching_it)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 0); /* set_active forgotten: queued */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(act_sched_current(), NULL, "finished all the same");
    cr_assert_eq(o.runs, 0);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

Test(panic, stray_signal_for_every_undelivered_completion_when_the_scheduler_ends)
{
    fx_obj a, b;

    fx_obj_init(&a, ACT_PRIORITY_STANDARD);
    fx_obj_init(&b, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&a.base));
    act_status_set_pending(act_object_status(&b.base));
    act_complete(act_object_status(&a.base), 0);
    act_complete(act_object_status(&b.base), 0);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 2);
    assert_detail_names(&b.base);
    cr_assert_eq(act_sched_current(), NULL);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

Test(panic, stray_signal_when_the_scheduler_ends_with_a_remote_completion_not_yet_gathered)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    fx_complete_remote(act_object_status(&o.base), 0); /* set_active forgotten; on the remote stack */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(act_sched_current(), NULL);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

/* An object never added, completed remotely through this scheduler: still this scheduler's stray. */
Test(panic, stray_signal_when_the_scheduler_ends_with_a_never_added_objects_remote_completion)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&ao));
    fx_complete_remote(act_object_status(&ao), 0);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&ao);
    cr_assert_eq(act_sched_current(), NULL);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

/* A second scheduler on this thread, not the current one: its stray is reported, and it finishes. */
Test(panic, stray_signal_when_a_scheduler_that_is_not_current_ends)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_sched other;
    act_object ao;

    cr_assert_eq(act_sched_init(&other), 0);
    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&other, &ao);
    act_status_set_pending(act_object_status(&ao));
    act_complete(act_object_status(&ao), 0);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(&other);
    cr_assert_eq(fx_panics(), 1, "a stray, not wrong-thread");
    assert_detail_names(&ao);
    cr_assert_eq(act_sched_current(), fx_sched());
}

/* A second remote completion of a bare status, not yet reported, and an object's stray: both reported. */
Test(panic, stray_signal_when_the_scheduler_ends_with_a_remote_double_completion_unreported)
{
    act_status st = ACT_STATUS_INIT;
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(&st);
    fx_complete_remote(&st, 1);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    fx_complete_remote(&st, 2); /* the second completion: reported on the scheduler's thread */
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 0);
    cr_assert_eq(fx_panics(), 0);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 2, "both reported by fini, none dropped");
    cr_assert_eq(act_status_result(&st), 1);
    cr_assert_eq(act_sched_current(), NULL);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

/*
 * A timer armed on an inactive object (set_active forgotten) keeps the
 * scheduler from finishing (fini-active); cancelling it completes the
 * object's status, a stray that the next fini reports.
 */
Test(panic, stray_signal_when_the_scheduler_ends_after_a_timer_on_an_inactive_object_is_cancelled)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, act_object_status(&o.base), 0); /* set_active forgotten; due at once */
    fx_expect_panic(ACT_PANIC_FINI_ACTIVE);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1, "an armed timer, due or not, keeps the scheduler");
    cr_assert_eq(act_sched_current(), fx_sched());
    act_timer_fini(&t);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 2);
    assert_detail_names(&o.base);
    cr_assert_eq(act_sched_current(), NULL);
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

Test(panic, stray_signal_when_unadded_objects_status_is_completed_and_it_stays_pending)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&ao));
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_complete(act_object_status(&ao), 1);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&ao);
    cr_assert(act_status_pending(act_object_status(&ao)), "a call that panicked must do nothing");
}

/* --- status misuse --- */

Test(panic, status_in_use_when_issuing_on_a_pending_status)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_status_set_pending(&st);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&st);
    act_complete(&st, 0);
}

Test(panic, status_in_use_when_issuing_on_an_active_objects_completed_status)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_complete_now(&o, 3); /* completed, not yet delivered: still active */
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_timer_after(&t, act_object_status(&o.base), 1000);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_timer_armed(&t), "the refused request must not be armed");
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 3);
    cr_assert_eq(act_sched_timeout(fx_sched()), -1, "nor queued: the scheduler has no timer");
}

Test(panic, status_in_use_when_issuing_on_a_completed_status_not_yet_delivered_to_an_inactive_object)
{
    fx_obj o;
    act_status *st;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    act_status_set_pending(st);
    act_complete(st, 3); /* set_active forgotten: queued, not active */
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_status_set_pending(st);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_status_result(st), 3, "the refused request changed nothing");
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 2);
    cr_assert_eq(o.runs, 0);
}

Test(panic, status_in_use_when_a_pipe_request_is_issued_on_a_pending_status)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT, next = ACT_STATUS_INIT;
    char buf[4];

    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    act_status_set_pending(&st);
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_pipe_read(&rd, buf, sizeof buf, &st);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&st);
    cr_assert(act_status_pending(&st), "the refused read must leave the status alone");
    act_complete(&st, 0);
    act_pipe_read(&rd, buf, sizeof buf, &next);
    cr_assert(act_status_pending(&next), "the refused read must not hold the pipe's read slot");
    act_pipe_cancel_read(&rd);
    cr_assert_eq(act_status_result(&next), -ECANCELED);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(panic, bad_result_when_completing_with_act_pending)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    fx_expect_panic(ACT_PANIC_BAD_RESULT);
    act_complete(&st, ACT_PENDING);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&st);
    cr_assert(act_status_pending(&st), "the bad completion did nothing");
    act_complete(&st, 0);
    cr_assert_eq(act_status_result(&st), 0);
}

Test(panic, bad_result_on_an_object_status_queues_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_BAD_RESULT);
    act_complete(act_object_status(&o.base), ACT_PENDING);
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_status_pending(act_object_status(&o.base)), "the bad completion did nothing");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "nothing was queued to run");
    cr_assert_eq(o.runs, 0);
    act_complete(act_object_status(&o.base), 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.last_result, 0);
}

/* A remote stray wakes a scheduler asleep in the port: it is reported then, not at the next unrelated wake. */
Test(panic, remote_stray_wakes_a_sleeping_scheduler)
{
    fx_obj o, guard;
    act_timer t;
    fx_remote r;
    uint64_t start;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    fx_obj_init(&guard, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&guard, &t, 5000000); /* the scheduler's only other wake (its wheel may wake it a little early) */
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    start = act_now_usec();
    fx_remote_start(&r, act_object_status(&o.base), 9, 20000);
    cr_assert_eq(act_sched_run_once(fx_sched(), 0), 0, "woken by the stray, nothing to run");
    fx_remote_join(&r);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_lt(act_now_usec() - start, 2000000, "the stray woke the scheduler, not the guard timer");
    act_cancel(&guard.base);
    act_timer_fini(&t);
}
