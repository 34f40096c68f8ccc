/*
 * The portable contract tests (test/contract/) under Criterion on the host.
 * The same bodies run on Cortex-M targets under QEMU (test/target/runner.c,
 * make embedded); here the "interrupt" is a timer signal (below).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

/* The contract as one translation unit (the target compiles each file). */
#include "contract/support.c"
#include "contract/tests.c"
#include "contract/misuse.c"
#include "contract/irq.c"

void ct_fail(const char *file, int line, const char *what, long got, long want, bool has_values)
{
    if (line == 0)
        cr_assert_fail("unexpected panic %s: %s", file, what);
    else if (has_values)
        cr_assert_fail("%s:%d: %s: got %ld, want %ld", file, line, what, got, want);
    else
        cr_assert_fail("%s:%d: %s", file, line, what);
}

void ct_log(const char *label, unsigned long value)
{
    cr_log_info("%s: %lu", label, value);
}

/*
 * The "interrupt": SIGALRM from an interval timer, every 20 usec, handled on
 * the test's own thread, so it preempts the main loop at any instruction
 * whatever the load of the machine, as an interrupt does on the target.
 * What it calls must be async-signal-safe: act_complete_remote() and the
 * port's atomics are.
 */
static struct {
    void (*volatile fn)(void *arg);
    void *volatile arg;
    bool armed;
} irq;

static void on_alarm(int sig)
{
    void (*fn)(void *) = irq.fn;
    int saved = errno;

    (void)sig;
    if (fn != NULL)
        fn(irq.arg);
    errno = saved;
}

static void set_interval(long usec)
{
    struct itimerval it = { { 0, usec }, { 0, usec } };

    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

void ct_irq_start(void (*fn)(void *arg), void *arg)
{
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

    irq.arg = arg;
    irq.fn = fn;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
    set_interval(20);
    irq.armed = true;
}

void ct_irq_stop(void)
{
    struct sigaction ignore = { .sa_handler = SIG_IGN };

    if (!irq.armed)
        return;
    irq.fn = NULL;
    set_interval(0);
    sigemptyset(&ignore.sa_mask);
    (void)sigaction(SIGALRM, &ignore, NULL); /* drops one still pending */
    irq.armed = false;
}

unsigned long ct_race_rounds(void)
{
    return getenv("ACT_TEST_SLOW") != NULL ? 100000ul : 10000ul; /* make test sets it; valgrind does not */
}

unsigned long ct_wake_bound_usec(void)
{
    return 0; /* the OS delivers the signal when it can: no bound to hold */
}

#define CT_TEST(name)                                                         \
    Test(contract, name, .init = ct_setup, .fini = ct_teardown)               \
    {                                                                         \
        ct_##name();                                                          \
    }
#include "contract/list.h"
#undef CT_TEST
