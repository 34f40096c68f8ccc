/**
 * DOC: periodic callbacks
 *
 * An act_periodic calls a function every period without drift: the k-th
 * call is due at start + k x period, whatever each call cost (Symbian's
 * CPeriodic re-armed from the end of each call and drifted).  A call that
 * comes late does not move the later ones; ticks missed while the thread was
 * busy are delivered one call each, at once.
 *
 * Memory: caller-allocated; free or move only after act_periodic_fini()
 * (a stopped periodic is still added to its scheduler).
 */
#ifndef ACTIVE_PERIODIC_H
#define ACTIVE_PERIODIC_H

#include "object.h"
#include "timer.h"

typedef struct act_periodic act_periodic;

/**
 * typedef act_periodic_fn - a tick
 * @p: the periodic; act_periodic_ticks() says which tick this is (1 first)
 * Context: the scheduler's thread, as the object's run.  It may call
 * act_periodic_stop() or act_periodic_start(), or act_periodic_fini() and
 * free @p (then return 0).
 * Return: 0, or an error for the scheduler's error handler (the periodic
 * goes on ticking).
 */
typedef int (*act_periodic_fn)(act_periodic *p);

struct act_periodic {
    act_object base;   /* private */
    /* private: */
    act_timer timer;
    act_periodic_fn fn;
    uint64_t start;
    uint64_t period;
    uint64_t ticks;
};

/**
 * act_periodic_init() - an idle periodic on @s
 * @p: caller-allocated  @s: its scheduler  @fn: what each tick calls
 * @priority: the object's priority
 * Context: @s's thread.  Return: 0 or -EINVAL (a NULL @p, @s or @fn).
 * Panics: ACT_PANIC_BAD_PRIORITY when @priority is out of range (the object
 * then gets ACT_PRIORITY_STANDARD, as with act_object_init()).
 */
ACT_API int act_periodic_init(act_periodic *p, act_sched *s, act_periodic_fn fn, int priority);

/**
 * act_periodic_start() - tick every @period usec, the first after @delay usec
 * @p: the periodic (restarted if running)  @delay: first tick  @period: > 0
 * A tick due past the end of the clock's range comes never (at its last
 * microsecond), as with act_timer_after(), not at once.
 * Context: the scheduler's thread.  Return: 0, or -EINVAL for a zero period.
 */
ACT_API int act_periodic_start(act_periodic *p, uint64_t delay, uint64_t period);

/**
 * act_periodic_stop() - stop ticking; no call comes after this returns
 * @p: the periodic
 * Context: the scheduler's thread.
 */
ACT_API void act_periodic_stop(act_periodic *p);

/**
 * act_periodic_ticks() - the number of the tick being delivered (1 first)
 * @p: the periodic
 * Context: the scheduler's thread.  Return: ticks delivered since start.
 */
ACT_API uint64_t act_periodic_ticks(const act_periodic *p);

/**
 * act_periodic_fini() - stop and leave the scheduler; the memory may then be
 * freed
 * @p: the periodic
 * Context: the scheduler's thread.
 */
ACT_API void act_periodic_fini(act_periodic *p);

#endif
