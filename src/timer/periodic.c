/*
 * act_periodic: an object re-arming its own timer at start + k * period.
 * Deadlines are computed from the start, never from the time a tick ran, so
 * the schedule does not drift.
 */
#include <errno.h>

#include "../core/internal.h"

/*
 * p->start is the due time of the tick last armed: start + k * period by
 * one addition a tick (a 64-bit multiply needs libgcc on ARMv6-M).
 */
static void arm(act_periodic *p)
{
    act_timer_at(&p->timer, act_object_status(&p->base), p->start);
    if (act__object_issued(&p->base)) /* not after a panic whose handler returned: nothing to wait for */
        act_set_active(&p->base);
}

static int periodic_run(act_object *ao)
{
    act_periodic *p = ACT_CONTAINER_OF(ao, act_periodic, base);

    if (act_status_result(&ao->status) < 0)
        return 0; /* cancelled through the timer; act_periodic_stop() stops for real */
    p->ticks++;
    p->start = act__deadline_add(p->start, p->period);
    arm(p); /* before the call, so the call may stop or restart */
    return p->fn(p);
}

static void periodic_cancel(act_object *ao)
{
    act_periodic *p = ACT_CONTAINER_OF(ao, act_periodic, base);

    act_timer_cancel(&p->timer);
}

static const act_object_ops periodic_ops = { periodic_run, periodic_cancel, NULL };

int act_periodic_init(act_periodic *p, act_sched *s, act_periodic_fn fn, int priority)
{
    if (p == NULL || s == NULL || fn == NULL)
        return -EINVAL;
    act_object_init(&p->base, &periodic_ops, priority);
    act_sched_add(s, &p->base);
    (void)act_timer_init(&p->timer, s);
    p->fn = fn;
    p->start = p->period = p->ticks = 0;
    return 0;
}

int act_periodic_start(act_periodic *p, uint64_t delay, uint64_t period)
{
    if (period == 0)
        return -EINVAL;
    act_cancel(&p->base);
    p->period = period;
    p->ticks = 0;
    p->start = act__deadline_add(act_now_usec(), delay); /* tick k is due at this + (k - 1) * period */
    arm(p);
    return 0;
}

void act_periodic_stop(act_periodic *p)
{
    act_cancel(&p->base);
}

uint64_t act_periodic_ticks(const act_periodic *p)
{
    return p->ticks;
}

void act_periodic_fini(act_periodic *p)
{
    act_object_deque(&p->base);
    act_timer_fini(&p->timer);
}
