/**
 * DOC: idle callbacks
 *
 * An act_idle (Symbian's CIdle) calls a function whenever nothing of higher
 * priority is ready, until the function returns false.  It completes its own
 * request, so it never blocks the loop: the scheduler keeps polling I/O and
 * timers between calls without sleeping.
 *
 * Memory: caller-allocated; free or move only after act_idle_fini() (a
 * stopped idle object is still added to its scheduler).
 */
#ifndef ACTIVE_IDLE_H
#define ACTIVE_IDLE_H

#include "object.h"

typedef struct act_idle act_idle;

/**
 * typedef act_idle_fn - one slice of background work
 * @idle: the idle object
 * Context: the scheduler's thread, as the object's run.
 * Return: true to be called again, false to stop.
 */
typedef bool (*act_idle_fn)(act_idle *idle);

struct act_idle {
    act_object base; /* private */
    /* private: */
    act_idle_fn fn;
};

/**
 * act_idle_init() - an idle object on @s at @priority (usually
 * ACT_PRIORITY_IDLE)
 * @idle: caller-allocated  @s: its scheduler  @fn: the work  @priority: its priority
 * Context: @s's thread.  Return: 0 or -EINVAL (a NULL @idle, @s or @fn).
 * Panics: ACT_PANIC_BAD_PRIORITY when @priority is out of range (the object
 * then gets ACT_PRIORITY_STANDARD, as with act_object_init()).
 */
ACT_API int act_idle_init(act_idle *idle, act_sched *s, act_idle_fn fn, int priority);

/**
 * act_idle_start() - start calling @idle's function; does nothing if started
 * @idle: the idle object
 * Context: the scheduler's thread.
 */
ACT_API void act_idle_start(act_idle *idle);

/**
 * act_idle_stop() - stop; no call comes after this returns
 * @idle: the idle object
 * Context: the scheduler's thread.
 */
ACT_API void act_idle_stop(act_idle *idle);

/**
 * act_idle_fini() - stop and leave the scheduler; the memory may be freed
 * @idle: the idle object
 * Context: the scheduler's thread; also from inside @idle's own function,
 * which may then free @idle if it returns false (after a true the object
 * is read again).
 */
ACT_API void act_idle_fini(act_idle *idle);

#endif
