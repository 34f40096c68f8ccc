/*
 * act_idle: an object that completes its own request, so it is dispatched
 * whenever nothing of higher priority is ready.
 */
#include <errno.h>

#include "../core/internal.h"

static void rearm(act_idle *idle)
{
    act_status *st = act_object_status(&idle->base);

    if (!act__status_issue(st))
        return;
    act_set_active(&idle->base);
    act_complete(st, 0);
}

static int idle_run(act_object *ao)
{
    act_idle *idle = ACT_CONTAINER_OF(ao, act_idle, base);

    /* -ECANCELED: act_idle_stop() was called from inside the call */
    if (idle->fn(idle) && ao->sched != NULL && !act_is_active(ao) && ao->status.result != -ECANCELED)
        rearm(idle);
    return 0;
}

static void idle_cancel(act_object *ao)
{
    (void)ao; /* never pending: the request completes inside act_idle_start() */
}

static const act_object_ops idle_ops = { idle_run, idle_cancel, NULL };

int act_idle_init(act_idle *idle, act_sched *s, act_idle_fn fn, int priority)
{
    if (idle == NULL || s == NULL || fn == NULL)
        return -EINVAL;
    act_object_init(&idle->base, &idle_ops, priority);
    act_sched_add(s, &idle->base);
    idle->fn = fn;
    return 0;
}

void act_idle_start(act_idle *idle)
{
    if (!act_is_active(&idle->base))
        rearm(idle);
}

void act_idle_stop(act_idle *idle)
{
    act_cancel(&idle->base);
    if (!act_is_active(&idle->base))
        idle->base.status.result = -ECANCELED; /* idle_run must not rearm; see there */
}

void act_idle_fini(act_idle *idle)
{
    act_object_deque(&idle->base);
}
