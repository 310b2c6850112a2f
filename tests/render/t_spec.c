/* SPDX-License-Identifier: MIT */
/* t_spec.c: render/spec.c at every boundary: each config range at its
 * edges and one past, types, defaults, the script's checks, and how the
 * script's lines are spread over the scenes. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "suites.h"

/* Parses {"script":"a","config":{conf}}; returns spec_parse's result. */
static int
t_conf(const char *conf, struct spec *s, char *why)
{
	char buf[512];
	int rc;

	snprintf(buf, sizeof(buf), "{\"script\":\"a\",\"config\":{%s}}", conf);
	rc = spec_parse(buf, strlen(buf), s, why, 200);
	return rc;
}

static int
t_ok(const char *conf)
{
	struct spec s;
	char why[200] = "";
	int rc = t_conf(conf, &s, why);

	spec_free(&s);
	return rc == 0;
}

/* 1 when conf fails with a reason containing want. */
static int
t_bad(const char *conf, const char *want)
{
	struct spec s;
	char why[200] = "";
	int rc = t_conf(conf, &s, why);

	spec_free(&s);
	if (rc == 0 || strstr(why, want) == NULL)
		fprintf(stderr, "\n  %s -> rc %d why '%s' (want '%s')\n", conf, rc, why, want);
	return rc != 0 && strstr(why, want) != NULL;
}

static void
t_spec_ranges(void)
{
	CU_ASSERT(t_bad("\"num_images\":0", "num_images must be 1..100"));
	CU_ASSERT(t_ok("\"num_images\":1"));
	CU_ASSERT(t_ok("\"num_images\":100"));
	CU_ASSERT(t_bad("\"num_images\":101", "num_images must be 1..100"));
	CU_ASSERT(t_bad("\"num_images\":-1", "num_images"));
	CU_ASSERT(t_bad("\"video_duration\":0", "video_duration must be 1..600"));
	CU_ASSERT(t_ok("\"video_duration\":1"));
	CU_ASSERT(t_ok("\"video_duration\":600"));
	CU_ASSERT(t_bad("\"video_duration\":601", "video_duration must be 1..600"));
	CU_ASSERT(t_bad("\"fps\":0", "fps must be 1..60"));
	CU_ASSERT(t_ok("\"fps\":1"));
	CU_ASSERT(t_ok("\"fps\":60"));
	CU_ASSERT(t_bad("\"fps\":61", "fps must be 1..60"));
	CU_ASSERT(t_bad("\"fps\":9223372036854775807", "fps must be 1..60"));
	CU_ASSERT(t_ok("\"quality\":\"low\""));
	CU_ASSERT(t_ok("\"quality\":\"medium\""));
	CU_ASSERT(t_ok("\"quality\":\"high\""));
	CU_ASSERT(t_bad("\"quality\":\"ultra\"", "quality must be low, medium or high"));
	CU_ASSERT(t_bad("\"quality\":\"LOW\"", "quality"));
	CU_ASSERT(t_bad("\"quality\":1", "quality"));
}

static void
t_spec_types(void)
{
	CU_ASSERT(t_bad("\"fps\":\"30\"", "fps must be an integer"));
	CU_ASSERT(t_bad("\"fps\":30.0", "fps must be an integer"));
	CU_ASSERT(t_bad("\"num_images\":null", "num_images must be an integer"));
	CU_ASSERT(t_bad("\"include_voice\":1", "include_voice must be true or false"));
	CU_ASSERT(t_bad("\"include_music\":\"yes\"", "include_music must be true or false"));
	CU_ASSERT(t_bad("\"voice\":5", "voice must be a string"));
	CU_ASSERT(t_bad("\"colour\":\"red\"", "unknown field 'colour'"));
	CU_ASSERT(t_bad("\"fps\":30,\"fps\":31", "bad input"));
}

static void
t_spec_words(void)
{
	CU_ASSERT(t_ok("\"voice\":\"en+f3\""));
	CU_ASSERT(t_ok("\"genre\":\"lo-fi hip_hop\""));
	CU_ASSERT(t_ok("\"mood\":\"abcdefghijklmnopqrstuvwxyz012345\"")); /* 32 */
	CU_ASSERT(t_bad("\"mood\":\"abcdefghijklmnopqrstuvwxyz0123456\"", "mood must be 1..32"));
	CU_ASSERT(t_bad("\"mood\":\"\"", "mood must be 1..32"));
	CU_ASSERT(t_bad("\"voice\":\"En\"", "voice must be 1..32"));
	CU_ASSERT(t_bad("\"genre\":\"a/b\"", "genre"));
	CU_ASSERT(t_bad("\"genre\":\"a\\u0000b\"", "bad input")); /* jansson refuses NUL */
	CU_ASSERT(t_bad("\"voice\":\"../x\"", "voice"));
}

static void
t_spec_defaults(void)
{
	const char *doc = "{\"script\":\"one\\ntwo\"}";
	char why[200];
	struct spec s;
	int w, h;

	CU_ASSERT_EQUAL_FATAL(spec_parse(doc, strlen(doc), &s, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(s.num_images, 10);
	CU_ASSERT_EQUAL(s.video_duration, 30);
	CU_ASSERT_EQUAL(s.fps, 30);
	CU_ASSERT_EQUAL(s.quality, SPEC_MEDIUM);
	CU_ASSERT_EQUAL(s.include_voice, 0);
	CU_ASSERT_EQUAL(s.include_music, 0);
	CU_ASSERT_STRING_EQUAL(s.voice, "default");
	CU_ASSERT_STRING_EQUAL(s.genre, "cinematic");
	CU_ASSERT_STRING_EQUAL(s.mood, "neutral");
	CU_ASSERT_STRING_EQUAL(s.script, "one\ntwo");
	spec_free(&s);
	spec_free(&s); /* twice is harmless */
	spec_size(SPEC_LOW, &w, &h);
	CU_ASSERT(w == 854 && h == 480);
	spec_size(SPEC_MEDIUM, &w, &h);
	CU_ASSERT(w == 1280 && h == 720);
	spec_size(SPEC_HIGH, &w, &h);
	CU_ASSERT(w == 1920 && h == 1080);
}

static int
t_doc_bad(const char *doc, const char *want)
{
	struct spec s;
	char why[200] = "";
	int rc = spec_parse(doc, strlen(doc), &s, why, sizeof(why));

	spec_free(&s);
	return rc != 0 && strstr(why, want) != NULL && s.script == NULL;
}

static void
t_spec_script(void)
{
	size_t n = SPEC_SCRIPT_MAX + 32, i;
	char *doc = malloc(n + 1);
	struct spec s;
	char why[200];

	CU_ASSERT(t_doc_bad("", "bad input"));
	CU_ASSERT(t_doc_bad("{\"script\":", "bad input"));
	CU_ASSERT(t_doc_bad("[1]", "not a JSON object"));
	CU_ASSERT(t_doc_bad("{}", "script must be a string"));
	CU_ASSERT(t_doc_bad("{\"script\":7}", "script must be a string"));
	CU_ASSERT(t_doc_bad("{\"script\":\"\"}", "at least one scene line"));
	CU_ASSERT(t_doc_bad("{\"script\":\" \\n\\t\\r\\n \"}", "at least one scene line"));
	CU_ASSERT(t_doc_bad("{\"script\":\"a\",\"config\":[]}", "config must be an object"));
	CU_ASSERT(t_doc_bad("{\"script\":\"a\\u0000b\"}", "bad input"));
	/* exactly SPEC_SCRIPT_MAX bytes pass, one more fails */
	CU_ASSERT_FATAL(doc != NULL);
	memcpy(doc, "{\"script\":\"", 11);
	for (i = 0; i < SPEC_SCRIPT_MAX; i++)
		doc[11 + i] = (i % 80 == 79) ? ' ' : 'x';
	memcpy(doc + 11 + SPEC_SCRIPT_MAX, "\"}", 3);
	CU_ASSERT_EQUAL(spec_parse(doc, strlen(doc), &s, why, sizeof(why)), 0);
	spec_free(&s);
	memcpy(doc + 11 + SPEC_SCRIPT_MAX, "y\"}", 4);
	CU_ASSERT(t_doc_bad(doc, "at most 65536 bytes"));
	free(doc);
}

/* Scene i's text of script over n scenes. */
static char *
t_scene(const char *script, int n, int i)
{
	struct spec s;
	char *text;

	memset(&s, 0, sizeof(s));
	if ((s.script = strdup(script)) == NULL)
		abort();
	s.num_images = n;
	text = spec_scene_text(&s, i);
	spec_free(&s);
	return text;
}

static int
t_scene_is(const char *script, int n, int i, const char *want)
{
	char *got = t_scene(script, n, i);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "\n  scene %d of %d: '%s', want '%s'\n", i, n, got, want);
	free(got);
	return ok;
}

static void
t_spec_scenes(void)
{
	/* fewer lines than scenes: round-robin, blank lines skipped */
	CU_ASSERT(t_scene_is("a\n\n  \nb\nc\n", 5, 0, "a"));
	CU_ASSERT(t_scene_is("a\n\n  \nb\nc\n", 5, 2, "c"));
	CU_ASSERT(t_scene_is("a\n\n  \nb\nc\n", 5, 3, "a"));
	CU_ASSERT(t_scene_is("a\n\n  \nb\nc\n", 5, 4, "b"));
	/* as many: one each */
	CU_ASSERT(t_scene_is("a\nb\nc", 3, 1, "b"));
	/* more lines: consecutive groups, every line used once */
	CU_ASSERT(t_scene_is("a\nb\nc\nd\ne", 2, 0, "a b"));
	CU_ASSERT(t_scene_is("a\nb\nc\nd\ne", 2, 1, "c d e"));
	CU_ASSERT(t_scene_is("a\nb\nc\nd\ne", 1, 0, "a b c d e"));
	/* control characters become spaces; CRLF is a line end */
	CU_ASSERT(t_scene_is("x\ty\r\nz", 2, 0, "x y "));
	CU_ASSERT(t_scene_is("x\ty\r\nz", 2, 1, "z"));
}

void
suite_spec(void)
{
	CU_pSuite s = CU_add_suite("render/spec", NULL, NULL);

	CU_add_test(s, "ranges at their edges", t_spec_ranges);
	CU_add_test(s, "wrong types, unknown fields, duplicates", t_spec_types);
	CU_add_test(s, "voice, genre and mood words", t_spec_words);
	CU_add_test(s, "defaults and film sizes", t_spec_defaults);
	CU_add_test(s, "script: JSON, emptiness, size cap", t_spec_script);
	CU_add_test(s, "lines spread over scenes", t_spec_scenes);
}
