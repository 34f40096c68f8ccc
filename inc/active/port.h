/**
 * DOC: the port seam
 *
 * Everything the portable core needs from the platform.  A port is one folder
 * src/port/<name>/ that defines these functions; src/port/posix/ is the Linux
 * port (epoll, eventfd, clock_gettime), src/port/cortex-m/ the bare-metal one
 * (SysTick, WFI, PRIMASK).  Users do not call these; porters implement them.
 *
 * The four atomic operations are the port's critical section in the form the
 * core needs: a firmware port implements them by masking interrupts (PRIMASK),
 * the Linux port with lock-free compare-and-swap, because a completion may
 * come from a signal handler that interrupts the scheduler's own thread, where
 * any lock would deadlock.
 */
#ifndef ACTIVE_PORT_H
#define ACTIVE_PORT_H

#include "base.h"

/** ACT_PORT_FOREVER - act_port_wait() deadline meaning "until woken". */
#define ACT_PORT_FOREVER UINT64_MAX

/**
 * act_port_now_usec() - the monotonic clock in microseconds
 * Context: any thread or interrupt.  Return: microseconds since an arbitrary
 * fixed point; never goes backwards.
 */
ACT_API uint64_t act_port_now_usec(void);

/**
 * act_port_init() - create the port's wait state in @s->port
 * @s: a scheduler being initialised
 * Context: the scheduler's thread.  Return: 0 or a negative errno.
 */
ACT_API int act_port_init(act_sched *s);

/**
 * act_port_fini() - release what act_port_init() created
 * @s: a scheduler being finished
 * Context: the scheduler's thread.
 */
ACT_API void act_port_fini(act_sched *s);

/**
 * act_port_wait() - wait for I/O, a wake or a deadline, whichever is first
 * @s:        the scheduler
 * @deadline: absolute act_port_now_usec() time; 0 polls without sleeping;
 *            ACT_PORT_FOREVER sleeps until I/O or a wake
 *
 * Runs the callbacks of I/O watchers that became ready (they may complete
 * requests).  Must never return before @deadline unless I/O, a wake or a
 * signal interrupted it: rounding goes up.  A wake given before the call
 * (act_port_wake()) makes it return at once.
 * Context: the scheduler's thread.
 * Return: 0 (also when a signal interrupted the wait), or a negative errno
 * when waiting is impossible: the port's own state was destroyed (Linux:
 * the epoll descriptor closed behind it), which is misuse, so the port
 * raises ACT_PANIC_PORT_FAILED first (internal.h's act__panic()).  The
 * callers stop waiting and return the errno when they can.
 */
ACT_API int act_port_wait(act_sched *s, uint64_t deadline);

/**
 * act_port_wake() - make the scheduler's current or next act_port_wait()
 * return
 * @s: the scheduler
 * Context: any thread, signal handler or interrupt.
 */
ACT_API void act_port_wake(act_sched *s);

/**
 * act_port_has_io() - whether a zero-deadline act_port_wait() could find
 * anything that the core cannot see by itself (registered descriptors)
 * @s: the scheduler
 * The core asks only when the library is built with ACT_PORT_IO 1 (base.h;
 * the default on Unix-like systems): a port with descriptors elsewhere must
 * define it, or they are polled only when the loop is about to sleep.
 * Context: the scheduler's thread.  Return: false lets the core skip the poll.
 */
ACT_API bool act_port_has_io(const act_sched *s);

/**
 * act_port_fd() - a descriptor readable when act_port_wait() has work
 * @s: the scheduler
 * Context: the scheduler's thread.  Return: the descriptor or -ENOSYS.
 */
ACT_API int act_port_fd(const act_sched *s);

/**
 * act_port_current() - the calling thread's scheduler (thread-local on
 * Linux; one global on a single-core firmware)
 * Context: any thread.  Return: the scheduler, or NULL when none is set.
 */
ACT_API act_sched *act_port_current(void);

/**
 * act_port_set_current() - set the calling thread's scheduler
 * @s: the scheduler, or NULL
 * Context: any thread; it changes only the caller's own (on firmware, the one).
 */
ACT_API void act_port_set_current(act_sched *s);

/**
 * act_port_cas_ptr() - atomically: if *@p == @expect, *@p = @desire
 * Context: any thread, signal handler or interrupt.
 * Return: true when the store happened.  Full barrier.
 */
ACT_API bool act_port_cas_ptr(void **p, void *expect, void *desire);

/**
 * act_port_swap_ptr() - atomically store @v into *@p, returning the old value
 * Context: any.  Full barrier.
 */
ACT_API void *act_port_swap_ptr(void **p, void *v);

/**
 * act_port_cas_i32() - atomically: if *@p == @expect, *@p = @desire
 * Context: any.  Return: true when the store happened.  Full barrier.
 */
ACT_API bool act_port_cas_i32(int32_t *p, int32_t expect, int32_t desire);

/**
 * act_port_load_i32() - an atomic load with acquire order
 * Context: any.  Return: *@p.
 */
ACT_API int32_t act_port_load_i32(const int32_t *p);

/**
 * act_port_panic() - the default panic: report and stop
 * @rule:   the rule broken
 * @detail: what happened
 *
 * Linux: prints "libactive panic: <rule>: <detail>" to stderr and aborts.
 * Firmware: prints through the port's console and halts.
 * Context: any.  Never returns.
 */
ACT_API _Noreturn void act_port_panic(const char *rule, const char *detail);

#endif
