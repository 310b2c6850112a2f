/* SPDX-License-Identifier: MIT */
/* estimate.c: quotes from the price list (see estimate.h). Products use
 * 128-bit intermediates so no input within range can overflow silently. */
#include "estimate.h"

#include <string.h>

const char *const price_names[PRICE__COUNT] = {
    [PRICE_GPU_SECOND] = "gpu_second",
    [PRICE_CPU_SECOND] = "cpu_second",
    [PRICE_MEMORY_GB_SECOND] = "memory_gb_second",
    [PRICE_IMAGE] = "image_generation",
    [PRICE_VIDEO_SECOND] = "video_generation",
    [PRICE_VOICE_SECOND] = "voice_synthesis",
    [PRICE_MUSIC_SECOND] = "music_synthesis",
    [PRICE_FFMPEG_SECOND] = "ffmpeg_processing",
};

const char *const estimate_render_parts[ESTIMATE_PARTS] = {"image_generation", "video_generation",
							   "voice_synthesis", "music_synthesis",
							   "ffmpeg_processing"};

const char *const estimate_compute_parts[3] = {"gpu", "cpu", "memory"};

int
price_lookup(const char *name)
{
	int i;

	for (i = 0; i < PRICE__COUNT; i++)
		if (strcmp(price_names[i], name) == 0)
			return i;
	return -1;
}

__extension__ typedef __int128 estimate_wide;

/* Input bounds that keep every product below 2^127 (about 1.7e38): counts
 * up to 1e6, seconds up to 1e9, 2^50 bytes, prices up to 1e12 micros. */
#define ESTIMATE_MAX_COUNT 1000000
#define ESTIMATE_MAX_SECONDS 1000000000
#define ESTIMATE_MAX_BYTES ((int64_t)1 << 50)
#define ESTIMATE_MAX_PRICE ((int64_t)1000000000000)

static int
estimate_prices_ok(const struct prices *p)
{
	int i;

	for (i = 0; i < PRICE__COUNT; i++)
		if (p->micros[i] < 0 || p->micros[i] > ESTIMATE_MAX_PRICE)
			return 0;
	return 1;
}

/* Sums the parts into e->total, refusing totals out of range. */
static enum kiln_err
estimate_finish(const estimate_wide *parts, int n, struct estimate *e)
{
	estimate_wide total = 0;
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++) {
		if (parts[i] < 0 || parts[i] > ESTIMATE_MAX_MICROS)
			return KILN_ERR_RANGE;
		total += parts[i];
		e->part[i] = (int64_t)parts[i];
	}
	if (total > ESTIMATE_MAX_MICROS)
		return KILN_ERR_RANGE;
	e->total = (int64_t)total;
	e->nparts = n;
	return KILN_OK;
}

enum kiln_err
estimate_render(const struct prices *p, const struct render_spec *r, struct estimate *e)
{
	estimate_wide parts[ESTIMATE_PARTS];
	estimate_wide secs = r->video_duration;

	if (r->num_images < 0 || r->num_images > ESTIMATE_MAX_COUNT || r->video_duration < 0 ||
	    r->video_duration > ESTIMATE_MAX_SECONDS || !estimate_prices_ok(p))
		return KILN_ERR_RANGE;
	parts[0] = (estimate_wide)r->num_images * p->micros[PRICE_IMAGE];
	parts[1] = secs * p->micros[PRICE_VIDEO_SECOND];
	parts[2] = r->include_voice ? secs * p->micros[PRICE_VOICE_SECOND] : 0;
	parts[3] = r->include_music ? secs * p->micros[PRICE_MUSIC_SECOND] : 0;
	parts[4] = secs * p->micros[PRICE_FFMPEG_SECOND];
	return estimate_finish(parts, ESTIMATE_PARTS, e);
}

enum kiln_err
estimate_compute(const struct prices *p, const struct compute_spec *c, struct estimate *e)
{
	const estimate_wide gib = (estimate_wide)1 << 30;
	estimate_wide parts[3], t = c->timeout_seconds, mem;

	if (c->gpus < 0 || c->gpus > ESTIMATE_MAX_COUNT || c->cpu_count < 0 ||
	    c->cpu_count > ESTIMATE_MAX_COUNT || c->memory_bytes < 0 ||
	    c->memory_bytes > ESTIMATE_MAX_BYTES || c->timeout_seconds < 0 ||
	    c->timeout_seconds > ESTIMATE_MAX_SECONDS || !estimate_prices_ok(p))
		return KILN_ERR_RANGE;
	parts[0] = (estimate_wide)c->gpus * t * p->micros[PRICE_GPU_SECOND];
	parts[1] = (estimate_wide)c->cpu_count * t * p->micros[PRICE_CPU_SECOND];
	mem = (estimate_wide)c->memory_bytes * t * p->micros[PRICE_MEMORY_GB_SECOND];
	parts[2] = (mem + gib - 1) / gib;
	return estimate_finish(parts, 3, e);
}
