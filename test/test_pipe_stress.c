/*
 * act_pipe under load: a cancel racing the arrival of bytes from another
 * thread, signals during the wait (EINTR), 64 MiB in random chunks with
 * random cancels, 1,000 pipes on one scheduler.  Pass or fail never depends
 * on timing; the figures go to stderr for the notes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/io.h"

TestSuite(pipe_stress, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

static uint64_t rnd(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* ---- the cancel race --------------------------------------------------- */

enum { RACE_BUF = 64, RACE_PATTERN = 0xff }; /* data bytes are < 251, never the pattern */

struct race {
    int fd;        /* the raw write end, blocking */
    sem_t go;      /* one post per write the thread must make */
    sem_t written; /* one post per write made */
    int writes;
    uint64_t seed;
};

static void *race_writer(void *arg)
{
    struct race *rc = arg;
    unsigned char chunk[16];
    unsigned next = 0;

    for (int i = 0; i < rc->writes; i++) {
        size_t n = 1 + rnd(&rc->seed) % sizeof chunk;

        sem_wait(&rc->go);
        for (volatile uint64_t spin = rnd(&rc->seed) % 3000; spin > 0; spin--)
            continue;
        for (size_t k = 0; k < n; k++)
            chunk[k] = (unsigned char)(next++ % 251);
        cr_assert_eq(write(rc->fd, chunk, n), (ssize_t)n);
        sem_post(&rc->written);
    }
    return NULL;
}

struct tally {
    unsigned expect; /* the sequence number of the next byte */
    long bytes;
    int completed, cancelled;
};

static void check_bytes(struct tally *t, const unsigned char *buf, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(buf[i], (unsigned char)(t->expect++ % 251), "byte %ld out of order", t->bytes + i);
    t->bytes += n;
}

/*
 * One round: a read, a write by the thread, a cancel.  Mode 0 races them;
 * mode 1 lets the write land and the scheduler run first (must complete);
 * mode 2 cancels before the thread writes (must be cancelled).
 */
static void race_round(act_pipe *rd, io_obj *r, struct race *rc, struct tally *t, int mode, uint64_t *seed)
{
    unsigned char buf[RACE_BUF];
    int runs = r->runs;

    memset(buf, RACE_PATTERN, sizeof buf);
    act_pipe_read(rd, buf, sizeof buf, act_object_status(&r->base));
    act_set_active(&r->base);
    if (mode != 2)
        sem_post(&rc->go);
    if (mode == 1)
        sem_wait(&rc->written);
    if (mode != 2) { /* mode 2 cancels before any pass: reads never complete in the call */
        for (volatile uint64_t spin = rnd(seed) % 3000; spin > 0; spin--)
            continue;
        if (mode == 1 || rnd(seed) % 2 == 0)
            io_poll(1);
    }
    act_cancel(&r->base);
    int result = r->runs > runs ? r->last : act_status_result(act_object_status(&r->base));
    if (result > 0) {
        cr_assert_neq(mode, 2);
        check_bytes(t, buf, result);
        t->completed++;
    } else {
        cr_assert_eq(result, -ECANCELED);
        cr_assert_neq(mode, 1);
        for (size_t i = 0; i < sizeof buf; i++)
            cr_assert_eq(buf[i], RACE_PATTERN, "the cancelled buffer was written");
        t->cancelled++;
    }
    if (mode == 2)
        sem_post(&rc->go);
    if (mode != 1)
        sem_wait(&rc->written);
}

Test(pipe_stress, cancel_racing_arrival_ends_completed_or_cancelled_and_loses_no_byte)
{
    int rounds = (int)fx_size(5000, 600);
    act_pipe rd, wr;
    io_obj r;
    struct race rc = { .writes = rounds, .seed = 0x9e3779b97f4a7c15u };
    struct tally t = { 0 };
    uint64_t seed = 12345;
    pthread_t th;
    unsigned char rest[4096];

    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    rc.fd = act_pipe_detach(&wr); /* the thread writes it raw, blocking */
    cr_assert_eq(fcntl(rc.fd, F_SETFL, 0), 0);
    sem_init(&rc.go, 0, 0);
    sem_init(&rc.written, 0, 0);
    io_obj_init(&r, &rd, false);
    cr_assert_eq(pthread_create(&th, NULL, race_writer, &rc), 0);
    for (int i = 0; i < rounds; i++)
        race_round(&rd, &r, &rc, &t, i % 10 == 3 ? 1 : i % 10 == 7 ? 2 : 0, &seed);
    pthread_join(th, NULL);
    close(rc.fd);
    for (int n = 1; n > 0; ) { /* what the cancelled reads left: every byte, in order */
        act_status st = ACT_STATUS_INIT;
        act_pipe_read(&rd, rest, sizeof rest, &st);
        act_wait_for_request(&st);
        n = act_status_result(&st);
        cr_assert_geq(n, 0);
        check_bytes(&t, rest, n);
    }
    fprintf(stderr, "pipe race: %d rounds: %d completed with their bytes, %d cancelled "
            "(bytes left for the next read); %ld bytes, none lost\n",
            rounds, t.completed, t.cancelled, t.bytes);
    cr_assert_eq(t.completed + t.cancelled, rounds);
    cr_assert_gt(t.completed, 0);
    cr_assert_gt(t.cancelled, 0);
    act_pipe_close(&rd);
    sem_destroy(&rc.go);
    sem_destroy(&rc.written);
}

/* ---- EINTR ------------------------------------------------------------- */

static void on_signal(int sig)
{
    (void)sig;
}

struct interrupter {
    pthread_t target;
    int ping_fd; /* writes "ping" here after the first signals */
    int drain_fd; /* then drains this one */
    size_t drain;
};

static void *interrupt_thread(void *arg)
{
    struct interrupter *in = arg;
    char buf[65536];

    for (int i = 0; i < 50; i++) {
        pthread_kill(in->target, SIGUSR1);
        usleep(200);
    }
    cr_assert_eq(write(in->ping_fd, "ping", 4), 4);
    for (int i = 0; i < 50; i++) {
        pthread_kill(in->target, SIGUSR1);
        usleep(200);
    }
    while (in->drain > 0) {
        ssize_t n = read(in->drain_fd, buf, sizeof buf);
        cr_assert_gt(n, 0);
        in->drain -= (size_t)n;
    }
    return NULL;
}

Test(pipe_stress, signals_during_the_wait_change_no_result)
{
    enum { TOTAL = 1 << 20 };
    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
    act_pipe rd, wr, rd2, wr2;
    io_obj r, w;
    struct interrupter in;
    char buf[8], *src = calloc(1, TOTAL);
    pthread_t th;

    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    cr_assert_eq(act_pipe_pair(&rd, &wr, fx_sched()), 0);
    cr_assert_eq(act_pipe_pair(&rd2, &wr2, fx_sched()), 0);
    in = (struct interrupter){ pthread_self(), act_pipe_detach(&wr), act_pipe_detach(&rd2), TOTAL };
    cr_assert_eq(fcntl(in.drain_fd, F_SETFL, 0), 0);
    io_obj_init(&r, &rd, false);
    io_obj_init(&w, &wr2, true);
    act_pipe_read(&rd, buf, sizeof buf, act_object_status(&r.base));
    act_set_active(&r.base);
    act_pipe_write(&wr2, src, TOTAL, act_object_status(&w.base));
    act_set_active(&w.base);
    cr_assert_eq(pthread_create(&th, NULL, interrupt_thread, &in), 0);
    io_run_until(&r.runs, 1);
    io_run_until(&w.runs, 1);
    pthread_join(th, NULL);
    cr_assert_eq(r.last, 4);
    cr_assert_eq(memcmp(buf, "ping", 4), 0);
    cr_assert_eq(w.last, TOTAL);
    act_pipe_close(&rd);
    act_pipe_close(&wr2);
    close(in.ping_fd);
    close(in.drain_fd);
    free(src);
}

/* ---- 64 MiB in random chunks with random cancels ----------------------- */

enum { CHUNK_MAX = 256 << 10 };

/*
 * The writer sends src in random chunks; the reader reads straight into dst
 * at the bytes it has so far; a zero-delay timer cancels either side now and
 * then and re-issues.  Only the transfer is timed: the byte-for-byte compare
 * and the checksums come after.
 */
struct bulk {
    act_pipe rd, wr;
    io_obj r, w;
    fx_obj chaos;
    act_timer tick;
    unsigned char *src, *dst; /* dst has CHUNK_MAX spare: a read may ask past the end */
    uint64_t total, sent, got;
    uint64_t seed;
    int reads, writes, read_cancels, write_cancels;
    bool eof;
};

static uint64_t fnv(const unsigned char *p, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static void bulk_write(struct bulk *b)
{
    uint64_t left = b->total - b->sent;
    size_t n = 1 + (size_t)(rnd(&b->seed) % CHUNK_MAX);

    if (left == 0) {
        act_pipe_close(&b->wr); /* end of file for the reader */
        return;
    }
    if (n > left)
        n = (size_t)left;
    act_pipe_write(&b->wr, b->src + b->sent, n, act_object_status(&b->w.base));
    act_set_active(&b->w.base);
    b->writes++;
}

static void bulk_read(struct bulk *b)
{
    size_t n = 1 + (size_t)(rnd(&b->seed) % CHUNK_MAX);

    if (rnd(&b->seed) % 2)
        act_pipe_read(&b->rd, b->dst + b->got, n, act_object_status(&b->r.base));
    else
        act_pipe_read_full(&b->rd, b->dst + b->got, n, act_object_status(&b->r.base));
    act_set_active(&b->r.base);
    b->reads++;
}

static int bulk_w_run(io_obj *o)
{
    struct bulk *b = o->user;

    cr_assert_gt(o->last, 0);
    b->sent += (uint64_t)o->last;
    bulk_write(b);
    return 0;
}

static int bulk_r_run(io_obj *o)
{
    struct bulk *b = o->user;

    cr_assert_geq(o->last, 0);
    if (o->last == 0) {
        b->eof = true;
        act_cancel(&b->chaos.base);
        act_sched_stop(fx_sched());
        return 0;
    }
    b->got += (uint64_t)o->last;
    cr_assert_leq(b->got, b->total);
    bulk_read(b);
    return 0;
}

/* Cancel one side now and then; account for what the cancelled request did. */
static int bulk_chaos(fx_obj *o)
{
    struct bulk *b = o->user;
    uint64_t dice = rnd(&b->seed) % 16;

    if (dice == 0 && act_is_active(&b->w.base)) {
        act_cancel(&b->w.base);
        b->write_cancels++;
        b->sent += act_pipe_written(&b->wr); /* the real count, or what went out */
        bulk_write(b);
    } else if (dice == 1 && act_is_active(&b->r.base)) {
        act_cancel(&b->r.base);
        b->read_cancels++;
        b->got += act_pipe_received(&b->rd); /* the real count, or what read_full had */
        cr_assert_leq(b->got, b->total);
        if (act_status_result(act_object_status(&b->r.base)) == 0)
            b->eof = true;
        else
            bulk_read(b);
    }
    fx_obj_after(o, &b->tick, 0);
    return 0;
}

static void bulk_setup(struct bulk *b)
{
    b->total = (uint64_t)fx_size(64, 4) << 20;
    b->seed = 0x5eed;
    b->src = malloc(b->total);
    b->dst = malloc(b->total + CHUNK_MAX);
    memset(b->dst, 0, b->total + CHUNK_MAX); /* page faults stay out of the timing */
    for (uint64_t i = 0; i < b->total; i += 8) {
        uint64_t v = rnd(&b->seed);
        memcpy(b->src + i, &v, 8);
    }
    cr_assert_eq(act_pipe_pair(&b->rd, &b->wr, fx_sched()), 0);
    io_obj_init(&b->r, &b->rd, false);
    io_obj_init(&b->w, &b->wr, true);
    b->r.on_run = bulk_r_run;
    b->w.on_run = bulk_w_run;
    b->r.user = b->w.user = b;
    fx_obj_init(&b->chaos, ACT_PRIORITY_LOW);
    b->chaos.on_run = bulk_chaos;
    b->chaos.user = b;
    act_timer_init(&b->tick, fx_sched());
}

Test(pipe_stress, bulk_64mib_in_random_chunks_with_random_cancels_arrives_intact)
{
    struct bulk *b = calloc(1, sizeof *b);
    uint64_t t0, usec, sum_src, sum_dst;

    bulk_setup(b);
    t0 = act_now_usec();
    bulk_read(b);
    bulk_write(b);
    fx_obj_after(&b->chaos, &b->tick, 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    usec = act_now_usec() - t0;
    cr_assert(b->eof);
    cr_assert_eq(b->sent, b->total);
    cr_assert_eq(b->got, b->total);
    cr_assert_eq(memcmp(b->src, b->dst, b->total), 0, "the bytes differ");
    sum_src = fnv(b->src, b->total);
    sum_dst = fnv(b->dst, b->total);
    cr_assert_eq(sum_src, sum_dst, "checksums differ");
    fprintf(stderr, "pipe bulk: %llu MiB in %.1f ms = %.0f MB/s (one thread, both ends, "
            "64 KiB pipe); %d reads, %d writes, %d read cancels, %d write cancels; "
            "checksum %016llx both ends\n",
            (unsigned long long)(b->total >> 20), (double)usec / 1000.0,
            (double)b->total / (double)(usec ? usec : 1), b->reads, b->writes,
            b->read_cancels, b->write_cancels, (unsigned long long)sum_dst);
    act_pipe_close(&b->rd);
    act_timer_fini(&b->tick);
    free(b->src);
    free(b->dst);
    free(b);
}

/* ---- 1,000 pipes ------------------------------------------------------- */

enum { MSGS = 3, MSG_LEN = 12 };

struct many {
    act_pipe *rd, *wr;
    io_obj *r;
    char (*buf)[MSG_LEN + 1];
    int *seen;
    int n, done;
};

static int many_run(io_obj *o)
{
    struct many *m = o->user;
    int i = (int)(o - m->r);
    char want[32];

    cr_assert_eq(o->last, MSG_LEN);
    snprintf(want, sizeof want, "p%05d-m%04d", i, m->seen[i]);
    cr_assert_eq(memcmp(m->buf[i], want, MSG_LEN), 0, "pipe %d got another pipe's bytes", i);
    if (++m->seen[i] < MSGS) {
        act_pipe_read_full(&m->rd[i], m->buf[i], MSG_LEN, act_object_status(&o->base));
        act_set_active(&o->base);
    } else if (++m->done == m->n) {
        act_sched_stop(fx_sched());
    }
    return 0;
}

Test(pipe_stress, thousand_pipes_on_one_scheduler_each_get_their_own_bytes)
{
    struct many m = { .n = (int)fx_size(1000, 200) };
    int before = io_fd_count();

    if (!io_raise_nofile(2L * m.n + before + 16))
        cr_skip_test("RLIMIT_NOFILE hard limit below %ld", 2L * m.n + before + 16);
    m.rd = calloc((size_t)m.n, sizeof *m.rd);
    m.wr = calloc((size_t)m.n, sizeof *m.wr);
    m.r = calloc((size_t)m.n, sizeof *m.r);
    m.buf = calloc((size_t)m.n, sizeof *m.buf);
    m.seen = calloc((size_t)m.n, sizeof *m.seen);
    for (int i = 0; i < m.n; i++) {
        cr_assert_eq(act_pipe_pair(&m.rd[i], &m.wr[i], fx_sched()), 0, "pipe %d", i);
        io_obj_init(&m.r[i], &m.rd[i], false);
        m.r[i].on_run = many_run;
        m.r[i].user = &m;
        act_pipe_read_full(&m.rd[i], m.buf[i], MSG_LEN, act_object_status(&m.r[i].base));
        act_set_active(&m.r[i].base);
    }
    for (int k = 0; k < MSGS; k++) {
        for (int i = m.n - 1; i >= 0; i--) {
            char msg[32];
            act_status st = ACT_STATUS_INIT;

            snprintf(msg, sizeof msg, "p%05d-m%04d", i, k);
            act_pipe_write(&m.wr[i], msg, MSG_LEN, &st);
            cr_assert_eq(act_status_result(&st), MSG_LEN);
        }
    }
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(m.done, m.n);
    for (int i = 0; i < m.n; i++) {
        act_pipe_close(&m.rd[i]);
        act_pipe_close(&m.wr[i]);
    }
    cr_assert_eq(io_fd_count(), before);
    free(m.rd);
    free(m.wr);
    free(m.r);
    free(m.buf);
    free(m.seen);
}
