/*
 * The active scheduler: gathering completions (remote ones, expired timers,
 * I/O through the port), dispatch, and the nested loops.  The ready queue's
 * insertion and removal are in ready.c.
 *
 * Loop invariant: an object is in s->ready exactly when ACT__QUEUED is set
 * in its status's kind, and then its status is not pending.  s->nactive
 * counts objects whose status.active is set.
 */
#include <errno.h>
#include <limits.h>

#include "internal.h"

/*
 * What a frame's loop is: a start level or a wait (linked in s->frames), or
 * the one pass of act_sched_run_once() for a foreign loop, which may sleep
 * (ONCE) or only polls (POLL) and is never linked.  The foreign kinds come
 * last: foreign() tests for both at once.
 */
enum { FRAME_START = 1, FRAME_WAIT = 2, FRAME_ONCE = 3, FRAME_POLL = 4 };

static inline bool foreign(const act__frame *f)
{
    return f->kind >= FRAME_ONCE;
}

/* The most runs a pass makes beyond the completions it gathers: NOTE 2. */
enum { QUANTUM = 64 };

/*
 * The remote stack's bottom while the scheduler is awake (NOTE 3): any
 * address that is no object's link will do; the ready queue's head is one.
 */
static act__link *awake(act_sched *s)
{
    return &s->ready;
}

/* Whether remote completions are on the stack (beyond its bottom, NULL or awake(s)). */
static inline bool remote_waiting(act_sched *s)
{
    act__link *head = *(act__link *volatile *)&s->remote;

    return head != NULL && head != awake(s);
}

/*
 * From now on a remote completion wakes the port: true, or false when one
 * came first (it is on the stack, and nothing wakes the port for it).
 */
static bool may_sleep(act_sched *s)
{
    act__link *head = *(act__link *volatile *)&s->remote;

    if (head == awake(s) && act_port_cas_ptr((void **)&s->remote, head, NULL))
        return true;
    return *(act__link *volatile *)&s->remote == NULL;
}

/*
 * Control goes back to a caller that may sleep on act_sched_fd(): make sure
 * a remote completion, already there or to come, makes it readable.
 */
static void leave_awake(act_sched *s)
{
    if (*(act__link *volatile *)&s->remote != NULL && !may_sleep(s))
        act_port_wake(s);
}

/* A remote completion found its status not pending (act_complete_remote()). */
static void report_stray(act_sched *s)
{
    const act_status *st = act_port_swap_ptr((void **)&s->stray, NULL);

    act__stray("status @ completed remotely but not pending (twice, or never issued), with ACT_PENDING, "
               "or to a scheduler its object is not added to", st);
}

/*
 * Move every remote completion to the ready queue, oldest first, and return
 * how many; the caller saw the stack non-empty.  Outside a start level
 * (act_sched_run_once, a wait from outside) the stack is left NULL: the
 * caller may sleep on act_sched_fd() next (NOTE 3).
 */
static int drain_remote(act_sched *s)
{
    act__link *list = act_port_swap_ptr((void **)&s->remote, s->frames != NULL ? awake(s) : NULL);
    act__link *fifo = NULL;
    int queued = 0;

    while (list != NULL && list != awake(s)) { /* the stack is newest first: reverse it */
        act__link *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
        queued++;
    }
#if ACT_SPIN_USEC
    s->remote_seen = 1;
#endif
    while (fifo != NULL) {
        act__link *next = fifo->next;
        act__ready_insert(s, act__link_object(fifo));
        fifo = next;
    }
    return queued;
}

/*
 * Report a stray remote completion, then queue the remote completions and
 * expire the timers that are due; return how many requests that completed.
 * Not static: act_object_deque() gathers too (NOTE 5), and one body keeps
 * drain_remote() inline.
 */
int act__sched_gather(act_sched *s)
{
    int queued = 0;

    if (*(const act_status *volatile *)&s->stray != NULL)
        report_stray(s);
    if (remote_waiting(s))
        queued = drain_remote(s);
    if (!act__tq_empty(s))
        queued += act__timers_expire(s);
    return queued;
}

/*
 * act__sched_gather() when there is something to gather.  The test is
 * inline, so that a pass with nothing to gather makes no call; with
 * ACT_OPTIMIZE_SIZE it is left to act__sched_gather(), which makes the same
 * tests.
 */
static inline int collect(act_sched *s)
{
#if !ACT_OPTIMIZE_SIZE
    if (!remote_waiting(s) && act__tq_empty(s) && *(const act_status *volatile *)&s->stray == NULL)
        return 0;
#endif
    return act__sched_gather(s);
}

/* Whether the port has descriptors to poll; never asked of a port without I/O. */
static inline bool port_has_io(const act_sched *s)
{
#if ACT_PORT_IO
    return act_port_has_io(s);
#else
    (void)s;
    return false;
#endif
}

/*
 * Before sleeping: when a remote completion came since the last sleep,
 * watch the remote stack for ACT_SPIN_USEC; true when one lands (NOTE 4).
 */
static bool remote_soon(act_sched *s)
{
#if ACT_SPIN_USEC
    uint64_t end;

    if (!s->remote_seen)
        return false;
    end = act_port_now_usec() + ACT_SPIN_USEC;
    do {
        if (remote_waiting(s))
            return true;
    } while (act_port_now_usec() < end);
    s->remote_seen = 0;
#else
    (void)s;
#endif
    return false;
}

/*
 * How long the port may sleep: until the next timer's deadline, or forever.
 * The test for no timer is inline, so that a loop driven by I/O alone makes
 * no call; with ACT_OPTIMIZE_SIZE it is left to act__tq_next(), which makes
 * it too.
 */
static inline uint64_t sleep_until(const act_sched *s)
{
#if !ACT_OPTIMIZE_SIZE
    if (act__tq_empty(s))
        return ACT_PORT_FOREVER;
#endif
    return act__tq_next(s); /* 0 for a timer due at 0: a poll, as it should */
}

/*
 * Wait in the port: until the next timer's deadline when @sleep, else (or
 * when remote completions are waiting) just poll it.  Then collect.  Inside
 * a loop of ours with no descriptor registered, a remote completion that
 * lands while it spins before sleeping is collected without the port.
 * Returns how many requests the collection completed, or the port's
 * negative errno.
 */
static inline int wait_port(act_sched *s, bool sleep)
{
    uint64_t deadline = 0;
    int rc, n;

    if (sleep && remote_soon(s)) {
        if (s->frames != NULL && !port_has_io(s))
            return collect(s); /* a loop of ours: its next sleep takes back any wake */
        sleep = false;
    }
    if (sleep && may_sleep(s))
        deadline = sleep_until(s);
    rc = act_port_wait(s, deadline);
    n = collect(s);
    return rc < 0 ? rc : n;
}

static void report_error(act_sched *s, act_object *ao, int err)
{
    if (ao->ops->run_error != NULL)
        err = ao->ops->run_error(ao, err);
    if (err == 0)
        return;
    if (s->error_fn != NULL)
        s->error_fn(s, ao, err, s->error_arg);
    else
        act__panic(ACT_PANIC_UNHANDLED_ERROR, "run of object @ failed and nothing handled it", ao);
}

/* Dispatch the first ready object. */
static void dispatch_one(act_sched *s)
{
    act__link *first = s->ready.next;
    act_object *ao = act__link_object(first);
    int err;

#if ACT_OPTIMIZE_SIZE
    act__ready_remove(s, ao); /* the same unlink, out of line */
#else
    if (s->ready_tail == first) {
        s->ready.next = NULL; /* first is the tail, its next NULL: storing NULL spares a load */
        s->ready_tail = &s->ready; /* empty: ready_tail_prev is unused until an insert sets it */
    } else {
        s->ready.next = first->next;
        if (s->ready_tail_prev == first)
            s->ready_tail_prev = &s->ready;
    }
    ao->status.kind = ACT__OBJ;
#endif
    if (!ao->status.active) {
        act__stray("object @ completed while not active (act_set_active forgotten?)", ao);
        return;
    }
    ao->status.active = 0;
    s->nactive--;
    err = ao->ops->run(ao);
    if (err != 0)
        report_error(s, ao, err);
}

/*
 * Passes (NOTE 2).  One pass: collect, wait in the port only when nothing is
 * ready (poll it when descriptors are registered, or for a foreign loop,
 * whose pass always asks the port: that takes back the wake that made
 * act_sched_fd() readable), collect again, then dispatch.  A loop of ours
 * makes passes until @f is stopped, a foreign loop one; the loop is here,
 * not in run_frame(), so that a pass costs no call and nothing is spilled
 * across passes (an I/O ping-pong makes a pass per message).  Returns the
 * number of objects dispatched in the last pass, or the port's negative errno.
 */
static int passes(act_sched *s, const act__frame *f)
{
    int ran;

    do {
        int quantum = QUANTUM + collect(s);
        bool sleep = s->ready.next == NULL && f->kind != FRAME_POLL;

        if (sleep || foreign(f) || port_has_io(s)) {
            int collected = wait_port(s, sleep);

            if (collected < 0)
                return collected; /* the port's errno */
            quantum += collected;
        }
        for (ran = 0; ran < quantum && s->ready.next != NULL && !f->stopped; ran++)
            dispatch_one(s);
    } while (!foreign(f) && !f->stopped);
    return ran;
}

static int run_frame(act_sched *s, act__frame *f)
{
    int rc;

    f->outer = s->frames;
    f->stopped = 0;
    s->frames = f;
    rc = passes(s, f);
    s->frames = f->outer;
    leave_awake(s);
    return rc < 0 ? rc : 0;
}

/* An object's status is signalled once queued, a bare one once not pending. */
static bool signalled(const act_status *st, bool obj)
{
    return obj ? (st->kind & ACT__QUEUED) != 0 : act_port_load_i32(&st->result) != ACT_PENDING;
}

int act__sched_await(act_sched *s, act_status *st)
{
    bool obj = (st->kind & ACT__OBJ) != 0;
    int rc = 0;

    /*
     * Signalled already: collect nothing, so that it stays the last queued.
     * Else each round polls the port when a remote completion or a timer is
     * already there (wait_port() sleeps only when nothing is).
     */
    while (rc >= 0 && !signalled(st, obj))
        rc = wait_port(s, true);
    if (s->frames == NULL)
        leave_awake(s); /* no loop of ours runs: a foreign one may sleep on act_sched_fd() */
    return rc;
}

int act_sched_init(act_sched *s)
{
    int rc;

    s->ready.next = NULL;
    s->ready_tail = &s->ready;
    s->ready_tail_prev = NULL;
    s->remote = NULL;
    s->stray = NULL;
    act__tq_init(s);
    s->frames = NULL;
    s->nactive = 0;
#if ACT_SPIN_USEC
    s->remote_seen = 0; /* else never read */
#endif
    s->error_fn = NULL;
    s->error_arg = NULL;
    rc = act_port_init(s);
    if (rc < 0)
        return rc;
    if (act_port_current() == NULL)
        act_port_set_current(s);
    return 0;
}

void act_sched_fini(act_sched *s)
{
    if (s->nactive != 0 || !act__tq_empty(s) || s->frames != NULL) {
        act__panic(ACT_PANIC_FINI_ACTIVE,
                   "act_sched_fini on scheduler @ with active objects, armed timers or a loop running", s);
        return;
    }
    (void)act__sched_gather(s); /* a remote stray is reported; remote completions are queued */
    while (s->ready.next != NULL) { /* none is active: each is a stray (rule 7), reported and dropped */
        act_object *ao = act__link_object(s->ready.next);

        act__ready_remove(s, ao);
        act__stray("object @ completed while not active, never dispatched before act_sched_fini", ao);
    }
    act_port_fini(s);
    if (act_port_current() == s)
        act_port_set_current(NULL);
}

void act_sched_install(act_sched *s)
{
    act_port_set_current(s);
}

act_sched *act_sched_current(void)
{
    return act_port_current();
}

void act_sched_add(act_sched *s, act_object *ao)
{
    if (s == NULL || ao == NULL) {
        act__panic(ACT_PANIC_ADD_NULL, "act_sched_add with a NULL scheduler or object (@)", ao);
        return;
    }
    if (ao->sched != NULL) {
        act__panic(ACT_PANIC_ADD_TWICE, "object @ added twice", ao);
        return;
    }
    ao->sched = s;
}

int act_sched_start(act_sched *s)
{
    act__frame f = { NULL, FRAME_START, 0 };

    return run_frame(s, &f);
}

void act_sched_stop(act_sched *s)
{
    for (act__frame *f = s->frames; f != NULL; f = f->outer) {
        if (f->kind == FRAME_START && !f->stopped) {
            f->stopped = 1;
            return;
        }
    }
    act__panic(ACT_PANIC_STOP_NO_LEVEL, "act_sched_stop on scheduler @ with no level running", s);
}

int act_sched_run_once(act_sched *s, unsigned flags)
{
    static const act__frame once = { NULL, FRAME_ONCE, 0 };
    static const act__frame poll = { NULL, FRAME_POLL, 0 };
    int ran = passes(s, (flags & ACT_RUN_NOWAIT) ? &poll : &once);

    leave_awake(s); /* the caller may sleep on act_sched_fd() next */
    return ran;
}

int act_sched_fd(const act_sched *s)
{
    return act_port_fd(s);
}

/*
 * @usec / 1000 rounded up, for @usec < INT_MAX * 1000, by shift and subtract:
 * a 64-bit division would need libgcc's helper on every 32-bit core, and
 * the core links without libgcc.
 */
static int usec_to_ms_up(uint64_t usec)
{
    uint64_t rem = usec + 999u;
    uint64_t step = (uint64_t)1000u << 30;
    uint32_t bit = 1u << 30;
    uint32_t ms = 0;

    for (; bit != 0; bit >>= 1, step >>= 1) {
        if (rem >= step) {
            rem -= step;
            ms |= bit;
        }
    }
    return (int)ms;
}

int act_sched_timeout(act_sched *s)
{
    uint64_t next, now;

    collect(s);
    leave_awake(s); /* the caller sleeps on act_sched_fd() next */
    if (s->ready.next != NULL)
        return 0;
    next = act__tq_next_exact(s);
    if (next == ACT_PORT_FOREVER)
        return -1;
    now = act_port_now_usec();
    if (next <= now)
        return 0;
    if (next - now >= (uint64_t)INT_MAX * 1000u)
        return INT_MAX;
    return usec_to_ms_up(next - now);
}

void act_sched_set_error_handler(act_sched *s, act_error_fn fn, void *arg)
{
    s->error_fn = fn;
    s->error_arg = arg;
}

void act_wait_for_request(act_status *st)
{
    bool obj = (st->kind & ACT__OBJ) != 0;
    act_sched *s = obj ? act__status_object(st)->sched : act_port_current();

    /* nothing outstanding or undelivered; an object's kind also knows of a remote completion not yet gathered (NOTE 5) */
    if (obj ? st->kind <= ACT__OBJ : act_port_load_i32(&st->result) != ACT_PENDING)
        return;
    if (s == NULL) {
        act__panic(ACT_PANIC_NO_SCHEDULER, "act_wait_for_request on status @ with no scheduler", st);
        return;
    }
    if (act__sched_await(s, st) < 0 || (st->kind & ACT__OBJ) == 0)
        return;
    act_object *ao = act__status_object(st);
    act__ready_remove(s, ao);
    if (ao->status.active) {
        ao->status.active = 0;
        s->nactive--;
    }
}

void act_wait_start(act_wait *w)
{
    act_sched *s = act_port_current();

    if (s == NULL) {
        act__panic(ACT_PANIC_NO_SCHEDULER, "act_wait_start on wait @ with no scheduler", w);
        return;
    }
    if (w->sched != NULL) {
        act__panic(ACT_PANIC_WAIT_MISUSE, "act_wait_start on wait @, already started", w);
        return;
    }
    w->sched = s;
    w->frame.kind = FRAME_WAIT;
    (void)run_frame(s, &w->frame);
    w->sched = NULL;
}

void act_wait_stop(act_wait *w)
{
    if (w->sched == NULL || w->frame.stopped) {
        act__panic(ACT_PANIC_WAIT_MISUSE, "act_wait_stop on wait @, not started or already stopping", w);
        return;
    }
    w->frame.stopped = 1;
}

bool act_wait_started(const act_wait *w)
{
    return w->sched != NULL;
}

/*
 * (NOTE 1, the ready queue's shape, is in ready.c.)
 *
 * NOTE 2: the quantum.  A poll costs 7 to 25 dispatches and reading the
 * clock a few, so a pass polls the port once (gathering remote completions
 * and due timers before and after it) and then dispatches up to QUANTUM
 * objects beyond what it gathered, including objects completed during the
 * pass (in priority order, as always).  An object that keeps completing its
 * own requests thus delays I/O, timers and remote completions by at most
 * QUANTUM dispatches plus what was gathered, and costs no system call per
 * dispatch (a poll after every dispatch cost 12x the dispatch).  The count
 * grows by what a pass gathers, so a backlog of completed objects never
 * builds up behind a stream of expiries (it did with a fixed quantum:
 * objects ran long after their completion, out of the cache), and a batch
 * of timers that expire together (64 and their ties, timer.c NOTE 1) runs
 * in its pass unless more than QUANTUM objects are dispatched ahead of it
 * (its priority's, queued before it, and higher ones, completed during the
 * pass too); the rest then run on a later pass, ahead of the objects of
 * their priority queued after them.  Other ready objects beyond the quantum
 * take several passes, with a poll between them when descriptors are
 * registered: a count of ready objects would cost every dispatch more than
 * that.
 */

/*
 * NOTE 3: waking the port only when it may sleep.  A remote completion is
 * pushed on s->remote, and a push onto an empty stack (NULL) wakes the port:
 * on Linux an eventfd write, then an epoll wake-up and a read, three system
 * calls.  While the scheduler runs, the stack's bottom is awake(s) instead,
 * so pushes cost no system call and the next pass collects them.  Only
 * before sleeping does the scheduler swap awake(s) for NULL (may_sleep),
 * with a compare-and-swap that fails if a completion came in between (it
 * then polls instead).  Every call that hands control back to a caller who
 * may sleep on act_sched_fd() leaves NULL there, or wakes the port when a
 * completion is already waiting (libev's ev_async_send skips its write the
 * same way).  The bottom turns back into awake(s) when a loop of ours next
 * collects the stack, not when its sleep ends, so the first completion
 * after each sleep still wakes the port: restoring it after every sleep
 * would cost a compare-and-swap a pass in loops with no remote completion.
 */

/*
 * NOTE 4: spinning before sleeping.  NOTE 3 spares a remote completion the
 * system calls only while the scheduler is awake, and a fast scheduler went
 * to sleep before the completing thread answered: with one request in
 * flight between two threads (bench remote1) each completion cost an
 * eventfd write, a wake-up and a read, 2 to 9 us on these VMs (libev, slower
 * to reach its sleep, skipped most of its writes: 1.6 to 2 us).  So a
 * scheduler sent a remote completion since it last slept first watches the
 * stack for ACT_SPIN_USEC (2 us, about what those calls cost): remote1 0.23
 * to 0.31 us.  A spin that sees nothing clears the hint, so loops driven by
 * I/O or timers never spin.  Reading the clock between looks bounds the
 * spin with no pause instruction in the core (no system call where the
 * clock is the vDSO's).  Outside our loops (act_sched_run_once) the stack's
 * bottom is NULL, every completion writes the eventfd, and the port is
 * polled.
 */

/*
 * NOTE 5: a signal not yet gathered.  act_complete_remote() stores the
 * result before it pushes the object on the remote stack, so an object's
 * status can be neither pending nor queued while its signal is still on the
 * way.  Its kind still says ACT__ISSUED until the gather queues it, so
 * act_wait_for_request() on an object's status waits (act__sched_await()
 * gathers) instead of returning with the signal unconsumed, and an active
 * object is waited for the same way.  act_object_deque() must gather before
 * it lets an inactive object leave: its link may be on the remote stack.
 * After that gather, an object still marked issued has a request out (or a
 * completion still inside act_complete_remote(), link not yet pushed): it
 * is reported as a stray, and it leaves all the same (its caller is about
 * to free it), so a completion that comes later is pushed into whatever the
 * memory has become, misuse reported but not made safe.
 */
