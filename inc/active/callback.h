/**
 * DOC: asynchronous callbacks
 *
 * An act_callback (Symbian's CAsyncCallBack) is a trigger: act_callback_fire()
 * from any thread, signal handler or interrupt schedules one call of its
 * function on the scheduler's thread.  Fires that come before the call runs
 * are merged: one call per batch.  A fire during the call schedules another.
 *
 * While open the callback is an active object (it keeps a request pending on
 * itself), so close it before act_sched_fini().
 *
 * Memory: caller-allocated; free or move only when closed.
 */
#ifndef ACTIVE_CALLBACK_H
#define ACTIVE_CALLBACK_H

#include "object.h"

typedef struct act_callback act_callback;

/**
 * typedef act_callback_fn - the call
 * @cb: the callback
 * Context: the scheduler's thread, as the object's run.  It may close @cb.
 * Return: 0, or an error for the scheduler's error handler.
 */
typedef int (*act_callback_fn)(act_callback *cb);

struct act_callback {
    act_object base; /* private */
    /* private: */
    act_callback_fn fn;
    void *fired; /* non-NULL from a fire until the call starts (atomic) */
};

/**
 * act_callback_open() - add @cb to @s and arm it
 * @cb: caller-allocated  @s: its scheduler  @fn: the call  @priority: its priority
 * Context: @s's thread.  Return: 0 or -EINVAL (a NULL @cb, @s or @fn).
 * Panics: ACT_PANIC_BAD_PRIORITY when @priority is out of range (the object
 * then gets ACT_PRIORITY_STANDARD, as with act_object_init()).
 */
ACT_API int act_callback_open(act_callback *cb, act_sched *s, act_callback_fn fn, int priority);

/**
 * act_callback_fire() - schedule one call (merged with other pending fires)
 * @cb: an open callback
 * Context: any thread, signal handler or interrupt; lock-free.
 */
ACT_API void act_callback_fire(act_callback *cb);

/**
 * act_callback_close() - disarm and leave the scheduler; a fire not yet
 * delivered is dropped, and no call comes after this returns
 * @cb: an open callback
 * Context: the scheduler's thread.  A fire racing the close, or coming after
 * it, does nothing, as long as @cb's memory is still valid: free @cb only
 * when no thread can fire it any more.
 */
ACT_API void act_callback_close(act_callback *cb);

#endif
