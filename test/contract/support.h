/*
 * What the contract test files share (support.c): the per-test state, the
 * test object and the helpers that drive the scheduler.  They have external
 * linkage because the target compiles each file on its own, and a ct_ prefix
 * so that they cannot clash with anything else in the host's test binary.
 * Helpers only one file needs stay static in that file.  Like every helper
 * here, they assert nothing (contract.h): they return what the test bodies
 * assert on.
 */
#ifndef TEST_CONTRACT_SUPPORT_H
#define TEST_CONTRACT_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <active.h>

#include "contract.h"

/* Per-test state, reset by ct_setup(): the target runs every test in one
 * process, so nothing may carry over from one test to the next. */
struct ct_state {
    act_sched sched;
    const char *expect; /* the panic rule this test provokes, or NULL */
    int panics;         /* expected panics seen */
    int unexpected;     /* other panics seen */
    char log[32];       /* one tag a run, in dispatch order */
    unsigned nlog;
};

extern struct ct_state ct;

/* Append @tag to ct.log; tag '\0' logs nothing (the stopper of tests.c's
 * run_for()). */
void ct_log_tag(char tag);

/*
 * A test object: its run logs its tag and records the result; its request
 * is either completed by the test itself or a timer's.
 */
typedef struct ct_obj {
    act_object base;
    act_timer timer;
    char tag;
    bool timed;                       /* the request is the timer's */
    int runs;
    int result;                       /* of the last run */
    uint64_t ran_at;                  /* act_now_usec() at the last run */
    int (*on_run)(struct ct_obj *o);  /* optional, after logging */
    void *user;
} ct_obj;

/* Initialise @o and add it to ct.sched, with its timer. */
void ct_obj_init(ct_obj *o, char tag, int priority);

/* Issue a request that completes inside the issuing call, then activate. */
void ct_obj_complete_now(ct_obj *o, int result);

/* Issue a request that @o's timer completes in @usec, then activate. */
void ct_obj_after(ct_obj *o, uint64_t usec);

/* Take @o off the scheduler and finish its timer. */
void ct_obj_fini(ct_obj *o);

/* Up to @n passes that never sleep; the number of runs made. */
int ct_run_passes(int n);

/* An on_run that stops ct.sched (its innermost level). */
int ct_stop_run(ct_obj *o);

#endif
