/*
 * The contract tests that need an interrupt (ct_irq_start()): a remote
 * completion waking a sleeping scheduler, the idle rule, and the race of an
 * interrupt against cancel, with the objects and interrupt handlers they
 * drive.  Each harness supplies the interrupt: SysTick on the target, a
 * timer signal on the host.  Portable C11 on libactive and its port's
 * atomics alone: no libc beyond <errno.h>, no stdio.
 */
#include <errno.h>

#include <active.h>
#include <active/port.h>

#include "support.h"

/* The pseudo-random waits of the idle and race tests (xorshift32). */
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

    ct_obj_init(&o, 'o', ACT_PRIORITY_STANDARD);
    o.on_run = ct_stop_run;
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
