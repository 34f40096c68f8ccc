/*
 * The ready queue: completed objects in dispatch order, one sorted, singly
 * linked list (NOTE 1).  act__ready_insert() is inline in internal.h and
 * dispatch pops the head itself (sched.c), unless ACT_OPTIMIZE_SIZE (the
 * default under -Os) calls the functions here instead.
 */
#include "internal.h"

/*
 * Link @ao after @pos and after every ready object behind @pos of @ao's
 * priority or higher: sorted by priority, highest first, and by completion
 * within a priority.  @pos is the head, or the tail when @ao ranks no
 * higher than it (no walk then: the tail's next is NULL).
 */
static void insert_from(act_sched *s, act_object *ao, act__link *pos)
{
    int prio = act__object_prio(ao);

    while (pos->next != NULL && act__object_prio(act__link_object(pos->next)) >= prio)
        pos = pos->next;
    ao->link.next = pos->next;
    pos->next = &ao->link;
#if ACT_OPTIMIZE_SIZE
    if (s->ready_tail == pos) /* appended: the walk started at the tail */
        s->ready_tail = &ao->link;
#else
    /* only when @ao outranks the tail (act__ready_insert()), so the walk stops before it */
    if (ao->link.next == s->ready_tail)
        s->ready_tail_prev = &ao->link;
#endif
    ao->status.kind = ACT__OBJ | ACT__QUEUED;
}

#if ACT_OPTIMIZE_SIZE
void act__ready_insert(act_sched *s, act_object *ao)
{
    act__link *tail = s->ready_tail;

    if (tail != &s->ready && act__object_prio(act__link_object(tail)) < act__object_prio(ao))
        tail = &s->ready;
    insert_from(s, ao, tail);
}
#else
/* Only act__ready_insert() calls it, when @ao outranks the tail. */
void act__ready_insert_sorted(act_sched *s, act_object *ao)
{
    insert_from(s, ao, &s->ready);
}
#endif

/*
 * Unlink a queued object, on cancel and waits: O(objects ahead of it),
 * except the last one (what act_cancel() finds when do_cancel completed the
 * request): O(1) unless ACT_OPTIMIZE_SIZE.  With ACT_OPTIMIZE_SIZE dispatch
 * unlinks the first through here too: O(1).
 */
void act__ready_remove(act_sched *s, act_object *ao)
{
    act__link *pos = &s->ready;

    if ((ao->status.kind & ACT__QUEUED) == 0)
        return;
#if !ACT_OPTIMIZE_SIZE
    if (&ao->link == s->ready_tail && s->ready_tail_prev != NULL)
        pos = s->ready_tail_prev;
#endif
    while (pos->next != &ao->link)
        pos = pos->next;
    pos->next = ao->link.next;
#if ACT_OPTIMIZE_SIZE
    if (s->ready_tail == &ao->link)
        s->ready_tail = pos;
#else
    if (s->ready_tail == &ao->link) {
        s->ready_tail = pos;
        s->ready_tail_prev = NULL;
    } else if (s->ready_tail_prev == &ao->link) {
        s->ready_tail_prev = pos;
    }
#endif
    ao->status.kind = ACT__OBJ;
}

/*
 * NOTE 1: why one sorted, singly linked list and not an array of
 * per-priority queues.  Priorities are any int16, and act_sched must stay
 * small enough for firmware (64 bytes on 32-bit), so there is no room for a
 * table of levels.  An object that ranks no higher than the last ready one
 * goes last in O(1): always so when every ready object shares a priority.
 * One that outranks it walks from the head over the ready objects of higher
 * or equal priority.  Dispatch pops the head: O(1); it never looks at
 * objects that are merely added.  One link a node instead of two keeps
 * act_object at 32 bytes on 64-bit (libev's smallest watcher is 32, the
 * memory budget of issue 5): the price is that unlinking an object from the
 * middle (act_cancel() or act_wait_for_request() on a completed but
 * undelivered request) walks the ready objects ahead of it.  The common
 * case, act_cancel() whose do_cancel completes the request at once, finds
 * the object last and unlinks it in O(1) through s->ready_tail_prev.
 * With ACT_OPTIMIZE_SIZE that pointer is neither kept nor read (36 bytes
 * of Thumb-2): unlinking walks from the head every time, over a queue that
 * on firmware holds a few objects at most.
 */
