/*
 * The footprint program: the smallest firmware that uses what every
 * libactive program uses, so that `make embedded` can say what the core and
 * the one-shot timer cost when linked (the size table's "minimal image").
 *
 * One object waits on a timer and runs; a second request on it is cancelled
 * (cancel, then the one signal); an interrupt completes a third remotely;
 * then the loop stops and the scheduler is finished.  No nested waits, no
 * foreign-loop calls (act_sched_run_once, act_sched_fd, act_sched_timeout),
 * no act_strerror, no periodic/idle/callback helpers: a program that uses
 * them links them too.  Exits 0 when every step saw what it should.
 */
#include <active.h>

#include "board.h"

enum { IRQ = 0 };

static act_sched sched;
static act_timer timer;

struct step {
    act_object ao;
    int runs;
    int last;
};

static struct step obj;

static int step_run(act_object *ao)
{
    struct step *st = ACT_CONTAINER_OF(ao, struct step, ao);

    st->runs++;
    st->last = act_status_result(act_object_status(ao));
    act_sched_stop(&sched);
    return 0;
}

static void step_cancel(act_object *ao)
{
    (void)ao;
    act_timer_cancel(&timer);
}

static const act_object_ops step_ops = { step_run, step_cancel, NULL };

/* The interrupt completes the object's request from "elsewhere". */
void board_irq(uint32_t irq)
{
    (void)irq;
    act_complete_remote(&sched, act_object_status(&obj.ao), 42);
}

int main(void)
{
    if (act_cm_systick_start(BOARD_CORE_HZ, 1000u) != 0 || act_sched_init(&sched) != 0)
        return 2;
    act_object_init(&obj.ao, &step_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&sched, &obj.ao);
    act_timer_init(&timer, &sched);

    /* a timer fires and run sees its result */
    act_timer_after(&timer, act_object_status(&obj.ao), 1000);
    act_set_active(&obj.ao);
    act_sched_start(&sched);
    if (obj.runs != 1 || obj.last != 0)
        return 1;

    /* cancel: the one signal is consumed, run is not called */
    act_timer_after(&timer, act_object_status(&obj.ao), 1000000);
    act_set_active(&obj.ao);
    act_cancel(&obj.ao);
    if (obj.runs != 1 || act_status_result(act_object_status(&obj.ao)) >= 0)
        return 1;

    /* an interrupt completes a request remotely */
    act_status_set_pending(act_object_status(&obj.ao));
    act_set_active(&obj.ao);
    board_irq_enable(IRQ, 0x80);
    board_irq_pend(IRQ);
    act_sched_start(&sched);
    if (obj.runs != 2 || obj.last != 42)
        return 1;

    act_timer_fini(&timer);
    act_object_deque(&obj.ao);
    act_sched_fini(&sched);
    board_puts("footprint: ok\n");
    return 0;
}
