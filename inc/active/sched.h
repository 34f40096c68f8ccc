/**
 * DOC: the active scheduler
 *
 * One act_sched per thread (Symbian's CActiveScheduler).  It owns the ready
 * queue of completed objects, the timer queue, the remote-completion stack and
 * the port's wait state (on Linux an epoll fd and an eventfd).  Dispatch is
 * O(1) in the number of added objects: only completed objects are queued,
 * strictly by priority, in completion order within a priority.  The order
 * is the order in which the scheduler sees the completions: act_complete()
 * at once, act_complete_remote() when the scheduler's thread gathers it (at
 * a pass's start and after its poll, or inside an act_cancel() or
 * act_wait_for_request() that has to wait), oldest first among those
 * gathered together.  So a remote completion that lands during a pass runs
 * in the next one, after local completions made meanwhile.
 *
 * Memory: caller-allocated; may be freed after act_sched_fini(); never moved
 * between act_sched_init() and act_sched_fini().
 */
#ifndef ACTIVE_SCHED_H
#define ACTIVE_SCHED_H

#include "base.h"
#include "object.h"

/* private: one running loop level, innermost first. */
typedef struct act__frame {
    struct act__frame *outer;
    unsigned char kind;    /* start level, act_wait, or act_sched_run_once's pass */
    unsigned char stopped; /* asked to end */
} act__frame;

/**
 * typedef act_error_fn - the scheduler's error handler
 * @s:   the scheduler
 * @ao:  the object whose run failed (alive during the call)
 * @err: the error that run returned and run_error did not handle
 * @arg: the pointer given to act_sched_set_error_handler()
 *
 * Context: the scheduler's thread, between dispatches.
 */
typedef void (*act_error_fn)(act_sched *s, act_object *ao, int err, void *arg);

struct act_sched {
    /* private: */
    act__link ready;              /* completed objects, by priority then completion: ready.next first */
    act__link *ready_tail;        /* the last of them, or &ready */
    act__frame *frames;           /* innermost running loop (between the tail fields: gcc paired them in one SSE store) */
    act__link *ready_tail_prev;   /* the link before ready_tail, or NULL when not known; stale while empty; unused with ACT_OPTIMIZE_SIZE */
    uint32_t nactive;             /* active objects */
    uint32_t remote_seen;         /* a remote completion came since the last sleep (spin first) */
    act_error_fn error_fn;
    void *error_arg;
    intptr_t port[4];             /* the port's state (Linux: epoll fd, eventfd, fd count, batch) */
#if ACT_TIMER_WHEEL
    act__wheel timers;            /* the timer queue (src/timer/wheel.c) */
#else
    act__heap_node *timers;       /* the timer queue: a pairing heap by deadline */
#endif
    /*
     * Written by other threads.  With the wheel (64-bit machines, where
     * act_sched is kilobytes anyway) a cache line of padding on each side
     * keeps them off the lines the scheduler's thread writes, whatever
     * follows act_sched in the caller's struct: sharing one costs remote
     * completions a cache-line transfer each (bench remote64: 2x).
     */
#if ACT_TIMER_WHEEL
    char remote_pad_before[64];
#endif
    act__link *remote;            /* remote completions, a lock-free stack (links of objects) */
    const act_status *stray;      /* a stray remote completion to report */
#if ACT_TIMER_WHEEL
    char remote_pad_after[64];
#endif
};

/* act_sched_run_once() flags */
#define ACT_RUN_NOWAIT 1u /* never block in the port: dispatch what is ready now */

/**
 * act_sched_init() - initialise a scheduler
 * @s: caller-allocated scheduler
 *
 * Also installs it as the calling thread's scheduler when the thread has none.
 * Context: the thread that will run it.
 * Return: 0, or a negative errno when the port cannot create its wait state
 * (Linux: -EMFILE, -ENFILE, -ENOMEM from epoll_create1/eventfd); @s is then
 * unusable.
 */
ACT_API int act_sched_init(act_sched *s);

/**
 * act_sched_fini() - release a scheduler
 * @s: a scheduler with no active object and no armed timer
 *
 * Cancels nothing: every object must be inactive and every timer of @s
 * disarmed (an armed one is linked into @s).  Added inactive objects may be
 * freed afterwards.  Uninstalls @s when it is the thread's current.
 * Close the pipes, sockets and act_fd watchers of @s first: they keep a
 * pointer to it, and closing one afterwards would act on a released
 * scheduler (not detected: an idle one may or may not be registered).
 * Context: the scheduler's thread, with no loop of @s running.
 * Panics: ACT_PANIC_FINI_ACTIVE when objects are still active, timers
 * armed or a loop of @s (act_sched_start, act_wait_start) is running (@s
 * is then left as it was).  Otherwise it gathers the remote
 * completions, and reports each stray still undelivered, with
 * ACT_PANIC_STRAY_SIGNAL, and @s is finished all the same: once naming an
 * inactive object for each completion it never got (a request issued
 * without act_set_active() that completed, here or remotely; the object is
 * left as it was, added to a finished scheduler), and once naming a status
 * for a remote act_complete_remote() that found it not pending (completed
 * twice, never issued, or with ACT_PENDING) and was not reported yet.
 */
ACT_API void act_sched_fini(act_sched *s);

/**
 * act_sched_install() - make @s the calling thread's current scheduler
 * @s: an initialised scheduler, or NULL to uninstall
 *
 * Context: the thread that runs @s.
 */
ACT_API void act_sched_install(act_sched *s);

/**
 * act_sched_current() - the calling thread's current scheduler
 *
 * Context: any thread.  Return: the installed scheduler, or NULL.
 */
ACT_API act_sched *act_sched_current(void);

/**
 * act_sched_add() - add an object to the scheduler
 * @s:  the scheduler
 * @ao: an initialised, unadded object
 *
 * O(1); the scheduler keeps no list of added objects.
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_ADD_NULL for a NULL @s or @ao; ACT_PANIC_ADD_TWICE when
 * @ao is already added.
 */
ACT_API void act_sched_add(act_sched *s, act_object *ao);

/**
 * act_sched_start() - run the scheduler until act_sched_stop() at this level
 * @s: the scheduler
 *
 * Dispatches completed objects, highest priority first, waiting in the port
 * when none is ready.  Nests: a run may start another level.
 * Context: the scheduler's thread.
 * Return: 0 when stopped; a negative errno when the port's wait failed
 * (after the panic below, when its handler returns).
 * Panics: ACT_PANIC_PORT_FAILED when the port's wait fails (Linux: the
 * scheduler's epoll descriptor, act_sched_fd(), was closed or replaced).
 */
ACT_API int act_sched_start(act_sched *s);

/**
 * act_sched_stop() - end the innermost running act_sched_start() level
 * @s: the scheduler
 *
 * The level returns after the current run returns; act_wait loops nested
 * inside it keep running until their own act_wait_stop().  A second stop
 * ends the next level out.
 * Context: the scheduler's thread.
 * Panics: ACT_PANIC_STOP_NO_LEVEL when no act_sched_start() level is left to
 * stop.
 */
ACT_API void act_sched_stop(act_sched *s);

/**
 * act_sched_run_once() - one pass: gather completions and dispatch them
 * @s:     the scheduler
 * @flags: 0 to wait in the port when nothing is ready, ACT_RUN_NOWAIT never to
 *         wait
 *
 * For embedding in a foreign loop: poll act_sched_fd(), and call this when it
 * is readable or when act_sched_timeout() has passed.  A pass gathers (remote
 * completions, and timers due: a batch of at most 64 and those sharing the
 * last one's deadline), polls the port once (always: that takes back the
 * wake that made act_sched_fd() readable) and gathers again, then
 * dispatches as many objects as it gathered remote completions and timers,
 * and 64 more, in priority order (objects completed during the pass
 * included).  A gathered one queues behind the ready objects of its
 * priority: when more than 64 objects are dispatched ahead of it (those,
 * and higher priorities, completed during the pass too) it runs on a later
 * pass, still ahead of the objects of its priority queued after it.
 * act_sched_start() runs such passes.
 * Context: the scheduler's thread.
 * Return: the number of objects dispatched (>= 0): run calls, and a stray
 * signal reported instead of a run when the panic handler returns; or a
 * negative errno when the port's wait failed (after the panic, when its
 * handler returns).
 * Panics: ACT_PANIC_PORT_FAILED as act_sched_start().
 */
ACT_API int act_sched_run_once(act_sched *s, unsigned flags);

/**
 * act_sched_fd() - a descriptor that becomes readable when @s has I/O or
 * remote completions to gather
 * @s: the scheduler
 *
 * Context: the scheduler's thread.
 * Ownership: the scheduler's; do not close it.
 * Return: the descriptor (Linux: the epoll fd), or -ENOSYS on a port without
 * descriptors.
 */
ACT_API int act_sched_fd(const act_sched *s);

/**
 * act_sched_timeout() - how long a foreign loop may sleep before calling
 * act_sched_run_once()
 * @s: the scheduler
 *
 * Context: the scheduler's thread.
 * Return: 0 when objects are ready now, the milliseconds (rounded up) to
 * the nearest timer (at most INT_MAX), or -1 when there is no timer.
 */
ACT_API int act_sched_timeout(act_sched *s);

/**
 * act_sched_set_error_handler() - where unhandled run errors go
 * @s:   the scheduler
 * @fn:  the handler, or NULL for the default (panic ACT_PANIC_UNHANDLED_ERROR)
 * @arg: passed to @fn unchanged; stays the caller's
 *
 * Context: the scheduler's thread.
 */
ACT_API void act_sched_set_error_handler(act_sched *s, act_error_fn fn, void *arg);

/* A nested scheduler loop (CActiveSchedulerWait); ready to use when zeroed. */
typedef struct act_wait {
    /* private: */
    act__frame frame;
    act_sched *sched; /* non-NULL while started */
} act_wait;

/**
 * act_wait_start() - run a nested loop on the current scheduler until
 * act_wait_stop(@w)
 * @w: a wait that is not started
 *
 * Returns after act_wait_stop(@w) once every loop nested inside it has
 * returned; act_sched_stop() never ends it.
 * Context: the scheduler's thread.
 * Ownership: @w must stay valid until this returns.
 * Panics: ACT_PANIC_WAIT_MISUSE when @w is already started;
 * ACT_PANIC_NO_SCHEDULER when the thread has none; ACT_PANIC_PORT_FAILED
 * as act_sched_start(), after which (the handler returning) it returns
 * unstopped.
 */
ACT_API void act_wait_start(act_wait *w);

/**
 * act_wait_stop() - end a started wait
 * @w: a started wait
 *
 * Context: the scheduler's thread (typically from a run).
 * Panics: ACT_PANIC_WAIT_MISUSE when @w is not started or already stopping.
 */
ACT_API void act_wait_stop(act_wait *w);

/**
 * act_wait_started() - whether @w is running
 * @w: a wait
 *
 * Context: the scheduler's thread.  Return: true between act_wait_start()
 * and its return.
 */
ACT_API bool act_wait_started(const act_wait *w);

#endif
