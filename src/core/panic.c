/*
 * Panics: one process-wide handler.  The default is the port's (print and
 * abort); the detail is formatted here without stdio so the core stays
 * freestanding.
 */
#include "internal.h"

static act_panic_fn panic_fn;
static void *panic_arg;

void act_set_panic_handler(act_panic_fn fn, void *arg)
{
    panic_fn = fn;
    panic_arg = arg;
}

/* Appends "0x" and @v in hex to @out; returns the new end. */
static char *put_hex(char *out, const char *end, uintptr_t v)
{
    char digits[2 * sizeof v];
    int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    } while (v != 0 && n < (int)sizeof digits);
    if (out < end)
        *out++ = '0';
    if (out < end)
        *out++ = 'x';
    while (n > 0 && out < end)
        *out++ = digits[--n];
    return out;
}

void (act__panic)(const char *rule, const char *msg, const void *ptr) /* () : see internal.h */
{
    char detail[160];
    char *out = detail;
    const char *end = detail + sizeof detail - 1;

    for (; *msg != '\0' && out < end; msg++) {
        if (*msg == '@')
            out = put_hex(out, end, (uintptr_t)ptr);
        else
            *out++ = *msg;
    }
    *out = '\0';
    if (panic_fn == NULL)
        act_port_panic(rule, detail);
    panic_fn(rule, detail, panic_arg);
}
