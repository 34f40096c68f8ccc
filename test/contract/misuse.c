/*
 * The contract tests of stray signals (rule 7): a completion that is not the
 * one signal of an active object's request, local or remote, is reported
 * through the panic handler, even when it is still undelivered as the
 * scheduler ends.  And the reverse: an object set active with no request,
 * which no signal would ever reach, is refused (rule 8).  The tests expect
 * those panics (ct.expect).  Portable C11 on libactive alone: no libc, no
 * stdio.
 */
#include <active.h>

#include "support.h"

void ct_stray_local_completion_is_reported(void)
{
    ct_obj o;
    act_status bare = ACT_STATUS_INIT;

    ct_obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 5); /* act_set_active forgotten */
    ct_run_passes(2);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT_EQ(o.runs, 0);
    act_status_set_pending(&bare);
    act_complete(&bare, 1);
    act_complete(&bare, 2); /* completed twice */
    CT_ASSERT_EQ(ct.panics, 2);
    CT_ASSERT_EQ(act_status_result(&bare), 1);
}

void ct_stray_remote_completion_is_reported(void)
{
    ct_obj o;
    act_status *st;

    ct_obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(st);
    act_set_active(&o.base);
    act_complete_remote(&ct.sched, st, 7);
    act_complete_remote(&ct.sched, st, 8); /* a provider completing twice */
    CT_ASSERT_EQ(ct.panics, 0);            /* reported on the scheduler's thread, later */
    ct_run_passes(2);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 7);
}

/*
 * A stray still undelivered when the scheduler ends is reported then, not
 * dropped, and the scheduler is finished all the same.
 */
void ct_stray_completion_is_reported_when_the_scheduler_ends(void)
{
    ct_obj o;
    act_status *st;

    ct_obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(st);
    act_complete_remote(&ct.sched, st, 4); /* act_set_active forgotten */
    act_sched_fini(&ct.sched);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT(act_sched_current() == NULL); /* finished */
    CT_ASSERT_EQ(o.runs, 0);
    CT_ASSERT_EQ(act_sched_init(&ct.sched), 0); /* for the teardown */
    act_sched_install(&ct.sched);
    ct_obj_fini(&o);
}

/*
 * Nothing would ever signal an object set active with no request: its cancel
 * would wait for ever.  Refused, on a fresh object and once a dispatch has
 * consumed the signal, while a request completed remotely before
 * act_set_active (from an interrupt, say) still counts.
 */
void ct_set_active_without_a_request_is_refused(void)
{
    ct_obj o;
    act_status *st;

    ct_obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    ct.expect = ACT_PANIC_NO_REQUEST;
    act_set_active(&o.base);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT(!act_is_active(&o.base));
    act_cancel(&o.base); /* inactive: returns at once */
    act_status_set_pending(st);
    act_complete_remote(&ct.sched, st, 3);
    act_set_active(&o.base);
    CT_ASSERT_EQ(ct.panics, 1);
    ct_run_passes(2);
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 3);
    act_set_active(&o.base); /* the dispatch consumed that signal */
    CT_ASSERT_EQ(ct.panics, 2);
    CT_ASSERT(!act_is_active(&o.base));
}
