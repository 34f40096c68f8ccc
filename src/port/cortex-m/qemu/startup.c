/*
 * Start-up for the QEMU machines: the vector table, the reset handler, the
 * fault and default handlers, and the memset/memcpy that the compiler may
 * call even in a freestanding build.  Written for libactive; see board.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"

#define NVIC_ISER ((volatile uint32_t *)0xe000e100u)
#define NVIC_ISPR ((volatile uint32_t *)0xe000e200u)
#define NVIC_IPR ((volatile uint32_t *)0xe000e400u) /* word access only on ARMv6-M */

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

void board_reset(void);
static void fault(void);
static void unexpected(void);
static void irq_entry(void);

/* A vector is the initial stack pointer or a handler: a union, not a cast. */
typedef union {
    void (*handler)(void);
    uint32_t *stack;
} vector;

__attribute__((section(".vectors"), used)) static const vector vectors[16 + BOARD_NIRQ] = {
    [0] = { .stack = __stack_top },
    [1] = { .handler = board_reset },
    [2] = { .handler = unexpected },  /* NMI */
    [3] = { .handler = fault },       /* HardFault */
    [4] = { .handler = fault },       /* MemManage (ARMv7-M) */
    [5] = { .handler = fault },       /* BusFault (ARMv7-M) */
    [6] = { .handler = fault },       /* UsageFault (ARMv7-M) */
    [11] = { .handler = unexpected }, /* SVCall */
    [12] = { .handler = unexpected }, /* DebugMonitor (ARMv7-M) */
    [14] = { .handler = unexpected }, /* PendSV */
    [15] = { .handler = board_systick },
    [16] = { .handler = irq_entry }, [17] = { .handler = irq_entry },
    [18] = { .handler = irq_entry }, [19] = { .handler = irq_entry },
    [20] = { .handler = irq_entry }, [21] = { .handler = irq_entry },
    [22] = { .handler = irq_entry }, [23] = { .handler = irq_entry },
    [24] = { .handler = irq_entry }, [25] = { .handler = irq_entry },
    [26] = { .handler = irq_entry }, [27] = { .handler = irq_entry },
    [28] = { .handler = irq_entry }, [29] = { .handler = irq_entry },
    [30] = { .handler = irq_entry }, [31] = { .handler = irq_entry },
    [32] = { .handler = irq_entry }, [33] = { .handler = irq_entry },
    [34] = { .handler = irq_entry }, [35] = { .handler = irq_entry },
    [36] = { .handler = irq_entry }, [37] = { .handler = irq_entry },
    [38] = { .handler = irq_entry }, [39] = { .handler = irq_entry },
    [40] = { .handler = irq_entry }, [41] = { .handler = irq_entry },
    [42] = { .handler = irq_entry }, [43] = { .handler = irq_entry },
    [44] = { .handler = irq_entry }, [45] = { .handler = irq_entry },
    [46] = { .handler = irq_entry }, [47] = { .handler = irq_entry },
};

void board_reset(void)
{
    uint32_t *src = __data_load;

    for (uint32_t *dst = __data_start; dst < __data_end; )
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end; )
        *dst++ = 0;
    act_cm_exit(main());
}

static void fault(void)
{
    act_cm_console_write("board: hard fault\n");
    act_cm_exit(3);
}

static void unexpected(void)
{
    act_cm_console_write("board: unexpected exception\n");
    act_cm_exit(4);
}

/* The exception number is in IPSR; external interrupt n is exception 16 + n. */
static void irq_entry(void)
{
    uint32_t ipsr;

    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_irq((ipsr & 0x1ffu) - 16u);
}

__attribute__((weak)) void board_systick(void)
{
    act_cm_systick_isr();
}

__attribute__((weak)) void board_irq(uint32_t irq)
{
    (void)irq;
    unexpected();
}

void board_irq_enable(uint32_t irq, uint32_t priority)
{
    volatile uint32_t *ipr = &NVIC_IPR[irq / 4u];
    uint32_t shift = (irq % 4u) * 8u;

    *ipr = (*ipr & ~(0xffu << shift)) | ((priority & 0xffu) << shift);
    NVIC_ISER[irq / 32u] = 1u << (irq % 32u);
}

void board_irq_pend(uint32_t irq)
{
    NVIC_ISPR[irq / 32u] = 1u << (irq % 32u);
}

void board_puts(const char *s)
{
    act_cm_console_write(s);
}

void board_put_u32(uint32_t v)
{
    char buf[11];
    char *p = buf + sizeof buf - 1;

    *p = '\0';
    do {
        *--p = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    act_cm_console_write(p);
}

/* The compiler may emit calls to these for struct copies and zeroing. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n-- > 0)
        *d++ = *s++;
    return dst;
}
