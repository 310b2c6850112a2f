/* SPDX-License-Identifier: MIT */
/* estimate.h: what a job may cost, from the price list. Pure functions:
 * the API quotes with them at submit, the scheduler sizes holds with them,
 * and the unit suite checks them at every boundary. Not for: loading the
 * prices (lib/limits.h) or charging (lib/ledger.h). */
#ifndef KILN_ESTIMATE_H
#define KILN_ESTIMATE_H

#include <stdint.h>

#include "err.h"

enum price_id {
	PRICE_GPU_SECOND,
	PRICE_CPU_SECOND,
	PRICE_MEMORY_GB_SECOND,
	PRICE_IMAGE,
	PRICE_VIDEO_SECOND,
	PRICE_VOICE_SECOND,
	PRICE_MUSIC_SECOND,
	PRICE_FFMPEG_SECOND,
	PRICE__COUNT
};

/* Names as in the prices table, indexed by enum price_id. */
extern const char *const price_names[PRICE__COUNT];

/* The price list: micro-credits per unit (per second, per image). */
struct prices {
	int64_t micros[PRICE__COUNT];
};

/* enum price_id of a name, or -1. */
int price_lookup(const char *name);

#define ESTIMATE_PARTS 5
#define ESTIMATE_MAX_MICROS ((int64_t)1000000000 * 1000000) /* a billion credits */

struct render_spec {
	int64_t num_images;     /* scenes */
	int64_t video_duration; /* seconds */
	int include_voice, include_music;
};

struct compute_spec {
	int64_t gpus, cpu_count;
	int64_t memory_bytes;
	int64_t timeout_seconds;
};

/* A quote: total is exactly the sum of the parts (micro-credits). */
struct estimate {
	int64_t total;
	int64_t part[ESTIMATE_PARTS];
	int nparts;
};

/* Render parts, in order: image_generation, video_generation,
 * voice_synthesis, music_synthesis, ffmpeg_processing. */
extern const char *const estimate_render_parts[ESTIMATE_PARTS];
/* Compute parts, in order: gpu, cpu, memory. */
extern const char *const estimate_compute_parts[3];

/* Quotes a render. Negative or absurd inputs (counts over 1e6, durations
 * over 1e9 s, prices over 1e12 micros), or a total beyond
 * ESTIMATE_MAX_MICROS: KILN_ERR_RANGE. */
enum kiln_err estimate_render(const struct prices *p, const struct render_spec *r,
			      struct estimate *e);

/* The most a compute job can cost: running until its timeout. Memory is
 * charged per GiB-second, rounded up to the micro. */
enum kiln_err estimate_compute(const struct prices *p, const struct compute_spec *c,
			       struct estimate *e);

#endif
