/*
 * The helpers built on the core: act_periodic (no drift), act_idle (runs
 * only when nothing else is ready) and act_callback (one call per batch of
 * fires from any thread).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(helpers, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

static void sleep_usec(long usec)
{
    struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };

    nanosleep(&ts, NULL);
}

/* --- act_periodic --- */

struct ticker {
    act_periodic p;
    uint64_t first_due;   /* when tick 1 was due */
    uint64_t period;
    uint64_t stop_after;  /* ticks */
    uint64_t calls;
    uint64_t slow_tick;   /* this tick sleeps 3.5 periods */
};

/*
 * In tick k, tick k is due at first_due + (k - 1) * period and the timer is
 * already armed for tick k + 1.  The armed deadline is private: it is read
 * here because it is the one exact witness of drift.
 */
static int tick(act_periodic *p)
{
    struct ticker *t = ACT_CONTAINER_OF(p, struct ticker, p);
    uint64_t k = act_periodic_ticks(p);
    uint64_t due = t->first_due + (k - 1) * t->period;

    t->calls++;
    cr_assert_eq(k, t->calls, "ticks %llu, calls %llu", (unsigned long long)k, (unsigned long long)t->calls);
    cr_assert_geq(act_now_usec(), due, "tick %llu came early", (unsigned long long)k);
    if (k < t->stop_after)
        cr_assert_eq(p->timer.deadline, due + t->period, "tick %llu: next deadline drifted by %lld us",
                     (unsigned long long)k, (long long)(p->timer.deadline - due - t->period));
    sleep_usec((long)(t->period / 3)); /* each call costs a third of a period */
    if (k == t->slow_tick)
        sleep_usec((long)(t->period * 7 / 2));
    if (k == t->stop_after) {
        act_periodic_stop(p);
        act_sched_stop(fx_sched());
    }
    return 0;
}

static void ticker_start(struct ticker *t, uint64_t delay, uint64_t period, uint64_t stop_after)
{
    uint64_t before = act_now_usec();

    t->period = period;
    t->stop_after = stop_after;
    cr_assert_eq(act_periodic_init(&t->p, fx_sched(), tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&t->p, delay, period), 0);
    t->first_due = t->p.timer.deadline; /* private; see tick() */
    cr_assert_geq(t->first_due, before + delay);
    cr_assert_leq(t->first_due, act_now_usec() + delay);
}

Test(helpers, periodic_kth_tick_is_due_at_start_plus_k_periods_despite_slow_calls)
{
    struct ticker t = { .slow_tick = 4 };

    ticker_start(&t, 2000, 3000, 12);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(t.calls, 12);
    cr_assert_geq(act_now_usec(), t.first_due + 11 * t.period);
    act_periodic_fini(&t.p);
}

Test(helpers, periodic_stop_from_a_tick_ends_the_ticks)
{
    struct ticker t = { .slow_tick = 0 };

    ticker_start(&t, 0, 1000, 3);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    fx_run_for(10000);
    cr_assert_eq(t.calls, 3, "no call after act_periodic_stop");
    act_periodic_fini(&t.p);
}

static int count_tick(act_periodic *p)
{
    (void)p;
    cr_assert_fail("a stopped periodic ticked");
    return 0;
}

Test(helpers, periodic_stop_before_the_first_tick_means_no_call)
{
    act_periodic p;

    cr_assert_eq(act_periodic_init(&p, fx_sched(), count_tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&p, 1000, 1000), 0);
    act_periodic_stop(&p);
    fx_run_for(5000);
    act_periodic_fini(&p);
}

Test(helpers, periodic_zero_period_is_einval_and_null_init_is_einval)
{
    act_periodic p;

    cr_assert_eq(act_periodic_init(NULL, fx_sched(), count_tick, ACT_PRIORITY_STANDARD), -EINVAL);
    cr_assert_eq(act_periodic_init(&p, NULL, count_tick, ACT_PRIORITY_STANDARD), -EINVAL);
    cr_assert_eq(act_periodic_init(&p, fx_sched(), NULL, ACT_PRIORITY_STANDARD), -EINVAL);
    cr_assert_eq(act_periodic_init(&p, fx_sched(), count_tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&p, 0, 0), -EINVAL);
    fx_run_for(2000);
    act_periodic_fini(&p);
}

static int nop_tick(act_periodic *p)
{
    (void)p;
    return 0;
}

/* As act_timer_after(): a time past the clock's range is never, not a wrap into the past. */
Test(helpers, periodic_period_past_the_clocks_range_ticks_once_then_never)
{
    act_periodic p;

    cr_assert_eq(act_periodic_init(&p, fx_sched(), nop_tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&p, 0, UINT64_MAX), 0);
    fx_run_for(3000);
    cr_assert_eq(act_periodic_ticks(&p), 1, "the second tick is due past the end of the clock");
    act_periodic_fini(&p);
}

Test(helpers, periodic_first_delay_past_the_clocks_range_never_ticks)
{
    act_periodic p;

    cr_assert_eq(act_periodic_init(&p, fx_sched(), nop_tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&p, UINT64_MAX, 1000), 0);
    fx_run_for(3000);
    cr_assert_eq(act_periodic_ticks(&p), 0);
    act_periodic_fini(&p);
}

static int restart_at_tick_two(act_periodic *p)
{
    struct ticker *t = ACT_CONTAINER_OF(p, struct ticker, p);

    t->calls++;
    if (t->calls == 2)
        cr_assert_eq(act_periodic_start(p, 1000, 1000), 0);
    if (t->calls == 2)
        cr_assert_eq(act_periodic_ticks(p), 0, "a restart counts from zero again");
    if (t->calls == 4) {
        cr_assert_eq(act_periodic_ticks(p), 2);
        act_periodic_stop(p);
        act_sched_stop(fx_sched());
    }
    return 0;
}

Test(helpers, periodic_restart_from_a_tick_counts_again_from_one)
{
    struct ticker t = { 0 };

    cr_assert_eq(act_periodic_init(&t.p, fx_sched(), restart_at_tick_two, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&t.p, 0, 1000), 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(t.calls, 4);
    act_periodic_fini(&t.p);
}

struct err_count {
    int calls;
    int err;
};

static void count_error(act_sched *s, act_object *ao, int err, void *arg)
{
    struct err_count *ec = arg;

    (void)s;
    (void)ao;
    ec->calls++;
    ec->err = err;
}

static int failing_tick(act_periodic *p)
{
    if (act_periodic_ticks(p) == 3) {
        act_periodic_stop(p);
        act_sched_stop(fx_sched());
    }
    return -EIO;
}

Test(helpers, periodic_error_goes_to_the_handler_and_ticking_goes_on)
{
    act_periodic p;
    struct err_count ec = { 0 };

    act_sched_set_error_handler(fx_sched(), count_error, &ec);
    cr_assert_eq(act_periodic_init(&p, fx_sched(), failing_tick, ACT_PRIORITY_STANDARD), 0);
    cr_assert_eq(act_periodic_start(&p, 0, 1000), 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(ec.calls, 3);
    cr_assert_eq(ec.err, -EIO);
    act_periodic_fini(&p);
}

/* --- act_idle --- */

struct idler {
    act_idle idle;
    int calls;
    int stop_at;
    fx_obj *busy;  /* optional: a higher-priority object that must never be ready during a call */
    int busy_runs_at_first_call;
};

static bool idle_work(act_idle *idle)
{
    struct idler *x = ACT_CONTAINER_OF(idle, struct idler, idle);

    if (x->calls++ == 0 && x->busy != NULL)
        x->busy_runs_at_first_call = x->busy->runs;
    if (x->busy != NULL)
        cr_assert(!act_is_active(&x->busy->base) || act_status_pending(act_object_status(&x->busy->base)),
                  "idle ran while a higher-priority object was ready");
    if (x->calls == x->stop_at) {
        act_sched_stop(fx_sched());
        return false;
    }
    return true;
}

Test(helpers, idle_runs_until_its_function_returns_false)
{
    struct idler x = { .stop_at = 5 };

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), idle_work, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    fx_run_for(3000);
    cr_assert_eq(x.calls, 5);
    act_idle_fini(&x.idle);
}

static int rearm_ten_times(fx_obj *o)
{
    if (o->runs < 10)
        fx_obj_complete_now(o, 0);
    return 0;
}

Test(helpers, idle_runs_only_when_nothing_else_is_ready)
{
    struct idler x = { .stop_at = 3 };
    fx_obj busy;

    fx_obj_init(&busy, ACT_PRIORITY_STANDARD);
    busy.on_run = rearm_ten_times;
    x.busy = &busy;
    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), idle_work, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    fx_obj_complete_now(&busy, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(x.busy_runs_at_first_call, 10, "idle ran before the busy object finished");
    cr_assert_eq(x.calls, 3);
    act_idle_fini(&x.idle);
}

static int stop_scheduler(fx_obj *o)
{
    (void)o;
    act_sched_stop(fx_sched());
    return 0;
}

static bool idle_forever(act_idle *idle)
{
    struct idler *x = ACT_CONTAINER_OF(idle, struct idler, idle);

    x->calls++;
    return true;
}

Test(helpers, idle_that_never_stops_does_not_block_timers)
{
    struct idler x = { 0 };
    fx_obj timed;
    act_timer t;
    uint64_t due = act_now_usec() + 20000; /* room for a loaded machine to reach the first pass */

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), idle_forever, ACT_PRIORITY_IDLE), 0);
    fx_obj_init(&timed, ACT_PRIORITY_STANDARD);
    timed.on_run = stop_scheduler;
    act_timer_init(&t, fx_sched());
    fx_obj_at(&timed, &t, due);
    act_idle_start(&x.idle);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(timed.runs, 1);
    cr_assert_gt(x.calls, 0, "idle ran while the loop waited for the timer");
    cr_assert_geq(act_now_usec(), due);
    act_idle_stop(&x.idle);
    int calls = x.calls;
    fx_run_for(2000);
    cr_assert_eq(x.calls, calls, "no call after act_idle_stop");
    act_idle_fini(&x.idle);
}

static bool stop_self_but_ask_for_more(act_idle *idle)
{
    struct idler *x = ACT_CONTAINER_OF(idle, struct idler, idle);

    if (x->calls++ > 0)
        cr_assert_fail("act_idle_stop: no call comes after it returns");
    act_idle_stop(idle);
    return true;
}

Test(helpers, idle_stop_from_its_own_call_wins_over_returning_true)
{
    struct idler x = { 0 };

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), stop_self_but_ask_for_more, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    fx_run_for(3000);
    cr_assert_eq(x.calls, 1, "act_idle_stop: no call comes after it returns");
    act_idle_fini(&x.idle);
}

static bool fini_self_but_ask_for_more(act_idle *idle)
{
    struct idler *x = ACT_CONTAINER_OF(idle, struct idler, idle);

    if (x->calls++ > 0)
        cr_assert_fail("act_idle_fini: no call comes after it returns");
    act_idle_fini(idle);
    return true;
}

Test(helpers, idle_fini_from_its_own_call_wins_over_returning_true)
{
    struct idler x = { 0 };

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), fini_self_but_ask_for_more, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    fx_run_for(3000); /* the fixture fails on the not-added panic a re-arm would raise */
    cr_assert_eq(x.calls, 1);
}

Test(helpers, idle_start_twice_does_nothing_more)
{
    struct idler x = { .stop_at = 2 };

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), idle_work, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    act_idle_start(&x.idle); /* no set-active-twice panic */
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(x.calls, 2);
    act_idle_fini(&x.idle);
}

Test(helpers, idle_init_rejects_null_with_einval)
{
    act_idle idle;

    cr_assert_eq(act_idle_init(NULL, fx_sched(), idle_forever, 0), -EINVAL);
    cr_assert_eq(act_idle_init(&idle, NULL, idle_forever, 0), -EINVAL);
    cr_assert_eq(act_idle_init(&idle, fx_sched(), NULL, 0), -EINVAL);
}

/* --- act_callback --- */

struct caller {
    act_callback cb;
    atomic_int calls;
    atomic_long fires;      /* fires made so far, counted before each fire */
    long fires_seen;        /* fires counted when the last call started */
    long stop_at_fires;     /* stop the scheduler once a call has seen this many */
    int fire_self;          /* fire again from inside the call, this many times */
};

static int callback_fn(act_callback *cb)
{
    struct caller *c = ACT_CONTAINER_OF(cb, struct caller, cb);

    atomic_fetch_add(&c->calls, 1);
    c->fires_seen = atomic_load(&c->fires);
    if (c->fire_self > 0) {
        c->fire_self--;
        act_callback_fire(cb);
    }
    if (c->stop_at_fires > 0 && c->fires_seen == c->stop_at_fires)
        act_sched_stop(fx_sched());
    return 0;
}

static void caller_open(struct caller *c)
{
    atomic_init(&c->calls, 0);
    atomic_init(&c->fires, 0);
    cr_assert_eq(act_callback_open(&c->cb, fx_sched(), callback_fn, ACT_PRIORITY_STANDARD), 0);
}

Test(helpers, callback_fired_many_times_before_dispatch_runs_once)
{
    struct caller c = { 0 };

    caller_open(&c);
    for (int i = 0; i < 100; i++)
        act_callback_fire(&c.cb);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(atomic_load(&c.calls), 1);
    act_callback_close(&c.cb);
}

Test(helpers, callback_not_fired_never_runs)
{
    struct caller c = { 0 };

    caller_open(&c);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(atomic_load(&c.calls), 0);
    act_callback_close(&c.cb);
}

Test(helpers, callback_fire_during_the_call_schedules_another)
{
    struct caller c = { .fire_self = 1 };

    caller_open(&c);
    act_callback_fire(&c.cb);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1, "the fire during the call was lost");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(atomic_load(&c.calls), 2);
    act_callback_close(&c.cb);
}

Test(helpers, callback_close_drops_an_undelivered_fire)
{
    struct caller c = { 0 };

    caller_open(&c);
    act_callback_fire(&c.cb);
    act_callback_close(&c.cb);
    fx_run_for(2000);
    cr_assert_eq(atomic_load(&c.calls), 0);
    act_callback_fire(&c.cb); /* after close: does nothing */
    fx_run_for(1000);
    cr_assert_eq(atomic_load(&c.calls), 0);
}

static int close_self(act_callback *cb)
{
    struct caller *c = ACT_CONTAINER_OF(cb, struct caller, cb);

    atomic_fetch_add(&c->calls, 1);
    act_callback_fire(cb); /* would schedule another call if it stayed open */
    act_callback_close(cb);
    return 0;
}

Test(helpers, callback_close_from_its_own_call_ends_the_calls)
{
    struct caller c = { 0 };

    atomic_init(&c.calls, 0);
    cr_assert_eq(act_callback_open(&c.cb, fx_sched(), close_self, ACT_PRIORITY_STANDARD), 0);
    act_callback_fire(&c.cb);
    fx_run_for(3000);
    cr_assert_eq(atomic_load(&c.calls), 1);
}

Test(helpers, callback_open_rejects_null_with_einval)
{
    act_callback cb;

    cr_assert_eq(act_callback_open(NULL, fx_sched(), callback_fn, 0), -EINVAL);
    cr_assert_eq(act_callback_open(&cb, NULL, callback_fn, 0), -EINVAL);
    cr_assert_eq(act_callback_open(&cb, fx_sched(), NULL, 0), -EINVAL);
}

struct firer {
    struct caller *c;
    long count;
    atomic_int *go;
    atomic_int *quit;  /* when set, fire until it is set instead of count times */
};

static void *fire_thread(void *arg)
{
    struct firer *f = arg;

    while (!atomic_load(f->go))
        sched_yield();
    for (long i = 0; f->quit != NULL ? !atomic_load(f->quit) : i < f->count; i++) {
        atomic_fetch_add(&f->c->fires, 1);
        act_callback_fire(&f->c->cb);
        if (i % 256 == 255)
            sched_yield();
    }
    return NULL;
}

Test(helpers, callback_fired_from_several_threads_runs_once_per_batch)
{
    struct caller c = { 0 };
    atomic_int go;
    struct firer f = { &c, fx_size(20000, 2000), &go, NULL };
    pthread_t th[4];

    atomic_init(&go, 1);
    caller_open(&c);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, fire_thread, &f), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1, "the whole batch is one call");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(atomic_load(&c.calls), 1);
    act_callback_close(&c.cb);
}

Test(helpers, callback_fires_racing_the_calls_are_never_lost)
{
    struct caller c = { 0 };
    atomic_int go;
    struct firer f = { &c, fx_size(20000, 2000), &go, NULL };
    pthread_t th[3];

    atomic_init(&go, 0);
    caller_open(&c);
    c.stop_at_fires = 3 * f.count;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, fire_thread, &f), 0);
    atomic_store(&go, 1);
    /* ends only when a call started after the last fire: none was lost */
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    cr_assert_geq(atomic_load(&c.calls), 1);
    cr_assert_leq(atomic_load(&c.calls), 3 * f.count, "more calls than fires");
    cr_log_info("%ld fires, %d calls", 3 * f.count, atomic_load(&c.calls));
    act_callback_close(&c.cb);
}

Test(helpers, callback_close_while_fires_race_is_safe)
{
    struct caller c = { 0 };
    atomic_int go, quit;
    struct firer f = { &c, 0, &go, &quit };
    pthread_t th[2];
    const int cycles = (int)fx_size(200, 30);

    atomic_init(&go, 1);
    atomic_init(&quit, 0);
    caller_open(&c);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, fire_thread, &f), 0);
    for (int k = 0; k < cycles; k++) {
        for (int n = 0; n < k % 4; n++)
            act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
        act_callback_close(&c.cb);
        int calls = atomic_load(&c.calls);
        act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
        cr_assert_eq(atomic_load(&c.calls), calls, "a call after close");
        cr_assert_eq(act_callback_open(&c.cb, fx_sched(), callback_fn, ACT_PRIORITY_STANDARD), 0);
    }
    act_callback_close(&c.cb);
    atomic_store(&quit, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT); /* a stray from a late fire would panic here */
}
