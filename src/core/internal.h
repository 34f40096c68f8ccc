/*
 * Internal to the core and timers: the object state bits kept in the
 * status's private word, the ready queue, the panic helper and the hooks
 * between the scheduler and the timer queue.  Never installed.
 */
#ifndef ACT_CORE_INTERNAL_H
#define ACT_CORE_INTERNAL_H

#include <active.h>
#include <active/port.h>

/*
 * act_status.kind: what the status is, and where its object's signal is.
 * An object's kind is ACT__OBJ alone from the consumption of one signal (by
 * run or cancel) to the next request; ACT__ISSUED from that request (even
 * if it completed remotely) until the signal is queued; ACT__QUEUED while it
 * is.  act_set_active() requires one of the two, and the consumption that
 * stores ACT__OBJ clears active in the same call, with nothing between, so
 * an active object's kind is above ACT__OBJ: the checks that a status is
 * free test the kind, not active.
 */
#define ACT__OBJ 1u    /* the status is an act_object's own */
#define ACT__QUEUED 2u /* completed and linked in sched->ready (with ACT__OBJ) */
#define ACT__ISSUED 4u /* a request issued on it, its signal not yet queued (with ACT__OBJ) */

static inline act_object *act__status_object(act_status *st)
{
    return ACT_CONTAINER_OF(st, act_object, status);
}

static inline int act__object_prio(const act_object *ao)
{
    return ao->status.prio;
}

static inline act_object *act__link_object(act__link *l)
{
    return ACT_CONTAINER_OF(l, act_object, link);
}

/*
 * Report misuse: @msg may hold one '@', replaced by @ptr in hex.  Returns
 * when a handler returns; the caller then does nothing more.
 */
#ifndef ACT_SMALL_STRINGS
void act__panic(const char *rule, const char *msg, const void *ptr);
#define act__stray(msg, ptr) act__panic(ACT_PANIC_STRAY_SIGNAL, (msg), (ptr))
#else
/* Firmware option (doc/porting.md): the sentences never reach the image,
 * and no call passes one; the handler's detail is @ptr in hex alone.
 * @ptr comes first: callers mostly hold it as their own first argument. */
void act__panic_at(const void *ptr, const char *rule);
#define act__panic(rule, msg, ptr) act__panic_at((ptr), (rule))
/* The rule of most call sites gets its own entry: no address of the rule's
 * name to load at each (6 bytes of Thumb-2 a site, 12 for the entry). */
void act__stray_at(const void *ptr);
#define act__stray(msg, ptr) act__stray_at(ptr)
#endif

/*
 * What a provider calls to accept a request on @s: act_status_set_pending()
 * that says whether it did.  False after a panic handler returned: the
 * provider must then leave @s alone.
 */
bool act__status_issue(act_status *s);

/*
 * Whether a request may be issued on @s: not pending, and its object (if
 * any) owed no signal: its kind ACT__OBJ alone (a bare status's is 0), so
 * neither issued nor queued, nor active (above).
 */
static inline bool act__status_free(const act_status *s)
{
    return s->result != ACT_PENDING && s->kind <= ACT__OBJ;
}

/*
 * Whether a request was issued on @ao's status and its signal is not yet
 * consumed by run or cancel: pending, completed remotely and not yet
 * gathered, or queued.  A kind above ACT__OBJ is ACT__ISSUED or ACT__QUEUED
 * (never both): one compare, where a mask test takes a longer instruction
 * on Thumb-2.
 */
static inline bool act__object_issued(const act_object *ao)
{
    return ao->status.kind > ACT__OBJ;
}

/*
 * Accept a request on @s, which act__status_free() allowed: pending, and an
 * object's status marked issued until its signal is queued, so that
 * act_set_active() can tell a request from none.  Each byte is stored whole
 * (doc/guide.md): a free object's kind is ACT__OBJ alone.
 */
static inline void act__status_take(act_status *s)
{
    s->result = ACT_PENDING;
    if (s->kind != 0)
        s->kind = ACT__OBJ | ACT__ISSUED;
}

/*
 * Queue the completed @ao after every ready object of its priority or
 * higher.  The ready queue is singly linked, s->ready.next first and
 * s->ready_tail last, whose next is NULL (a node's next means nothing while
 * it is not queued); an object of the tail's priority or lower goes last in
 * O(1), the usual case (ready.c, NOTE 1).
 */
#if ACT_OPTIMIZE_SIZE
/* Out of line (ready.c), the append and the sorted walk in one body. */
void act__ready_insert(act_sched *s, act_object *ao);
#else
/* The sorted insertion behind act__ready_insert() (ready.c). */
void act__ready_insert_sorted(act_sched *s, act_object *ao);

/* Inline: act_complete() and act_complete_self() are the hot callers. */
static inline void act__ready_insert(act_sched *s, act_object *ao)
{
    act__link *tail = s->ready_tail;

    if (tail != &s->ready && act__object_prio(act__link_object(tail)) < act__object_prio(ao)) {
        act__ready_insert_sorted(s, ao);
        return;
    }
    ao->link.next = NULL;
    tail->next = &ao->link;
    s->ready_tail = &ao->link;
    s->ready_tail_prev = tail;
    ao->status.kind = ACT__OBJ | ACT__QUEUED;
}
#endif

/*
 * Run providers (never a run callback) until @st is signalled: a bare status
 * no longer pending, an object's status queued.  Returns >= 0, or the port's
 * negative errno.
 */
int act__sched_await(act_sched *s, act_status *st);

/*
 * Gather as a pass does, without dispatching: report a stray remote
 * completion, queue the remote completions, expire the timers that are due.
 * An object completed remotely is linked on the remote stack until
 * gathered: a caller about to let an object go gathers first (sched.c
 * NOTE 5).  Returns how many requests that completed.
 */
int act__sched_gather(act_sched *s);

/* Remove a queued object from the ready queue. */
void act__ready_remove(act_sched *s, act_object *ao);

/* Hooks into the timer queue (src/timer/timer.c). */
#if ACT_TIMER_WHEEL
void act__tq_init(act_sched *s);                /* an empty timer queue (src/timer/queue.h) */
#else
static inline void act__tq_init(act_sched *s)   /* an empty pairing heap (src/timer/heap.c) */
{
    s->timers = NULL;
}
#endif

/*
 * @t + @usec, or the last usec in the clock's range when the sum is past it
 * (ACT_PORT_FOREVER means "no deadline"): a wrapped sum would be a deadline
 * in the past, a timer that fires at once instead of never.
 */
static inline uint64_t act__deadline_add(uint64_t t, uint64_t usec)
{
    uint64_t sum = t + usec;

    return sum < t || sum == ACT_PORT_FOREVER ? ACT_PORT_FOREVER - 1 : sum;
}

/* Whether no timer is queued. */
static inline bool act__tq_empty(const act_sched *s)
{
#if ACT_TIMER_WHEEL
    return s->timers.levels == 0 && s->timers.due == NULL;
#else
    return s->timers == NULL;
#endif
}

uint64_t act__tq_next(const act_sched *s);      /* nearest deadline, or earlier; ACT_PORT_FOREVER if none */
uint64_t act__tq_next_exact(act_sched *s);      /* nearest deadline exactly (keeps it: wheel.c NOTE 3) */
int act__timers_expire(act_sched *s);           /* complete the timers that are due, return how many (timer.c, NOTE 1) */

#endif
