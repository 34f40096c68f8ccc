#include "order.h"

#include <string.h>

void log_id(struct order_log *log, int id)
{
    cr_assert_lt(log->n, 64);
    log->ids[log->n++] = id;
}

static int logged_run(fx_obj *o)
{
    struct logged *l = ACT_CONTAINER_OF(o, struct logged, o);

    log_id(l->log, l->id);
    return 0;
}

void logged_init(struct logged *l, int id, int priority, struct order_log *log)
{
    memset(l, 0, sizeof *l);
    fx_obj_init(&l->o, priority);
    l->id = id;
    l->log = log;
    l->o.on_run = logged_run;
}

void assert_log(const struct order_log *log, const int *want, int n)
{
    cr_assert_eq(log->n, n, "%d runs logged, %d expected", log->n, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(log->ids[i], want[i], "run %d was object %d, expected %d", i, log->ids[i], want[i]);
}
