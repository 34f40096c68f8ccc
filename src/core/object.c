/*
 * Active objects: state changes and the cancel protocol.  The object's state
 * lives in its status's private half (kind, active, priority), so an object
 * is 20 bytes on a 32-bit target and 32 on a 64-bit one.
 */
#include "internal.h"

_Static_assert(ACT_PRIORITY_MIN == INT16_MIN && ACT_PRIORITY_MAX == INT16_MAX, "a priority is an int16_t");

/*
 * In range when an int16_t keeps it: 4 bytes of Thumb-2 where two compares
 * took 8 (the firmware's 2 KiB).  The conversion of a value out of range is
 * implementation-defined in C11; every compiler the ports use wraps it.
 */
static bool priority_ok(const act_object *ao, int priority)
{
    if (priority != (int16_t)priority) {
        act__panic(ACT_PANIC_BAD_PRIORITY, "priority out of range for object @", ao);
        return false;
    }
    return true;
}

void act_object_init(act_object *ao, const act_object_ops *ops, int priority)
{
    if (!priority_ok(ao, priority))
        priority = ACT_PRIORITY_STANDARD;
    ao->status.result = 0;
    ao->status.kind = ACT__OBJ;
    ao->status.active = 0;
    ao->status.prio = (int16_t)priority;
    ao->link.next = NULL;
    ao->ops = ops;
    ao->sched = NULL;
}

act_status *act_object_status(act_object *ao)
{
    return &ao->status;
}

int act_object_priority(const act_object *ao)
{
    return act__object_prio(ao);
}

void act_object_set_priority(act_object *ao, int priority)
{
    /* active, or a completion undelivered: queued, or landed remotely and not yet gathered */
    if (ao->status.active || (act__object_issued(ao) && act_port_load_i32(&ao->status.result) != ACT_PENDING)) {
        act__panic(ACT_PANIC_PRIORITY_ACTIVE, "priority changed on active object @", ao);
        return;
    }
    if (!priority_ok(ao, priority))
        return;
    ao->status.prio = (int16_t)priority;
}

void act_set_active(act_object *ao)
{
    act_sched *s = ao->sched;

    if (ao->status.active) {
        act__panic(ACT_PANIC_SET_ACTIVE_TWICE, "act_set_active on active object @", ao);
        return;
    }
    if (s == NULL) {
        act__panic(ACT_PANIC_NOT_ADDED, "act_set_active on object @, never added to a scheduler", ao);
        return;
    }
    if (!act__object_issued(ao)) {
        act__panic(ACT_PANIC_NO_REQUEST, "act_set_active on object @, with no request issued on its status", ao);
        return;
    }
    ao->status.active = 1;
    s->nactive++;
}

/* The three calls of a self-completion in one: the hot path of a yield. */
void act_complete_self(act_object *ao, int result)
{
    act_sched *s = ao->sched;

    if (act__object_issued(ao)) { /* also pending, or active (internal.h) */
        act__panic(ACT_PANIC_STATUS_IN_USE, "act_complete_self on object @, whose status is pending or active", ao);
        return;
    }
    if (s == NULL) {
        act__panic(ACT_PANIC_NOT_ADDED, "act_complete_self on object @, never added to a scheduler", ao);
        return;
    }
    if (result == ACT_PENDING) {
        act__panic(ACT_PANIC_BAD_RESULT, "object @ completed with ACT_PENDING", ao);
        return;
    }
    ao->status.active = 1;
    s->nactive++;
    ao->status.result = result;
    act__ready_insert(s, ao);
}

bool act_is_active(const act_object *ao)
{
    return ao->status.active != 0;
}

/*
 * The cancel protocol (rule 4): do_cancel only while pending, then wait for
 * the one signal, then consume it.  On a true return the object is inactive
 * and unqueued, and its provider has let go of the status; false when a
 * panic handler returned (wrong thread, the port failed).
 */
static bool cancel(act_object *ao)
{
    act_sched *s = ao->sched;

    if (s != NULL && act_port_current() != s) {
        act__panic(ACT_PANIC_WRONG_THREAD, "act_cancel on object @ from another thread", ao);
        return false;
    }
    if (!ao->status.active)
        return true;
    /* a plain read is enough: nothing else is read on its word, and the wait below synchronises */
    if (*(const volatile int32_t *)&ao->status.result == ACT_PENDING)
        ao->ops->do_cancel(ao);
    if (act__sched_await(s, &ao->status) < 0)
        return false;
    act__ready_remove(s, ao);
    ao->status.active = 0;
    s->nactive--;
    return true;
}

void act_cancel(act_object *ao)
{
    (void)cancel(ao);
}

void act_object_deque(act_object *ao)
{
    act_sched *s = ao->sched;

    if (s == NULL || !cancel(ao))
        return;
    (void)act__sched_gather(s); /* a stray completed remotely: sched.c NOTE 5 */
    /* inactive, yet a request issued on its status (set_active forgotten) completed or is still out */
    if (act__object_issued(ao)) {
        act__ready_remove(s, ao); /* nothing when not queued */
        act__stray("object @ left its scheduler with a request it was never active for", ao);
    }
    ao->sched = NULL;
}
