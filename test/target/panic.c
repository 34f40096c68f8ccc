/*
 * The port's default panic on the target: with no handler set, misuse must
 * print "libactive panic: <rule>: <detail>" through the console and stop
 * the firmware with status 1 (make embedded checks both).  Returning from
 * main would exit with 0, which make embedded reports as a failure.
 */
#include <active.h>

#include "board.h"

int main(void)
{
    act_sched s;

    (void)act_sched_init(&s);
    act_sched_stop(&s); /* no act_sched_start level to stop: ACT_PANIC_STOP_NO_LEVEL */
    board_puts("panic test: act_sched_stop returned after misuse\n");
    return 0;
}
