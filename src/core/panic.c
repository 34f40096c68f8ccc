/*
 * Panics: one process-wide handler.  The default is the port's (print and
 * abort); the detail is formatted here without stdio so the core stays
 * freestanding.
 */
#include "internal.h"

/* One struct: one address to load where the handler is called. */
static struct {
    act_panic_fn fn;
    void *arg;
} handler;

/* "0x" and the most hex digits of a pointer, and the NUL. */
enum { HEX_MAX = 2 + 2 * sizeof(uintptr_t) + 1 };

void act_set_panic_handler(act_panic_fn fn, void *arg)
{
    handler.fn = fn;
    handler.arg = arg;
}

/*
 * Writes "0x" and @v in lower-case hex so that they end just before @end;
 * returns where they start.  Digits by arithmetic, not a table: no rodata.
 */
static char *hex_before(char *end, uintptr_t v)
{
    do {
        unsigned d = (unsigned)(v & 15u);

        *--end = (char)(d < 10u ? '0' + d : 'a' - 10u + d);
        v >>= 4;
    } while (v != 0);
    *--end = 'x';
    *--end = '0';
    return end;
}

static void raise_panic(const char *rule, const char *detail)
{
    if (handler.fn == NULL)
        act_port_panic(rule, detail);
    handler.fn(rule, detail, handler.arg);
}

#ifdef ACT_SMALL_STRINGS
void act__panic_at(const void *ptr, const char *rule)
{
    char detail[HEX_MAX];

    detail[HEX_MAX - 1] = '\0';
    raise_panic(rule, hex_before(&detail[HEX_MAX - 1], (uintptr_t)ptr));
}

void act__stray_at(const void *ptr)
{
    act__panic_at(ptr, ACT_PANIC_STRAY_SIGNAL);
}
#else
void act__panic(const char *rule, const char *msg, const void *ptr)
{
    char detail[160];
    char hex[HEX_MAX];
    char *out = detail;
    const char *end = detail + sizeof detail - 1;

    hex[HEX_MAX - 1] = '\0';
    for (; *msg != '\0' && out < end; msg++) {
        if (*msg != '@') {
            *out++ = *msg;
            continue;
        }
        for (const char *h = hex_before(&hex[HEX_MAX - 1], (uintptr_t)ptr); *h != '\0' && out < end; h++)
            *out++ = *h;
    }
    *out = '\0';
    raise_panic(rule, detail);
}
#endif
