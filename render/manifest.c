/* SPDX-License-Identifier: MIT */
/* manifest.c: manifest.json with jansson, and 16-bit WAV files for the
 * bench's reference render (-k). Not for: progress or failure files. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "manifest.h"
#include "report.h"

int
manifest_write(const char *path, const struct manifest *m)
{
	static const char *const names[MANIFEST_STAGES] = {"images", "voice", "music", "video",
							   "mux"};
	json_t *root, *stages = json_object();
	char *buf;
	size_t len;
	int i, rc;

	if (stages == NULL)
		abort();
	for (i = 0; i < MANIFEST_STAGES; i++)
		json_object_set_new(stages, names[i], json_integer(m->stages_ms[i]));
	root = json_pack("{s:f, s:i, s:i, s:i, s:s, s:s, s:o, s:i, s:b, s:b, s:I, s:o}", "duration",
			 m->duration, "width", m->width, "height", m->height, "fps", m->fps,
			 "video_codec", "h264", "video_encoder", m->video_encoder, "audio_codec",
			 m->has_audio ? json_string("aac") : json_null(), "num_images",
			 m->num_images, "include_voice", m->include_voice, "include_music",
			 m->include_music, "frames", (json_int_t)m->frames, "stages_ms", stages);
	if (root == NULL)
		abort();
	buf = json_dump_new(root, &len);
	json_decref(root);
	rc = report_write_file(path, buf, len);
	free(buf);
	return rc;
}

static void
manifest_le(uint8_t *p, uint32_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int
manifest_wav(const char *path, const float *s, size_t n, int rate, float gain)
{
	uint8_t head[44] = "RIFF\0\0\0\0WAVEfmt ", sample[2];
	FILE *fp = fopen(path, "wbe");
	size_t i;
	float v;
	int saved, rc = -1;

	if (fp == NULL)
		return -1;
	manifest_le(head + 4, (uint32_t)(36 + n * 2), 4);
	manifest_le(head + 16, 16, 4); /* fmt chunk size */
	manifest_le(head + 20, 1, 2);  /* PCM */
	manifest_le(head + 22, 1, 2);  /* mono */
	manifest_le(head + 24, (uint32_t)rate, 4);
	manifest_le(head + 28, (uint32_t)rate * 2, 4);
	manifest_le(head + 32, 2, 2);          /* block align */
	manifest_le(head + 34, 16, 2);         /* bits */
	manifest_le(head + 36, 0x61746164, 4); /* "data" */
	manifest_le(head + 40, (uint32_t)(n * 2), 4);
	if (fwrite(head, 1, sizeof(head), fp) != sizeof(head))
		goto out;
	for (i = 0; i < n; i++) {
		v = s[i] * gain;
		v = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
		manifest_le(sample, (uint32_t)(int32_t)(v * 32767.0f), 2);
		if (fwrite(sample, 1, 2, fp) != 2)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fclose(fp) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	errno = saved;
	return rc;
}
