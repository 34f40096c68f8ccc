/*
 * Internal to the timers: the timer queue, ordered by deadline.  Two layouts
 * behind one interface, chosen by ACT_TIMER_WHEEL (inc/active/base.h): a
 * radix wheel (wheel.c) where act_sched may be large, a pairing heap
 * (heap.c) where it must stay small.  timer.c holds the API over them.
 *
 * A queued timer's deadline is never changed; act_timer.status is the
 * queue's business only in timer.c.  t->node shares its memory with
 * t->sched: the queue owns it from act__tq_insert(), which must initialise
 * every field it relies on, until the timer is unqueued, after which it may
 * hold anything (timer.c stores the scheduler there).
 */
#ifndef ACT_TIMER_QUEUE_H
#define ACT_TIMER_QUEUE_H

#include "../core/internal.h"

/* act__tq_init(), act__tq_empty(), act__tq_next() and act__tq_next_exact(),
 * which the scheduler calls too, are in ../core/internal.h. */

/*
 * Queue @t by t->deadline.  @now is the clock when the caller has just read
 * it, or 0: the wheel brings its base up to the clock when it was empty
 * (reading it when @now is 0), so that timers land in its lowest levels.
 */
void act__tq_insert(act_sched *s, act_timer *t, uint64_t now);

/* Unqueue @t, which is queued in @s. */
void act__tq_remove(act_sched *s, act_timer *t);

/*
 * Unqueue and return the timer with the earliest deadline when that deadline
 * is <= @now (the clock, read by the caller), else NULL.  Timers come out in
 * deadline order; equal deadlines in no promised order.
 */
act_timer *act__tq_pop_due(act_sched *s, uint64_t now);

/*
 * act__tq_next(): the earliest deadline, or a time before it and no later
 * than when the queue must next be looked at; ACT_PORT_FOREVER when empty.
 * O(1): for the scheduler's waits, which then look again.
 * act__tq_next_exact(): the earliest deadline exactly (may walk one slot,
 * once after each change of the earliest timer).
 */

#endif
