/* SPDX-License-Identifier: MIT */
/* manifest.h: OUTPUT_DIR/manifest.json, what the film is as written;
 * kiln-run bills from its num_images, duration, include_voice and
 * include_music. Also the WAV files of the hidden -k option. */
#ifndef KILN_RENDER_MANIFEST_H
#define KILN_RENDER_MANIFEST_H

#include <stddef.h>

enum manifest_stage {
	MANIFEST_IMAGES,
	MANIFEST_VOICE,
	MANIFEST_MUSIC,
	MANIFEST_VIDEO,
	MANIFEST_MUX,
	MANIFEST_STAGES
};

struct manifest {
	double duration; /* seconds, read back from the MP4 */
	int width, height, fps;
	const char *video_encoder; /* "libx264" or "h264_nvenc" (borrowed) */
	int has_audio;             /* 1: an AAC stream */
	int num_images, include_voice, include_music;
	long frames;
	long stages_ms[MANIFEST_STAGES]; /* milliseconds per stage */
};

/* Writes m as JSON to path atomically. Returns 0 or -1 (errno set). */
int manifest_write(const char *path, const struct manifest *m);

/* Writes n mono float samples times gain at rate Hz to path as 16-bit
 * PCM WAV.
 * Returns 0 or -1 (errno set). */
int manifest_wav(const char *path, const float *s, size_t n, int rate, float gain);

#endif
