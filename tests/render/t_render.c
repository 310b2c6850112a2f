/* SPDX-License-Identifier: MIT */
/* t_render.c: kiln-render end to end on tiny films (low quality, 2-3 s,
 * 10-15 fps): the MP4's streams, duration, rate and size, the audio's
 * loudness, the PNGs, the thumbnail, progress and the manifest, read
 * back independently; and an external image generator run without a shell. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "util.h"

struct t_film {
	int scenes, seconds, fps, voice, music;
};

/* dir/render.json for f with script. */
static void
t_job(const char *dir, const struct t_film *f, const char *script)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"script\":\"%s\",\"config\":{\"num_images\":%d,\"video_duration\":%d,"
		 "\"fps\":%d,\"quality\":\"low\",\"include_voice\":%s,\"include_music\":%s,"
		 "\"mood\":\"happy\",\"genre\":\"electronic\"}}",
		 script, f->scenes, f->seconds, f->fps, f->voice ? "true" : "false",
		 f->music ? "true" : "false");
	CU_ASSERT_EQUAL_FATAL(util_write(dir, "render.json", buf, 0), 0);
}

/* The output folder holds exactly what a finished render leaves. */
static void
t_only_outputs(const char *out)
{
	DIR *d = opendir(out);
	struct dirent *e;

	CU_ASSERT_FATAL(d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		CU_ASSERT(strcmp(e->d_name, "film.mp4") == 0 || strcmp(e->d_name, "images") == 0 ||
			  strcmp(e->d_name, "thumbnail.jpg") == 0 ||
			  strcmp(e->d_name, "manifest.json") == 0);
	}
	closedir(d);
}

static void
t_check_pictures(const char *out, int scenes)
{
	char path[UTIL_PATH * 2];
	int i, w, h, rgb[3];

	for (i = 1; i <= scenes + 1; i++) {
		snprintf(path, sizeof(path), "%s/images/scene_%02d.png", out, i);
		if (i > scenes) {
			CU_ASSERT(!util_exists(out, path + strlen(out) + 1));
			break;
		}
		CU_ASSERT_EQUAL(util_picture(path, &w, &h, rgb), 0);
		CU_ASSERT(w == 854 && h == 480);
	}
	snprintf(path, sizeof(path), "%s/thumbnail.jpg", out);
	CU_ASSERT_EQUAL(util_picture(path, &w, &h, rgb), 0);
	CU_ASSERT(w == 854 && h == 480);
}

static void
t_check_manifest(const char *out, const struct t_film *f, const struct util_media *m)
{
	char *text = util_read(out, "manifest.json");
	json_t *j = text ? json_loads(text, 0, NULL) : NULL, *st;
	const char *enc;

	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT(fabs(json_real_value(json_object_get(j, "duration")) - m->duration) < 0.01);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "width")), 854);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "height")), 480);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "fps")), f->fps);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "frames")), f->fps * f->seconds);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "num_images")), f->scenes);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "video_codec")), "h264");
	enc = json_string_value(json_object_get(j, "video_encoder"));
	CU_ASSERT(enc != NULL && (strcmp(enc, "libx264") == 0 || strcmp(enc, "h264_nvenc") == 0));
	CU_ASSERT(json_is_true(json_object_get(j, "include_voice")) == f->voice);
	CU_ASSERT(json_is_true(json_object_get(j, "include_music")) == f->music);
	if (f->voice || f->music) {
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "audio_codec")), "aac");
	} else {
		CU_ASSERT(json_is_null(json_object_get(j, "audio_codec")));
	}
	st = json_object_get(j, "stages_ms");
	CU_ASSERT(json_is_integer(json_object_get(st, "images")));
	CU_ASSERT(json_is_integer(json_object_get(st, "voice")));
	CU_ASSERT(json_is_integer(json_object_get(st, "music")));
	CU_ASSERT(json_is_integer(json_object_get(st, "video")));
	CU_ASSERT(json_is_integer(json_object_get(st, "mux")));
	json_decref(j);
	free(text);
}

/* Renders f, then checks everything it wrote. */
static void
t_render_film(const struct t_film *f, const char *script)
{
	char dir[UTIL_PATH], in[UTIL_PATH + 32], out[UTIL_PATH + 32], path[UTIL_PATH * 2], *s;
	const char *args[] = {in, out, NULL};
	struct util_media m;

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	snprintf(in, sizeof(in), "%s/render.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	t_job(dir, f, script);
	CU_ASSERT_EQUAL_FATAL(util_render(dir, args), 0);
	CU_ASSERT(!util_exists(dir, "failure"));
	s = util_read(dir, "progress");
	CU_ASSERT(s != NULL && strcmp(s, "100\n") == 0);
	free(s);
	snprintf(path, sizeof(path), "%s/film.mp4", out);
	CU_ASSERT_EQUAL_FATAL(util_probe(path, &m), 0);
	CU_ASSERT(fabs(m.duration - f->seconds) <= 0.1);
	CU_ASSERT(m.video);
	CU_ASSERT(m.width == 854 && m.height == 480);
	CU_ASSERT(m.fps_num == f->fps && m.fps_den == 1);
	CU_ASSERT(m.rfps_num == f->fps && m.rfps_den == 1);
	CU_ASSERT_EQUAL(m.audio_streams, f->voice || f->music ? 1 : 0);
	if (f->voice || f->music) {
		CU_ASSERT(m.aac);
		CU_ASSERT(m.rms > 0.02); /* silence encodes to about 0 */
		CU_ASSERT(labs(m.audio_samples - 48000L * f->seconds) < 48000L / 10);
	}
	t_check_pictures(out, f->scenes);
	t_check_manifest(out, f, &m);
	t_only_outputs(out);
	util_rmtree(dir);
}

static void
t_render_voice_music(void)
{
	struct t_film f = {3, 3, 12, 1, 1};

	t_render_film(&f, "The sun rises over the hills.\\nA fox runs.\\nNight falls.");
}

static void
t_render_voice_only(void)
{
	struct t_film f = {2, 2, 10, 1, 0};

	t_render_film(&f, "Hello there, this is the voice.\\nAnd this is the end.");
}

static void
t_render_music_only(void)
{
	struct t_film f = {2, 2, 15, 0, 1};

	t_render_film(&f, "Only music here.");
}

static void
t_render_silent(void)
{
	struct t_film f = {3, 2, 10, 0, 0};

	t_render_film(&f, "one\\ntwo\\nthree\\nfour\\nfive");
}

/* A generator that paints the whole picture one colour at 320x200 and
 * logs its prompt, so the test sees both that it ran and what it got. */
static const char t_gen_py[] =
    "import struct, sys, zlib\n"
    "log, prompt, out = sys.argv[1], sys.argv[-2], sys.argv[-1]\n"
    "w, h = 320, 200\n"
    "raw = b''.join(b'\\x00' + bytes([10, 200, 30]) * w for _ in range(h))\n"
    "def chunk(t, d):\n"
    "    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))\n"
    "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, "
    "0))\n"
    "png += chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')\n"
    "open(out, 'wb').write(png)\n"
    "open(log, 'a').write(prompt + '\\n')\n";

static void
t_render_generator(void)
{
	char dir[UTIL_PATH], in[UTIL_PATH + 32], out[UTIL_PATH + 32], cmd[UTIL_PATH * 4];
	char path[UTIL_PATH * 2], *log, script[UTIL_PATH + 128], want[UTIL_PATH + 128];
	const char *args[] = {"-g", cmd, in, out, NULL};
	struct t_film f = {2, 2, 10, 0, 0};
	int w, h, rgb[3];

	CU_ASSERT_FATAL(util_tmpdir(dir) == 0);
	snprintf(in, sizeof(in), "%s/render.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(cmd, sizeof(cmd), "python3 %s/gen.py %s/prompts.txt", dir, dir);
	CU_ASSERT_FATAL(util_write(dir, "gen.py", t_gen_py, 0) == 0);
	/* shell syntax in a prompt stays text: no shell ever sees it (the
	 * path is absolute, so a shell anywhere would leave the file here) */
	snprintf(script, sizeof(script),
		 "A red $(touch %s/pwned) barn; echo hi\\n'quoted' \\\"line\\\" `x`", dir);
	snprintf(want, sizeof(want),
		 "A red $(touch %s/pwned) barn; echo hi\n'quoted' \"line\" `x`\n", dir);
	t_job(dir, &f, script);
	CU_ASSERT_EQUAL_FATAL(util_render(dir, args), 0);
	CU_ASSERT(!util_exists(dir, "pwned"));
	log = util_read(dir, "prompts.txt");
	CU_ASSERT_FATAL(log != NULL);
	CU_ASSERT_STRING_EQUAL(log, want);
	free(log);
	snprintf(path, sizeof(path), "%s/images/scene_02.png", out);
	CU_ASSERT_EQUAL(util_picture(path, &w, &h, rgb), 0);
	CU_ASSERT(w == 854 && h == 480); /* scaled from 320x200 */
	CU_ASSERT(abs(rgb[0] - 10) <= 3 && abs(rgb[1] - 200) <= 3 && abs(rgb[2] - 30) <= 3);
	util_rmtree(dir);
}

void
suite_render(void)
{
	CU_pSuite s = CU_add_suite("kiln-render end to end", NULL, NULL);

	CU_add_test(s, "voice and music", t_render_voice_music);
	CU_add_test(s, "voice only", t_render_voice_only);
	CU_add_test(s, "music only", t_render_music_only);
	CU_add_test(s, "no audio stream without voice and music", t_render_silent);
	CU_add_test(s, "external image generator, no shell", t_render_generator);
}
