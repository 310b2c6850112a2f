/* SPDX-License-Identifier: MIT */
/* spec.h: a render job's input (input/render.json) parsed and validated
 * into a struct with the API's ranges, and the spread of the script's
 * lines over the scenes. Pure: no I/O, no libav. */
#ifndef KILN_RENDER_SPEC_H
#define KILN_RENDER_SPEC_H

#include <stddef.h>

#include "jobspec.h"

#define SPEC_SCRIPT_MAX (64 * 1024) /* bytes of script */

enum spec_quality { SPEC_LOW, SPEC_MEDIUM, SPEC_HIGH };

struct spec {
	char *script; /* new: the script, NUL-terminated */
	int num_images;
	int video_duration; /* seconds */
	int fps;
	enum spec_quality quality;
	int include_voice;
	int include_music;
	char voice[JOBSPEC_RENDER_WORD_MAX + 1];
	char genre[JOBSPEC_RENDER_WORD_MAX + 1];
	char mood[JOBSPEC_RENDER_WORD_MAX + 1];
};

/* Parses len bytes of render.json into OUT: *s (fields missing from
 * "config" take the API's defaults). Returns 0, or -1 with OUT: why (one
 * line, e.g. "bad config: fps must be 1..60") and *s zeroed. On success
 * free s->script with spec_free(). */
int spec_parse(const char *buf, size_t len, struct spec *s, char *why, size_t whylen);

void spec_free(struct spec *s);

/* Film size in pixels for a quality. */
void spec_size(enum spec_quality q, int *width, int *height);

/* The text of scene i (0-based) of the spec's num_images: the script's
 * non-blank lines, round-robin when there are fewer lines than scenes,
 * consecutive lines joined by a space when there are more. Control
 * characters become spaces. Returns new text (free()), never NULL. */
char *spec_scene_text(const struct spec *s, int i);

#endif
