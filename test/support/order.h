/*
 * Objects that log their id, in run order, into a shared log: the dispatch
 * order tests (test_sched.c) and the nested loop tests (test_sched_loop.c)
 * check the order of runs with them.
 */
#ifndef TEST_SUPPORT_ORDER_H
#define TEST_SUPPORT_ORDER_H

#include "fixture.h"

struct order_log {
    int n;
    int ids[64];
};

struct logged {
    fx_obj o;
    int id;
    struct order_log *log;
    struct logged *next;   /* optional: completed from this one's run */
    act_wait *wait;        /* optional: what this one's run starts or stops */
    act_wait *stop_wait;
};

/* Append @id to @log (fails the test when the log is full). */
void log_id(struct order_log *log, int id);
/* Initialise and add @l; its run logs @id until on_run is replaced. */
void logged_init(struct logged *l, int id, int priority, struct order_log *log);
/* The log holds exactly the @n ids of @want, in order. */
void assert_log(const struct order_log *log, const int *want, int n);

#endif
