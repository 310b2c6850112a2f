/* SPDX-License-Identifier: MIT */
/* image.h: still pictures through libavcodec: frames of a given size and
 * pixel format, PNG and JPEG files written and PNG files read back and
 * fitted to the film. Not for: drawing cards (cards.c) or video. */
#ifndef KILN_RENDER_IMAGE_H
#define KILN_RENDER_IMAGE_H

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#define IMAGE_FILE_MAX (64 << 20) /* bytes of a PNG we read */
#define IMAGE_SIDE_MAX 16384      /* pixels of a PNG's width or height */

/* A new frame of w x h in fmt with its buffers, or NULL (out of memory). */
AVFrame *image_alloc(int w, int h, enum AVPixelFormat fmt);

/* The same picture converted to fmt at w x h (a stretch; callers crop
 * first when the aspect differs): new frame, or NULL with OUT: why. */
AVFrame *image_convert(const AVFrame *src, int w, int h, enum AVPixelFormat fmt, char *why,
		       size_t whylen);

/* Encodes f (any format swscale knows) as PNG (codec AV_CODEC_ID_PNG,
 * RGB24) or JPEG (AV_CODEC_ID_MJPEG, full-range 4:2:0) into path.
 * Returns 0, or -1 with OUT: why ("encoder failure: ..."). */
int image_write(const char *path, const AVFrame *f, enum AVCodecID id, char *why, size_t whylen);

/* Reads the PNG at path (at most IMAGE_FILE_MAX bytes, sides at most
 * IMAGE_SIDE_MAX), crops it to the aspect of w x h around its centre and
 * scales it to w x h RGB24: new frame, or NULL with OUT: why. */
AVFrame *image_read_png(const char *path, int w, int h, char *why, size_t whylen);

#endif
