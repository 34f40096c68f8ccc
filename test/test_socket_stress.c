/*
 * act_socket under pressure: a cancel racing the arrival of bytes (TCP) and
 * datagrams (UDP) from another thread, thousands of times; accept when the
 * process is out of descriptors (a lowered RLIMIT_NOFILE).  Pass or fail
 * never depends on timing; the counts go to stderr for the notes.  The C10K
 * test is in test_socket_c10k.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "support/sock.h"

TestSuite(socket_stress, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

static uint64_t rnd(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void spin(uint64_t *seed)
{
    for (volatile uint64_t n = rnd(seed) % 3000; n > 0; n--)
        continue;
}

/* ---- the cancel race --------------------------------------------------- */

enum { RACE_BUF = 64, RACE_PATTERN = 0xff }; /* data bytes are < 251, never the pattern */

struct race {
    int fd;          /* the peer's raw, blocking descriptor */
    act_sockaddr to; /* UDP: where the datagrams go */
    bool datagrams;
    sem_t go;        /* one post per write the thread must make */
    sem_t written;   /* one post per write made */
    int writes;
    uint64_t seed;
    unsigned sent;   /* bytes written so far (read after a wait on @written) */
};

/* TCP: 1..16 bytes of the sequence a time.  UDP: one datagram of 1..16 bytes. */
static void *race_writer(void *arg)
{
    struct race *rc = arg;
    unsigned char chunk[16];
    unsigned next = 0;

    for (int i = 0; i < rc->writes; i++) {
        size_t n = 1 + rnd(&rc->seed) % sizeof chunk;
        ssize_t put;

        sem_wait(&rc->go);
        spin(&rc->seed);
        for (size_t k = 0; k < n; k++)
            chunk[k] = (unsigned char)(next++ % 251);
        if (rc->datagrams)
            put = sendto(rc->fd, chunk, n, 0, &rc->to.u.sa, rc->to.len);
        else
            put = write(rc->fd, chunk, n);
        cr_assert_eq(put, (ssize_t)n);
        rc->sent = next; /* published to the main thread by the post */
        sem_post(&rc->written);
    }
    return NULL;
}

struct tally {
    unsigned expect; /* the sequence number of the next byte */
    long bytes;
    int completed, cancelled; /* every round */
    int polled_completed;     /* racing rounds with a pass before the cancel: completed */
    int polled_cancelled;     /* ... cancelled: the bytes had not landed by that pass */
    int unpolled_cancelled;   /* racing rounds cancelled before any pass */
};

static void check_bytes(struct tally *t, const unsigned char *buf, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(buf[i], (unsigned char)(t->expect++ % 251), "byte %ld out of order", t->bytes + i);
    t->bytes += n;
}

/*
 * One round: a recv, a write by the thread, a cancel.  Mode 0 races them;
 * mode 1 lets the bytes land and the read complete first (must complete);
 * mode 2 cancels before the thread writes (must be cancelled).
 */
static void race_round(act_socket *s, sk_obj *r, struct race *rc, struct tally *t, int mode, uint64_t *seed)
{
    unsigned char buf[RACE_BUF];
    int runs = r->runs;
    int result;
    bool polled = false;

    memset(buf, RACE_PATTERN, sizeof buf);
    act_socket_recv(s, buf, sizeof buf, act_object_status(&r->base));
    act_set_active(&r->base);
    if (mode != 2)
        sem_post(&rc->go);
    if (mode == 1) {
        sem_wait(&rc->written);
        io_run_until(&r->runs, runs + 1);
    } else if (mode == 0) {
        for (volatile uint64_t n = rnd(seed) % 1000; n > 0; n--)
            continue;
        polled = rnd(seed) % 4 != 0;
        if (polled)
            io_poll(1);
    }
    act_cancel(&r->base);
    result = r->runs > runs ? r->last : act_status_result(act_object_status(&r->base));
    if (result > 0) {
        cr_assert_neq(mode, 2, "a read completed before any pass");
        check_bytes(t, buf, result);
        t->completed++;
        t->polled_completed += mode == 0;
    } else {
        cr_assert_eq(result, -ECANCELED);
        cr_assert_neq(mode, 1);
        for (size_t i = 0; i < sizeof buf; i++)
            cr_assert_eq(buf[i], RACE_PATTERN, "the cancelled buffer was written");
        t->cancelled++;
        t->polled_cancelled += mode == 0 && polled;
        t->unpolled_cancelled += mode == 0 && !polled;
    }
    if (mode == 2)
        sem_post(&rc->go);
    if (mode != 1)
        sem_wait(&rc->written);
}

/* One read with a bare status: the next bytes or datagram, checked; 0 at the end. */
static int drain_one(act_socket *s, struct race *rc, struct tally *t)
{
    unsigned char rest[4096];
    act_status st = ACT_STATUS_INIT;
    int n;

    act_socket_recv(s, rest, rc->datagrams ? RACE_BUF : sizeof rest, &st);
    act_wait_for_request(&st);
    n = act_status_result(&st);
    cr_assert_geq(n, 0, "%s", act_strerror(n));
    check_bytes(t, rest, n);
    return n;
}

/* Every round, then what the cancelled reads left behind: all of it, in order. */
static void race(const char *what, act_socket *s, struct race *rc)
{
    int rounds = rc->writes;
    struct tally t = { 0 };
    uint64_t seed = 12345;
    sk_obj r;
    pthread_t th;

    sem_init(&rc->go, 0, 0);
    sem_init(&rc->written, 0, 0);
    sk_obj_init(&r, s, SK_RECV);
    cr_assert_eq(pthread_create(&th, NULL, race_writer, rc), 0);
    for (int i = 0; i < rounds; i++) {
        race_round(s, &r, rc, &t, i % 10 == 3 ? 1 : i % 10 == 7 ? 2 : 0, &seed);
        /* a cancelled round's bytes wait: the next read gets them, and the next round starts empty */
        while (t.expect != rc->sent)
            drain_one(s, rc, &t);
    }
    pthread_join(th, NULL);
    close(rc->fd);
    if (!rc->datagrams)
        cr_assert_eq(drain_one(s, rc, &t), 0, "nothing after the last byte but the end of stream");
    cr_assert_eq(t.expect, rc->sent, "every byte the thread wrote was read once");
    fprintf(stderr, "socket race (%s): %d rounds (%d completed, %d cancelled); of the %d racing rounds, "
            "a pass then the cancel: %d completed with their bytes, %d cancelled before the bytes landed; "
            "cancel with no pass: %d cancelled; %ld bytes, none lost, none twice\n",
            what, rounds, t.completed, t.cancelled,
            t.polled_completed + t.polled_cancelled + t.unpolled_cancelled,
            t.polled_completed, t.polled_cancelled, t.unpolled_cancelled, t.bytes);
    cr_assert_eq(t.completed + t.cancelled, rounds);
    cr_assert_gt(t.completed, 0);
    cr_assert_gt(t.cancelled, 0);
    sem_destroy(&rc->go);
    sem_destroy(&rc->written);
}

Test(socket_stress, cancel_racing_tcp_arrival_ends_completed_or_cancelled_and_loses_no_byte)
{
    struct race rc = { .writes = (int)fx_size(5000, 600), .seed = 0x9e3779b97f4a7c15u };
    act_socket l, s;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;

    sk_listen(&l, "127.0.0.1:0", &at);
    rc.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_eq(connect(rc.fd, &at.u.sa, at.len), 0);
    act_socket_accept(&l, &s, &st);
    act_wait_for_request(&st);
    cr_assert_eq(act_status_result(&st), 0);
    act_socket_close(&l);
    race("TCP", &s, &rc);
    act_socket_close(&s);
}

Test(socket_stress, cancel_racing_udp_arrival_ends_completed_or_cancelled_and_loses_no_datagram)
{
    struct race rc = { .writes = (int)fx_size(5000, 600), .seed = 0x2545f4914f6cdd1du, .datagrams = true };
    act_socket s;

    sk_bind(&s, SOCK_DGRAM, "127.0.0.1:0", &rc.to);
    rc.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    race("UDP", &s, &rc);
    act_socket_close(&s);
}

/* ---- accept out of descriptors ----------------------------------------- */

struct fill {
    struct rlimit saved;
    int *fds;
    int n;
    bool emulated; /* the kernel does not hold the lowered limit: valgrind keeps it */
};

/* The highest descriptor below @limit (valgrind keeps its own above the limit it shows). */
static int highest_fd(rlim_t limit)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int max = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (fd > max && (rlim_t)fd < limit)
            max = fd;
    }
    closedir(d);
    return max;
}

/*
 * The soft RLIMIT_NOFILE the kernel holds (/proc/self/limits): valgrind
 * answers getrlimit() and setrlimit() itself and leaves the kernel's alone.
 */
static rlim_t kernel_nofile(void)
{
    FILE *f = fopen("/proc/self/limits", "r");
    char line[256];
    unsigned long long soft = 0;

    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Max open files %llu", &soft) == 1)
            break;
    fclose(f);
    cr_assert_neq(soft, 0, "no open-files line in /proc/self/limits");
    return (rlim_t)soft;
}

/*
 * Lower RLIMIT_NOFILE to just above the highest descriptor, then take every
 * free slot below it: the next descriptor anyone asks for is EMFILE.
 */
static void fill_descriptors(struct fill *f)
{
    struct rlimit low;

    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &f->saved), 0);
    low = f->saved;
    low.rlim_cur = (rlim_t)highest_fd(f->saved.rlim_cur) + 8;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    f->emulated = kernel_nofile() != low.rlim_cur;
    f->fds = malloc(sizeof(int) * 100000);
    for (f->n = 0; f->n < 100000; f->n++) {
        f->fds[f->n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (f->fds[f->n] < 0)
            break;
    }
    cr_assert_eq(errno, EMFILE);
}

static void release_descriptors(struct fill *f)
{
    for (int i = 0; i < f->n; i++)
        close(f->fds[i]);
    free(f->fds);
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &f->saved), 0);
}

static int raw_client(const act_sockaddr *at)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    cr_assert_geq(fd, 0);
    cr_assert_eq(connect(fd, &at->u.sa, at->len), 0);
    return fd;
}

/*
 * A client whose connection was shed sees it end at once: reset by the
 * shed's SO_LINGER 0 (ECONNRESET).  End of file is accepted too where @f's
 * limit is emulated (valgrind): there accept4 takes the connection from the
 * kernel, closes it (a FIN) and reports EMFILE, and the shed then resets the
 * next connection in the backlog.
 */
static void check_shed(int fd, const struct fill *f)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    int err = errno;

    if (f->emulated)
        cr_assert(n == 0 || (n < 0 && err == ECONNRESET), "a shed client still waits: %zd %s", n, strerror(err));
    else
        cr_assert(n < 0 && err == ECONNRESET, "a shed client is reset: %zd %s", n,
                  n < 0 ? strerror(err) : "end of file");
}

/* The naive server: re-issue the accept at once after any failure. */
static int reissue_on_error(sk_obj *o)
{
    if (o->last < 0) {
        cr_assert(o->last == -EMFILE || o->last == -ENFILE, "%s", act_strerror(o->last));
        act_socket_accept(o->sock, o->user, act_object_status(&o->base));
        act_set_active(&o->base);
    }
    return 0;
}

Test(socket_stress, accept_out_of_descriptors_reports_emfile_sheds_and_does_not_spin)
{
    enum { K = 5 };
    act_socket l, conn;
    act_sockaddr at;
    act_status st = ACT_STATUS_INIT;
    struct fill f;
    sk_obj ao;
    int clients[K], failures, quiet = 0, passes = 0;
    char c;

    sk_listen(&l, "127.0.0.1:0", &at);
    for (int i = 0; i < K; i++)
        clients[i] = raw_client(&at);
    fill_descriptors(&f);
    sk_obj_init(&ao, &l, SK_ACCEPT);
    ao.on_run = reissue_on_error;
    ao.user = &conn;
    act_socket_accept(&l, &conn, act_object_status(&ao.base));
    act_set_active(&ao.base);
    for (; passes < 1000 && quiet < 20; passes++)
        quiet = act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT) == 0 ? quiet + 1 : 0;
    failures = ao.runs;
    cr_assert_eq(quiet, 20, "the listener went quiet: no busy loop");
    cr_assert_geq(failures, 1);
    cr_assert_leq(failures, K, "each -EMFILE used up a waiting connection");
    for (int i = 0; i < K; i++)
        check_shed(clients[i], &f);
    release_descriptors(&f);
    cr_assert(act_status_pending(act_object_status(&ao.base)), "the re-issued accept waits");
    close(clients[0]);
    clients[0] = raw_client(&at);
    io_run_until(&ao.runs, failures + 1);
    cr_assert_eq(ao.last, 0, "with descriptors free again the accept succeeds");
    act_socket_send(&conn, "x", 1, &st);
    cr_assert_eq(act_status_result(&st), 1);
    cr_assert_eq(recv(clients[0], &c, 1, 0), 1);
    fprintf(stderr, "socket emfile: %d connections waiting at the descriptor limit: %d accepts completed "
            "-EMFILE, each using up at least one of them (reset); then the listener slept (%d passes, "
            "the last 20 idle)\n",
            K, failures, passes);
    for (int i = 0; i < K; i++)
        close(clients[i]);
    act_socket_close(&conn);
    act_socket_close(&l);
}

Test(socket_stress, server_that_waits_after_emfile_keeps_the_rest_of_its_backlog)
{
    enum { K = 3 };
    act_socket l, conn;
    act_sockaddr at, peer, mine;
    struct fill f;
    sk_obj ao;
    int clients[K];
    bool found = false;

    sk_listen(&l, "127.0.0.1:0", &at);
    for (int i = 0; i < K; i++)
        clients[i] = raw_client(&at);
    fill_descriptors(&f);
    sk_obj_init(&ao, &l, SK_ACCEPT);
    act_socket_accept(&l, &conn, act_object_status(&ao.base));
    act_set_active(&ao.base);
    io_run_until(&ao.runs, 1);
    cr_assert_eq(ao.last, -EMFILE);
    cr_assert_eq(act_socket_fd(&conn), -1);
    release_descriptors(&f); /* the server's pause is over */
    check_shed(clients[0], &f);
    act_socket_accept(&l, &conn, act_object_status(&ao.base));
    act_set_active(&ao.base);
    io_run_until(&ao.runs, 2);
    cr_assert_eq(ao.last, 0, "a connection of the backlog was kept");
    cr_assert_eq(act_socket_peer_addr(&conn, &peer), 0);
    for (int i = 1; i < K; i++) {
        mine.len = sizeof mine.u;
        cr_assert_eq(getsockname(clients[i], &mine.u.sa, &mine.len), 0);
        found |= act_sockaddr_port(&mine) == act_sockaddr_port(&peer);
    }
    cr_assert(found, "the accepted connection is one that waited");
    for (int i = 0; i < K; i++)
        close(clients[i]);
    act_socket_close(&conn);
    act_socket_close(&l);
}
