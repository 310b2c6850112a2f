/* SPDX-License-Identifier: MIT */
/* t_jobs.c: the jobs API through nginx: submission (the seed example, every
 * field at and past its bounds, working_dir confinement, the cost limit),
 * the job document, visibility by role (another user's id is always 404),
 * listing, stats, the event history, cancel and PATCH. No scheduler runs in
 * the test stack, so a job stays where the API (or an operator) puts it. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"

#define JOBS "/api/v1/jobs"
#define DEFAULT_RESOURCES                                                                          \
	"{\"gpus\":1,\"cpu_count\":1,\"memory_limit\":\"1g\",\"timeout_seconds\":3600}"

static char admin_token[2048], viewer_token[2048], operator_token[2048];
static char owner_token[2048], stranger_token[2048];
static long long admin_id, operator_id, owner_id;
static long long owner_job; /* a pending job of the owner's, made on first use */

/* The integer at key, or a marker that no expected value equals. */
static long long
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -999999;
}

static int
jnull(const json_t *o, const char *key)
{
	return json_is_null(json_object_get(o, key));
}

/* method path as token with an optional JSON body; OUT: *j, the answer's
 * JSON (new) or NULL. Returns the status. */
static long
call_json(const char *method, const char *path, const char *token, const char *body, json_t **j)
{
	struct it_resp r;
	long s = it_call(method, path, token, body, &r);

	*j = it_json(&r);
	it_resp_free(&r);
	return s;
}

static long
submit(const char *token, const char *body, json_t **j)
{
	return call_json("POST", JOBS, token, body, j);
}

static const char *
jpath(char *buf, size_t n, long long id, const char *tail)
{
	snprintf(buf, n, JOBS "/%lld%s", id, tail);
	return buf;
}

/* GET /jobs/{id} as token: the job (new) or NULL unless 200. */
static json_t *
job_get(const char *token, long long id)
{
	char path[128];
	json_t *j = NULL;

	if (call_json("GET", jpath(path, sizeof(path), id, ""), token, NULL, &j) != 200) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static long
job_cancel(const char *token, long long id)
{
	char path[128];

	return it_call_status("POST", jpath(path, sizeof(path), id, "/cancel"), token, NULL);
}

static long
job_patch(const char *token, long long id, const char *body)
{
	char path[128];

	return it_call_status("PATCH", jpath(path, sizeof(path), id, ""), token, body);
}

/* The job's status as token sees it, into OUT: buf. */
static const char *
job_status(const char *token, long long id, char *buf, size_t n)
{
	json_t *j = job_get(token, id);

	snprintf(buf, n, "%s", it_jstr(j, "status"));
	json_decref(j);
	return buf;
}

/* GET /jobs/{id}/events as token: the items (new) or NULL unless 200. */
static json_t *
job_events(const char *token, long long id)
{
	char path[128];
	json_t *j = NULL, *items = NULL;

	if (call_json("GET", jpath(path, sizeof(path), id, "/events"), token, NULL, &j) == 200 &&
	    json_is_array(json_object_get(j, "items")))
		items = json_incref(json_object_get(j, "items"));
	json_decref(j);
	return items;
}

/* GET /jobs + query as token; OUT: ids ("12,11,10", in answer order) and
 * *total. Returns the status. */
static long
list_ids(const char *token, const char *query, char *ids, size_t n, long long *total)
{
	char path[512];
	json_t *j = NULL, *it;
	size_t i, len = 0;
	long s;

	snprintf(path, sizeof(path), JOBS "%s", query);
	s = call_json("GET", path, token, NULL, &j);
	ids[0] = '\0';
	*total = jint(j, "total");
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		int w = snprintf(ids + len, n - len, "%s%lld", i ? "," : "", jint(it, "id"));

		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	json_decref(j);
	return s;
}

/* POST /jobs/estimate-cost with resources as token: the quote, or -1. */
static double
quote(const char *token, const char *resources)
{
	json_t *j = NULL;
	double v = -1;

	if (call_json("POST", JOBS "/estimate-cost", token, resources, &j) == 200)
		v = json_number_value(json_object_get(j, "estimated_cost"));
	json_decref(j);
	return v;
}

static int
jobs_init(void)
{
	json_t *me = NULL;

	if (it_admin_login(admin_token, sizeof(admin_token)) != 0)
		return 1;
	call_json("GET", "/api/v1/auth/me", admin_token, NULL, &me);
	admin_id = jint(me, "id");
	json_decref(me);
	operator_id = it_new_staff(admin_token, "jobs-operator@example.com", "operator",
				   operator_token, sizeof(operator_token));
	owner_id = it_new_user("jobs-owner@example.com", owner_token, sizeof(owner_token));
	if (admin_id <= 0 || operator_id <= 0 || owner_id <= 0 ||
	    it_new_staff(admin_token, "jobs-viewer@example.com", "viewer", viewer_token,
			 sizeof(viewer_token)) <= 0 ||
	    it_new_user("jobs-stranger@example.com", stranger_token, sizeof(stranger_token)) <= 0)
		return 1;
	return 0;
}

/* The owner's shared pending job, submitted on first use. */
static long long
shared_job(void)
{
	if (owner_job == 0)
		owner_job = it_submit(owner_token, "{\"name\":\"shared\",\"command\":[\"true\"]}");
	return owner_job;
}

/* A string of n copies of c (new). */
static char *
repeat_new(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The compact text of j (new); steals j. */
static char *
dump_new(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (s == NULL)
		abort();
	return s;
}

static void
test_seed_example(void)
{
	static const char seed[] =
	    "{\"name\": \"nightly-linux\", \"command\": [\"make\", \"test\"], \"working_dir\":"
	    " \"/workspace/project\", \"env\": {\"BUILD_MODE\": \"release\"}, \"payload\":"
	    " {\"note\": \"Nightly smoke\"}}";
	char t[2048];
	json_t *j = NULL, *g, *res, *want;
	long long uid = it_new_user("jobs-seed@example.com", t, sizeof(t));

	CU_ASSERT_EQUAL_FATAL(submit(t, seed, &j), 202);
	CU_ASSERT(jint(j, "id") > 0);
	CU_ASSERT_EQUAL(jint(j, "user_id"), uid);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "kind"), "command");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "nightly-linux");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "pending");
	CU_ASSERT(json_is_string(json_object_get(j, "wait_reason")) || jnull(j, "wait_reason"));
	CU_ASSERT(jnull(j, "failure_reason") && jnull(j, "exit_code") && jnull(j, "script"));
	CU_ASSERT(jnull(j, "node") && jnull(j, "batch_id") && jnull(j, "project_id"));
	CU_ASSERT(jnull(j, "started_at") && jnull(j, "finished_at"));
	CU_ASSERT(json_is_string(json_object_get(j, "created_at")));
	/* a new job's row has not changed since it was made */
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "updated_at"), it_jstr(j, "created_at"));
	CU_ASSERT(json_is_number(json_object_get(j, "progress")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "progress")), 0, 1e-9);
	CU_ASSERT_EQUAL(jint(j, "priority"), 0);
	CU_ASSERT_EQUAL(jint(j, "attempts"), 0);
	CU_ASSERT_EQUAL(jint(j, "max_attempts"), 3);
	CU_ASSERT(json_is_false(json_object_get(j, "cancel_requested")));
	CU_ASSERT(json_is_number(json_object_get(j, "actual_cost")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "actual_cost")), 0, 1e-9);
	want = json_pack("[ss]", "make", "test");
	CU_ASSERT(json_equal(json_object_get(j, "command"), want));
	json_decref(want);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "working_dir"), "project");
	want = json_pack("{ss}", "BUILD_MODE", "release");
	CU_ASSERT(json_equal(json_object_get(j, "env"), want));
	json_decref(want);
	want = json_pack("{ss}", "note", "Nightly smoke");
	CU_ASSERT(json_equal(json_object_get(j, "payload"), want));
	json_decref(want);
	res = json_object_get(j, "resources");
	CU_ASSERT_EQUAL(jint(res, "gpus"), 1);
	CU_ASSERT_EQUAL(jint(res, "cpu_count"), 1);
	CU_ASSERT_EQUAL(jint(res, "memory_limit"), 1073741824LL);
	CU_ASSERT_EQUAL(jint(res, "timeout_seconds"), 3600);
	CU_ASSERT(json_is_number(json_object_get(j, "estimated_cost")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "estimated_cost")),
			       quote(t, DEFAULT_RESOURCES), 1e-9);
	/* GET answers the same document */
	g = job_get(t, jint(j, "id"));
	CU_ASSERT(json_equal(j, g));
	json_decref(g);
	json_decref(j);
}

static void
test_script_and_explicit_fields(void)
{
	char t[2048];
	json_t *j = NULL, *res, *want;

	it_new_user("jobs-script@example.com", t, sizeof(t));
	/* a script with every optional field left out */
	CU_ASSERT_EQUAL(submit(t, "{\"script\":\"#!/bin/sh\\necho hi\\n\"}", &j), 202);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "kind"), "script");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "script"), "#!/bin/sh\necho hi\n");
	CU_ASSERT(jnull(j, "command") && jnull(j, "payload"));
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "job");
	CU_ASSERT(json_is_string(json_object_get(j, "working_dir")));
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "working_dir"), "");
	CU_ASSERT(json_is_object(json_object_get(j, "env")) &&
		  json_object_size(json_object_get(j, "env")) == 0);
	CU_ASSERT_EQUAL(jint(json_object_get(j, "resources"), "memory_limit"), 1073741824LL);
	json_decref(j);
	/* every field given */
	CU_ASSERT_EQUAL(
	    submit(t,
		   "{\"name\":\"train\",\"command\":[\"python3\",\"train.py\"],\"working_dir\":"
		   "\"src/app\",\"env\":{\"_\":\"\",\"a_B9\":\"x y\"},\"payload\":{\"a\":[1,2]},"
		   "\"resources\":{\"gpus\":2,\"cpu_count\":4,\"memory_limit\":\"512m\","
		   "\"timeout_seconds\":60},\"priority\":-5,\"max_attempts\":1}",
		   &j),
	    202);
	res = json_object_get(j, "resources");
	CU_ASSERT_EQUAL(jint(res, "gpus"), 2);
	CU_ASSERT_EQUAL(jint(res, "cpu_count"), 4);
	CU_ASSERT_EQUAL(jint(res, "memory_limit"), 536870912LL);
	CU_ASSERT_EQUAL(jint(res, "timeout_seconds"), 60);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "estimated_cost")),
			       quote(t, "{\"gpus\":2,\"cpu_count\":4,\"memory_limit\":\"512m\","
					"\"timeout_seconds\":60}"),
			       1e-9);
	CU_ASSERT_EQUAL(jint(j, "priority"), -5);
	CU_ASSERT_EQUAL(jint(j, "max_attempts"), 1);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "working_dir"), "src/app");
	want = json_pack("{ssss}", "_", "", "a_B9", "x y");
	CU_ASSERT(json_equal(json_object_get(j, "env"), want));
	json_decref(want);
	want = json_pack("{s[ii]}", "a", 1, 2);
	CU_ASSERT(json_equal(json_object_get(j, "payload"), want));
	json_decref(want);
	json_decref(j);
	/* memory as bytes and as gigabytes */
	CU_ASSERT_EQUAL(
	    submit(t, "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":1048576}}", &j), 202);
	CU_ASSERT_EQUAL(jint(json_object_get(j, "resources"), "memory_limit"), 1048576);
	json_decref(j);
	CU_ASSERT_EQUAL(
	    submit(t, "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":\"8g\"}}", &j), 202);
	CU_ASSERT_EQUAL(jint(json_object_get(j, "resources"), "memory_limit"), 8589934592LL);
	json_decref(j);
}

struct jcase {
	const char *what;
	const char *body;
};

/* Each is at a bound, or a value the spec names as fine. */
static const struct jcase good_bodies[] = {
    {"no GPU", "{\"command\":[\"x\"],\"resources\":{\"gpus\":0}}"},
    {"16 GPUs for a minute",
     "{\"command\":[\"x\"],\"resources\":{\"gpus\":16,\"timeout_seconds\":60}}"},
    {"256 cores", "{\"command\":[\"x\"],\"resources\":{\"cpu_count\":256,\"timeout_seconds\":60}}"},
    {"1 TiB as 1024g",
     "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":\"1024g\",\"timeout_seconds\":60}}"},
    {"1 TiB in bytes",
     "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":1099511627776,\"timeout_seconds\":60}}"},
    {"a week", "{\"command\":[\"x\"],\"resources\":{\"gpus\":0,\"timeout_seconds\":604800}}"},
    {"one second", "{\"command\":[\"x\"],\"resources\":{\"timeout_seconds\":1}}"},
    {"priority -100", "{\"command\":[\"x\"],\"priority\":-100}"},
    {"priority 100", "{\"command\":[\"x\"],\"priority\":100}"},
    {"max_attempts 1", "{\"command\":[\"x\"],\"max_attempts\":1}"},
    {"max_attempts 10", "{\"command\":[\"x\"],\"max_attempts\":10}"},
    {"empty payload", "{\"command\":[\"x\"],\"payload\":{}}"},
    {"empty env", "{\"command\":[\"x\"],\"env\":{}}"},
};

/* Each must be refused with 422 and create nothing. */
static const struct jcase bad_bodies[] = {
    {"neither command nor script", "{\"name\":\"x\"}"},
    {"both command and script", "{\"command\":[\"x\"],\"script\":\"x\"}"},
    {"empty command", "{\"command\":[]}"},
    {"command as a string", "{\"command\":\"make test\"}"},
    {"a number argument", "{\"command\":[\"x\",1]}"},
    {"an empty argument", "{\"command\":[\"\"]}"},
    {"empty script", "{\"script\":\"\"}"},
    {"script not a string", "{\"script\":[\"x\"]}"},
    {"empty name", "{\"name\":\"\",\"command\":[\"x\"]}"},
    {"name a number", "{\"name\":5,\"command\":[\"x\"]}"},
    {"env a string", "{\"command\":[\"x\"],\"env\":\"A=1\"}"},
    {"env number value", "{\"command\":[\"x\"],\"env\":{\"A\":1}}"},
    {"env null value", "{\"command\":[\"x\"],\"env\":{\"A\":null}}"},
    {"env LD_PRELOAD", "{\"command\":[\"x\"],\"env\":{\"LD_PRELOAD\":\"/tmp/x.so\"}}"},
    {"env KILN_", "{\"command\":[\"x\"],\"env\":{\"KILN_TOKEN\":\"x\"}}"},
    {"env name with a digit first", "{\"command\":[\"x\"],\"env\":{\"1A\":\"x\"}}"},
    {"env name with a dash", "{\"command\":[\"x\"],\"env\":{\"A-B\":\"x\"}}"},
    {"env empty name", "{\"command\":[\"x\"],\"env\":{\"\":\"x\"}}"},
    {"payload a string", "{\"command\":[\"x\"],\"payload\":\"x\"}"},
    {"payload an array", "{\"command\":[\"x\"],\"payload\":[1]}"},
    {"payload a number", "{\"command\":[\"x\"],\"payload\":5}"},
    {"resources a string", "{\"command\":[\"x\"],\"resources\":\"big\"}"},
    {"17 GPUs", "{\"command\":[\"x\"],\"resources\":{\"gpus\":17,\"timeout_seconds\":60}}"},
    {"-1 GPUs", "{\"command\":[\"x\"],\"resources\":{\"gpus\":-1}}"},
    {"GPUs as a string", "{\"command\":[\"x\"],\"resources\":{\"gpus\":\"1\"}}"},
    {"0 cores", "{\"command\":[\"x\"],\"resources\":{\"cpu_count\":0}}"},
    {"257 cores", "{\"command\":[\"x\"],\"resources\":{\"cpu_count\":257,\"timeout_seconds\":60}}"},
    {"memory lots", "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":\"lots\"}}"},
    {"memory 1025g",
     "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":\"1025g\",\"timeout_seconds\":60}}"},
    {"memory 0", "{\"command\":[\"x\"],\"resources\":{\"memory_limit\":0}}"},
    {"timeout 0", "{\"command\":[\"x\"],\"resources\":{\"timeout_seconds\":0}}"},
    {"timeout 604801",
     "{\"command\":[\"x\"],\"resources\":{\"gpus\":0,\"timeout_seconds\":604801}}"},
    {"resources disk", "{\"command\":[\"x\"],\"resources\":{\"disk\":\"10g\"}}"},
    {"priority 101", "{\"command\":[\"x\"],\"priority\":101}"},
    {"priority -101", "{\"command\":[\"x\"],\"priority\":-101}"},
    {"priority a string", "{\"command\":[\"x\"],\"priority\":\"5\"}"},
    {"priority 1.5", "{\"command\":[\"x\"],\"priority\":1.5}"},
    {"max_attempts 0", "{\"command\":[\"x\"],\"max_attempts\":0}"},
    {"max_attempts 11", "{\"command\":[\"x\"],\"max_attempts\":11}"},
};

enum { E_NAME, E_ARGS, E_ARG, E_SCRIPT, E_ENV, E_ENVNAME, E_PAYLOAD, E_FULL, E__COUNT };
static const char *const edge_names[E__COUNT] = {"name of 200/201 bytes",
						 "256/257 arguments",
						 "an argument of 4096/4097 bytes",
						 "script of 65536/65537 bytes",
						 "64/65 env variables",
						 "env name of 128/129 bytes",
						 "payload of 60 KiB/over 64 KiB",
						 "256 arguments of 4096 bytes/one of 4097"};

/* A body at the limit of which (over = 0) or one past it (over = 1); new. */
static char *
edge_body_new(int which, int over)
{
	json_t *j = json_pack("{s[s]}", "command", "x"), *env;
	char *s = NULL, key[16];
	int i;

	switch (which) {
	case E_NAME:
		s = repeat_new('n', 200 + over);
		json_object_set_new(j, "name", json_string(s));
		break;
	case E_ARGS:
		for (i = 1; i < 256 + over; i++)
			json_array_append_new(json_object_get(j, "command"), json_string("x"));
		break;
	case E_ARG:
		s = repeat_new('a', 4096 + over);
		json_array_append_new(json_object_get(j, "command"), json_string(s));
		break;
	case E_SCRIPT:
		json_object_del(j, "command");
		s = repeat_new('#', 65536 + over);
		json_object_set_new(j, "script", json_string(s));
		break;
	case E_ENV:
		env = json_object();
		for (i = 0; i < 64 + over; i++) {
			snprintf(key, sizeof(key), "V%d", i);
			json_object_set_new(env, key, json_string("1"));
		}
		json_object_set_new(j, "env", env);
		break;
	case E_ENVNAME:
		s = repeat_new('E', 128 + over);
		json_object_set_new(j, "env", json_pack("{ss}", s, "1"));
		break;
	case E_FULL: /* the largest command: a body of about 1 MiB */
		s = repeat_new('f', 4096);
		json_array_clear(json_object_get(j, "command"));
		for (i = 0; i < 256; i++)
			json_array_append_new(json_object_get(j, "command"), json_string(s));
		free(s);
		s = repeat_new('f', 4096 + over);
		json_array_set_new(json_object_get(j, "command"), 255, json_string(s));
		break;
	default: /* a note of 65536 bytes serialises past 64 KiB */
		s = repeat_new('p', over ? 65536 : 60000);
		json_object_set_new(j, "payload", json_pack("{ss}", "note", s));
		break;
	}
	free(s);
	return dump_new(j);
}

static void
test_bounds_accepted(void)
{
	char t[2048], ids[256];
	long long total;
	size_t i;
	long s;
	int w;

	it_new_user("jobs-bounds-ok@example.com", t, sizeof(t));
	for (i = 0; i < sizeof(good_bodies) / sizeof(good_bodies[0]); i++) {
		if ((s = it_call_status("POST", JOBS, t, good_bodies[i].body)) != 202)
			fprintf(stderr, "\n  jobs: %s answered %ld, not 202", good_bodies[i].what,
				s);
		CU_ASSERT_EQUAL(s, 202);
	}
	for (w = 0; w < E__COUNT; w++) {
		char *body = edge_body_new(w, 0);

		if ((s = it_call_status("POST", JOBS, t, body)) != 202)
			fprintf(stderr, "\n  jobs: at the limit, %s answered %ld", edge_names[w],
				s);
		CU_ASSERT_EQUAL(s, 202);
		free(body);
	}
	CU_ASSERT_EQUAL(list_ids(t, "?page_size=1", ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total,
			(long long)(sizeof(good_bodies) / sizeof(good_bodies[0])) + E__COUNT);
}

static void
test_bounds_refused(void)
{
	char t[2048], ids[256];
	struct it_resp r;
	long long total;
	size_t i;
	long s;
	int w;

	it_new_user("jobs-bounds-bad@example.com", t, sizeof(t));
	for (i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		if ((s = it_call_status("POST", JOBS, t, bad_bodies[i].body)) != 422)
			fprintf(stderr, "\n  jobs: %s answered %ld, not 422", bad_bodies[i].what,
				s);
		CU_ASSERT_EQUAL(s, 422);
	}
	for (w = 0; w < E__COUNT; w++) {
		char *body = edge_body_new(w, 1);

		if ((s = it_call_status("POST", JOBS, t, body)) != 422)
			fprintf(stderr, "\n  jobs: past the limit, %s answered %ld", edge_names[w],
				s);
		CU_ASSERT_EQUAL(s, 422);
		free(body);
	}
	/* a NUL: the spec gives no status, the JSON parser may answer first */
	s = it_call_status("POST", JOBS, t, "{\"command\":[\"a\\u0000b\"]}");
	CU_ASSERT(s == 400 || s == 422);
	/* an unknown field is named in the answer */
	CU_ASSERT_EQUAL(it_call("POST", JOBS, t, "{\"command\":[\"x\"],\"colour\":\"red\"}", &r),
			422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "colour"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(list_ids(t, "", ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 0);
}

static void
test_working_dir(void)
{
	static const char *const good[][2] = {
	    {"/workspace/project", "project"},
	    {"/workspace/a/b", "a/b"},
	    {"src/app", "src/app"},
	    {"/workspace", ""},
	    {"build", "build"},
	};
	static const char *const bad[] = {
	    "/etc", "../x", "a/../../b",     "/workspace/../etc", "/workspacefoo/x",
	    "/",    "..",   "/tmp/workspace"};
	char t[2048], body[256], ids[64];
	long long total;
	json_t *j;
	size_t i;

	it_new_user("jobs-wd@example.com", t, sizeof(t));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body), "{\"command\":[\"x\"],\"working_dir\":\"%s\"}",
			 good[i][0]);
		j = NULL;
		CU_ASSERT_EQUAL(submit(t, body, &j), 202);
		if (strcmp(it_jstr(j, "working_dir"), good[i][1]) != 0)
			fprintf(stderr, "\n  jobs: working_dir %s shown as %s, not \"%s\"",
				good[i][0], it_jstr(j, "working_dir"), good[i][1]);
		CU_ASSERT(json_is_string(json_object_get(j, "working_dir")));
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "working_dir"), good[i][1]);
		json_decref(j);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long s;

		snprintf(body, sizeof(body), "{\"command\":[\"x\"],\"working_dir\":\"%s\"}",
			 bad[i]);
		j = NULL;
		s = submit(t, body, &j);
		if (s != 400 || strcmp(it_jstr(j, "code"), "bad_working_dir") != 0)
			fprintf(stderr, "\n  jobs: working_dir %s answered %ld %s", bad[i], s,
				it_jstr(j, "code"));
		CU_ASSERT_EQUAL(s, 400);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "code"), "bad_working_dir");
		json_decref(j);
	}
	CU_ASSERT_EQUAL(list_ids(t, "?page_size=1", ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, (long long)(sizeof(good) / sizeof(good[0])));
}

static void
test_cost_limit(void)
{
	char t[2048], limit[128], ids[64];
	long long total;
	json_t *j = NULL;
	double q;

	it_new_user("jobs-cost@example.com", t, sizeof(t));
	/* 16 GPUs for a week is far past the default 100 credits */
	CU_ASSERT_EQUAL(submit(t,
			       "{\"command\":[\"x\"],\"resources\":{\"gpus\":16,"
			       "\"timeout_seconds\":604800}}",
			       &j),
			400);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "code"), "cost_limit_exceeded");
	json_decref(j);
	/* a limit of exactly the default job's quote: that job fits, one core more does not */
	q = quote(t, DEFAULT_RESOURCES);
	CU_ASSERT_FATAL(q > 0);
	snprintf(limit, sizeof(limit), "{\"max_job_cost\": %.6f}", q);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/limits/global", admin_token, limit),
			200);
	CU_ASSERT(it_submit(t, "{\"command\":[\"x\"]}") > 0);
	j = NULL;
	CU_ASSERT_EQUAL(submit(t, "{\"command\":[\"x\"],\"resources\":{\"cpu_count\":2}}", &j),
			400);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "code"), "cost_limit_exceeded");
	json_decref(j);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/limits/global", admin_token,
				       "{\"max_job_cost\": 100}"),
			200);
	CU_ASSERT_EQUAL(list_ids(t, "", ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 1);
}

static void
test_get_by_role(void)
{
	static const char *const missing[] = {
	    JOBS "/abc",      JOBS "/12abc", JOBS "/0", JOBS "/-1", JOBS "/99999999999999999999999",
	    JOBS "/999999999"};
	long long id = shared_job();
	struct it_resp r;
	json_t *j;
	size_t i;

	CU_ASSERT_FATAL(id > 0);
	j = job_get(owner_token, id);
	CU_ASSERT_EQUAL(jint(j, "user_id"), owner_id);
	json_decref(j);
	j = job_get(viewer_token, id);
	CU_ASSERT_EQUAL(jint(j, "id"), id);
	json_decref(j);
	j = job_get(operator_token, id);
	CU_ASSERT_EQUAL(jint(j, "id"), id);
	json_decref(j);
	j = job_get(admin_token, id);
	CU_ASSERT_EQUAL(jint(j, "id"), id);
	json_decref(j);
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		long s = it_call_status("GET", missing[i], owner_token, NULL);

		if (s != 404)
			fprintf(stderr, "\n  jobs: GET %s answered %ld", missing[i], s);
		CU_ASSERT_EQUAL(s, 404);
	}
	CU_ASSERT_EQUAL(it_get_status(JOBS), 401);
	CU_ASSERT_EQUAL(it_get_status(JOBS "/stats"), 401);
	it_http("POST", JOBS, "application/json", "{\"command\":[\"x\"]}", 17, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 401);
	it_resp_free(&r);
}

/* ---- another user's id: 404 on every route, and nothing changes ---- */

static void
test_foreign_get(void)
{
	char path[128];
	struct it_resp r, none;
	long long id = shared_job();

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(it_call("GET", jpath(path, sizeof(path), id, ""), stranger_token, NULL, &r),
			404);
	/* the same answer as for an id that does not exist */
	CU_ASSERT_EQUAL(it_call("GET", JOBS "/999999999", stranger_token, NULL, &none), 404);
	CU_ASSERT_STRING_EQUAL(r.body, none.body);
	it_resp_free(&r);
	it_resp_free(&none);
}

static void
test_foreign_events(void)
{
	char path[128];
	long long id = shared_job();

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(
	    it_call_status("GET", jpath(path, sizeof(path), id, "/events"), stranger_token, NULL),
	    404);
}

static void
test_foreign_cancel(void)
{
	char st[64];
	long long id = shared_job();

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(job_cancel(stranger_token, id), 404);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, id, st, sizeof(st)), "pending");
}

static void
test_foreign_patch(void)
{
	long long id = shared_job();
	json_t *j;

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(job_patch(stranger_token, id, "{\"name\":\"taken\"}"), 404);
	CU_ASSERT_EQUAL(job_patch(stranger_token, id, "{\"priority\":9}"), 404);
	j = job_get(owner_token, id);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "shared");
	CU_ASSERT_EQUAL(jint(j, "priority"), 0);
	json_decref(j);
}

static void
test_list(void)
{
	char t[2048], m[2048], q[256], ids[512], want[256];
	long long uid, a, b, c, mj, total;
	json_t *j = NULL;

	uid = it_new_user("jobs-list@example.com", t, sizeof(t));
	it_new_user("jobs-list-other@example.com", m, sizeof(m));
	mj = it_submit(m, "{\"command\":[\"x\"]}");
	a = it_submit(t, "{\"command\":[\"a\"]}");
	b = it_submit(t, "{\"script\":\"b\"}");
	c = it_submit(t, "{\"command\":[\"c\"]}");
	CU_ASSERT_FATAL(mj > 0 && a > 0 && b > 0 && c > 0);
	CU_ASSERT_EQUAL(job_cancel(t, a), 200);
	/* newest first, only the caller's */
	CU_ASSERT_EQUAL(call_json("GET", JOBS, t, NULL, &j), 200);
	CU_ASSERT_EQUAL(jint(j, "total"), 3);
	CU_ASSERT_EQUAL(jint(j, "page"), 1);
	CU_ASSERT_EQUAL(jint(j, "page_size"), 20);
	json_decref(j);
	snprintf(want, sizeof(want), "%lld,%lld,%lld", c, b, a);
	CU_ASSERT_EQUAL(list_ids(t, "", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(list_ids(t, "?status=pending,cancelled", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	snprintf(want, sizeof(want), "%lld,%lld", c, b);
	CU_ASSERT_EQUAL(list_ids(t, "?status=pending", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 2);
	snprintf(want, sizeof(want), "%lld", a);
	CU_ASSERT_EQUAL(list_ids(t, "?status_filter=cancelled", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	snprintf(want, sizeof(want), "%lld,%lld", c, a);
	CU_ASSERT_EQUAL(list_ids(t, "?kind=command", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	snprintf(want, sizeof(want), "%lld", b);
	CU_ASSERT_EQUAL(list_ids(t, "?kind=script", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	snprintf(want, sizeof(want), "%lld", c);
	CU_ASSERT_EQUAL(list_ids(t, "?status=pending&kind=command", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	/* pages */
	CU_ASSERT_EQUAL(call_json("GET", JOBS "?page=2&page_size=2", t, NULL, &j), 200);
	CU_ASSERT_EQUAL(jint(j, "total"), 3);
	CU_ASSERT_EQUAL(jint(j, "page"), 2);
	CU_ASSERT_EQUAL(jint(j, "page_size"), 2);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "items")), 1);
	CU_ASSERT_EQUAL(jint(json_array_get(json_object_get(j, "items"), 0), "id"), a);
	json_decref(j);
	snprintf(want, sizeof(want), "%lld", c);
	CU_ASSERT_EQUAL(list_ids(t, "?limit=1", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 3);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?page_size=100", t, NULL), 200);
	/* bad queries */
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?status=bogus", t, NULL), 422);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?status=pending,bogus", t, NULL), 422);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?page_size=101", t, NULL), 422);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?limit=101", t, NULL), 422);
	/* other users' jobs: staff only; anyone may name themself */
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?all=true", t, NULL), 403);
	snprintf(q, sizeof(q), JOBS "?user_id=%lld", uid);
	CU_ASSERT_EQUAL(it_call_status("GET", q, m, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?user_id=abc", t, NULL), 422);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "?all=maybe", t, NULL), 422);
	snprintf(want, sizeof(want), "%lld,%lld,%lld", c, b, a);
	snprintf(q, sizeof(q), "?user_id=%lld", uid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(list_ids(t, "?all=false", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(list_ids(admin_token, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(list_ids(viewer_token, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	snprintf(want, sizeof(want), "%lld", a);
	snprintf(q, sizeof(q), "?user_id=%lld&status=cancelled", uid);
	CU_ASSERT_EQUAL(list_ids(operator_token, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	/* everyone's: the newest four are c, b, a and m's */
	snprintf(want, sizeof(want), "%lld,%lld,%lld,%lld", c, b, a, mj);
	CU_ASSERT_EQUAL(list_ids(admin_token, "?all=true&page_size=4", ids, sizeof(ids), &total),
			200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT(total >= 4);
	CU_ASSERT_EQUAL(list_ids(viewer_token, "?all=true&page_size=4", ids, sizeof(ids), &total),
			200);
	CU_ASSERT_STRING_EQUAL(ids, want);
}

/* Asserts the counts of GET /jobs/stats + query as token. */
static void
check_stats(const char *token, const char *query, long long pending, long long cancelled)
{
	static const char *const statuses[] = {"pending",   "moderating", "moderation_failed",
					       "preparing", "running",    "completed",
					       "failed",    "cancelled",  "killed_no_credits"};
	char path[256];
	json_t *j = NULL, *counts;
	size_t i;

	snprintf(path, sizeof(path), JOBS "/stats%s", query);
	CU_ASSERT_EQUAL(call_json("GET", path, token, NULL, &j), 200);
	counts = json_object_get(j, "counts");
	CU_ASSERT_EQUAL(json_object_size(counts), 9);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		long long want = strcmp(statuses[i], "pending") == 0     ? pending
				 : strcmp(statuses[i], "cancelled") == 0 ? cancelled
									 : 0;

		if (jint(counts, statuses[i]) != want)
			fprintf(stderr, "\n  jobs: stats%s: %s is %lld, not %lld", query,
				statuses[i], jint(counts, statuses[i]), want);
		CU_ASSERT_EQUAL(jint(counts, statuses[i]), want);
	}
	CU_ASSERT_EQUAL(jint(j, "total"), pending + cancelled);
	json_decref(j);
}

static void
test_stats(void)
{
	char t[2048], q[64];
	long long uid, a, sum = 0;
	json_t *j = NULL, *v;
	const char *k;

	uid = it_new_user("jobs-stats@example.com", t, sizeof(t));
	check_stats(t, "", 0, 0);
	a = it_submit(t, "{\"command\":[\"x\"]}");
	it_submit(t, "{\"command\":[\"x\"]}");
	it_submit(t, "{\"script\":\"x\"}");
	CU_ASSERT_EQUAL(job_cancel(t, a), 200);
	check_stats(t, "", 2, 1);
	snprintf(q, sizeof(q), "?user_id=%lld", uid);
	check_stats(admin_token, q, 2, 1);
	check_stats(viewer_token, q, 2, 1);
	check_stats(operator_token, q, 2, 1);
	CU_ASSERT_EQUAL(it_call_status("GET", JOBS "/stats?all=true", t, NULL), 403);
	snprintf(q, sizeof(q), "?user_id=%lld", uid);
	check_stats(t, q, 2, 1); /* naming themself */
	snprintf(q, sizeof(q), JOBS "/stats?user_id=%lld", admin_id);
	CU_ASSERT_EQUAL(it_call_status("GET", q, t, NULL), 403);
	/* everyone's: at least these three, and the counts add up */
	CU_ASSERT_EQUAL(call_json("GET", JOBS "/stats?all=true", admin_token, NULL, &j), 200);
	json_object_foreach(json_object_get(j, "counts"), k, v) sum += json_integer_value(v);
	CU_ASSERT(jint(j, "total") >= 3);
	CU_ASSERT_EQUAL(sum, jint(j, "total"));
	json_decref(j);
}

static void
test_events_and_cancel(void)
{
	char t[2048], st[64];
	long long uid, id;
	json_t *ev, *e, *j = NULL;

	uid = it_new_user("jobs-events@example.com", t, sizeof(t));
	id = it_submit(t, "{\"command\":[\"x\"]}");
	CU_ASSERT_FATAL(id > 0);
	ev = job_events(t, id);
	CU_ASSERT_EQUAL_FATAL(json_array_size(ev), 1);
	e = json_array_get(ev, 0);
	CU_ASSERT(jnull(e, "from_status"));
	CU_ASSERT_STRING_EQUAL(it_jstr(e, "to_status"), "pending");
	CU_ASSERT_STRING_EQUAL(it_jstr(e, "reason"), "submitted");
	CU_ASSERT_EQUAL(jint(e, "actor_user_id"), uid);
	CU_ASSERT(json_is_string(json_object_get(e, "created_at")));
	json_decref(ev);
	/* cancel a pending job */
	CU_ASSERT_EQUAL(call_json("POST", jpath(st, sizeof(st), id, "/cancel"), t, NULL, &j), 200);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "cancelled");
	json_decref(j);
	CU_ASSERT_STRING_EQUAL(job_status(t, id, st, sizeof(st)), "cancelled");
	ev = job_events(t, id);
	CU_ASSERT_EQUAL_FATAL(json_array_size(ev), 2);
	e = json_array_get(ev, 1);
	CU_ASSERT_STRING_EQUAL(it_jstr(e, "from_status"), "pending");
	CU_ASSERT_STRING_EQUAL(it_jstr(e, "to_status"), "cancelled");
	CU_ASSERT(json_is_string(json_object_get(e, "reason")) && strlen(it_jstr(e, "reason")) > 0);
	CU_ASSERT_EQUAL(jint(e, "actor_user_id"), uid);
	json_decref(ev);
	/* again: harmless, no second event */
	CU_ASSERT_EQUAL(job_cancel(t, id), 200);
	ev = job_events(t, id);
	CU_ASSERT_EQUAL(json_array_size(ev), 2);
	json_decref(ev);
	/* a cancelled job keeps its name */
	CU_ASSERT_EQUAL(job_patch(t, id, "{\"name\":\"late\"}"), 409);
}

static void
test_cancel_by_role(void)
{
	char st[64];
	long long a = it_submit(owner_token, "{\"command\":[\"x\"]}");
	long long b = it_submit(owner_token, "{\"command\":[\"x\"]}");
	json_t *ev;

	CU_ASSERT_FATAL(a > 0 && b > 0);
	CU_ASSERT_EQUAL(job_cancel(viewer_token, a), 403);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, a, st, sizeof(st)), "pending");
	CU_ASSERT_EQUAL(job_cancel(operator_token, a), 200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, a, st, sizeof(st)), "cancelled");
	ev = job_events(owner_token, a);
	CU_ASSERT_EQUAL(jint(json_array_get(ev, 1), "actor_user_id"), operator_id);
	json_decref(ev);
	CU_ASSERT_EQUAL(job_cancel(admin_token, b), 200);
	ev = job_events(owner_token, b);
	CU_ASSERT_EQUAL(jint(json_array_get(ev, 1), "actor_user_id"), admin_id);
	json_decref(ev);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, b, st, sizeof(st)), "cancelled");
}

static void
test_terminal_state(void)
{
	static const char *const chain[] = {"preparing", "running", "completed"};
	char body[64], st[64];
	long long id = it_submit(owner_token, "{\"name\":\"done\",\"command\":[\"x\"]}");
	json_t *ev;
	size_t i;

	CU_ASSERT_FATAL(id > 0);
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\"}", chain[i]);
		CU_ASSERT_EQUAL(job_patch(operator_token, id, body), 200);
	}
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, id, st, sizeof(st)), "completed");
	ev = job_events(owner_token, id);
	CU_ASSERT_EQUAL(json_array_size(ev), 4);
	for (i = 0; i < 3; i++)
		CU_ASSERT_STRING_EQUAL(it_jstr(json_array_get(ev, i + 1), "to_status"), chain[i]);
	json_decref(ev);
	/* nothing moves a completed job */
	CU_ASSERT_EQUAL(job_cancel(owner_token, id), 409);
	CU_ASSERT_EQUAL(job_cancel(admin_token, id), 409);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"name\":\"again\"}"), 409);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, id, st, sizeof(st)), "completed");
}

/* The status names of the other API documents, where a status is given:
 * queued and processing (seed 004), success and canceled (seed 003). A
 * PATCH of the status a running job has, with progress, sets the
 * progress (a worker's report in seed 004) and adds no event. */
static void
test_status_names(void)
{
	long long a = it_submit(owner_token, "{\"name\":\"names\",\"command\":[\"x\"]}");
	long long b = it_submit(owner_token, "{\"name\":\"names-b\",\"command\":[\"x\"]}");
	long long c = it_submit(owner_token, "{\"name\":\"names-c\",\"command\":[\"x\"]}");
	char path[128], id_a[32], id_b[32], st[64];
	struct it_resp r;
	json_t *j, *ev;
	long long bid;

	CU_ASSERT_FATAL(a > 0 && b > 0 && c > 0);
	snprintf(id_a, sizeof(id_a), "\"id\":%lld,", a);
	snprintf(id_b, sizeof(id_b), "\"id\":%lld,", b);
	/* a pending job cannot be set running by hand */
	CU_ASSERT_EQUAL(job_patch(operator_token, a, "{\"status\":\"processing\"}"), 409);
	CU_ASSERT_EQUAL(it_sqlf("SELECT heartbeat_at IS NULL FROM jobs WHERE id = %lld", a), 1);
	CU_ASSERT_EQUAL(job_patch(operator_token, a, "{\"status\":\"preparing\"}"), 200);
	/* a hand move is the job's heartbeat, so the reaper can take back a
	 * job left there (t_run.c runs that) */
	CU_ASSERT_EQUAL(it_sqlf("SELECT heartbeat_at IS NOT NULL FROM jobs WHERE id = %lld", a), 1);
	CU_ASSERT_EQUAL(job_patch(operator_token, a, "{\"status\":\"processing\"}"), 200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, a, st, sizeof(st)), "running");
	CU_ASSERT_EQUAL(
	    job_patch(operator_token, a, "{\"status\": \"processing\", \"progress\": 50.0}"), 200);
	j = job_get(owner_token, a);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "running");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "progress")), 50, 1e-9);
	json_decref(j);
	ev = job_events(owner_token, a);
	CU_ASSERT_EQUAL(json_array_size(ev), 3); /* submitted, preparing, running */
	json_decref(ev);
	CU_ASSERT_EQUAL(job_patch(operator_token, a, "{\"status\":\"PROCESSING\"}"), 422);
	/* the list filters by them */
	CU_ASSERT_EQUAL(it_call("GET", JOBS "?status=processing", owner_token, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, id_a));
	CU_ASSERT_PTR_NULL(strstr(r.body, id_b));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call("GET", JOBS "?status=queued", owner_token, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, id_a));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, id_b));
	it_resp_free(&r);
	/* force-complete: success is completed, canceled cancelled */
	CU_ASSERT_EQUAL(it_call_status("POST", jpath(path, sizeof(path), a, "/force-complete"),
				       operator_token, "{\"status\":\"success\"}"),
			200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, a, st, sizeof(st)), "completed");
	/* the status an ended job has is still no change to make */
	CU_ASSERT_EQUAL(job_patch(operator_token, a, "{\"status\":\"success\"}"), 409);
	CU_ASSERT_EQUAL(it_call_status("POST", jpath(path, sizeof(path), b, "/force-complete"),
				       operator_token, "{\"status\":\"canceled\"}"),
			200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, b, st, sizeof(st)), "cancelled");
	/* a pending job's own status, by either name, is no change either */
	CU_ASSERT_EQUAL(job_patch(operator_token, c, "{\"status\":\"queued\"}"), 200);
	CU_ASSERT_EQUAL(job_patch(operator_token, c, "{\"status\":\"pending\"}"), 200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, c, st, sizeof(st)), "pending");
	ev = job_events(owner_token, c);
	CU_ASSERT_EQUAL(json_array_size(ev), 1); /* submitted */
	json_decref(ev);
	bid = it_post_id(owner_token, "/api/v1/job-batches",
			 "{\"name\": \"names\", \"jobs\": [{\"command\": [\"true\"]}]}", 201);
	CU_ASSERT_FATAL(bid > 0);
	snprintf(path, sizeof(path), "/api/v1/job-batches/%lld/force-complete", bid);
	CU_ASSERT_EQUAL(it_call("POST", path, operator_token, "{\"status\": \"canceled\"}", &r),
			200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"status\":\"cancelled\""));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", path, operator_token, "{\"status\": \"done\"}"),
			422);
}

/* Cancel takes no fields: a body other than {} (or none) is refused
 * whole, and the job is left as it was; a batch's cancel and a node's
 * drain likewise. */
static void
test_cancel_body(void)
{
	static const char *const bad[] = {"[1,2,3]", "\"str\"", "123", "null", "{\"bogus\":1}"};
	long long id = it_submit(owner_token, "{\"name\":\"cancel-body\",\"command\":[\"x\"]}"),
		  bid;
	char path[128], st[64];
	size_t i;

	CU_ASSERT_FATAL(id > 0);
	jpath(path, sizeof(path), id, "/cancel");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(it_call_status("POST", path, owner_token, bad[i]), 422);
	CU_ASSERT_EQUAL(it_call_status("POST", path, owner_token, "{"), 400);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, id, st, sizeof(st)), "pending");
	CU_ASSERT_EQUAL(it_call_status("POST", path, owner_token, "{}"), 200);
	CU_ASSERT_STRING_EQUAL(job_status(owner_token, id, st, sizeof(st)), "cancelled");
	bid = it_post_id(owner_token, "/api/v1/job-batches",
			 "{\"name\": \"cancel-body\", \"jobs\": [{\"command\": [\"true\"]}]}", 201);
	CU_ASSERT_FATAL(bid > 0);
	snprintf(path, sizeof(path), "/api/v1/job-batches/%lld/cancel", bid);
	CU_ASSERT_EQUAL(it_call_status("POST", path, owner_token, "[]"), 422);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM jobs WHERE batch_id = %lld AND status = "
				"'pending'",
				bid),
			1);
	CU_ASSERT_EQUAL(it_call_status("POST", path, owner_token, NULL), 200);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM jobs WHERE batch_id = %lld AND status = "
				"'pending'",
				bid),
			0);
}

static void
test_patch(void)
{
	long long id = it_submit(owner_token, "{\"name\":\"before\",\"command\":[\"x\"]}");
	char path[128];
	struct it_resp r;
	json_t *j;

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"name\":\"renamed\",\"priority\":7}"), 200);
	j = job_get(owner_token, id);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "renamed");
	CU_ASSERT_EQUAL(jint(j, "priority"), 7);
	json_decref(j);
	/* status and progress are the operator's */
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"status\":\"preparing\"}"), 403);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"progress\":10}"), 403);
	CU_ASSERT_EQUAL(
	    job_patch(owner_token, id, "{\"name\":\"sneaky\",\"status\":\"preparing\"}"), 403);
	CU_ASSERT_EQUAL(job_patch(operator_token, id, "{\"progress\":50}"), 200);
	CU_ASSERT_EQUAL(job_patch(viewer_token, id, "{\"progress\":60}"), 403);
	/* the name and the place in the queue are the owner's (and an admin's) */
	CU_ASSERT_EQUAL(job_patch(operator_token, id, "{\"name\":\"by-operator\"}"), 403);
	CU_ASSERT_EQUAL(job_patch(operator_token, id, "{\"priority\":-100}"), 403);
	CU_ASSERT_EQUAL(job_patch(admin_token, id, "{\"priority\":7}"), 200);
	j = job_get(owner_token, id);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "renamed");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "pending");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "progress")), 50, 1e-9);
	json_decref(j);
	/* bad bodies */
	CU_ASSERT_EQUAL(it_call("PATCH", jpath(path, sizeof(path), id, ""), owner_token,
				"{\"colour\":\"red\"}", &r),
			422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "colour"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"priority\":101}"), 422);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"name\":\"\"}"), 422);
	/* after cancel nothing changes */
	CU_ASSERT_EQUAL(job_cancel(owner_token, id), 200);
	CU_ASSERT_EQUAL(job_patch(owner_token, id, "{\"priority\":1}"), 409);
	j = job_get(owner_token, id);
	CU_ASSERT_EQUAL(jint(j, "priority"), 7);
	json_decref(j);
}

/* method path with X-API-Key: key (the header the API reads keys from) and
 * an optional JSON body; OUT: *j, the answer's JSON (new) or NULL. */
static long
key_call(const char *method, const char *path, const char *key, const char *body, json_t **j)
{
	char hdr[512];
	const char *h[] = {hdr, NULL};
	struct it_resp r;
	long status;

	snprintf(hdr, sizeof(hdr), "X-API-Key: %s", key);
	it_http(method, path, body ? "application/json" : NULL, body, body ? strlen(body) : 0, h, 0,
		&r);
	status = r.status;
	*j = it_json(&r);
	it_resp_free(&r);
	return status;
}

static void
test_api_key(void)
{
	char t[2048], key[256], ids[64], want[64];
	long long uid, id, total;
	json_t *j = NULL, *items;

	uid = it_new_user("jobs-key@example.com", t, sizeof(t));
	CU_ASSERT_EQUAL(call_json("POST", "/api/v1/auth/api-keys", t, "{\"name\":\"ci\"}", &j),
			201);
	snprintf(key, sizeof(key), "%s", it_jstr(j, "key"));
	json_decref(j);
	CU_ASSERT_EQUAL(key_call("POST", JOBS, key, "{\"command\":[\"x\"]}", &j), 202);
	CU_ASSERT_EQUAL(jint(j, "user_id"), uid);
	id = jint(j, "id");
	json_decref(j);
	CU_ASSERT_EQUAL(key_call("GET", JOBS, key, NULL, &j), 200);
	items = json_object_get(j, "items");
	CU_ASSERT_EQUAL(jint(j, "total"), 1);
	CU_ASSERT_EQUAL(json_array_size(items), 1);
	CU_ASSERT_EQUAL(jint(json_array_get(items, 0), "id"), id);
	json_decref(j);
	/* the token sees the same job */
	snprintf(want, sizeof(want), "%lld", id);
	CU_ASSERT_EQUAL(list_ids(t, "", ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	/* a made-up key submits nothing */
	CU_ASSERT_EQUAL(key_call("POST", JOBS, "kiln_not-a-real-key", "{\"command\":[\"x\"]}", &j),
			401);
	json_decref(j);
	/* reading one job (the key and the job in one query): its own, not
	 * another user's, not a missing one, and nothing with a made-up key */
	{
		char path[64], other[2048];
		long long theirs;

		CU_ASSERT(it_new_user("jobs-key-other@example.com", other, sizeof(other)) > 0);
		theirs = it_submit(other, "{\"command\":[\"y\"]}");
		CU_ASSERT_FATAL(theirs > 0);
		CU_ASSERT_EQUAL(key_call("GET", jpath(path, sizeof(path), id, ""), key, NULL, &j),
				200);
		CU_ASSERT_EQUAL(jint(j, "id"), id);
		CU_ASSERT_EQUAL(jint(j, "user_id"), uid);
		json_decref(j);
		CU_ASSERT_EQUAL(
		    key_call("GET", jpath(path, sizeof(path), theirs, ""), key, NULL, &j), 404);
		json_decref(j);
		CU_ASSERT_EQUAL(
		    key_call("GET", jpath(path, sizeof(path), id + 1000000, ""), key, NULL, &j),
		    404);
		json_decref(j);
		CU_ASSERT_EQUAL(key_call("GET", jpath(path, sizeof(path), id, ""),
					 "kiln_not-a-real-key", NULL, &j),
				401);
		json_decref(j);
	}
}

/* GET /jobs?project_id= and ?batch_id=: that group's jobs only, and
 * another user's group shows nothing. */
static void
test_list_groups(void)
{
	static const char *const audit[] = {"audit", NULL};
	char t[2048], body[256], q[128], ids[512], want[128], out[8192];
	long long pid, bid, in_project, loose, second, total;
	json_t *j = NULL, *jobs;

	CU_ASSERT_FATAL(it_new_user("jobs-groups@example.com", t, sizeof(t)) > 0);
	CU_ASSERT_EQUAL_FATAL(call_json("POST", "/api/v1/projects", t, "{\"name\":\"g\"}", &j),
			      201);
	pid = jint(j, "id");
	json_decref(j);
	snprintf(body, sizeof(body), "{\"command\":[\"x\"],\"project_id\":%lld}", pid);
	in_project = it_submit(t, body);
	loose = it_submit(t, "{\"command\":[\"y\"]}");
	CU_ASSERT_EQUAL_FATAL(call_json("POST", "/api/v1/job-batches", t,
					"{\"name\":\"pair\",\"jobs\":[{\"command\":[\"a\"]},"
					"{\"command\":[\"b\"]}]}",
					&j),
			      201);
	bid = jint(j, "id");
	jobs = json_object_get(j, "jobs");
	snprintf(want, sizeof(want), "%lld,%lld", jint(json_array_get(jobs, 1), "id"),
		 jint(json_array_get(jobs, 0), "id"));
	json_decref(j);
	CU_ASSERT_FATAL(in_project > 0 && loose > 0);
	snprintf(q, sizeof(q), "?project_id=%lld", pid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	snprintf(body, sizeof(body), "%lld", in_project);
	CU_ASSERT_STRING_EQUAL(ids, body);
	CU_ASSERT_EQUAL(total, 1);
	snprintf(q, sizeof(q), "?batch_id=%lld", bid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 2);
	snprintf(q, sizeof(q), "?batch_id=%lld&status=cancelled", bid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 0);
	/* another user asking for these groups sees nothing; bad ids are 422 */
	snprintf(q, sizeof(q), "?project_id=%lld", pid);
	CU_ASSERT_EQUAL(list_ids(stranger_token, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(list_ids(t, "?project_id=abc", ids, sizeof(ids), &total), 422);
	CU_ASSERT_EQUAL(list_ids(t, "?batch_id=0", ids, sizeof(ids), &total), 422);
	/* a project's totals (kept per project, sql/021) follow its jobs'
	 * statuses, for the owner and for staff */
	snprintf(body, sizeof(body), "{\"command\":[\"z\"],\"project_id\":%lld}", pid);
	second = it_submit(t, body);
	CU_ASSERT_FATAL(second > 0);
	CU_ASSERT_EQUAL(job_cancel(t, second), 200);
	snprintf(q, sizeof(q), "?project_id=%lld&status=cancelled", pid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	snprintf(want, sizeof(want), "%lld", second);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 1);
	snprintf(q, sizeof(q), "?project_id=%lld&status=cancelled,pending", pid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	snprintf(want, sizeof(want), "%lld,%lld", second, in_project);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 2);
	snprintf(q, sizeof(q), "?project_id=%lld&status=running,failed", pid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 0);
	snprintf(q, sizeof(q), "?project_id=%lld&all=true", pid);
	CU_ASSERT_EQUAL(list_ids(admin_token, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_STRING_EQUAL(ids, want);
	CU_ASSERT_EQUAL(total, 2);
	/* a project that goes takes its counts along: its jobs count as
	 * outside any project, and the audit agrees */
	CU_ASSERT_EQUAL(job_cancel(t, in_project), 200);
	snprintf(q, sizeof(q), "/api/v1/projects/%lld", pid);
	CU_ASSERT_EQUAL(it_call_status("DELETE", q, t, NULL), 204);
	snprintf(q, sizeof(q), "?project_id=%lld", pid);
	CU_ASSERT_EQUAL(list_ids(t, q, ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(list_ids(t, "?status=cancelled", ids, sizeof(ids), &total), 200);
	CU_ASSERT_EQUAL(total, 2);
	CU_ASSERT_EQUAL(it_kilnctl(audit, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "job counts match the jobs"));
}

/* A bad query parameter is a 422 that names it as one. */
static void
test_list_bad_query(void)
{
	static const struct {
		const char *query, *field;
	} cases[] = {
	    {"?status=bogus", "status"},
	    {"?status=running,,failed", "status"},
	    {"?status=pending,pending,pending,pending,pending,pending,pending,pending,pending,"
	     "pending",
	     "status"},
	    {"?kind=film", "kind"},
	    {"?project_id=-1", "project_id"},
	    {"?batch_id=x", "batch_id"},
	    {"?page=0", "page"},
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = NULL, *loc;

		snprintf(path, sizeof(path), JOBS "%s", cases[i].query);
		CU_ASSERT_EQUAL(call_json("GET", path, owner_token, NULL, &j), 422);
		loc = json_object_get(json_array_get(json_object_get(j, "detail"), 0), "loc");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(loc, 0)), "query");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(loc, 1)), cases[i].field);
		json_decref(j);
	}
}

/* 422 details name a nested field by its whole path. */
static void
test_nested_loc(void)
{
	static const struct {
		const char *path, *body, *want;
	} cases[] = {
	    {JOBS, "{\"command\":[\"x\"],\"resources\":{\"gpus\":\"two\"}}",
	     "\"loc\":[\"body\",\"resources\",\"gpus\"]"},
	    {JOBS, "{\"command\":[\"x\"],\"resources\":{\"colour\":1}}",
	     "\"loc\":[\"body\",\"resources\",\"colour\"]"},
	    {JOBS, "{\"script\":\"a lake\",\"config\":{\"fps\":0}}",
	     "\"loc\":[\"body\",\"config\",\"fps\"]"},
	    {JOBS, "{\"script\":\"a lake\",\"config\":{\"bogus\":1}}",
	     "\"loc\":[\"body\",\"config\",\"bogus\"]"},
	    {"/api/v1/job-batches",
	     "{\"name\":\"b\",\"jobs\":[{\"command\":[\"x\"],\"resources\":{\"gpus\":-1}}]}",
	     "\"loc\":[\"body\",\"jobs[0].resources.gpus\"]"},
	};
	struct it_resp r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(it_call("POST", cases[i].path, owner_token, cases[i].body, &r),
				422);
		if (strstr(r.body, cases[i].want) == NULL)
			fprintf(stderr, "\n  jobs: %s: %s", cases[i].body, r.body);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, cases[i].want));
		it_resp_free(&r);
	}
}

/* ---- GET /jobs/{id}: ETag, 304, and each worker's stored answer ---- */

/* How many answers of GET /jobs/{id} came from source, by the metrics
 * (every worker of the stack), or -1. */
static long long
job_answers(const char *source)
{
	char want[96];
	struct it_resp r;
	const char *p;
	long long n = -1;

	snprintf(want, sizeof(want), "\nkiln_job_answers_total{source=\"%s\"} ", source);
	if (it_call("GET", "/api/v1/metrics", admin_token, NULL, &r) == 200 &&
	    (p = strstr(r.body, want)) != NULL)
		n = strtoll(p + strlen(want), NULL, 10);
	it_resp_free(&r);
	return n;
}

/* GET job id as token with If-None-Match: inm; the status, OUT: r. */
static long
get_if_none_match(const char *token, long long id, const char *inm, struct it_resp *r)
{
	char path[128], auth[2100], cond[256];
	const char *hdr[] = {auth, cond, NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(cond, sizeof(cond), "If-None-Match: %s", inm);
	it_http("GET", jpath(path, sizeof(path), id, ""), NULL, NULL, 0, hdr, 0, r);
	return r->status;
}

static void
test_etag_and_stored_answers(void)
{
	char t[2048], e1[128], e2[128], e3[128], weak[160], tag[128], body[128], path[128];
	struct it_resp r;
	long long pid, id, stored, read, not_modified;
	json_t *j = NULL;

	CU_ASSERT_FATAL(it_new_user("jobs-etag@example.com", t, sizeof(t)) > 0);
	CU_ASSERT_EQUAL_FATAL(call_json("POST", "/api/v1/projects", t, "{\"name\":\"etag\"}", &j),
			      201);
	pid = jint(j, "id");
	json_decref(j);
	snprintf(body, sizeof(body), "{\"name\":\"first\",\"command\":[\"x\"],\"project_id\":%lld}",
		 pid);
	id = it_submit(t, body);
	CU_ASSERT_FATAL(id > 0);
	/* 40 reads reach every worker (4 in the stack), which each keep it:
	 * one read from the database each, the rest their copies (a worker
	 * recycled after max_requests, 300 here, starts with none: room for
	 * a few of those) */
	stored = job_answers("stored");
	read = job_answers("read");
	CU_ASSERT_FATAL(stored >= 0 && read >= 0);
	CU_ASSERT_FATAL(it_get_same(t, jpath(path, sizeof(path), id, ""), 40, "\"name\":\"first\"",
				    e1, sizeof(e1)));
	{
		long long now_read = job_answers("read");

		CU_ASSERT(now_read >= read && now_read - read <= 8);
		CU_ASSERT(job_answers("stored") - stored >= 32);
	}
	CU_ASSERT(e1[0] == '"');
	/* a change is seen by every worker at once, under a new ETag */
	CU_ASSERT_EQUAL(job_patch(t, id, "{\"name\":\"second\"}"), 200);
	CU_ASSERT_FATAL(it_get_same(t, jpath(path, sizeof(path), id, ""), 40, "\"name\":\"second\"",
				    e2, sizeof(e2)));
	CU_ASSERT(strcmp(e1, e2) != 0);
	/* If-None-Match: the current tag (strong or weak) is 304 without a
	 * body; an old one, another, or a malformed value is the job */
	not_modified = job_answers("not_modified");
	CU_ASSERT_EQUAL(get_if_none_match(t, id, e2, &r), 304);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "ETag", tag, sizeof(tag)));
	CU_ASSERT_STRING_EQUAL(tag, e2);
	it_resp_free(&r);
	snprintf(weak, sizeof(weak), "\"other\", W/%s", e2);
	CU_ASSERT_EQUAL(get_if_none_match(t, id, weak, &r), 304);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(get_if_none_match(t, id, e1, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"name\":\"second\""));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(get_if_none_match(t, id, "garbage", &r), 200);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(job_answers("not_modified") - not_modified, 2);
	/* staff who read every job revalidate the same way */
	CU_ASSERT_EQUAL(get_if_none_match(viewer_token, id, e2, &r), 304);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(get_if_none_match(viewer_token, id, e1, &r), 200);
	it_resp_free(&r);
	/* and so does an API key of the owner's */
	{
		char key[256], hdr[300], inm[160];
		const char *h[] = {hdr, inm, NULL};

		CU_ASSERT_EQUAL_FATAL(
		    call_json("POST", "/api/v1/auth/api-keys", t, "{\"name\":\"etag\"}", &j), 201);
		snprintf(key, sizeof(key), "%s", it_jstr(j, "key"));
		json_decref(j);
		snprintf(hdr, sizeof(hdr), "X-API-Key: %s", key);
		snprintf(inm, sizeof(inm), "If-None-Match: %s", e2);
		it_http("GET", jpath(path, sizeof(path), id, ""), NULL, NULL, 0, h, 0, &r);
		CU_ASSERT_EQUAL(r.status, 304);
		it_resp_free(&r);
		snprintf(inm, sizeof(inm), "If-None-Match: %s", e1);
		it_http("GET", jpath(path, sizeof(path), id, ""), NULL, NULL, 0, h, 0, &r);
		CU_ASSERT_EQUAL(r.status, 200);
		CU_ASSERT_PTR_NOT_NULL(it_header(&r, "ETag", tag, sizeof(tag)));
		CU_ASSERT_STRING_EQUAL(tag, e2);
		it_resp_free(&r);
	}
	/* another user's job is 404 whatever tag they hold, even "*" */
	CU_ASSERT_EQUAL(get_if_none_match(stranger_token, id, e2, &r), 404);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(get_if_none_match(stranger_token, id, "*", &r), 404);
	it_resp_free(&r);
	/* a project's deletion lets go of its jobs by a statement, so that
	 * no worker answers the old project_id afterwards */
	CU_ASSERT_EQUAL(job_cancel(t, id), 200);
	snprintf(body, sizeof(body), "\"project_id\":%lld", pid);
	CU_ASSERT_FATAL(
	    it_get_same(t, jpath(path, sizeof(path), id, ""), 40, body, e3, sizeof(e3)));
	snprintf(body, sizeof(body), "/api/v1/projects/%lld", pid);
	CU_ASSERT_EQUAL(it_call_status("DELETE", body, t, NULL), 204);
	CU_ASSERT(it_get_same(t, jpath(path, sizeof(path), id, ""), 40, "\"project_id\":null", e2,
			      sizeof(e2)));
	CU_ASSERT(strcmp(e2, e3) != 0);
}

void
suite_jobs(void)
{
	CU_pSuite s = CU_add_suite("jobs", jobs_init, NULL);

	CU_add_test(s, "the seed example as written; the whole job document", test_seed_example);
	CU_add_test(s, "a script job with defaults; every field given",
		    test_script_and_explicit_fields);
	CU_add_test(s, "every bound reached is accepted", test_bounds_accepted);
	CU_add_test(s, "every bound passed is 422 and creates nothing", test_bounds_refused);
	CU_add_test(s, "working_dir stays inside /workspace", test_working_dir);
	CU_add_test(s, "the quote may reach max_job_cost, not pass it", test_cost_limit);
	CU_add_test(s, "owner and staff read a job; bad ids are 404", test_get_by_role);
	CU_add_test(s, "another user's job: GET is 404 like a missing id", test_foreign_get);
	CU_add_test(s, "another user's job: events are 404", test_foreign_events);
	CU_add_test(s, "another user's job: cancel is 404 and changes nothing",
		    test_foreign_cancel);
	CU_add_test(s, "another user's job: PATCH is 404 and changes nothing", test_foreign_patch);
	CU_add_test(s, "list: newest first, filters, pages, staff-only scopes", test_list);
	CU_add_test(s, "stats: every status counted, staff-only scopes", test_stats);
	CU_add_test(s, "events: submitted, cancelled once; cancel is idempotent",
		    test_events_and_cancel);
	CU_add_test(s, "cancel: viewer 403, operator and admin recorded as actors",
		    test_cancel_by_role);
	CU_add_test(s, "a completed job cannot be cancelled or renamed", test_terminal_state);
	CU_add_test(s, "cancel takes no fields: another body is refused and changes nothing",
		    test_cancel_body);
	CU_add_test(
	    s, "status names of the other API documents: queued, processing, success, canceled",
	    test_status_names);
	CU_add_test(s, "PATCH: owner renames and reprioritises; status is the operator's",
		    test_patch);
	CU_add_test(s, "an API key submits and lists like a token", test_api_key);
	CU_add_test(s, "list: by project and by batch", test_list_groups);
	CU_add_test(s, "list: a bad query parameter is a 422 naming it", test_list_bad_query);
	CU_add_test(s, "422 details name nested fields by their path", test_nested_loc);
	CU_add_test(s, "GET /jobs/{id}: ETag, 304, every worker's stored answer follows changes",
		    test_etag_and_stored_answers);
}
