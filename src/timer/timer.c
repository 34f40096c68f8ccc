/*
 * Timers: the act_timer API over the timer queue (queue.h), which is a radix
 * wheel (wheel.c) or a pairing heap (heap.c) by ACT_TIMER_WHEEL.  No
 * allocation: the queue's node is the act_timer.  A timer is armed exactly
 * when t->status is non-NULL, and then it is queued.
 */
#include <errno.h>

#include "queue.h"

/* Timers completed in one pass, beyond those sharing the last one's deadline: NOTE 1. */
enum { EXPIRE_BATCH = 64 };

static void node_init(act_timer *t)
{
#if ACT_TIMER_WHEEL
    t->node.next = NULL;
    t->node.pprev = NULL;
#else
    t->node.child = t->node.next = t->node.prev = NULL;
#endif
}

void act__timers_expire(act_sched *s)
{
    uint32_t done = 0;
    uint64_t now;
    act_timer *t;

    if (act__tq_empty(s))
        return; /* the scheduler checks first too: this keeps the function whole */
    now = act_port_now_usec();
    while ((t = act__tq_pop_due(s, now)) != NULL) {
        act_status *st = t->status;
        uint64_t deadline = t->deadline;

        t->status = NULL;
        act_complete(st, 0);
        if (++done >= EXPIRE_BATCH && act__tq_next(s) != deadline)
            break;
    }
}

uint64_t act_now_usec(void)
{
    return act_port_now_usec();
}

int act_timer_init(act_timer *t, act_sched *s)
{
    if (t == NULL || s == NULL)
        return -EINVAL;
    node_init(t);
    t->deadline = 0;
    t->status = NULL;
    t->sched = s;
    return 0;
}

void act_timer_fini(act_timer *t)
{
    act_timer_cancel(t);
}

/* act_timer_at(), with the clock when the caller has read it (else 0). */
static void arm(act_timer *t, act_status *st, uint64_t deadline, uint64_t now)
{
    if (!act__status_issue(st))
        return;
    if (t->status != NULL) {
        act_complete(st, -EBUSY);
        return;
    }
    t->status = st;
    t->deadline = deadline;
    act__tq_insert(t->sched, t, now);
}

void act_timer_at(act_timer *t, act_status *st, uint64_t deadline)
{
    arm(t, st, deadline, 0);
}

void act_timer_after(act_timer *t, act_status *st, uint64_t usec)
{
    uint64_t now = act_port_now_usec();
    uint64_t deadline = usec > ACT_PORT_FOREVER - 1 - now ? ACT_PORT_FOREVER - 1 : now + usec;

    arm(t, st, deadline, now);
}

void act_timer_cancel(act_timer *t)
{
    act_status *st = t->status;

    if (st == NULL)
        return;
    act__tq_remove(t->sched, t);
    t->status = NULL;
    act_complete(st, -ECANCELED);
}

bool act_timer_armed(const act_timer *t)
{
    return t->status != NULL;
}

/*
 * NOTE 1: why at most EXPIRE_BATCH timers a pass.  When thousands of timers
 * are due at once, completing them all before dispatching any sends each
 * object out of the cache between its completion and its run; 64 at a time
 * keep them in it, and the scheduler's next pass (which polls no sooner:
 * objects are ready) takes the next 64, still in deadline order.  Timers
 * that share a deadline always complete in the same pass.
 */
