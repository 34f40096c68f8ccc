/* Built by .ci/run against an installed libactive through pkg-config. */
#include <active.h>
#include <stdio.h>

static int run(act_object *ao)
{
    printf("installed libactive works: %s\n", act_strerror(act_status_result(act_object_status(ao))));
    act_sched_stop(act_sched_current());
    return 0;
}

static void cancel(act_object *ao)
{
    (void)ao;
}

int main(void)
{
    static const act_object_ops ops = { run, cancel, NULL };
    act_sched s;
    act_object ao;
    act_timer t;

    if (act_sched_init(&s) < 0)
        return 1;
    act_object_init(&ao, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&s, &ao);
    act_timer_init(&t, &s);
    act_timer_after(&t, act_object_status(&ao), 1000);
    act_set_active(&ao);
    act_sched_start(&s);
    act_sched_fini(&s);
    return act_status_result(act_object_status(&ao)) == 0 ? 0 : 1;
}
