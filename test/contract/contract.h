/*
 * Portable contract tests: the same bodies run on the host (under Criterion,
 * test/test_contract.c) and on the target (test/target/runner.c, under
 * QEMU).  The bodies (tests.c, misuse.c, irq.c) and their support
 * (support.c) use only libactive, the assertion shim below and the harness
 * hooks; each harness supplies the hooks.
 *
 * A failed assertion reports through ct_fail() and returns from the test
 * body, so assertions belong in the body itself, not in helpers (helpers
 * return a value the body asserts on).
 */
#ifndef TEST_CONTRACT_H
#define TEST_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include <active.h>

/* --- the assertion shim --- */

#define CT_ASSERT(cond)                                                       \
    do {                                                                      \
        if (!(cond)) {                                                        \
            ct_fail(__FILE__, __LINE__, #cond, 0, 0, false);                  \
            return;                                                           \
        }                                                                     \
    } while (0)

#define CT_ASSERT_EQ(got, want)                                               \
    do {                                                                      \
        long ct_got_ = (long)(got);                                           \
        long ct_want_ = (long)(want);                                         \
        if (ct_got_ != ct_want_) {                                            \
            ct_fail(__FILE__, __LINE__, #got " == " #want, ct_got_, ct_want_, \
                    true);                                                    \
            return;                                                           \
        }                                                                     \
    } while (0)

#define CT_ASSERT_STR(got, want)                                              \
    do {                                                                      \
        if (!ct_streq((got), (want))) {                                       \
            ct_fail(__FILE__, __LINE__, #got " is \"" want "\"", 0, 0, false); \
            return;                                                           \
        }                                                                     \
    } while (0)

/* --- supplied by each harness --- */

/* An assertion failed (or an unexpected panic: @file is "panic").  The host
 * harness ends the test here; the target harness records it and returns. */
void ct_fail(const char *file, int line, const char *what, long got, long want, bool has_values);

/* Print "<label>: <value>" (the race counts). */
void ct_log(const char *label, unsigned long value);

/*
 * Call @fn(@arg) from a fast interrupt-like context until ct_irq_stop():
 * on the target from the SysTick interrupt (every tick), on the host from
 * SIGALRM every 20 usec, handled on the test's own thread.  One source at a
 * time.
 */
void ct_irq_start(void (*fn)(void *arg), void *arg);
void ct_irq_stop(void);

/* How many rounds the interrupt-versus-cancel race runs. */
unsigned long ct_race_rounds(void);

/*
 * The longest a remote completion from the interrupt may wait before the
 * sleeping scheduler runs it, in microseconds, or 0 for no bound (the host,
 * where threads are scheduled by the OS).  On the target, below the tick
 * period: a completion slept through waits for the next tick.
 */
unsigned long ct_wake_bound_usec(void);

/* --- provided by support.c --- */

bool ct_streq(const char *a, const char *b);

/* A fresh scheduler, installed, and a recording panic handler; and back. */
void ct_setup(void);
void ct_teardown(void);

/* Whether the test ended without unexpected panics or leftover objects. */
bool ct_clean(void);

/* The test bodies (tests.c, misuse.c, irq.c), named for the rule they
 * check (list.h). */
#define CT_TEST(name) void ct_##name(void);
#include "list.h"
#undef CT_TEST

#endif
