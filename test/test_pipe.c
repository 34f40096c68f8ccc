/*
 * act_pipe requests: where they complete, EOF, read_full, writes to a full
 * pipe, EPIPE without SIGPIPE, -EBUSY, per-direction cancel, late data.
 * Opening, closing, bad input and leaks are in test_pipe_open.c; the stress
 * tests (the cancel race, EINTR, 64 MiB, 1,000 pipes) in test_pipe_stress.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/io.h"

TestSuite(pipe, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static void pair(act_pipe *rd, act_pipe *wr)
{
    cr_assert_eq(act_pipe_pair(rd, wr, fx_sched()), 0);
}

static void put(act_pipe *wr, const void *buf, size_t len)
{
    cr_assert_eq(write(act_pipe_fd(wr), buf, len), (ssize_t)len);
}

/* Issue @o's request (already made by the caller) and check it pends. */
static void activate_pending(io_obj *o)
{
    cr_assert(act_status_pending(act_object_status(&o->base)));
    act_set_active(&o->base);
}

Test(pipe, read_never_completes_inside_the_call_even_with_bytes_waiting)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[16];

    pair(&rd, &wr);
    put(&wr, "hello", 5);
    io_obj_init(&r, &rd, false);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 5);
    cr_assert_eq(memcmp(buf, "hello", 5), 0);
    cr_assert_eq(act_pipe_received(&rd), 5);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, read_with_a_bare_status_completes_through_wait_for_request)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char buf[8];

    pair(&rd, &wr);
    act_pipe_read(&rd, buf, sizeof buf, &st);
    cr_assert(act_status_pending(&st));
    put(&wr, "abc", 3);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 3);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, read_completes_with_zero_at_eof_when_the_writer_closes)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[8];

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    io_poll(2);
    cr_assert_eq(r.runs, 0);
    act_pipe_close(&wr);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 0);
    act_pipe_close(&rd);
}

Test(pipe, read_full_completes_only_when_every_byte_has_arrived)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[10];

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read_full(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    put(&wr, "0123", 4);
    io_poll(3);
    cr_assert_eq(r.runs, 0);
    cr_assert_eq(act_pipe_received(&rd), 4);
    put(&wr, "456789", 6);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 10);
    cr_assert_eq(memcmp(buf, "0123456789", 10), 0);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, read_full_completes_with_the_shorter_count_at_eof)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[10];

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read_full(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    put(&wr, "0123", 4);
    act_pipe_close(&wr);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(buf, "0123", 4), 0);
    act_pipe_close(&rd);
}

Test(pipe, write_that_fits_completes_inside_the_call)
{
    act_pipe rd, wr;
    io_obj w;
    char buf[8];

    pair(&rd, &wr);
    io_obj_init(&w, &wr, true);
    act_pipe_write(&wr, "abc", 3, act_object_status(&w.base));
    cr_assert_eq(act_status_result(act_object_status(&w.base)), 3);
    cr_assert_eq(w.runs, 0, "run is never called from inside the issuing call");
    act_set_active(&w.base);
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, 3);
    cr_assert_eq(act_pipe_written(&wr), 3);
    cr_assert_eq(read(act_pipe_fd(&rd), buf, sizeof buf), 3);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, zero_length_read_full_and_write_complete_with_zero_inside_the_call)
{
    act_pipe rd, wr;
    act_status a = ACT_STATUS_INIT, b = ACT_STATUS_INIT;
    char buf[1];

    pair(&rd, &wr);
    act_pipe_read_full(&rd, buf, 0, &a);
    act_pipe_write(&wr, buf, 0, &b);
    cr_assert_eq(act_status_result(&a), 0);
    cr_assert_eq(act_status_result(&b), 0);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

/* A writer far ahead of a reader that takes small bites and sleeps. */
Test(pipe, write_into_a_full_pipe_completes_after_a_slow_reader_drains_it)
{
    enum { TOTAL = 1 << 20, BITE = 4096 };
    act_pipe rd, wr;
    io_obj w;
    unsigned char *src = malloc(TOTAL), buf[BITE];
    size_t got = 0;

    for (size_t i = 0; i < TOTAL; i++)
        src[i] = (unsigned char)(i * 7 + i / 251);
    pair(&rd, &wr);
    io_obj_init(&w, &wr, true);
    act_pipe_write(&wr, src, TOTAL, act_object_status(&w.base));
    activate_pending(&w);
    cr_assert_gt(act_pipe_written(&wr), 0);
    cr_assert_lt(act_pipe_written(&wr), TOTAL);
    for (int bites = 0; got < TOTAL; bites++) {
        act_status st = ACT_STATUS_INIT;

        act_pipe_read(&rd, buf, BITE, &st);
        act_wait_for_request(&st);
        cr_assert_gt(act_status_result(&st), 0);
        cr_assert_eq(memcmp(buf, src + got, (size_t)act_status_result(&st)), 0);
        got += (size_t)act_status_result(&st);
        if (bites % 32 == 0)
            usleep(1000);
    }
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, TOTAL);
    cr_assert_eq(act_pipe_written(&wr), TOTAL);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    free(src);
}

static bool sigpipe_blocked(void)
{
    sigset_t cur;

    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, SIGPIPE) == 1;
}

static bool sigpipe_pending(void)
{
    sigset_t set;

    sigpending(&set);
    return sigismember(&set, SIGPIPE) == 1;
}

Test(pipe, write_after_the_reader_closed_completes_epipe_without_sigpipe)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;

    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would kill this test */
    pair(&rd, &wr);
    act_pipe_close(&rd);
    act_pipe_write(&wr, "abc", 3, &st);
    cr_assert_eq(act_status_result(&st), -EPIPE);
    cr_assert_not(sigpipe_pending());
    act_pipe_close(&wr);
}

Test(pipe, pending_write_completes_epipe_when_the_reader_goes)
{
    enum { TOTAL = 1 << 20 };
    act_pipe rd, wr;
    io_obj w;
    char *src = calloc(1, TOTAL);

    signal(SIGPIPE, SIG_DFL);
    pair(&rd, &wr);
    io_obj_init(&w, &wr, true);
    act_pipe_write(&wr, src, TOTAL, act_object_status(&w.base));
    activate_pending(&w);
    act_pipe_close(&rd);
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, -EPIPE);
    cr_assert_gt(act_pipe_written(&wr), 0);
    cr_assert_lt(act_pipe_written(&wr), TOTAL);
    cr_assert_not(sigpipe_pending());
    act_pipe_close(&wr);
    free(src);
}

Test(pipe, sigpipe_block_lasts_while_a_writable_pipe_is_open_and_is_then_restored)
{
    act_pipe rd, wr, rd2, wr2;

    cr_assert_not(sigpipe_blocked());
    pair(&rd, &wr);
    pair(&rd2, &wr2);
    cr_assert(sigpipe_blocked());
    act_pipe_close(&wr);
    cr_assert(sigpipe_blocked(), "another writable pipe is still open");
    act_pipe_close(&wr2);
    cr_assert_not(sigpipe_blocked());
    act_pipe_close(&rd);
    act_pipe_close(&rd2);
}

Test(pipe, sigpipe_block_the_thread_had_before_the_first_pipe_survives_the_last_close)
{
    act_pipe rd, wr;
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pair(&rd, &wr);
    act_pipe_close(&wr);
    act_pipe_close(&rd);
    cr_assert(sigpipe_blocked(), "the thread's own block is not the library's to lift");
}

/* Only an EPIPE takes a SIGPIPE back: a write that waits leaves the thread's own. */
Test(pipe, write_that_waits_on_a_full_pipe_leaves_a_pending_sigpipe_alone)
{
    act_pipe rd, wr;
    act_status st = ACT_STATUS_INIT;
    char chunk[4096] = { 0 };

    signal(SIGPIPE, SIG_IGN); /* the pending one is discarded when the last close unblocks it */
    pair(&rd, &wr);
    while (write(act_pipe_fd(&wr), chunk, sizeof chunk) > 0)
        continue;
    cr_assert_eq(errno, EAGAIN);
    cr_assert_eq(pthread_kill(pthread_self(), SIGPIPE), 0); /* blocked while wr is open: pending */
    act_pipe_write(&wr, "abc", 3, &st);
    cr_assert(act_status_pending(&st));
    cr_assert(sigpipe_pending(), "the EAGAIN of a full pipe must not consume the thread's SIGPIPE");
    act_pipe_close(&wr);
    act_pipe_close(&rd);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), -ECANCELED);
}

Test(pipe, socket_write_to_a_closed_peer_completes_epipe_without_touching_the_mask)
{
    int sv[2];
    act_pipe p;
    act_status st = ACT_STATUS_INIT;

    signal(SIGPIPE, SIG_DFL);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), sv[0]), 0);
    cr_assert_not(sigpipe_blocked(), "sockets use MSG_NOSIGNAL");
    close(sv[1]);
    act_pipe_write(&p, "abc", 3, &st);
    cr_assert_eq(act_status_result(&st), -EPIPE);
    act_pipe_close(&p);
}

Test(pipe, second_read_completes_ebusy_inside_the_call_and_the_first_is_untouched)
{
    act_pipe rd, wr;
    io_obj r;
    act_status second = ACT_STATUS_INIT;
    char buf[8], other[8] = "xxxxxxx";

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    act_pipe_read(&rd, other, sizeof other, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    put(&wr, "data", 4);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(buf, "data", 4), 0);
    cr_assert_str_eq(other, "xxxxxxx");
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, second_write_completes_ebusy_inside_the_call_and_the_first_is_untouched)
{
    enum { TOTAL = 1 << 20 };
    act_pipe rd, wr;
    io_obj w, r;
    act_status second = ACT_STATUS_INIT;
    char *src = calloc(1, TOTAL), *dst = malloc(TOTAL);
    size_t before;

    pair(&rd, &wr);
    io_obj_init(&w, &wr, true);
    act_pipe_write(&wr, src, TOTAL, act_object_status(&w.base));
    activate_pending(&w);
    before = act_pipe_written(&wr);
    act_pipe_write(&wr, "x", 1, &second);
    cr_assert_eq(act_status_result(&second), -EBUSY);
    cr_assert_eq(act_pipe_written(&wr), before);
    io_obj_init(&r, &rd, false);
    act_pipe_read_full(&rd, dst, TOTAL, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    io_run_until(&w.runs, 1);
    cr_assert_eq(w.last, TOTAL);
    cr_assert_eq(r.last, TOTAL);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    free(src);
    free(dst);
}

/* One socketpair end carries both directions: cancel one, the other goes on. */
Test(pipe, cancel_read_completes_ecanceled_and_leaves_the_write_alone)
{
    enum { TOTAL = 8 << 20 };
    int sv[2];
    act_pipe p;
    io_obj r, w;
    char buf[8], *src = calloc(1, TOTAL), *sink = malloc(TOTAL);
    size_t drained = 0;

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cr_assert_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), sv[0]), 0);
    io_obj_init(&r, &p, false);
    io_obj_init(&w, &p, true);
    act_pipe_read(&p, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    act_pipe_write(&p, src, TOTAL, act_object_status(&w.base));
    activate_pending(&w);
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), -ECANCELED);
    cr_assert_eq(r.runs, 0);
    cr_assert(act_status_pending(act_object_status(&w.base)));
    while (w.runs == 0) {
        ssize_t n = read(sv[1], sink, TOTAL);
        if (n > 0)
            drained += (size_t)n;
        io_poll(1);
    }
    cr_assert_eq(w.last, TOTAL);
    while (drained < TOTAL) {
        ssize_t n = read(sv[1], sink, TOTAL);
        cr_assert_gt(n, 0, "every byte is queued once the write completed");
        drained += (size_t)n;
    }
    cr_assert_eq(write(sv[1], "late", 4), 4);
    act_pipe_read(&p, buf, sizeof buf, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 4);
    act_pipe_close(&p);
    close(sv[1]);
    free(src);
    free(sink);
}

Test(pipe, cancelled_write_reports_the_bytes_that_went_out_and_sends_no_more)
{
    enum { TOTAL = 1 << 20 };
    act_pipe rd, wr;
    io_obj w, r;
    char *src = calloc(1, TOTAL), *dst = malloc(TOTAL);
    size_t sent;

    pair(&rd, &wr);
    io_obj_init(&w, &wr, true);
    act_pipe_write(&wr, src, TOTAL, act_object_status(&w.base));
    activate_pending(&w);
    act_cancel(&w.base);
    cr_assert_eq(act_status_result(act_object_status(&w.base)), -ECANCELED);
    sent = act_pipe_written(&wr);
    cr_assert_gt(sent, 0);
    cr_assert_lt(sent, TOTAL);
    io_poll(3);
    act_pipe_close(&wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read_full(&rd, dst, TOTAL, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq((size_t)r.last, sent, "exactly the bytes written before the cancel");
    act_pipe_close(&rd);
    free(src);
    free(dst);
}

Test(pipe, cancel_after_the_read_completed_keeps_its_count_and_never_runs)
{
    act_pipe rd, wr, rd2, wr2;
    io_obj r;
    act_status other = ACT_STATUS_INIT;
    char buf[8], buf2[8];

    pair(&rd, &wr);
    pair(&rd2, &wr2);
    io_obj_init(&r, &rd, false);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    act_pipe_read(&rd2, buf2, sizeof buf2, &other);
    put(&wr, "abc", 3);
    put(&wr2, "z", 1);
    /* runs providers, no run: both pipes are ready in the same poll */
    act_wait_for_request(&other);
    cr_assert_not(act_status_pending(act_object_status(&r.base)));
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), 3);
    cr_assert_eq(r.runs, 0);
    cr_assert_eq(memcmp(buf, "abc", 3), 0);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
    act_pipe_close(&rd2);
    act_pipe_close(&wr2);
}

/* Issue a read into @buf, let the scheduler find nothing, cancel it. */
static void read_then_cancel(act_pipe *rd, io_obj *r, void *buf, size_t len)
{
    act_pipe_read(rd, buf, len, act_object_status(&r->base));
    activate_pending(r);
    io_poll(2);
    act_cancel(&r->base);
    cr_assert_eq(act_status_result(act_object_status(&r->base)), -ECANCELED);
    cr_assert_eq(r->runs, 0);
}

/* Write @n bytes of a known sequence, run the scheduler, read them back. */
static void late_bytes_reach_the_next_read(act_pipe *rd, act_pipe *wr, io_obj *r, int n)
{
    unsigned char late[256], next[512];

    for (int i = 0; i < n; i++)
        late[i] = (unsigned char)(255 - i);
    put(wr, late, (size_t)n);
    io_poll(4); /* passes that find the bytes with no read: the direction is dropped */
    cr_assert_eq(io_epoll_events(act_pipe_fd(rd)), 0, "the idle read direction left the set");
    act_pipe_read(rd, next, sizeof next, act_object_status(&r->base));
    act_set_active(&r->base);
    io_run_until(&r->runs, 1);
    cr_assert_eq(r->last, n);
    cr_assert_eq(memcmp(next, late, (size_t)n), 0, "every late byte, in order");
}

Test(pipe, late_data_never_touches_a_cancelled_buffer_made_read_only)
{
    long pg = sysconf(_SC_PAGESIZE);
    act_pipe rd, wr;
    io_obj r;
    unsigned char *page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    cr_assert_neq(page, MAP_FAILED);
    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    read_then_cancel(&rd, &r, page, (size_t)pg);
    cr_assert_eq(mprotect(page, (size_t)pg, PROT_READ), 0);
    late_bytes_reach_the_next_read(&rd, &wr, &r, 200);
    munmap(page, (size_t)pg);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, late_data_leaves_the_cancelled_pattern_intact_and_reaches_the_next_read)
{
    act_pipe rd, wr;
    io_obj r;
    unsigned char buf[512];

    memset(buf, 0xa5, sizeof buf);
    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    read_then_cancel(&rd, &r, buf, sizeof buf);
    late_bytes_reach_the_next_read(&rd, &wr, &r, 100);
    for (size_t i = 0; i < sizeof buf; i++)
        cr_assert_eq(buf[i], 0xa5, "byte %zu of the cancelled buffer changed", i);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, cancelled_read_full_reports_its_received_bytes_and_they_are_not_read_again)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[100], next[100];

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    act_pipe_read_full(&rd, buf, sizeof buf, act_object_status(&r.base));
    activate_pending(&r);
    put(&wr, "first-thirty-bytes-of-the-strm", 30);
    io_poll(2);
    act_cancel(&r.base);
    cr_assert_eq(act_status_result(act_object_status(&r.base)), -ECANCELED);
    cr_assert_eq(act_pipe_received(&rd), 30);
    cr_assert_eq(memcmp(buf, "first-thirty-bytes-of-the-strm", 30), 0);
    put(&wr, "then-twenty-more-b..", 20);
    act_pipe_read(&rd, next, sizeof next, act_object_status(&r.base));
    act_set_active(&r.base);
    io_run_until(&r.runs, 1);
    cr_assert_eq(r.last, 20);
    cr_assert_eq(memcmp(next, "then-twenty-more-b..", 20), 0);
    act_pipe_close(&rd);
    act_pipe_close(&wr);
}

Test(pipe, reissued_reads_keep_the_epoll_registration)
{
    act_pipe rd, wr;
    io_obj r;
    char buf[8];

    pair(&rd, &wr);
    io_obj_init(&r, &rd, false);
    for (int i = 1; i <= 3; i++) {
        act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
        act_set_active(&r.base);
        put(&wr, "x", 1);
        io_run_until(&r.runs, i);
        cr_assert(io_epoll_events(act_pipe_fd(&rd)) & EPOLLIN);
    }
    act_pipe_close(&rd);
    cr_assert_eq(io_epoll_events(act_pipe_fd(&wr)), 0, "a write that fitted registered nothing");
    act_pipe_close(&wr);
}

