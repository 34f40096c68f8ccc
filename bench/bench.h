/*
 * The benchmark suite: one driver (bench/main.c) runs every workload with
 * every library, alternating them, several rounds; each library implements
 * the workloads against its own public API in one file (bench/lib_*.c).
 *
 * A workload function returns its figure (lower is better: ns per
 * operation, or bytes per thing), or BENCH_NA when the library has no
 * honest equivalent or the part it needs has not landed yet.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_NA (-1.0)

enum bench_work {
    W_DISPATCH,     /* n self-re-arming handler rounds, no I/O */
    W_DISPATCH3,    /* the same, libactive issuing with its three calls */
    W_LOOP,         /* n passes through epoll_wait(0), one dispatch each */
    W_REMOTE1,      /* n completions from another thread, 1 in flight */
    W_REMOTE64,     /* n completions from another thread, 64 in flight */
    W_TIMER_FIRE,   /* n one-shot timers, random deadlines: start + fire */
    W_TIMER_CANCEL, /* n timers, random deadlines: start all, cancel all */
    W_PIPE1,        /* pipe ping-pong, 1 byte */
    W_PIPE4K,       /* pipe ping-pong, 4 KiB */
    W_TCP1,         /* TCP loopback ping-pong, 1 byte */
    W_SCALE10,      /* dispatch with 10 idle objects waiting on timers */
    W_SCALE1K,
    W_SCALE100K,
    W_SCALE1M,
    W_MEM_TIMER,    /* bytes per armed timer (RSS delta) */
    W_MEM_OBJECT,   /* bytes per registered object */
    W_MEM_PIPE,     /* bytes per pipe end with a read outstanding */
    W_MEM_TCP,      /* bytes per TCP connection with a read outstanding */
    W_COUNT
};

typedef double (*bench_fn)(long n);

typedef struct bench_lib {
    const char *name;
    bench_fn fn[W_COUNT];
    const char *how[W_COUNT]; /* the API used, named in the output */
    const char *(*sizes)(void); /* sizeof of the structs, one line */
} bench_lib;

extern const bench_lib bench_active, bench_ev, bench_uv, bench_event, bench_raw;

/* Shared by the workloads. */
double bench_now_ns(void);      /* CLOCK_MONOTONIC */
double bench_cpu_ns(void);      /* this thread's CPU time */
long bench_rss_bytes(void);     /* anonymous resident memory now (RssAnon: no code pages) */
/* 10^6 random timer delays in [1, BENCH_SPAN_US), the same for every library. */
const uint32_t *bench_delays(void);
enum { BENCH_NDELAYS = 1000000 };
#define BENCH_SPAN_US 200000u

/* The idle objects of the scale workloads wait this long. */
#define BENCH_IDLE_US 3600000000u

/* The number of idle objects for a scale workload. */
long bench_scale_idle(enum bench_work w);

/* A connected pair of loopback TCP sockets (non-blocking, TCP_NODELAY); 0 or -1. */
int bench_tcp_pair(int fd[2]);
int bench_close_with_reset(int fd); /* SO_LINGER 0: close leaves no TIME_WAIT */

/* Raise the descriptor limit as far as allowed; returns the new soft limit. */
long bench_raise_nofile(void);

/* Allocations made through malloc by libactive and the bench (not the peers' .so). */
long bench_allocs(void);

/*
 * The remote-completion producer: a thread that spins over @window flags and,
 * for each one set (by the loop thread, with release order, once request i is
 * armed), clears it and calls @complete(@ctx, i) from the producer thread.
 */
typedef struct bench_producer bench_producer;
bench_producer *bench_producer_start(int window, void (*complete)(void *ctx, int i), void *ctx);
void bench_producer_arm(bench_producer *p, int i); /* loop thread: request i is armed */
void bench_producer_stop(bench_producer *p);       /* join and free */

/* Run @fn(@n) in a fresh child process and return its figure. */
double bench_isolated(bench_fn fn, long n);

/* libactive's allocations inside its timed sections (must stay 0). */
long bench_active_steady_allocs(void);
void bench_active_note_allocs(long n);

/* libactive's descriptor workloads (bench/lib_active_io.c). */
double bench_active_loop(long n);
double bench_active_pipe1(long n);
double bench_active_pipe4k(long n);
double bench_active_tcp1(long n);
double bench_active_mem_pipe(long n);
double bench_active_mem_tcp(long n);
size_t bench_active_pipe_size(void);
size_t bench_active_socket_size(void); /* bench/lib_active_tcp.c, with bench_active_tcp1 and _mem_tcp */

/*
 * Ping-pong between side A and side B in one loop: A sends a message of
 * @size bytes, B echoes it once whole, A counts a round trip and sends again.
 * Pipes: A writes p1, B reads p1 and writes p2, A reads p2; TCP: a loopback
 * pair.  Every descriptor is non-blocking.
 */
enum { PP_A = 0, PP_B = 1, PP_MAX = 4096 };
typedef struct bench_pp {
    int rd[2], wr[2];  /* by side */
    size_t size;
    long left;         /* round trips still to make */
    size_t got[2];     /* bytes of the current message each side has */
    char buf[2][PP_MAX];
} bench_pp;
void bench_pp_open(bench_pp *pp, int tcp, size_t size, long n);
void bench_pp_close(bench_pp *pp);
/* @side read @len more bytes into its buffer; true when its message is whole (and resets). */
int bench_pp_got(bench_pp *pp, int side, size_t len);
/* One read(2) on @side: 1 when its message is now whole, 0 when not yet. */
int bench_pp_read(bench_pp *pp, int side);
/* write(2) a whole message from @side (it always fits). */
void bench_pp_send(bench_pp *pp, int side);

/* Abort with a message: a benchmark that cannot set up is a bug. */
_Noreturn void bench_fail(const char *what);

#define BENCH_CHECK(cond, what)   \
    do {                          \
        if (!(cond))              \
            bench_fail(what);     \
    } while (0)

#endif
