/* SPDX-License-Identifier: MIT */
/* video.h: the film's pictures: every frame drawn from the scene images
 * with a slow pan/zoom and cross-fades (plan.h's geometry), handed to the
 * encoder as it is made. Not for: the encoder or the muxer (encode.h). */
#ifndef KILN_RENDER_VIDEO_H
#define KILN_RENDER_VIDEO_H

#include <stddef.h>

#include "encode.h"

/* Draws and encodes total frames at fps from the scenes' PNGs (paths[i],
 * borrowed, read back two at a time so memory does not grow with the
 * number of scenes), w x h. Progress moves from lo to hi. Returns
 * RENDER_OK, RENDER_CANCELLED (checked before every frame), or
 * RENDER_FAILED with OUT: why. */
int video_run(char *const paths[], int scenes, int w, int h, int fps, int total, struct encode *enc,
	      int lo, int hi, char *why, size_t whylen);

#endif
