/*
 * Nested loop misuse is loud (rule 10): starting a started wait, stopping a
 * wait not started or already stopping, act_sched_stop with no start level
 * left, and waiting with no scheduler each reach the handler with the
 * rule's name, and leave the loops as they were.
 */
#include "support/detail.h"
#include "support/fixture.h"

/*
 * The tests are in the panic suite, with its fixture (fx_setup, fx_teardown)
 * and timeout: a suite is declared once in the binary, in test_panic.c.
 */

/* --- nested loop misuse (rule 10) --- */

struct waiter {
    fx_obj o;
    act_wait *wait;
};

static int start_wait_twice(fx_obj *o)
{
    struct waiter *w = ACT_CONTAINER_OF(o, struct waiter, o);

    act_wait_start(w->wait); /* returns at once after the panic */
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_wait_started(w->wait), "the started wait is untouched");
    act_wait_stop(w->wait);
    return 0;
}

static int start_wait(fx_obj *o)
{
    struct waiter *w = ACT_CONTAINER_OF(o, struct waiter, o);

    act_wait_start(w->wait);
    return 0;
}

Test(panic, wait_started_twice_panics)
{
    struct waiter outer, inner;
    act_wait w = { 0 };

    fx_obj_init(&outer.o, ACT_PRIORITY_STANDARD);
    fx_obj_init(&inner.o, ACT_PRIORITY_STANDARD);
    outer.o.on_run = start_wait;
    outer.wait = &w;
    inner.o.on_run = start_wait_twice;
    inner.wait = &w;
    fx_obj_complete_now(&outer.o, 0);
    fx_obj_complete_now(&inner.o, 0);
    fx_expect_panic(ACT_PANIC_WAIT_MISUSE);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&w);
    cr_assert_eq(inner.o.runs, 1);
    cr_assert_not(act_wait_started(&w));
}

Test(panic, wait_stopped_when_not_started_panics)
{
    act_wait w = { 0 };

    fx_expect_panic(ACT_PANIC_WAIT_MISUSE);
    act_wait_stop(&w);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&w);
    cr_assert_not(act_wait_started(&w));
}

static int stop_wait_twice(fx_obj *o)
{
    struct waiter *w = ACT_CONTAINER_OF(o, struct waiter, o);

    act_wait_stop(w->wait);
    cr_assert_eq(fx_panics(), 0);
    act_wait_stop(w->wait);
    cr_assert_eq(fx_panics(), 1);
    return 0;
}

Test(panic, wait_stopped_twice_panics)
{
    struct waiter outer, inner;
    act_wait w = { 0 };

    fx_obj_init(&outer.o, ACT_PRIORITY_STANDARD);
    fx_obj_init(&inner.o, ACT_PRIORITY_STANDARD);
    outer.o.on_run = start_wait;
    outer.wait = &w;
    inner.o.on_run = stop_wait_twice;
    inner.wait = &w;
    fx_obj_complete_now(&outer.o, 0);
    fx_obj_complete_now(&inner.o, 0);
    fx_expect_panic(ACT_PANIC_WAIT_MISUSE);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_wait_started(&w));
}

Test(panic, stop_with_no_level_running_panics)
{
    fx_expect_panic(ACT_PANIC_STOP_NO_LEVEL);
    act_sched_stop(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
}

static int sched_stop_in_wait(fx_obj *o)
{
    struct waiter *w = ACT_CONTAINER_OF(o, struct waiter, o);

    act_sched_stop(fx_sched()); /* only a wait runs: no level to stop */
    cr_assert_eq(fx_panics(), 1);
    act_wait_stop(w->wait);
    return 0;
}

Test(panic, stop_with_only_a_wait_running_panics_and_leaves_the_wait)
{
    struct waiter outer, inner;
    act_wait w = { 0 };

    fx_obj_init(&outer.o, ACT_PRIORITY_STANDARD);
    fx_obj_init(&inner.o, ACT_PRIORITY_STANDARD);
    outer.o.on_run = start_wait;
    outer.wait = &w;
    inner.o.on_run = sched_stop_in_wait;
    inner.wait = &w;
    fx_obj_complete_now(&outer.o, 0);
    fx_obj_complete_now(&inner.o, 0);
    fx_expect_panic(ACT_PANIC_STOP_NO_LEVEL);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(inner.o.runs, 1);
}

Test(panic, wait_start_with_no_scheduler_panics)
{
    act_wait w = { 0 };

    act_sched_install(NULL);
    fx_expect_panic(ACT_PANIC_NO_SCHEDULER);
    act_wait_start(&w);
    act_sched_install(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_wait_started(&w));
}

Test(panic, wait_for_pending_bare_status_with_no_scheduler_panics)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    act_sched_install(NULL);
    fx_expect_panic(ACT_PANIC_NO_SCHEDULER);
    act_wait_for_request(&st);
    act_sched_install(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_status_pending(&st));
    act_complete(&st, 0);
}

/*
 * sched.h: act_sched_fini()'s context is "with no loop of @s running".
 * Called from a run, it must be refused by name (rule 8: misuse is loud)
 * and leave @s as it was; today it finishes the scheduler under its own
 * loop, whose next wait then fails on the closed epoll descriptor
 * (port-failed, blaming a descriptor "closed behind it").
 */
static int fini_in_run(fx_obj *o)
{
    (void)o;
    act_sched_fini(fx_sched());
    act_sched_stop(fx_sched());
    return 0;
}

Test(panic, fini_inside_a_running_loop_panics_fini_active_and_leaves_the_scheduler_running)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = fini_in_run;
    fx_obj_complete_now(&o, 0);
    fx_expect_panic(ACT_PANIC_FINI_ACTIVE);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_sched_current(), fx_sched(), "the scheduler is still installed");
    cr_assert_geq(act_sched_fd(fx_sched()), 0, "and still has its port");
}
