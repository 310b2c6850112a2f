/* SPDX-License-Identifier: MIT */
/* t_results.c: what finished jobs leave, through nginx: logs as text
 * (interleaved, by stream, by offset, final), outputs with signed links,
 * downloads handed to nginx (the bytes, Range, attachment), and every way
 * a link can be wrong: expired, tampered path, expiry or signature, the
 * internal location asked directly, a symbolic link, another user's job,
 * a data set through its redirect. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "it.h"

static char admin[2048], owner[2048], other[2048];
static long long done_job, running_job;

/* A job that writes to both streams, two outputs (one with a space in
 * its name) and a symbolic link; and one that keeps running. */
static int
results_init(void)
{
	long long uid;
	json_t *j;

	if (it_admin_login(admin, sizeof(admin)) != 0 || it_stack("sched-start") != 0)
		return 1;
	uid = it_new_user("results@example.com", owner, sizeof(owner));
	it_new_user("results-other@example.com", other, sizeof(other));
	if (it_grant(admin, uid, "10") != 0)
		return 1;
	done_job = it_submit(owner, "{\"resources\": {\"gpus\": 0}, \"script\": \"echo first;"
				    " echo second >&2; echo third; cd $KILN_OUTPUT_DIR;"
				    " mkdir -p plots; seq 1 50000 > 'plots/big list.txt';"
				    " echo '{\\\"ok\\\": true}' > result.json;"
				    " ln -s /etc/passwd passwd\"}");
	running_job = it_submit(owner, "{\"resources\": {\"gpus\": 0},"
				       " \"script\": \"echo started; sleep 60\"}");
	if (done_job == 0 || running_job == 0)
		return 1;
	j = it_wait_job(owner, done_job, "status", "completed", 20000);
	json_decref(j);
	return j == NULL;
}

static int
results_clean(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", running_job);
	it_call_status("POST", path, owner, NULL);
	return it_stack("sched-stop") == 0 ? 0 : 1;
}

/* A header's value from r (n bytes at most), "" when absent. */
static const char *
header(const struct it_resp *r, const char *name, char *buf, size_t n)
{
	const char *v = it_header(r, name, buf, n);

	return v != NULL ? v : "";
}

static void
test_logs(void)
{
	char path[128], buf[64];
	struct it_resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", done_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	/* both streams, a line each; stdout's own order kept */
	CU_ASSERT(strstr(r.body, "first\n") != NULL && strstr(r.body, "second\n") != NULL);
	CU_ASSERT(strstr(r.body, "first\n") < strstr(r.body, "third\n"));
	CU_ASSERT_STRING_EQUAL(header(&r, "X-Log-Complete", buf, sizeof(buf)), "true");
	CU_ASSERT_PTR_NOT_NULL(strstr(header(&r, "Content-Type", buf, sizeof(buf)), "text/plain"));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?stream=stderr&final=true", done_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "second\n");
	it_resp_free(&r);
	/* byte ranges of one stream: "first\nthird\n" from offset 6 */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?stream=stdout&offset=6", done_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "third\n");
	CU_ASSERT_STRING_EQUAL(header(&r, "X-Log-Next-Offset", buf, sizeof(buf)), "12");
	it_resp_free(&r);
	/* the interleaved view resumes at whole records: from the next offset,
	 * nothing is repeated */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?offset=3", done_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, "first"));
	it_resp_free(&r);
	/* a running job: text so far, not final */
	j = it_wait_job(owner, running_job, "status", "running", 10000);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?final=true", running_job);
	CU_ASSERT_EQUAL(it_call_status("GET", path, owner, NULL), 409);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", running_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(header(&r, "X-Log-Complete", buf, sizeof(buf)), "false");
	it_resp_free(&r);
	/* bad parameters; another user's job */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?stream=both", done_job);
	CU_ASSERT_EQUAL(it_call_status("GET", path, owner, NULL), 400);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?limit=10", done_job);
	CU_ASSERT_EQUAL(it_call_status("GET", path, owner, NULL), 400);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", done_job);
	CU_ASSERT_EQUAL(it_call_status("GET", path, other, NULL), 404);
}

/* The outputs' links, by path. */
static void
outputs(json_t **arr)
{
	char path[128];
	struct it_resp r;

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/outputs", done_job);
	CU_ASSERT_EQUAL(it_call("GET", path, owner, NULL, &r), 200);
	*arr = it_json(&r);
	it_resp_free(&r);
}

static const char *
url_of(json_t *arr, const char *p)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(it_jstr(json_array_get(arr, i), "path"), p) == 0)
			return it_jstr(json_array_get(arr, i), "url");
	return "";
}

static void
test_outputs_and_downloads(void)
{
	char path[128], buf[256], disk[4096], rel[256];
	struct it_resp r;
	const char *url;
	json_t *arr;
	char *want;
	FILE *f;
	size_t n;

	outputs(&arr);
	CU_ASSERT_FATAL(json_is_array(arr));
	/* two regular files; the symbolic link is not an output */
	CU_ASSERT_EQUAL(json_array_size(arr), 2);
	CU_ASSERT_STRING_EQUAL(url_of(arr, "passwd"), "");
	url = url_of(arr, "plots/big list.txt");
	CU_ASSERT_PTR_NOT_NULL(strstr(url, "sig="));
	/* the download: no credentials, the bytes of the file, an attachment */
	it_http("GET", url, NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	snprintf(rel, sizeof(rel), "storage/jobs/%lld/outputs/plots/big list.txt", done_job);
	f = fopen(it_path(rel, disk, sizeof(disk)), "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	want = malloc(1 << 20);
	n = fread(want, 1, 1 << 20, f);
	fclose(f);
	CU_ASSERT_EQUAL(r.len, n);
	CU_ASSERT(r.len == n && memcmp(r.body, want, n) == 0);
	free(want);
	CU_ASSERT_STRING_EQUAL(header(&r, "Content-Disposition", buf, sizeof(buf)),
			       "attachment; filename=\"big list.txt\"");
	it_resp_free(&r);
	/* a Range request gets 206 and just those bytes */
	{
		const char *h[] = {"Range: bytes=0-9", NULL};

		it_http("GET", url, NULL, NULL, 0, h, 0, &r);
		CU_ASSERT_EQUAL(r.status, 206);
		CU_ASSERT_EQUAL(r.len, 10);
		CU_ASSERT(r.len == 10 && memcmp(r.body, "1\n2\n3\n4\n5\n", 10) == 0);
		it_resp_free(&r);
	}
	/* the internal location cannot be asked for directly */
	snprintf(path, sizeof(path), "/_kiln_files/jobs/%lld/outputs/result.json", done_job);
	CU_ASSERT_EQUAL(it_get_status(path), 404);
	json_decref(arr);
}

/* Changes the first occurrence of from in url to to, into OUT: out. */
static void
tamper(const char *url, const char *from, const char *to, char *out, size_t n)
{
	const char *at = strstr(url, from);

	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	snprintf(out, n, "%.*s%s%s", (int)(at - url), url, to, at + strlen(from));
}

static long
get_code(const char *url, char *code, size_t n)
{
	struct it_resp r;
	long s;
	json_t *j;

	it_http("GET", url, NULL, NULL, 0, NULL, 0, &r);
	s = r.status;
	code[0] = '\0';
	if ((j = it_json(&r)) != NULL) {
		snprintf(code, n, "%s", it_jstr(j, "code"));
		json_decref(j);
	}
	it_resp_free(&r);
	return s;
}

struct expiring {
	const char *url;
};

static int
link_expired(void *arg)
{
	char code[64];

	return get_code(((struct expiring *)arg)->url, code, sizeof(code)) == 403 &&
	       strcmp(code, "link_expired") == 0;
}

static void
test_links(void)
{
	char body[256], bad[2048], code[64], sig[80];
	struct it_resp r;
	json_t *j, *arr;
	const char *url, *s;

	/* the main output by default; a chosen one; bounds; another user */
	snprintf(body, sizeof(body), "{\"job_id\": %lld}", done_job);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/signed-url", owner, body, &r), 200);
	j = it_json(&r);
	CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "url"), "sig="));
	CU_ASSERT(strlen(it_jstr(j, "expires_at")) == 20);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", other, body), 404);
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"path\": \"passwd\"}", done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", owner, body), 404);
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"path\": \"../logs/stdout.log\"}",
		 done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", owner, body), 404);
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"expires_in\": 99999999}", done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", owner, body), 422);
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"bogus\": 1}", done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", owner, body), 422);
	/* tampering: path, expiry, signature, signer; all the same 403 */
	outputs(&arr);
	url = url_of(arr, "result.json");
	tamper(url, "path=result.json", "path=plots/big%20list.txt", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	CU_ASSERT_STRING_EQUAL(code, "link_invalid");
	tamper(url, "path=result.json", "path=../logs/stdout.log", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	tamper(url, "expires=", "expires=9", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	CU_ASSERT_STRING_EQUAL(code, "link_invalid");
	tamper(url, "by=", "by=9", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	s = strstr(url, "sig=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	snprintf(sig, sizeof(sig), "sig=%c", s[4] == 'a' ? 'b' : 'a');
	tamper(url, "sig=", sig, bad, sizeof(bad));
	bad[strlen(bad) - 1] = '\0'; /* same length as a real one */
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	tamper(url, "&sig=", "&nosig=", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	/* another job's id with this job's link */
	tamper(url, "/jobs/", "/jobs/1", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	CU_ASSERT_EQUAL(get_code(url, code, sizeof(code)), 200);
	json_decref(arr);
	/* a link asked to live one second stops working */
	snprintf(body, sizeof(body),
		 "{\"job_id\": %lld, \"path\": \"result.json\", \"expires_in\": 1}", done_job);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/signed-url", owner, body, &r), 200);
	j = it_json(&r);
	it_resp_free(&r);
	{
		struct expiring e = {it_jstr(j, "url")};

		CU_ASSERT(it_wait(5000, link_expired, &e));
	}
	json_decref(j);
}

static void
test_dataset_download(void)
{
	static const char data[] = "name,n\na,1\n";
	char auth[2100], body[1024], loc[2048];
	const char *h[] = {auth, NULL};
	struct it_resp r;
	long long id;
	json_t *j;
	int len;

	len =
	    snprintf(body, sizeof(body),
		     "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.csv\"\r\n"
		     "\r\n%s\r\n--B--\r\n",
		     data);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", owner);
	it_http("POST", "/api/v1/datasets", "multipart/form-data; boundary=B", body, (size_t)len, h,
		0, &r);
	CU_ASSERT_EQUAL_FATAL(r.status, 201);
	j = it_json(&r);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	it_resp_free(&r);
	snprintf(body, sizeof(body), "/api/v1/datasets/%lld/download", id);
	CU_ASSERT_EQUAL(it_call_status("GET", body, other, NULL), 404);
	CU_ASSERT_EQUAL(it_call("GET", body, owner, NULL, &r), 302);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_header(&r, "Location", loc, sizeof(loc)));
	it_resp_free(&r);
	it_http("GET", loc, NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, data);
	it_resp_free(&r);
}

void
suite_results(void)
{
	CU_pSuite s = CU_add_suite("results", results_init, results_clean);

	CU_add_test(s, "logs: interleaved, by stream, offsets, final, scoped", test_logs);
	CU_add_test(s, "outputs: signed links; download, Range, internal location",
		    test_outputs_and_downloads);
	CU_add_test(s, "links: main output, bounds, tampering, expiry", test_links);
	CU_add_test(s, "data set download through its redirect", test_dataset_download);
}
