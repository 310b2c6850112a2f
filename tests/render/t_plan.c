/* SPDX-License-Identifier: MIT */
/* t_plan.c: the pure geometry and text layout of render/: plan.c (scene
 * frames, cross-fades, pan/zoom rectangles), cards_wrap() and
 * generator_argv(). */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "cards.h"
#include "generator.h"
#include "plan.h"
#include "suites.h"

static void
t_plan_scenes(void)
{
	static const int cases[][2] = {{90, 3}, {900, 10}, {1, 100}, {7, 3}, {600 * 60, 100}};
	int c, i, f, first, count, next, sum;

	CU_ASSERT_EQUAL(plan_total_frames(30, 30), 900);
	CU_ASSERT_EQUAL(plan_total_frames(1, 1), 1);
	CU_ASSERT_EQUAL(plan_total_frames(600, 60), 36000);
	for (c = 0; c < 5; c++) {
		int total = cases[c][0], scenes = cases[c][1];

		for (i = 0, next = 0, sum = 0; i < scenes; i++) {
			plan_scene(total, scenes, i, &first, &count);
			CU_ASSERT_EQUAL(first, next); /* contiguous */
			CU_ASSERT(count == total / scenes || count == total / scenes + 1);
			next = first + count;
			sum += count;
		}
		CU_ASSERT_EQUAL(sum, total);
		for (f = 0; f<total; f += total> 1000 ? 97 : 1) {
			i = plan_scene_of(total, scenes, f);
			plan_scene(total, scenes, i, &first, &count);
			CU_ASSERT(f >= first && f < first + count);
		}
	}
}

static void
t_plan_fades(void)
{
	int k, w, last = 0;

	CU_ASSERT_EQUAL(plan_fade_frames(30, 90), 15); /* 0.5 s */
	CU_ASSERT_EQUAL(plan_fade_frames(30, 9), 3);   /* a third of a short scene */
	CU_ASSERT_EQUAL(plan_fade_frames(30, 2), 0);
	CU_ASSERT_EQUAL(plan_fade_frames(1, 100), 1);
	CU_ASSERT_EQUAL(plan_fade_frames(60, 0), 0);
	for (k = 0; k < 90; k++) {
		w = plan_fade_weight(k, 90, 15);
		if (k < 75)
			CU_ASSERT_EQUAL(w, 0);
		if (k >= 75) {
			CU_ASSERT(w > last);
			CU_ASSERT(w < 256);
		}
		last = w;
	}
	CU_ASSERT_EQUAL(plan_fade_weight(5, 10, 0), 0);
}

/* Every rectangle of a scene: even, inside, aspect kept, moving slowly. */
static void
t_plan_kenburns_scene(int w, int h, int i, int count)
{
	int k, x, y, cw, ch, px = -1, pcw = -1;

	for (k = 0; k < count; k++) {
		plan_kenburns(w, h, i, k, count, &x, &y, &cw, &ch);
		CU_ASSERT(x >= 0 && y >= 0 && x + cw <= w && y + ch <= h);
		CU_ASSERT(x % 2 == 0 && y % 2 == 0 && cw % 2 == 0 && ch % 2 == 0);
		CU_ASSERT(labs((long)cw * h - (long)ch * w) <= 2L * (w > h ? w : h));
		CU_ASSERT(cw >= (int)(w / PLAN_ZOOM_MAX) - 2);
		if (px >= 0) {
			CU_ASSERT(abs(x - px) <= 2 + w / count);
			CU_ASSERT(abs(cw - pcw) <= 2 + w / count);
		}
		px = x;
		pcw = cw;
	}
}

static void
t_plan_kenburns(void)
{
	int x, y, cw, ch, i;

	/* even scenes start on the whole picture and end zoomed in */
	plan_kenburns(1280, 720, 0, 0, 90, &x, &y, &cw, &ch);
	CU_ASSERT(x == 0 && y == 0 && cw == 1280 && ch == 720);
	plan_kenburns(1280, 720, 0, 89, 90, &x, &y, &cw, &ch);
	CU_ASSERT(cw >= 1162 && cw <= 1164);
	/* odd scenes the other way round */
	plan_kenburns(1280, 720, 1, 0, 90, &x, &y, &cw, &ch);
	CU_ASSERT(cw >= 1162 && cw <= 1164);
	plan_kenburns(1280, 720, 1, 89, 90, &x, &y, &cw, &ch);
	CU_ASSERT(cw == 1280 && ch == 720);
	/* one-frame scenes do not divide by zero */
	plan_kenburns(854, 480, 2, 0, 1, &x, &y, &cw, &ch);
	CU_ASSERT(cw == 854 && ch == 480);
	for (i = 0; i < 4; i++) {
		t_plan_kenburns_scene(854, 480, i, 36);
		t_plan_kenburns_scene(1920, 1080, i, 900);
		t_plan_kenburns_scene(1280, 720, i, 2);
	}
}

/* 1 when every line of s has at most cols characters. */
static int
t_lines_fit(const char *s, int cols)
{
	int col = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			col = 0;
		else if (((unsigned char)*s & 0xc0) != 0x80 && ++col > cols + 3)
			return 0;
	}
	return 1;
}

static void
t_cards_wrap(void)
{
	char *s;
	int lines;

	s = cards_wrap("the quick brown fox jumps", 10, 5, &lines);
	CU_ASSERT_STRING_EQUAL(s, "the quick\nbrown fox\njumps");
	CU_ASSERT_EQUAL(lines, 3);
	free(s);
	s = cards_wrap("  one  ", 10, 5, &lines);
	CU_ASSERT_STRING_EQUAL(s, "one");
	CU_ASSERT_EQUAL(lines, 1);
	free(s);
	s = cards_wrap("abcdefghijklmnopqrstuvwxy", 10, 5, &lines); /* split words */
	CU_ASSERT_STRING_EQUAL(s, "abcdefghij\nklmnopqrst\nuvwxy");
	free(s);
	s = cards_wrap("a b c d e f g h", 1, 3, &lines); /* cut after 3 lines */
	CU_ASSERT_STRING_EQUAL(s, "a\nb\nc...");
	CU_ASSERT_EQUAL(lines, 3);
	free(s);
	s = cards_wrap("\xc3\xa9t\xc3\xa9 \xc3\xa0 la mer", 5, 5, &lines); /* UTF-8 counted */
	CU_ASSERT_STRING_EQUAL(s, "\xc3\xa9t\xc3\xa9 \xc3\xa0\nla\nmer");
	free(s);
	s = cards_wrap("", 10, 5, &lines);
	CU_ASSERT_STRING_EQUAL(s, "");
	CU_ASSERT_EQUAL(lines, 0);
	free(s);
	s = cards_wrap("lorem ipsum dolor sit amet consectetur adipiscing elit sed do", 12, 12,
		       &lines);
	CU_ASSERT(t_lines_fit(s, 12));
	free(s);
}

static void
t_generator_argv(void)
{
	char **argv, big[200];
	int i;

	CU_ASSERT_EQUAL(generator_argv("  python3   gen.py --size 64 ", &argv), 4);
	CU_ASSERT_STRING_EQUAL(argv[0], "python3");
	CU_ASSERT_STRING_EQUAL(argv[3], "64");
	CU_ASSERT_PTR_NULL(argv[4]);
	generator_argv_free(argv);
	CU_ASSERT_EQUAL(generator_argv("", &argv), -1);
	CU_ASSERT_PTR_NULL(argv);
	CU_ASSERT_EQUAL(generator_argv("    ", &argv), -1);
	for (i = 0; i < GENERATOR_ARGS_MAX; i++)
		memcpy(big + i * 2, "a ", 2);
	big[GENERATOR_ARGS_MAX * 2] = '\0';
	CU_ASSERT_EQUAL(generator_argv(big, &argv), GENERATOR_ARGS_MAX);
	generator_argv_free(argv);
	memcpy(big + GENERATOR_ARGS_MAX * 2, "b", 2);
	CU_ASSERT_EQUAL(generator_argv(big, &argv), -1);
	generator_argv_free(NULL);
}

void
suite_plan(void)
{
	CU_pSuite s = CU_add_suite("render/plan, cards_wrap, generator_argv", NULL, NULL);

	CU_add_test(s, "scenes partition the frames", t_plan_scenes);
	CU_add_test(s, "cross-fade lengths and weights", t_plan_fades);
	CU_add_test(s, "pan/zoom rectangles", t_plan_kenburns);
	CU_add_test(s, "word wrap", t_cards_wrap);
	CU_add_test(s, "generator command split", t_generator_argv);
}
