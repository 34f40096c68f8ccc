/*
 * Active objects: issue then activate (rule 2), one run per request (rules 1
 * and 3), cancel then wait for the one signal (rule 4), object life.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(object, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

Test(object, run_called_exactly_once_with_the_result)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "nothing completed yet");
    act_complete(act_object_status(&o.base), 42);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 42);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 1);
}

Test(object, completion_inside_issuing_call_before_set_active_is_delivered_once)
{
    fx_obj o;
    act_status *st;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    act_status_set_pending(st);
    act_complete(st, 8); /* the provider completes inside the issuing call */
    act_set_active(&o.base);
    fx_run_for(2000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 8);
}

Test(object, set_active_makes_active_and_run_sees_it_inactive)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    cr_assert_not(act_is_active(&o.base));
    fx_obj_issue(&o);
    cr_assert(act_is_active(&o.base));
    act_complete(act_object_status(&o.base), 0);
    cr_assert(act_is_active(&o.base), "active until run is delivered");
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_not(act_is_active(&o.base));
}

static int check_inactive_in_run(fx_obj *o)
{
    cr_assert_not(act_is_active(&o->base));
    cr_assert_not(act_status_pending(act_object_status(&o->base)));
    return 0;
}

Test(object, run_sees_status_complete_and_object_inactive)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = check_inactive_in_run;
    fx_obj_complete_now(&o, 1);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
}

static int reissue_three_times(fx_obj *o)
{
    if (o->runs < 3)
        fx_obj_complete_now(o, o->runs);
    return 0;
}

Test(object, run_may_reissue_and_set_active_again)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = reissue_three_times;
    fx_obj_complete_now(&o, 0);
    fx_run_for(2000);
    cr_assert_eq(o.runs, 3);
    cr_assert_eq(o.last_result, 2);
    cr_assert_not(act_is_active(&o.base));
}

static int free_self(fx_obj *o)
{
    act_object_deque(&o->base);
    free(o);
    return 0;
}

Test(object, run_may_free_its_object)
{
    fx_obj *o = malloc(sizeof *o);
    fx_obj other;

    cr_assert_not_null(o);
    fx_obj_init(o, ACT_PRIORITY_HIGH);
    fx_obj_init(&other, ACT_PRIORITY_STANDARD);
    o->on_run = free_self;
    fx_obj_complete_now(o, 0);
    fx_obj_complete_now(&other, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 2);
    cr_assert_eq(other.runs, 1);
}

Test(object, init_leaves_an_inactive_object_with_a_completed_status_whatever_the_memory_held)
{
    fx_obj o;

    memset(&o, 0x80, sizeof o); /* a status word of 0x80808080 reads as a negative result */
    act_object_init(&o.base, NULL, ACT_PRIORITY_HIGH);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 0);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_HIGH);
}

Test(object, container_of_gives_the_enclosing_struct)
{
    fx_obj o;

    cr_assert_eq(ACT_CONTAINER_OF(&o.base, fx_obj, base), &o);
    cr_assert_eq(act_object_status(&o.base), act_object_status(&ACT_CONTAINER_OF(&o.base, fx_obj, base)->base));
}

Test(object, priority_is_kept_and_may_change_while_inactive)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_USER_INPUT);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_USER_INPUT);
    act_object_set_priority(&o.base, ACT_PRIORITY_MIN);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_MIN);
    act_object_set_priority(&o.base, ACT_PRIORITY_MAX);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_MAX);
    act_object_set_priority(&o.base, -1);
    cr_assert_eq(act_object_priority(&o.base), -1);
}

Test(object, cancel_of_pending_timer_never_runs_and_no_late_signal_follows)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 3000);
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_not(act_timer_armed(&t));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), -ECANCELED);
    fx_run_for(10000); /* well past the old deadline: a late signal would panic */
    cr_assert_eq(o.runs, 0);
}

Test(object, cancel_after_completion_keeps_result_and_consumes_the_signal)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 42);
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 0, "do_cancel is not called when the request already completed");
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 42);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 0);
}

Test(object, cancel_after_timer_fired_keeps_zero_and_consumes_the_signal)
{
    fx_obj o;
    act_timer t;
    act_status wait = ACT_STATUS_INIT;
    act_timer t_wait;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    act_timer_init(&t_wait, fx_sched());
    fx_obj_after(&o, &t, 0);
    act_timer_after(&t_wait, &wait, 2000);
    act_wait_for_request(&wait); /* the object's timer fires meanwhile, undelivered */
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 0);
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 0);
    fx_run_for(2000);
    cr_assert_eq(o.runs, 0);
}

Test(object, cancel_on_inactive_object_does_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 6);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 0);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 6);
    cr_assert_not(act_is_active(&o.base));
}

Test(object, cancel_on_unadded_object_does_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_object_deque(&o.base);
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 0);
}

Test(object, reissue_at_once_after_cancel_runs_once_with_new_result)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 2000);
    act_cancel(&o.base);
    fx_obj_after(&o, &t, 1000); /* same object, same timer, at once */
    fx_run_for(10000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 0);
}

Test(object, object_may_be_freed_right_after_cancel)
{
    fx_obj *o = malloc(sizeof *o);
    act_timer t;

    cr_assert_not_null(o);
    fx_obj_init(o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(o, &t, 2000);
    act_object_deque(&o->base); /* cancel, then leave the scheduler */
    free(o);
    fx_run_for(6000); /* ASan and valgrind catch any later touch */
}

/*
 * A provider that completes on another thread: do_cancel only asks, and the
 * -ECANCELED arrives later.  act_cancel must wait for that one signal.
 */
struct slow_provider {
    act_object base;
    pthread_t thread;
    act_sched *sched;
};

static void *slow_cancel_thread(void *arg)
{
    struct slow_provider *p = arg;
    struct timespec ts = { 0, 20 * 1000 * 1000 };

    nanosleep(&ts, NULL);
    act_complete_remote(p->sched, act_object_status(&p->base), -ECANCELED);
    return NULL;
}

static void slow_do_cancel(act_object *ao)
{
    struct slow_provider *p = ACT_CONTAINER_OF(ao, struct slow_provider, base);

    cr_assert_eq(pthread_create(&p->thread, NULL, slow_cancel_thread, p), 0);
}

static int slow_run(act_object *ao)
{
    (void)ao;
    cr_assert_fail("run called for a cancelled request");
    return 0;
}

Test(object, cancel_waits_for_the_signal_of_a_provider_that_completes_later)
{
    static const act_object_ops ops = { slow_run, slow_do_cancel, NULL };
    struct slow_provider p;

    p.sched = fx_sched();
    act_object_init(&p.base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &p.base);
    act_status_set_pending(act_object_status(&p.base));
    act_set_active(&p.base);
    act_cancel(&p.base);
    cr_assert_eq(act_status_result(act_object_status(&p.base)), -ECANCELED,
                 "act_cancel returned before the provider's signal");
    cr_assert_not(act_is_active(&p.base));
    pthread_join(p.thread, NULL);
    fx_run_for(1000);
}

Test(object, deque_leaves_the_scheduler_and_may_be_added_again)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_object_deque(&o.base);
    act_sched_add(fx_sched(), &o.base); /* no add-twice panic */
    fx_obj_complete_now(&o, 2);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
}

Test(object, deque_of_active_object_cancels_it_first)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    act_object_deque(&o.base);
    cr_assert_eq(o.cancels, 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), -ECANCELED);
}

Test(object, deque_of_active_object_leaves_the_scheduler_and_may_be_added_again)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    act_object_deque(&o.base);
    act_sched_add(fx_sched(), &o.base); /* no add-twice panic */
    fx_obj_complete_now(&o, 3);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 3);
}
