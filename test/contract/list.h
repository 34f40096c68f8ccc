/*
 * The contract tests, in the order they run.  Include with CT_TEST(name)
 * defined; every name has a body ct_<name>() in tests.c, misuse.c or irq.c.
 */
CT_TEST(dispatch_runs_each_completion_once_in_completion_order)
CT_TEST(run_completes_before_the_next_run_starts)
CT_TEST(priorities_dispatch_highest_first)
CT_TEST(fairness_equal_priorities_alternate)
CT_TEST(timer_fires_at_its_deadline_not_before)
CT_TEST(cancel_pending_timer_completes_with_ecanceled_and_never_runs)
CT_TEST(cancel_after_expiry_keeps_the_real_result)
CT_TEST(stray_local_completion_is_reported)
CT_TEST(stray_remote_completion_is_reported)
CT_TEST(stray_completion_is_reported_when_the_scheduler_ends)
CT_TEST(nested_wait_survives_sched_stop_and_ends_on_its_own_stop)
CT_TEST(remote_completion_wakes_a_sleeping_scheduler)
CT_TEST(idle_sleep_never_sleeps_through_a_completion)
CT_TEST(race_interrupt_vs_cancel_gives_exactly_one_signal)
