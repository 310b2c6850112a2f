/* SPDX-License-Identifier: MIT */
/* cards.h: the built-in scene image generator: a gradient chosen by mood
 * and genre with the scene's text word-wrapped and centred, drawn with a
 * real font by libavfilter's drawtext. Not for: external generators
 * (generator.h) or files (image.h). */
#ifndef KILN_RENDER_CARDS_H
#define KILN_RENDER_CARDS_H

#include <libavutil/frame.h>
#include <stddef.h>

#define CARDS_LINES_MAX 12 /* lines of text on a card; more are cut with "..." */

/* Breaks text (UTF-8) into lines of at most cols characters at spaces
 * (words longer than cols are split), keeping at most max_lines lines
 * (the last ends in "..." when text was cut). Returns new text with '\n'
 * between lines (free()), and OUT: *lines. Pure. */
char *cards_wrap(const char *text, int cols, int max_lines, int *lines);

/* The card of scene (0-based) at w x h: new RGB24 frame in OUT: *out.
 * font: a readable font file (borrowed). Returns 0, or -1 with OUT: why
 * ("no font: cannot load ..." when drawtext refuses the font). */
int cards_render(const char *font, const char *text, const char *mood, const char *genre, int scene,
		 int w, int h, AVFrame **out, char *why, size_t whylen);

#endif
