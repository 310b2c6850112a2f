/* SPDX-License-Identifier: MIT */
/* cards.c: scene cards (cards.h). The gradient is computed here; the
 * text goes through a buffer -> drawtext -> buffersink graph whose
 * options are set one by one with av_opt_set, so the script (user input)
 * is never parsed as filter-graph syntax and needs no escaping. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>

#include "cards.h"
#include "image.h"
#include "render.h"

struct cards_palette {
	const char *mood;
	uint8_t top[3], bottom[3];
};

static const struct cards_palette cards_palettes[] = {
    {"happy", {255, 183, 77}, {235, 87, 87}},     {"joyful", {255, 200, 87}, {240, 110, 80}},
    {"upbeat", {250, 160, 60}, {200, 60, 120}},   {"sad", {44, 62, 80}, {76, 120, 150}},
    {"melancholy", {50, 50, 80}, {90, 110, 140}}, {"dark", {15, 15, 25}, {70, 20, 40}},
    {"tense", {30, 20, 20}, {120, 30, 30}},       {"scary", {10, 10, 10}, {60, 0, 20}},
    {"calm", {40, 150, 140}, {25, 40, 90}},       {"peaceful", {90, 170, 200}, {40, 70, 120}},
    {"romantic", {200, 80, 120}, {80, 30, 90}},   {"neutral", {40, 60, 90}, {110, 130, 160}},
};

/* Colours by mood, then a scene-dependent shift so cards differ. */
static void
cards_colours(const char *mood, int scene, uint8_t top[3], uint8_t bottom[3])
{
	uint32_t h = render_word_hash(mood);
	size_t i;
	int k, shift;

	for (k = 0; k < 3; k++) { /* unknown moods: darkish hashed colours */
		top[k] = (uint8_t)(40 + (h >> (k * 8)) % 120);
		bottom[k] = (uint8_t)(20 + (h >> (k * 8 + 4)) % 80);
	}
	for (i = 0; i < sizeof(cards_palettes) / sizeof(cards_palettes[0]); i++)
		if (strcmp(mood, cards_palettes[i].mood) == 0) {
			memcpy(top, cards_palettes[i].top, 3);
			memcpy(bottom, cards_palettes[i].bottom, 3);
		}
	shift = (scene % 5) * 8 - 16;
	for (k = 0; k < 3; k++) {
		int v = top[(k + scene) % 3] + shift;

		top[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

/* Fills f (RGB24) with a gradient: vertical, diagonal or radial by genre. */
static void
cards_gradient(AVFrame *f, const char *mood, const char *genre, int scene)
{
	uint8_t top[3], bottom[3], *row;
	int style = (int)(render_word_hash(genre) % 3), x, y, k, w = f->width, h = f->height;
	double t, dx, dy, maxd = (double)w * w / 4 + (double)h * h / 4;

	if (strcmp(genre, "cinematic") == 0)
		style = 2;
	cards_colours(mood, scene, top, bottom);
	for (y = 0; y < h; y++) {
		row = f->data[0] + (size_t)y * (size_t)f->linesize[0];
		for (x = 0; x < w; x++) {
			if (style == 0)
				t = (double)y / (h - 1);
			else if (style == 1)
				t = ((double)x / (w - 1) + (double)y / (h - 1)) / 2;
			else {
				dx = x - w / 2.0;
				dy = y - h / 2.0;
				t = (dx * dx + dy * dy) / maxd;
			}
			for (k = 0; k < 3; k++)
				row[x * 3 + k] = (uint8_t)(top[k] + (bottom[k] - top[k]) * t);
		}
	}
}

/* Bytes of the UTF-8 character starting at s (1 for stray bytes). */
static size_t
cards_utf8_len(const char *s)
{
	size_t n = 1;

	while (s[n] != '\0' && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

char *
cards_wrap(const char *text, int cols, int max_lines, int *lines)
{
	size_t cap = strlen(text) * 2 + 8, len = 0, line_start = 0, n;
	char *out = malloc(cap);
	int col = 0, word, k;
	const char *p = text, *q;

	if (out == NULL)
		abort();
	*lines = 0;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		/* the next word's width in characters */
		for (q = p, word = 0; *q != '\0' && *q != ' '; q += cards_utf8_len(q))
			word++;
		if (col > 0 && col + 1 + word > cols) {
			out[len++] = '\n';
			line_start = len;
			col = 0;
		} else if (col > 0) {
			out[len++] = ' ';
			col++;
		}
		if (col == 0 && ++*lines > max_lines) {
			len = line_start > 0 ? line_start - 1 : 0;
			*lines = max_lines;
			memcpy(out + len, "...", 3);
			len += 3;
			break;
		}
		for (k = 0; p < q; k++) {
			if (col >= cols) { /* a word longer than a line */
				out[len++] = '\n';
				line_start = len;
				col = 0;
				if (++*lines > max_lines) {
					*lines = max_lines;
					len = line_start - 1;
					memcpy(out + len, "...", 3);
					len += 3;
					goto done;
				}
			}
			n = cards_utf8_len(p);
			memcpy(out + len, p, n);
			len += n;
			p += n;
			col++;
		}
		while (*p == ' ')
			p++;
	}
done:
	out[len] = '\0';
	return out;
}

/* drawtext's options, set without any filter-graph parsing; they live in
 * the filter's private context, a child of the AVFilterContext. */
#define CARDS_OPT AV_OPT_SEARCH_CHILDREN
static int
cards_drawtext_opts(AVFilterContext *dt, const char *font, const char *text, int fs)
{
	char num[32];
	int rc;

	snprintf(num, sizeof(num), "%d", fs);
	if ((rc = av_opt_set(dt, "fontfile", font, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "text", text, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "expansion", "none", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "fontsize", num, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "fontcolor", "white", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "x", "(w-text_w)/2", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "y", "(h-text_h)/2", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "line_spacing", fs / 3, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "box", 1, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "boxcolor", "black@0.35", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "boxborderw", fs / 2, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set(dt, "shadowcolor", "black@0.6", CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "shadowx", 2, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "shadowy", 2, CARDS_OPT)) < 0 ||
	    (rc = av_opt_set_int(dt, "fix_bounds", 1, CARDS_OPT)) < 0)
		return rc;
	return avfilter_init_str(dt, NULL);
}

/* Runs bg through buffer -> drawtext -> buffersink into OUT: *out. */
static int
cards_draw(const char *font, const char *text, int fs, AVFrame *bg, AVFrame **out, char *why,
	   size_t whylen)
{
	AVFilterGraph *g = avfilter_graph_alloc();
	AVFilterContext *src = NULL, *dt = NULL, *sink = NULL;
	char args[128];
	int rc = AVERROR(ENOMEM);

	*out = NULL;
	if (g == NULL)
		goto fail;
	snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%d:time_base=1/25:pixel_aspect=1/1",
		 bg->width, bg->height, AV_PIX_FMT_RGB24);
	if ((rc = avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args,
					       NULL, g)) < 0 ||
	    (rc = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out",
					       NULL, NULL, g)) < 0)
		goto fail;
	if ((dt = avfilter_graph_alloc_filter(g, avfilter_get_by_name("drawtext"), "text")) ==
	    NULL) {
		rc = AVERROR_FILTER_NOT_FOUND;
		goto fail;
	}
	if ((rc = cards_drawtext_opts(dt, font, text, fs)) < 0) {
		snprintf(why, whylen, "no font: cannot load %.120s: %s", font, av_err2str(rc));
		goto out;
	}
	if ((rc = avfilter_link(src, 0, dt, 0)) < 0 || (rc = avfilter_link(dt, 0, sink, 0)) < 0 ||
	    (rc = avfilter_graph_config(g, NULL)) < 0 ||
	    (rc = av_buffersrc_add_frame_flags(src, bg, AV_BUFFERSRC_FLAG_KEEP_REF)) < 0 ||
	    (rc = av_buffersrc_add_frame(src, NULL)) < 0)
		goto fail;
	if ((*out = av_frame_alloc()) == NULL) {
		rc = AVERROR(ENOMEM);
		goto fail;
	}
	if ((rc = av_buffersink_get_frame(sink, *out)) < 0)
		goto fail;
	goto out;
fail:
	snprintf(why, whylen, "scene card failure: %s", av_err2str(rc));
	av_frame_free(out);
out:
	avfilter_graph_free(&g);
	return *out != NULL ? 0 : -1;
}

int
cards_render(const char *font, const char *text, const char *mood, const char *genre, int scene,
	     int w, int h, AVFrame **out, char *why, size_t whylen)
{
	AVFrame *bg = image_alloc(w, h, AV_PIX_FMT_RGB24), *drawn = NULL;
	int fs = h / 12, lines = 0, rc = -1;
	char *wrapped = NULL;

	*out = NULL;
	if (bg == NULL) {
		snprintf(why, whylen, "out of memory for a %dx%d card", w, h);
		return -1;
	}
	cards_gradient(bg, mood, genre, scene);
	/* shrink the font until the text fits in about 80% x 70% of the card;
	 * a glyph is about 0.55 em wide, a line 1.33 em high */
	for (;;) {
		free(wrapped);
		wrapped = cards_wrap(text, (int)(w * 0.8 / (fs * 0.55)), CARDS_LINES_MAX, &lines);
		if (lines * fs * 4 / 3 <= h * 7 / 10 || fs <= h / 36)
			break;
		fs = fs * 9 / 10;
	}
	if (cards_draw(font, wrapped, fs, bg, &drawn, why, whylen) != 0)
		goto out;
	if (drawn->format == AV_PIX_FMT_RGB24 && drawn->width == w && drawn->height == h) {
		*out = drawn;
		drawn = NULL;
	} else if ((*out = image_convert(drawn, w, h, AV_PIX_FMT_RGB24, why, whylen)) == NULL)
		goto out;
	rc = 0;
out:
	free(wrapped);
	av_frame_free(&drawn);
	av_frame_free(&bg);
	return rc;
}
