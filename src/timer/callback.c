/*
 * act_callback: an object that keeps a request pending on itself while open.
 * A fire claims the request with a compare-and-swap on cb->fired and
 * completes it remotely; do_cancel claims it the same way, so exactly one of
 * them completes the status (the one-signal rule across threads).
 */
#include <errno.h>

#include "../core/internal.h"

static void arm(act_callback *cb)
{
    if (!act__status_issue(act_object_status(&cb->base)))
        return;
    act_set_active(&cb->base);
    (void)act_port_swap_ptr(&cb->fired, NULL); /* fires from now on claim the new request */
}

static int callback_run(act_object *ao)
{
    act_callback *cb = ACT_CONTAINER_OF(ao, act_callback, base);

    arm(cb); /* before the call: a fire during it schedules another */
    return cb->fn(cb);
}

static void callback_cancel(act_object *ao)
{
    act_callback *cb = ACT_CONTAINER_OF(ao, act_callback, base);

    if (act_port_cas_ptr(&cb->fired, NULL, cb))
        act_complete(act_object_status(ao), -ECANCELED);
    /* else a fire owns the request and its remote completion is on the way */
}

static const act_object_ops callback_ops = { callback_run, callback_cancel, NULL };

int act_callback_open(act_callback *cb, act_sched *s, act_callback_fn fn, int priority)
{
    if (cb == NULL || s == NULL || fn == NULL)
        return -EINVAL;
    act_object_init(&cb->base, &callback_ops, priority);
    act_sched_add(s, &cb->base);
    cb->fn = fn;
    cb->fired = cb; /* no request yet: fires do nothing */
    arm(cb);
    return 0;
}

void act_callback_fire(act_callback *cb)
{
    if (act_port_cas_ptr(&cb->fired, NULL, cb))
        act_complete_remote(cb->base.sched, act_object_status(&cb->base), 0);
}

void act_callback_close(act_callback *cb)
{
    act_object_deque(&cb->base);
}
