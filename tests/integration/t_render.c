/* SPDX-License-Identifier: MIT */
/* t_render.c: render jobs end to end through nginx, the scheduler and
 * kiln-run in bubblewrap: POST /jobs with a script and config gives a film
 * with voice and music (its scene images, thumbnail and manifest as
 * outputs), downloaded through its signed link as a faststart MP4 and
 * charged exactly its quote; a bad voice fails with a clear reason and
 * costs nothing; a cancelled render leaves no film and costs nothing.
 * (tests/render/ reads the films themselves back with libav.) */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "it.h"

static char admin[2048], owner[2048];

#define RENDER_SCRIPT                                                                              \
	"\"A quiet harbour at dawn.\\nGulls rise over the water.\\nThe boats go out.\""

static int
render_init(void)
{
	long long uid;

	if (it_admin_login(admin, sizeof(admin)) != 0 || it_stack("sched-start") != 0)
		return 1;
	uid = it_new_user("films@example.com", owner, sizeof(owner));
	return uid == 0 || it_grant(admin, uid, "50") != 0;
}

static int
render_clean(void)
{
	return it_stack("sched-stop") == 0 ? 0 : 1;
}

/* The outputs of job id (new array), or NULL. */
static json_t *
render_outputs(long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/outputs", id);
	return it_get_json(owner, path);
}

/* Where an MP4 top-level box starts in body, or -1. */
static long
render_box(const struct it_resp *r, const char *type)
{
	size_t at = 0;

	while (at + 8 <= r->len) {
		const unsigned char *b = (const unsigned char *)r->body + at;
		size_t size = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];

		if (memcmp(b + 4, type, 4) == 0)
			return (long)at;
		if (size < 8)
			return -1;
		at += size;
	}
	return -1;
}

/* POST /jobs/estimate-cost for a render config: the total, or -1. */
static double
render_quote(const char *config)
{
	char body[1024];
	struct it_resp r;
	double total = -1;
	json_t *j;

	snprintf(body, sizeof(body), "%s", config);
	if (it_call("POST", "/api/v1/jobs/estimate-cost", owner, body, &r) == 200 &&
	    (j = it_json(&r)) != NULL) {
		total = json_number_value(json_object_get(j, "estimated_cost"));
		json_decref(j);
	}
	it_resp_free(&r);
	return total;
}

static void
t_render_film(void)
{
	const char *conf =
	    "{\"num_images\": 3, \"video_duration\": 2, \"fps\": 12,"
	    " \"quality\": \"low\", \"include_voice\": true, \"include_music\": true,"
	    " \"voice\": \"default\", \"genre\": \"cinematic\", \"mood\": \"calm\"}";
	char body[1024], path[96];
	struct it_resp r;
	json_t *j, *arr, *o;
	long long id;
	double quote;
	long moov, mdat;

	quote = render_quote("{\"num_images\": 3, \"video_duration\": 2, \"include_voice\": true,"
			     " \"include_music\": true}");
	CU_ASSERT_FATAL(quote > 0);
	snprintf(body, sizeof(body), "{\"name\": \"harbour\", \"script\": %s, \"config\": %s}",
		 RENDER_SCRIPT, conf);
	id = it_submit(owner, body);
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(owner, id, "status", "completed", 120000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(json_number_value(json_object_get(j, "progress")) == 100);
	/* the hold was the quote; the charge is what the film holds: the same */
	CU_ASSERT(json_number_value(json_object_get(j, "estimated_cost")) == quote);
	CU_ASSERT(json_number_value(json_object_get(j, "actual_cost")) == quote);
	json_decref(j);
	arr = render_outputs(id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(arr);
	CU_ASSERT_PTR_NOT_NULL(it_item(arr, "path", "thumbnail.jpg"));
	CU_ASSERT_PTR_NOT_NULL(it_item(arr, "path", "manifest.json"));
	CU_ASSERT_PTR_NOT_NULL(it_item(arr, "path", "images/scene_01.png"));
	CU_ASSERT_PTR_NOT_NULL(it_item(arr, "path", "images/scene_03.png"));
	CU_ASSERT_PTR_NULL(it_item(arr, "path", "images/scene_04.png"));
	o = it_item(arr, "path", "film.mp4");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(it_jstr(o, "content_type"), "video/mp4");
	/* the download, with no credentials but the link: an MP4 whose index
	 * comes before its media (faststart: it plays while it loads) */
	it_http("GET", it_jstr(o, "url"), NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT(r.len > 1000);
	CU_ASSERT_EQUAL(render_box(&r, "ftyp"), 0);
	moov = render_box(&r, "moov");
	mdat = render_box(&r, "mdat");
	CU_ASSERT(moov > 0 && mdat > moov);
	it_resp_free(&r);
	json_decref(arr);
	/* the log says which encoder ran */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", id);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "libx264"));
	it_resp_free(&r);
}

static void
t_render_bad_voice(void)
{
	char body[1024];
	long long id;
	json_t *j, *arr;

	snprintf(body, sizeof(body),
		 "{\"script\": %s, \"config\": {\"num_images\": 2, \"video_duration\": 2,"
		 " \"fps\": 10, \"quality\": \"low\", \"include_voice\": true,"
		 " \"voice\": \"zz-no-such-voice\"}}",
		 RENDER_SCRIPT);
	id = it_submit(owner, body);
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(owner, id, "status", "failed", 120000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "unknown_voice");
	CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "failure_detail"), "zz-no-such-voice"));
	CU_ASSERT(json_number_value(json_object_get(j, "actual_cost")) == 0);
	json_decref(j);
	arr = render_outputs(id);
	CU_ASSERT_PTR_NOT_NULL(arr);
	CU_ASSERT_PTR_NULL(it_item(arr, "path", "film.mp4"));
	CU_ASSERT_PTR_NULL(it_item(arr, "path", "manifest.json"));
	json_decref(arr);
}

struct render_watch {
	long long id;
};

/* The render is encoding frames (kiln-render's progress is past 45). */
static int
render_encoding(void *arg)
{
	struct render_watch *w = arg;
	json_t *j = it_job(owner, w->id);
	int yes = j != NULL && json_number_value(json_object_get(j, "progress")) > 45;

	json_decref(j);
	return yes;
}

static void
t_render_cancel(void)
{
	char body[1024], path[96];
	struct render_watch w;
	json_t *j, *arr;

	snprintf(body, sizeof(body),
		 "{\"script\": %s, \"config\": {\"num_images\": 3, \"video_duration\": 120,"
		 " \"fps\": 30, \"quality\": \"low\"}}",
		 RENDER_SCRIPT);
	w.id = it_submit(owner, body);
	CU_ASSERT_FATAL(w.id > 0);
	CU_ASSERT_FATAL(it_wait(120000, render_encoding, &w));
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", w.id);
	CU_ASSERT_EQUAL(it_call_status("POST", path, owner, NULL), 202); /* kiln-run ends it */
	j = it_wait_job(owner, w.id, "status", "cancelled", 30000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(json_number_value(json_object_get(j, "actual_cost")) == 0);
	json_decref(j);
	arr = render_outputs(w.id);
	CU_ASSERT_PTR_NOT_NULL(arr);
	CU_ASSERT_EQUAL(json_array_size(arr), 0); /* no film, no cards, no temp file */
	if (json_array_size(arr) != 0) {
		char *text = json_dumps(arr, 0);

		fprintf(stderr, "\n  left: %s", text);
		free(text);
	}
	json_decref(arr);
}

void
suite_render(void)
{
	CU_pSuite s = CU_add_suite("rendering", render_init, render_clean);

	CU_add_test(s, "a film with voice and music, downloaded, charged its quote", t_render_film);
	CU_add_test(s, "an unknown voice fails clearly and costs nothing", t_render_bad_voice);
	CU_add_test(s, "a cancelled render leaves no film and costs nothing", t_render_cancel);
}
