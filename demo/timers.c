/* A slow request and a watchdog: the watchdog's timer cancels the slow one (README.md). */
#include <active.h>
#include <stdio.h>

struct waiter {
    act_object base;        /* the active object */
    act_timer timer;        /* its provider */
    const char *name;
    struct waiter *victim;  /* what to cancel when this one fires */
};

static int waiter_run(act_object *ao)
{
    struct waiter *w = ACT_CONTAINER_OF(ao, struct waiter, base);

    printf("%s fired: %s\n", w->name,
           act_strerror(act_status_result(act_object_status(ao))));
    if (w->victim != NULL) {
        act_cancel(&w->victim->base); /* synchronous: do_cancel, then its one signal */
        printf("%s cancelled: %s\n", w->victim->name,
               act_strerror(act_status_result(act_object_status(&w->victim->base))));
        act_sched_stop(act_sched_current());
    }
    return 0;
}

static void waiter_cancel(act_object *ao)
{
    act_timer_cancel(&ACT_CONTAINER_OF(ao, struct waiter, base)->timer);
}

static const act_object_ops waiter_ops = { waiter_run, waiter_cancel, NULL };

static void start(struct waiter *w, act_sched *s, const char *name, uint64_t usec)
{
    w->name = name;
    act_object_init(&w->base, &waiter_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(s, &w->base);
    act_timer_init(&w->timer, s);
    act_timer_after(&w->timer, act_object_status(&w->base), usec); /* issue... */
    act_set_active(&w->base);                                       /* ...then activate */
}

int main(void)
{
    act_sched s;
    struct waiter slow = { 0 }, watchdog = { 0 };

    if (act_sched_init(&s) < 0)
        return 1;
    start(&slow, &s, "slow request", 10 * 1000 * 1000);
    start(&watchdog, &s, "watchdog", 200 * 1000);
    watchdog.victim = &slow;
    act_sched_start(&s); /* until the watchdog stops it */
    act_sched_fini(&s);
    return 0;
}
