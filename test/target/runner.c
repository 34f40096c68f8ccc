/*
 * The on-target test runner (no Criterion on the target): runs the portable
 * contract tests (test/contract/) on a Cortex-M under QEMU, prints one line
 * a test in Criterion's format, then Criterion's synthesis line and
 * "N passed, N failed", and exits with the number of failures through
 * semihosting.  The "interrupt" of the contract tests is SysTick, which
 * also drives the clock: 50,000 ticks a second (QEMU runs it with -icount,
 * so interrupts land at reproducible instructions).
 */
#include <errno.h>

#include <active.h>
#include <active/cortex_m.h>

#include "board.h"
#include "contract/contract.h"

/* The size budgets of DESIGN.md, checked for every core the image is built for. */
_Static_assert(sizeof(act_object) <= 24, "act_object must fit 24 bytes on 32-bit");
_Static_assert(sizeof(act_sched) <= 64, "act_sched must fit 64 bytes on 32-bit");
_Static_assert(sizeof(act_status) == 8, "act_status is two words");
_Static_assert(sizeof(act_timer) <= 32, "act_timer: a heap node, a deadline, two pointers");

#define TICK_HZ 50000u

#ifndef RACE_ROUNDS
#define RACE_ROUNDS 100000ul
#endif

static struct {
    void (*volatile fn)(void *arg);
    void *volatile arg;
} irq;

static int failures; /* ct_fail() calls in the running test */

void board_systick(void)
{
    void (*fn)(void *) = irq.fn;

    act_cm_systick_isr();
    if (fn != NULL)
        fn(irq.arg);
}

void ct_irq_start(void (*fn)(void *arg), void *arg)
{
    irq.arg = arg;
    irq.fn = fn; /* last: the interrupt reads fn first */
}

void ct_irq_stop(void)
{
    irq.fn = NULL; /* a handler in flight has finished: it preempts, never interleaves */
}

unsigned long ct_race_rounds(void)
{
    return RACE_ROUNDS;
}

/* Half a tick: a completion slept through waits a whole one. */
unsigned long ct_wake_bound_usec(void)
{
    return 1000000u / TICK_HZ / 2u;
}

static void put_long(long v)
{
    if (v < 0) {
        board_puts("-");
        board_put_u32((uint32_t)-v);
    } else {
        board_put_u32((uint32_t)v);
    }
}

void ct_fail(const char *file, int line, const char *what, long got, long want, bool has_values)
{
    failures++;
    board_puts("[----] ");
    if (line == 0) {
        board_puts("unexpected panic ");
        board_puts(file);
        board_puts(": ");
        board_puts(what);
    } else {
        board_puts(file);
        board_puts(":");
        board_put_u32((uint32_t)line);
        board_puts(": Assertion Failed: ");
        board_puts(what);
        if (has_values) {
            board_puts(": got ");
            put_long(got);
            board_puts(", want ");
            put_long(want);
        }
    }
    board_puts("\n");
}

void ct_log(const char *label, unsigned long value)
{
    board_puts("[----] ");
    board_puts(label);
    board_puts(": ");
    board_put_u32((uint32_t)value);
    board_puts("\n");
}

/*
 * The port's own tests (src/port/cortex-m/port.c), target only.  Each
 * reprograms SysTick and restores the runner's rate before it asserts.
 */
#define SYST_RVR (*(volatile uint32_t *)0xe000e014u)

/*
 * cortex_m.h: "The clock never runs ahead of real time, so a timer never
 * fires early."  A tick counts 1000000 / tick_hz usec, so SysTick must not
 * wrap sooner than that: (reload + 1) / core_hz >= 1 / tick_hz.  An
 * STM32L0 out of reset runs at 2,097,152 Hz (MSI); at 1000 ticks a second
 * the tick must be 2098 counts or more (or the rates refused).
 */
static void port_systick_tick_is_never_shorter_than_the_usec_it_counts(void)
{
    const uint32_t core_hz = 2097152u, tick_hz = 1000u;
    int rc = act_cm_systick_start(core_hz, tick_hz);
    uint64_t counts = (uint64_t)SYST_RVR + 1u;

    (void)act_cm_systick_start(BOARD_CORE_HZ, TICK_HZ);
    if (rc == 0) /* else refused: fine too */
        CT_ASSERT(counts * tick_hz >= core_hz); /* 2097 * 1000 < 2097152: 73 ppm fast */
}

/*
 * core_hz == tick_hz gives a reload of 0, which stops SysTick (ARMv6-M and
 * ARMv7-M: "a start value of 0 ... has no effect"): no tick ever comes and
 * the clock never advances.  cortex_m.h: "Return: 0, or -EINVAL when the
 * rates do not fit SysTick."
 */
static void port_systick_start_refuses_a_tick_of_one_count(void)
{
    int rc = act_cm_systick_start(1000000u, 1000000u);

    (void)act_cm_systick_start(BOARD_CORE_HZ, TICK_HZ);
    CT_ASSERT_EQ(rc, -EINVAL);
}

/*
 * A SysTick left pending by what ran before (a bootloader that used SysTick
 * and jumped here with interrupts masked) is no tick of the new clock.
 * Counting it puts the clock a whole tick ahead of real time: a timer fires
 * up to a tick early.  A coarse tick (16 Hz: 62,500 usec) makes the jump plain.
 */
#define SCB_ICSR (*(volatile uint32_t *)0xe000ed04u)

static void port_systick_start_counts_no_tick_left_pending_before_it(void)
{
    uint64_t before, after;
    uint32_t primask;

    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    before = act_now_usec();
    SCB_ICSR = 1u << 26; /* PENDSTSET: the old SysTick's tick, not yet taken */
    (void)act_cm_systick_start(BOARD_CORE_HZ, 16u);
    __asm__ volatile("msr primask, %0" : : "r"(primask) : "memory");
    after = act_now_usec(); /* a few hundred instructions later */
    (void)act_cm_systick_start(BOARD_CORE_HZ, TICK_HZ);
    ct_log("clock advance across a restart with a stale pending tick, usec", (unsigned long)(after - before));
    CT_ASSERT(after - before < 1000u); /* real time: a few usec; got a tick of 62,500 */
}

static const struct {
    const char *name;
    void (*body)(void);
} tests[] = {
#define CT_TEST(name) { #name, ct_##name },
#include "contract/list.h"
#undef CT_TEST
    { "port_systick_tick_is_never_shorter_than_the_usec_it_counts",
      port_systick_tick_is_never_shorter_than_the_usec_it_counts },
    { "port_systick_start_refuses_a_tick_of_one_count", port_systick_start_refuses_a_tick_of_one_count },
    { "port_systick_start_counts_no_tick_left_pending_before_it",
      port_systick_start_counts_no_tick_left_pending_before_it },
};

int main(void)
{
    unsigned passed = 0, failed = 0;
    const unsigned n = (unsigned)(sizeof tests / sizeof tests[0]);

    if (act_cm_systick_start(BOARD_CORE_HZ, TICK_HZ) != 0) {
        board_puts("runner: SysTick cannot run at the tick rate\n");
        return 2;
    }
    board_puts("[====] Running ");
    board_put_u32(n);
    board_puts(" tests from contract:\n");
    for (unsigned i = 0; i < n; i++) {
        failures = 0;
        ct_setup();
        tests[i].body();
        if (!ct_clean() && failures == 0)
            ct_fail(__FILE__, __LINE__, "the test left active objects", 0, 0, false);
        ct_teardown();
        board_puts(failures == 0 ? "[PASS] contract::" : "[FAIL] contract::");
        board_puts(tests[i].name);
        board_puts("\n");
        if (failures == 0)
            passed++;
        else
            failed++;
    }
    board_puts("[====] Synthesis: Tested: ");
    board_put_u32(n);
    board_puts(" | Passing: ");
    board_put_u32(passed);
    board_puts(" | Failing: ");
    board_put_u32(failed);
    board_puts(" | Crashing: 0\n");
    board_put_u32(passed);
    board_puts(" passed, ");
    board_put_u32(failed);
    board_puts(" failed\n");
    return failed == 0 ? 0 : 1;
}
