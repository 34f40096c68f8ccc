/*
 * The scheduler: dispatch order (rule 3), errors (rule 9), nested loops
 * (rule 10), embedding in a foreign loop, and O(1) dispatch with many added
 * objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(sched, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

/* Objects that log their id, in run order, into a shared log. */
struct order_log {
    int n;
    int ids[64];
};

struct logged {
    fx_obj o;
    int id;
    struct order_log *log;
    struct logged *next;   /* optional: completed from this one's run */
    act_wait *wait;        /* optional: what this one's run starts or stops */
    act_wait *stop_wait;
};

static void log_id(struct order_log *log, int id)
{
    cr_assert_lt(log->n, 64);
    log->ids[log->n++] = id;
}

static int logged_run(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    return 0;
}

static void logged_init(struct logged *l, int id, int priority, struct order_log *log)
{
    memset(l, 0, sizeof *l);
    fx_obj_init(&l->o, priority);
    l->id = id;
    l->log = log;
    l->o.on_run = logged_run;
}

static void assert_log(const struct order_log *log, const int *want, int n)
{
    cr_assert_eq(log->n, n, "%d runs logged, %d expected", log->n, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(log->ids[i], want[i], "run %d was object %d, expected %d", i, log->ids[i], want[i]);
}

Test(sched, init_installs_only_when_the_thread_has_none_and_fini_uninstalls)
{
    act_sched other;

    cr_assert_eq(act_sched_init(&other), 0);
    cr_assert_eq(act_sched_current(), fx_sched(), "a second init must not replace the current");
    act_sched_install(&other);
    cr_assert_eq(act_sched_current(), &other);
    act_sched_fini(&other);
    cr_assert_null(act_sched_current());
    act_sched_install(fx_sched());
    cr_assert_eq(act_sched_current(), fx_sched());
}

Test(sched, higher_priority_runs_first)
{
    struct order_log log = { 0 };
    struct logged low, std, input, high;
    const int want[] = { 4, 3, 2, 1 };

    logged_init(&low, 1, ACT_PRIORITY_LOW, &log);
    logged_init(&std, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&input, 3, ACT_PRIORITY_USER_INPUT, &log);
    logged_init(&high, 4, ACT_PRIORITY_HIGH, &log);
    fx_obj_complete_now(&low.o, 0);
    fx_obj_complete_now(&std.o, 0);
    fx_obj_complete_now(&input.o, 0);
    fx_obj_complete_now(&high.o, 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 4);
    assert_log(&log, want, 4);
}

static int complete_next(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    fx_obj_complete_now(&l->next->o, 0);
    return 0;
}

Test(sched, priority_is_strict_when_a_higher_object_completes_during_a_run)
{
    struct order_log log = { 0 };
    struct logged first, second_std, low, high;
    const int want[] = { 1, 4, 2, 3 };

    logged_init(&first, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&second_std, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&low, 3, ACT_PRIORITY_LOW, &log);
    logged_init(&high, 4, ACT_PRIORITY_HIGH, &log);
    first.o.on_run = complete_next;
    first.next = &high;
    fx_obj_complete_now(&first.o, 0);
    fx_obj_complete_now(&second_std.o, 0);
    fx_obj_complete_now(&low.o, 0);
    fx_run_for(1000);
    assert_log(&log, want, 4);
}

Test(sched, equal_priority_runs_in_completion_order)
{
    struct order_log log = { 0 };
    struct logged a, b, c, d;
    const int want[] = { 3, 1, 4, 2 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    logged_init(&d, 4, ACT_PRIORITY_STANDARD, &log);
    fx_obj_issue(&a.o);
    fx_obj_issue(&b.o);
    fx_obj_issue(&c.o);
    fx_obj_issue(&d.o);
    act_complete(act_object_status(&c.o.base), 0);
    act_complete(act_object_status(&a.o.base), 0);
    act_complete(act_object_status(&d.o.base), 0);
    act_complete(act_object_status(&b.o.base), 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 4);
    assert_log(&log, want, 4);
}

Test(sched, equal_priority_remote_completions_run_in_completion_order)
{
    struct order_log log = { 0 };
    struct logged a, b, c;
    const int want[] = { 2, 3, 1 };

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    logged_init(&c, 3, ACT_PRIORITY_STANDARD, &log);
    fx_obj_issue(&a.o);
    fx_obj_issue(&b.o);
    fx_obj_issue(&c.o);
    act_complete_remote(fx_sched(), act_object_status(&b.o.base), 0);
    act_complete_remote(fx_sched(), act_object_status(&c.o.base), 0);
    act_complete_remote(fx_sched(), act_object_status(&a.o.base), 0);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    assert_log(&log, want, 3);
}

static int rearm_until_full(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    if (l->log->n < 20)
        fx_obj_complete_now(o, 0);
    else
        act_sched_stop(fx_sched());
    return 0;
}

Test(sched, equal_priority_self_rearming_objects_alternate)
{
    struct order_log log = { 0 };
    struct logged a, b;

    logged_init(&a, 1, ACT_PRIORITY_STANDARD, &log);
    logged_init(&b, 2, ACT_PRIORITY_STANDARD, &log);
    a.o.on_run = rearm_until_full;
    b.o.on_run = rearm_until_full;
    fx_obj_complete_now(&a.o, 0);
    fx_obj_complete_now(&b.o, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(log.n, 20);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(log.ids[i], 1 + i % 2, "run %d was object %d: a peer starved", i, log.ids[i]);
    act_cancel(&a.o.base);
    act_cancel(&b.o.base);
}

/* --- nested loops (rule 10) --- */

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

Test(sched, start_returns_the_ports_errno_when_waiting_fails)
{
    act_status st = ACT_STATUS_INIT;
    act_timer t;
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

    cr_assert_geq(nul, 0);
    cr_assert_geq(dup2(nul, act_sched_fd(fx_sched())), 0); /* the epoll fd is now not an epoll fd */
    close(nul);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 60u * 1000 * 1000);
    cr_assert_lt(act_sched_start(fx_sched()), 0, "a failed wait ends the loop with a negative errno");
    cr_assert_lt(act_sched_run_once(fx_sched(), 0), 0);
    act_timer_cancel(&t);
}

/* --- errors (rule 9) --- */

struct err_obj {
    act_object base;
    int run_ret;
    int run_error_ret;
    int run_error_calls;
    int run_error_err;
};

struct err_seen {
    int calls;
    act_sched *sched;
    act_object *ao;
    int err;
};

static int err_run(act_object *ao)
{
    return ACT_CONTAINER_OF(ao, struct err_obj, base)->run_ret;
}

static void err_cancel(act_object *ao)
{
    act_complete(act_object_status(ao), -ECANCELED);
}

static int err_run_error(act_object *ao, int err)
{
    struct err_obj *e = ACT_CONTAINER_OF(ao, struct err_obj, base);

    e->run_error_calls++;
    e->run_error_err = err;
    return e->run_error_ret;
}

static void record_error(act_sched *s, act_object *ao, int err, void *arg)
{
    struct err_seen *seen = arg;

    seen->calls++;
    seen->sched = s;
    seen->ao = ao;
    seen->err = err;
}

static void err_obj_fail_now(struct err_obj *e, const act_object_ops *ops, int run_ret, int run_error_ret)
{
    memset(e, 0, sizeof *e);
    act_object_init(&e->base, ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &e->base);
    e->run_ret = run_ret;
    e->run_error_ret = run_error_ret;
    act_status_set_pending(act_object_status(&e->base));
    act_set_active(&e->base);
    act_complete(act_object_status(&e->base), 0);
}

Test(sched, run_error_handles_a_run_failure)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 1);
    cr_assert_eq(e.run_error_err, -EIO);
    cr_assert_eq(seen.calls, 0, "a handled error must not reach the scheduler");
}

Test(sched, run_error_not_called_when_run_succeeds)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, 0, -EIO);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 0);
    cr_assert_eq(seen.calls, 0);
}

Test(sched, unhandled_error_reaches_the_error_handler_with_object_and_error)
{
    static const act_object_ops ops = { err_run, err_cancel, err_run_error };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, -EPIPE);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(e.run_error_calls, 1);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.sched, fx_sched());
    cr_assert_eq(seen.ao, &e.base);
    cr_assert_eq(seen.err, -EPIPE, "the handler gets what run_error returned");
}

Test(sched, error_without_run_error_goes_straight_to_the_handler)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    struct err_obj e;
    struct err_seen seen = { 0 };

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -ENOSPC, 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(seen.ao, &e.base);
    cr_assert_eq(seen.err, -ENOSPC);
}

Test(sched, dispatch_goes_on_after_an_error)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    struct err_obj e;
    struct err_seen seen = { 0 };
    fx_obj after;

    act_sched_set_error_handler(fx_sched(), record_error, &seen);
    err_obj_fail_now(&e, &ops, -EIO, 0);
    fx_obj_init(&after, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&after, 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 2);
    cr_assert_eq(seen.calls, 1);
    cr_assert_eq(after.runs, 1);
}

/* --- embedding in a foreign loop --- */

Test(sched, run_once_nowait_returns_at_once_when_nothing_is_ready)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 60u * 1000 * 1000); /* a minute: a blocking pass would dispatch it */
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 0);
    cr_assert(act_timer_armed(&t));
    act_cancel(&o.base);
}

Test(sched, run_once_nowait_dispatches_every_ready_object)
{
    fx_obj o[3];

    for (int i = 0; i < 3; i++) {
        fx_obj_init(&o[i], ACT_PRIORITY_STANDARD);
        fx_obj_complete_now(&o[i], i);
    }
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(o[i].runs, 1);
}

Test(sched, run_once_without_nowait_blocks_until_the_next_timer)
{
    fx_obj o;
    act_timer t;
    uint64_t due = act_now_usec() + 3000;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    o.timer = &t;
    act_timer_at(&t, act_object_status(&o.base), due);
    act_set_active(&o.base);
    while (o.runs == 0)
        cr_assert_geq(act_sched_run_once(fx_sched(), 0), 0);
    cr_assert_geq(act_now_usec(), due);
}

struct remote_job {
    act_sched *sched;
    act_status *status;
    int result;
};

static void *complete_later(void *arg)
{
    struct remote_job *job = arg;
    struct timespec ts = { 0, 5 * 1000 * 1000 };

    nanosleep(&ts, NULL);
    act_complete_remote(job->sched, job->status, job->result);
    return NULL;
}

Test(sched, fd_becomes_readable_for_a_remote_completion)
{
    fx_obj o;
    struct pollfd pfd = { .fd = act_sched_fd(fx_sched()), .events = POLLIN };
    struct remote_job job = { fx_sched(), NULL, 17 };
    pthread_t th;

    cr_assert_geq(pfd.fd, 0);
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    job.status = act_object_status(&o.base);
    cr_assert_eq(poll(&pfd, 1, 0), 0, "nothing to gather yet");
    cr_assert_eq(pthread_create(&th, NULL, complete_later, &job), 0);
    cr_assert_eq(poll(&pfd, 1, 30000), 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 17);
    pthread_join(th, NULL);
}

Test(sched, timeout_is_minus_one_without_timers)
{
    cr_assert_eq(act_sched_timeout(fx_sched()), -1);
}

Test(sched, timeout_is_zero_when_an_object_is_ready)
{
    fx_obj o;
    act_timer t;
    act_status far = ACT_STATUS_INIT;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 0);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &far, 60u * 1000 * 1000);
    cr_assert_eq(act_sched_timeout(fx_sched()), 0);
    act_timer_cancel(&t);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
}

Test(sched, timeout_is_zero_when_a_timer_is_due)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    o.timer = &t;
    act_timer_at(&t, act_object_status(&o.base), act_now_usec() - 1);
    act_set_active(&o.base);
    cr_assert_eq(act_sched_timeout(fx_sched()), 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
}

Test(sched, timeout_is_the_milliseconds_to_the_nearest_timer)
{
    act_timer t1, t2;
    act_status s1 = ACT_STATUS_INIT, s2 = ACT_STATUS_INIT;
    int ms;

    act_timer_init(&t1, fx_sched());
    act_timer_init(&t2, fx_sched());
    act_timer_after(&t1, &s1, 60u * 1000 * 1000);
    act_timer_after(&t2, &s2, 30u * 1000 * 1000);
    ms = act_sched_timeout(fx_sched());
    cr_assert_leq(ms, 30000, "at most the nearest timer's delay, %d ms", ms);
    cr_assert_gt(ms, 20000, "milliseconds to the nearest timer, %d ms", ms);
    act_timer_cancel(&t1);
    act_timer_cancel(&t2);
}

Test(sched, timeout_rounds_up_and_is_never_zero_before_a_timer_is_due)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 60u * 1000 * 1000 + 1);
    cr_assert_geq(act_sched_timeout(fx_sched()), 1);
    act_timer_cancel(&t);
}

/* --- many added objects (dispatch is O(1) in them) --- */

Test(sched, many_added_idle_objects_are_never_touched_by_dispatch)
{
    static const act_object_ops ops = { err_run, err_cancel, NULL };
    const size_t count = 100000;
    size_t bytes = count * sizeof(act_object);
    act_object *idle = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fx_obj o, timed;
    act_timer t;

    cr_assert_neq(idle, MAP_FAILED);
    for (size_t i = 0; i < count; i++) {
        act_object_init(&idle[i], &ops, (int)(i % 7) * 10 - 30);
        act_sched_add(fx_sched(), &idle[i]);
    }
    cr_assert_eq(mprotect(idle, bytes, PROT_NONE), 0); /* any touch now faults */
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_init(&timed, ACT_PRIORITY_LOW);
    act_timer_init(&t, fx_sched());
    fx_obj_complete_now(&o, 3);
    fx_obj_after(&timed, &t, 1000);
    fx_run_for(5000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 3);
    cr_assert_eq(timed.runs, 1);
    fx_obj_after(&timed, &t, 1000);
    act_cancel(&timed.base);
    cr_assert_eq(timed.runs, 1);
    cr_assert_eq(mprotect(idle, bytes, PROT_READ | PROT_WRITE), 0);
    for (size_t i = 0; i < count; i++)
        act_object_deque(&idle[i]);
    munmap(idle, bytes);
}
