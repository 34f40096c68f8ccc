/**
 * DOC: panics (misuse is loud)
 *
 * Programming errors go to one process-wide panic handler with the name of
 * the rule broken and a detail naming the object.  The default handler prints
 * "libactive panic: <rule>: <detail>" (through the port: stderr on Linux,
 * semihosting on firmware) and aborts.  A handler that returns makes the
 * offending call do nothing, except where doc/errors.md says the call goes
 * on (deque and fini after a stray, an init after a bad priority); tests
 * rely on this.  Bad input from the outside world is never a panic: it is a
 * negative result.
 *
 * The rule names below are the strings the handler receives; doc/errors.md
 * lists what breaks each one.
 */
#ifndef ACTIVE_PANIC_H
#define ACTIVE_PANIC_H

#include "base.h"

#define ACT_PANIC_STRAY_SIGNAL "stray-signal"        /* completion for an inactive object, or a status completed twice */
#define ACT_PANIC_SET_ACTIVE_TWICE "set-active-twice" /* act_set_active on an active object */
#define ACT_PANIC_NOT_ADDED "not-added"              /* act_set_active or act_complete_self on an object never added */
#define ACT_PANIC_NO_REQUEST "no-request"            /* act_set_active with no request issued on the object's status since its last signal */
#define ACT_PANIC_ADD_TWICE "add-twice"              /* act_sched_add on an object already added */
#define ACT_PANIC_ADD_NULL "add-null"                /* act_sched_add(s, NULL) or a NULL scheduler */
#define ACT_PANIC_FINI_ACTIVE "fini-active"          /* act_sched_fini with active objects, armed timers or a loop running */
#define ACT_PANIC_PRIORITY_ACTIVE "priority-active"  /* act_object_set_priority on an active object, or one holding an undelivered completion */
#define ACT_PANIC_BAD_PRIORITY "bad-priority"        /* a priority outside [ACT_PRIORITY_MIN, ACT_PRIORITY_MAX] */
#define ACT_PANIC_WRONG_THREAD "wrong-thread"        /* act_cancel, or arming or cancelling a timer, off its scheduler thread */
#define ACT_PANIC_WAIT_MISUSE "wait-misuse"          /* act_wait started twice, stopped when not started */
#define ACT_PANIC_STOP_NO_LEVEL "stop-no-level"      /* act_sched_stop with no act_sched_start level running */
#define ACT_PANIC_STATUS_IN_USE "status-in-use"      /* a request issued on a status that is pending, or belongs to an active object or to one holding an undelivered completion */
#define ACT_PANIC_BAD_RESULT "bad-result"            /* completing a status with ACT_PENDING as its result */
#define ACT_PANIC_UNHANDLED_ERROR "unhandled-error"  /* run failed, run_error did not handle it, no error handler set */
#define ACT_PANIC_NO_SCHEDULER "no-scheduler"        /* a call that needs this thread's scheduler found none */
#define ACT_PANIC_PORT_FAILED "port-failed"          /* the port's wait failed: its state destroyed (Linux: act_sched_fd() closed) */

/**
 * typedef act_panic_fn - a panic handler
 * @rule:   one of the ACT_PANIC_* strings (compare with strcmp or by pointer)
 * @detail: a sentence naming the object and what happened; valid only
 *          during the call (a firmware build with ACT_SMALL_STRINGS gives
 *          the object's address alone, as "0x...")
 * @arg:    the pointer given to act_set_panic_handler()
 *
 * Context: called on the thread that broke the rule.  A handler that returns
 * makes the offending call return without doing anything more (the
 * exceptions: doc/errors.md).
 */
typedef void (*act_panic_fn)(const char *rule, const char *detail, void *arg);

/**
 * act_set_panic_handler() - replace the process-wide panic handler
 * @fn:  the new handler, or NULL to restore the default (print and abort)
 * @arg: passed to @fn unchanged
 *
 * Context: any thread, but not concurrently with a panic being raised; set it
 * once at start-up (tests set it per test in their fixture).
 * Ownership: @arg stays the caller's.
 */
ACT_API void act_set_panic_handler(act_panic_fn fn, void *arg);

#endif
