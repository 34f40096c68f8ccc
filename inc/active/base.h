/**
 * DOC: libactive base definitions
 *
 * Shared by every module: the export macro, ACT_CONTAINER_OF, the forward
 * declarations of the core types and the private intrusive node types that
 * public (caller-allocated) structs embed.  Nothing here is a function.
 */
#ifndef ACTIVE_BASE_H
#define ACTIVE_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(ACT_BUILDING) && defined(__GNUC__)
#define ACT_API __attribute__((visibility("default")))
#else
#define ACT_API
#endif

/**
 * ACT_CONTAINER_OF - the struct that embeds @ptr as its @member
 * @ptr:    pointer to the member
 * @type:   the enclosing struct type
 * @member: the member's name in @type
 *
 * Checks in pure C11 that @ptr points to the type of @member: the comparison
 * inside sizeof is never evaluated, but comparing distinct pointer types does
 * not compile cleanly.
 */
#define ACT_CONTAINER_OF(ptr, type, member)                                   \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member) +                \
                      0 * sizeof((ptr) == &((type *)0)->member)))

typedef struct act_status act_status;
typedef struct act_object act_object;
typedef struct act_sched act_sched;

/* private: intrusive nodes; only the library touches them. */
typedef struct act__link {
    struct act__link *next; /* NULL at the end */
} act__link;

typedef struct act__heap_node {
    struct act__heap_node *child; /* leftmost child */
    struct act__heap_node *next;  /* right sibling */
    struct act__heap_node *prev;  /* left sibling, or parent for a leftmost child */
} act__heap_node;

#endif
