/* SPDX-License-Identifier: MIT */
/* jobcache.c: per-worker answers of GET /jobs/{id} (see jobcache.h). A
 * direct-mapped table: job ids are dense and a poller asks for the same
 * few again and again, so id modulo the slot count spreads them well. */
#include "jobcache.h"

#include <stdlib.h>
#include <string.h>

static struct jc_slot {
	int64_t id; /* 0: empty */
	int64_t version;
	size_t len;
	char body[]; /* len bytes */
} * jc_slots[JOBCACHE_SLOTS];

static struct jc_slot **
jc_slot(int64_t id)
{
	return &jc_slots[(uint64_t)id % JOBCACHE_SLOTS];
}

const char *
jobcache_get(int64_t id, int64_t version, size_t *len)
{
	const struct jc_slot *s = *jc_slot(id);

	if (s == NULL || s->id != id || s->version != version)
		return NULL;
	*len = s->len;
	return s->body;
}

void
jobcache_put(int64_t id, int64_t version, const char *body, size_t len)
{
	struct jc_slot **slot = jc_slot(id);

	if (id <= 0)
		return;
	if (len > JOBCACHE_BODY_MAX) {
		if (*slot != NULL && (*slot)->id == id) {
			free(*slot);
			*slot = NULL;
		}
		return;
	}
	/* one size for every slot: a replacement never reallocates */
	if (*slot == NULL && (*slot = malloc(sizeof(**slot) + JOBCACHE_BODY_MAX)) == NULL)
		abort();
	(*slot)->id = id;
	(*slot)->version = version;
	(*slot)->len = len;
	memcpy((*slot)->body, body, len);
}

void
jobcache_clear(void)
{
	size_t i;

	for (i = 0; i < JOBCACHE_SLOTS; i++) {
		free(jc_slots[i]);
		jc_slots[i] = NULL;
	}
}
