/* SPDX-License-Identifier: MIT */
/* arena.c: a chunked bump allocator with cleanup hooks (see arena.h). */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (16 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	arena_cleanup_fn fn;
	void *p;
};

struct arena {
	struct arena_chunk *head; /* current chunk; the first one is kept on reset */
	struct arena_defer *defers;
};

static struct arena_chunk *
arena_chunk_new(size_t min)
{
	size_t size = min > ARENA_CHUNK ? min : ARENA_CHUNK;
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		abort();
	c = malloc(sizeof(*c) + size);
	if (c == NULL)
		abort();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		abort();
	a->head = arena_chunk_new(0);
	return a;
}

static void
arena_run_defers(struct arena *a)
{
	while (a->defers != NULL) {
		struct arena_defer *d = a->defers;

		a->defers = d->next;
		d->fn(d->p); /* d itself lives in the arena */
	}
}

void
arena_reset(struct arena *a)
{
	arena_run_defers(a);
	while (a->head->next != NULL) {
		struct arena_chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
	a->head->used = 0;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);
	struct arena_chunk *c = a->head;
	void *p;

	if (need < n)
		abort();
	if (c->size - c->used < need) {
		c = arena_chunk_new(need);
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void
arena_defer(struct arena *a, arena_cleanup_fn fn, void *p)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}
