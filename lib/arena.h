/* SPDX-License-Identifier: MIT */
/* arena.h: per-request memory. Everything a request allocates comes from
 * its arena and goes at once with arena_reset() after the response;
 * non-memory resources (jansson roots, result sets, files) register a
 * cleanup that runs then, in reverse order. Not for: process-lifetime data. */
#ifndef KILN_ARENA_H
#define KILN_ARENA_H

#include <stddef.h>

struct arena;

typedef void (*arena_cleanup_fn)(void *p);

/* New empty arena; never NULL (aborts on OOM). Free with arena_free. */
struct arena *arena_new(void);
/* Runs cleanups and frees everything. Accepts NULL. */
void arena_free(struct arena *a);
/* Runs cleanups and forgets all allocations, keeping the first chunk. */
void arena_reset(struct arena *a);

/* n bytes aligned for any type, owned by a; aborts on OOM (callers cap
 * user-sized requests before asking). */
void *arena_alloc(struct arena *a, size_t n);
/* Copies of s / of n bytes of s (NUL-terminated), owned by a. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Registers fn(p) to run at reset/free. */
void arena_defer(struct arena *a, arena_cleanup_fn fn, void *p);

#endif
