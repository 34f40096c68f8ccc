#include "io.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>

static int obj_run(act_object *ao)
{
    io_obj *o = ACT_CONTAINER_OF(ao, io_obj, base);

    o->runs++;
    o->last = act_status_result(act_object_status(ao));
    return o->on_run != NULL ? o->on_run(o) : 0;
}

static void obj_cancel(act_object *ao)
{
    io_obj *o = ACT_CONTAINER_OF(ao, io_obj, base);

    if (o->write)
        act_pipe_cancel_write(o->pipe);
    else
        act_pipe_cancel_read(o->pipe);
}

void io_obj_init(io_obj *o, act_pipe *p, bool write)
{
    static const act_object_ops ops = { obj_run, obj_cancel, NULL };

    *o = (io_obj){ .pipe = p, .write = write };
    act_object_init(&o->base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &o->base);
}

static int wait_run(act_object *ao)
{
    io_wait *o = ACT_CONTAINER_OF(ao, io_wait, base);

    o->runs++;
    o->last = act_status_result(act_object_status(ao));
    return 0;
}

static void wait_cancel(act_object *ao)
{
    act_fd_cancel(ACT_CONTAINER_OF(ao, io_wait, base)->fd);
}

void io_wait_init(io_wait *o, act_fd *fd)
{
    static const act_object_ops ops = { wait_run, wait_cancel, NULL };

    *o = (io_wait){ .fd = fd };
    act_object_init(&o->base, &ops, ACT_PRIORITY_STANDARD);
    act_sched_add(fx_sched(), &o->base);
}

void io_run_until(const int *runs, int want)
{
    while (*runs < want)
        cr_assert_geq(act_sched_run_once(fx_sched(), 0), 0);
}

void io_poll(int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_geq(act_sched_run_once(fx_sched(), ACT_RUN_NOWAIT), 0);
}

int io_fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    cr_assert_not_null(d);
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

unsigned io_epoll_events(int fd)
{
    char path[64], line[256];
    unsigned events = 0;
    int tfd;
    unsigned ev;
    FILE *f;

    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", act_sched_fd(fx_sched()));
    f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "tfd: %d events: %x", &tfd, &ev) == 2 && tfd == fd)
            events = ev & ~(unsigned)(EPOLLERR | EPOLLHUP); /* the kernel adds these */
    }
    fclose(f);
    return events;
}

bool io_raise_nofile(long n)
{
    struct rlimit rl;

    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur >= (rlim_t)n)
        return true;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n)
        return false;
    rl.rlim_cur = (rlim_t)n;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

int io_pty_master(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);

    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    return master;
}

char *io_big_buffer(void)
{
    void *p = mmap(NULL, IO_BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    cr_assert_neq(p, MAP_FAILED);
    return p;
}
