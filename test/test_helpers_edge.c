/*
 * Edge cases of the helpers (test_helpers.c is near its size limit): what a
 * helper's own function may do to it while it is being called.
 */
#include "support/fixture.h"

/* The tests are in the helpers suite, declared once in test_helpers.c. */

struct restarter {
    act_idle idle;
    int calls;
};

static bool restart_self_and_ask_for_more(act_idle *idle)
{
    struct restarter *x = ACT_CONTAINER_OF(idle, struct restarter, idle);

    if (++x->calls >= 3)
        return false;
    act_idle_start(idle); /* already started again: returning true must not start it twice */
    return true;
}

Test(helpers, idle_started_again_from_its_own_call_and_returning_true_runs_once_a_pass)
{
    struct restarter x = { 0 };

    cr_assert_eq(act_idle_init(&x.idle, fx_sched(), restart_self_and_ask_for_more, ACT_PRIORITY_IDLE), 0);
    act_idle_start(&x.idle);
    fx_run_for(3000); /* the fixture fails on the status-in-use panic a second start would raise */
    cr_assert_eq(x.calls, 3);
    act_idle_fini(&x.idle);
}
