/*
 * Timers: one signal per request, never early, -ECANCELED on cancel, -EBUSY
 * on a busy timer, equal deadlines, the end of the clock's range, and a
 * random workload against a model.  A million armed timers are in
 * test_timer_stress.c.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(timer, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

/* An object that records when its run came. */
struct timed {
    fx_obj o;
    act_timer t;
    uint64_t deadline;
    uint64_t ran_at;
};

static int record_time(fx_obj *o)
{
    ACT_CONTAINER_OF(o, struct timed, o)->ran_at = act_now_usec();
    return 0;
}

static void timed_init(struct timed *x)
{
    fx_obj_init(&x->o, ACT_PRIORITY_STANDARD);
    x->o.on_run = record_time;
    x->o.timer = &x->t;
    cr_assert_eq(act_timer_init(&x->t, fx_sched()), 0);
}

static void timed_at(struct timed *x, uint64_t deadline)
{
    x->deadline = deadline;
    act_timer_at(&x->t, act_object_status(&x->o.base), deadline);
    act_set_active(&x->o.base);
}

Test(timer, init_rejects_null_with_einval)
{
    act_timer t;

    cr_assert_eq(act_timer_init(NULL, fx_sched()), -EINVAL);
    cr_assert_eq(act_timer_init(&t, NULL), -EINVAL);
}

Test(timer, after_completes_with_zero_never_before_its_deadline)
{
    struct timed x;
    uint64_t before = act_now_usec();

    timed_init(&x);
    act_timer_after(&x.t, act_object_status(&x.o.base), 4000);
    act_set_active(&x.o.base);
    fx_run_for(20000);
    cr_assert_eq(x.o.runs, 1);
    cr_assert_eq(x.o.last_result, 0);
    cr_assert_geq(x.ran_at, before + 4000, "fired %llu us early",
                  (unsigned long long)(before + 4000 - x.ran_at));
}

Test(timer, zero_delay_completes_on_the_next_pass_not_inside_the_call)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 0);
    cr_assert(act_status_pending(&st), "a timer never completes inside the issuing call");
    cr_assert(act_timer_armed(&t));
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_not(act_timer_armed(&t));
}

Test(timer, at_completes_at_the_absolute_deadline_never_before)
{
    struct timed x;

    timed_init(&x);
    timed_at(&x, act_now_usec() + 3000);
    fx_run_for(20000);
    cr_assert_eq(x.o.runs, 1);
    cr_assert_eq(x.o.last_result, 0);
    cr_assert_geq(x.ran_at, x.deadline);
}

Test(timer, at_with_a_past_deadline_fires_on_the_next_pass)
{
    struct timed x;

    timed_init(&x);
    timed_at(&x, act_now_usec() - 1000);
    cr_assert(act_status_pending(act_object_status(&x.o.base)));
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(x.o.last_result, 0);
}

Test(timer, cancel_before_expiry_completes_with_ecanceled)
{
    struct timed x;

    timed_init(&x);
    timed_at(&x, act_now_usec() + 5000);
    act_timer_cancel(&x.t);
    cr_assert_not(act_timer_armed(&x.t));
    cr_assert_eq(act_status_result(act_object_status(&x.o.base)), -ECANCELED);
    fx_run_for(15000);
    cr_assert_eq(x.o.runs, 1, "the cancelled request still signals once");
    cr_assert_eq(x.o.last_result, -ECANCELED);
}

Test(timer, zero_delay_cancelled_before_its_pass_leaves_the_queue_empty)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    cr_assert_eq(act_timer_init(&t, fx_sched()), 0);
    act_timer_after(&t, &st, 0); /* due at the wheel's own base */
    act_timer_cancel(&t);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    cr_assert_eq(act_sched_timeout(fx_sched()), -1, "no timer left queued");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
}

Test(timer, cancel_after_fire_keeps_zero_and_sends_no_second_signal)
{
    struct timed x;

    timed_init(&x);
    timed_at(&x, act_now_usec());
    fx_run_for(2000);
    cr_assert_eq(x.o.runs, 1);
    act_timer_cancel(&x.t);
    cr_assert_eq(act_status_result(act_object_status(&x.o.base)), 0);
    fx_run_for(2000);
    cr_assert_eq(x.o.runs, 1);
}

Test(timer, cancel_after_fire_before_dispatch_keeps_zero)
{
    struct timed x;
    act_timer wait_t;
    act_status wait_st = ACT_STATUS_INIT;

    timed_init(&x);
    act_timer_init(&wait_t, fx_sched());
    timed_at(&x, act_now_usec());
    act_timer_after(&wait_t, &wait_st, 1000);
    act_wait_for_request(&wait_st); /* x's timer fires meanwhile */
    cr_assert_not(act_timer_armed(&x.t));
    act_timer_cancel(&x.t);
    fx_run_for(2000);
    cr_assert_eq(x.o.runs, 1);
    cr_assert_eq(x.o.last_result, 0, "the fired 0 stands");
}

Test(timer, cancel_of_idle_timer_does_nothing)
{
    act_timer t;

    act_timer_init(&t, fx_sched());
    act_timer_cancel(&t);
    cr_assert_not(act_timer_armed(&t));
    act_timer_fini(&t);
}

Test(timer, second_request_on_armed_timer_completes_ebusy_and_leaves_first_untouched)
{
    struct timed first, second;

    timed_init(&first);
    timed_init(&second);
    timed_at(&first, act_now_usec() + 6000);
    act_timer_after(&first.t, act_object_status(&second.o.base), 1000);
    cr_assert_eq(act_status_result(act_object_status(&second.o.base)), -EBUSY,
                 "-EBUSY completes inside the issuing call");
    act_set_active(&second.o.base);
    cr_assert(act_timer_armed(&first.t));
    fx_run_for(20000);
    cr_assert_eq(second.o.runs, 1);
    cr_assert_eq(second.o.last_result, -EBUSY);
    cr_assert_eq(first.o.runs, 1);
    cr_assert_eq(first.o.last_result, 0);
    cr_assert_geq(first.ran_at, first.deadline, "the first request's deadline was changed");
}

Test(timer, fini_cancels_what_is_armed)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 10000);
    act_timer_fini(&t);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    cr_assert_not(act_timer_armed(&t));
}

Test(timer, is_its_queue_node_status_and_deadline_only_32_bytes_by_default)
{
    /* a wheel link pair (a heap node on 32-bit), the status, the deadline */
    cr_assert_eq(sizeof(act_timer),
                 sizeof(((act_timer *)0)->node) + sizeof(act_status *) + sizeof(uint64_t));
#if ACT_TIMER_WHEEL == (UINTPTR_MAX > 0xffffffffu)
    cr_assert_leq(sizeof(act_timer), 32, "with its act_object, a timer must fit libev's 64 bytes");
#endif
}

Test(timer, rearmed_after_fire_and_after_cancel_it_stays_on_its_scheduler)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    for (int i = 0; i < 3; i++) {
        act_timer_after(&t, &st, 0);
        act_wait_for_request(&st);
        cr_assert_eq(act_status_result(&st), 0);
        act_timer_after(&t, &st, 100000);
        act_timer_cancel(&t);
        cr_assert_eq(act_status_result(&st), -ECANCELED);
    }
    cr_assert_eq(fx_panics(), 0);
    cr_assert_eq(act_sched_timeout(fx_sched()), -1, "no timer left queued");
}

/* Arms (or, when armed, cancels) the timer on a thread with no scheduler. */
struct off_thread {
    act_timer *t;
    act_status *st;
};

static void *arm_off_thread(void *arg)
{
    struct off_thread *job = arg;

    act_timer_after(job->t, job->st, 0);
    return NULL;
}

static void *cancel_off_thread(void *arg)
{
    struct off_thread *job = arg;

    act_timer_cancel(job->t);
    return NULL;
}

static void run_off_thread(void *(*fn)(void *), act_timer *t, act_status *st)
{
    struct off_thread job = { t, st };
    pthread_t th;

    cr_assert_eq(pthread_create(&th, NULL, fn, &job), 0);
    cr_assert_eq(pthread_join(th, NULL), 0);
}

Test(timer, arm_on_a_thread_without_its_scheduler_panics_wrong_thread_and_issues_nothing)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    fx_expect_panic(ACT_PANIC_WRONG_THREAD);
    run_off_thread(arm_off_thread, &t, &st);
    fx_expect_panic(NULL);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_status_pending(&st), "the status was left as it was");
    cr_assert_not(act_timer_armed(&t));
    cr_assert_eq(act_sched_timeout(fx_sched()), -1);
    act_timer_after(&t, &st, 0); /* on its own thread it still works */
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
}

Test(timer, arm_where_another_scheduler_is_current_panics_wrong_thread)
{
    act_sched other;
    act_timer t;
    fx_obj o;

    cr_assert_eq(act_sched_init(&other), 0);
    act_timer_init(&t, &other); /* other is not this thread's current scheduler */
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_expect_panic(ACT_PANIC_WRONG_THREAD);
    act_timer_after(&t, act_object_status(&o.base), 0);
    fx_expect_panic(NULL);
    cr_assert_eq(fx_panics(), 1);
    cr_assert_not(act_status_pending(act_object_status(&o.base)));
    cr_assert_not(act_timer_armed(&t));
    cr_assert_eq(act_sched_timeout(&other), -1);
    cr_assert_eq(act_sched_timeout(fx_sched()), -1);
    act_object_deque(&o.base);
    act_sched_fini(&other);
}

Test(timer, cancel_on_a_thread_with_no_scheduler_panics_wrong_thread_and_stays_armed)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 1000);
    fx_expect_panic(ACT_PANIC_WRONG_THREAD);
    run_off_thread(cancel_off_thread, &t, NULL);
    fx_expect_panic(NULL);
    cr_assert_eq(fx_panics(), 1);
    cr_assert(act_timer_armed(&t));
    cr_assert(act_status_pending(&st), "the request is still outstanding");
    act_wait_for_request(&st); /* and it fires as armed, once */
    cr_assert_eq(act_status_result(&st), 0);
    cr_assert_not(act_timer_armed(&t));
}

static int rearm_twice(fx_obj *o)
{
    struct timed *x = ACT_CONTAINER_OF(o, struct timed, o);

    x->ran_at = act_now_usec();
    if (o->runs < 3) {
        act_timer_after(&x->t, act_object_status(&o->base), 1000);
        act_set_active(&o->base);
    }
    return 0;
}

Test(timer, timer_may_be_rearmed_from_its_own_run)
{
    struct timed x;
    uint64_t start = act_now_usec();

    timed_init(&x);
    x.o.on_run = rearm_twice;
    act_timer_after(&x.t, act_object_status(&x.o.base), 1000);
    act_set_active(&x.o.base);
    fx_run_for(30000);
    cr_assert_eq(x.o.runs, 3);
    cr_assert_geq(x.ran_at, start + 3000);
}

/* The later timer's run: the earlier one ran first (in the same pass, perhaps, and the same microsecond). */
static int after_early(fx_obj *o)
{
    const fx_obj *early = o->user;

    cr_assert_eq(early->runs, 1, "the later deadline ran before the earlier one");
    return record_time(o);
}

Test(timer, earlier_deadline_armed_later_fires_first)
{
    struct timed late, early;

    timed_init(&late);
    timed_init(&early);
    late.o.on_run = after_early;
    late.o.user = &early.o;
    timed_at(&late, act_now_usec() + 8000);
    timed_at(&early, act_now_usec() + 2000);
    fx_run_for(20000);
    cr_assert_eq(late.o.runs, 1);
    cr_assert_eq(early.o.runs, 1);
    cr_assert_leq(early.ran_at, late.ran_at);
}

/*
 * The end of the clock's range: a delay past it (clamped to its last
 * microsecond), its last microsecond and UINT64_MAX itself land in the
 * queue's top (the wheel's level 10), stay queued while a near timer comes
 * and goes, give a foreign loop the longest timeout, and cancel cleanly.
 */
Test(timer, deadlines_at_the_end_of_the_clock_stay_armed_and_cancel_cleanly)
{
    act_status st[3] = { ACT_STATUS_INIT, ACT_STATUS_INIT, ACT_STATUS_INIT };
    act_timer far[3];
    struct timed near;

    for (int i = 0; i < 3; i++)
        cr_assert_eq(act_timer_init(&far[i], fx_sched()), 0);
    act_timer_after(&far[0], &st[0], UINT64_MAX);
    act_timer_at(&far[1], &st[1], UINT64_MAX - 1);
    act_timer_at(&far[2], &st[2], UINT64_MAX);
    cr_assert_eq(act_sched_timeout(fx_sched()), INT_MAX);
    timed_init(&near);
    timed_at(&near, act_now_usec() + 1000);
    fx_run_for(5000);
    cr_assert_eq(near.o.runs, 1);
    cr_assert_geq(near.ran_at, near.deadline);
    for (int i = 0; i < 3; i++) {
        cr_assert(act_status_pending(&st[i]), "timer %d at the end of the clock fired", i);
        cr_assert(act_timer_armed(&far[i]));
    }
    cr_assert_eq(act_sched_timeout(fx_sched()), INT_MAX);
    for (int i = 0; i < 3; i++) {
        act_timer_cancel(&far[i]);
        cr_assert_eq(act_status_result(&st[i]), -ECANCELED);
    }
    cr_assert_eq(act_sched_timeout(fx_sched()), -1, "the queue is empty again");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
}

struct same_deadline {
    struct timed *all;
    int count;
    int runs;
};

static int all_others_complete(fx_obj *o)
{
    struct same_deadline *sd = o->user;

    if (sd->runs++ == 0) {
        for (int i = 0; i < sd->count; i++)
            cr_assert_not(act_status_pending(act_object_status(&sd->all[i].o.base)),
                          "timer %d with the same deadline was not completed in the same pass", i);
    }
    return 0;
}

Test(timer, many_expiries_at_one_deadline_are_all_delivered_in_one_pass)
{
    struct same_deadline sd = { NULL, 1000, 0 };
    uint64_t deadline = act_now_usec() + 3000;

    sd.all = calloc((size_t)sd.count, sizeof *sd.all);
    cr_assert_not_null(sd.all);
    for (int i = 0; i < sd.count; i++) {
        timed_init(&sd.all[i]);
        sd.all[i].o.user = &sd;
        sd.all[i].o.on_run = all_others_complete;
        timed_at(&sd.all[i], deadline);
    }
    fx_run_for(20000);
    cr_assert_eq(sd.runs, sd.count);
    for (int i = 0; i < sd.count; i++) {
        cr_assert_eq(sd.all[i].o.runs, 1);
        cr_assert_eq(sd.all[i].o.last_result, 0);
    }
    free(sd.all);
}

/*
 * The model test.  Every timer is armed with act_timer_at at a random
 * deadline (many shared); some are cancelled at once through the timer or
 * through act_cancel, some later from another timer's run.  The model says
 * for each one: how many runs, with which result; fired ones never early and
 * dispatched in deadline order.
 */
enum plan { KEEP, CANCEL_TIMER_NOW, CANCEL_OBJECT_NOW, CANCEL_TIMER_LATER, CANCEL_OBJECT_LATER, NPLANS };

struct model;

struct mtimer {
    struct timed x;
    struct model *m;
    enum plan plan;
    struct mtimer *victim;  /* cancelled from this one's run */
    int want_runs;
    int want_result;
};

struct model {
    struct mtimer *all;
    int count;
    int runs_left;
    int *order;             /* indexes of fired timers, in dispatch order */
    int nfired;
};

/* Cancel @v as planned; the model follows from whether the timer was still armed. */
static void cancel_planned(struct mtimer *v, bool through_timer)
{
    int want = act_timer_armed(&v->x.t) ? -ECANCELED : 0;

    if (through_timer) {
        v->want_result = want;
        act_timer_cancel(&v->x.t);
    } else if (act_is_active(&v->x.o.base)) {
        v->want_result = want;
        v->want_runs = 0;
        v->m->runs_left--;
        act_cancel(&v->x.o.base);
    }
}

static int model_run(fx_obj *o)
{
    struct mtimer *mt = ACT_CONTAINER_OF(o, struct mtimer, x.o);
    struct model *m = mt->m;

    mt->x.ran_at = act_now_usec();
    if (o->last_result == 0)
        m->order[m->nfired++] = (int)(mt - m->all);
    if (mt->victim != NULL)
        cancel_planned(mt->victim, mt->victim->plan == CANCEL_TIMER_LATER);
    if (--m->runs_left == 0)
        act_sched_stop(fx_sched());
    return 0;
}

/*
 * Arm everything first, then cancel: act_cancel runs providers, so a timer
 * armed after that could be due before one that already fired, and the
 * order check would not hold.
 */
static void model_arm(struct model *m, uint64_t *rng)
{
    uint64_t base = act_now_usec() + 2000;

    m->runs_left = m->count;
    for (int i = 0; i < m->count; i++) {
        struct mtimer *mt = &m->all[i];

        timed_init(&mt->x);
        mt->x.o.on_run = model_run;
        mt->m = m;
        mt->plan = (enum plan)(fx_random(rng) % NPLANS);
        mt->want_runs = 1;
        mt->want_result = 0;
        timed_at(&mt->x, base + fx_random(rng) % 300 * 100);
    }
    for (int i = 0; i < m->count; i++) {
        struct mtimer *mt = &m->all[i];
        struct mtimer *killer = &m->all[fx_random(rng) % (uint64_t)m->count];

        if (mt->plan == CANCEL_TIMER_NOW || mt->plan == CANCEL_OBJECT_NOW)
            cancel_planned(mt, mt->plan == CANCEL_TIMER_NOW);
        else if ((mt->plan == CANCEL_TIMER_LATER || mt->plan == CANCEL_OBJECT_LATER) && killer != mt
                 && killer->victim == NULL)
            killer->victim = mt;
    }
}

static void model_check(struct model *m)
{
    for (int i = 0; i < m->count; i++) {
        struct mtimer *mt = &m->all[i];

        cr_assert_eq(mt->x.o.runs, mt->want_runs, "timer %d (plan %d): %d runs, %d expected", i,
                     mt->plan, mt->x.o.runs, mt->want_runs);
        cr_assert_eq(act_status_result(act_object_status(&mt->x.o.base)), mt->want_result,
                     "timer %d (plan %d): result %d, %d expected", i, mt->plan,
                     act_status_result(act_object_status(&mt->x.o.base)), mt->want_result);
        if (mt->want_runs == 1 && mt->want_result == 0)
            cr_assert_geq(mt->x.ran_at, mt->x.deadline, "timer %d fired early", i);
    }
    for (int k = 1; k < m->nfired; k++) {
        uint64_t prev = m->all[m->order[k - 1]].x.deadline;
        uint64_t cur = m->all[m->order[k]].x.deadline;

        cr_assert_leq(prev, cur, "timer %d (due %llu) fired before timer %d (due %llu)", m->order[k - 1],
                      (unsigned long long)prev, m->order[k], (unsigned long long)cur);
    }
}

Test(timer, random_timers_and_cancels_match_the_model)
{
    uint64_t rng = 0x9e3779b97f4a7c15u;
    struct model m = { NULL, (int)fx_size(4000, 600), 0, NULL, 0 };

    m.all = calloc((size_t)m.count, sizeof *m.all);
    m.order = calloc((size_t)m.count, sizeof *m.order);
    cr_assert(m.all != NULL && m.order != NULL);
    model_arm(&m, &rng);
    if (m.runs_left > 0)
        cr_assert_eq(act_sched_start(fx_sched()), 0);
    fx_run_for(5000); /* past every deadline: a late signal would panic or add a run */
    model_check(&m);
    for (int i = 0; i < m.count; i++)
        act_object_deque(&m.all[i].x.o.base);
    free(m.order);
    free(m.all);
}
