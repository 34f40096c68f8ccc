/*
 * The contract tests of dispatch, run to completion, priorities, fairness,
 * timers and cancel, and nested waits; the stray signals are in misuse.c and
 * the interrupts in irq.c, the shared state and test object in support.c.
 * Portable C11 on libactive alone: no libc beyond <errno.h>, no stdio.
 */
#include <errno.h>

#include <active.h>

#include "support.h"

/* Run the scheduler for @usec: a lowest-priority timer object stops it. */
static int run_for(uint64_t usec)
{
    ct_obj stopper;
    int rc;

    ct_obj_init(&stopper, '\0', ACT_PRIORITY_MIN);
    stopper.on_run = ct_stop_run;
    ct_obj_after(&stopper, usec);
    rc = act_sched_start(&ct.sched);
    ct_obj_fini(&stopper);
    return rc;
}

/* --- dispatch --- */

void ct_dispatch_runs_each_completion_once_in_completion_order(void)
{
    ct_obj a, b, c;

    ct_obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    ct_obj_init(&b, 'b', ACT_PRIORITY_STANDARD);
    ct_obj_init(&c, 'c', ACT_PRIORITY_STANDARD);
    ct_obj_complete_now(&a, 1);
    ct_obj_complete_now(&c, 3);
    ct_obj_complete_now(&b, 2);
    CT_ASSERT_EQ(ct_run_passes(4), 3);
    CT_ASSERT_STR(ct.log, "acb");
    CT_ASSERT_EQ(a.runs, 1);
    CT_ASSERT_EQ(b.runs, 1);
    CT_ASSERT_EQ(c.runs, 1);
    CT_ASSERT_EQ(a.result, 1);
    CT_ASSERT_EQ(b.result, 2);
    CT_ASSERT_EQ(c.result, 3);
    CT_ASSERT(!act_is_active(&a.base) && !act_is_active(&b.base) && !act_is_active(&c.base));
}

static int complete_other(ct_obj *o)
{
    ct_obj *other = o->user;

    ct_obj_complete_now(other, 0);
    ct_log_tag(other->runs == 0 ? '+' : '!'); /* the other has not run inside this run */
    return 0;
}

void ct_run_completes_before_the_next_run_starts(void)
{
    ct_obj a, h;

    ct_obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    ct_obj_init(&h, 'h', ACT_PRIORITY_HIGH);
    a.on_run = complete_other;
    a.user = &h;
    ct_obj_complete_now(&a, 0);
    CT_ASSERT_EQ(ct_run_passes(4), 2);
    CT_ASSERT_STR(ct.log, "a+h");
    CT_ASSERT_EQ(h.runs, 1);
}

void ct_priorities_dispatch_highest_first(void)
{
    ct_obj idle, low, std1, std2, user, high;

    ct_obj_init(&idle, 'i', ACT_PRIORITY_IDLE);
    ct_obj_init(&low, 'l', ACT_PRIORITY_LOW);
    ct_obj_init(&std1, 's', ACT_PRIORITY_STANDARD);
    ct_obj_init(&std2, 'S', ACT_PRIORITY_STANDARD);
    ct_obj_init(&user, 'u', ACT_PRIORITY_USER_INPUT);
    ct_obj_init(&high, 'h', ACT_PRIORITY_HIGH);
    ct_obj_complete_now(&idle, 0);
    ct_obj_complete_now(&low, 0);
    ct_obj_complete_now(&std1, 0);
    ct_obj_complete_now(&user, 0);
    ct_obj_complete_now(&std2, 0);
    ct_obj_complete_now(&high, 0);
    CT_ASSERT_EQ(ct_run_passes(8), 6);
    CT_ASSERT_STR(ct.log, "husSli");
}

static int again_until_three(ct_obj *o)
{
    if (o->runs < 3)
        ct_obj_complete_now(o, 0);
    return 0;
}

void ct_fairness_equal_priorities_alternate(void)
{
    ct_obj a, b;

    ct_obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    ct_obj_init(&b, 'b', ACT_PRIORITY_STANDARD);
    a.on_run = again_until_three;
    b.on_run = again_until_three;
    ct_obj_complete_now(&a, 0);
    ct_obj_complete_now(&b, 0);
    CT_ASSERT_EQ(ct_run_passes(10), 6);
    CT_ASSERT_STR(ct.log, "ababab"); /* a self-completing object never starves its peer */
}

/* --- timers and cancel --- */

void ct_timer_fires_at_its_deadline_not_before(void)
{
    ct_obj o;
    uint64_t start;

    ct_obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    start = act_now_usec();
    ct_obj_after(&o, 3000);
    CT_ASSERT_EQ(run_for(20000), 0);
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 0);
    CT_ASSERT(o.ran_at >= start + 3000);
    CT_ASSERT(!act_timer_armed(&o.timer));
    ct_obj_fini(&o);
}

void ct_cancel_pending_timer_completes_with_ecanceled_and_never_runs(void)
{
    ct_obj o;

    ct_obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    ct_obj_after(&o, 1000000);
    act_cancel(&o.base);
    CT_ASSERT(!act_is_active(&o.base));
    CT_ASSERT(!act_timer_armed(&o.timer));
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), -ECANCELED);
    CT_ASSERT_EQ(run_for(2000), 0);
    CT_ASSERT_EQ(o.runs, 0);
    ct_obj_fini(&o);
}

void ct_cancel_after_expiry_keeps_the_real_result(void)
{
    ct_obj o;
    act_timer later;
    act_status st = ACT_STATUS_INIT;

    ct_obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    ct_obj_after(&o, 1000);
    (void)act_timer_init(&later, &ct.sched);
    act_timer_after(&later, &st, 3000);
    act_wait_for_request(&st); /* runs providers, not runs: o's timer fires meanwhile */
    CT_ASSERT_EQ(act_status_result(&st), 0);
    CT_ASSERT(act_is_active(&o.base)); /* completed, not yet delivered */
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), 0);
    act_cancel(&o.base);
    CT_ASSERT(!act_is_active(&o.base));
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), 0);
    CT_ASSERT_EQ(run_for(2000), 0);
    CT_ASSERT_EQ(o.runs, 0);
    ct_obj_fini(&o);
}

/* --- nested waits (rule 10) --- */

static int start_wait(ct_obj *o)
{
    act_wait_start(o->user);
    ct_log_tag('o');
    return 0;
}

static int stop_wait(ct_obj *o)
{
    act_wait_stop(o->user);
    return 0;
}

void ct_nested_wait_survives_sched_stop_and_ends_on_its_own_stop(void)
{
    ct_obj outer, first, second;
    act_wait w = { { NULL, 0, 0 }, NULL };

    ct_obj_init(&outer, 'O', ACT_PRIORITY_STANDARD);
    ct_obj_init(&first, '1', ACT_PRIORITY_STANDARD);
    ct_obj_init(&second, '2', ACT_PRIORITY_STANDARD);
    outer.on_run = start_wait;
    outer.user = &w;
    first.on_run = ct_stop_run; /* act_sched_stop: ends the start level, not the wait */
    second.on_run = stop_wait;
    second.user = &w;
    ct_obj_after(&first, 1000);
    ct_obj_after(&second, 3000);
    ct_obj_complete_now(&outer, 0);
    CT_ASSERT_EQ(act_sched_start(&ct.sched), 0);
    CT_ASSERT_STR(ct.log, "O12o");
    CT_ASSERT(!act_wait_started(&w));
    ct_obj_fini(&first);
    ct_obj_fini(&second);
}
