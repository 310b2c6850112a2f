/* SPDX-License-Identifier: MIT */
/* plan.c: the film's timeline and pan/zoom geometry (plan.h). Pure
 * integer and floating-point arithmetic, unit-tested at the edges. */
#include <math.h>

#include "plan.h"
#include "render.h"

int
plan_total_frames(int duration_s, int fps)
{
	return duration_s * fps; /* both integers: the rounding is exact */
}

void
plan_scene(int total, int scenes, int i, int *first, int *count)
{
	long a = (long)i * total / scenes, b = (long)(i + 1) * total / scenes;

	*first = (int)a;
	*count = (int)(b - a);
}

int
plan_scene_of(int total, int scenes, int f)
{
	/* the largest i with floor(i * total / scenes) <= f */
	int i = (int)(((long)f * scenes + scenes - 1) / total);
	int first, count;

	if (i >= scenes)
		i = scenes - 1;
	for (;;) {
		plan_scene(total, scenes, i, &first, &count);
		if (f < first)
			i--;
		else if (f >= first + count)
			i++;
		else
			return i;
	}
}

int
plan_fade_frames(int fps, int count)
{
	int fade = (int)lround(PLAN_FADE_S * fps);

	if (fade > count / 3)
		fade = count / 3;
	return fade < 0 ? 0 : fade;
}

int
plan_fade_weight(int k, int count, int fade)
{
	int into = k - (count - fade); /* 0 at the fade's first frame */

	if (fade <= 0 || into < 0)
		return 0;
	return (into + 1) * 256 / (fade + 1);
}

static int
plan_even(double v)
{
	int n = (int)floor(v);

	return n - (n & 1);
}

void
plan_kenburns(int w, int h, int i, int k, int count, int *x, int *y, int *cw, int *ch)
{
	/* ease in and out so a scene's move starts and stops gently */
	double t = count > 1 ? (double)k / (count - 1) : 0.0;
	double e = t * t * (3.0 - 2.0 * t);
	double zoom = (i % 2 == 0) ? 1.0 + (PLAN_ZOOM_MAX - 1.0) * e
				   : PLAN_ZOOM_MAX - (PLAN_ZOOM_MAX - 1.0) * e;
	/* drift: the crop's centre moves from the middle towards one of four
	 * corners by up to half the slack the zoom leaves */
	static const int dir[4][2] = {{1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
	double fw = w / zoom, fh = h / zoom;
	double cx = w / 2.0 + dir[i % 4][0] * (w - fw) / 2.0 * e * 0.8;
	double cy = h / 2.0 + dir[i % 4][1] * (h - fh) / 2.0 * e * 0.8;

	*cw = plan_even(fw);
	*ch = plan_even(fh);
	if (*cw < 2)
		*cw = 2;
	if (*ch < 2)
		*ch = 2;
	*x = plan_even(cx - *cw / 2.0);
	*y = plan_even(cy - *ch / 2.0);
	if (*x < 0)
		*x = 0;
	if (*y < 0)
		*y = 0;
	if (*x + *cw > w)
		*x = plan_even(w - *cw);
	if (*y + *ch > h)
		*y = plan_even(h - *ch);
}

uint32_t
render_word_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}
