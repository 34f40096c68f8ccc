/*
 * Misuse is loud (rule 8): misusing an object or the scheduler reaches the
 * handler with the rule's name and a detail naming the object, and a
 * handler that returns makes the offending call do nothing; an unhandled
 * run error (rule 9) panics too.  The default handler prints and aborts.
 * Stray signals and status misuse (rule 7) are in test_panic_status.c,
 * nested loop misuse (rule 10) in test_panic_loop.c; their tests are in this
 * file's panic suite and fixture.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/detail.h"
#include "support/fixture.h"

#include <criterion/redirect.h>

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(panic, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

/* The scheduler has no active object: finishing it panics nothing. */
static void assert_fini_clean(void)
{
    act_sched_fini(fx_sched());
    cr_assert_eq(act_sched_init(fx_sched()), 0);
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

/* An armed timer points into the scheduler's queue: finishing under it would leave it dangling. */
Test(panic, fini_with_an_armed_timer_panics_and_leaves_the_scheduler_usable)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 1000000);
    fx_expect_panic(ACT_PANIC_FINI_ACTIVE);
    act_sched_fini(fx_sched());
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
    cr_assert_eq(act_sched_current(), fx_sched());
    cr_assert(act_timer_armed(&t));
    act_timer_cancel(&t);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    act_timer_fini(&t);
    assert_fini_clean();
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
    assert_detail_names(&ao);
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
    assert_detail_names(&o.base);
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

static void *deque_from_thread(void *arg)
{
    act_object_deque(arg);
    return NULL;
}

/* An inactive object: act_cancel() has nothing to do, but the deque must not go on from the wrong thread. */
Test(panic, deque_from_another_thread_panics_and_the_object_stays_added)
{
    fx_obj o;
    pthread_t th;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_WRONG_THREAD);
    cr_assert_eq(pthread_create(&th, NULL, deque_from_thread, &o.base), 0);
    pthread_join(th, NULL);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(&o.base);
    fx_obj_complete_now(&o, 3); /* still added: no not-added panic */
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(fx_panics(), 1);
}

/* Every path that ends a request keeps the count of active objects: finishing then panics nothing. */
Test(panic, fini_after_a_cancel_panics_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    act_cancel(&o.base);
    assert_fini_clean();
}

Test(panic, fini_after_a_self_completion_ran_panics_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_complete_self(&o.base, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    assert_fini_clean();
}

Test(panic, fini_after_wait_for_request_on_an_active_objects_status_panics_nothing)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 0);
    act_wait_for_request(act_object_status(&o.base));
    cr_assert_not(act_is_active(&o.base));
    assert_fini_clean();
}

/* --- the port's wait failing inside a call that returns no result --- */

/* Close the scheduler's epoll descriptor behind it; returns a copy for port_mend(). */
static int port_break(void)
{
    int ep = act_sched_fd(fx_sched());
    int saved = dup(ep);

    cr_assert_geq(saved, 0);
    cr_assert_eq(close(ep), 0);
    return saved;
}

static void port_mend(int saved)
{
    int ep = act_sched_fd(fx_sched());

    cr_assert_eq(dup2(saved, ep), ep);
    close(saved);
}

static int must_not_run(act_object *ao)
{
    (void)ao;
    cr_assert_fail("run called for a cancelled request");
    return 0;
}

static void answer_later(act_object *ao)
{
    (void)ao; /* the provider completes the status afterwards */
}

/* @ao added and active, its request outstanding; its do_cancel leaves the answer to the provider. */
static void start_waiting(act_object *ao)
{
    static const act_object_ops ops = { must_not_run, answer_later, NULL };

    act_object_init(ao, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), ao);
    act_status_set_pending(act_object_status(ao));
    act_set_active(ao);
}

Test(panic, port_failure_inside_cancel_panics_and_leaves_the_object_active)
{
    act_object ao;
    int saved;

    start_waiting(&ao);
    saved = port_break();
    fx_expect_panic(ACT_PANIC_PORT_FAILED);
    act_cancel(&ao);
    port_mend(saved);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
    cr_assert(act_is_active(&ao), "the signal was not consumed: still active");
    act_complete(act_object_status(&ao), -ECANCELED); /* the provider answers */
    act_cancel(&ao);
    cr_assert_not(act_is_active(&ao));
    cr_assert_eq(act_status_result(act_object_status(&ao)), -ECANCELED);
    act_object_deque(&ao);
}

Test(panic, port_failure_inside_deque_panics_and_leaves_the_object_in_its_scheduler)
{
    act_object ao;
    int saved;

    start_waiting(&ao);
    saved = port_break();
    fx_expect_panic(ACT_PANIC_PORT_FAILED);
    act_object_deque(&ao);
    port_mend(saved);
    cr_assert_eq(fx_panics(), 1, "only the port's failure: the object did not leave");
    cr_assert(act_is_active(&ao));
    act_complete(act_object_status(&ao), -ECANCELED); /* the provider answers */
    fx_expect_panic(ACT_PANIC_ADD_TWICE);
    act_sched_add(fx_sched(), &ao);
    cr_assert_eq(fx_panics(), 2, "still in its scheduler");
    act_object_deque(&ao);
    cr_assert_not(act_is_active(&ao));
}

Test(panic, port_failure_inside_wait_for_request_panics_and_leaves_the_status_pending)
{
    act_status st = ACT_STATUS_INIT;
    int saved;

    act_status_set_pending(&st);
    saved = port_break();
    fx_expect_panic(ACT_PANIC_PORT_FAILED);
    act_wait_for_request(&st);
    port_mend(saved);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
    cr_assert(act_status_pending(&st));
    act_complete(&st, 0);
}

Test(panic, port_failure_inside_wait_start_panics_and_leaves_the_wait_unstarted)
{
    act_wait w = { 0 };
    int saved = port_break();

    fx_expect_panic(ACT_PANIC_PORT_FAILED);
    act_wait_start(&w);
    port_mend(saved);
    cr_assert_eq(fx_panics(), 1);
    assert_detail_names(fx_sched());
    cr_assert_not(act_wait_started(&w));
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
