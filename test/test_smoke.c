#include <errno.h>
#include "support/fixture.h"

TestSuite(smoke, .init = fx_setup, .fini = fx_teardown);

Test(smoke, timer_completes_object_once)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, act_object_status(&o.base), 1000);
    act_set_active(&o.base);
    fx_run_for(20000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 0);
}
