/*
 * The portable contract tests (test/contract/) under Criterion on the host.
 * The same bodies run on Cortex-M targets under QEMU (test/target/runner.c,
 * make embedded); here the "interrupt" is a thread that calls the test's
 * handler in a loop, completing requests with act_complete_remote().
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "contract/tests.c"

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

static struct {
    pthread_t thread;
    atomic_bool stop;
    bool running;
    void (*fn)(void *arg);
    void *arg;
} irq;

static void *irq_main(void *unused)
{
    (void)unused;
    while (!atomic_load(&irq.stop))
        irq.fn(irq.arg);
    return NULL;
}

void ct_irq_start(void (*fn)(void *arg), void *arg)
{
    irq.fn = fn;
    irq.arg = arg;
    atomic_store(&irq.stop, false);
    cr_assert_eq(pthread_create(&irq.thread, NULL, irq_main, NULL), 0);
    irq.running = true;
}

void ct_irq_stop(void)
{
    if (!irq.running)
        return;
    atomic_store(&irq.stop, true);
    pthread_join(irq.thread, NULL);
    irq.running = false;
}

unsigned long ct_race_rounds(void)
{
    return getenv("ACT_TEST_SLOW") != NULL ? 100000ul : 10000ul; /* make test sets it; valgrind does not */
}

#define CT_TEST(name)                                                         \
    Test(contract, name, .init = ct_setup, .fini = ct_teardown)               \
    {                                                                         \
        ct_##name();                                                          \
    }
#include "contract/list.h"
#undef CT_TEST
