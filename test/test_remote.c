/*
 * Remote completion (rule 11): from other threads and from a signal handler,
 * every completion delivered exactly once, and act_cancel racing a remote
 * completion with exactly one outcome.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "support/fixture.h"
#include "support/io.h"

/* a hang fails the test instead of stalling the run (generous: valgrind) */
TestSuite(remote, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

static void sleep_usec(long usec)
{
    struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };

    nanosleep(&ts, NULL);
}

static int stop_scheduler(fx_obj *o)
{
    (void)o;
    act_sched_stop(fx_sched());
    return 0;
}

Test(remote, completion_wakes_a_scheduler_blocked_without_timers)
{
    fx_obj o;
    fx_remote r;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = stop_scheduler;
    fx_obj_issue(&o);
    fx_remote_start(&r, act_object_status(&o.base), 12, 10000);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 12);
    fx_remote_join(&r);
}

Test(remote, completion_before_set_active_is_delivered_once)
{
    fx_obj o;

    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    act_status_set_pending(act_object_status(&o.base));
    fx_complete_remote(act_object_status(&o.base), 4);
    act_set_active(&o.base);
    fx_run_for(2000);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 4);
}

/* --- two threads, tens of thousands of completions each --- */

/*
 * Each thread serves a few objects; each run re-issues its object's request
 * and hands it back to the thread, so pushes race the scheduler's drains.
 * The k-th completion of an object carries k: its runs see 0, 1, 2, ... in
 * order, each once.
 */
struct flood_obj {
    fx_obj o;
    atomic_int issued; /* the request is the thread's to complete */
    int sent;          /* completions sent: thread-owned */
};

struct flood {
    act_sched *sched;
    struct flood_obj objs[32];
    int rounds;         /* completions per object */
    int *runs_total;
    int goal;
};

static void *flood_thread(void *arg)
{
    struct flood *f = arg;
    int left = 32 * f->rounds;

    for (unsigned idle = 0; left > 0; idle++) {
        for (int i = 0; i < 32; i++) {
            struct flood_obj *fo = &f->objs[i];

            if (!atomic_load(&fo->issued))
                continue;
            atomic_store(&fo->issued, 0);
            act_complete_remote(f->sched, act_object_status(&fo->o.base), fo->sent++);
            left--;
        }
        if (idle % 64 == 63)
            sched_yield();
    }
    return NULL;
}

static void flood_issue(struct flood_obj *fo)
{
    fx_obj_issue(&fo->o);
    atomic_store(&fo->issued, 1);
}

static int flood_run(fx_obj *o)
{
    struct flood_obj *fo = ACT_CONTAINER_OF(o, struct flood_obj, o);
    struct flood *f = o->user;

    if (o->last_result != o->runs - 1)
        cr_assert_fail("completion %d of an object arrived as run %d", o->last_result, o->runs);
    if (o->runs < f->rounds)
        flood_issue(fo);
    if (++*f->runs_total == f->goal)
        act_sched_stop(fx_sched());
    return 0;
}

Test(remote, two_threads_complete_tens_of_thousands_each_all_delivered_once)
{
    const int rounds = (int)fx_size(1000, 150); /* 32 objects: 32,000 completions a thread */
    int runs_total = 0;
    struct flood *f = calloc(2, sizeof *f);
    pthread_t th[2];

    cr_assert_not_null(f);
    for (int t = 0; t < 2; t++) {
        f[t].sched = fx_sched();
        f[t].rounds = rounds;
        f[t].runs_total = &runs_total;
        f[t].goal = 2 * 32 * rounds;
        for (int i = 0; i < 32; i++) {
            fx_obj_init(&f[t].objs[i].o, ACT_PRIORITY_STANDARD);
            f[t].objs[i].o.on_run = flood_run;
            f[t].objs[i].o.user = &f[t];
            flood_issue(&f[t].objs[i]);
        }
    }
    for (int t = 0; t < 2; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, flood_thread, &f[t]), 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "a completion was delivered twice");
    cr_assert_eq(runs_total, 2 * 32 * rounds);
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 32; i++) {
            cr_assert_eq(f[t].objs[i].o.runs, rounds);
            cr_assert_not(act_is_active(&f[t].objs[i].o.base));
        }
    }
    free(f);
}

/* --- a bare status is the owner's again as soon as its result is seen --- */

struct bare_flood {
    act_sched *sched;
    act_status *_Atomic slot; /* the status to complete next, or NULL */
    int rounds;
    long spin;                /* busy checks between yields (valgrind runs one thread at a time) */
};

static void *bare_completer(void *arg)
{
    struct bare_flood *b = arg;

    for (int i = 0; i < b->rounds; i++) {
        act_status *st;

        while ((st = atomic_exchange(&b->slot, NULL)) == NULL)
            sched_yield();
        act_complete_remote(b->sched, st, i);
    }
    return NULL;
}

Test(remote, bare_status_may_be_freed_as_soon_as_its_remote_result_is_seen)
{
    struct bare_flood b = { fx_sched(), NULL, (int)fx_size(20000, 2000), fx_size(4096, 1) };
    pthread_t th;

    cr_assert_eq(pthread_create(&th, NULL, bare_completer, &b), 0);
    for (int i = 0; i < b.rounds; i++) {
        act_status *st = malloc(sizeof *st);

        cr_assert_not_null(st);
        *st = (act_status)ACT_STATUS_INIT;
        act_status_set_pending(st);
        atomic_store(&b.slot, st);
        /* spin: see the result as early as possible, then free at once */
        for (long n = 1; act_status_pending(st); n++) {
            if (n % b.spin == 0)
                sched_yield();
        }
        cr_assert_eq(act_status_result(st), i);
        free(st); /* ASan and valgrind catch a completer still touching it */
    }
    pthread_join(th, NULL);
}

/* --- act_cancel racing a remote completion --- */

/*
 * A provider on another thread.  The request is owned by whoever claims it
 * first with a compare-and-swap: the thread (it completes with its result)
 * or do_cancel (it completes with -ECANCELED), as src/timer/callback.c does.
 */
struct racer {
    act_object base;
    act_sched *sched;
    void *_Atomic claim;
    atomic_int gen;       /* bumped by the scheduler thread for each request */
    atomic_int done;      /* the last request the thread has finished with */
    atomic_int quit;
    unsigned spin;        /* busy checks between yields (valgrind runs one thread at a time) */
};

static int racer_run(act_object *ao)
{
    (void)ao;
    cr_assert_fail("run called for a cancelled request");
    return 0;
}

static void racer_cancel(act_object *ao)
{
    struct racer *r = ACT_CONTAINER_OF(ao, struct racer, base);
    void *expect = NULL;

    if (atomic_compare_exchange_strong(&r->claim, &expect, (void *)ao))
        act_complete(act_object_status(ao), -ECANCELED);
}

static void spin_for(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

static void *racer_thread(void *arg)
{
    struct racer *r = arg;
    int seen = 0;

    for (unsigned idle = 0; !atomic_load(&r->quit); idle++) {
        int gen = atomic_load(&r->gen);
        void *expect = NULL;

        if (gen == seen) {
            if (idle % r->spin == r->spin - 1)
                sched_yield(); /* spin mostly: react fast, but let valgrind's one core run */
            continue;
        }
        seen = gen;
        if (atomic_compare_exchange_strong(&r->claim, &expect, (void *)r))
            act_complete_remote(r->sched, act_object_status(&r->base), 7);
        atomic_store(&r->done, gen);
    }
    return NULL;
}

Test(remote, cancel_racing_a_remote_completion_has_exactly_one_outcome)
{
    static const act_object_ops ops = { racer_run, racer_cancel, NULL };
    const int rounds = (int)fx_size(20000, 2000);
    struct racer r = { .sched = fx_sched(), .spin = (unsigned)fx_size(256, 1) };
    int remote_won = 0, cancel_won = 0;
    unsigned delay = 0; /* adapted so that both sides win often: the race is real */
    pthread_t th;

    act_object_init(&r.base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &r.base);
    cr_assert_eq(pthread_create(&th, NULL, racer_thread, &r), 0);
    for (int i = 1; i <= rounds; i++) {
        act_status_set_pending(act_object_status(&r.base));
        act_set_active(&r.base);
        atomic_store(&r.claim, NULL);
        atomic_store(&r.gen, i);
        spin_for(delay + (unsigned)i % 8u);
        if (r.spin == 1 && i % 2 == 0)
            sched_yield(); /* one thread at a time (valgrind): let the provider go first */
        act_cancel(&r.base);
        cr_assert_not(act_is_active(&r.base));
        int result = act_status_result(act_object_status(&r.base));
        if (result == 7) {
            remote_won++;
            delay -= delay / 8;
        } else if (result == -ECANCELED) {
            cancel_won++;
            if (delay < 20000)
                delay += delay / 8 + 1;
        } else
            cr_assert_fail("round %d: result %d, neither the remote result nor -ECANCELED", i, result);
        while (atomic_load(&r.done) != i)
            sched_yield();
    }
    atomic_store(&r.quit, 1);
    pthread_join(th, NULL);
    cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "no late or stray signal");
    cr_assert_eq(remote_won + cancel_won, rounds);
    cr_log_info("cancel racing remote: remote won %d, cancel won %d", remote_won, cancel_won);
    act_object_deque(&r.base);
}

/*
 * act_wait_for_request on the status of an inactive object while another
 * thread completes it: the wait lands before the completion, during it
 * (result stored, link not yet pushed) or after it, and in every case
 * returns with the result and the signal consumed, never leaving it to be
 * dispatched later as a stray (sched.c NOTE 5).
 */
Test(remote, wait_for_request_racing_a_remote_completion_consumes_its_signal)
{
    static const act_object_ops ops = { racer_run, racer_cancel, NULL };
    const int rounds = (int)fx_size(20000, 2000);
    struct racer r = { .sched = fx_sched(), .spin = (unsigned)fx_size(256, 1) };
    act_status *st = act_object_status(&r.base);
    pthread_t th;

    act_object_init(&r.base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &r.base);
    cr_assert_eq(pthread_create(&th, NULL, racer_thread, &r), 0);
    for (int i = 1; i <= rounds; i++) {
        act_status_set_pending(st);
        atomic_store(&r.claim, NULL);
        atomic_store(&r.gen, i);
        spin_for((unsigned)i % 64u);
        if (r.spin == 1 && i % 2 == 0)
            sched_yield(); /* one thread at a time (valgrind): let the provider go first */
        act_wait_for_request(st);
        cr_assert_eq(act_status_result(st), 7, "round %d", i);
        while (atomic_load(&r.done) != i)
            sched_yield();
        cr_assert_eq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0, "round %d: a signal left behind", i);
    }
    atomic_store(&r.quit, 1);
    pthread_join(th, NULL);
    act_object_deque(&r.base);
}

/* --- a completion from a real signal handler --- */

struct sig_ctx {
    act_sched *sched;
    act_status *status;
};

static void complete_from_handler(int sig, siginfo_t *info, void *uctx)
{
    struct sig_ctx *ctx = info->si_value.sival_ptr;

    (void)sig;
    (void)uctx;
    act_complete_remote(ctx->sched, ctx->status, 21);
}

struct sig_job {
    pthread_t target;
    struct sig_ctx *ctx;
};

static void *signal_later(void *arg)
{
    struct sig_job *job = arg;
    union sigval v = { .sival_ptr = job->ctx };

    sleep_usec(20000); /* the scheduler is most likely asleep in epoll_wait by now */
    pthread_sigqueue(job->target, SIGUSR1, v);
    return NULL;
}

Test(remote, completion_from_a_signal_handler_is_delivered_once)
{
    struct sigaction sa = { 0 }, old;
    fx_obj o;
    struct sig_ctx ctx = { fx_sched(), NULL };
    struct sig_job job = { pthread_self(), &ctx };
    pthread_t th;

    sa.sa_sigaction = complete_from_handler;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: epoll_wait fails with EINTR */
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, &old), 0);
    fx_obj_init(&o, ACT_PRIORITY_STANDARD);
    o.on_run = stop_scheduler;
    fx_obj_issue(&o);
    ctx.status = act_object_status(&o.base);
    cr_assert_eq(pthread_create(&th, NULL, signal_later, &job), 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0, "EINTR is not an error of the wait");
    pthread_join(th, NULL);
    sigaction(SIGUSR1, &old, NULL);
    cr_assert_eq(o.runs, 1);
    cr_assert_eq(o.last_result, 21);
    fx_run_for(1000);
    cr_assert_eq(o.runs, 1);
}

Test(remote, completion_from_a_signal_handler_wakes_act_wait_for_request)
{
    struct sigaction sa = { 0 }, old;
    act_status st = ACT_STATUS_INIT;
    struct sig_ctx ctx = { fx_sched(), &st };
    struct sig_job job = { pthread_self(), &ctx };
    pthread_t th;

    sa.sa_sigaction = complete_from_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, &old), 0);
    act_status_set_pending(&st);
    cr_assert_eq(pthread_create(&th, NULL, signal_later, &job), 0);
    act_wait_for_request(&st);
    pthread_join(th, NULL);
    sigaction(SIGUSR1, &old, NULL);
    cr_assert_eq(act_status_result(&st), 21);
}

/*
 * --- one completion in flight: every completion reaches the loop, whether
 * it lands while the loop runs, while it spins before sleeping (sched.c
 * NOTE 4) or after it fell asleep ---
 */

struct ping {
    act_sched *sched;
    fx_obj o;
    atomic_int armed;   /* 1: the thread completes the object next */
    int rounds;
    int wr_fd;          /* >= 0: also write a byte here every 4 rounds */
    const int *served;  /* then: how many of those bytes have been read */
    atomic_int write_failures; /* asserted after the thread ends */
};

static void *ping_thread(void *arg)
{
    struct ping *p = arg;

    for (int i = 0; i < p->rounds; i++) {
        for (int n = 0; atomic_exchange(&p->armed, 0) == 0; n++) {
            if (n > 1000)
                sched_yield(); /* the loop is slow (valgrind): let it run */
        }
        if (i % 16 == 15) {
            sleep_usec(50); /* long past the loop's spin: it sleeps first */
        } else {
            for (volatile int spin = 0; spin < (i * 7) % 200; spin++) {
                /* land the completion at every point of the loop's way to sleep */
            }
        }
        if (p->wr_fd >= 0 && i % 4 == 2 && write(p->wr_fd, "x", 1) != 1)
            atomic_fetch_add(&p->write_failures, 1); /* no Criterion assert off the test's thread */
        act_complete_remote(p->sched, act_object_status(&p->o.base), i);
    }
    return NULL;
}

static int ping_run(fx_obj *o)
{
    struct ping *p = o->user;

    cr_assert_eq(o->last_result, o->runs - 1, "completion %d arrived as %d", o->runs - 1, o->last_result);
    if (p->served != NULL && o->last_result % 4 == 2)
        cr_assert_eq(*p->served, o->last_result / 4 + 1,
                     "the byte written before completion %d is read in the same pass, first",
                     o->last_result);
    if (o->runs == p->rounds) {
        act_sched_stop(fx_sched());
        return 0;
    }
    fx_obj_issue(o);
    atomic_store(&p->armed, 1);
    return 0;
}

static void ping_pong(struct ping *p)
{
    pthread_t th;

    p->sched = fx_sched();
    fx_obj_init(&p->o, ACT_PRIORITY_STANDARD);
    p->o.on_run = ping_run;
    p->o.user = p;
    fx_obj_issue(&p->o);
    atomic_store(&p->armed, 1);
    cr_assert_eq(pthread_create(&th, NULL, ping_thread, p), 0);
    cr_assert_eq(act_sched_start(fx_sched()), 0, "a lost wake-up hangs here until the suite's timeout");
    pthread_join(th, NULL);
    cr_assert_eq(p->o.runs, p->rounds);
}

Test(remote, one_in_flight_every_completion_reaches_the_loop_asleep_or_spinning)
{
    struct ping p = { .rounds = (int)fx_size(20000, 2000), .wr_fd = -1 };

    ping_pong(&p);
}

/*
 * With a descriptor registered, a completion caught while spinning still
 * lets the loop poll its descriptors: a byte written to a pipe before a
 * completion is read in the pass that runs that completion (first: the
 * reader has the higher priority), not whenever the loop next sleeps.
 */
static int read_again(io_obj *o)
{
    char *byte = o->user;

    cr_assert_eq(o->last, 1);
    act_pipe_read(o->pipe, byte, 1, act_object_status(&o->base));
    act_set_active(&o->base);
    return 0;
}

Test(remote, one_in_flight_with_a_pipe_registered_the_pipe_is_still_served)
{
    struct ping p = { .rounds = (int)fx_size(20000, 2000) };
    act_pipe rd;
    io_obj reader;
    char byte;
    int fd[2];

    cr_assert_eq(pipe2(fd, O_CLOEXEC), 0);
    cr_assert_eq(act_pipe_open(&rd, fx_sched(), fd[0]), 0);
    p.wr_fd = fd[1];
    io_obj_init(&reader, &rd, false);
    act_object_set_priority(&reader.base, ACT_PRIORITY_HIGH);
    reader.on_run = read_again;
    reader.user = &byte;
    p.served = &reader.runs;
    act_pipe_read(&rd, &byte, 1, act_object_status(&reader.base));
    act_set_active(&reader.base);
    ping_pong(&p);
    cr_assert_eq(atomic_load(&p.write_failures), 0);
    cr_assert_eq(reader.runs, p.rounds / 4, "one run per byte written, %d bytes", p.rounds / 4);
    act_cancel(&reader.base);
    cr_assert_eq(reader.runs, p.rounds / 4, "cancel runs nothing");
    act_object_deque(&reader.base);
    act_pipe_close(&rd);
    close(fd[1]);
}
