/* SPDX-License-Identifier: MIT */
/* encode.h: the film's encoders and muxer: H.264 (h264_nvenc when asked
 * and it opens, else libx264) and AAC into MP4 with faststart. Audio is
 * whole in memory and interleaved with the video as frames arrive. */
#ifndef KILN_RENDER_ENCODE_H
#define KILN_RENDER_ENCODE_H

#include <libavutil/frame.h>
#include <stddef.h>

#include "spec.h"

struct encode;

/* Opens path (a temp name; the caller renames it) for a film of w x h at
 * fps. try_nvenc: try h264_nvenc first. audio: mono float samples at
 * RENDER_AUDIO_RATE (borrowed until encode_free; NULL for no audio
 * stream at all). Returns a new encoder (encode_free), or NULL with OUT:
 * why ("encoder failure: ..."). */
struct encode *encode_open(const char *path, int w, int h, int fps, enum spec_quality q,
			   int try_nvenc, const float *audio, size_t audio_n, char *why,
			   size_t whylen);

/* "libx264" or "h264_nvenc": what encode_open opened (static string). */
const char *encode_video_encoder(const struct encode *e);

/* Encodes the next video frame (YUV420P, w x h; borrowed) and the audio
 * up to its time. Returns 0, or -1 with OUT: why. */
int encode_frame(struct encode *e, AVFrame *frame, char *why, size_t whylen);

/* Flushes both encoders and writes the trailer (faststart moves the
 * index to the front here). Returns 0, or -1 with OUT: why. */
int encode_finish(struct encode *e, char *why, size_t whylen);

/* Frees everything; the file stays (the caller removes it on failure). */
void encode_free(struct encode *e);

/* Duration in seconds of the MP4 at path as libavformat reads it, or a
 * negative number when it cannot be opened. */
double encode_probe_duration(const char *path);

#endif
