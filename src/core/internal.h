/*
 * Internal to the core and timers: the object state bits kept in the
 * status's private word, the ready queue, the panic helper and the hooks
 * between the scheduler and the timer queue.  Never installed.
 */
#ifndef ACT_CORE_INTERNAL_H
#define ACT_CORE_INTERNAL_H

#include <active.h>
#include <active/port.h>

/* act_status.kind: what the status is, and whether its object is ready. */
#define ACT__OBJ 1u    /* the status is an act_object's own */
#define ACT__QUEUED 2u /* completed and linked in sched->ready (with ACT__OBJ) */

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
#else
/* Firmware option (doc/porting.md): the sentences never reach the image,
 * and no call passes one; the handler's detail is @ptr in hex alone.
 * @ptr comes first: callers mostly hold it as their own first argument. */
void act__panic_at(const void *ptr, const char *rule);
#define act__panic(rule, msg, ptr) act__panic_at((ptr), (rule))
#endif

/*
 * What a provider calls to accept a request on @s: act_status_set_pending()
 * that says whether it did.  False after a panic handler returned: the
 * provider must then leave @s alone.
 */
bool act__status_issue(act_status *s);

/*
 * Whether a request may be issued on @s: not pending, its object (if any)
 * neither active nor queued.  The test of act__status_issue(), which spells
 * it out itself: through this helper gcc gives its hot path a move more.
 */
static inline bool act__status_free(const act_status *s)
{
    return s->result != ACT_PENDING && !s->active && (s->kind & ACT__QUEUED) == 0;
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
 * An object's status completed remotely is not pending, yet its signal is
 * not queued until gathered: a caller that asks whether an inactive object
 * still has a signal to come gathers first (sched.c NOTE 5).  Returns how
 * many requests that completed.
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
uint64_t act__tq_next_exact(const act_sched *s); /* nearest deadline exactly */
int act__timers_expire(act_sched *s);           /* complete the timers that are due, return how many (timer.c, NOTE 1) */

#endif
