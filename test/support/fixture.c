#include "fixture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-process state: Criterion runs every test in its own process. */
static struct {
    act_sched sched;
    const char *expect;
    int panics;
    char detail[200];
} fx;

act_sched *fx_sched(void)
{
    return &fx.sched;
}

static void recording_panic(const char *rule, const char *detail, void *arg)
{
    (void)arg;
    if (fx.expect == NULL || strcmp(rule, fx.expect) != 0)
        cr_assert_fail("unexpected panic %s: %s", rule, detail);
    fx.panics++;
    strncpy(fx.detail, detail, sizeof fx.detail - 1);
}

void fx_setup(void)
{
    memset(&fx, 0, sizeof fx);
    act_set_panic_handler(recording_panic, NULL);
    cr_assert_eq(act_sched_init(&fx.sched), 0);
    cr_assert_eq(act_sched_current(), &fx.sched);
}

void fx_teardown(void)
{
    /* the process ends after each test; fini only when the test left it clean */
    if (fx.sched.nactive == 0)
        act_sched_fini(&fx.sched);
    act_set_panic_handler(NULL, NULL);
}

void fx_expect_panic(const char *rule)
{
    fx.expect = rule;
}

int fx_panics(void)
{
    return fx.panics;
}

const char *fx_last_detail(void)
{
    return fx.detail;
}

struct stopper {
    act_object base;
    act_timer timer;
};

static int stop_run(act_object *ao)
{
    (void)ao;
    act_sched_stop(act_sched_current());
    return 0;
}

static void stop_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct stopper, base)->timer);
}

/* Run the scheduler for @usec: a timer object at the lowest priority stops it. */
void fx_run_for(uint64_t usec)
{
    static const act_object_ops ops = { stop_run, stop_cancel, NULL };
    struct stopper st;

    act_object_init(&st.base, &ops, ACT_PRIORITY_MIN);
    act_sched_add(&fx.sched, &st.base);
    act_timer_init(&st.timer, &fx.sched);
    act_timer_after(&st.timer, act_object_status(&st.base), usec);
    act_set_active(&st.base);
    cr_assert_eq(act_sched_start(&fx.sched), 0);
    act_object_deque(&st.base);
    act_timer_fini(&st.timer);
}

long fx_size(long full, long small)
{
    return getenv("ACT_TEST_SLOW") != NULL ? full : small;
}

static int fx_obj_run(act_object *ao)
{
    fx_obj *o = ACT_CONTAINER_OF(ao, fx_obj, base);

    o->runs++;
    o->last_result = act_status_result(&ao->status);
    return o->on_run != NULL ? o->on_run(o) : 0;
}

static void fx_obj_cancel(act_object *ao)
{
    fx_obj *o = ACT_CONTAINER_OF(ao, fx_obj, base);

    o->cancels++;
    if (o->timer != NULL)
        act_timer_cancel(o->timer);
    else
        act_complete(&ao->status, -ECANCELED);
}

void fx_obj_init(fx_obj *o, int priority)
{
    static const act_object_ops ops = { fx_obj_run, fx_obj_cancel, NULL };

    memset(o, 0, sizeof *o);
    act_object_init(&o->base, &ops, priority);
    act_sched_add(&fx.sched, &o->base);
}

void fx_obj_issue(fx_obj *o)
{
    act_status_set_pending(act_object_status(&o->base));
    act_set_active(&o->base);
}

void fx_obj_complete_now(fx_obj *o, int result)
{
    fx_obj_issue(o);
    act_complete(act_object_status(&o->base), result);
}

void fx_obj_after(fx_obj *o, act_timer *t, uint64_t usec)
{
    o->timer = t;
    act_timer_after(t, act_object_status(&o->base), usec);
    act_set_active(&o->base);
}

void fx_obj_at(fx_obj *o, act_timer *t, uint64_t deadline)
{
    o->timer = t;
    act_timer_at(t, act_object_status(&o->base), deadline);
    act_set_active(&o->base);
}

uint64_t fx_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void *remote_thread(void *arg)
{
    fx_remote *r = arg;
    struct timespec ts = { (time_t)(r->usec / 1000000u), (long)(r->usec % 1000000u) * 1000 };

    if (r->usec != 0)
        nanosleep(&ts, NULL);
    act_complete_remote(fx_sched(), r->status, r->result);
    return NULL;
}

void fx_remote_start(fx_remote *r, act_status *st, int result, uint64_t usec)
{
    r->status = st;
    r->result = result;
    r->usec = usec;
    cr_assert_eq(pthread_create(&r->thread, NULL, remote_thread, r), 0);
}

void fx_remote_join(fx_remote *r)
{
    pthread_join(r->thread, NULL);
}

void fx_complete_remote(act_status *st, int result)
{
    fx_remote r;

    fx_remote_start(&r, st, result, 0);
    fx_remote_join(&r);
}
