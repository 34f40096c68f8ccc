/**
 * DOC: request status words
 *
 * An act_status is the status word of one asynchronous request (Symbian's
 * TRequestStatus).  A provider that accepts a request sets it to ACT_PENDING
 * (act_status_set_pending()); when the request ends, for any reason, the
 * provider completes it exactly once with its result (act_complete() or
 * act_complete_remote()).  Results are int: >= 0 success (a byte count where
 * the request moves bytes), < 0 a negative errno value (-ECANCELED for a
 * cancelled request).
 *
 * A status either lives inside an act_object (act_object_status()), and its
 * completion is delivered by the scheduler to the object's run, or it is a
 * bare status, initialised with ACT_STATUS_INIT or zeroed, that its owner
 * waits on with act_wait_for_request().
 *
 * Memory: a status may be freed or moved only while it is not pending.
 */
#ifndef ACTIVE_STATUS_H
#define ACTIVE_STATUS_H

#include "base.h"

/** ACT_PENDING - the result of a request that is still outstanding. */
#define ACT_PENDING INT32_MIN

struct act_status {
    int32_t result; /* ro: ACT_PENDING while outstanding, then the result */
    /* private: zero in a bare status; in an act_object's own status, the
     * object's state and priority.  Each state byte is only ever stored
     * whole, with a constant (doc/guide.md, "stored in whole bytes"). */
    uint8_t kind;   /* ACT__OBJ for an object's status, | ACT__ISSUED from a request until its signal is queued, | ACT__QUEUED while it is */
    uint8_t active; /* 1 from act_set_active() until run or cancel consumes the signal */
    int16_t prio;   /* the object's priority */
};

/** ACT_STATUS_INIT - initialiser for a bare status; a zeroed status is the same. */
#define ACT_STATUS_INIT { 0, 0, 0, 0 }

/**
 * act_strerror() - name a result
 * @result: any result: >= 0, a negative errno value, or ACT_PENDING
 *
 * Context: any thread, signal handler or interrupt.
 * Return: a static string, never NULL: "success" for >= 0, "pending" for
 * ACT_PENDING, the errno's name and meaning for the common ones, "unknown
 * error" otherwise.  A firmware build with ACT_SMALL_STRINGS names only the
 * results of the core, timers and port (ECANCELED, ETIMEDOUT, EBUSY, EINVAL,
 * ENOSYS, ENOMEM, EIO), without the meaning (doc/porting.md).
 */
ACT_API const char *act_strerror(int result);

/**
 * act_status_set_pending() - a provider accepts a request on @s
 * @s: the caller's status word
 *
 * Providers call this when they accept a request, before anything can
 * complete it; users call it only when they complete their own requests.
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_STATUS_IN_USE when @s is already pending or belongs to
 * an object owed a signal: active, or holding a completion not yet
 * delivered (queued, or completed remotely and not yet gathered).
 */
ACT_API void act_status_set_pending(act_status *s);

/**
 * act_status_pending() - whether a request on @s is still outstanding
 * @s: a status word
 *
 * Context: the scheduler's thread.  Return: true while pending.
 */
ACT_API bool act_status_pending(const act_status *s);

/**
 * act_status_result() - the result of the request on @s
 * @s: a status word
 *
 * Context: the scheduler's thread.
 * Return: ACT_PENDING while outstanding, then the result it completed with
 * (0 for a status that never carried a request).
 */
ACT_API int act_status_result(const act_status *s);

/**
 * act_complete() - complete the request on @s with @result (one signal)
 * @s:      a pending status
 * @result: >= 0 success, or a negative errno value; never ACT_PENDING
 *
 * Stores the result.  When @s belongs to an act_object, the object is queued
 * for dispatch on its scheduler (in completion order within its priority);
 * no system call is made.  After this call the provider must not touch @s
 * again.
 * Context: the scheduler's thread of the object (use act_complete_remote()
 * from anywhere else).
 * Panics: ACT_PANIC_STRAY_SIGNAL when @s is not pending (completed twice, or
 * never issued), or belongs to an object never added to a scheduler (@s then
 * stays pending); ACT_PANIC_BAD_RESULT for ACT_PENDING as a result.
 */
ACT_API void act_complete(act_status *s, int result);

/**
 * act_complete_remote() - complete @s from another thread, a signal handler
 * or an interrupt
 * @sched:  the scheduler that owns the request (the object's, or the one
 *          whose thread waits on the bare status)
 * @s:      a pending status
 * @result: >= 0 success, or a negative errno value; never ACT_PENDING
 *
 * Lock-free and async-signal-safe: stores the result and wakes @sched
 * (on Linux one eventfd write).  For an object's status the wake is
 * skipped when one is already under way or a loop of @sched
 * (act_sched_start, act_wait_start) is running or spinning before it
 * sleeps (see ACT_SPIN_USEC); a bare status, and a stray, always wake.
 * Context: any thread, any signal handler, any interrupt of a firmware port.
 * Ownership: @sched must outlive the call.  @s is read before the result is
 * stored and never touched after, so the owner of a bare status may free it
 * as soon as it sees the result; the provider must not touch @s after the
 * call either.
 * Panics: ACT_PANIC_STRAY_SIGNAL when @s was not pending, or @result is
 * ACT_PENDING, or @s is the status of an object not added to @sched (@s is
 * then left pending), reported later on the scheduler's thread (a signal
 * handler cannot safely panic).  The scheduler keeps one such report between two
 * passes: when several strays land in between, the last is reported (the
 * default handler aborts on the first report anyway).
 */
ACT_API void act_complete_remote(act_sched *sched, act_status *s, int result);

/**
 * act_wait_for_request() - block until @s completes and consume its signal
 * @s: a status, bare or an object's own
 *
 * Runs a scheduler's providers (timers, I/O, remote completions) without
 * calling any object's run, until @s is no longer pending: the object's
 * scheduler for an object's status, the thread's current one for a bare
 * status.  Other
 * completions that arrive meanwhile are kept queued for dispatch.  When @s
 * belongs to an active object, its signal is consumed: the object becomes
 * inactive and its run is not called for this request.  Returns at once when
 * @s is not pending and has no signal left to consume (an object's status
 * completed remotely but not yet gathered still has one, and it is consumed).
 * Context: the scheduler's thread, which must have a scheduler installed.
 * Panics: ACT_PANIC_NO_SCHEDULER when @s has a signal to come and there is
 * no scheduler to wait in (a bare status on a thread with none, an object
 * never added); ACT_PANIC_PORT_FAILED when the port's wait fails (Linux: the
 * scheduler's epoll descriptor was closed behind it): @s is then still
 * pending or undelivered, its signal not consumed.
 */
ACT_API void act_wait_for_request(act_status *s);

#endif
