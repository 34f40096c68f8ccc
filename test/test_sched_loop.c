/*
 * The scheduler's loop levels (rule 10): act_sched_start nests and
 * act_sched_stop ends the innermost level, an act_wait loop ends only at its
 * own stop and only after the loops nested inside it, and a failed wait
 * ends the loop with the port's errno.
 */
#include <fcntl.h>
#include <unistd.h>

#include "support/fixture.h"
#include "support/order.h"

/*
 * The tests are in the sched suite, with its fixture (fx_setup, fx_teardown)
 * and timeout: a suite is declared once in the binary, in test_sched.c.
 */

static int start_nested_level(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    fx_obj_complete_now(&l->next->o, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    log_id(l->log, -l->id);
    return 0;
}

static int stop_level(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    act_sched_stop(fx_sched());
    if (l->next != NULL)
        fx_obj_complete_now(&l->next->o, 0);
    return 0;
}

Test(sched, nested_start_is_ended_by_stop_innermost_first)
{
    struct order_log log = { 0 };
    struct logged outer, inner_stop, outer_stop;
    const int want[] = { 1, 2, -1, 3 };

    logged_init(&outer, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&inner_stop, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&outer_stop, 3, ACT_PRIORITY_LOW, &log);
    outer.o.on_run = start_nested_level;
    outer.next = &inner_stop;
    inner_stop.o.on_run = stop_level;
    outer_stop.o.on_run = stop_level;
    fx_obj_complete_now(&outer.o, 0);
    fx_obj_complete_now(&outer_stop.o, 0); /* LOW: runs only after the inner level ended */
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    assert_log(&log, want, 4);
}

static int stop_twice(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    act_sched_stop(fx_sched());
    act_sched_stop(fx_sched()); /* the next level out */
    return 0;
}

Test(sched, second_stop_ends_the_next_level_out)
{
    struct order_log log = { 0 };
    struct logged outer, inner, never;
    const int want[] = { 1, 2, -1 };

    logged_init(&outer, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&inner, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&never, 3, ACT_PRIORITY_LOW, &log);
    outer.o.on_run = start_nested_level;
    outer.next = &inner;
    inner.o.on_run = stop_twice;
    fx_obj_complete_now(&outer.o, 0);
    fx_obj_complete_now(&never.o, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    assert_log(&log, want, 3);
    act_cancel(&never.o.base);
}

static int start_wait(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    fx_obj_complete_now(&l->next->o, 0);
    act_wait_start(l->wait);
    cr_assert_not(act_wait_started(l->wait));
    log_id(l->log, -l->id);
    return 0;
}

static int stop_wait_and_continue(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    cr_assert(act_wait_started(l->stop_wait));
    act_wait_stop(l->stop_wait);
    if (l->next != NULL)
        fx_obj_complete_now(&l->next->o, 0);
    return 0;
}

Test(sched, wait_runs_a_nested_loop_until_its_stop)
{
    struct order_log log = { 0 };
    struct logged a, b;
    act_wait w = { 0 };
    const int want[] = { 1, 2, -1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = start_wait;
    a.next = &b;
    a.wait = &w;
    b.o.on_run = stop_wait_and_continue;
    b.stop_wait = &w;
    cr_assert_not(act_wait_started(&w));
    fx_obj_complete_now(&a.o, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    assert_log(&log, want, 3);
}

static int sched_stop_inside_wait(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    act_sched_stop(fx_sched()); /* ends the start level outside the wait, later */
    fx_obj_complete_now(&l->next->o, 0);
    return 0;
}

Test(sched, sched_stop_never_ends_a_wait_loop)
{
    struct order_log log = { 0 };
    struct logged a, b, c;
    act_wait w = { 0 };
    const int want[] = { 1, 2, 3, -1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = start_wait;
    a.next = &b;
    a.wait = &w;
    b.o.on_run = sched_stop_inside_wait;
    b.next = &c;
    c.o.on_run = stop_wait_and_continue;
    c.stop_wait = &w;
    fx_obj_complete_now(&a.o, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0, "the start level ends once the wait returned");
    assert_log(&log, want, 4);
}

Test(sched, wait_returns_only_after_loops_nested_inside_it_returned)
{
    struct order_log log = { 0 };
    struct logged a, b, c, d;
    act_wait w1 = { 0 }, w2 = { 0 };
    const int want[] = { 1, 2, 3, 4, -2, -1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    logged_init(&d, 4, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = start_wait;         /* a: wait w1 */
    a.next = &b;
    a.wait = &w1;
    b.o.on_run = start_wait;         /* b, inside w1: wait w2 */
    b.next = &c;
    b.wait = &w2;
    c.o.on_run = stop_wait_and_continue; /* c, inside w2: stop the outer w1 */
    c.stop_wait = &w1;
    c.next = &d;
    d.o.on_run = stop_wait_and_continue; /* d still runs inside w2, then stops it */
    d.stop_wait = &w2;
    fx_obj_complete_now(&a.o, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    assert_log(&log, want, 6);
}

Test(sched, wait_may_be_started_again_after_it_returned)
{
    struct order_log log = { 0 };
    struct logged a, b;
    act_wait w = { 0 };
    const int want[] = { 1, 2, -1, 1, 2, -1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = start_wait;
    a.next = &b;
    a.wait = &w;
    b.o.on_run = stop_wait_and_continue;
    b.stop_wait = &w;
    for (int i = 0; i < 2; i++) {
        fx_obj_complete_now(&a.o, 0);
        act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    }
    assert_log(&log, want, 6);
}

Test(sched, start_panics_port_failed_then_returns_the_errno_when_waiting_fails)
{
    act_status st = ACT_STATUS_INIT;
    act_timer t;
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

    cr_assert_geq(nul, 0);
    cr_assert_geq(dup2(nul, act_sched_fd(fx_sched())), 0); /* the epoll fd is now not an epoll fd */
    close(nul);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 60u * 1000 * 1000);
    fx_expect_panic(ACT_PANIC_PORT_FAILED); /* act_sched_fd(): "do not close it" */
    cr_assert_lt(act_sched_start(fx_sched()), 0, "a failed wait ends the loop with a negative errno");
    cr_assert_eq(fx_panics(), 1);
    cr_assert_lt(act_sched_run_once(fx_sched(), 0), 0);
    cr_assert_eq(fx_panics(), 2);
    act_timer_cancel(&t);
}
