/* SPDX-License-Identifier: MIT */
/* t_errors.c: kiln-render's failures and cancel: each must exit non-zero
 * with a clear one-line reason in the failure file and leave none of its
 * outputs behind; SIGTERM mid-encode must stop it within 2 s. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include "clock.h"
#include "util.h"

/* The output folder is absent or empty: nothing of ours, no temp film. */
static int
t_clean(const char *out)
{
	int n = util_entries(out);

	if (n > 0)
		fprintf(stderr, "\n  %s holds %d entries\n", out, n);
	return n <= 0;
}

/* Runs kiln-render on doc with extra options (NULL-terminated, at most
 * 4); asserts exit status want_rc, a failure line holding want, and a
 * clean output folder. */
static void
t_fail(const char *doc, const char *const opts[], int want_rc, const char *want)
{
	char dir[UTIL_PATH], in[UTIL_PATH + 32], out[UTIL_PATH + 32], *why;
	const char *args[8];
	int n = 0, rc;

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	snprintf(in, sizeof(in), "%s/render.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	CU_ASSERT_FATAL(util_write(dir, "render.json", doc, 0) == 0);
	while (opts != NULL && opts[n] != NULL && n < 4) {
		args[n] = opts[n];
		n++;
	}
	args[n++] = in;
	args[n++] = out;
	args[n] = NULL;
	rc = util_render(dir, args);
	CU_ASSERT_EQUAL(rc, want_rc);
	why = util_read(dir, "failure");
	CU_ASSERT_FATAL(why != NULL);
	if (strstr(why, want) == NULL)
		fprintf(stderr, "\n  failure '%s', want '%s'\n", why, want);
	CU_ASSERT(strstr(why, want) != NULL);
	CU_ASSERT(strlen(why) <= 200 && strchr(why, '\n') == why + strlen(why) - 1);
	CU_ASSERT(t_clean(out));
	free(why);
	util_rmtree(dir);
}

#define T_OK_CONF "\"num_images\":2,\"video_duration\":2,\"fps\":10,\"quality\":\"low\""

static void
t_errors_config(void)
{
	static const struct {
		const char *doc, *want;
	} cases[] = {
	    {"{\"script\":\"a\",\"config\":{\"fps\":0}}", "bad config: fps must be 1..60"},
	    {"{\"script\":\"a\",\"config\":{\"fps\":61}}", "bad config: fps must be 1..60"},
	    {"{\"script\":\"a\",\"config\":{\"num_images\":0}}", "num_images must be 1..100"},
	    {"{\"script\":\"a\",\"config\":{\"num_images\":101}}", "num_images must be 1..100"},
	    {"{\"script\":\"a\",\"config\":{\"video_duration\":601}}", "video_duration must be"},
	    {"{\"script\":\"a\",\"config\":{\"quality\":\"ultra\"}}", "quality must be low"},
	    {"{\"script\":\"a\",\"config\":{\"fps\":\"30\"}}", "fps must be an integer"},
	    {"{\"script\":\"a\",\"config\":{\"include_voice\":\"yes\"}}", "include_voice must be"},
	    {"{\"script\":\"a\",\"config\":{\"mood\":\"Sad!\"}}", "mood must be"},
	    {"{\"script\":\"a\",\"config\":7}", "config must be an object"},
	    {"{\"script\":\"a\",", "bad input"},
	    {"not json", "bad input"},
	    {"{\"script\":\"\"}", "at least one scene line"},
	    {"{\"script\":\" \\n \\n\"}", "at least one scene line"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t_fail(cases[i].doc, NULL, 1, cases[i].want);
}

static void
t_errors_voice(void)
{
	t_fail("{\"script\":\"hello\",\"config\":{" T_OK_CONF ",\"include_voice\":true,"
	       "\"voice\":\"xx\"}}",
	       NULL, 1, "unknown voice 'xx'");
}

static void
t_errors_font(void)
{
	const char *opts[] = {"-f", "/nonexistent/font.ttf", NULL};

	t_fail("{\"script\":\"hello\",\"config\":{" T_OK_CONF "}}", opts, 1,
	       "no font: /nonexistent/font.ttf");
}

static void
t_errors_generator(void)
{
	const char *fails[] = {"-g", "false", NULL}, *silent[] = {"-g", "true", NULL};
	const char *missing[] = {"-g", "/nonexistent/generator --flag", NULL};

	t_fail("{\"script\":\"hello\",\"config\":{" T_OK_CONF "}}", fails, 1,
	       "image generator: scene 1: exit 1");
	t_fail("{\"script\":\"hello\",\"config\":{" T_OK_CONF "}}", silent, 1,
	       "image generator: scene 1: no PNG");
	t_fail("{\"script\":\"hello\",\"config\":{" T_OK_CONF "}}", missing, 1,
	       "image generator: scene 1: exit 127");
}

static void
t_errors_usage(void)
{
	char dir[UTIL_PATH];
	const char *none[] = {NULL}, *extra[] = {"a", "b", "c", NULL};

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	CU_ASSERT_EQUAL(util_render(dir, none), 2);
	CU_ASSERT_EQUAL(util_render(dir, extra), 2);
	util_rmtree(dir);
}

/* Polls dir/progress until it reaches at least pct; 0, or -1 past the
 * deadline. Never a fixed sleep as synchronisation. */
static int
t_wait_progress(const char *dir, int pct, long deadline_ms)
{
	struct timespec ts = {0, 10 * 1000000L};
	int64_t end = clock_mono_ms() + deadline_ms;
	char *s;
	int v;

	while (clock_mono_ms() < end) {
		s = util_read(dir, "progress");
		v = s != NULL ? (int)strtol(s, NULL, 10) : -1;
		free(s);
		if (v >= pct)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void
t_errors_cancel(void)
{
	char dir[UTIL_PATH], in[UTIL_PATH + 32], out[UTIL_PATH + 32], *why;
	const char *args[] = {in, out, NULL};
	int64_t t0;
	pid_t pid;
	int rc;

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	snprintf(in, sizeof(in), "%s/render.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	CU_ASSERT_FATAL(util_write(dir, "render.json",
				   "{\"script\":\"one\\ntwo\\nthree\",\"config\":{\"num_images\":3,"
				   "\"video_duration\":20,\"fps\":15,\"quality\":\"low\","
				   "\"include_music\":true}}",
				   0) == 0);
	CU_ASSERT_FATAL((pid = util_spawn(dir, args)) > 0);
	/* 46: past the start of the video stage (45), so frames are encoding */
	rc = t_wait_progress(dir, 46, 60000);
	CU_ASSERT_EQUAL(rc, 0);
	t0 = clock_mono_ms();
	kill(pid, SIGTERM);
	rc = util_wait(pid, 2000);
	CU_ASSERT_EQUAL(rc, 143);
	CU_ASSERT(clock_mono_ms() - t0 < 2000);
	why = util_read(dir, "failure");
	CU_ASSERT(why != NULL && strcmp(why, "cancelled\n") == 0);
	free(why);
	CU_ASSERT(!util_exists(out, "film.mp4"));
	CU_ASSERT(t_clean(out));
	util_rmtree(dir);
}

/* A generator that says it started, then hangs: cancel must kill it. */
static void
t_errors_cancel_generator(void)
{
	char dir[UTIL_PATH], in[UTIL_PATH + 32], out[UTIL_PATH + 32], cmd[UTIL_PATH * 3];
	const char *args[] = {"-g", cmd, in, out, NULL};
	int64_t t0;
	pid_t pid;
	int rc;

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	snprintf(in, sizeof(in), "%s/render.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "python3 %s/hang.py %s/started", dir, dir);
	CU_ASSERT_FATAL(util_write(dir, "hang.py",
				   "import sys, time\nopen(sys.argv[1], 'w').close()\n"
				   "time.sleep(60)\n",
				   0) == 0);
	CU_ASSERT_FATAL(util_write(dir, "render.json",
				   "{\"script\":\"a\",\"config\":{" T_OK_CONF "}}", 0) == 0);
	CU_ASSERT_FATAL((pid = util_spawn(dir, args)) > 0);
	t0 = clock_mono_ms();
	while (!util_exists(dir, "started") && clock_mono_ms() - t0 < 30000)
		nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	CU_ASSERT(util_exists(dir, "started"));
	t0 = clock_mono_ms();
	kill(pid, SIGTERM);
	rc = util_wait(pid, 2000);
	CU_ASSERT_EQUAL(rc, 143);
	CU_ASSERT(clock_mono_ms() - t0 < 2000);
	CU_ASSERT(t_clean(out));
	util_rmtree(dir);
}

void
suite_errors(void)
{
	CU_pSuite s = CU_add_suite("kiln-render failures and cancel", NULL, NULL);

	CU_add_test(s, "bad config and input", t_errors_config);
	CU_add_test(s, "unknown voice", t_errors_voice);
	CU_add_test(s, "missing font", t_errors_font);
	CU_add_test(s, "failing image generators", t_errors_generator);
	CU_add_test(s, "usage", t_errors_usage);
	CU_add_test(s, "SIGTERM while encoding", t_errors_cancel);
	CU_add_test(s, "SIGTERM while a generator runs", t_errors_cancel_generator);
}
