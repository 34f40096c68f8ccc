/**
 * DOC: libactive base definitions
 *
 * Shared by every module: the export macro, ACT_CONTAINER_OF, the forward
 * declarations of the core types and the private intrusive node types that
 * public (caller-allocated) structs embed.  Nothing here is a function.
 */
#ifndef ACTIVE_BASE_H
#define ACTIVE_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(ACT_BUILDING) && defined(__GNUC__)
#define ACT_API __attribute__((visibility("default")))
#else
#define ACT_API
#endif

/**
 * ACT_CONTAINER_OF - the struct that embeds @ptr as its @member
 * @ptr:    pointer to the member
 * @type:   the enclosing struct type
 * @member: the member's name in @type
 *
 * Checks in pure C11 that @ptr points to the type of @member: the comparison
 * inside sizeof is never evaluated, but comparing distinct pointer types does
 * not compile cleanly.
 */
#define ACT_CONTAINER_OF(ptr, type, member)                                   \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member) +                \
                      0 * sizeof((ptr) == &((type *)0)->member)))

typedef struct act_status act_status;
typedef struct act_object act_object;
typedef struct act_sched act_sched;

/* private: intrusive nodes; only the library touches them. */
typedef struct act__link {
    struct act__link *next; /* NULL at the end */
} act__link;

/*
 * ACT_OPTIMIZE_SIZE 1 trades a little speed for flash inside the library:
 * code that the hot paths inline is called out of line instead (the ready
 * queue's insertion, its unlinking at dispatch, the pass's test for remote
 * completions and timers to gather, and its test for a timer before it
 * sleeps), and unlinking an object from the ready queue walks from its head
 * (src/core/ready.c NOTE 1); nothing else changes: no check, result or
 * layout.  Its default follows the compiler's
 * -Os (__OPTIMIZE_SIZE__, which GCC and clang define); define it 0 or 1
 * when building the library to choose.  Only the library's own code reads
 * it: what a program is built with does not matter (no ABI change).
 * doc/porting.md says what it saves.
 */
#ifndef ACT_OPTIMIZE_SIZE
#ifdef __OPTIMIZE_SIZE__
#define ACT_OPTIMIZE_SIZE 1
#else
#define ACT_OPTIMIZE_SIZE 0
#endif
#endif

/*
 * ACT_SPIN_USEC: for how many microseconds (at most, at the port clock's
 * resolution) a scheduler about to sleep in the port first watches its
 * remote-completion stack, when a remote completion came in since it last
 * slept (src/core/sched.c NOTE 4).  A completion that lands meanwhile costs
 * neither side a system call, where a sleep costs the completing thread an
 * eventfd write and the scheduler a wake-up and a read.  Default 2 on
 * Unix-like systems, whose port clock is the vDSO's; 0 (no spinning, no
 * code) elsewhere, such as firmware, where an interrupt wakes the core for
 * free and the clock may be a coarse tick or stopped.  Only the library's
 * own code reads it: what a program is built with does not matter (no ABI
 * change).
 */
#ifndef ACT_SPIN_USEC
#if defined(__unix__) || defined(__APPLE__)
#define ACT_SPIN_USEC 2
#else
#define ACT_SPIN_USEC 0
#endif
#endif

/*
 * ACT_PORT_IO: 1 when the port watches descriptors (act_port_has_io() may
 * be true), 0 when it has none to watch, so the core never asks.  Default 1
 * on Unix-like systems, 0 elsewhere, such as firmware; a port that serves
 * I/O on another system defines it 1 when building the library.  Only the
 * library's own code reads it (no ABI change).
 */
#ifndef ACT_PORT_IO
#if defined(__unix__) || defined(__APPLE__)
#define ACT_PORT_IO 1
#else
#define ACT_PORT_IO 0
#endif
#endif

/*
 * ACT_TIMER_WHEEL selects the layout of the timer queue, and with it the
 * sizes of act_sched and act_timer: the library and everything built
 * against it must agree.  1, the default where pointers are 64-bit: a radix
 * wheel of 11 x 64 slots (src/timer/wheel.c), O(1) start and cancel, 5.6 KB
 * in act_sched.  0, the default on 32-bit targets, where act_sched fits in 64
 * bytes: a pairing heap (src/timer/heap.c), one pointer in act_sched.
 */
#ifndef ACT_TIMER_WHEEL
#if UINTPTR_MAX > 0xffffffffu
#define ACT_TIMER_WHEEL 1
#else
#define ACT_TIMER_WHEEL 0
#endif
#endif

#if ACT_TIMER_WHEEL
enum { ACT__WHEEL_BITS = 6, ACT__WHEEL_SLOTS = 64, ACT__WHEEL_LEVELS = 11 };

typedef struct act__tnode {
    struct act__tnode *next;   /* next in its slot, NULL at the end */
    struct act__tnode **pprev; /* what points here; NULL when not queued */
} act__tnode;

typedef struct act__wheel {
    uint64_t base;                                /* no later than the clock */
    uint32_t levels;                              /* bit l: a slot of level l is occupied */
    uint32_t min_known;                           /* min is the earliest deadline queued */
    act__tnode *due;                              /* deadlines before base, in order */
    act__tnode *due_last;                         /* the last of them (NULL when none): appends are O(1) */
    uint64_t min;                                 /* when min_known (wheel.c NOTE 3) */
    uint64_t occupied[ACT__WHEEL_LEVELS];         /* bit s: slot s is occupied */
    act__tnode *slot[ACT__WHEEL_LEVELS][ACT__WHEEL_SLOTS];
} act__wheel;
#else
typedef struct act__heap_node {
    struct act__heap_node *child; /* leftmost child */
    struct act__heap_node *next;  /* right sibling */
    struct act__heap_node **pprev; /* what points here: the left sibling's next, or the parent's child */
} act__heap_node;
#endif

#endif
