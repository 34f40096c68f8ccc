#include "detail.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

void assert_detail_names(const void *p)
{
    char hex[2 + 2 * sizeof(uintptr_t) + 1];

    snprintf(hex, sizeof hex, "0x%jx", (uintmax_t)(uintptr_t)p);
    cr_assert_not_null(strstr(fx_last_detail(), hex), "detail \"%s\" does not name %s",
                       fx_last_detail(), hex);
}
