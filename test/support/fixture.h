/*
 * The shared test fixture: every test gets a fresh scheduler installed on its
 * thread and a recording panic handler.  A panic the test did not expect
 * fails the test at once; a test that provokes misuse calls
 * fx_expect_panic(rule) first and checks fx_panics() afterwards.
 *
 *   TestSuite(timer, .init = fx_setup, .fini = fx_teardown);
 */
#ifndef TEST_SUPPORT_FIXTURE_H
#define TEST_SUPPORT_FIXTURE_H

#include <pthread.h>

#include <active.h>
#include <criterion/criterion.h>

/* The scheduler of the running test. */
act_sched *fx_sched(void);

void fx_setup(void);
void fx_teardown(void);

/* The next panics with @rule are expected: recorded, not failed. */
void fx_expect_panic(const char *rule);
/* How many expected panics were recorded, and the last one's detail. */
int fx_panics(void);
const char *fx_last_detail(void);

/* Run the scheduler for @usec (a lowest-priority timer object stops it). */
void fx_run_for(uint64_t usec);

/*
 * Full-size stress tests run when ACT_TEST_SLOW is set (make test does);
 * valgrind runs them smaller.  Returns @full or @small accordingly.
 */
long fx_size(long full, long small);

/* A simple object whose run counts calls and records the result. */
typedef struct fx_obj {
    act_object base;
    int runs;
    int last_result;
    int cancels;             /* do_cancel calls */
    int (*on_run)(struct fx_obj *o);  /* optional, after recording */
    void *user;
    act_timer *timer;        /* optional: do_cancel cancels this timer */
} fx_obj;

/* A fixed-seed xorshift generator: a random workload is the same on every run. */
uint64_t fx_random(uint64_t *state);

/* Initialise and add @o to the fixture's scheduler. */
void fx_obj_init(fx_obj *o, int priority);
/* Issue a request the test completes itself later, and set active. */
void fx_obj_issue(fx_obj *o);
/* Issue a self-completing request (completed now, locally) and set active. */
void fx_obj_complete_now(fx_obj *o, int result);
/* Arm @t (which do_cancel will cancel) for @usec on @o's status, set active. */
void fx_obj_after(fx_obj *o, act_timer *t, uint64_t usec);
/* The same for the absolute @deadline (act_now_usec() clock). */
void fx_obj_at(fx_obj *o, act_timer *t, uint64_t deadline);

/*
 * A remote completion: another thread calls act_complete_remote(fx_sched(),
 * @st, @result) after sleeping @usec (0: at once).  fx_remote_start()
 * returns with that thread running, fx_remote_join() waits for it;
 * fx_complete_remote() does both, so the completion has been pushed (or
 * noted as a stray) when it returns.
 */
typedef struct fx_remote {
    act_status *status;
    int result;
    uint64_t usec;
    pthread_t thread;
} fx_remote;

void fx_remote_start(fx_remote *r, act_status *st, int result, uint64_t usec);
void fx_remote_join(fx_remote *r);
void fx_complete_remote(act_status *st, int result);

#endif
