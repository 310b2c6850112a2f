/* SPDX-License-Identifier: MIT */
/* t_intake.c: the rest of job intake through nginx: Idempotency-Key on
 * POST /jobs, force-complete (staff only), purge (finished jobs only,
 * owner or admin), and the marketplace list GET /jobs/list/{user_id}. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "crypto.h"
#include "it.h"

static char admin_token[2048];

static int
intake_init(void)
{
	return it_admin_login(admin_token, sizeof(admin_token)) == 0 ? 0 : 1;
}

/* POST path with an Idempotency-Key (unless NULL); OUT: *id of what it
 * made (0 when none), *replayed. The status. */
static long
post_keyed(const char *path, const char *token, const char *key, const char *body, long long *id,
	   int *replayed)
{
	char auth[2100], idem[300], buf[16];
	const char *h[] = {auth, key ? idem : NULL, NULL};
	struct it_resp r;
	json_t *j;
	long s;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	/* curl sends an empty header only as "Name;" */
	if (key != NULL && key[0] == '\0')
		snprintf(idem, sizeof(idem), "Idempotency-Key;");
	else
		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", key ? key : "");
	it_http("POST", path, "application/json", body, strlen(body), h, 0, &r);
	s = r.status;
	*id = 0;
	if ((j = it_json(&r)) != NULL) {
		*id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	*replayed = it_header(&r, "Idempotent-Replayed", buf, sizeof(buf)) != NULL;
	it_resp_free(&r);
	return s;
}

/* POST /jobs: post_keyed. */
static long
submit(const char *token, const char *key, const char *body, long long *id, int *replayed)
{
	return post_keyed("/api/v1/jobs", token, key, body, id, replayed);
}

static long long
total_jobs(const char *token)
{
	struct it_resp r;
	long long n = -1;
	json_t *j;

	if (it_call("GET", "/api/v1/jobs/stats", token, NULL, &r) == 200 && (j = it_json(&r))) {
		n = json_integer_value(json_object_get(j, "total"));
		json_decref(j);
	}
	it_resp_free(&r);
	return n;
}

static void
test_idempotency(void)
{
	char a[2048], b[2048];
	long long id1, id2, id3;
	int rep;

	it_new_user("idem-a@example.com", a, sizeof(a));
	it_new_user("idem-b@example.com", b, sizeof(b));
	CU_ASSERT_EQUAL(submit(a, "order-1", "{\"command\":[\"true\"]}", &id1, &rep), 202);
	CU_ASSERT(!rep);
	CU_ASSERT_EQUAL(submit(a, "order-1", "{\"command\":[\"true\"]}", &id2, &rep), 202);
	CU_ASSERT(rep);
	CU_ASSERT_EQUAL(id1, id2);
	CU_ASSERT_EQUAL(total_jobs(a), 1);
	/* the same key with another request */
	CU_ASSERT_EQUAL(submit(a, "order-1", "{\"command\":[\"false\"]}", &id3, &rep), 422);
	CU_ASSERT_EQUAL(total_jobs(a), 1);
	/* keys belong to their user */
	CU_ASSERT_EQUAL(submit(b, "order-1", "{\"command\":[\"true\"]}", &id3, &rep), 202);
	CU_ASSERT(!rep);
	CU_ASSERT(id3 != id1);
	/* a refused request keeps nothing: the same key takes the request
	 * corrected (and then replays that); without a key nothing is kept */
	CU_ASSERT_EQUAL(submit(a, "order-2", "{\"command\":[]}", &id3, &rep), 422);
	CU_ASSERT_EQUAL(submit(a, "order-2", "{\"command\":[]}", &id3, &rep), 422);
	CU_ASSERT(!rep);
	CU_ASSERT_EQUAL(submit(a, "order-2", "{\"command\":[\"true\"]}", &id2, &rep), 202);
	CU_ASSERT(!rep);
	CU_ASSERT_EQUAL(submit(a, "order-2", "{\"command\":[\"true\"]}", &id3, &rep), 202);
	CU_ASSERT(rep);
	CU_ASSERT_EQUAL(id2, id3);
	CU_ASSERT_EQUAL(submit(a, NULL, "{\"command\":[\"true\"]}", &id2, &rep), 202);
	CU_ASSERT_EQUAL(submit(a, NULL, "{\"command\":[\"true\"]}", &id3, &rep), 202);
	CU_ASSERT(id2 != id3);
	CU_ASSERT_EQUAL(total_jobs(a), 4);
	CU_ASSERT_EQUAL(submit(a, "bad key with spaces", "{\"command\":[\"true\"]}", &id3, &rep),
			400);
	/* an empty key is a client's bug, not "no key": refused, each time */
	CU_ASSERT_EQUAL(submit(a, "", "{\"command\":[\"true\"]}", &id3, &rep), 400);
	CU_ASSERT_EQUAL(submit(a, "", "{\"command\":[\"true\"]}", &id3, &rep), 400);
	CU_ASSERT_EQUAL(total_jobs(a), 4);
}

static void
test_force_complete_and_purge(void)
{
	char u[2048], op[2048], other[2048], path[128];
	long long id;
	struct it_resp r;
	int rep;

	it_new_user("force-u@example.com", u, sizeof(u));
	it_new_user("force-other@example.com", other, sizeof(other));
	CU_ASSERT(it_new_staff(admin_token, "force-op@example.com", "operator", op, sizeof(op)) >
		  0);
	CU_ASSERT_EQUAL(submit(u, NULL, "{\"script\":\"echo hi\"}", &id, &rep), 202);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/force-complete", id);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, "{\"status\":\"completed\"}"), 403);
	CU_ASSERT_EQUAL(it_call_status("POST", path, op, "{\"status\":\"running\"}"), 422);
	CU_ASSERT_EQUAL(
	    it_call("POST", path, op,
		    "{\"status\":\"failed\",\"reason\":\"operator_abort\",\"stderr\":\"x\"}", &r),
	    200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"status\":\"failed\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"failure_reason\":\"operator_abort\""));
	CU_ASSERT_PTR_NULL(strstr(r.body, "\"finished_at\":null"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", path, op, "{\"status\":\"completed\"}"), 409);
	/* the given stderr is the job's log now (it never ran), and complete */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?stream=stderr", id);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "x");
	{
		char done[16];

		CU_ASSERT_PTR_NOT_NULL(it_header(&r, "X-Log-Complete", done, sizeof(done)));
		CU_ASSERT_STRING_EQUAL(done, "true");
	}
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", id);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "x\n");
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/events", id);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"failed\""));
	it_resp_free(&r);
	/* purge: the owner, a finished job; then it is gone */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/purge", id);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, op, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 204);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	/* failed without a reason: "forced" */
	CU_ASSERT_EQUAL(submit(u, NULL, "{\"script\":\"echo hi\"}", &id, &rep), 202);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/force-complete", id);
	CU_ASSERT_EQUAL(it_call("POST", path, op, "{\"status\":\"failed\"}", &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"failure_reason\":\"forced\""));
	it_resp_free(&r);
	/* a pending job cannot be purged */
	CU_ASSERT_EQUAL(submit(u, NULL, "{\"script\":\"echo hi\"}", &id, &rep), 202);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/purge", id);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 409);
}

static void
test_list_brief(void)
{
	char u[2048], other[2048], path[128];
	long long uid, id;
	struct it_resp r;
	json_t *j;
	int rep;

	uid = it_new_user("brief@example.com", u, sizeof(u));
	it_new_user("brief-other@example.com", other, sizeof(other));
	CU_ASSERT_EQUAL(
	    submit(u, NULL, "{\"name\":\"My Training Job\",\"command\":[\"true\"]}", &id, &rep),
	    202);
	snprintf(path, sizeof(path), "/api/v1/jobs/list/%lld", uid);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	j = it_json(&r);
	CU_ASSERT(json_is_array(j));
	CU_ASSERT_EQUAL(json_array_size(j), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(j, 0), "title")),
			       "My Training Job");
	/* a JSON job has no files: no links */
	CU_ASSERT(json_is_null(json_object_get(json_array_get(j, 0), "original_code_url")));
	CU_ASSERT(json_is_null(json_object_get(json_array_get(j, 0), "original_data_url")));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("GET", path, admin_token, NULL), 200);
}

/* POST /projects as token; the new id (0 when refused). */
static long long
new_project(const char *token, const char *body)
{
	struct it_resp r;
	long long id = 0;
	json_t *j;

	if (it_call("POST", "/api/v1/projects", token, body, &r) == 201 && (j = it_json(&r))) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	it_resp_free(&r);
	return id;
}

static void
test_projects(void)
{
	char u[2048], other[2048], path[128], body[160];
	long long pid, foreign, job, job2;
	struct it_resp r;
	int rep;

	it_new_user("proj@example.com", u, sizeof(u));
	it_new_user("proj-other@example.com", other, sizeof(other));
	/* the film docs' example */
	pid = new_project(
	    u, "{\"name\": \"My First Film\", \"description\": \"A short film about AI\"}");
	CU_ASSERT_FATAL(pid > 0);
	foreign = new_project(other, "{\"name\": \"theirs\"}");
	CU_ASSERT_EQUAL(new_project(u, "{\"description\": \"no name\"}"), 0);
	CU_ASSERT_EQUAL(new_project(u, "{\"name\": \"\"}"), 0);
	CU_ASSERT_EQUAL(new_project(u, "{\"name\": \"x\", \"colour\": 1}"), 0);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/projects/", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "My First Film"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "theirs"));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/projects/%lld", pid);
	CU_ASSERT_EQUAL(
	    it_call_status(
		"PUT", path, u,
		"{\"name\": \"Updated Film Name\", \"description\": \"Updated description\"}"),
	    200);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Updated Film Name"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("PUT", path, other, "{\"name\": \"mine now\"}"), 404);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, other, NULL), 404);
	/* a job in the project; another user's project is not found */
	snprintf(body, sizeof(body), "{\"command\":[\"true\"],\"project_id\":%lld}", pid);
	CU_ASSERT_EQUAL(submit(u, NULL, body, &job, &rep), 202);
	snprintf(body, sizeof(body), "{\"command\":[\"true\"],\"project_id\":%lld}", foreign);
	CU_ASSERT_EQUAL(submit(u, NULL, body, &job2, &rep), 404);
	/* active jobs keep it; once they end, it goes and they stay */
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 409);
	snprintf(body, sizeof(body), "/api/v1/jobs/%lld/cancel", job);
	CU_ASSERT_EQUAL(it_call_status("POST", body, u, NULL), 200);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 204);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	snprintf(body, sizeof(body), "/api/v1/jobs/%lld", job);
	CU_ASSERT_EQUAL(it_call("GET", body, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"project_id\":null"));
	it_resp_free(&r);
}

static void
test_batches(void)
{
	char u[2048], other[2048], op[2048], path[128], body[256];
	struct it_resp r;
	long long bid;
	json_t *j;

	it_new_user("batch@example.com", u, sizeof(u));
	it_new_user("batch-other@example.com", other, sizeof(other));
	/* the command-runner docs' example, as written */
	CU_ASSERT_EQUAL(
	    it_call(
		"POST", "/api/v1/job-batches", u,
		"{\"name\": \"nightly-ui-suite\", \"description\": \"Chromium smoke\","
		" \"jobs\": [{\"name\": \"login\", \"command\": [\"pytest\", \"tests/login.py\"]},"
		" {\"name\": \"checkout\", \"command\": [\"pytest\", \"tests/checkout.py\"]}]}",
		&r),
	    201);
	j = it_json(&r);
	bid = json_integer_value(json_object_get(j, "id"));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "jobs")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "pending");
	CU_ASSERT_EQUAL(
	    json_integer_value(json_object_get(json_object_get(j, "counts"), "pending")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
				   json_array_get(json_object_get(j, "jobs"), 0), "name")),
			       "login");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
			    json_array_get(json_object_get(j, "jobs"), 1), "batch_id")),
			bid);
	json_decref(j);
	it_resp_free(&r);
	/* a bad job anywhere refuses the whole batch, naming it */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/job-batches", u,
				"{\"name\": \"b\", \"jobs\": [{\"command\": [\"true\"]},"
				" {\"command\": [\"true\"], \"colour\": 1}]}",
				&r),
			422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "jobs[1].colour"));
	it_resp_free(&r);
	/* a job that is not an object is named as the job, not "jobs[0]." */
	CU_ASSERT_EQUAL(
	    it_call("POST", "/api/v1/job-batches", u, "{\"name\": \"b\", \"jobs\": [null]}", &r),
	    422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"jobs[0]\""));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/job-batches", u, "{\"name\": \"b\", \"jobs\": []}"),
	    422);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/job-batches", u,
			   "{\"name\": \"b\", \"jobs\": [{\"command\": [\"x\"],"
			   " \"resources\": {\"gpus\": 16, \"timeout_seconds\": 604800}}]}"),
	    400);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs/stats", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":2"));
	it_resp_free(&r);
	/* owner-scoped; listing; the delete waits for the jobs to end */
	snprintf(path, sizeof(path), "/api/v1/job-batches/%lld", bid);
	CU_ASSERT_EQUAL(it_call_status("GET", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/job-batches", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "nightly-ui-suite"));
	it_resp_free(&r);
	/* another user's list is theirs; staff see every user's, or one's */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/job-batches", other, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, "nightly-ui-suite"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/job-batches?all=true", u, NULL), 403);
	CU_ASSERT_EQUAL(
	    it_call("GET", "/api/v1/job-batches?all=true&page_size=100", admin_token, NULL, &r),
	    200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "nightly-ui-suite"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/job-batches", admin_token, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, "nightly-ui-suite"));
	it_resp_free(&r);
	{
		char q[128];
		json_t *l;

		j = it_get_json(u, "/api/v1/auth/me");
		snprintf(q, sizeof(q), "/api/v1/job-batches?user_id=%lld",
			 (long long)json_integer_value(json_object_get(j, "id")));
		json_decref(j);
		l = it_get_json(admin_token, q);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(l, "total")), 1);
		json_decref(l);
	}
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/job-batches?all=maybe", admin_token, NULL),
			422);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 409);
	/* force-complete is for staff */
	snprintf(body, sizeof(body), "/api/v1/job-batches/%lld/force-complete", bid);
	CU_ASSERT_EQUAL(it_call_status("POST", body, u, "{\"status\": \"completed\"}"), 403);
	CU_ASSERT(it_new_staff(admin_token, "batch-op@example.com", "operator", op, sizeof(op)) >
		  0);
	/* cancel: every unfinished job, once; the batch's status follows */
	snprintf(body, sizeof(body), "/api/v1/job-batches/%lld/cancel", bid);
	CU_ASSERT_EQUAL(it_call("POST", body, u, NULL, &r), 200);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "cancelled");
	CU_ASSERT_EQUAL(
	    json_integer_value(json_object_get(json_object_get(j, "counts"), "cancelled")), 2);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", body, u, NULL), 200);
	snprintf(body, sizeof(body), "/api/v1/job-batches/%lld/force-complete", bid);
	CU_ASSERT_EQUAL(it_call_status("POST", body, op, "{\"status\": \"completed\"}"), 200);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 204);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs/stats", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
}

static void
test_render_jobs(void)
{
	static const char *const bad[] = {
	    "{\"script\": \"a lake\", \"config\": {\"fps\": 0}}",
	    "{\"script\": \"a lake\", \"config\": {\"fps\": 61}}",
	    "{\"script\": \"a lake\", \"config\": {\"quality\": \"ultra\"}}",
	    "{\"script\": \"a lake\", \"config\": {\"num_images\": 101}}",
	    "{\"script\": \"a lake\", \"config\": {\"video_duration\": 0}}",
	    "{\"script\": \"a lake\", \"config\": {\"voice\": \"../../x\"}}",
	    "{\"script\": \"a lake\", \"config\": {\"genre\": \"noir; rm\"}}",
	    "{\"script\": \"a lake\", \"config\": {\"mood\": 7}}",
	    "{\"script\": \"a lake\", \"config\": {\"sparkles\": true}}",
	    "{\"script\": \"  \\n \", \"config\": {}}",
	    "{\"config\": {}}",
	    "{\"script\": \"a lake\", \"config\": 5}",
	};
	char u[2048], path[128], body[1024];
	struct it_resp r;
	long long pid, id;
	size_t i;
	json_t *j;

	it_new_user("film@example.com", u, sizeof(u));
	pid = new_project(u, "{\"name\": \"My First Film\"}");
	CU_ASSERT_FATAL(pid > 0);
	/* the film docs' example, as written (with the caller's project) */
	snprintf(body, sizeof(body),
		 "{\"project_id\": %lld, \"script\": \"A beautiful sunrise over mountains\\nBirds"
		 " flying in the sky\\nA peaceful lake\", \"config\": {\"num_images\": 10,"
		 " \"video_duration\": 30, \"include_voice\": true, \"include_music\": true, "
		 "\"fps\": 30,"
		 " \"quality\": \"high\", \"voice\": \"default\", \"genre\": \"cinematic\","
		 " \"mood\": \"inspiring\"}}",
		 pid);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/", u, body, &r), 202);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "kind")), "render");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "pending");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "moderation_status")),
			       "approved");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "estimated_cost")), 2.48, 1e-9);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "config"), "fps")),
			30);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "project_id")), pid);
	CU_ASSERT(it_exists("storage/jobs/%lld/input/render.json",
			    (long long)json_integer_value(json_object_get(j, "id"))));
	json_decref(j);
	it_resp_free(&r);
	/* a script with blocked words ends moderation_failed, never charged,
	 * and nothing is written for a render that will never run */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs", u,
				"{\"script\": \"A scene of GORE and torture\", \"config\": {}}",
				&r),
			202);
	j = it_json(&r);
	id = json_integer_value(json_object_get(j, "id"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")),
			       "moderation_failed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "moderation_status")),
			       "rejected");
	CU_ASSERT(json_number_value(json_object_get(j, "moderation_score")) >= 0.5);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "actual_cost")), 0, 1e-9);
	CU_ASSERT(!it_exists("storage/jobs/%lld/input/render.json", id));
	json_decref(j);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/events", id);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"moderating\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"moderation_failed\""));
	it_resp_free(&r);
	/* "gorex" is not "gore": whole words only */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs", u,
				"{\"script\": \"gorexia and nudevision\", \"config\": {}}", &r),
			202);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"moderation_status\":\"approved\""));
	it_resp_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long s = it_call_status("POST", "/api/v1/jobs", u, bad[i]);

		if (s != 422)
			fprintf(stderr, "\n  render: %s answered %ld", bad[i], s);
		CU_ASSERT_EQUAL(s, 422);
	}
}

/* A multipart body: a file part (file, filename, n bytes of data) and a
 * name field, into OUT: *body (new); its length. */
static size_t
multipart_body(const char *filename, const char *data, size_t n, const char *name, char **body)
{
	const char *b = "kilnTestBoundary42";
	size_t cap = n + 1024, len;
	char *p = malloc(cap);
	int w;

	if (p == NULL)
		abort();
	w = snprintf(p, cap,
		     "--%s\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n%s\r\n"
		     "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
		     "Content-Type: application/octet-stream\r\n\r\n",
		     b, name, b, filename);
	len = (size_t)w;
	memcpy(p + len, data, n);
	len += n;
	len += (size_t)snprintf(p + len, cap - len, "\r\n--%s--\r\n", b);
	*body = p;
	return len;
}

static long
upload(const char *token, const char *body, size_t len, struct it_resp *r)
{
	char auth[2100];
	const char *h[] = {auth, NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	it_http("POST", "/api/v1/datasets", "multipart/form-data; boundary=kilnTestBoundary42",
		body, len, h, 0, r);
	return r->status;
}

static void
test_datasets(void)
{
	char u[2048], other[2048], path[256], disk[4096], want[65], jpath[64], tag[128];
	unsigned char digest[CRYPTO_SHA256_BYTES];
	char data[3000], *body;
	struct it_resp r;
	long long id = 0, uid;
	size_t len, i;
	json_t *j;

	uid = it_new_user("data@example.com", u, sizeof(u));
	it_new_user("data-other@example.com", other, sizeof(other));
	for (i = 0; i < sizeof(data); i++) /* a zip's magic, then bytes that look like a boundary */
		data[i] =
		    (char)(i < 4 ? "PK\3\4"[i] : (i % 97 == 0 ? '\r' : "-\n-kilnTest"[i % 11]));
	crypto_sha256(data, sizeof(data), digest);
	crypto_hex(digest, sizeof(digest), want);
	len = multipart_body("../../etc/mnist.zip", data, sizeof(data), "mnist-dataset", &body);
	CU_ASSERT_EQUAL(upload(u, body, len, &r), 201);
	free(body);
	j = it_json(&r);
	id = json_integer_value(json_object_get(j, "id"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "name")), "mnist-dataset");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "format")), "zip");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "filename")), "mnist.zip");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "size_bytes")),
			(long long)sizeof(data));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "sha256")), want);
	json_decref(j);
	it_resp_free(&r);
	/* the bytes are on disk under the storage root, by id */
	snprintf(path, sizeof(path), "storage/datasets/%lld/%lld", uid, id);
	CU_ASSERT_EQUAL(access(it_path(path, disk, sizeof(disk)), R_OK), 0);
	/* listed, read, owner-scoped */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/datasets?page=1&page_size=20", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "mnist-dataset"));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/datasets/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 200);
	CU_ASSERT_EQUAL(it_call_status("GET", path, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, other, NULL), 404);
	/* bad uploads: not multipart, no file part, over [api] max_upload (4m) */
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/datasets", u, "{\"name\": \"x\"}"), 415);
	{
		const char *nofile = "--kilnTestBoundary42\r\nContent-Disposition: form-data; "
				     "name=\"name\"\r\n\r\nx\r\n--kilnTestBoundary42--\r\n";

		CU_ASSERT_EQUAL(upload(u, nofile, strlen(nofile), &r), 422);
		it_resp_free(&r);
		CU_ASSERT_EQUAL(upload(u, "--kilnTestBoundary42\r\ngarbage",
				       strlen("--kilnTestBoundary42\r\ngarbage"), &r),
				400);
		it_resp_free(&r);
	}
	{
		size_t big = 5 * 1024 * 1024;
		char *blob = calloc(1, big);

		CU_ASSERT_PTR_NOT_NULL_FATAL(blob);
		len = multipart_body("big.bin", blob, big, "big", &body);
		CU_ASSERT_EQUAL(upload(u, body, len, &r), 413);
		it_resp_free(&r);
		free(body);
		free(blob);
	}
	/* a job that uses it keeps it; another user cannot use it */
	{
		char jb[128], cancel[128];
		long long job;
		int rep;

		snprintf(jb, sizeof(jb), "{\"command\":[\"true\"],\"dataset_id\":%lld}", id);
		CU_ASSERT_EQUAL(submit(other, NULL, jb, &job, &rep), 404);
		CU_ASSERT_EQUAL(submit(u, NULL, jb, &job, &rep), 202);
		CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 409);
		snprintf(cancel, sizeof(cancel), "/api/v1/jobs/%lld/cancel", job);
		CU_ASSERT_EQUAL(it_call_status("POST", cancel, u, NULL), 200);
		/* every worker has the ended job's answer, data set and all */
		snprintf(jpath, sizeof(jpath), "/api/v1/jobs/%lld", job);
		snprintf(jb, sizeof(jb), "\"dataset_id\":%lld", id);
		CU_ASSERT(it_get_same(u, jpath, 40, jb, tag, sizeof(tag)));
	}
	/* deleted: gone from the API and from the disk; the job lets go of it
	 * and no worker answers the old dataset_id */
	CU_ASSERT_EQUAL(it_call_status("DELETE", path, u, NULL), 204);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	CU_ASSERT_NOT_EQUAL(access(disk, F_OK), 0);
	CU_ASSERT(it_get_same(u, jpath, 40, "\"dataset_id\":null", tag, sizeof(tag)));
}

/* Runs sql as root in the stack's MariaDB; its exit code. */
static int
stack_sql(const char *sql)
{
	char sock[4096], cmd[8192];

	it_path("run/mysqld.sock", sock, sizeof(sock));
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults --socket='%s' -uroot kiln -e \"%s\"",
		 sock, sql);
	return it_run_shell(cmd);
}

/* After the suites above (submits, cancels, force-complete, purge, batch
 * cancel and delete) the trigger-kept counts still match the jobs, and the
 * audit notices when they do not. */
static void
test_job_counts_audit(void)
{
	static const char *const args[] = {"audit", NULL};
	char out[8192];

	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "job counts match the jobs"));
	CU_ASSERT_EQUAL_FATAL(stack_sql("UPDATE job_counts SET n = n + 1 ORDER BY user_id LIMIT 1"),
			      0);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "MISMATCH"));
	CU_ASSERT_EQUAL(stack_sql("UPDATE job_counts SET n = n - 1 ORDER BY user_id LIMIT 1"), 0);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
}

/* A field of /proc/PID/status in KiB (VmHWM: the peak RSS), or -1. */
static long
proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The largest VmHWM among n workers, in KiB. */
static long
workers_peak_kib(const pid_t *pids, int n)
{
	long peak = -1;
	int i;

	for (i = 0; i < n; i++)
		if (proc_kib(pids[i], "VmHWM") > peak)
			peak = proc_kib(pids[i], "VmHWM");
	return peak;
}

#if defined(__SANITIZE_ADDRESS__)
#define IT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IT_ASAN 1
#endif
#endif

/* 1 GiB streamed through nginx (curl sends it chunked from a pipe, nginx
 * buffers it on disk and hands it to a worker): the worker's peak RSS
 * stays under 32 MiB. Under AddressSanitizer, whose shadow memory and
 * quarantine inflate every process, the bound is on the upload's growth
 * of the peak instead. */
static void
test_upload_1gib_rss(void)
{
	char u[2048], cmd[16384], out[4096], code[4096], path[128];
	pid_t pids[IT_MAX_WORKERS];
	long before, after;
	struct it_resp r;
	long long id;
	json_t *j;
	FILE *f;
	int n;

	CU_ASSERT_EQUAL_FATAL(it_api_conf("max_upload", "4m", "1g"), 0);
	n = it_worker_pids(it_master_pid(), pids, IT_MAX_WORKERS);
	before = workers_peak_kib(pids, n);
	CU_ASSERT_FATAL(n > 0 && before > 0);
	it_new_user("big-upload@example.com", u, sizeof(u));
	it_path("big-upload.json", out, sizeof(out));
	it_path("big-upload.code", code, sizeof(code));
	snprintf(
	    cmd, sizeof(cmd),
	    "{ printf '\\055\\055B\\r\\nContent-Disposition: form-data; name=\"name\"\\r\\n\\r\\n"
	    "big\\r\\n\\055\\055B\\r\\nContent-Disposition: form-data; name=\"file\";"
	    " filename=\"big.csv\"\\r\\nContent-Type: text/csv\\r\\n\\r\\n';"
	    " yes 'a,b,c' 2>/dev/null | head -c 1073741824;"
	    " printf '\\r\\n\\055\\055B\\055\\055\\r\\n'; } |"
	    " curl -sS -o '%s' -w '%%{http_code}' -X POST -T - -H 'Expect:'"
	    " -H 'Content-Type: multipart/form-data; boundary=B'"
	    " -H 'Authorization: Bearer %s' '%s/api/v1/datasets' > '%s'",
	    out, u, getenv("KILN_IT_URL"), code);
	CU_ASSERT_FATAL((size_t)snprintf(NULL, 0, "%s", cmd) < sizeof(cmd) - 1);
	CU_ASSERT_EQUAL_FATAL(it_run_shell(cmd), 0);
	after = workers_peak_kib(pids, n);
	CU_ASSERT_FATAL((f = fopen(code, "r")) != NULL);
	CU_ASSERT(fgets(cmd, sizeof(cmd), f) != NULL && strcmp(cmd, "201") == 0);
	fclose(f);
	j = json_load_file(out, 0, NULL);
	if (strcmp(cmd, "201") != 0) {
		char *text = json_dumps(j, 0);

		fprintf(stderr, "[%s: %s] ", cmd, text ? text : "no JSON");
		free(text);
	}
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "size_bytes")), 1073741824LL);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
#ifdef IT_ASAN
	CU_ASSERT(after - before < 32 * 1024);
#else
	CU_ASSERT(after < 32 * 1024);
#endif
	fprintf(stderr, "[worker peak RSS %.1f MiB, was %.1f] ", after / 1024.0, before / 1024.0);
	snprintf(path, sizeof(path), "/api/v1/datasets/%lld", id);
	CU_ASSERT_EQUAL(it_call("DELETE", path, u, NULL, &r), 204);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_api_conf("max_upload", "1g", "4m"), 0);
}

/* The job is committed but reading it back fails: still a 202 with its
 * id (never a 5xx that would free the Idempotency-Key), and a retry with
 * the key replays it instead of submitting twice. */
static void
test_stored_unreadable(void)
{
	const char *body =
	    "{\"name\": \"kept\", \"command\": [\"true\"], \"resources\": {\"gpus\": 0}}";
	const char *batch = "{\"name\": \"kept\", \"jobs\": [{\"command\": [\"true\"],"
			    " \"resources\": {\"gpus\": 0}}]}";
	char token[2048], path[64];
	long long id = 0, again = 0, before, uid;
	int replayed = 0;
	struct it_resp r;
	json_t *j;

	CU_ASSERT_FATAL((uid = it_new_user("readback@example.com", token, sizeof(token))) > 0);
	before = total_jobs(token);
	CU_ASSERT_EQUAL_FATAL(it_stack("api-stop"), 0);
	setenv("KILN_TEST_FAIL_STMT", "job_get,user_job_head,batch_get", 1);
	CU_ASSERT_EQUAL_FATAL(it_stack("api-start"), 0);
	unsetenv("KILN_TEST_FAIL_STMT");
	CU_ASSERT_EQUAL(submit(token, "readback-1", body, &id, &replayed), 202);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(total_jobs(token), before + 1);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("GET", path, token, NULL), 503); /* the fault holds */
	CU_ASSERT_EQUAL(submit(token, "readback-1", body, &again, &replayed), 202);
	CU_ASSERT_EQUAL(again, id);
	CU_ASSERT(replayed);
	CU_ASSERT_EQUAL(total_jobs(token), before + 1);
	/* the short answer tells the state the job was stored in */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs", token,
				"{\"script\": \"A scene of GORE and torture\", \"config\": {}}",
				&r),
			202);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "moderation_failed");
	json_decref(j);
	it_resp_free(&r);
	/* a batch: created once, its key replays the 201 */
	CU_ASSERT_EQUAL(
	    post_keyed("/api/v1/job-batches", token, "readback-2", batch, &id, &replayed), 201);
	CU_ASSERT(id > 0 && !replayed);
	CU_ASSERT_EQUAL(
	    post_keyed("/api/v1/job-batches", token, "readback-2", batch, &again, &replayed), 201);
	CU_ASSERT_EQUAL(again, id);
	CU_ASSERT(replayed);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_batches WHERE user_id = %lld", uid), 1);
	CU_ASSERT_EQUAL_FATAL(it_stack("api-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("api-start"), 0);
	CU_ASSERT_EQUAL(it_call("GET", path, token, NULL, &r), 200);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "kept");
	json_decref(j);
	it_resp_free(&r);
}

void
suite_intake(void)
{
	CU_pSuite s = CU_add_suite("job intake", intake_init, NULL);

	CU_add_test(s, "Idempotency-Key replays the first answer, once per user", test_idempotency);
	CU_add_test(s, "a job stored but not read back: 202 with its id, replayed once",
		    test_stored_unreadable);
	CU_add_test(s, "force-complete is for staff; purge for finished jobs",
		    test_force_complete_and_purge);
	CU_add_test(s, "GET /jobs/list/{user_id}: the user or an admin", test_list_brief);
	CU_add_test(s, "projects: CRUD, owner-scoped, jobs in them, delete rules", test_projects);
	CU_add_test(s, "batches: all or nothing, counts and status, cancel, delete", test_batches);
	CU_add_test(s, "a 1 GiB upload through nginx: the worker's peak RSS stays under 32 MiB",
		    test_upload_1gib_rss);
	CU_add_test(s, "job counts (triggers) match the jobs after submit, end, purge, delete",
		    test_job_counts_audit);
	CU_add_test(s, "render jobs: the film example, moderation, config bounds",
		    test_render_jobs);
	CU_add_test(s, "data sets: streamed upload, sha256, scoped, bad uploads, delete",
		    test_datasets);
}
