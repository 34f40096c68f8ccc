/*
 * Internal to src/io: the thread's reserve descriptor, which lets a
 * listening socket shed a connection when the process is out of
 * descriptors (reserve.c, NOTE 1).  act_socket is its only user.
 */
#ifndef ACT_IO_RESERVE_H
#define ACT_IO_RESERVE_H

#include <stdbool.h>

/*
 * A listening socket opens on this thread: hold the reserve, opening it
 * when no listening socket held it.  Returns 0, or -errno from open(2)
 * (-EMFILE, -ENFILE): the caller must not listen then.
 */
int act__reserve_hold(void);

/* A listening socket of this thread closed: the last one closes the reserve. */
void act__reserve_release(void);

/*
 * accept4() on @listener failed with EMFILE or ENFILE.  When a connection
 * waits, reset it through the reserve's slot and return true (the accept
 * reports the error); else return false and shed nothing (the accept keeps
 * waiting: Linux reports EMFILE even with an empty queue).
 */
bool act__reserve_shed(int listener);

#endif
