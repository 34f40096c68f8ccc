/**
 * DOC: timers
 *
 * An act_timer is a one-shot timer provider (Symbian's RTimer): one request at
 * a time completes a caller's status with 0 at (never before) its deadline.
 * The scheduler keeps armed timers in an intrusive queue, no allocation, a
 * million armed timers are fine: with 64-bit pointers a radix wheel (start
 * and cancel O(1), expiry O(levels) per timer), on 32-bit targets a pairing
 * heap (start O(1), cancel and expiry O(log n) amortised); see
 * ACT_TIMER_WHEEL in base.h.  Timers due in the same pass complete in
 * deadline order; equal deadlines in no promised order.
 *
 * Requests always complete on a later pass of the scheduler, never inside the
 * issuing call, except -EBUSY which completes inside the call.
 *
 * Threads: a timer serves the scheduler given to act_timer_init() and is
 * used only on that scheduler's thread, where it is the current scheduler
 * (act_sched_current()).  An armed timer keeps no pointer to its scheduler:
 * it finds the queue it is in as the thread's current scheduler, so that
 * act_timer is 32 bytes with 64-bit pointers (a wheel link pair, the status,
 * the deadline) and 24 on 32-bit targets.  Arming off that thread panics.
 *
 * Memory: caller-allocated.  Free or move only while not armed (after
 * act_timer_fini(), or while idle after init).  Disarm every timer before
 * act_sched_fini(), which panics fini-active while one is armed.
 */
#ifndef ACTIVE_TIMER_H
#define ACTIVE_TIMER_H

#include "base.h"
#include "status.h"

typedef struct act_timer {
    /* private: */
    union {
#if ACT_TIMER_WHEEL
        act__tnode node;   /* armed: in the scheduler's timer wheel */
#else
        act__heap_node node; /* armed: in the scheduler's timer heap */
#endif
        act_sched *sched;  /* idle: the scheduler given to act_timer_init() */
    };
    act_status *status;    /* the armed request, NULL when idle */
    uint64_t deadline;     /* absolute, act_now_usec(); meaningful while armed */
} act_timer;

/**
 * act_now_usec() - the monotonic clock, in microseconds
 * Context: any thread or interrupt.  Return: the time now.
 */
ACT_API uint64_t act_now_usec(void);

/**
 * act_timer_init() - an idle timer served by @s
 * @t: caller-allocated timer
 * @s: its scheduler
 * Context: @s's thread.  Return: 0, or -EINVAL for a NULL argument.
 */
ACT_API int act_timer_init(act_timer *t, act_sched *s);

/**
 * act_timer_fini() - cancel what is armed (it completes with -ECANCELED) and
 * leave the timer idle; its memory may then be freed
 * @t: an initialised timer
 * Context: the scheduler's thread.  Panics: as act_timer_cancel().
 */
ACT_API void act_timer_fini(act_timer *t);

/**
 * act_timer_after() - complete @st with 0 after @usec microseconds
 * @t:    an initialised timer
 * @st:   the caller's status; not pending
 * @usec: the delay; 0 fires when the scheduler next gathers timers: on its
 *        next pass, or earlier when a call that gathers comes first (a wait
 *        such as act_wait_for_request(), or act_cancel() of a request that
 *        does not complete at once, act_sched_timeout(), act_object_deque());
 *        never inside this call
 *
 * Ownership: @t keeps @st until it completes it.
 * Context: the scheduler's thread: @t's scheduler must be the calling
 * thread's current one.
 * Results in @st: 0 at the deadline; -ECANCELED after act_timer_cancel();
 * -EBUSY, inside this call, when @t is already armed (the armed request is
 * untouched).
 * Panics: ACT_PANIC_STATUS_IN_USE when @st is in use (act_status_set_pending());
 * ACT_PANIC_WRONG_THREAD when @t is idle and the calling thread's current
 * scheduler is not @t's (none, or another): nothing is issued, @st is left
 * as it was.
 */
ACT_API void act_timer_after(act_timer *t, act_status *st, uint64_t usec);

/**
 * act_timer_at() - complete @st with 0 at the absolute act_now_usec() time
 * @deadline (when it has passed: as act_timer_after() with 0)
 * @t: an initialised timer  @st: as for act_timer_after()  @deadline: when
 * Context, results and panics: as act_timer_after().
 */
ACT_API void act_timer_at(act_timer *t, act_status *st, uint64_t deadline);

/**
 * act_timer_cancel() - cancel the armed request
 * @t: an initialised timer
 *
 * Armed: the request completes now with -ECANCELED.  Already fired (or idle):
 * nothing happens and the 0 it completed with stands; never a second signal.
 * Context: the scheduler's thread: an armed timer is unqueued from the
 * calling thread's current scheduler, which must be @t's.
 * Panics: ACT_PANIC_WRONG_THREAD when @t is armed and the calling thread has
 * no scheduler: @t stays armed and its request pending.
 */
ACT_API void act_timer_cancel(act_timer *t);

/**
 * act_timer_armed() - whether a request is outstanding on @t
 * @t: an initialised timer
 * Context: the scheduler's thread.  Return: true while armed.
 */
ACT_API bool act_timer_armed(const act_timer *t);

#endif
