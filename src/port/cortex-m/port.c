/*
 * The Cortex-M port: single core, no OS, ARMv6-M and ARMv7-M.
 *
 * Atomics are critical sections (PRIMASK, or BASEPRI with ACT_CM_BASEPRI on
 * ARMv7-M): C11 atomics do not link on ARMv6-M, and on one core masking the
 * interrupts that may complete requests is all the atomicity there is to
 * get.  See NOTE 1 for why no barrier instruction is needed.
 *
 * s->port[P_WAKE] is the wake flag: set by act_port_wake() from any context,
 * cleared by act_port_wait() with interrupts masked.  The other three words
 * are unused.
 */
#include <errno.h>

#include <active.h>
#include <active/cortex_m.h>
#include <active/port.h>

#if !defined(__ARM_ARCH_6M__) && !defined(__ARM_ARCH_7M__) && !defined(__ARM_ARCH_7EM__)
#error "the Cortex-M port needs an ARMv6-M or ARMv7-M target (-mthumb -mcpu=cortex-m...)"
#endif
#if defined(ACT_CM_BASEPRI) && defined(__ARM_ARCH_6M__)
#error "ACT_CM_BASEPRI needs ARMv7-M: ARMv6-M has no BASEPRI"
#endif
#if defined(ACT_CM_BASEPRI) && ((ACT_CM_BASEPRI) < 1 || (ACT_CM_BASEPRI) > 255)
#error "ACT_CM_BASEPRI must be 1..255: BASEPRI 0 masks nothing, and the critical sections would not be"
#endif

enum { P_WAKE };

/* The budgets of the design contract (doc/porting.md, "Footprint"), checked wherever the port is built. */
_Static_assert(sizeof(act_object) <= 24, "act_object must fit 24 bytes on 32-bit");
_Static_assert(sizeof(act_sched) <= 64, "act_sched must fit 64 bytes on 32-bit");

/* System control space registers (ARMv6-M / ARMv7-M architecture manuals). */
#define SCS_REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR SCS_REG(0xe000e010u)  /* SysTick control and status */
#define SYST_RVR SCS_REG(0xe000e014u)  /* reload value */
#define SYST_CVR SCS_REG(0xe000e018u)  /* current value, counts down */
#define SCB_ICSR SCS_REG(0xe000ed04u)  /* interrupt control and state */
#define SCB_SHPR3 SCS_REG(0xe000ed20u) /* priorities of PendSV and SysTick (word access on v6-M) */

#define CSR_ENABLE 1u
#define CSR_TICKINT 2u
#define CSR_CLKSOURCE 4u          /* the processor clock */
#define ICSR_PENDSTSET (1u << 26) /* SysTick is pending */
#define ICSR_PENDSTCLR (1u << 25) /* write 1: SysTick no longer pending */

static act_sched *current;

/* The clock: the time at the last tick, advanced only with interrupts masked. */
static uint64_t clock_usec;
static uint64_t last_now;     /* the latest act_port_now_usec(): it never goes back */
static uint32_t tick_usec;    /* SysTick only: microseconds a tick */
static uint32_t tick_counts;  /* SysTick only: counts a tick (reload + 1); 0: no interpolation */
static uint32_t usec_per_cnt; /* SysTick only: microseconds a count, Q16 fixed point, rounded down */

/* Enter a critical section; returns what cs_leave() restores (they nest). */
static inline uint32_t cs_enter(void)
{
    uint32_t saved;

#ifdef ACT_CM_BASEPRI
    __asm__ volatile("mrs %0, basepri\n\t"
                     "msr basepri_max, %1"
                     : "=&r"(saved)
                     : "r"((uint32_t)(ACT_CM_BASEPRI))
                     : "memory");
#else
    __asm__ volatile("mrs %0, primask\n\t"
                     "cpsid i"
                     : "=r"(saved)
                     :
                     : "memory");
#endif
    return saved;
}

static inline void cs_leave(uint32_t saved)
{
#ifdef ACT_CM_BASEPRI
    __asm__ volatile("msr basepri, %0" : : "r"(saved) : "memory");
#else
    __asm__ volatile("msr primask, %0" : : "r"(saved) : "memory");
#endif
}

int act_cm_systick_start(uint32_t core_hz, uint32_t tick_hz)
{
    uint32_t usec, counts;

    if (tick_hz == 0 || 1000000u % tick_hz != 0 || core_hz / tick_hz == 0)
        return -EINVAL;
    usec = 1000000u / tick_hz;
    counts = core_hz / tick_hz;
    if (counts * tick_hz != core_hz)
        counts++; /* a tick no shorter than usec: the clock never runs ahead */
    if (usec > 0xffffu || counts < 2u || counts > (1u << 24))
        return -EINVAL; /* a reload of 0 stops SysTick */
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR; /* a tick of what ran before is none of this clock's */
    tick_counts = 0;
    tick_usec = usec;
    usec_per_cnt = (usec << 16) / counts;
    SCB_SHPR3 |= 0xffu << 24; /* lowest priority: masked by any ACT_CM_BASEPRI */
    SYST_RVR = counts - 1u;
    SYST_CVR = 0;
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT | CSR_ENABLE;
    for (int n = 0; n < 1000 && SYST_CVR == 0; n++) {
        /* the first reload comes on the next count; until then 0 means nothing */
    }
    tick_counts = counts; /* now the counter may be interpolated: NOTE 3 */
    return 0;
}

void act_cm_tick(uint32_t usec)
{
    uint32_t saved = cs_enter();

    clock_usec += usec;
    cs_leave(saved);
}

void act_cm_systick_isr(void)
{
    act_cm_tick(tick_usec);
}

/*
 * The time at the last tick plus the SysTick counts since, read in one
 * critical section.  A tick that is pending but not yet taken is counted
 * here, so the clock never goes backwards; see NOTE 3.
 */
uint64_t act_port_now_usec(void)
{
    uint32_t saved = cs_enter();
    uint64_t now = clock_usec;

    if (tick_counts != 0) {
        uint32_t cnt = SYST_CVR;
        uint32_t elapsed = tick_counts - cnt; /* counts since the last tick */

        if (SCB_ICSR & ICSR_PENDSTSET) {
            cnt = SYST_CVR;
            now += tick_usec;
            elapsed = cnt == 0 ? 0 : tick_counts - cnt;
        }
        now += (elapsed * usec_per_cnt) >> 16;
    }
    if (now < last_now)
        now = last_now; /* an emulator's SysTick lagging its own counter */
    last_now = now;
    cs_leave(saved);
    return now;
}

int act_port_init(act_sched *s)
{
    for (int i = 0; i < 4; i++)
        s->port[i] = 0;
    return 0;
}

void act_port_fini(act_sched *s)
{
    (void)s;
}

/*
 * The idle rule: with every interrupt masked, check the wake flag and the
 * deadline, and only then sleep.  WFI wakes on an interrupt that becomes
 * pending even while PRIMASK masks it; unmasking then runs its handler.  A
 * completion can therefore not land between the check and the sleep: it
 * either set the flag before the check or keeps WFI from sleeping.
 */
int act_port_wait(act_sched *s, uint64_t deadline)
{
    volatile intptr_t *wake = &s->port[P_WAKE];
    uint32_t saved;

    __asm__ volatile("mrs %0, primask\n\t"
                     "cpsid i"
                     : "=r"(saved)
                     :
                     : "memory");
    while (*wake == 0 && deadline != 0 && act_port_now_usec() < deadline) {
        __asm__ volatile("dsb\n\t"
                         "wfi\n\t"
                         "cpsie i\n\t"  /* the handler of what woke us runs here */
                         "isb\n\t"
                         "cpsid i"
                         :
                         :
                         : "memory");
    }
    *wake = 0;
    __asm__ volatile("msr primask, %0" : : "r"(saved) : "memory");
    return 0;
}

void act_port_wake(act_sched *s)
{
    ((volatile intptr_t *)s->port)[P_WAKE] = 1;
}

bool act_port_has_io(const act_sched *s)
{
    (void)s;
    return false;
}

int act_port_fd(const act_sched *s)
{
    (void)s;
    return -ENOSYS;
}

act_sched *act_port_current(void)
{
    return current;
}

void act_port_set_current(act_sched *s)
{
    current = s;
}

bool act_port_cas_ptr(void **p, void *expect, void *desire)
{
    uint32_t saved = cs_enter();
    bool swapped = *p == expect;

    if (swapped)
        *p = desire;
    cs_leave(saved);
    return swapped;
}

void *act_port_swap_ptr(void **p, void *v)
{
    uint32_t saved = cs_enter();
    void *old = *p;

    *p = v;
    cs_leave(saved);
    return old;
}

bool act_port_cas_i32(int32_t *p, int32_t expect, int32_t desire)
{
    uint32_t saved = cs_enter();
    bool swapped = *p == expect;

    if (swapped)
        *p = desire;
    cs_leave(saved);
    return swapped;
}

int32_t act_port_load_i32(const int32_t *p)
{
    int32_t v = *(const volatile int32_t *)p; /* an aligned word load is single-copy atomic */

    __asm__ volatile("" : : : "memory"); /* acquire: later accesses stay after it */
    return v;
}

/* Semihosting: the operation in r0, its argument block in r1, then BKPT 0xAB. */
enum { SYS_WRITE0 = 0x04, SYS_EXIT_EXTENDED = 0x20 };
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static void semihost(uint32_t op, const void *arg)
{
    __asm__ volatile("mov r0, %0\n\t"
                     "mov r1, %1\n\t"
                     "bkpt 0xab"
                     :
                     : "r"(op), "r"(arg)
                     : "r0", "r1", "memory");
}

__attribute__((weak)) void act_cm_console_write(const char *s)
{
    semihost(SYS_WRITE0, s);
}

__attribute__((weak)) _Noreturn void act_cm_exit(int status)
{
    uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };

    semihost(SYS_EXIT_EXTENDED, block);
    for (;;)
        __asm__ volatile("wfi");
}

_Noreturn void act_port_panic(const char *rule, const char *detail)
{
    act_cm_console_write("libactive panic: ");
    act_cm_console_write(rule);
    act_cm_console_write(": ");
    act_cm_console_write(detail);
    act_cm_console_write("\n");
    act_cm_exit(1);
}

/*
 * NOTE 3: reading SysTick.  A tick is reload + 1 counts: the counter goes
 * reload, ..., 1, 0, and reaching 0 is the tick (the interrupt becomes
 * pending); the reload comes on the next count.  So with the tick pending,
 * 0 means no count yet into the new tick; without it (the counter may show
 * 0 a moment before the interrupt is pending, as QEMU's does) it means the
 * whole tick has passed, which is the same instant.  Right after
 * act_cm_systick_start() the counter reads 0 until its first reload without
 * any tick, so interpolation waits for that.  The result never exceeds the
 * next tick's value, as usec_per_cnt is rounded down.  On a real SysTick
 * this is monotonic by itself; QEMU without -icount drives the counter and
 * the interrupt from host timers that need not agree (steps back of up to
 * half a tick were seen), hence last_now.
 *
 * NOTE 1: why the critical sections carry no DMB.  On a single-core
 * Cortex-M the only other observers of memory are the interrupt handlers
 * of the same core, which see its accesses in program order; the "memory"
 * clobbers keep the compiler from moving accesses across the masking.  A
 * multi-core part (or DMA reading a status word) would need DMB here.
 *
 * NOTE 2: BASEPRI and the Cortex-M7 r0p1 erratum 837070 (BASEPRI writes
 * may not take effect at once): boards with that core should keep PRIMASK.
 */
