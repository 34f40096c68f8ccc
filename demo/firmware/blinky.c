/*
 * Firmware demo: blinky with a button and a watchdog, on libactive's
 * Cortex-M port, run under QEMU by `make embedded`.
 *
 *   - a periodic timer toggles a simulated LED (printed via semihosting);
 *   - a "button" interrupt (a real NVIC interrupt, raised by the tick at
 *     350 ms and 720 ms as if the button were pressed) fires a callback
 *     that cancels the blinking and restarts it at another rate;
 *   - a simulated sensor completes its reads from its own interrupt, but
 *     its third read stalls: a watchdog-style timeout cancels that read
 *     (cancel, then exactly one signal) and the reader starts over.
 *
 * After 1.2 s it checks what happened and exits 0, or 1 when something did
 * not happen as it should.
 */
#include <errno.h>

#include <active.h>
#include <active/cortex_m.h>
#include <active/port.h>

#include "board.h"

enum { BUTTON_IRQ = 25, SENSOR_IRQ = 24 };
enum { TICK_HZ = 1000, SENSOR_MS = 90, WATCHDOG_MS = 150, RUN_MS = 1200 };

static volatile uint32_t ms_now; /* milliseconds since start, advanced by the tick */

/* --- the simulated sensor: a provider whose reads complete from its interrupt --- */

struct sensor {
    act_sched *sched;
    act_status *slot;          /* the outstanding read, until the interrupt or a cancel claims it */
    volatile uint32_t due_ms;  /* when the conversion ends; 0 when none is running */
    unsigned reads;
    int32_t celsius;
};

static struct sensor sensor;

/* Issue a read: completes @st with the temperature in Celsius, or -ECANCELED. */
static void sensor_read(struct sensor *s, act_status *st)
{
    act_status_set_pending(st);
    if (s->slot != NULL) {
        act_complete(st, -EBUSY);
        return;
    }
    s->reads++;
    (void)act_port_swap_ptr((void **)&s->slot, st);
    s->due_ms = s->reads == 3 ? 0 : ms_now + SENSOR_MS; /* the third read stalls */
}

/* Withdraw the read; whoever claims the slot completes it, exactly once. */
static void sensor_cancel(struct sensor *s)
{
    act_status *st = act_port_swap_ptr((void **)&s->slot, NULL);

    s->due_ms = 0;
    if (st != NULL)
        act_complete(st, -ECANCELED);
}

/* SENSOR_IRQ: the conversion is done. */
static void sensor_isr(struct sensor *s)
{
    act_status *st = act_port_swap_ptr((void **)&s->slot, NULL);

    if (st != NULL)
        act_complete_remote(s->sched, st, s->celsius++);
}

/* --- the application --- */

static struct {
    act_sched sched;
    act_periodic blink;
    act_callback button;
    act_object reader;     /* reads the sensor again and again */
    act_object watchdog;   /* guards each read */
    act_timer wd_timer;
    act_object stopper;    /* ends the demo */
    act_timer stop_timer;
    bool led;
    unsigned toggles, presses, samples, stalls;
    uint32_t period_ms;
} app;

static void say(const char *what)
{
    uint32_t t = ms_now;

    board_puts("[");
    if (t < 1000)
        board_puts(t < 100 ? (t < 10 ? "   " : "  ") : " ");
    board_put_u32(t);
    board_puts(" ms] ");
    board_puts(what);
}

static int blink_tick(act_periodic *p)
{
    (void)p;
    app.led = !app.led;
    app.toggles++;
    say(app.led ? "LED on\n" : "LED off\n");
    return 0;
}

static int button_pressed(act_callback *cb)
{
    (void)cb;
    app.presses++;
    app.period_ms = app.period_ms == 100 ? 50 : 100;
    act_periodic_stop(&app.blink); /* cancel: no tick of the old rate comes after this */
    (void)act_periodic_start(&app.blink, (uint64_t)app.period_ms * 1000u, (uint64_t)app.period_ms * 1000u);
    say("button: blinking restarted every ");
    board_put_u32(app.period_ms);
    board_puts(" ms\n");
    return 0;
}

static void read_next(void)
{
    sensor_read(&sensor, act_object_status(&app.reader));
    act_set_active(&app.reader);
    act_timer_after(&app.wd_timer, act_object_status(&app.watchdog), WATCHDOG_MS * 1000u);
    act_set_active(&app.watchdog);
}

static int reader_run(act_object *ao)
{
    int result = act_status_result(act_object_status(ao));

    act_cancel(&app.watchdog); /* the read came in time: disarm the watchdog */
    if (result < 0) {
        say("sensor: read failed: ");
        board_puts(act_strerror(result));
        board_puts("\n");
        return 0;
    }
    app.samples++;
    say("sensor: ");
    board_put_u32((uint32_t)result);
    board_puts(" C\n");
    read_next();
    return 0;
}

static void reader_cancel(act_object *ao)
{
    (void)ao;
    sensor_cancel(&sensor);
}

static int watchdog_run(act_object *ao)
{
    (void)ao;
    act_cancel(&app.reader); /* do_cancel, then wait for the read's one signal */
    app.stalls++;
    say("watchdog: sensor read stalled for 150 ms, cancelled (");
    board_puts(act_strerror(act_status_result(act_object_status(&app.reader))));
    board_puts("); reading again\n");
    read_next();
    return 0;
}

static void watchdog_cancel(act_object *ao)
{
    (void)ao;
    act_timer_cancel(&app.wd_timer);
}

static int stopper_run(act_object *ao)
{
    (void)ao;
    act_sched_stop(&app.sched);
    return 0;
}

static void stopper_cancel(act_object *ao)
{
    (void)ao;
    act_timer_cancel(&app.stop_timer);
}

/* The tick: the clock, and the simulated hardware (button presses, the sensor). */
void board_systick(void)
{
    uint32_t t = ms_now + 1;

    act_cm_systick_isr();
    ms_now = t;
    if (t == 350 || t == 720)
        board_irq_pend(BUTTON_IRQ);
    if (sensor.due_ms != 0 && t >= sensor.due_ms) {
        sensor.due_ms = 0;
        board_irq_pend(SENSOR_IRQ);
    }
}

void board_irq(uint32_t irq)
{
    if (irq == BUTTON_IRQ)
        act_callback_fire(&app.button);
    else if (irq == SENSOR_IRQ)
        sensor_isr(&sensor);
}

static void setup(void)
{
    static const act_object_ops reader_ops = { reader_run, reader_cancel, NULL };
    static const act_object_ops watchdog_ops = { watchdog_run, watchdog_cancel, NULL };
    static const act_object_ops stopper_ops = { stopper_run, stopper_cancel, NULL };

    (void)act_sched_init(&app.sched);
    sensor.sched = &app.sched;
    sensor.celsius = 21;
    (void)act_periodic_init(&app.blink, &app.sched, blink_tick, ACT_PRIORITY_STANDARD);
    (void)act_callback_open(&app.button, &app.sched, button_pressed, ACT_PRIORITY_USER_INPUT);
    act_object_init(&app.reader, &reader_ops, ACT_PRIORITY_STANDARD);
    act_sched_add(&app.sched, &app.reader);
    act_object_init(&app.watchdog, &watchdog_ops, ACT_PRIORITY_HIGH);
    act_sched_add(&app.sched, &app.watchdog);
    (void)act_timer_init(&app.wd_timer, &app.sched);
    act_object_init(&app.stopper, &stopper_ops, ACT_PRIORITY_LOW);
    act_sched_add(&app.sched, &app.stopper);
    (void)act_timer_init(&app.stop_timer, &app.sched);
    board_irq_enable(BUTTON_IRQ, 0x80);
    board_irq_enable(SENSOR_IRQ, 0x80);
}

static void teardown(void)
{
    act_periodic_fini(&app.blink);
    act_callback_close(&app.button);
    act_object_deque(&app.reader); /* cancels the read in flight */
    act_object_deque(&app.watchdog);
    act_timer_fini(&app.wd_timer);
    act_object_deque(&app.stopper);
    act_sched_fini(&app.sched);
}

int main(void)
{
    bool ok;

    setup();
    if (act_cm_systick_start(BOARD_CORE_HZ, TICK_HZ) != 0)
        return 2;
    app.period_ms = 100;
    say("blinky: LED every 100 ms, button presses at 350 and 720 ms, the 3rd sensor read stalls\n");
    (void)act_periodic_start(&app.blink, 100000u, 100000u);
    read_next();
    act_timer_after(&app.stop_timer, act_object_status(&app.stopper), RUN_MS * 1000u);
    act_set_active(&app.stopper);
    (void)act_sched_start(&app.sched);
    teardown();
    /* 100 ms to 350, 50 ms to 720, 100 ms to 1200: about 3 + 7 + 4 toggles */
    ok = app.presses == 2 && app.stalls == 1 && app.samples >= 6 && app.toggles >= 12 && app.toggles <= 16;
    say("blinky: ");
    board_put_u32(app.toggles);
    board_puts(" LED toggles, ");
    board_put_u32(app.presses);
    board_puts(" button presses, ");
    board_put_u32(app.samples);
    board_puts(" sensor samples, ");
    board_put_u32(app.stalls);
    board_puts(ok ? " stalled read cancelled: ok\n" : " stalled read cancelled: NOT AS EXPECTED\n");
    return ok ? 0 : 1;
}
