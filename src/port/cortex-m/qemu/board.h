/*
 * The QEMU board support shared by the target tests and the firmware demo:
 * start-up, vector table, a software-triggered interrupt and decimal output.
 * A real board supplies its own start-up and linker script; the port itself
 * (src/port/cortex-m/port.c) needs none of this.
 */
#ifndef ACT_QEMU_BOARD_H
#define ACT_QEMU_BOARD_H

#include <stdint.h>

#include <active/cortex_m.h>

/* The processor clock QEMU gives SysTick: 25 MHz on MPS2, 16 MHz on micro:bit. */
#ifndef BOARD_CORE_HZ
#define BOARD_CORE_HZ 25000000u
#endif

/* External interrupts wired in the vector table: 0 .. BOARD_NIRQ - 1. */
#define BOARD_NIRQ 32u

/* The firmware's entry, called after .data and .bss are set up. */
int main(void);

/* Weak handlers the firmware may define.  The default SysTick handler calls
 * act_cm_systick_isr(); the default IRQ handler reports the stray interrupt
 * and exits with status 4. */
void board_systick(void);
void board_irq(uint32_t irq);

/* Enable external interrupt @irq at @priority (0 most urgent .. 255), or
 * make it pending as if its device had raised it. */
void board_irq_enable(uint32_t irq, uint32_t priority);
void board_irq_pend(uint32_t irq);

/* Console output through the port's act_cm_console_write(). */
void board_puts(const char *s);
void board_put_u32(uint32_t v);

#endif
