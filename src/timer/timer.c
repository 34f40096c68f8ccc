/*
 * Timers: the act_timer API over the timer queue (queue.h), which is a radix
 * wheel (wheel.c) or a pairing heap (heap.c) by ACT_TIMER_WHEEL.  No
 * allocation: the queue's node is the act_timer.
 *
 * Invariant: a timer is armed exactly when t->status is non-NULL; it is then
 * queued in its scheduler, which is the current scheduler of the thread that
 * armed it, and t->node is the queue's.  Idle, t->sched (which shares its
 * memory with t->node) is its scheduler.  See NOTE 2.
 */
#include <errno.h>

#include "queue.h"

/* Timers completed in one pass, beyond those sharing the last one's deadline: NOTE 1. */
enum { EXPIRE_BATCH = 64 };

int act__timers_expire(act_sched *s)
{
    uint64_t now = act_port_now_usec(); /* the scheduler calls only with a timer queued; none is fine too */
    int done = 0;
    act_timer *t;

    while ((t = act__tq_pop_due(s, now)) != NULL) {
        act_status *st = t->status;
        uint64_t deadline = t->deadline;

        t->status = NULL;
        t->sched = s;
        act_complete(st, 0);
        if (++done >= EXPIRE_BATCH && act__tq_next(s) != deadline)
            break;
    }
    return done;
}

uint64_t act_now_usec(void)
{
    return act_port_now_usec();
}

int act_timer_init(act_timer *t, act_sched *s)
{
    if (t == NULL || s == NULL)
        return -EINVAL;
    t->sched = s;
    t->status = NULL;
    return 0;
}

void act_timer_fini(act_timer *t)
{
    act_timer_cancel(t);
}

/* Off its scheduler's thread, a timer cannot find its queue (NOTE 2). */
static void wrong_thread(act_timer *t)
{
    act__panic(ACT_PANIC_WRONG_THREAD, "timer @ used off its thread", t);
}

/*
 * Accept @st for @t: true when the caller is to set t->deadline and queue
 * @t (t->status is then @st); false when it panicked, or when @t was busy
 * and @st completed with -EBUSY.
 */
static bool accept(act_timer *t, act_status *st)
{
    if (t->status == NULL && act_port_current() != t->sched) {
        wrong_thread(t);
        return false;
    }
    if (!act__status_issue(st))
        return false;
    if (t->status != NULL) {
        act_complete(st, -EBUSY);
        return false;
    }
    t->status = st;
    return true;
}

void act_timer_at(act_timer *t, act_status *st, uint64_t deadline)
{
    if (!accept(t, st))
        return;
    t->deadline = deadline;
    act__tq_insert(t->sched, t, 0); /* which overwrites t->sched: NOTE 2 */
}

void act_timer_after(act_timer *t, act_status *st, uint64_t usec)
{
    uint64_t now;

    if (!accept(t, st))
        return;
    now = act_port_now_usec();
    t->deadline = act__deadline_add(now, usec);
    act__tq_insert(t->sched, t, now); /* which overwrites t->sched: NOTE 2 */
}

void act_timer_cancel(act_timer *t)
{
    act_status *st = t->status;
    act_sched *s;

    if (st == NULL)
        return;
    s = act_port_current(); /* the scheduler it was armed on: NOTE 2 */
    if (s == NULL) {
        wrong_thread(t);
        return;
    }
    act__tq_remove(s, t);
    t->status = NULL;
    t->sched = s;
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
 * that share a deadline always complete in the same pass.  The count
 * returned lets the pass run every timer it completed (sched.c NOTE 2).
 *
 * NOTE 2: why an armed timer does not point at its scheduler.  A pointer
 * would make act_timer 40 bytes with 64-bit pointers, and with the 32-byte
 * act_object it completes an armed timer would cost more than libev's (64
 * bytes a timer).  It is not needed: timers are single-thread providers, so
 * every call that touches the queue runs on the scheduler's thread, where
 * that scheduler is the current one (one scheduler a thread, rule 11); the
 * expiry is handed its scheduler.  Arming checks that the current scheduler
 * is the one act_timer_init() was given, so a timer armed on the wrong
 * thread panics instead of joining another scheduler's queue; a cancel with
 * no scheduler at all panics too.  What cannot be told apart is a cancel on
 * another thread that has a scheduler of its own: that was a data race on
 * the queue before, and it is still misuse.  While idle the node's memory is
 * free, and holds the scheduler until the next arming.
 */
