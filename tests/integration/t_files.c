/* SPDX-License-Identifier: MIT */
/* t_files.c: jobs that come with files, through nginx: the documented
 * multipart POST /jobs (script_file, dataset_file, job_data) lands as a
 * script job whose inputs are on disk under jobs/ID/input/, with its image
 * resolved; POST /jobs/upload splits a CSV into a batch of shard jobs;
 * Idempotency-Key over multipart bodies; every bad form answered with
 * nothing stored and no temporary file left behind; purge removes files. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "it.h"

#define BOUNDARY "kilnFilesBoundary7"

struct part {
	const char *name;
	const char *filename; /* NULL for a text field */
	const char *data;
	size_t len; /* 0: strlen(data) */
};

/* A multipart body of parts into OUT: *body (new); its length. */
static size_t
form(const struct part *parts, size_t n, char **body)
{
	size_t cap = 4096, len = 0, i;
	char *p;

	for (i = 0; i < n; i++)
		cap += 512 + (parts[i].len ? parts[i].len : strlen(parts[i].data));
	if ((p = malloc(cap)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		size_t dl = parts[i].len ? parts[i].len : strlen(parts[i].data);

		if (parts[i].filename != NULL)
			len += (size_t)snprintf(p + len, cap - len,
						"--" BOUNDARY "\r\nContent-Disposition: form-data; "
						"name=\"%s\"; filename=\"%s\"\r\nContent-Type: "
						"application/octet-stream\r\n\r\n",
						parts[i].name, parts[i].filename);
		else
			len += (size_t)snprintf(p + len, cap - len,
						"--" BOUNDARY "\r\nContent-Disposition: form-data; "
						"name=\"%s\"\r\n\r\n",
						parts[i].name);
		memcpy(p + len, parts[i].data, dl);
		len += dl;
		len += (size_t)snprintf(p + len, cap - len, "\r\n");
	}
	len += (size_t)snprintf(p + len, cap - len, "--" BOUNDARY "--\r\n");
	*body = p;
	return len;
}

/* POSTs parts to path as token (with an Idempotency-Key when key). */
static long
post_form(const char *path, const char *token, const char *key, const struct part *parts, size_t n,
	  struct it_resp *r)
{
	char auth[2100], idem[300], *body;
	const char *h[] = {auth, key ? idem : NULL, NULL};
	size_t len = form(parts, n, &body);

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(idem, sizeof(idem), "Idempotency-Key: %s", key ? key : "");
	it_http("POST", path, "multipart/form-data; boundary=" BOUNDARY, body, len, h, 0, r);
	free(body);
	return r->status;
}

static long
post_form_status(const char *path, const char *token, const struct part *parts, size_t n)
{
	struct it_resp r;
	long s = post_form(path, token, NULL, parts, n, &r);

	if (s >= 400 && s != 413)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"detail\""));
	it_resp_free(&r);
	return s;
}

/* The bytes of a file under the stack's directory (new), or NULL. */
static char *
slurp(const char *rel, size_t *n)
{
	char path[4096], *buf;
	FILE *f = fopen(it_path(rel, path, sizeof(path)), "rb");
	long len;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
		abort();
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* Entries in a folder under the stack's directory, "." and ".." aside. */
static int
entries(const char *rel)
{
	char path[4096];
	DIR *d = opendir(it_path(rel, path, sizeof(path)));
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int
tmp_empty(void *arg)
{
	(void)arg;
	return entries("storage/tmp") == 0;
}

/* 1 once no upload's temporary file is left. A worker removes them when
 * it resets the request, just after the answer went out, so poll. */
static int
tmp_drained(void)
{
	return it_wait(5000, tmp_empty, NULL);
}

static const char train_py[] = "import sys\nprint('training on', sys.argv)\n";
static const char seed_job_data[] =
    "{\n  \"script_name\": \"train.py\",\n"
    "  \"docker_image\": \"nvidia/cuda:12.1-runtime-ubuntu22.04\",\n"
    "  \"resource_config\": {\n    \"memory_limit\": \"8g\",\n"
    "    \"cpu_count\": 4,\n    \"timeout_seconds\": 3600\n  }\n}";

/* The documented request: script_file, dataset_file, job_data. */
static void
test_script_job_with_files(void)
{
	char u[2048], rel[256];
	static const char zip[] = "PK\3\4 a zip's first bytes, then anything";
	struct part parts[] = {{"script_file", "train.py", train_py, 0},
			       {"dataset_file", "data.zip", zip, sizeof(zip) - 1},
			       {"job_data", NULL, seed_job_data, 0}};
	struct it_resp r;
	json_t *j, *res, *in;
	long long id, ds;
	char *disk;
	size_t n;

	it_new_user("files@example.com", u, sizeof(u));
	CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs", u, NULL, parts, 3, &r), 202);
	j = it_json(&r);
	it_resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	id = json_integer_value(json_object_get(j, "id"));
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "kind"), "script");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "pending");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "docker_image"), "nvidia/cuda:12.1-runtime-ubuntu22.04");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "image_root"), "host");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "working_dir"), "input");
	CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "script"), "exec python3 train.py\n"));
	CU_ASSERT_PTR_NULL(strstr(it_jstr(j, "script"), "pip")); /* no requirements sent */
	res = json_object_get(j, "resources");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "memory_limit")), 8LL << 30);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "cpu_count")), 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(res, "timeout_seconds")), 3600);
	in = json_array_get(json_object_get(j, "inputs"), 0);
	CU_ASSERT_STRING_EQUAL(it_jstr(in, "name"), "train.py");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(in, "size_bytes")),
			(long long)strlen(train_py));
	CU_ASSERT_EQUAL(strlen(it_jstr(in, "sha256")), 64);
	/* the data set is a real one, the caller's, and the job uses it */
	ds = json_integer_value(json_object_get(j, "dataset_id"));
	CU_ASSERT(ds > 0);
	json_decref(j);
	snprintf(rel, sizeof(rel), "/api/v1/datasets/%lld", ds);
	CU_ASSERT_EQUAL(it_call("GET", rel, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"format\":\"zip\""));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("DELETE", rel, u, NULL), 409); /* in use */
	/* the script is on disk, byte for byte, before anyone could claim it */
	snprintf(rel, sizeof(rel), "storage/jobs/%lld/input/train.py", id);
	disk = slurp(rel, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(disk);
	CU_ASSERT_EQUAL(n, strlen(train_py));
	CU_ASSERT_EQUAL(memcmp(disk, train_py, n), 0);
	free(disk);
	/* purge removes the job's directory */
	snprintf(rel, sizeof(rel), "/api/v1/jobs/%lld/cancel", id);
	CU_ASSERT_EQUAL(it_call_status("POST", rel, u, NULL), 200);
	snprintf(rel, sizeof(rel), "/api/v1/jobs/%lld/purge", id);
	CU_ASSERT_EQUAL(it_call_status("DELETE", rel, u, NULL), 204);
	snprintf(rel, sizeof(rel), "storage/jobs/%lld", id);
	CU_ASSERT_EQUAL(entries(rel), -1);
	CU_ASSERT(tmp_drained());
}

/* requirements, job_data sent as a file (curl -F job_data=@job.json),
 * other interpreters, and the project and image rules. */
static void
test_script_job_variants(void)
{
	char u[2048], other[2048], jd[256], rel[256];
	struct it_resp r;
	json_t *j;
	long long id, project;
	char *disk;
	size_t n;

	it_new_user("files-v@example.com", u, sizeof(u));
	it_new_user("files-v2@example.com", other, sizeof(other));
	{
		struct part parts[] = {{"script_file", "train.py", train_py, 0},
				       {"requirements_file", "reqs.txt", "numpy==1.26\n", 0},
				       {"job_data", "job.json", "{\"name\": \"with deps\"}", 0}};

		CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs", u, NULL, parts, 3, &r), 202);
		j = it_json(&r);
		it_resp_free(&r);
		id = json_integer_value(json_object_get(j, "id"));
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "with deps");
		CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "script"), "-r requirements.txt"));
		CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "script"), "\"$KILN_ALLOW_PIP\" = 1"));
		CU_ASSERT(json_is_null(json_object_get(j, "docker_image")));
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "image_root"), "host");
		CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "inputs")), 2);
		json_decref(j);
		snprintf(rel, sizeof(rel), "storage/jobs/%lld/input/requirements.txt", id);
		disk = slurp(rel, &n);
		CU_ASSERT_PTR_NOT_NULL(disk);
		CU_ASSERT(disk != NULL && strcmp(disk, "numpy==1.26\n") == 0);
		free(disk);
	}
	{
		struct part parts[] = {
		    {"script_file", "run.sh", "echo hi\n", 0},
		    {"job_data", NULL, "{\"docker_image\": \"python:3.12-slim\"}", 0}};

		CU_ASSERT_EQUAL(post_form("/api/v1/jobs", u, NULL, parts, 2, &r), 202);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "exec sh run.sh"));
		it_resp_free(&r);
	}
	/* an image no pattern matches: 400 naming what is there */
	{
		struct part parts[] = {
		    {"script_file", "train.py", train_py, 0},
		    {"job_data", NULL, "{\"docker_image\": \"ubuntu:22.04\"}", 0}};

		CU_ASSERT_EQUAL(post_form("/api/v1/jobs", u, NULL, parts, 2, &r), 400);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"code\":\"unknown_image\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "nvidia/cuda:*"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "python:*"));
		it_resp_free(&r);
	}
	/* another user's project is 404, the caller's own is fine */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/projects", other, "{\"name\": \"theirs\"}", &r),
			201);
	j = it_json(&r);
	project = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	it_resp_free(&r);
	snprintf(jd, sizeof(jd), "{\"project_id\": %lld}", project);
	{
		struct part parts[] = {{"script_file", "train.py", train_py, 0},
				       {"job_data", NULL, jd, 0}};

		CU_ASSERT_EQUAL(post_form_status("/api/v1/jobs", u, parts, 2), 404);
		CU_ASSERT_EQUAL(post_form_status("/api/v1/jobs", other, parts, 2), 202);
	}
	CU_ASSERT(tmp_drained());
}

/* Every bad form: its answer, nothing stored, no file left. */
static void
test_script_job_bad(void)
{
	char u[2048];
	int jobs_before = entries("storage/jobs");
	static const struct {
		struct part parts[3];
		size_t n;
		long status;
		const char *what;
	} bad[] = {
	    {{{"job_data", NULL, "{}", 0}}, 1, 422, "script_file"},
	    {{{"script_file", "t.py", "x", 0}, {"extra", NULL, "1", 0}}, 2, 422, "extra"},
	    {{{"script_file", "t.py", "x", 0}, {"job_data", NULL, "{not json", 0}},
	     2,
	     422,
	     "job_data"},
	    {{{"script_file", "t.py", "x", 0}, {"job_data", NULL, "[1]", 0}}, 2, 422, "job_data"},
	    {{{"script_file", "t.py", "x", 0}, {"job_data", NULL, "{\"a\":1,\"a\":2}", 0}},
	     2,
	     422,
	     "job_data"},
	    {{{"script_file", "t.py", "x", 0}, {"job_data", NULL, "{\"command\": [\"ls\"]}", 0}},
	     2,
	     422,
	     "command"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL, "{\"script_name\": \"../../etc/evil.py\"}", 0}},
	     2,
	     422,
	     "script_name"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL, "{\"script_name\": \"-rf.py\"}", 0}},
	     2,
	     422,
	     "script_name"},
	    {{{"script_file", "tool.exe", "x", 0}}, 1, 422, "interpreter"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL, "{\"resource_config\": {\"gpus\": 99}}", 0}},
	     2,
	     422,
	     "gpus"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL, "{\"resource_config\": {\"memory_limit\": \"lots\"}}", 0}},
	     2,
	     422,
	     "memory_limit"},
	    {{{"script_file", "t.py", "x", 0}, {"job_data", NULL, "{\"resource_config\": 4}", 0}},
	     2,
	     422,
	     "resource_config"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL, "{\"env\": {\"LD_PRELOAD\": \"/x.so\"}}", 0}},
	     2,
	     422,
	     "env"},
	    {{{"script_file", "t.py", "x", 0}, {"dataset_file", "d.bin", "\1\2\3", 0}},
	     2,
	     422,
	     "dataset_file"},
	    {{{"script_file", "t.py", "x", 0},
	      {"job_data", NULL,
	       "{\"resource_config\": {\"gpus\": 16, \"timeout_seconds\": 604800}}", 0}},
	     2,
	     400,
	     "cost_limit_exceeded"},
	};
	struct it_resp r;
	size_t i;

	it_new_user("files-bad@example.com", u, sizeof(u));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long s = post_form("/api/v1/jobs", u, NULL, bad[i].parts, bad[i].n, &r);

		if (s != bad[i].status || strstr(r.body, bad[i].what) == NULL)
			fprintf(stderr, "\n  bad form %zu: %ld %s", i, s, r.body);
		CU_ASSERT_EQUAL(s, bad[i].status);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, bad[i].what));
		it_resp_free(&r);
	}
	/* not multipart and not JSON */
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/upload", u, "{}"), 415);
	CU_ASSERT_EQUAL(entries("storage/jobs"), jobs_before);
	CU_ASSERT(tmp_drained());
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
}

/* Idempotency-Key over multipart: the same form replays, another 422. */
static void
test_files_idempotency(void)
{
	char u[2048];
	struct part parts[] = {{"script_file", "train.py", train_py, 0},
			       {"job_data", NULL, seed_job_data, 0}};
	struct part changed[] = {{"script_file", "train.py", "print('other')\n", 0},
				 {"job_data", NULL, seed_job_data, 0}};
	struct it_resp r;
	char buf[16];
	json_t *j;
	long long first, again;

	it_new_user("files-idem@example.com", u, sizeof(u));
	CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs", u, "files-key-1", parts, 2, &r), 202);
	j = it_json(&r);
	first = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(post_form("/api/v1/jobs", u, "files-key-1", parts, 2, &r), 202);
	j = it_json(&r);
	again = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	CU_ASSERT_EQUAL(again, first);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Idempotent-Replayed", buf, sizeof(buf)));
	it_resp_free(&r);
	/* the same names and sizes with other bytes are another request */
	CU_ASSERT_EQUAL(post_form("/api/v1/jobs", u, "files-key-1", changed, 2, &r), 422);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Idempotency-Key"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":1"));
	it_resp_free(&r);
	CU_ASSERT(tmp_drained());
}

/* Reads shard k's CSV of the job with id, new, or NULL. */
static char *
shard_csv(long long id, size_t *n)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "storage/jobs/%lld/input/data.csv", id);
	return slurp(rel, n);
}

/* POST /jobs/upload: a CSV into a batch of shard jobs. */
static void
test_sharded_upload(void)
{
	char u[2048], other[2048], rel[256], otherid[32], csv[4096], joined[4096];
	struct it_resp r;
	json_t *j, *ids;
	long long uid, oid, batch, first;
	size_t len = 0, jl = 0, k, n;
	int i;

	uid = it_new_user("shards@example.com", u, sizeof(u));
	oid = it_new_user("shards-other@example.com", other, sizeof(other));
	len += (size_t)snprintf(csv, sizeof(csv), "id,text\n");
	for (i = 0; i < 10; i++)
		len += (size_t)snprintf(csv + len, sizeof(csv) - len,
					i == 4 ? "%d,\"two\nlines\"\n" : "%d,row %d\n", i, i);
	snprintf(otherid, sizeof(otherid), "%lld", oid);
	{
		struct part parts[] = {{"title", NULL, "My Training Job", 0},
				       {"user_id", NULL, otherid, 0},
				       {"file_code", "train.py", train_py, 0},
				       {"file_req", "requirements.txt", "pandas\n", 0},
				       {"file_data", "data.csv", csv, len},
				       {"shards", NULL, "3", 0}};

		CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs/upload", u, "upload-1", parts, 6, &r),
				      200);
		j = it_json(&r);
		it_resp_free(&r);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "shards")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "rows")), 10);
	batch = json_integer_value(json_object_get(j, "batch_id"));
	first = json_integer_value(json_object_get(j, "job_id"));
	ids = json_object_get(j, "job_ids");
	CU_ASSERT_EQUAL_FATAL(json_array_size(ids), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(ids, 0)), first);
	/* each shard: the header, then whole records; together, the rows in order */
	for (k = 0; k < 3; k++) {
		long long id = json_integer_value(json_array_get(ids, k));
		char *s = shard_csv(id, &n);
		json_t *job;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(strncmp(s, "id,text\n", 8), 0);
		memcpy(joined + jl, s + 8, n - 8);
		jl += n - 8;
		free(s);
		snprintf(rel, sizeof(rel), "/api/v1/jobs/%lld", id);
		CU_ASSERT_EQUAL(it_call("GET", rel, u, NULL, &r), 200);
		job = it_json(&r);
		it_resp_free(&r);
		CU_ASSERT_STRING_EQUAL(it_jstr(job, "kind"), "shard");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(job, "user_id")), uid);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(job, "batch_id")), batch);
		CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(job, "script"), "KILN_DATA_FILE=data.csv"));
		CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(job, "script"), "-r requirements.txt"));
		CU_ASSERT_EQUAL(json_array_size(json_object_get(job, "inputs")), 3);
		json_decref(job);
		snprintf(rel, sizeof(rel), "storage/jobs/%lld/input/train.py", id);
		CU_ASSERT_EQUAL(entries(rel), -1); /* a file, not a folder */
		CU_ASSERT_EQUAL(access(it_path(rel, joined + 3000, 1000), R_OK), 0);
	}
	CU_ASSERT_EQUAL(jl, len - 8);
	CU_ASSERT_EQUAL(memcmp(joined, csv + 8, len - 8), 0);
	json_decref(j);
	/* the batch and the marketplace list show them; the other user has none */
	snprintf(rel, sizeof(rel), "/api/v1/job-batches/%lld", batch);
	CU_ASSERT_EQUAL(it_call("GET", rel, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"name\":\"My Training Job\""));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", rel, other, NULL), 404);
	snprintf(rel, sizeof(rel), "/api/v1/jobs/list/%lld", uid);
	CU_ASSERT_EQUAL(it_call("GET", rel, u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "My Training Job [1/3]"));
	/* its links are the files the first shard was submitted with: the
	 * script and its own shard, fetched without a token; the signature
	 * holds the path */
	{
		json_t *list = it_json(&r), *item = it_item(list, "title", "My Training Job [1/3]");
		char *want = shard_csv(first, &n), bad[4096], *p;
		struct it_resp f;

		CU_ASSERT_PTR_NOT_NULL_FATAL(item);
		CU_ASSERT_EQUAL(
		    it_http("GET", it_jstr(item, "original_code_url"), NULL, NULL, 0, NULL, 0, &f),
		    0);
		CU_ASSERT_EQUAL(f.status, 200);
		CU_ASSERT_STRING_EQUAL(f.body, train_py);
		it_resp_free(&f);
		CU_ASSERT_EQUAL(
		    it_http("GET", it_jstr(item, "original_data_url"), NULL, NULL, 0, NULL, 0, &f),
		    0);
		CU_ASSERT_EQUAL(f.status, 200);
		CU_ASSERT(want != NULL && f.len == n && memcmp(f.body, want, n) == 0);
		it_resp_free(&f);
		free(want);
		snprintf(bad, sizeof(bad), "%s", it_jstr(item, "original_code_url"));
		CU_ASSERT_PTR_NOT_NULL_FATAL(p = strstr(bad, "path=train.py"));
		memcpy(p, "path=xrain.py", 13);
		it_http("GET", bad, NULL, NULL, 0, NULL, 0, &f);
		CU_ASSERT_EQUAL(f.status, 403);
		it_resp_free(&f);
		json_decref(list);
	}
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", other, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
	/* the same key and form: the first answer, nothing new */
	{
		struct part parts[] = {{"title", NULL, "My Training Job", 0},
				       {"user_id", NULL, otherid, 0},
				       {"file_code", "train.py", train_py, 0},
				       {"file_req", "requirements.txt", "pandas\n", 0},
				       {"file_data", "data.csv", csv, len},
				       {"shards", NULL, "3", 0}};

		CU_ASSERT_EQUAL(post_form("/api/v1/jobs/upload", u, "upload-1", parts, 6, &r), 200);
		j = it_json(&r);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "batch_id")), batch);
		json_decref(j);
		it_resp_free(&r);
	}
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":3"));
	it_resp_free(&r);
	/* more shards than rows: one row each; no shards field: the default (4) */
	{
		struct part parts[] = {{"file_code", "t.py", "x", 0},
				       {"file_data", "d.csv", "h\r\n1\r\n2\r\n", 0},
				       {"shards", NULL, "50", 0}};

		CU_ASSERT_EQUAL(post_form("/api/v1/jobs/upload", u, NULL, parts, 3, &r), 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"shards\":2"));
		it_resp_free(&r);
		CU_ASSERT_EQUAL(post_form("/api/v1/jobs/upload", u, NULL, parts, 2, &r), 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"shards\":2"));
		it_resp_free(&r);
		parts[1].data = "h\n1\n2\n3\n4\n5\n6\n7\n8\n9\n";
		CU_ASSERT_EQUAL(post_form("/api/v1/jobs/upload", u, NULL, parts, 2, &r), 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"shards\":4"));
		it_resp_free(&r);
	}
	CU_ASSERT(tmp_drained());
}

/* A part whose text, name or file name is not UTF-8 (or holds a NUL) is
 * refused whole with 400 naming it, not stored (utf8mb4 columns and JSON
 * answers take nothing else); a data set named after a file name longer
 * than a name may be gets the name cut where a character starts. */
static void
test_not_text_parts(void)
{
	char u[2048], longname[260];
	static const char csv[] = "h\n1\n";
	struct {
		const char *route;
		struct part parts[3];
		size_t n;
		const char *part;
	} bad[] = {
	    {"/api/v1/jobs/upload",
	     {{"title", NULL, "bad\xff\xfe", 0},
	      {"file_code", "t.py", "x", 0},
	      {"file_data", "d.csv", csv, 0}},
	     3,
	     "part title"},
	    {"/api/v1/datasets",
	     {{"name", NULL, "n\xff", 0}, {"file", "d.csv", csv, 0}},
	     2,
	     "part name"},
	    {"/api/v1/datasets",
	     {{"name", NULL, "a\0b", 3}, {"file", "d.csv", csv, 0}},
	     2,
	     "part name"},
	    {"/api/v1/datasets", {{"file", "d\xc3.csv", csv, 0}}, 1, "part file"},
	    {"/api/v1/jobs",
	     {{"script_file", "train.py", train_py, 0},
	      {"job_data", NULL, "{}", 0},
	      {"descr\xe9", NULL, "x", 0}},
	     3,
	     "not UTF-8"},
	};
	struct it_resp r;
	json_t *list, *j;
	size_t i;

	it_new_user("files-text@example.com", u, sizeof(u));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(post_form(bad[i].route, u, NULL, bad[i].parts, bad[i].n, &r), 400);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, bad[i].part));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"code\":\"bad_request\""));
		it_resp_free(&r);
	}
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/datasets", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
	CU_ASSERT(tmp_drained());
	/* 199 ASCII bytes and a 2-byte character, then more: cut to 199 */
	memset(longname, 'a', 199);
	memcpy(longname + 199, "\xc3\xa9", 2);
	memset(longname + 201, 'b', 20);
	memcpy(longname + 221, ".csv", 5);
	{
		struct part parts[] = {{"script_file", "train.py", train_py, 0},
				       {"dataset_file", longname, csv, 0},
				       {"job_data", NULL, "{}", 0}};

		CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs", u, NULL, parts, 3, &r), 202);
		it_resp_free(&r);
	}
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/datasets", u, NULL, &r), 200);
	list = it_json(&r);
	it_resp_free(&r);
	j = json_array_get(json_object_get(list, "items"), 0);
	CU_ASSERT_PTR_NOT_NULL(j);
	if (j != NULL) {
		CU_ASSERT_EQUAL(strlen(it_jstr(j, "name")), 199);
		CU_ASSERT_EQUAL(strncmp(it_jstr(j, "name"), longname, 199), 0);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "filename"), longname);
	}
	json_decref(list);
}

/* Deleting a batch removes its jobs' folders with their rows (gc finds
 * jobs by their rows, so it would never see these). The owner or an
 * admin deletes; an operator, who may cancel another user's batch, may
 * not. */
static void
test_batch_delete_folders(void)
{
	struct part parts[] = {{"file_code", "t.py", "print(1)\n", 0},
			       {"file_data", "d.csv", "h\n1\n2\n", 0},
			       {"shards", NULL, "2", 0}};
	char u[2048], admin[2048], op[2048], path[128];
	long long batch, jobs[2][2];
	struct it_resp r;
	size_t b, k;

	it_new_user("batch-rm@example.com", u, sizeof(u));
	CU_ASSERT_EQUAL_FATAL(it_admin_login(admin, sizeof(admin)), 0);
	CU_ASSERT_FATAL(it_new_staff(admin, "batch-rm-op@example.com", "operator", op, sizeof(op)) >
			0);
	for (b = 0; b < 2; b++) {
		json_t *j;

		CU_ASSERT_EQUAL_FATAL(post_form("/api/v1/jobs/upload", u, NULL, parts, 3, &r), 200);
		j = it_json(&r);
		it_resp_free(&r);
		CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(j, "job_ids")), 2);
		for (k = 0; k < 2; k++) {
			jobs[b][k] =
			    json_integer_value(json_array_get(json_object_get(j, "job_ids"), k));
			CU_ASSERT(it_exists("storage/jobs/%lld/input/t.py", jobs[b][k]));
		}
		batch = json_integer_value(json_object_get(j, "batch_id"));
		json_decref(j);
		snprintf(path, sizeof(path), "/api/v1/job-batches/%lld/cancel", batch);
		CU_ASSERT_EQUAL(it_call_status("POST", path, op, NULL), 200);
		snprintf(path, sizeof(path), "/api/v1/job-batches/%lld", batch);
		CU_ASSERT_EQUAL(it_call_status("DELETE", path, op, NULL), 403);
		CU_ASSERT(it_exists("storage/jobs/%lld", jobs[b][0]));
		/* the first batch by its owner, the second by an admin */
		CU_ASSERT_EQUAL(it_call_status("DELETE", path, b == 0 ? u : admin, NULL), 204);
		CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
		for (k = 0; k < 2; k++)
			CU_ASSERT(!it_exists("storage/jobs/%lld", jobs[b][k]));
	}
}

static void
test_sharded_upload_bad(void)
{
	char u[2048];
	static const struct {
		struct part parts[3];
		size_t n;
		const char *what;
	} bad[] = {
	    {{{"file_data", "d.csv", "h\n1\n", 0}}, 1, "file_code"},
	    {{{"file_code", "t.py", "x", 0}}, 1, "file_data"},
	    {{{"file_code", "t.py", "x", 0}, {"file_data", "d.csv", "h\n", 0}}, 2, "no rows"},
	    {{{"file_code", "t.py", "x", 0}, {"file_data", "d.csv", "\n\n", 0}}, 2, "empty"},
	    {{{"file_code", "t.py", "x", 0}, {"file_data", "d.csv", "h\n\"open\n", 0}},
	     2,
	     "quoted"},
	    {{{"file_code", "t.py", "x", 0},
	      {"file_data", "d.csv", "h\n1\n", 0},
	      {"shards", NULL, "0", 0}},
	     3,
	     "shards"},
	    {{{"file_code", "t.py", "x", 0},
	      {"file_data", "d.csv", "h\n1\n", 0},
	      {"shards", NULL, "1001", 0}},
	     3,
	     "shards"},
	    {{{"file_code", "t.py", "x", 0},
	      {"file_data", "d.csv", "h\n1\n", 0},
	      {"shards", NULL, "two", 0}},
	     3,
	     "shards"},
	    {{{"file_code", "t.exe", "x", 0}, {"file_data", "d.csv", "h\n1\n", 0}}, 2, "file_code"},
	    {{{"file_code", "t.py", "x", 0},
	      {"file_data", "d.csv", "h\n1\n", 0},
	      {"bogus", NULL, "1", 0}},
	     3,
	     "bogus"},
	};
	struct it_resp r;
	size_t i;

	it_new_user("shards-bad@example.com", u, sizeof(u));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long s = post_form("/api/v1/jobs/upload", u, NULL, bad[i].parts, bad[i].n, &r);

		if (s != 422 || strstr(r.body, bad[i].what) == NULL)
			fprintf(stderr, "\n  bad upload %zu: %ld %s", i, s, r.body);
		CU_ASSERT_EQUAL(s, 422);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, bad[i].what));
		it_resp_free(&r);
	}
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/jobs", u, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"total\":0"));
	it_resp_free(&r);
	CU_ASSERT(tmp_drained());
}

/* A COMMIT that goes unanswered (KILN_TEST_API_LOSE_COMMIT: each worker's
 * first COMMIT, and every other one after, is kept but answered as lost):
 * the 503 must not take away the input files of the job that was stored,
 * whether they came in a form or were written for a render, nor a stored
 * data set's file. */
static void
test_files_commit_unanswered(void)
{
	static const char render[] = "{\"script\": \"A quiet harbour at dawn.\","
				     " \"config\": {\"num_images\": 1, \"video_duration\": 2}}";
	struct part parts[] = {{"script_file", "train.py", train_py, 0},
			       {"job_data", NULL, seed_job_data, 0}};
	char u[2048];
	long long uid = it_new_user("files-unanswered@example.com", u, sizeof(u)), id;
	struct it_resp r;
	int i, lost = 0;

	CU_ASSERT_EQUAL_FATAL(it_stack("api-stop"), 0);
	setenv("KILN_TEST_API_LOSE_COMMIT", "1", 1);
	CU_ASSERT_EQUAL_FATAL(it_stack("api-start"), 0);
	unsetenv("KILN_TEST_API_LOSE_COMMIT");
	/* every worker is fresh, so this first COMMIT is lost, whoever runs it */
	CU_ASSERT_EQUAL(post_form("/api/v1/jobs", u, NULL, parts, 2, &r), 503);
	it_resp_free(&r);
	/* the 503's own row was kept (every POST below stores one row, so the
	 * count ties the newest row to the request that got the 503) */
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM jobs WHERE user_id = %lld", uid), 1);
	id = it_sqlf("SELECT COALESCE(MAX(id), 0) FROM jobs WHERE user_id = %lld", uid);
	CU_ASSERT(it_exists("storage/jobs/%lld/input/train.py", id));
	for (i = 0; i < 8 && !lost; i++) {
		long status = it_call("POST", "/api/v1/jobs", u, render, &r);

		CU_ASSERT(status == 202 || status == 503);
		lost = status == 503;
		it_resp_free(&r);
	}
	CU_ASSERT_FATAL(lost);
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM jobs WHERE user_id = %lld AND kind = 'render'", uid), i);
	id = it_sqlf("SELECT MAX(id) FROM jobs WHERE user_id = %lld AND kind = 'render'", uid);
	CU_ASSERT(it_exists("storage/jobs/%lld/input/render.json", id));
	/* a data set's row and its file */
	for (i = 0, lost = 0; i < 8 && !lost; i++) {
		struct part ds[] = {{"file", "rows.csv", "n\n1\n", 0}, {"name", NULL, "rows", 0}};
		long status = post_form("/api/v1/datasets", u, NULL, ds, 2, &r);

		CU_ASSERT(status == 201 || status == 503);
		lost = status == 503;
		it_resp_free(&r);
	}
	CU_ASSERT_FATAL(lost);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM datasets WHERE user_id = %lld", uid), i);
	id = it_sqlf("SELECT MAX(id) FROM datasets WHERE user_id = %lld", uid);
	CU_ASSERT(it_exists("storage/datasets/%lld/%lld", uid, id));
	CU_ASSERT_EQUAL(it_stack("api-stop"), 0);
	CU_ASSERT_EQUAL(it_stack("api-start"), 0);
	CU_ASSERT(tmp_drained());
}

void
suite_files(void)
{
	CU_pSuite s = CU_add_suite("jobs with files", NULL, NULL);

	CU_add_test(s, "the documented multipart job: files on disk, image resolved, purge",
		    test_script_job_with_files);
	CU_add_test(s, "requirements, job_data as a file, interpreters, images, projects",
		    test_script_job_variants);
	CU_add_test(s, "bad forms: answered, nothing stored, no file left", test_script_job_bad);
	CU_add_test(s, "Idempotency-Key over multipart bodies", test_files_idempotency);
	CU_add_test(s, "an unanswered COMMIT keeps the stored job's files",
		    test_files_commit_unanswered);
	CU_add_test(s, "POST /jobs/upload: a CSV into a batch of shard jobs", test_sharded_upload);
	CU_add_test(s, "POST /jobs/upload: bad forms", test_sharded_upload_bad);
	CU_add_test(s, "parts that are not UTF-8 text: 400 naming them; long file names cut",
		    test_not_text_parts);
	CU_add_test(s, "a batch's delete removes its jobs' folders; owner or admin only",
		    test_batch_delete_folders);
}
