/*
 * What the contract tests share (support.h): the per-test state, the setup
 * and teardown with their panic handler, and the test object.  The contract
 * (this file, tests.c, misuse.c and irq.c) is shared by the host, where
 * test/test_contract.c includes every file, and the target, where
 * test/target/runner.c links them.  Portable C11 on libactive alone: no
 * libc beyond <errno.h>, no stdio.
 *
 * Each test runs between ct_setup() and ct_teardown(), which give it a
 * fresh scheduler and a panic handler that records the panics the test
 * expects (ct.expect) and fails on any other.
 */
#include <errno.h>

#include <active.h>

#include "support.h"

struct ct_state ct;

bool ct_streq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void ct_panic(const char *rule, const char *detail, void *arg)
{
    (void)arg;
    if (ct.expect != NULL && ct_streq(rule, ct.expect)) {
        ct.panics++;
        return;
    }
    ct.unexpected++;
    ct_fail(rule, 0, detail, 0, 0, false);
}

void ct_setup(void)
{
    ct.expect = NULL;
    ct.panics = 0;
    ct.unexpected = 0;
    ct.log[0] = '\0';
    ct.nlog = 0;
    act_set_panic_handler(ct_panic, NULL);
    if (act_sched_init(&ct.sched) != 0)
        ct_fail(__FILE__, __LINE__, "act_sched_init failed", 0, 0, false);
    act_sched_install(&ct.sched);
}

bool ct_clean(void)
{
    return ct.unexpected == 0 && ct.sched.nactive == 0;
}

void ct_teardown(void)
{
    ct_irq_stop();
    if (ct.sched.nactive == 0)
        act_sched_fini(&ct.sched);
    act_sched_install(NULL);
    act_set_panic_handler(NULL, NULL);
}

void ct_log_tag(char tag)
{
    if (tag != '\0' && ct.nlog < sizeof ct.log - 1) {
        ct.log[ct.nlog++] = tag;
        ct.log[ct.nlog] = '\0';
    }
}

static int obj_run(act_object *ao)
{
    ct_obj *o = ACT_CONTAINER_OF(ao, ct_obj, base);

    o->runs++;
    o->result = act_status_result(act_object_status(ao));
    o->ran_at = act_now_usec();
    ct_log_tag(o->tag);
    return o->on_run != NULL ? o->on_run(o) : 0;
}

static void obj_cancel(act_object *ao)
{
    ct_obj *o = ACT_CONTAINER_OF(ao, ct_obj, base);

    if (o->timed)
        act_timer_cancel(&o->timer);
    else
        act_complete(act_object_status(ao), -ECANCELED);
}

void ct_obj_init(ct_obj *o, char tag, int priority)
{
    static const act_object_ops ops = { obj_run, obj_cancel, NULL };

    act_object_init(&o->base, &ops, priority);
    act_sched_add(&ct.sched, &o->base);
    (void)act_timer_init(&o->timer, &ct.sched);
    o->tag = tag;
    o->timed = false;
    o->runs = 0;
    o->result = 0;
    o->ran_at = 0;
    o->on_run = NULL;
    o->user = NULL;
}

void ct_obj_complete_now(ct_obj *o, int result)
{
    act_status *st = act_object_status(&o->base);

    act_status_set_pending(st);
    act_set_active(&o->base);
    act_complete(st, result);
}

void ct_obj_after(ct_obj *o, uint64_t usec)
{
    o->timed = true;
    act_timer_after(&o->timer, act_object_status(&o->base), usec);
    act_set_active(&o->base);
}

void ct_obj_fini(ct_obj *o)
{
    act_object_deque(&o->base);
    act_timer_fini(&o->timer);
}

int ct_run_passes(int n)
{
    int ran = 0;

    while (n-- > 0) {
        int rc = act_sched_run_once(&ct.sched, ACT_RUN_NOWAIT);
        if (rc <= 0)
            break;
        ran += rc;
    }
    return ran;
}

int ct_stop_run(ct_obj *o)
{
    (void)o;
    act_sched_stop(&ct.sched);
    return 0;
}
