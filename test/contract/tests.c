/*
 * The contract test bodies, shared by the host (test/test_contract.c
 * includes this file) and the target (test/target/runner.c links it).
 * Portable C11 on libactive alone: no libc beyond <errno.h>, no stdio.
 *
 * Each test runs between ct_setup() and ct_teardown(), which give it a
 * fresh scheduler and a panic handler that records the panics the test
 * expects (ct.expect) and fails on any other.
 */
#include <errno.h>

#include <active.h>
#include <active/port.h>

#include "contract.h"

/* Per-test state, reset by ct_setup(): the target runs every test in one
 * process, so nothing may carry over from one test to the next. */
static struct {
    act_sched sched;
    const char *expect; /* the panic rule this test provokes, or NULL */
    int panics;         /* expected panics seen */
    int unexpected;     /* other panics seen */
    char log[32];       /* one tag a run, in dispatch order */
    unsigned nlog;
} ct;

bool ct_streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void ct_panic(const char *rule, const char *detail, void *arg)
{
    (void)arg;
    if (ct.expect != NULL && ct_streq(rule, ct.expect)) {
        ct.panics++;
        return;
    }
    ct.unexpected++;
    ct_fail(rule, 0, detail, 0, 0, false);
}

void ct_setup(void)
{
    ct.expect = NULL;
    ct.panics = 0;
    ct.unexpected = 0;
    ct.log[0] = '\0';
    ct.nlog = 0;
    act_set_panic_handler(ct_panic, NULL);
    if (act_sched_init(&ct.sched) != 0)
        ct_fail(__FILE__, __LINE__, "act_sched_init failed", 0, 0, false);
    act_sched_install(&ct.sched);
}

bool ct_clean(void)
{
    return ct.unexpected == 0 && ct.sched.nactive == 0;
}

void ct_teardown(void)
{
    ct_irq_stop();
    if (ct.sched.nactive == 0)
        act_sched_fini(&ct.sched);
    act_sched_install(NULL);
    act_set_panic_handler(NULL, NULL);
}

/* Tag '\0' logs nothing (the stopper of run_for()). */
static void log_tag(char tag)
{
    if (tag != '\0' && ct.nlog < sizeof ct.log - 1) {
        ct.log[ct.nlog++] = tag;
        ct.log[ct.nlog] = '\0';
    }
}

/*
 * A test object: its run logs its tag and records the result; its request
 * is either completed by the test itself or a timer's.
 */
typedef struct ct_obj {
    act_object base;
    act_timer timer;
    char tag;
    bool timed;                       /* the request is the timer's */
    int runs;
    int result;                       /* of the last run */
    uint64_t ran_at;                  /* act_now_usec() at the last run */
    int (*on_run)(struct ct_obj *o);  /* optional, after logging */
    void *user;
} ct_obj;

static int obj_run(act_object *ao)
{
    ct_obj *o = ACT_CONTAINER_OF(ao, ct_obj, base);

    o->runs++;
    o->result = act_status_result(act_object_status(ao));
    o->ran_at = act_now_usec();
    log_tag(o->tag);
    return o->on_run != NULL ? o->on_run(o) : 0;
}

static void obj_cancel(act_object *ao)
{
    ct_obj *o = ACT_CONTAINER_OF(ao, ct_obj, base);

    if (o->timed)
        act_timer_cancel(&o->timer);
    else
        act_complete(act_object_status(ao), -ECANCELED);
}

static void obj_init(ct_obj *o, char tag, int priority)
{
    static const act_object_ops ops = { obj_run, obj_cancel, NULL };

    act_object_init(&o->base, &ops, priority);
    act_sched_add(&ct.sched, &o->base);
    (void)act_timer_init(&o->timer, &ct.sched);
    o->tag = tag;
    o->timed = false;
    o->runs = 0;
    o->result = 0;
    o->ran_at = 0;
    o->on_run = NULL;
    o->user = NULL;
}

/* Issue a request that completes inside the issuing call, then activate. */
static void obj_complete_now(ct_obj *o, int result)
{
    act_status *st = act_object_status(&o->base);

    act_status_set_pending(st);
    act_set_active(&o->base);
    act_complete(st, result);
}

static void obj_after(ct_obj *o, uint64_t usec)
{
    o->timed = true;
    act_timer_after(&o->timer, act_object_status(&o->base), usec);
    act_set_active(&o->base);
}

static void obj_fini(ct_obj *o)
{
    act_object_deque(&o->base);
    act_timer_fini(&o->timer);
}

static uint32_t next_random(uint32_t *state);
static void spin(uint32_t n);

/* Up to @n passes that never sleep; the number of runs made. */
static int run_passes(int n)
{
    int ran = 0;

    while (n-- > 0) {
        int rc = act_sched_run_once(&ct.sched, ACT_RUN_NOWAIT);
        if (rc <= 0)
            break;
        ran += rc;
    }
    return ran;
}

static int stop_run(ct_obj *o)
{
    (void)o;
    act_sched_stop(&ct.sched);
    return 0;
}

/* Run the scheduler for @usec: a lowest-priority timer object stops it. */
static int run_for(uint64_t usec)
{
    ct_obj stopper;
    int rc;

    obj_init(&stopper, '\0', ACT_PRIORITY_MIN);
    stopper.on_run = stop_run;
    obj_after(&stopper, usec);
    rc = act_sched_start(&ct.sched);
    obj_fini(&stopper);
    return rc;
}

/* --- dispatch --- */

void ct_dispatch_runs_each_completion_once_in_completion_order(void)
{
    ct_obj a, b, c;

    obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    obj_init(&b, 'b', ACT_PRIORITY_STANDARD);
    obj_init(&c, 'c', ACT_PRIORITY_STANDARD);
    obj_complete_now(&a, 1);
    obj_complete_now(&c, 3);
    obj_complete_now(&b, 2);
    CT_ASSERT_EQ(run_passes(4), 3);
    CT_ASSERT_STR(ct.log, "acb");
    CT_ASSERT_EQ(a.runs, 1);
    CT_ASSERT_EQ(b.runs, 1);
    CT_ASSERT_EQ(c.runs, 1);
    CT_ASSERT_EQ(a.result, 1);
    CT_ASSERT_EQ(b.result, 2);
    CT_ASSERT_EQ(c.result, 3);
    CT_ASSERT(!act_is_active(&a.base) && !act_is_active(&b.base) && !act_is_active(&c.base));
}

static int complete_other(ct_obj *o)
{
    ct_obj *other = o->user;

    obj_complete_now(other, 0);
    log_tag(other->runs == 0 ? '+' : '!'); /* the other has not run inside this run */
    return 0;
}

void ct_run_completes_before_the_next_run_starts(void)
{
    ct_obj a, h;

    obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    obj_init(&h, 'h', ACT_PRIORITY_HIGH);
    a.on_run = complete_other;
    a.user = &h;
    obj_complete_now(&a, 0);
    CT_ASSERT_EQ(run_passes(4), 2);
    CT_ASSERT_STR(ct.log, "a+h");
    CT_ASSERT_EQ(h.runs, 1);
}

void ct_priorities_dispatch_highest_first(void)
{
    ct_obj idle, low, std1, std2, user, high;

    obj_init(&idle, 'i', ACT_PRIORITY_IDLE);
    obj_init(&low, 'l', ACT_PRIORITY_LOW);
    obj_init(&std1, 's', ACT_PRIORITY_STANDARD);
    obj_init(&std2, 'S', ACT_PRIORITY_STANDARD);
    obj_init(&user, 'u', ACT_PRIORITY_USER_INPUT);
    obj_init(&high, 'h', ACT_PRIORITY_HIGH);
    obj_complete_now(&idle, 0);
    obj_complete_now(&low, 0);
    obj_complete_now(&std1, 0);
    obj_complete_now(&user, 0);
    obj_complete_now(&std2, 0);
    obj_complete_now(&high, 0);
    CT_ASSERT_EQ(run_passes(8), 6);
    CT_ASSERT_STR(ct.log, "husSli");
}

static int again_until_three(ct_obj *o)
{
    if (o->runs < 3)
        obj_complete_now(o, 0);
    return 0;
}

void ct_fairness_equal_priorities_alternate(void)
{
    ct_obj a, b;

    obj_init(&a, 'a', ACT_PRIORITY_STANDARD);
    obj_init(&b, 'b', ACT_PRIORITY_STANDARD);
    a.on_run = again_until_three;
    b.on_run = again_until_three;
    obj_complete_now(&a, 0);
    obj_complete_now(&b, 0);
    CT_ASSERT_EQ(run_passes(10), 6);
    CT_ASSERT_STR(ct.log, "ababab"); /* a self-completing object never starves its peer */
}

/* --- timers and cancel --- */

void ct_timer_fires_at_its_deadline_not_before(void)
{
    ct_obj o;
    uint64_t start;

    obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    start = act_now_usec();
    obj_after(&o, 3000);
    CT_ASSERT_EQ(run_for(20000), 0);
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 0);
    CT_ASSERT(o.ran_at >= start + 3000);
    CT_ASSERT(!act_timer_armed(&o.timer));
    obj_fini(&o);
}

void ct_cancel_pending_timer_completes_with_ecanceled_and_never_runs(void)
{
    ct_obj o;

    obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    obj_after(&o, 1000000);
    act_cancel(&o.base);
    CT_ASSERT(!act_is_active(&o.base));
    CT_ASSERT(!act_timer_armed(&o.timer));
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), -ECANCELED);
    CT_ASSERT_EQ(run_for(2000), 0);
    CT_ASSERT_EQ(o.runs, 0);
    obj_fini(&o);
}

void ct_cancel_after_expiry_keeps_the_real_result(void)
{
    ct_obj o;
    act_timer later;
    act_status st = ACT_STATUS_INIT;

    obj_init(&o, 't', ACT_PRIORITY_STANDARD);
    obj_after(&o, 1000);
    (void)act_timer_init(&later, &ct.sched);
    act_timer_after(&later, &st, 3000);
    act_wait_for_request(&st); /* runs providers, not runs: o's timer fires meanwhile */
    CT_ASSERT_EQ(act_status_result(&st), 0);
    CT_ASSERT(act_is_active(&o.base)); /* completed, not yet delivered */
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), 0);
    act_cancel(&o.base);
    CT_ASSERT(!act_is_active(&o.base));
    CT_ASSERT_EQ(act_status_result(act_object_status(&o.base)), 0);
    CT_ASSERT_EQ(run_for(2000), 0);
    CT_ASSERT_EQ(o.runs, 0);
    obj_fini(&o);
}

/* --- stray signals (rule 7) --- */

void ct_stray_local_completion_is_reported(void)
{
    ct_obj o;
    act_status bare = ACT_STATUS_INIT;

    obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(act_object_status(&o.base));
    act_complete(act_object_status(&o.base), 5); /* act_set_active forgotten */
    run_passes(2);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT_EQ(o.runs, 0);
    act_status_set_pending(&bare);
    act_complete(&bare, 1);
    act_complete(&bare, 2); /* completed twice */
    CT_ASSERT_EQ(ct.panics, 2);
    CT_ASSERT_EQ(act_status_result(&bare), 1);
}

void ct_stray_remote_completion_is_reported(void)
{
    ct_obj o;
    act_status *st;

    obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(st);
    act_set_active(&o.base);
    act_complete_remote(&ct.sched, st, 7);
    act_complete_remote(&ct.sched, st, 8); /* a provider completing twice */
    CT_ASSERT_EQ(ct.panics, 0);            /* reported on the scheduler's thread, later */
    run_passes(2);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 7);
}

/*
 * A stray still undelivered when the scheduler ends is reported then, not
 * dropped, and the scheduler is finished all the same.
 */
void ct_stray_completion_is_reported_when_the_scheduler_ends(void)
{
    ct_obj o;
    act_status *st;

    obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    st = act_object_status(&o.base);
    ct.expect = ACT_PANIC_STRAY_SIGNAL;
    act_status_set_pending(st);
    act_complete_remote(&ct.sched, st, 4); /* act_set_active forgotten */
    act_sched_fini(&ct.sched);
    CT_ASSERT_EQ(ct.panics, 1);
    CT_ASSERT(act_sched_current() == NULL); /* finished */
    CT_ASSERT_EQ(o.runs, 0);
    CT_ASSERT_EQ(act_sched_init(&ct.sched), 0); /* for the teardown */
    act_sched_install(&ct.sched);
    obj_fini(&o);
}

/* --- nested waits (rule 10) --- */

static int start_wait(ct_obj *o)
{
    act_wait_start(o->user);
    log_tag('o');
    return 0;
}

static int stop_wait(ct_obj *o)
{
    act_wait_stop(o->user);
    return 0;
}

void ct_nested_wait_survives_sched_stop_and_ends_on_its_own_stop(void)
{
    ct_obj outer, first, second;
    act_wait w = { { NULL, 0, 0 }, NULL };

    obj_init(&outer, 'O', ACT_PRIORITY_STANDARD);
    obj_init(&first, '1', ACT_PRIORITY_STANDARD);
    obj_init(&second, '2', ACT_PRIORITY_STANDARD);
    outer.on_run = start_wait;
    outer.user = &w;
    first.on_run = stop_run; /* act_sched_stop: ends the start level, not the wait */
    second.on_run = stop_wait;
    second.user = &w;
    obj_after(&first, 1000);
    obj_after(&second, 3000);
    obj_complete_now(&outer, 0);
    CT_ASSERT_EQ(act_sched_start(&ct.sched), 0);
    CT_ASSERT_STR(ct.log, "O12o");
    CT_ASSERT(!act_wait_started(&w));
    obj_fini(&first);
    obj_fini(&second);
}

/* --- interrupts --- */

struct waker {
    act_sched *sched;
    act_status *st;
    unsigned calls;
};

static void waker_irq(void *arg)
{
    struct waker *w = arg;

    if (++w->calls == 20)
        act_complete_remote(w->sched, w->st, 42);
}

void ct_remote_completion_wakes_a_sleeping_scheduler(void)
{
    ct_obj o;
    struct waker w;

    obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    o.on_run = stop_run;
    w.sched = &ct.sched;
    w.st = act_object_status(&o.base);
    w.calls = 0;
    act_status_set_pending(w.st);
    act_set_active(&o.base);
    ct_irq_start(waker_irq, &w);
    CT_ASSERT_EQ(act_sched_start(&ct.sched), 0); /* sleeps: no timer, nothing ready */
    ct_irq_stop();
    CT_ASSERT_EQ(o.runs, 1);
    CT_ASSERT_EQ(o.result, 42);
}

/*
 * The idle rule: the scheduler must never go to sleep with a completion
 * already given.  The interrupt completes a published request at a random
 * point of the main loop's way into the port's wait (the main loop spins a
 * random while first); when the completion lands between the port's check
 * and its sleep and is slept through, it is delivered only when the next
 * interrupt wakes the port, a whole tick late.
 */
struct sleeper {
    act_object base;
    act_sched *sched;
    act_status *slot;       /* the published request, until the interrupt claims it */
    uint64_t completed_at;  /* act_now_usec() in the interrupt */
    uint64_t started_at;    /* act_now_usec() before the scheduler starts */
    uint64_t worst;         /* the longest completion-to-run latency */
    uint64_t bound;         /* ct_wake_bound_usec(), 0 for none */
    unsigned long late;     /* deliveries later than the bound */
    unsigned long runs;
};

static void sleeper_irq(void *arg)
{
    struct sleeper *sl = arg;
    act_status *st = act_port_swap_ptr((void **)&sl->slot, NULL);

    if (st == NULL)
        return;
    sl->completed_at = act_now_usec();
    act_complete_remote(sl->sched, st, 0);
}

static int sleeper_run(act_object *ao)
{
    struct sleeper *sl = ACT_CONTAINER_OF(ao, struct sleeper, base);
    uint64_t from = sl->completed_at > sl->started_at ? sl->completed_at : sl->started_at;
    uint64_t latency = act_now_usec() - from;

    if (latency > sl->worst)
        sl->worst = latency;
    if (sl->bound != 0 && latency > sl->bound)
        sl->late++;
    sl->runs++;
    act_sched_stop(sl->sched);
    return 0;
}

static void sleeper_cancel(act_object *ao)
{
    struct sleeper *sl = ACT_CONTAINER_OF(ao, struct sleeper, base);
    act_status *st = act_port_swap_ptr((void **)&sl->slot, NULL);

    if (st != NULL)
        act_complete(st, -ECANCELED);
}

void ct_idle_sleep_never_sleeps_through_a_completion(void)
{
    static const act_object_ops ops = { sleeper_run, sleeper_cancel, NULL };
    struct sleeper sl = { .sched = &ct.sched, .bound = ct_wake_bound_usec() };
    unsigned long rounds = ct_race_rounds() / 20u;
    uint32_t seed = 0x9e3779b9u;

    act_object_init(&sl.base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&ct.sched, &sl.base);
    ct_irq_start(sleeper_irq, &sl);
    for (unsigned long i = 0; i < rounds; i++) {
        act_status_set_pending(act_object_status(&sl.base));
        act_set_active(&sl.base);
        (void)act_port_swap_ptr((void **)&sl.slot, act_object_status(&sl.base));
        spin(next_random(&seed) & 1023u);
        sl.started_at = act_now_usec();
        if (act_sched_start(&ct.sched) != 0)
            break;
    }
    ct_irq_stop();
    ct_log("idle rounds", rounds);
    ct_log("idle worst completion-to-run latency, usec", (unsigned long)sl.worst);
    ct_log("idle completions slept through (late)", sl.late);
    CT_ASSERT_EQ(sl.runs, rounds);
    CT_ASSERT_EQ(sl.late, 0);
    act_object_deque(&sl.base);
}

/*
 * The race: the main loop issues a request, publishes it in a slot, waits a
 * pseudo-random while, then cancels.  The interrupt claims whatever is in
 * the slot and completes it remotely; do_cancel claims it the same way and
 * completes it locally with -ECANCELED.  Whoever claims, the request must
 * get exactly one signal, act_cancel must consume it, and run must never be
 * called.
 */
struct race {
    act_object base;
    act_sched *sched;
    act_status *slot;              /* the outstanding request, until claimed */
    int32_t in_cancel;             /* 1 while the main loop is inside act_cancel */
    unsigned long irq_signals;     /* completions by the interrupt */
    unsigned long irq_in_cancel;   /* ... of which during act_cancel */
    unsigned long cancel_signals;  /* completions by do_cancel */
    unsigned long runs;            /* must stay 0 */
};

static void race_irq(void *arg)
{
    struct race *r = arg;
    act_status *st = act_port_swap_ptr((void **)&r->slot, NULL);

    if (st == NULL)
        return;
    r->irq_signals++;
    if (act_port_load_i32(&r->in_cancel) != 0)
        r->irq_in_cancel++;
    act_complete_remote(r->sched, st, 0);
}

static int race_run(act_object *ao)
{
    ACT_CONTAINER_OF(ao, struct race, base)->runs++;
    return 0;
}

static void race_cancel(act_object *ao)
{
    struct race *r = ACT_CONTAINER_OF(ao, struct race, base);
    act_status *st = act_port_swap_ptr((void **)&r->slot, NULL);

    if (st == NULL)
        return; /* the interrupt claimed it: its remote completion is the one signal */
    r->cancel_signals++;
    act_complete(st, -ECANCELED);
}

static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static void spin(uint32_t n)
{
    volatile uint32_t k = 0;

    while (k < n)
        k++;
}

void ct_race_interrupt_vs_cancel_gives_exactly_one_signal(void)
{
    static const act_object_ops ops = { race_run, race_cancel, NULL };
    struct race r = { .sched = &ct.sched };
    act_status *st = act_object_status(&r.base);
    unsigned long rounds = ct_race_rounds();
    unsigned long irq_won = 0, cancel_won = 0, broken = 0;
    uint32_t seed = 0x2545f491u;

    act_object_init(&r.base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&ct.sched, &r.base);
    ct_irq_start(race_irq, &r);
    for (unsigned long i = 0; i < rounds; i++) {
        act_status_set_pending(st);
        act_set_active(&r.base);
        (void)act_port_swap_ptr((void **)&r.slot, st);
        spin(next_random(&seed) & 255u);
        (void)act_port_cas_i32(&r.in_cancel, 0, 1);
        act_cancel(&r.base);
        (void)act_port_cas_i32(&r.in_cancel, 1, 0);
        if (act_status_result(st) == 0)
            irq_won++;
        else if (act_status_result(st) == -ECANCELED)
            cancel_won++;
        else
            broken++;
        if (act_is_active(&r.base) || r.slot != NULL)
            broken++;
    }
    ct_irq_stop();
    ct_log("race rounds", rounds);
    ct_log("race interrupt completed first", irq_won);
    ct_log("race ... of which inside act_cancel", r.irq_in_cancel);
    ct_log("race cancel completed first", cancel_won);
    ct_log("race stray signals", (unsigned long)ct.unexpected);
    CT_ASSERT_EQ(broken, 0);
    CT_ASSERT(irq_won > 0 && cancel_won > 0); /* else nothing raced */
    CT_ASSERT_EQ(irq_won + cancel_won, rounds);
    CT_ASSERT_EQ(r.irq_signals, irq_won);        /* one signal a request, from one side */
    CT_ASSERT_EQ(r.cancel_signals, cancel_won);
    CT_ASSERT_EQ(r.runs, 0);
    CT_ASSERT_EQ(ct.unexpected, 0);
    act_object_deque(&r.base);
}
