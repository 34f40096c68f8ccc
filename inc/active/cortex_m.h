/**
 * DOC: the Cortex-M port's board interface (firmware only)
 *
 * What firmware calls to give the Cortex-M port (src/port/cortex-m/) its
 * time base, and what a board may override.  The port runs on ARMv6-M
 * (Cortex-M0/M0+) and ARMv7-M (Cortex-M3/M4/M7), single core, no OS, one
 * scheduler (the current scheduler is one global).
 *
 * Time: either SysTick (act_cm_systick_start(), with act_cm_systick_isr() in
 * the SysTick vector), or a tick source of the board's own: its interrupt
 * calls act_cm_tick() with the microseconds that passed.  With SysTick the
 * clock interpolates between ticks from the SysTick counter; with a board
 * tick source its resolution is the tick.  The clock never runs ahead of
 * real time, so a timer never fires early.
 *
 * Critical sections: PRIMASK by default (every maskable interrupt is held
 * off for a few instructions, so an interrupt of any priority may complete
 * requests).  Built with -DACT_CM_BASEPRI=<priority> on ARMv7-M, they raise
 * BASEPRI instead: interrupts of a numerically lower (more urgent) priority
 * than ACT_CM_BASEPRI keep running during them, and must then never call
 * libactive (not even act_now_usec()).  The idle wait always uses PRIMASK
 * for its sleep step, as WFI ignores PRIMASK but not BASEPRI when it wakes.
 *
 * Console and exit: semihosting by default (QEMU, or a debugger attached);
 * a board without a debugger overrides the two weak functions below, since
 * a semihosting call with no debugger faults.
 */
#ifndef ACTIVE_CORTEX_M_H
#define ACTIVE_CORTEX_M_H

#include "base.h"

/**
 * act_cm_systick_start() - run the clock from SysTick
 * @core_hz: the processor clock feeding SysTick (CLKSOURCE = processor)
 * @tick_hz: interrupts a second; 1000000 / @tick_hz must be a whole number of
 *           microseconds between 1 and 65535, and @core_hz / @tick_hz
 *           (rounded up) between 2 and 2^24
 *
 * Programs SysTick for @tick_hz interrupts at the lowest priority and starts
 * it; put act_cm_systick_isr() in the SysTick vector (or call it from the
 * handler there).  When @tick_hz does not divide @core_hz, a tick is
 * rounded up to whole counts, so the clock runs slow by under a count a
 * tick, never fast.  A SysTick left pending by earlier code is discarded.
 * Context: thread mode, once at start-up, before the scheduler runs.
 * Return: 0, or -EINVAL when the rates do not fit SysTick.
 */
ACT_API int act_cm_systick_start(uint32_t core_hz, uint32_t tick_hz);

/**
 * act_cm_systick_isr() - the SysTick interrupt: advance the clock one tick
 * Context: the SysTick handler only.
 */
ACT_API void act_cm_systick_isr(void);

/**
 * act_cm_tick() - advance the clock by @usec from a board tick source
 * @usec: microseconds since the previous call
 *
 * For boards that keep time with a peripheral (an RTC, a low-power timer)
 * instead of SysTick; do not mix with act_cm_systick_start().
 * Context: the tick interrupt (any priority that may call libactive).
 */
ACT_API void act_cm_tick(uint32_t usec);

/**
 * act_cm_console_write() - write a NUL-terminated string to the console
 * @s: the string
 *
 * Used by the default panic.  Weak: the default writes through semihosting
 * (SYS_WRITE0); a board overrides it to write to a UART.
 * Context: any, including interrupts and a panic.
 */
ACT_API void act_cm_console_write(const char *s);

/**
 * act_cm_exit() - stop the firmware with @status
 * @status: 0 success, anything else failure
 *
 * Used by the default panic with status 1.  Weak: the default reports
 * @status to the host through semihosting (SYS_EXIT_EXTENDED) and then
 * sleeps forever; a board overrides it to reset or halt.
 * Context: any.  Never returns.
 */
ACT_API _Noreturn void act_cm_exit(int status);

#endif
