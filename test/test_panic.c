/*
 * Misuse is loud (rules 7, 8 and 10): every panic rule reaches the handler
 * with its name and a detail naming the object, and a handler that returns
 * makes the offending call do nothing.  The default handler prints and
 * aborts.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/fixture.h"

#include <criterion/redirect.h>

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(panic, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

/* The detail names @p the way the core prints pointers: 0x and lower-case hex. */
static void assert_detail_names(const void *p)
{
    char hex[2 + 2 * sizeof(uintptr_t) + 1];

    snprintf(hex, sizeof hex, "0x%jx", (uintmax_t)(uintptr_t)p);
    cr_assert_not_null(strstr(fx_last_detail(), hex), "detail \"%s\" does not name %s",
                       fx_last_detail(), hex);
}

/* The scheduler has no active object: finishing it panics nothing. */
static void assert_fini_clean(void)
{
    act_sched_fini(fx_sched());
    cr_assert_eq(act_sched_init(fx_sched()), 0);
}

/* --- stray signals (rule 7) --- */

Test(panic, stray_signal_when_set_active_is_forgotten)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 0);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(o.runs, 0, "a stray signal is reported, never delivered");
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

struct remote_job {
    act_sched *sched;
    act_status *status;
    int result;
};

static void *complete_remote_now(void *arg)
{
    struct remote_job *job = arg;

    act_complete_remote(job->sched, job->status, job->result);
    return NULL;
}

Test(panic, remote_stray_is_reported_on_the_scheduler_thread_at_its_next_pass)
{
    fx_obj o;
    struct remote_job job = { fx_sched(), NULL, 9 };
    pthread_t th;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 1);
    job.status = act_object_status(&o.base);
    fx_expect_panic(ACT_PANIC_STRAY_SIGNAL);
    cr_assert_eq(pthread_create(&th, NULL, complete_remote_now, &job), 0);
    pthread_join(th, NULL);
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

/* --- misuse (rule 8) --- */

Test(panic, set_active_twice_panics_and_the_request_runs_once)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_SET_ACTIVE_TWICE);
    act_set_active(&o.base);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    act_complete(act_object_status(&o.base), 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
    cr_assert_not(act_is_active(&o.base));
    assert_fini_clean();
}

Test(panic, set_active_on_object_never_added_panics_and_leaves_it_inactive)
{
    fx_obj o;
    act_object *ao = &o.base;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_object_deque(ao); /* now unadded */
    act_status_set_pending(act_object_status(ao));
    fx_expect_panic(ACT_PANIC_NOT_ADDED);
    act_set_active(ao);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(ao);
    cr_assert_not(act_is_active(ao));
}

Test(panic, add_twice_panics_and_the_object_still_works)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_ADD_TWICE);
    act_sched_add(fx_sched(), &o.base);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    fx_obj_complete_now(&o, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
}

Test(panic, add_to_second_scheduler_panics_add_twice)
{
    fx_obj o;
    act_sched other;

    cr_assert_eq(act_sched_init(&other), 0);
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_ADD_TWICE);
    act_sched_add(&other, &o.base);
    cr_assert_eq(fx_panics(), 1);
    act_sched_fini(&other);
}

Test(panic, add_null_object_or_scheduler_panics)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_ADD_NULL);
    act_sched_add(fx_sched(), NULL);
    cr_assert_eq(fx_panics(), 1);
    act_sched_add(NULL, &ao);
    cr_assert_eq(fx_panics(), 2);
    fx_expect_panic(NULL);
    act_sched_add(fx_sched(), &ao); /* it stayed unadded: no add-twice */
    act_object_deque(&ao);
}

Test(panic, fini_with_active_objects_panics_and_leaves_the_scheduler_usable)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_FINI_ACTIVE);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
    cr_assert_eq(act_sched_current(), fx_sched());
    act_complete(act_object_status(&o.base), 5);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.last_result, 5);
}

Test(panic, priority_change_while_active_panics_and_keeps_the_priority)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_LOW);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_PRIORITY_ACTIVE);
    act_object_set_priority(&o.base, ACT_PRIORITY_HIGH);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_LOW);
    act_cancel(&o.base);
}

Test(panic, priority_change_while_completed_undelivered_panics)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_LOW);
    fx_obj_complete_now(&o, 0);
    fx_expect_panic(ACT_PANIC_PRIORITY_ACTIVE);
    act_object_set_priority(&o.base, ACT_PRIORITY_HIGH);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_LOW);
}

Test(panic, bad_priority_at_init_panics_and_gives_standard)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    fx_expect_panic(ACT_PANIC_BAD_PRIORITY);
    act_object_init(&ao, &ops, ACT_PRIORITY_MAX + 1);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_object_priority(&ao), ACT_PRIORITY_STANDARD);
    act_object_init(&ao, &ops, ACT_PRIORITY_MIN - 1);
    cr_assert_eq(fx_panics(), 2);
    cr_assert_eq(act_object_priority(&ao), ACT_PRIORITY_STANDARD);
}

Test(panic, bad_priority_on_change_panics_and_keeps_the_priority)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_USER_INPUT);
    fx_expect_panic(ACT_PANIC_BAD_PRIORITY);
    act_object_set_priority(&o.base, 40000);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_eq(act_object_priority(&o.base), ACT_PRIORITY_USER_INPUT);
}

static void *cancel_from_thread(void *arg)
{
    act_cancel(arg);
    return NULL;
}

Test(panic, cancel_from_another_thread_panics_and_does_nothing)
{
    fx_obj o;
    pthread_t th;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    fx_expect_panic(ACT_PANIC_WRONG_THREAD);
    cr_assert_eq(pthread_create(&th, NULL, cancel_from_thread, &o.base), 0);
    pthread_join(th, NULL);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    cr_assert_eq(o.cancels, 0, "do_cancel must not run on the wrong thread");
    cr_assert(act_is_active(&o.base));
    cr_assert(act_status_pending(act_object_status(&o.base)));
    act_cancel(&o.base); /* from its own thread it works */
    cr_assert_eq(o.cancels, 1);
    cr_assert_not(act_is_active(&o.base));
}

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

/* --- errors (rule 9) --- */

static int fail_run(fx_obj *o)
{
    (void)o;
    return -EIO;
}

Test(panic, unhandled_error_without_error_handler_panics)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = fail_run;
    fx_obj_complete_now(&o, 0);
    fx_expect_panic(ACT_PANIC_UNHANDLED_ERROR);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
}

/* --- the handler itself --- */

struct seen_panic {
    int calls;
    char rule[32];
};

static void record_with_arg(const char *rule, const char *detail, void *arg)
{
    struct seen_panic *seen = arg;

    (void)detail;
    seen->calls++;
    snprintf(seen->rule, sizeof seen->rule, "%s", rule);
}

Test(panic, handler_gets_its_arg_and_the_rule_name)
{
    struct seen_panic seen = { 0 };

    act_set_panic_handler(record_with_arg, &seen);
    act_sched_stop(fx_sched());
    cr_assert_eq(seen.calls, 1);
    cr_assert_str_eq(seen.rule, "stop-no-level");
}

static void set_active_twice_with_default_handler(void)
{
    static const act_object_ops ops = { NULL, NULL, NULL };
    act_object ao;

    act_set_panic_handler(NULL, NULL);
    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &ao);
    act_status_set_pending(act_object_status(&ao));
    act_set_active(&ao);
    act_set_active(&ao);
}

Test(panic, default_handler_aborts, .signal = SIGABRT)
{
    cr_redirect_stderr(); /* keep the expected message out of the test log */
    set_active_twice_with_default_handler();
}

Test(panic, default_handler_prints_rule_and_detail_to_stderr_then_aborts)
{
    int fds[2];
    char out[512];
    size_t len = 0;
    ssize_t n;
    int wstatus;
    pid_t pid;

    cr_assert_eq(pipe(fds), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        set_active_twice_with_default_handler();
        _exit(0); /* not reached when the default handler aborts */
    }
    close(fds[1]);
    while (len < sizeof out - 1 && (n = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(fds[0]);
    cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
    cr_assert(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGABRT, "the default handler must abort");
    cr_assert_eq(strncmp(out, "libactive panic: set-active-twice: ", 35), 0, "stderr was \"%s\"", out);
    cr_assert_not_null(strstr(out, "0x"), "the detail names the object: \"%s\"", out);
    cr_assert_eq(out[len - 1], '\n');
}
