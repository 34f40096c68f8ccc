/*
 * The order in which timers fire (test_timer.c is near its size limit):
 * timers that complete together are delivered in the order they were armed
 * (rule 3: among equal priorities, completion order).
 */
#include "support/fixture.h"

/* The tests are in the timer suite, declared once in test_timer.c. */

struct in_turn {
    fx_obj o;
    act_timer t;
    int *next;  /* the turn the next run takes */
    int turn;   /* the turn this one took */
};

static int take_turn(fx_obj *o)
{
    struct in_turn *x = ACT_CONTAINER_OF(o, struct in_turn, o);

    x->turn = (*x->next)++;
    return 0;
}

Test(timer, past_deadlines_that_tie_fire_in_the_order_they_were_armed)
{
    struct in_turn x[3];
    uint64_t deadline = act_now_usec() - 1000;
    int next = 0;

    for (int i = 0; i < 3; i++) {
        fx_obj_init(&x[i].o, ACT_PRIORITY_STANDARD);
        x[i].o.on_run = take_turn;
        x[i].next = &next;
        cr_assert_eq(act_timer_init(&x[i].t, fx_sched()), 0);
        x[i].o.timer = &x[i].t;
        act_timer_at(&x[i].t, act_object_status(&x[i].o.base), deadline);
        act_set_active(&x[i].o.base);
    }
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(x[i].turn, i, "timer %d armed %d-th ran %d-th", i, i, x[i].turn);
}
