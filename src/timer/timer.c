/*
 * The timer queue: an intrusive pairing heap ordered by deadline, rooted in
 * the scheduler.  Insert is O(1) (meld with the root); removing the root or
 * any node is O(log n) amortised.  No allocation: the node is the act_timer.
 *
 * Heap invariant: a node's deadline is <= the deadlines of all its children.
 * A node's prev is its left sibling, or its parent when it is the leftmost
 * child; the root's prev and next are NULL.
 */
#include <errno.h>

#include "../core/internal.h"

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
    b->prev = a;
    b->next = a->child;
    if (a->child != NULL)
        a->child->prev = b;
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
        a->prev = a->next = NULL;
        if (b != NULL) {
            b->prev = b->next = NULL;
            m = meld(a, b);
        } else {
            m = a;
        }
        m->next = pairs;
        pairs = m;
    }
    while (pairs != NULL) {
        act__heap_node *next = pairs->next;

        pairs->next = NULL;
        root = root != NULL ? meld(root, pairs) : pairs;
        pairs = next;
    }
    return root;
}

static void heap_remove(act_sched *s, act__heap_node *n)
{
    act__heap_node *sub = merge_pairs(n->child);

    if (n == s->timers) {
        s->timers = sub;
    } else {
        if (n->prev->child == n)
            n->prev->child = n->next;
        else
            n->prev->next = n->next;
        if (n->next != NULL)
            n->next->prev = n->prev;
        if (sub != NULL)
            s->timers = meld(s->timers, sub);
    }
    n->child = n->next = n->prev = NULL;
}

uint64_t act__timers_next(const act_sched *s)
{
    return s->timers != NULL ? key(s->timers) : ACT_PORT_FOREVER;
}

void act__timers_expire(act_sched *s)
{
    uint64_t now;

    if (s->timers == NULL)
        return;
    now = act_port_now_usec();
    while (s->timers != NULL && key(s->timers) <= now) {
        act_timer *t = ACT_CONTAINER_OF(s->timers, act_timer, node);
        act_status *st = t->status;

        heap_remove(s, &t->node);
        t->status = NULL;
        act_complete(st, 0);
    }
}

uint64_t act_now_usec(void)
{
    return act_port_now_usec();
}

int act_timer_init(act_timer *t, act_sched *s)
{
    if (t == NULL || s == NULL)
        return -EINVAL;
    t->node.child = t->node.next = t->node.prev = NULL;
    t->deadline = 0;
    t->status = NULL;
    t->sched = s;
    return 0;
}

void act_timer_fini(act_timer *t)
{
    act_timer_cancel(t);
}

void act_timer_at(act_timer *t, act_status *st, uint64_t deadline)
{
    if (!act__status_issue(st))
        return;
    if (t->status != NULL) {
        act_complete(st, -EBUSY);
        return;
    }
    t->status = st;
    t->deadline = deadline;
    t->node.child = t->node.next = t->node.prev = NULL;
    act_sched *s = t->sched;
    s->timers = s->timers != NULL ? meld(s->timers, &t->node) : &t->node;
}

void act_timer_after(act_timer *t, act_status *st, uint64_t usec)
{
    uint64_t now = act_port_now_usec();
    uint64_t deadline = usec > ACT_PORT_FOREVER - 1 - now ? ACT_PORT_FOREVER - 1 : now + usec;

    act_timer_at(t, st, deadline);
}

void act_timer_cancel(act_timer *t)
{
    act_status *st = t->status;

    if (st == NULL)
        return;
    heap_remove(t->sched, &t->node);
    t->status = NULL;
    act_complete(st, -ECANCELED);
}

bool act_timer_armed(const act_timer *t)
{
    return t->status != NULL;
}
