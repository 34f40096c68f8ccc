/*
 * act_complete_self(): an object completing its own request in one call (a
 * yield to the scheduler), with the rules of the three calls it stands for.
 */
#include <errno.h>

#include <active.h>
#include <criterion/criterion.h>

#include "support/fixture.h"

TestSuite(yield, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* The order runs happen in: each object's on_run appends its id. */
static char order[16];
static int norder;

static int log_run(fx_obj *o)
{
    if (norder < (int)sizeof order - 1)
        order[norder++] = *(const char *)o->user;
    return 0;
}

static void logged(fx_obj *o, const char *id, int priority)
{
    fx_obj_init(o, priority);
    o->user = (void *)id;
    o->on_run = log_run;
    norder = 0;
}

Test(yield, run_comes_once_on_a_later_dispatch_never_inside_the_call)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_complete_self(&o.base, 7);
    cr_assert_eq(o.runs, 0, "run was called inside act_complete_self");
    cr_assert(act_is_active(&o.base));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 7);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 7);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "a second signal");
}

Test(yield, queues_behind_ready_objects_of_its_priority_and_after_higher_ones)
{
    fx_obj a, b, high;

    logged(&a, "a", ACT_PRIORITY_STANDARD);
    logged(&b, "b", ACT_PRIORITY_STANDARD);
    logged(&high, "h", ACT_PRIORITY_HIGH);
    fx_obj_complete_now(&a, 0);
    act_complete_self(&b.base, 0);
    act_complete_self(&high.base, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    order[norder] = 0;
    cr_assert_str_eq(order, "hab");
}

static int yield_three_times(fx_obj *o)
{
    log_run(o);
    if (o->runs < 3)
        act_complete_self(&o->base, o->runs);
    return 0;
}

Test(yield, a_yielding_object_lets_an_object_already_ready_run_between_its_steps)
{
    fx_obj a, b;

    logged(&a, "a", ACT_PRIORITY_STANDARD);
    logged(&b, "b", ACT_PRIORITY_STANDARD);
    a.on_run = yield_three_times;
    act_complete_self(&a.base, 0);
    fx_obj_complete_now(&b, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    order[norder] = 0;
    cr_assert_str_eq(order, "abaa");
    cr_assert_eq(a.last_result, 2);
}

Test(yield, cancel_before_the_dispatch_consumes_the_signal_and_keeps_the_result)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_complete_self(&o.base, 5);
    act_cancel(&o.base);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(o.cancels, 0, "do_cancel called on a request no longer pending");
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 5);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "run after cancel");
    cr_assert_eq(o.runs, 0);
    act_complete_self(&o.base, 6); /* reusable at once */
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.last_result, 6);
}

Test(yield, on_an_active_object_panics_status_in_use_and_changes_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_complete_self(&o.base, 0);
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_status_pending(act_object_status(&o.base)), "the outstanding request was touched");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    act_cancel(&o.base);
    cr_assert_eq(o.cancels, 1);
    cr_assert_eq(o.runs, 0);
}

Test(yield, twice_before_the_dispatch_panics_status_in_use_and_runs_once)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_complete_self(&o.base, 1);
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_complete_self(&o.base, 2);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 1);
}

Test(yield, on_a_pending_status_not_yet_active_panics_status_in_use)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    fx_expect_panic(ACT_PANIC_STATUS_IN_USE);
    act_complete_self(&o.base, 0);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert(act_status_pending(act_object_status(&o.base)));
    act_set_active(&o.base); /* the request goes on as issued */
    act_complete(act_object_status(&o.base), 3);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.last_result, 3);
}

Test(yield, on_an_object_never_added_panics_not_added)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object o;

    act_object_init(&o, &ops, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_NOT_ADDED);
    act_complete_self(&o, 0);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_is_active(&o));
    cr_assert_not(act_status_pending(act_object_status(&o)));
}

Test(yield, with_act_pending_as_the_result_panics_bad_result)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_BAD_RESULT);
    act_complete_self(&o.base, ACT_PENDING);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
}
