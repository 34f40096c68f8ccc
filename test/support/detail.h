/*
 * The panic tests check that a panic's detail names the object it is
 * about: test_panic.c, test_panic_status.c and test_panic_loop.c.
 */
#ifndef TEST_SUPPORT_DETAIL_H
#define TEST_SUPPORT_DETAIL_H

/* The detail names @p the way the core prints pointers: 0x and lower-case hex. */
void assert_detail_names(const void *p);

#endif
