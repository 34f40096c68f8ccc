/*
 * The timer queue as an intrusive pairing heap, rooted in the scheduler
 * (ACT_TIMER_WHEEL 0: the layout for small targets, one pointer in
 * act_sched).  Insert is O(1) (meld with the root); removing the root or any
 * node is O(log n) amortised.  No allocation: the node is the act_timer.
 *
 * Heap invariant: a node's deadline is <= the deadlines of all its children.
 * A node's pprev points at what points at it (its left sibling's next, or
 * its parent's child when it is the leftmost child), and its next is its
 * right sibling (NULL for the last), so unlinking needs no test of which.
 * The root's pprev and next are never read, so nothing keeps them NULL:
 * meld() sets both when a root becomes a child.  A node's links mean
 * nothing once it is unqueued (the act_timer reuses their memory).
 */
#include "queue.h"

#if !ACT_TIMER_WHEEL

static uint64_t key(const act__heap_node *n)
{
    return ACT_CONTAINER_OF(n, const act_timer, node)->deadline;
}

/* Meld two roots; ties keep @a on top, so equal deadlines keep start order more often than not. */
static act__heap_node *meld(act__heap_node *a, act__heap_node *b)
{
    if (key(b) < key(a)) {
        act__heap_node *t = a;
        a = b;
        b = t;
    }
    b->pprev = &a->child;
    b->next = a->child;
    if (a->child != NULL)
        a->child->pprev = &b->next;
    a->child = b;
    return a;
}

/* The standard two-pass merge of a sibling list into one root. */
static act__heap_node *merge_pairs(act__heap_node *first)
{
    act__heap_node *pairs = NULL; /* melded pairs, last pair first */
    act__heap_node *root = NULL;

    while (first != NULL) {
        act__heap_node *a = first;
        act__heap_node *b = a->next;
        act__heap_node *m;

        first = b != NULL ? b->next : NULL;
        m = b != NULL ? meld(a, b) : a; /* meld links the loser; the winner's next is set here */
        m->next = pairs;
        pairs = m;
    }
    while (pairs != NULL) {
        act__heap_node *next = pairs->next; /* before meld relinks it */

        root = root != NULL ? meld(root, pairs) : pairs;
        pairs = next;
    }
    return root;
}

void act__tq_insert(act_sched *s, act_timer *t, uint64_t now)
{
    (void)now;
    t->node.child = NULL; /* next and prev: a root's are unused, meld sets a child's */
    s->timers = s->timers != NULL ? meld(s->timers, &t->node) : &t->node;
}

void act__tq_remove(act_sched *s, act_timer *t)
{
    act__heap_node *n = &t->node;
    act__heap_node *sub = merge_pairs(n->child);

    if (n == s->timers) {
        s->timers = sub;
    } else {
        *n->pprev = n->next;
        if (n->next != NULL)
            n->next->pprev = n->pprev;
        if (sub != NULL)
            s->timers = meld(s->timers, sub);
    }
}

act_timer *act__tq_pop_due(act_sched *s, uint64_t now)
{
    act_timer *t;

    if (s->timers == NULL || key(s->timers) > now)
        return NULL;
    t = ACT_CONTAINER_OF(s->timers, act_timer, node);
    act__tq_remove(s, t);
    return t;
}

uint64_t act__tq_next(const act_sched *s)
{
    return s->timers != NULL ? key(s->timers) : ACT_PORT_FOREVER;
}

uint64_t act__tq_next_exact(act_sched *s)
{
    return act__tq_next(s);
}

#else
typedef int act__heap_unused; /* ACT_TIMER_WHEEL: see wheel.c */
#endif
