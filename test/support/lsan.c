/*
 * LeakSanitizer's suppressions for the test binary (SAN=1 builds; unused
 * otherwise).  Criterion's parallel runner (--jobs 2) leaks 48 bytes of its
 * own bookkeeping now and then, allocated under criterion_run_all_tests(),
 * which made `make SAN=1 test` fail with every test passing.  Only that
 * function is named: the tests themselves run in workers whose stacks start
 * in BoxFort's bxfi_main(), never under criterion_run_all_tests(), so a leak
 * in a test or in the library is still reported.  libcriterion has no frame
 * pointers, so the fast unwinder stops inside it and never reaches that
 * frame: allocation stacks are taken with the full unwinder instead (the
 * library allocates nothing; the tests allocate little).
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
    return "leak:criterion_run_all_tests\n";
}
