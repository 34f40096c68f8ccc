/**
 * DOC: active objects
 *
 * An act_object owns one status word and has at most one request outstanding
 * (Symbian's CActive).  Embed it in your own struct, get back with
 * ACT_CONTAINER_OF.  The life of a request:
 *
 *   1. the owner issues a request to a provider, passing act_object_status();
 *      the provider sets it pending (it may even complete it inside the call);
 *   2. the owner calls act_set_active() (only after step 1: with no request
 *      issued it panics no-request, as nothing would ever signal it);
 *   3. the provider completes the status once;
 *   4. the scheduler marks the object inactive and calls ops->run once.
 *
 * act_cancel() instead ends the request synchronously: do_cancel, wait for
 * the one signal, consume it; run is not called.
 *
 * States (when the memory may be freed, moved or reused):
 *
 *   state      act_is_active  free / move / reuse the object
 *   ---------  -------------  ---------------------------------------------
 *   unadded    false          yes
 *   added      false          reuse yes; free only after act_object_deque()
 *                             (or with the scheduler after act_sched_fini())
 *   active     true           no: act_cancel() first (or wait for run)
 *   in run     false          yes, from inside run (return 0 and never touch
 *                             it again; not when returning an error)
 */
#ifndef ACTIVE_OBJECT_H
#define ACTIVE_OBJECT_H

#include "base.h"
#include "status.h"

/**
 * struct act_object_ops - what an active object does; shared, read-only
 * @run: the object's request completed.  Before the call the scheduler
 *       guarantees: the status is no longer pending, this is the object's one
 *       signal for the request, and the object is inactive.  run may issue the
 *       next request and call act_set_active() again, free the object (then
 *       return 0), stop the scheduler or start a nested wait.  Return 0, or
 *       non-zero to have it passed to @run_error.
 * @do_cancel: ask the provider to cancel the outstanding request, and return.
 *       It must not wait or block.  Called only while the status is pending.
 *       Whether or not the provider could stop, it must complete the status
 *       (now, or soon from another thread); act_cancel() waits for that.
 * @run_error: optional (NULL: the error goes straight to the scheduler's
 *       error handler).  Called with run's non-zero return while the object
 *       is still alive.  Return 0 when handled; a non-zero return (not
 *       run's) is what the scheduler's error handler receives.
 */
typedef struct act_object_ops {
    int (*run)(act_object *ao);
    void (*do_cancel)(act_object *ao);
    int (*run_error)(act_object *ao, int err);
} act_object_ops;

/* Symbian's priorities; any value in [ACT_PRIORITY_MIN, ACT_PRIORITY_MAX] works. */
enum {
    ACT_PRIORITY_MIN = -32768,
    ACT_PRIORITY_IDLE = -100,
    ACT_PRIORITY_LOW = -20,
    ACT_PRIORITY_STANDARD = 0,
    ACT_PRIORITY_USER_INPUT = 10,
    ACT_PRIORITY_HIGH = 20,
    ACT_PRIORITY_MAX = 32767
};

struct act_object {
    act_status status; /* private: use act_object_status() */
    /* private: */
    act__link link;             /* ready queue, or the remote stack while pending */
    const act_object_ops *ops;
    act_sched *sched;           /* NULL until added */
};

/**
 * act_object_init() - initialise an unadded, inactive object
 * @ao:       caller-allocated object
 * @ops:      its operations; must outlive the object
 * @priority: dispatch priority, higher first
 *
 * Context: any thread, before the object is shared.
 * Panics: ACT_PANIC_BAD_PRIORITY when @priority is out of range (the object
 * then gets ACT_PRIORITY_STANDARD).
 */
ACT_API void act_object_init(act_object *ao, const act_object_ops *ops, int priority);

/**
 * act_object_status() - the object's own status word, to pass to providers
 * @ao: an initialised object
 *
 * Context: the scheduler's thread.  Return: a pointer into @ao.
 */
ACT_API act_status *act_object_status(act_object *ao);

/**
 * act_object_priority() - the object's priority
 * @ao: an initialised object
 *
 * Context: the scheduler's thread.  Return: the priority.
 */
ACT_API int act_object_priority(const act_object *ao);

/**
 * act_object_set_priority() - change the priority of an inactive object
 * @ao:       an inactive object
 * @priority: the new priority
 *
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_PRIORITY_ACTIVE when @ao is active or holds an
 * undelivered completion; ACT_PANIC_BAD_PRIORITY when out of range.
 */
ACT_API void act_object_set_priority(act_object *ao, int priority);

/**
 * act_set_active() - the request on the object's status is outstanding
 * @ao: an added, inactive object whose request was just issued
 *
 * If the provider already completed the request inside the issuing call, the
 * scheduler still delivers it exactly once, after this call.
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_SET_ACTIVE_TWICE when already active;
 * ACT_PANIC_NOT_ADDED when never added to a scheduler; ACT_PANIC_NO_REQUEST
 * when no request was issued on its status since its last signal was
 * consumed (nothing would signal it, and act_cancel() would wait for ever).
 * After a panic the object stays as it was.
 */
ACT_API void act_set_active(act_object *ao);

/**
 * act_complete_self() - issue a request on the object's own status and
 * complete it at once: a yield to the scheduler
 * @ao:     an added, inactive object with nothing outstanding
 * @result: the result run will find (not ACT_PENDING)
 *
 * The same as act_status_set_pending(), act_set_active() and act_complete()
 * on @ao's status, in one call and with the same checks: the object is active
 * and queued behind the ready objects of its priority or higher, and its run
 * is called once on a later dispatch, never inside this call.  Use it to
 * split long work into steps that let other objects, I/O and timers in
 * between (each run does a step and calls this again), or to defer work to
 * the scheduler.  act_cancel() before the dispatch consumes the signal: run
 * is not called and the status keeps @result.
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_STATUS_IN_USE when the status is pending, the object
 * active, or a completion of it not yet delivered; ACT_PANIC_NOT_ADDED when
 * never added to a scheduler; ACT_PANIC_BAD_RESULT when @result is
 * ACT_PENDING.
 */
ACT_API void act_complete_self(act_object *ao, int result);

/**
 * act_is_active() - whether a request of the object is outstanding or
 * completed but not yet delivered to run
 * @ao: an initialised object
 *
 * Context: the scheduler's thread.  Return: true while active.
 */
ACT_API bool act_is_active(const act_object *ao);

/**
 * act_cancel() - cancel the outstanding request, then wait for its one signal
 * @ao: an initialised object
 *
 * On an inactive object, does nothing.  On an active one:
 *   1. if the status is still pending, calls ops->do_cancel;
 *   2. waits for the request's one signal, running providers (not run
 *      callbacks) meanwhile: act_wait_for_request();
 *   3. consumes the signal and marks the object inactive.
 * run is never called for the request.  On return no provider holds any
 * reference to the status or the request's buffers: the object may be
 * freed, reused or re-issued at once.  The status keeps its result:
 * -ECANCELED, or the real result when the request had completed first.
 * Context: the object's scheduler thread only.
 * Panics: ACT_PANIC_WRONG_THREAD when called from another thread;
 * ACT_PANIC_PORT_FAILED when the port's wait fails (Linux: the scheduler's
 * epoll descriptor was closed behind it): @ao is then still active, its
 * signal not consumed, and must not be freed.
 */
ACT_API void act_cancel(act_object *ao);

/**
 * act_object_deque() - cancel, then leave the scheduler
 * @ao: an initialised object, added or not
 *
 * act_cancel(), then removes @ao from its scheduler: it becomes unadded and
 * may be freed or added again.  Does nothing more on an unadded object.
 * Context: the object's scheduler thread.
 * Panics: those of act_cancel(); ACT_PANIC_STRAY_SIGNAL when @ao, inactive,
 * has a request it was never active for (set_active forgotten): completed
 * (queued, or completed remotely and pushed), the completion is dropped;
 * still outstanding, or its remote completion still under way, its
 * provider holds the status, so @ao must not be freed before that
 * completes.  After that panic @ao still leaves when the
 * handler returns, unlike other calls after theirs: its caller is about to
 * free it, and a queued completion must not outlive it.
 */
ACT_API void act_object_deque(act_object *ao);

#endif
