/*
 * act_pipe_open() on descriptors that others share (pipe.h "Descriptor
 * flags", NOTE 6 of src/io/stream.c): a socket is never made non-blocking,
 * a tty gets an open file description of its own, and neither ever blocks
 * the thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include "support/io.h"

TestSuite(pipe_share, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

static bool nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    cr_assert_geq(fl, 0, "descriptor %d is not open", fd);
    return (fl & O_NONBLOCK) != 0;
}

/* A blocking socketpair whose sv[0] gives up a send after @usec (a stall is bounded, not a hang). */
static void blocking_socketpair(int sv[2], long usec)
{
    struct timeval tmo = { usec / 1000000, usec % 1000000 };

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    cr_assert_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof tmo), 0);
}

/*
 * Write far more than the socket buffer holds to a peer that reads nothing:
 * the write must come back at once, pending.  A blocking send() would stall
 * for the socket's whole 2 s send timeout; the bound is half of that.
 */
static void write_does_not_block(act_pipe *p)
{
    enum { TOTAL = 4 << 20 };
    char *src = calloc(1, TOTAL);
    act_status st = ACT_STATUS_INIT;
    uint64_t t0 = act_now_usec(), took;

    act_pipe_write(p, src, TOTAL, &st);
    took = act_now_usec() - t0;
    cr_assert(act_status_pending(&st), "the peer reads nothing: the write waits");
    cr_assert_lt(took, 1000000u, "act_pipe_write blocked the thread for %llu us", (unsigned long long)took);
    act_pipe_cancel_write(p);
    free(src);
}

Test(pipe_share, socket_is_left_blocking_for_its_other_users_and_never_blocks_the_thread)
{
    act_pipe a;
    act_status st = ACT_STATUS_INIT;
    char buf[8];
    int sv[2], spare;

    blocking_socketpair(sv, 2000000);
    spare = dup(sv[0]); /* shares the open file description */
    cr_assert_eq(act_pipe_open(&a, fx_sched(), sv[0]), 0);
    cr_assert_not(nonblocking(spare), "the shared description stays as its owner left it");
    write_does_not_block(&a);
    act_pipe_read(&a, buf, sizeof buf, &st);
    cr_assert_eq(write(sv[1], "abc", 3), 3);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 3);
    cr_assert_eq(memcmp(buf, "abc", 3), 0);
    act_pipe_close(&a);
    cr_assert_eq(fcntl(sv[0], F_GETFD), -1, "close closed the pipe's descriptor");
    close(spare);
    close(sv[1]);
}

/* Two pipes on one description (a dup()): closing one leaves the other unable to block. */
Test(pipe_share, closing_one_of_two_pipes_on_a_dup_of_a_socket_leaves_the_other_non_blocking)
{
    act_pipe a, b;
    int sv[2];

    blocking_socketpair(sv, 2000000);
    cr_assert_eq(act_pipe_open(&a, fx_sched(), sv[0]), 0);
    cr_assert_eq(act_pipe_open(&b, fx_sched(), dup(sv[0])), 0, "the second pipe wraps a dup()");
    act_pipe_detach(&a); /* the first one is done; b is still open */
    write_does_not_block(&b);
    act_pipe_close(&b);
    close(sv[0]);
    close(sv[1]);
}

/* A pty: @master, and @slave opened blocking as a terminal's stdin would be. */
static void open_pty(int *master, int *slave)
{
    *master = io_pty_master();
    *slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
    cr_assert_geq(*slave, 0);
}

/* A line typed at @master arrives through @p (a canonical-mode tty gives one line a read). */
static void line_arrives(act_pipe *p, int master)
{
    act_status st = ACT_STATUS_INIT;
    char buf[16];

    act_pipe_read(p, buf, sizeof buf, &st);
    cr_assert_eq(write(master, "hi\n", 3), 3);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 3);
    cr_assert_eq(memcmp(buf, "hi\n", 3), 0);
}

/*
 * stdin and stdout of a terminal are usually one description, shared with
 * the shell: the pipe's descriptor number gets a description of its own,
 * non-blocking, and what the caller holds from before stays blocking.
 */
Test(pipe_share, tty_gets_a_description_of_its_own_and_earlier_dups_stay_blocking)
{
    act_pipe p;
    int master, slave, spare;

    open_pty(&master, &slave);
    spare = dup(slave);
    cr_assert_eq(fcntl(slave, F_SETFD, FD_CLOEXEC), 0);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), slave), 0);
    cr_assert_eq(act_pipe_fd(&p), slave, "the same descriptor number");
    cr_assert(nonblocking(slave));
    cr_assert_not(nonblocking(spare), "the caller's earlier dup keeps the old, blocking description");
    cr_assert_eq(fcntl(slave, F_GETFD), FD_CLOEXEC, "its close-on-exec flag is kept");
    line_arrives(&p, master);
    cr_assert_eq(act_pipe_detach(&p), slave);
    cr_assert_not(nonblocking(slave), "detach hands it back blocking, as it was");
    cr_assert_eq(fcntl(slave, F_GETFD), FD_CLOEXEC);
    close(slave);
    close(spare);
    close(master);
}

/* The terminal case of the dup test above: two pipes, two descriptions, no interference. */
Test(pipe_share, closing_one_of_two_pipes_on_one_tty_leaves_the_other_non_blocking)
{
    act_pipe in, out;
    int master, slave, slave2;

    open_pty(&master, &slave);
    slave2 = dup(slave);
    cr_assert_eq(fcntl(slave2, F_GETFD), 0, "dup() gives no close-on-exec");
    cr_assert_eq(act_pipe_open(&in, fx_sched(), slave), 0);
    cr_assert_eq(act_pipe_open(&out, fx_sched(), slave2), 0);
    cr_assert_eq(fcntl(slave2, F_GETFD), 0, "and opening keeps it so");
    act_pipe_close(&in);
    cr_assert(nonblocking(slave2), "out is open: its descriptor stays non-blocking");
    line_arrives(&out, master);
    act_pipe_close(&out);
    close(master);
}

/* As above, with the second pipe on a dup() made after the first pipe opened, of its own description. */
Test(pipe_share, closing_one_of_two_pipes_on_a_tty_dup_made_after_the_open_leaves_the_other_non_blocking)
{
    act_pipe in, out;
    int master, slave;

    open_pty(&master, &slave);
    cr_assert_eq(act_pipe_open(&in, fx_sched(), slave), 0);
    cr_assert_eq(act_pipe_open(&out, fx_sched(), dup(slave)), 0, "the dup shares in's own description");
    act_pipe_close(&in);
    cr_assert(nonblocking(act_pipe_fd(&out)), "out is open: its descriptor stays non-blocking");
    line_arrives(&out, master);
    act_pipe_close(&out);
    close(master);
}

/*
 * A pty master is not opened again (that would make a new pty): it keeps its
 * description, so a dup made earlier turns non-blocking with it, and what is
 * typed at the slave still reaches the pipe.
 */
Test(pipe_share, pty_master_keeps_its_description_and_its_pty)
{
    act_pipe p;
    act_status st = ACT_STATUS_INIT;
    struct termios raw;
    char buf[8];
    int master, slave, spare;

    open_pty(&master, &slave);
    cr_assert_eq(tcgetattr(slave, &raw), 0);
    cfmakeraw(&raw);
    cr_assert_eq(tcsetattr(slave, TCSANOW, &raw), 0); /* no echo, no line editing */
    spare = dup(master);
    cr_assert_eq(act_pipe_open(&p, fx_sched(), master), 0);
    cr_assert(nonblocking(spare), "not opened again: the shared description is non-blocking");
    act_pipe_read(&p, buf, sizeof buf, &st);
    cr_assert_eq(write(slave, "x", 1), 1);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 1);
    cr_assert_eq(buf[0], 'x');
    act_pipe_close(&p);
    cr_assert_not(nonblocking(spare), "cleared again at close: it was clear");
    close(spare);
    close(slave);
}
