/* SPDX-License-Identifier: MIT */
/* video.c: the frame loop (video.h): crop a moving rectangle out of the
 * scene's YUV picture and scale it to the film with swscale (the Ken
 * Burns move), blend in the next scene near the cut, encode. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "image.h"
#include "plan.h"
#include "render.h"
#include "report.h"
#include "video.h"

struct video_state {
	char *const *paths;
	int scenes, w, h, fps, total;
	int cached[2];   /* scene index held in pic[k], -1 for none */
	AVFrame *pic[2]; /* YUV420P scene pictures, w x h */
	AVFrame *next;   /* the incoming scene's first frame during a cross-fade */
	int next_of;     /* the scene next holds, -1 for none */
	struct SwsContext *sws;
};

/* Scene i's picture in YUV420P, read from its PNG once while in use. */
static AVFrame *
video_scene(struct video_state *v, int i, char *why, size_t whylen)
{
	AVFrame *rgb;
	int slot = i % 2;

	if (v->cached[slot] == i)
		return v->pic[slot];
	av_frame_free(&v->pic[slot]);
	v->cached[slot] = -1;
	if ((rgb = image_read_png(v->paths[i], v->w, v->h, why, whylen)) == NULL)
		return NULL;
	v->pic[slot] = image_convert(rgb, v->w, v->h, AV_PIX_FMT_YUV420P, why, whylen);
	av_frame_free(&rgb);
	if (v->pic[slot] != NULL)
		v->cached[slot] = i;
	return v->pic[slot];
}

/* Local frame k of scene i (count frames) into out. */
static int
video_draw(struct video_state *v, int i, int k, int count, AVFrame *out, char *why, size_t whylen)
{
	const uint8_t *src[4];
	int x, y, cw, ch, ls[4];
	AVFrame *pic = video_scene(v, i, why, whylen);

	if (pic == NULL)
		return -1;
	plan_kenburns(v->w, v->h, i, k, count, &x, &y, &cw, &ch);
	v->sws = sws_getCachedContext(v->sws, cw, ch, AV_PIX_FMT_YUV420P, v->w, v->h,
				      AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
	if (v->sws == NULL) {
		snprintf(why, whylen, "video failure: no scaler for %dx%d", cw, ch);
		return -1;
	}
	src[0] = pic->data[0] + (size_t)y * (size_t)pic->linesize[0] + (size_t)x;
	src[1] = pic->data[1] + (size_t)(y / 2) * (size_t)pic->linesize[1] + (size_t)(x / 2);
	src[2] = pic->data[2] + (size_t)(y / 2) * (size_t)pic->linesize[2] + (size_t)(x / 2);
	src[3] = NULL;
	memcpy(ls, pic->linesize, sizeof(ls));
	sws_scale(v->sws, src, ls, 0, ch, out->data, out->linesize);
	return 0;
}

/* out = out * (256 - wgt) / 256 + in * wgt / 256, plane by plane. */
static void
video_blend(AVFrame *out, const AVFrame *in, int wgt)
{
	int p, x, y, pw, ph;

	for (p = 0; p < 3; p++) {
		pw = p == 0 ? out->width : (out->width + 1) / 2;
		ph = p == 0 ? out->height : (out->height + 1) / 2;
		for (y = 0; y < ph; y++) {
			uint8_t *d = out->data[p] + (size_t)y * (size_t)out->linesize[p];
			const uint8_t *s = in->data[p] + (size_t)y * (size_t)in->linesize[p];

			for (x = 0; x < pw; x++)
				d[x] = (uint8_t)((d[x] * (256 - wgt) + s[x] * wgt) >> 8);
		}
	}
}

/* Frame f of the film into out. */
static int
video_frame(struct video_state *v, int f, AVFrame *out, char *why, size_t whylen)
{
	int i = plan_scene_of(v->total, v->scenes, f), first, count, nfirst, ncount, wgt;

	plan_scene(v->total, v->scenes, i, &first, &count);
	if (video_draw(v, i, f - first, count, out, why, whylen) != 0)
		return -1;
	if (i + 1 >= v->scenes)
		return 0;
	plan_scene(v->total, v->scenes, i + 1, &nfirst, &ncount);
	wgt = plan_fade_weight(f - first, count, plan_fade_frames(v->fps, count));
	if (wgt == 0 || ncount == 0)
		return 0;
	/* the incoming scene holds still until its cut: drawn once a fade */
	if (v->next_of != i + 1) {
		if (video_draw(v, i + 1, 0, ncount, v->next, why, whylen) != 0)
			return -1;
		v->next_of = i + 1;
	}
	video_blend(out, v->next, wgt);
	return 0;
}

int
video_run(char *const paths[], int scenes, int w, int h, int fps, int total, struct encode *enc,
	  int lo, int hi, char *why, size_t whylen)
{
	struct video_state v = {paths,    scenes,       w,    h,  fps, total,
				{-1, -1}, {NULL, NULL}, NULL, -1, NULL};
	AVFrame *out = image_alloc(w, h, AV_PIX_FMT_YUV420P);
	int f, rc = RENDER_FAILED;

	v.next = image_alloc(w, h, AV_PIX_FMT_YUV420P);
	if (out == NULL || v.next == NULL) {
		snprintf(why, whylen, "video failure: out of memory");
		goto out;
	}
	for (f = 0; f < total; f++) {
		if (report_cancelled()) {
			rc = RENDER_CANCELLED;
			goto out;
		}
		if (av_frame_make_writable(out) < 0) {
			snprintf(why, whylen, "video failure: out of memory");
			goto out;
		}
		if (video_frame(&v, f, out, why, whylen) != 0 ||
		    encode_frame(enc, out, why, whylen) != 0)
			goto out;
		report_progress_in(lo, hi, f + 1, total);
		if ((f + 1) % (fps * 5) == 0 || f + 1 == total)
			report_log("video %d/%d frames", f + 1, total);
	}
	rc = RENDER_OK;
out:
	sws_freeContext(v.sws);
	av_frame_free(&v.pic[0]);
	av_frame_free(&v.pic[1]);
	av_frame_free(&v.next);
	av_frame_free(&out);
	return rc;
}
