/*
 * The timer queue as a radix wheel (ACT_TIMER_WHEEL 1, the default with
 * 64-bit pointers): ACT__WHEEL_LEVELS levels of 64 slots, each slot a list
 * of timers, the lists intrusive (the node is the act_timer) and the slots
 * in act_sched.  Start and cancel are O(1); a timer moves down at most one
 * level per cascade and fires from level 0, so expiry is O(levels) per
 * timer, and it is exact: a timer fires at its deadline, never before, and
 * timers fire in deadline order.  See NOTE 1 for why not a heap.
 *
 * Invariant (the base): w->base <= the clock.  A timer with deadline d < base
 * is in w->due, sorted by deadline.  One with d >= base is in the slot given
 * by bucket(base, d): the level is the 6-bit digit where d first differs
 * from base, counting from the top (0 when d == base), the slot is d's digit
 * at that level.  So every deadline in slot (l, s) starts with base's digits
 * above l, then s, and (slot by slot, level by level) the lowest occupied
 * slot holds the earliest deadline.  w->occupied[l] has bit s set exactly
 * when slot (l, s) is not empty, w->levels bit l when occupied[l] != 0.
 */
#include "queue.h"

#if ACT_TIMER_WHEEL

enum { BITS = ACT__WHEEL_BITS, SLOTS = ACT__WHEEL_SLOTS, LEVELS = ACT__WHEEL_LEVELS };

#if defined(__GNUC__)
static unsigned lowest_bit(uint64_t x) /* x != 0 */
{
    return (unsigned)__builtin_ctzll(x);
}

static unsigned highest_bit(uint64_t x) /* x != 0 */
{
    return 63u - (unsigned)__builtin_clzll(x);
}
#else
static unsigned lowest_bit(uint64_t x)
{
    unsigned b = 0;

    while ((x & 1u) == 0) {
        x >>= 1;
        b++;
    }
    return b;
}

static unsigned highest_bit(uint64_t x)
{
    unsigned b = 0;

    while (x >>= 1)
        b++;
    return b;
}
#endif

static act_timer *node_timer(act__tnode *n)
{
    return ACT_CONTAINER_OF(n, act_timer, node);
}

/* The level and slot of deadline @d >= @base. */
static unsigned bucket(uint64_t base, uint64_t d, unsigned *slot)
{
    uint64_t diff = d ^ base;
    unsigned level = diff == 0 ? 0 : highest_bit(diff) / BITS;

    *slot = (unsigned)(d >> (level * BITS)) & (SLOTS - 1u);
    return level;
}

/* The earliest deadline slot (@level, @slot) can hold. */
static uint64_t slot_start(uint64_t base, unsigned level, unsigned slot)
{
    unsigned above = (level + 1u) * BITS;
    uint64_t high = above >= 64u ? 0 : base >> above << above;

    return high | (uint64_t)slot << (level * BITS);
}

static void push(act__tnode **pos, act__tnode *n)
{
    n->next = *pos;
    if (*pos != NULL)
        (*pos)->pprev = &n->next;
    *pos = n;
    n->pprev = pos;
}

/* Leaves @n unlinked: next and pprev NULL. */
static void unlink_node(act__tnode *n)
{
    *n->pprev = n->next;
    if (n->next != NULL)
        n->next->pprev = n->pprev;
    n->next = NULL;
    n->pprev = NULL;
}

/* Unlink @n from the due list, keeping due_last. */
static void unlink_due(act__wheel *w, act__tnode *n)
{
    if (w->due_last == n)
        w->due_last = n->pprev == &w->due ? NULL : ACT_CONTAINER_OF(n->pprev, act__tnode, next);
    unlink_node(n);
}

static void mark(act__wheel *w, unsigned level, unsigned slot)
{
    w->occupied[level] |= (uint64_t)1 << slot;
    w->levels |= 1u << level;
}

static void unmark_if_empty(act__wheel *w, unsigned level, unsigned slot)
{
    if (w->slot[level][slot] != NULL)
        return;
    w->occupied[level] &= ~((uint64_t)1 << slot);
    if (w->occupied[level] == 0)
        w->levels &= ~(1u << level);
}

/* Queue @n by deadline @d: a slot, or the due list in order (NOTE 2). */
static void place(act__wheel *w, act__tnode *n, uint64_t d)
{
    act__tnode **pos = &w->due;
    unsigned level, slot;

    if (d < w->base) {
        if (w->due_last == NULL || node_timer(w->due_last)->deadline <= d) {
            push(w->due_last != NULL ? &w->due_last->next : &w->due, n); /* the common case, O(1) */
            w->due_last = n;
            return;
        }
        while (node_timer(*pos)->deadline <= d) /* stops before due_last, whose deadline is > d */
            pos = &(*pos)->next;
        push(pos, n);
        return;
    }
    level = bucket(w->base, d, &slot);
    push(&w->slot[level][slot], n);
    mark(w, level, slot);
}

/* Move slot (@level, @slot), @level >= 1, down: base becomes its start. */
static void cascade(act__wheel *w, unsigned level, unsigned slot, uint64_t start)
{
    act__tnode *n = w->slot[level][slot];

    w->slot[level][slot] = NULL;
    unmark_if_empty(w, level, slot);
    w->base = start;
    while (n != NULL) {
        act__tnode *next = n->next;

        place(w, n, node_timer(n)->deadline);
        n = next;
    }
}

void act__tq_init(act_sched *s)
{
    act__wheel *w = &s->timers;

    w->base = 0;
    w->levels = 0;
    w->due = NULL;
    w->due_last = NULL;
    w->min_known = 0;
    for (unsigned l = 0; l < LEVELS; l++) {
        w->occupied[l] = 0;
        for (unsigned i = 0; i < SLOTS; i++)
            w->slot[l][i] = NULL;
    }
}

void act__tq_insert(act_sched *s, act_timer *t, uint64_t now)
{
    act__wheel *w = &s->timers;

    if (act__tq_empty(s)) { /* nothing is bucketed by the base: bring it up to the clock */
        if (now == 0)
            now = act_port_now_usec();
        if (now > w->base)
            w->base = now;
        w->min = t->deadline;
        w->min_known = 1;
    } else if (t->deadline < w->min) { /* stale but unused when !min_known */
        w->min = t->deadline;
    }
    place(w, &t->node, t->deadline);
}

void act__tq_remove(act_sched *s, act_timer *t)
{
    act__wheel *w = &s->timers;
    uint64_t d = t->deadline;
    unsigned level, slot;

    if (d == w->min)
        w->min_known = 0;
    if (d < w->base) {
        unlink_due(w, &t->node);
        return;
    }
    unlink_node(&t->node);
    level = bucket(w->base, d, &slot);
    unmark_if_empty(w, level, slot);
}

act_timer *act__tq_pop_due(act_sched *s, uint64_t now)
{
    act__wheel *w = &s->timers;

    for (;;) {
        act__tnode *n = w->due;
        unsigned level, slot;
        uint64_t start;

        if (n != NULL) {
            unlink_due(w, n);
            w->min_known = 0;
            return node_timer(n);
        }
        if (w->levels == 0) {
            if (now > w->base)
                w->base = now;
            return NULL;
        }
        level = lowest_bit(w->levels);
        slot = lowest_bit(w->occupied[level]);
        start = slot_start(w->base, level, slot);
        if (start > now)
            return NULL;
        if (level > 0) {
            cascade(w, level, slot, start);
            continue;
        }
        w->base = start; /* every timer of a level-0 slot is due at its start */
        w->min_known = 0;
        n = w->slot[0][slot];
        unlink_node(n);
        unmark_if_empty(w, 0, slot);
        return node_timer(n);
    }
}

uint64_t act__tq_next(const act_sched *s)
{
    const act__wheel *w = &s->timers;
    unsigned level, slot;

    if (w->due != NULL)
        return ACT_CONTAINER_OF(w->due, const act_timer, node)->deadline;
    if (w->levels == 0)
        return ACT_PORT_FOREVER;
    level = lowest_bit(w->levels);
    slot = lowest_bit(w->occupied[level]);
    return slot_start(w->base, level, slot);
}

/* The earliest deadline: exact at level 0 and in the due list; above, walked once and kept (NOTE 3). */
uint64_t act__tq_next_exact(act_sched *s)
{
    act__wheel *w = &s->timers;
    uint64_t min;
    unsigned level, slot;

    if (w->min_known)
        return w->min;
    min = act__tq_next(s);
    if (w->due != NULL || w->levels == 0)
        return min;
    level = lowest_bit(w->levels);
    if (level == 0)
        return min;
    slot = lowest_bit(w->occupied[level]);
    min = ACT_PORT_FOREVER;
    for (const act__tnode *n = w->slot[level][slot]; n != NULL; n = n->next) {
        uint64_t d = ACT_CONTAINER_OF(n, const act_timer, node)->deadline;
        if (d < min)
            min = d;
    }
    w->min = min;
    w->min_known = 1;
    return min;
}

/*
 * NOTE 1: why a wheel and not a heap.  With a million timers at random
 * deadlines, a timer queue is bound by cache misses, not instructions: a
 * pairing heap touches O(log n) scattered nodes at every expiry and at the
 * cancel of a node with many children (1,300 ns per timer started and fired,
 * 1,150 ns per start + cancel, measured by make bench).  Here a timer is
 * touched when it starts, when its slot cascades (at most once a level, two
 * or three times for deadlines within seconds) and when it fires, and a
 * cancel touches only its list neighbours, which were queued about when it
 * was.  The price is the slot table, 5.6 KB in act_sched on 64-bit, which is
 * why 32-bit targets keep the heap (heap.c).
 *
 * NOTE 2: deadlines below the base.  Only act_timer_at() with a deadline
 * that has passed lands there (the base is never ahead of the clock, and
 * act_timer_after() adds to the clock); those timers fire on the next pass.
 * The list is kept in deadline order so that they fire in order.  It is not
 * always short (many timers armed at 0, "at once", or a schedule that fell
 * behind: every periodic catching up), and those deadlines come equal or
 * increasing, so due_last makes that case an O(1) append; only a passed
 * deadline earlier than the latest one queued walks the list.
 *
 * NOTE 3: the earliest deadline, exactly.  act_sched_timeout() needs it (a
 * foreign loop sleeps until then, in milliseconds), and above level 0 a
 * slot holds deadlines of a whole range: its start is only a bound, and
 * finding the earliest walks the slot, every timer armed a second or more
 * ahead, on every call.  So the earliest deadline is kept once known: an
 * insert lowers it, and it is forgotten when a timer with that deadline is
 * removed or fires (so any expiry); the next call walks the slot again.
 */

#else
typedef int act__wheel_unused; /* !ACT_TIMER_WHEEL: see heap.c */
#endif
