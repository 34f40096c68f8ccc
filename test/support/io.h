/*
 * Helpers for the I/O suites (test_pipe.c, test_fd.c): an active object that
 * owns one direction of an act_pipe, descriptor counting, and what the
 * scheduler's epoll set holds (read from /proc/self/fdinfo).
 */
#ifndef TEST_SUPPORT_IO_H
#define TEST_SUPPORT_IO_H

#include <limits.h>

#include <active/fd.h>
#include <active/pipe.h>

#include "fixture.h"

/* An object whose do_cancel cancels one direction of @pipe. */
typedef struct io_obj {
    act_object base;
    act_pipe *pipe;
    bool write;                     /* the direction do_cancel cancels */
    int runs;
    int last;                       /* the result run saw */
    int (*on_run)(struct io_obj *o); /* optional, after recording */
    void *user;
} io_obj;

/* Initialise @o for @p's read (@write false) or write direction; add it. */
void io_obj_init(io_obj *o, act_pipe *p, bool write);

/* The same object shape for an act_fd. */
typedef struct io_wait {
    act_object base;
    act_fd *fd;
    int runs;
    int last;
} io_wait;

void io_wait_init(io_wait *o, act_fd *fd);

/* Blocking passes of the fixture's scheduler until *@runs >= @want. */
void io_run_until(const int *runs, int want);

/* Non-blocking passes: @n of them. */
void io_poll(int n);

/* Open descriptors of this process. */
int io_fd_count(void);

/*
 * The events the scheduler's epoll set holds for @fd, as /proc/self/fdinfo
 * shows them, without the EPOLLERR | EPOLLHUP the kernel always adds; 0 when
 * @fd is not in the set.
 */
unsigned io_epoll_events(int fd);

/* Raise RLIMIT_NOFILE to at least @n; false when the hard limit is lower. */
bool io_raise_nofile(long n);

/*
 * A buffer of IO_BIG (INT_MAX + 1) bytes, reserved but never backed (only
 * what is written is touched): the kernel, and valgrind, check the whole
 * length a read is given, and a clamped read is given INT_MAX.  munmap() it
 * with IO_BIG.
 */
#define IO_BIG ((size_t)INT_MAX + 1)
char *io_big_buffer(void);

/* A pty's master (posix_openpt, granted and unlocked: ptsname() names its slave). */
int io_pty_master(void);

#endif
