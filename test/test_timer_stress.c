/*
 * Timers in bulk: a million armed at random deadlines over 20 ms, a third of
 * them cancelled, every one fires or completes -ECANCELED, none twice.
 */
#include <errno.h>
#include <stdlib.h>

#include "support/fixture.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(timer_stress, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

Test(timer_stress, one_million_armed_timers_all_fire_or_cancel)
{
    size_t count = (size_t)fx_size(1000000, 100000);
    act_timer *timers = calloc(count, sizeof *timers);
    act_status *statuses = calloc(count, sizeof *statuses);
    uint64_t rng = 12345;
    uint64_t base = act_now_usec() + 1000;

    cr_assert(timers != NULL && statuses != NULL);
    for (size_t i = 0; i < count; i++) {
        act_timer_init(&timers[i], fx_sched());
        act_timer_at(&timers[i], &statuses[i], base + fx_random(&rng) % 20000);
    }
    for (size_t i = 0; i < count; i += 3)
        act_timer_cancel(&timers[(i * 7919) % count]);
    fx_run_for(25000);
    for (size_t i = 0; i < count; i++) {
        int want = (i % 3 == 0) ? -ECANCELED : 0;
        size_t at = (i * 7919) % count;

        if (act_status_result(&statuses[at]) != want || act_timer_armed(&timers[at]))
            cr_assert_fail("timer %zu: result %d, %d expected", at, act_status_result(&statuses[at]), want);
    }
    free(statuses);
    free(timers);
}
