/*
 * Status words (rule 1): issuing, completing, naming results, and
 * act_wait_for_request on bare and object statuses.
 */
#include <errno.h>
#include <string.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(status, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

Test(status, init_and_zeroed_status_are_not_pending_with_result_zero)
{
    act_status a = ACT_STATUS_INIT;
    act_status b;

    memset(&b, 0, sizeof b);
    cr_assert_not(act_status_pending(&a));
    cr_assert_not(act_status_pending(&b));
    cr_assert_eq(act_status_result(&a), 0);
    cr_assert_eq(act_status_result(&b), 0);
}

Test(status, set_pending_makes_result_act_pending)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    cr_assert(act_status_pending(&st));
    cr_assert_eq(act_status_result(&st), ACT_PENDING);
    act_complete(&st, 0);
}

Test(status, complete_stores_the_result_and_ends_pending)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    act_complete(&st, -ETIMEDOUT);
    cr_assert_not(act_status_pending(&st));
    cr_assert_eq(act_status_result(&st), -ETIMEDOUT);
}

Test(status, bare_status_may_be_reissued_after_completion)
{
    act_status st = ACT_STATUS_INIT;

    for (int i = 0; i < 3; i++) {
        act_status_set_pending(&st);
        act_complete(&st, i);
        cr_assert_eq(act_status_result(&st), i);
    }
}

Test(status, strerror_names_success_pending_errors_and_unknown)
{
    cr_assert_str_eq(act_strerror(0), "success");
    cr_assert_str_eq(act_strerror(1234), "success");
    cr_assert_str_eq(act_strerror(ACT_PENDING), "pending");
    cr_assert_not_null(strstr(act_strerror(-ECANCELED), "ECANCELED"));
    cr_assert_not_null(strstr(act_strerror(-EBUSY), "EBUSY"));
    cr_assert_not_null(strstr(act_strerror(-ETIMEDOUT), "ETIMEDOUT"));
    cr_assert_str_eq(act_strerror(-99999), "unknown error");
}

#ifndef ACT_SMALL_STRINGS /* which names only the core's results */
/* Every result the public headers and doc/ name (-E... there) has its name here. */
Test(status, strerror_names_every_result_the_headers_document)
{
    static const struct {
        int err;
        const char *name;
    } documented[] = {
        { EACCES, "EACCES" }, { EADDRINUSE, "EADDRINUSE" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
        { EAFNOSUPPORT, "EAFNOSUPPORT" }, { EAGAIN, "EAGAIN" }, { EBADF, "EBADF" },
        { EBUSY, "EBUSY" }, { ECANCELED, "ECANCELED" }, { ECONNREFUSED, "ECONNREFUSED" },
        { ECONNRESET, "ECONNRESET" }, { EDESTADDRREQ, "EDESTADDRREQ" },
        { EHOSTUNREACH, "EHOSTUNREACH" }, { EINVAL, "EINVAL" }, { EIO, "EIO" },
        { EISCONN, "EISCONN" }, { EISDIR, "EISDIR" }, { EMFILE, "EMFILE" },
        { EMSGSIZE, "EMSGSIZE" }, { ENAMETOOLONG, "ENAMETOOLONG" }, { ENETUNREACH, "ENETUNREACH" },
        { ENFILE, "ENFILE" }, { ENOBUFS, "ENOBUFS" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
        { ENOSPC, "ENOSPC" }, { ENOSYS, "ENOSYS" }, { ENOTCONN, "ENOTCONN" }, { ENXIO, "ENXIO" },
        { EOPNOTSUPP, "EOPNOTSUPP" }, { EPERM, "EPERM" }, { EPIPE, "EPIPE" },
        { ETIMEDOUT, "ETIMEDOUT" },
    };

    for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
        cr_assert_not_null(strstr(act_strerror(-documented[i].err), documented[i].name), "%s: \"%s\"",
                           documented[i].name, act_strerror(-documented[i].err));
}
#endif

Test(status, wait_for_request_returns_at_once_when_not_pending)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    act_complete(&st, 7);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 7);
}

Test(status, wait_for_request_on_an_unadded_objects_status_returns_at_once_unless_pending)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_wait_for_request(act_object_status(&ao)); /* nothing outstanding: no scheduler needed */
    cr_assert_eq(fx_panics(), 0);
    act_status_set_pending(act_object_status(&ao));
    fx_expect_panic(ACT_PANIC_NO_SCHEDULER); /* would wait forever */
    act_wait_for_request(act_object_status(&ao));
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_status_pending(act_object_status(&ao)));
}

Test(status, wait_for_request_on_bare_status_returns_when_the_timer_fires)
{
    act_status st = ACT_STATUS_INIT;
    act_timer t;
    uint64_t before = act_now_usec();

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 2000);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_geq(act_now_usec(), before + 2000);
}

Test(status, wait_for_request_keeps_other_objects_signals_for_later_dispatch)
{
    fx_obj early, during;
    act_timer t_during, t_wait;
    act_status st = ACT_STATUS_INIT;

    fx_obj_init(&early, ACT_PRIORITY_HIGH);
    fx_obj_init(&during, ACT_PRIORITY_HIGH);
    act_timer_init(&t_during, fx_sched());
    act_timer_init(&t_wait, fx_sched());
    fx_obj_complete_now(&early, 11);               /* ready before the wait */
    fx_obj_after(&during, &t_during, 0);           /* completes during the wait */
    act_timer_after(&t_wait, &st, 5000);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_eq(early.runs, 0, "no run is called inside act_wait_for_request");
    cr_assert_eq(during.runs, 0);
    cr_assert(act_is_active(&early.base));
    cr_assert(act_is_active(&during.base));
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 2);
    cr_assert_eq(early.runs, 1);
    cr_assert_eq(early.last_result, 11);
    cr_assert_eq(during.runs, 1);
    cr_assert_eq(during.last_result, 0);
    fx_run_for(1000);
    cr_assert_eq(early.runs, 1, "a kept signal is delivered once");
    cr_assert_eq(during.runs, 1);
}

Test(status, wait_for_request_on_object_status_consumes_its_signal)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 1000);
    act_wait_for_request(act_object_status(&o.base));
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 0);
    cr_assert_not(act_is_active(&o.base));
    fx_run_for(3000);
    cr_assert_eq(o.runs, 0, "run is not called for a consumed signal");
}

Test(status, wait_for_request_on_completed_object_status_consumes_without_run)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 5);
    act_wait_for_request(act_object_status(&o.base));
    cr_assert_not(act_is_active(&o.base));
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 0);
    cr_assert_eq(act_status_result(act_object_status(&o.base)), 5);
}

Test(status, wait_for_request_wakes_for_a_remote_completion_of_a_bare_status)
{
    act_status st = ACT_STATUS_INIT;
    fx_remote r;

    act_status_set_pending(&st);
    fx_remote_start(&r, &st, 99, 5000);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 99);
    fx_remote_join(&r);
}

Test(status, remote_completion_of_bare_status_from_own_thread_is_seen)
{
    act_status st = ACT_STATUS_INIT;

    act_status_set_pending(&st);
    act_complete_remote(fx_sched(), &st, 3);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 3);
}

/*
 * An object's status used as a plain request (issued, never set active) and
 * completed from another thread: the completion is on the remote stack, not
 * yet gathered, when the wait starts.  The wait must consume it all the
 * same, as it does a local completion, or the scheduler later delivers it
 * as a stray to an object that may be gone.
 */
Test(status, wait_for_request_on_an_inactive_objects_status_consumes_a_remote_completion_not_yet_gathered)
{
    fx_obj o;
    act_status *st = act_object_status(&o.base);

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(st);
    fx_complete_remote(st, 42); /* the completion is on the remote stack */
    act_wait_for_request(st);
    cr_assert_eq(act_status_result(st), 42);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "the signal was consumed: nothing to deliver");
    cr_assert_eq(o.runs, 0);
}
