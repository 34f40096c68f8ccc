/*
 * Embedding the scheduler in a foreign loop: act_sched_run_once with and
 * without ACT_RUN_NOWAIT, the fd that becomes readable for a remote
 * completion, and the timeout act_sched_timeout gives the foreign loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <active/pipe.h>

#include "support/fixture.h"

/*
 * The tests are in the sched suite, with its fixture (fx_setup, fx_teardown)
 * and timeout: a suite is declared once in the binary, in test_sched.c.
 */

Test(sched, run_once_nowait_returns_at_once_when_nothing_is_ready)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_after(&o, &t, 60u * 1000 * 1000); /* a minute: a blocking pass would dispatch it */
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
    cr_assert_eq(o.runs, 0);
    cr_assert(act_timer_armed(&t));
    act_cancel(&o.base);
}

Test(sched, run_once_nowait_dispatches_every_ready_object)
{
    fx_obj o[3];

    for (int i = 0; i < 3; i++) {
        fx_obj_init(&o[i], ACT_PRIORITY_STANDARD);
        fx_obj_complete_now(&o[i], i);
    }
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 3);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(o[i].runs, 1);
}

Test(sched, run_once_without_nowait_blocks_until_the_next_timer)
{
    fx_obj o;
    act_timer t;
    uint64_t due = act_now_usec() + 3000;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_at(&o, &t, due);
    while (o.runs == 0)
        cr_assert_geq(act_sched_run_once(fx_sched(), 0), 0);
    cr_assert_geq(act_now_usec(), due);
}

Test(sched, fd_becomes_readable_for_a_remote_completion)
{
    fx_obj o;
    struct pollfd pfd = { .fd = act_sched_fd(fx_sched()), .events = POLLIN };
    fx_remote r;

    cr_assert_geq(pfd.fd, 0);
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&o);
    cr_assert_eq(poll(&pfd, 1, 0), 0, "nothing to gather yet");
    fx_remote_start(&r, act_object_status(&o.base), 17, 5000);
    cr_assert_eq(poll(&pfd, 1, 30000), 1);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 17);
    fx_remote_join(&r);
}

/*
 * A foreign loop sleeps on act_sched_fd(): the pass that ran the completion
 * must also take back the wake that made the descriptor readable, even with
 * no descriptor registered, or the foreign loop's poll never blocks again.
 */
Test(sched, fd_is_not_readable_after_run_once_gathered_the_remote_completion)
{
    fx_obj o;
    struct pollfd pfd = { .fd = act_sched_fd(fx_sched()), .events = POLLIN };
    fx_remote r;

    for (int round = 0; round < 2; round++) { /* with ACT_RUN_NOWAIT, then without */
        fx_obj_init(&o, ACT_PRIORITY_STANDARD);
        fx_obj_issue(&o);
        fx_remote_start(&r, act_object_status(&o.base), 5, 5000);
        cr_assert_eq(poll(&pfd, 1, 30000), 1);
        fx_remote_join(&r);
        cr_assert_eq(act_sched_run_once(fx_sched(), round == 0 ? ACT_RUN_NOWAIT : 0), 1);
        cr_assert_eq(o.runs, 1);
        cr_assert_eq(poll(&pfd, 1, 0), 0, "round %d: the wake was left readable: a foreign loop would spin", round);
        act_object_deque(&o.base);
    }
}

/* c's run: a remote completion lands while the loop is awake (no wake), then the loop stops. */
static int push_then_stop(fx_obj *o)
{
    fx_obj *a = o->user;

    fx_complete_remote(act_object_status(&a->base), 2);
    act_sched_stop(fx_sched());
    return 0;
}

/*
 * sched.c NOTE 3: while a loop of ours runs, a remote completion costs no
 * wake, so the loop must wake the port itself when it hands control back
 * with one still on the stack: a foreign loop then sleeping on
 * act_sched_fd() must find it readable.  A pending pipe read makes every
 * pass poll the port, which takes back the wake of the first completion,
 * so the descriptor is readable afterwards only by that hand-back.
 */
Test(sched, fd_is_readable_when_a_loop_returns_with_a_remote_completion_it_did_not_gather)
{
    fx_obj a, c;
    struct pollfd pfd = { .fd = act_sched_fd(fx_sched()), .events = POLLIN };
    act_status st = ACT_STATUS_INIT;
    act_pipe rd;
    char byte;
    int fd[2];

    cr_assert_eq(pipe2(fd, O_CLOEXEC), 0);
    cr_assert_eq(act_pipe_open(&rd, fx_sched(), fd[0]), 0);
    act_pipe_read(&rd, &byte, 1, &st); /* registered: every pass polls */
    fx_obj_init(&a, ACT_PRIORITY_STANDARD);
    fx_obj_init(&c, ACT_PRIORITY_STANDARD);
    fx_obj_issue(&a);
    fx_obj_issue(&c);
    c.on_run = push_then_stop;
    c.user = &a;
    fx_complete_remote(act_object_status(&c.base), 1); /* c is on the stack, the port woken */
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(c.runs, 1);
    cr_assert_eq(a.runs, 0, "a landed after the pass gathered");
    cr_assert_eq(poll(&pfd, 1, 0), 1, "a is on the stack and nothing would wake a foreign loop for it");
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 1);
    cr_assert_eq(a.runs, 1);
    cr_assert_eq(a.last_result, 2);
    act_pipe_close(&rd);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
    close(fd[1]);
}

Test(sched, timeout_is_minus_one_without_timers)
{
    cr_assert_eq(act_sched_timeout(fx_sched()), -1);
}

Test(sched, timeout_is_int_max_for_a_lone_timer_past_the_end_of_the_clock)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, UINT64_MAX); /* clamped to the clock's last microsecond: still a timer */
    cr_assert_eq(act_sched_timeout(fx_sched()), INT_MAX);
    act_timer_cancel(&t);
}

Test(sched, timeout_is_zero_when_an_object_is_ready)
{
    fx_obj o;
    act_timer t;
    act_status far = ACT_STATUS_INIT;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    fx_obj_complete_now(&o, 0);
    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &far, 60u * 1000 * 1000);
    cr_assert_eq(act_sched_timeout(fx_sched()), 0);
    act_timer_cancel(&t);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
}

Test(sched, timeout_is_zero_when_a_timer_is_due)
{
    fx_obj o;
    act_timer t;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_timer_init(&t, fx_sched());
    fx_obj_at(&o, &t, act_now_usec() - 1);
    cr_assert_eq(act_sched_timeout(fx_sched()), 0);
    act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT);
    cr_assert_eq(o.runs, 1);
}

Test(sched, timeout_is_the_milliseconds_to_the_nearest_timer)
{
    act_timer t1, t2;
    act_status s1 = ACT_STATUS_INIT, s2 = ACT_STATUS_INIT;
    int ms;

    act_timer_init(&t1, fx_sched());
    act_timer_init(&t2, fx_sched());
    act_timer_after(&t1, &s1, 60u * 1000 * 1000);
    act_timer_after(&t2, &s2, 30u * 1000 * 1000);
    ms = act_sched_timeout(fx_sched());
    cr_assert_leq(ms, 30000, "at most the nearest timer's delay, %d ms", ms);
    cr_assert_gt(ms, 20000, "milliseconds to the nearest timer, %d ms", ms);
    act_timer_cancel(&t1);
    act_timer_cancel(&t2);
}

/* Far timers share coarse wheel slots: the timeout is still to the deadline, not to the slot's start. */
Test(sched, timeout_is_to_a_far_timers_deadline_not_to_its_slots_start)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;
    uint64_t deadline = (act_now_usec() + 30u * 1000 * 1000) | (1u << 23); /* 8.4 s past any 16.8 s slot start */
    int ms;

    act_timer_init(&t, fx_sched());
    act_timer_at(&t, &st, deadline);
    ms = act_sched_timeout(fx_sched());
    cr_assert_geq((uint64_t)ms + 1, (deadline - act_now_usec()) / 1000, "%d ms to a deadline %llu us away", ms,
                  (unsigned long long)(deadline - act_now_usec()));
    act_timer_cancel(&t);
}

Test(sched, timeout_rounds_up_and_is_never_zero_before_a_timer_is_due)
{
    act_timer t;
    act_status st = ACT_STATUS_INIT;

    act_timer_init(&t, fx_sched());
    act_timer_after(&t, &st, 60u * 1000 * 1000 + 1);
    cr_assert_geq(act_sched_timeout(fx_sched()), 1);
    act_timer_cancel(&t);
}

/*
 * The timeout follows the earliest timer exactly while timers a second or
 * more ahead (kept in coarse wheel slots, whose earliest deadline the wheel
 * remembers once walked) are armed and cancelled in a random order, and a
 * timer that fires in between changes nothing else: after every step it is
 * the milliseconds to the earliest deadline of a model, rounded up.
 */
Test(sched, timeout_follows_random_arms_and_cancels_of_far_timers)
{
    enum { N = 24, STEPS = 400 };
    static act_timer t[N];
    static act_status st[N];
    static uint64_t deadline[N]; /* 0: not armed */
    act_timer due;
    act_status due_st = ACT_STATUS_INIT;
    uint64_t base = act_now_usec() + 10000000, seed = 0x9e3779b97f4a7c15u; /* far: no step reaches it */

    act_timer_init(&due, fx_sched());
    for (int i = 0; i < N; i++) {
        act_timer_init(&t[i], fx_sched());
        st[i] = (act_status)ACT_STATUS_INIT;
    }
    for (int step = 0; step < STEPS; step++) {
        uint64_t min = UINT64_MAX, before, after;
        int i, ms;

        seed = seed * 6364136223846793005u + 1442695040888963407u;
        i = (int)(seed >> 33) % N;
        if (deadline[i] != 0) {
            act_timer_cancel(&t[i]);
            deadline[i] = 0;
        } else {
            deadline[i] = base + (seed >> 33) % 100000000u; /* 10 to 110 s ahead */
            act_timer_at(&t[i], &st[i], deadline[i]);
        }
        if (step % 16 == 15) { /* one fires (from the due list or a slot): the earliest changes and back */
            if (step % 32 == 15)
                act_timer_at(&due, &due_st, 0);
            else
                act_timer_after(&due, &due_st, 0);
            act_wait_for_request(&due_st);
        }
        for (int k = 0; k < N; k++)
            if (deadline[k] != 0 && deadline[k] < min)
                min = deadline[k];
        before = act_now_usec();
        ms = act_sched_timeout(fx_sched());
        after = act_now_usec();
        if (min == UINT64_MAX) {
            cr_assert_eq(ms, -1, "step %d: no timer armed", step);
            continue;
        }
        cr_assert_leq((uint64_t)ms, (min - before + 999) / 1000, "step %d: %d ms, later than the earliest", step, ms);
        cr_assert_geq((uint64_t)ms, (min - after + 999) / 1000, "step %d: %d ms, before the earliest", step, ms);
    }
    for (int i = 0; i < N; i++)
        act_timer_cancel(&t[i]);
}
