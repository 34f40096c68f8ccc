/*
 * Status words: issuing, completing (here and from elsewhere) and naming
 * results.
 */
#include <errno.h>

#include "internal.h"

#ifdef ACT_SMALL_STRINGS
/* Firmware option (doc/porting.md): the results the core, the timers and a
 * firmware port give, by name only. */
static const struct {
    int err;
    const char *text;
} errors[] = {
    { ECANCELED, "ECANCELED" }, { ETIMEDOUT, "ETIMEDOUT" }, { EBUSY, "EBUSY" },
    { EINVAL, "EINVAL" },       { ENOSYS, "ENOSYS" },       { ENOMEM, "ENOMEM" },
    { EIO, "EIO" },
};
#else
static const struct {
    int err;
    const char *text;
} errors[] = {
    { ECANCELED, "ECANCELED: operation cancelled" },
    { ETIMEDOUT, "ETIMEDOUT: timed out" },
    { EBUSY, "EBUSY: provider busy with another request" },
    { EPIPE, "EPIPE: broken pipe" },
    { ECONNRESET, "ECONNRESET: connection reset by peer" },
    { ECONNREFUSED, "ECONNREFUSED: connection refused" },
    { ECONNABORTED, "ECONNABORTED: connection aborted" },
    { ENOTCONN, "ENOTCONN: not connected" },
    { EADDRINUSE, "EADDRINUSE: address in use" },
    { EADDRNOTAVAIL, "EADDRNOTAVAIL: address not available" },
    { ENETUNREACH, "ENETUNREACH: network unreachable" },
    { EHOSTUNREACH, "EHOSTUNREACH: host unreachable" },
    { EINVAL, "EINVAL: invalid argument" },
    { EBADF, "EBADF: bad file descriptor" },
    { EAGAIN, "EAGAIN: resource temporarily unavailable" },
    { EINTR, "EINTR: interrupted" },
    { ENOMEM, "ENOMEM: out of memory" },
    { EMFILE, "EMFILE: too many open files" },
    { ENFILE, "ENFILE: too many open files in system" },
    { ENOSPC, "ENOSPC: no space left on device" },
    { EIO, "EIO: input/output error" },
    { ENOENT, "ENOENT: no such file or directory" },
    { EACCES, "EACCES: permission denied" },
    { EPERM, "EPERM: operation not permitted" },
    { EISDIR, "EISDIR: is a directory" },
    { ENOSYS, "ENOSYS: not supported by this port" },
    { EFAULT, "EFAULT: bad address" },
    { EMSGSIZE, "EMSGSIZE: message too long" },
    { ENOTSOCK, "ENOTSOCK: not a socket" },
    { EAFNOSUPPORT, "EAFNOSUPPORT: address family not supported" },
    { EOPNOTSUPP, "EOPNOTSUPP: operation not supported" },
    { EDESTADDRREQ, "EDESTADDRREQ: destination address required" },
    { EISCONN, "EISCONN: already connected" },
    { ENAMETOOLONG, "ENAMETOOLONG: name too long" },
    { ENOBUFS, "ENOBUFS: no buffer space available" },
    { ENXIO, "ENXIO: no such device or address" },
};
#endif

const char *act_strerror(int result)
{
    if (result == ACT_PENDING)
        return "pending";
    if (result >= 0)
        return "success";
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (-result == errors[i].err)
            return errors[i].text;
    }
    return "unknown error";
}

bool act__status_issue(act_status *s)
{
    if (act__status_free(s)) {
        act__status_take(s);
        return true;
    }
    act__panic(ACT_PANIC_STATUS_IN_USE, "request issued on status @, which is pending or its object active", s);
    return false;
}

void act_status_set_pending(act_status *s)
{
    (void)act__status_issue(s);
}

bool act_status_pending(const act_status *s)
{
    return act_port_load_i32(&s->result) == ACT_PENDING;
}

int act_status_result(const act_status *s)
{
    return act_port_load_i32(&s->result);
}

void act_complete(act_status *s, int result)
{
    act_object *ao;

    if (result == ACT_PENDING) {
        act__panic(ACT_PANIC_BAD_RESULT, "status @ completed with ACT_PENDING", s);
        return;
    }
    if (s->result != ACT_PENDING) {
        act__stray("status @ completed but not pending (completed twice, or never issued)", s);
        return;
    }
    if ((s->kind & ACT__OBJ) == 0) {
        s->result = result;
        return;
    }
    ao = act__status_object(s);
    if (ao->sched == NULL) {
        /* before storing: a panic handler that returns leaves the call undone */
        act__stray("object @ completed but never added", ao);
        return;
    }
    s->result = result;
    act__ready_insert(ao->sched, ao);
}

/*
 * The remote stack is a Treiber stack of object links: producers push with
 * compare-and-swap, the scheduler takes the whole stack with one swap, so
 * there is no ABA problem.  The push that makes the stack non-empty wakes the
 * scheduler; later pushes ride on that wake.  See NOTE 1.
 */
void act_complete_remote(act_sched *sched, act_status *s, int result)
{
    /* read before the CAS: once the result is stored, a bare status's waiter may free it */
    bool obj = (s->kind & ACT__OBJ) != 0;

    /* an object's completion sent to a scheduler it is not added to (or to none) is a stray: it would
     * be queued and run there, and its owner's cancel would look for it in its own queue */
    if (obj && act__status_object(s)->sched != sched)
        result = ACT_PENDING; /* the stray path below, without a second CAS call in the code */
    if (result == ACT_PENDING || !act_port_cas_i32(&s->result, ACT_PENDING, result)) {
        (void)act_port_swap_ptr((void **)&sched->stray, s);
        act_port_wake(sched);
        return;
    }
    if (!obj) {
        act_port_wake(sched);
        return;
    }
    act__link *node = &act__status_object(s)->link;
    act__link *head;
    do {
        head = *(act__link *volatile *)&sched->remote; /* validated by the CAS */
        node->next = head;
    } while (!act_port_cas_ptr((void **)&sched->remote, head, node));
    if (head == NULL)
        act_port_wake(sched);
}

/*
 * NOTE 1: ordering.  The result is stored (by the successful CAS) before the
 * object's link is published on the stack, and the stack is taken with a
 * swap, both full barriers, so the scheduler that finds the object on the
 * stack also sees its result.  A bare status has no link: its waiter re-reads
 * the result after every wake with act_port_load_i32().
 */
