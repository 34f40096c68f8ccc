/*
 * The timer queue's shape, through the timer API: a cancel that takes a
 * timer out of the middle of the queue (the first of several armed after an
 * earlier one, one between two others, one with later timers under it, the
 * earliest) leaves every other timer to fire once, in deadline order.  The
 * deadlines are in the past, so the next pass fires them all and the order
 * of the runs is the order in which the queue gave the timers up.
 *
 * The model test in test_timer.c finds most queue faults too, but among
 * thousands of timers, often as a crash or a hang; these name the shape
 * that broke, and a timer the queue lost fails them at once (q_run counts
 * the runs) instead of leaving the loop to wait for it.
 */
#include <errno.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(timer_queue, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

enum { MAXQ = 40 }; /* under the 64 timers one pass completes beyond a shared deadline */

struct qtimer {
    fx_obj o;
    act_timer t;
    struct queue *q;
};

struct queue {
    struct qtimer all[MAXQ];
    int n;
    int runs;
    int fired[MAXQ]; /* indexes of the timers that fired, in run order */
    int nfired;
};

static int note_run(fx_obj *o)
{
    struct qtimer *qt = ACT_CONTAINER_OF(o, struct qtimer, o);
    struct queue *q = qt->q;

    q->runs++;
    if (o->last_result == 0)
        q->fired[q->nfired++] = (int)(qt - q->all);
    return 0;
}

/* Arm timer @i of @q at @usec past a base a second before now (distinct for distinct @usec). */
static void q_arm(struct queue *q, int i, uint64_t usec)
{
    static uint64_t base;
    struct qtimer *qt = &q->all[i];

    if (base == 0)
        base = act_now_usec() - 1000000;
    fx_obj_init(&qt->o, ACT_PRIORITY_STANDARD);
    qt->o.on_run = note_run;
    qt->q = q;
    cr_assert_eq(act_timer_init(&qt->t, fx_sched()), 0);
    qt->o.timer = &qt->t;
    act_timer_at(&qt->t, act_object_status(&qt->o.base), base + usec);
    act_set_active(&qt->o.base);
}

/* Run passes until every timer armed has run (at most a few: all are due). */
static void q_run(struct queue *q)
{
    for (int pass = 0; pass < 100 && q->runs < q->n; pass++)
        cr_assert_geq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(q->runs, q->n, "%d timers ran, %d armed", q->runs, q->n);
}

/* Arm @n timers at @usec[i], cancel those in @cancel (in that order), run; the rest must fire in @want's order. */
static void q_script(const uint64_t *usec, int n, const int *cancel, int ncancel, const int *want, int nwant)
{
    static struct queue q;

    q.n = n;
    q.runs = q.nfired = 0;
    for (int i = 0; i < n; i++)
        q_arm(&q, i, usec[i]);
    for (int k = 0; k < ncancel; k++)
        act_timer_cancel(&q.all[cancel[k]].t);
    q_run(&q);
    for (int k = 0; k < ncancel; k++)
        cr_assert_eq(q.all[cancel[k]].o.last_result, -ECANCELED, "cancelled timer %d: result %d", cancel[k],
                     q.all[cancel[k]].o.last_result);
    cr_assert_eq(q.nfired, nwant, "%d timers fired, %d expected", q.nfired, nwant);
    for (int k = 0; k < nwant; k++)
        cr_assert_eq(q.fired[k], want[k], "run %d: timer %d fired, %d expected", k, q.fired[k], want[k]);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(q.all[i].o.runs, 1, "timer %d ran %d times", i, q.all[i].o.runs);
        act_object_deque(&q.all[i].o.base);
    }
}

/* Timers armed after an earlier one queue beside each other under it; the last armed is first among them. */
Test(timer_queue, cancel_of_one_between_two_others_then_of_its_later_neighbour_keeps_the_rest)
{
    static const uint64_t usec[] = { 10, 50, 40, 30 };

    q_script(usec, 4, (const int[]){ 2, 1 }, 2, (const int[]){ 0, 3 }, 2);
}

Test(timer_queue, cancel_of_the_first_of_several_timers_armed_after_an_earlier_one_keeps_the_others)
{
    static const uint64_t usec[] = { 10, 50, 40, 30 };

    q_script(usec, 4, (const int[]){ 3 }, 1, (const int[]){ 0, 2, 1 }, 3);
}

Test(timer_queue, cancel_of_the_last_of_several_timers_armed_after_an_earlier_one_keeps_the_others)
{
    static const uint64_t usec[] = { 10, 50, 40, 30 };

    q_script(usec, 4, (const int[]){ 1 }, 1, (const int[]){ 0, 3, 2 }, 3);
}

/* An earlier timer armed last takes the top: the first one, with the later ones under it, goes below. */
Test(timer_queue, cancel_of_a_timer_with_later_ones_queued_under_it_keeps_those)
{
    static const uint64_t usec[] = { 50, 70, 60, 10 };

    q_script(usec, 4, (const int[]){ 0 }, 1, (const int[]){ 3, 2, 1 }, 3);
}

Test(timer_queue, cancel_of_the_earliest_timer_leaves_the_others_in_deadline_order)
{
    static const uint64_t usec[] = { 10, 90, 20, 80, 30, 70, 40, 60, 50 };

    q_script(usec, 9, (const int[]){ 0 }, 1, (const int[]){ 2, 4, 6, 8, 7, 5, 3, 1 }, 8);
}

/*
 * Passed deadlines queue in a list that keeps its last timer, so that arming
 * at a deadline equal to or later than the last (0, "at once"; a schedule
 * catching up) appends at once.  After that last one is cancelled, the
 * next arms go behind the new last, ties after the timers already there.
 */
Test(timer_queue, arms_after_a_cancel_of_the_last_passed_deadline_queue_behind_the_new_last)
{
    static struct queue q;
    static const int want[] = { 0, 1, 4, 3, 5 };

    q.n = 6;
    q_arm(&q, 0, 10);
    q_arm(&q, 1, 20);
    q_arm(&q, 2, 30);
    act_timer_cancel(&q.all[2].t);
    q_arm(&q, 3, 25);
    q_arm(&q, 4, 20);
    q_arm(&q, 5, 40);
    q_run(&q);
    cr_assert_eq(q.all[2].o.last_result, -ECANCELED);
    cr_assert_eq(q.nfired, 5);
    for (int k = 0; k < 5; k++)
        cr_assert_eq(q.fired[k], want[k], "run %d: timer %d fired, %d expected", k, q.fired[k], want[k]);
    for (int i = 0; i < q.n; i++)
        act_object_deque(&q.all[i].o.base);
}

/*
 * Random scripts: up to MAXQ timers at deadlines that often tie, armed and
 * cancelled in a random interleaving; the ones left fire once each, in
 * deadline order, the cancelled ones complete -ECANCELED.
 */
Test(timer_queue, random_arms_and_cancels_leave_the_rest_to_fire_once_in_deadline_order)
{
    static struct queue q;
    uint64_t rng = 0x2545f4914f6cdd1du;
    uint64_t usec[MAXQ];
    bool cancelled[MAXQ];

    for (int round = 0; round < (int)fx_size(2000, 300); round++) {
        int armed = 0;

        q.n = 1 + (int)(fx_random(&rng) % MAXQ);
        q.runs = q.nfired = 0;
        while (armed < q.n) {
            int pick = (int)(fx_random(&rng) % (uint64_t)(armed + 2));

            if (pick >= armed) { /* arm the next one */
                usec[armed] = 1 + fx_random(&rng) % (uint64_t)(2 * q.n);
                cancelled[armed] = false;
                q_arm(&q, armed, usec[armed]);
                armed++;
            } else if (!cancelled[pick]) {
                cancelled[pick] = true;
                act_timer_cancel(&q.all[pick].t);
            }
        }
        q_run(&q);
        for (int i = 0; i < q.n; i++)
            cr_assert_eq(q.all[i].o.last_result, cancelled[i] ? -ECANCELED : 0, "round %d, timer %d: result %d",
                         round, i, q.all[i].o.last_result);
        for (int k = 1; k < q.nfired; k++)
            cr_assert_leq(usec[q.fired[k - 1]], usec[q.fired[k]],
                          "round %d: timer %d (at %llu) fired before %d (at %llu)", round, q.fired[k - 1],
                          (unsigned long long)usec[q.fired[k - 1]], q.fired[k], (unsigned long long)usec[q.fired[k]]);
        for (int i = 0; i < q.n; i++)
            act_object_deque(&q.all[i].o.base);
    }
}
