/* SPDX-License-Identifier: MIT */
/* t_results.c: what finished jobs leave, through nginx: logs as text
 * (interleaved, by stream, by offset, final), outputs with signed links,
 * downloads handed to nginx (the bytes, Range, attachment), and every way
 * a link can be wrong: expired, tampered path, expiry or signature, the
 * internal location asked directly, a symbolic link, another user's job,
 * a data set through its redirect. */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "it.h"

static char admin[2048], owner[2048], other[2048];
static long long done_job, running_job, owner_id;

/* A job that writes to both streams, two outputs (one with a space in
 * its name) and a symbolic link; and one that keeps running. */
static int
results_init(void)
{
	long long uid;
	json_t *j;

	if (it_admin_login(admin, sizeof(admin)) != 0 || it_stack("sched-start") != 0)
		return 1;
	uid = owner_id = it_new_user("results@example.com", owner, sizeof(owner));
	it_new_user("results-other@example.com", other, sizeof(other));
	if (it_grant(admin, uid, "10") != 0)
		return 1;
	done_job = it_submit(owner, "{\"resources\": {\"gpus\": 0}, \"script\": \"echo first;"
				    " echo second >&2; echo third; cd $KILN_OUTPUT_DIR;"
				    " mkdir -p plots; seq 1 50000 > 'plots/big list.txt';"
				    " echo '{\\\"ok\\\": true}' > result.json;"
				    " echo q > 'odd?name.txt'; echo p > 'pct%41.txt';"
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
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "third\n")); /* not an empty answer */
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
	return it_jstr(it_item(arr, "path", p), "url");
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
	/* four regular files; the symbolic link is not an output */
	CU_ASSERT_EQUAL(json_array_size(arr), 4);
	/* names with '?' and '%' reach their own file through nginx */
	it_http("GET", url_of(arr, "odd?name.txt"), NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, "q\n");
	it_resp_free(&r);
	it_http("GET", url_of(arr, "pct%41.txt"), NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, "p\n");
	it_resp_free(&r);
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
	CU_ASSERT_EQUAL(it_header_count(&r, "X-Request-ID"), 1); /* nginx's, once */
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

/* Paths at the edges: 969 bytes of UTF-8 (a link over 2 900 characters)
 * is registered and downloads; a path over 1 024 bytes and one that is not
 * UTF-8 cannot be stored or linked, so they are skipped, and the files
 * after them are still registered. */
static void
test_outputs_odd_paths(void)
{
	char path[128];
	struct it_resp r;
	const char *url;
	json_t *arr, *j;
	long long id = it_submit(
	    owner, "{\"resources\": {\"gpus\": 0}, \"script\": \"cd $KILN_OUTPUT_DIR;"
		   " d=$(printf '\\\\303\\\\251%.0s' $(seq 120)); mkdir -p $d/$d/$d/$d;"
		   " echo deep > $d/$d/$d/$d/x.txt; l=$(printf 'l%.0s' $(seq 250));"
		   " mkdir -p $l/$l/$l/$l/$l; echo long > $l/$l/$l/$l/$l/y.txt;"
		   " echo bad > \\\"$(printf 'bad\\\\377.txt')\\\"; echo fine > fine.txt\"}");

	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(owner, id, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/outputs", id);
	CU_ASSERT_EQUAL_FATAL(it_call("GET", path, owner, NULL, &r), 200);
	arr = it_json(&r);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(json_array_size(arr), 2);
	CU_ASSERT_PTR_NOT_NULL(it_item(arr, "path", "fine.txt"));
	url = it_jstr(json_array_get(arr, 0), "url");
	if (strcmp(it_jstr(json_array_get(arr, 0), "path"), "fine.txt") == 0)
		url = it_jstr(json_array_get(arr, 1), "url");
	CU_ASSERT(strlen(url) > 2900);
	it_http("GET", url, NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT(r.body != NULL && strcmp(r.body, "deep\n") == 0);
	it_resp_free(&r);
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

	/* the main output (the largest) by default; a chosen one; bounds;
	 * another user */
	snprintf(body, sizeof(body), "{\"job_id\": %lld}", done_job);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/signed-url", owner, body, &r), 200);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "path"), "plots/big list.txt");
	CU_ASSERT_PTR_NOT_NULL(strstr(it_jstr(j, "url"), "sig="));
	CU_ASSERT(strlen(it_jstr(j, "expires_at")) == 20);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", other, body), 404);
	/* with [api] public_url the link is absolute, and the same link */
	CU_ASSERT_EQUAL_FATAL(it_api_conf("public_url", "", "https:\\/\\/kiln.example.com"), 0);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/signed-url", owner, body, &r), 200);
	j = it_json(&r);
	it_resp_free(&r);
	url = it_jstr(j, "url");
	CU_ASSERT_EQUAL(strncmp(url, "https://kiln.example.com/api/v1/files/jobs/", 43), 0);
	if (strncmp(url, "https://kiln.example.com/", 25) == 0) {
		CU_ASSERT_EQUAL(it_http("GET", url + 24, NULL, NULL, 0, NULL, 0, &r), 0);
		CU_ASSERT_EQUAL(r.status, 200);
		it_resp_free(&r);
	}
	json_decref(j);
	CU_ASSERT_EQUAL_FATAL(it_api_conf("public_url", "https:\\/\\/kiln.example.com", ""), 0);
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
	tamper(url, "path=result.json", "path=%2e%2e/logs/stdout.log", bad, sizeof(bad));
	CU_ASSERT_EQUAL(get_code(bad, code, sizeof(code)), 403);
	tamper(url, "path=result.json", "path=result.json%00.png", bad, sizeof(bad));
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
	char body[1024], loc[2048];
	struct it_resp r;
	long long id = it_upload_dataset(owner, "d.csv", data, strlen(data));

	CU_ASSERT_FATAL(id > 0);
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

/* ---- the live tail ---- */

/* One SSE connection's harvest: the text, and where to stop reading. */
struct sse {
	char *buf;
	size_t len, cap;
	long abort_after; /* log events, then hang up (0: never) */
	long events;
	int started; /* set once bytes arrived (read by another thread) */
};

static size_t
sse_write(char *data, size_t size, size_t n, void *arg)
{
	static const char mark[] = "data: {\"timestamp\""; /* a log line's event */
	struct sse *s = arg;
	size_t k = size * n, i;

	if (s->len + k + 1 > s->cap) {
		s->cap = (s->len + k + 1) * 2;
		if ((s->buf = realloc(s->buf, s->cap)) == NULL)
			abort();
	}
	__atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
	memcpy(s->buf + s->len, data, k);
	s->len += k;
	s->buf[s->len] = '\0';
	for (i = 0; i + sizeof(mark) - 1 <= k; i++)
		s->events += memcmp(data + i, mark, sizeof(mark) - 1) == 0;
	return s->abort_after > 0 && s->events >= s->abort_after ? 0 : k;
}

/* GETs the live tail of job id from last (-1: none) into s; the status. */
static long
sse_get(long long id, long long last, const char *token, struct sse *s, char *retry_after)
{
	char url[512], auth[2100], lei[64];
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	snprintf(url, sizeof(url), "%s/api/v1/jobs/%lld/logs", getenv("KILN_IT_URL"), id);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Accept: text/event-stream");
	if (last >= 0) {
		snprintf(lei, sizeof(lei), "Last-Event-ID: %lld", last);
		h = curl_slist_append(h, lei);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (retry_after != NULL) {
		struct curl_header *ra;

		retry_after[0] = '\0';
		if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK)
			snprintf(retry_after, 16, "%s", ra->value);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* Walks s's complete events: log lines counted in nl and, while there is
 * room (cap), appended to lines; the last id. */
static void
sse_parse(const struct sse *s, char **lines, size_t cap, size_t *nl, long long *last, int *ended)
{
	const char *p = s->buf, *end;

	while (p != NULL && (end = strstr(p, "\n\n")) != NULL) {
		const char *id = strstr(p, "id: "), *data = strstr(p, "data: ");

		if (strncmp(p, "event: end", 10) == 0 ||
		    (strstr(p, "event: end") != NULL && strstr(p, "event: end") < end))
			*ended = 1;
		if (id != NULL && id < end && data != NULL && data < end) {
			json_t *j =
			    json_loadb(data + 6, (size_t)(strchr(data, '\n') - data - 6), 0, NULL);

			*last = strtoll(id + 4, NULL, 10);
			if (j != NULL) {
				if (*nl < cap)
					lines[*nl] = strdup(it_jstr(j, "message"));
				(*nl)++;
				json_decref(j);
			}
		}
		p = end + 2;
	}
}

static void
test_sse_tail(void)
{
	struct sse s = {NULL, 0, 0, 0, 0, 0};
	char *lines[16], *more[16];
	size_t nl = 0, nl2, i;
	long long last = -1, last2 = -1, first;
	int ended = 0, k;

	CU_ASSERT_EQUAL(sse_get(done_job, -1, owner, &s, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.buf, "event: status\ndata: {\"status\":\"completed\""));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(s.buf, "\"stream\":\"stderr\",\"message\":\"second\",\"level\":\"ERROR\""));
	/* log lines are unnamed events, an EventSource's onmessage (seed 001) */
	CU_ASSERT_PTR_NULL(strstr(s.buf, "event: log"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.buf, "\ndata: {\"timestamp\":"));
	sse_parse(&s, lines, sizeof(lines) / sizeof(lines[0]), &nl, &last, &ended);
	CU_ASSERT_EQUAL_FATAL(nl, 3);
	CU_ASSERT(ended);
	/* the first line's id: the stream's first field, or after an event */
	first = strtoll(strncmp(s.buf, "id: ", 4) == 0 ? s.buf + 4 : strstr(s.buf, "\nid: ") + 5,
			NULL, 10);
	free(s.buf);
	/* a Last-Event-ID inside a record (not one kiln sent) resumes at the
	 * next whole record: the lines after the first, none made up */
	for (k = 0; k < 2; k++) {
		memset(&s, 0, sizeof(s));
		nl2 = 0;
		ended = 0;
		CU_ASSERT_EQUAL(sse_get(done_job, k == 0 ? 1 : first - 1, owner, &s, NULL), 200);
		sse_parse(&s, more, sizeof(more) / sizeof(more[0]), &nl2, &last2, &ended);
		CU_ASSERT_EQUAL(nl2, 2);
		CU_ASSERT(ended);
		for (i = 0; i < nl2 && i < sizeof(more) / sizeof(more[0]); i++) {
			if (i + 1 < nl)
				CU_ASSERT_STRING_EQUAL(more[i], lines[i + 1]);
			free(more[i]);
		}
		CU_ASSERT_PTR_NULL(strstr(s.buf, "1970-01-01"));
		free(s.buf);
	}
	for (i = 0; i < nl && i < sizeof(lines) / sizeof(lines[0]); i++)
		free(lines[i]);
	/* resuming at the end gives no line, just the status and the end */
	memset(&s, 0, sizeof(s));
	nl = 0;
	ended = 0;
	CU_ASSERT_EQUAL(sse_get(done_job, last, owner, &s, NULL), 200);
	sse_parse(&s, lines, sizeof(lines) / sizeof(lines[0]), &nl, &last, &ended);
	CU_ASSERT_EQUAL(nl, 0);
	CU_ASSERT(ended);
	free(s.buf);
	/* another user's job */
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(sse_get(done_job, -1, other, &s, NULL), 404);
	free(s.buf);
}

/* A job whose supervisor died leaves no end record: once the job has
 * ended, the tail sends the whole records the log holds and ends, rather
 * than waiting (here until sse_max_seconds) for bytes that never come. */
static void
test_sse_lost(void)
{
	struct sse s = {NULL, 0, 0, 0, 0, 0};
	char rel[128], disk[4096], *lines[8];
	size_t nl = 0, i;
	long long last = -1, id;
	int ended = 0;
	json_t *j;
	FILE *f;

	id = it_submit(owner, "{\"resources\": {\"gpus\": 0}, \"script\": \"echo one; echo two\"}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(owner, id, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_decref(j);
	snprintf(rel, sizeof(rel), "storage/jobs/%lld/logs/end.json", id);
	CU_ASSERT_EQUAL_FATAL(unlink(it_path(rel, disk, sizeof(disk))), 0);
	snprintf(rel, sizeof(rel), "storage/jobs/%lld/logs/combined.log", id);
	f = fopen(it_path(rel, disk, sizeof(disk)), "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("o 1700000000000 torn, never fin", f); /* the dead writer's last bytes */
	fclose(f);
	CU_ASSERT_EQUAL(sse_get(id, -1, owner, &s, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.buf);
	sse_parse(&s, lines, sizeof(lines) / sizeof(lines[0]), &nl, &last, &ended);
	CU_ASSERT(ended);
	CU_ASSERT_PTR_NULL(strstr(s.buf, "retry:"));
	CU_ASSERT_PTR_NULL(strstr(s.buf, "torn"));
	CU_ASSERT_EQUAL(nl, 2);
	if (nl == 2) {
		CU_ASSERT_STRING_EQUAL(lines[0], "one");
		CU_ASSERT_STRING_EQUAL(lines[1], "two");
	}
	for (i = 0; i < nl && i < sizeof(lines) / sizeof(lines[0]); i++)
		free(lines[i]);
	free(s.buf);
}

/* A browser's EventSource cannot send a bearer token: a signed link to the
 * logs carries the tail instead; tampered, it is refused. */
static void
test_logs_link(void)
{
	char body[128], url[2048], bad[2100];
	struct it_resp r;
	struct sse s = {NULL, 0, 0, 0, 0, 0};
	char *lines[8];
	size_t nl = 0, i;
	long long last = -1;
	int ended = 0;
	json_t *j;
	CURL *c;

	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"logs\": true}", done_job);
	CU_ASSERT_EQUAL_FATAL(it_call("POST", "/api/v1/jobs/signed-url", owner, body, &r), 200);
	j = it_json(&r);
	snprintf(url, sizeof(url), "%s%s", getenv("KILN_IT_URL"), it_jstr(j, "url"));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL(strstr(url, "/api/v1/files/jobs/"));
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"logs\": true}", done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", other, body), 404);
	snprintf(body, sizeof(body), "{\"job_id\": %lld, \"logs\": true, \"path\": \"x\"}",
		 done_job);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/signed-url", owner, body), 422);
	/* the live tail with no Authorization header at all */
	c = curl_easy_init();
	{
		struct curl_slist *h = curl_slist_append(NULL, "Accept: text/event-stream");
		long status = 0;

		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
		curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		CU_ASSERT_EQUAL(status, 200);
		curl_slist_free_all(h);
	}
	curl_easy_cleanup(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.buf);
	sse_parse(&s, lines, sizeof(lines) / sizeof(lines[0]), &nl, &last, &ended);
	CU_ASSERT_EQUAL(nl, 3);
	CU_ASSERT(ended);
	for (i = 0; i < nl && i < sizeof(lines) / sizeof(lines[0]); i++)
		free(lines[i]);
	free(s.buf);
	/* as text; and a link for another job's logs does not open these */
	it_http("GET", strstr(url, "/api/v1/"), NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "second\n"));
	it_resp_free(&r);
	snprintf(bad, sizeof(bad), "%s", strstr(url, "/api/v1/"));
	{
		char *slash = strstr(bad, "/jobs/") + 6;

		memmove(slash + 1, slash, strlen(slash) + 1);
		*slash = '9';
	}
	it_http("GET", bad, NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 403);
	it_resp_free(&r);
}

/* 10 000 lines as fast as a job can print them, read through several
 * connections that the client cuts every 1 500 events and resumes with
 * Last-Event-ID: every line exactly once, in order. */
static void
test_sse_ten_thousand(void)
{
	char **lines = calloc(20000, sizeof(*lines));
	long long id = it_submit(owner, "{\"command\": [\"seq\", \"1\", \"10000\"],"
					" \"resources\": {\"gpus\": 0}}");
	long long last = -1;
	size_t nl = 0, i;
	int ended = 0, connections = 0, in_order = 1;

	CU_ASSERT_FATAL(id > 0 && lines != NULL);
	while (!ended && connections < 100) {
		struct sse s = {NULL, 0, 0, 1500, 0, 0};

		sse_get(id, last, owner, &s, NULL);
		connections++;
		if (s.buf != NULL)
			sse_parse(&s, lines, 20000, &nl, &last, &ended);
		free(s.buf);
		CU_ASSERT_FATAL(nl <= 10000);
	}
	CU_ASSERT(ended);
	CU_ASSERT(connections >= 7);
	CU_ASSERT_EQUAL(nl, 10000);
	for (i = 0; i < nl; i++) {
		char want[24];

		snprintf(want, sizeof(want), "%zu", i + 1);
		if (strcmp(lines[i], want) != 0)
			in_order = 0;
		free(lines[i]);
	}
	CU_ASSERT(in_order);
	free(lines);
	fprintf(stderr, "[%d connections] ", connections);
}

struct hold {
	struct sse s;
	long status;
};

static void *
sse_hold(void *arg)
{
	struct hold *h = arg;

	h->status = sse_get(running_job, -1, owner, &h->s, NULL);
	return NULL;
}

static int
both_started(void *arg)
{
	struct hold *h = arg;

	return __atomic_load_n(&h[0].s.started, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&h[1].s.started, __ATOMIC_ACQUIRE);
}

/* sse_max_seconds (3 here) ends a tail with a retry hint; sse_max_streams
 * (2 here) turns a third away with 503 and Retry-After. */
static void
test_sse_limits(void)
{
	struct sse s = {NULL, 0, 0, 0, 0, 0};
	struct hold h[2];
	long long start = it_now_ms();
	long third;
	char retry[16];
	pthread_t t[2];

	memset(h, 0, sizeof(h));
	CU_ASSERT_EQUAL(sse_get(running_job, -1, owner, &s, NULL), 200);
	CU_ASSERT(it_now_ms() - start < 10000);
	CU_ASSERT_PTR_NOT_NULL(s.buf != NULL ? strstr(s.buf, "retry: 1000") : NULL);
	CU_ASSERT_PTR_NOT_NULL(s.buf != NULL ? strstr(s.buf, "\"message\":\"started\"") : NULL);
	CU_ASSERT_PTR_NULL(s.buf != NULL ? strstr(s.buf, "event: end") : "x");
	/* the job is silent after its first line: a comment keeps the stream
	 * (sse_keepalive_seconds is 1 here) */
	CU_ASSERT_PTR_NOT_NULL(s.buf != NULL ? strstr(s.buf, "\n: keep-alive\n\n") : NULL);
	free(s.buf);
	pthread_create(&t[0], NULL, sse_hold, &h[0]);
	pthread_create(&t[1], NULL, sse_hold, &h[1]);
	/* once both have their first bytes, both hold a slot for ~3 s */
	CU_ASSERT(it_wait(5000, both_started, h));
	memset(&s, 0, sizeof(s));
	third = sse_get(running_job, -1, owner, &s, retry);
	free(s.buf);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	free(h[0].s.buf);
	free(h[1].s.buf);
	CU_ASSERT_EQUAL(h[0].status, 200);
	CU_ASSERT_EQUAL(h[1].status, 200);
	CU_ASSERT_EQUAL(third, 503);
	CU_ASSERT_STRING_EQUAL(retry, "2");
}

/* The path of storage/jobs/ID/sub in out (rel: scratch of n). */
static const char *
p_of(char *rel, size_t n, long long id, const char *sub, char *out, size_t on)
{
	snprintf(rel, n, "storage/jobs/%lld/%s", id, sub);
	return it_path(rel, out, on);
}

/* Writes text to a new file path; 0 or -1. */
static int
gone_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A folder kiln-api set aside because it could not remove a job's files
 * (jobs/ID.gone, the job user's), as the job left it: a link to a file
 * outside, a folder it shut, and kiln's logs/ renamed keep/. And
 * sub/root-only/secret, root's, which no job could make: only root could
 * remove it, so it stays while gc removes the folder as the job user. The
 * outside file's path in outside. */
static void
gone_folder_make(char *outside, size_t n)
{
	static const char *const made[] = {
	    "storage/jobs/999999.gone",        "storage/jobs/999999.gone/sub",
	    "storage/jobs/999999.gone/sub/f",  "storage/jobs/999999.gone/link",
	    "storage/jobs/999999.gone/shut/f", "storage/jobs/999999.gone/shut"};
	const struct passwd *nobody = getpwnam("nobody");
	char p[1024], q[1100];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nobody);
	CU_ASSERT_EQUAL_FATAL(gone_file(it_path("gc-outside", outside, n), "keep\n"), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(it_path(made[0], p, sizeof(p)), 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(it_path(made[1], p, sizeof(p)), 0755), 0);
	CU_ASSERT_EQUAL_FATAL(gone_file(it_path(made[2], p, sizeof(p)), ""), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(outside, it_path(made[3], p, sizeof(p))), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(it_path(made[5], p, sizeof(p)), 0755), 0);
	CU_ASSERT_EQUAL_FATAL(gone_file(it_path(made[4], p, sizeof(p)), ""), 0);
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		CU_ASSERT_EQUAL(
		    lchown(it_path(made[i], p, sizeof(p)), nobody->pw_uid, nobody->pw_gid), 0);
	CU_ASSERT_EQUAL(chmod(it_path(made[5], p, sizeof(p)), 0), 0);
	snprintf(q, sizeof(q), "%s/keep", it_path(made[0], p, sizeof(p)));
	CU_ASSERT_EQUAL_FATAL(mkdir(q, 0755), 0); /* kiln's logs/, renamed by the job */
	snprintf(q, sizeof(q), "%s/keep/stdout.log", p);
	CU_ASSERT_EQUAL(gone_file(q, "out\n"), 0);
	snprintf(q, sizeof(q), "%s/sub/root-only", p);
	CU_ASSERT_EQUAL_FATAL(mkdir(q, 0755), 0);
	snprintf(q, sizeof(q), "%s/sub/root-only/secret", p);
	CU_ASSERT_EQUAL(gone_file(q, "root's\n"), 0);
}

/* kilnctl gc: a job finished 40 days ago loses its files (the row stays),
 * an Idempotency-Key two days old and a refresh token expired three days
 * ago go; what is recent stays. */
static void
test_gc(void)
{
	static const char *const args[] = {"gc", NULL};
	char q[512], out[4096], rel[256], disk[4096], auth[2100], idem[64], outside[1024];
	struct stat st;
	const char *h[] = {auth, idem, NULL}, *body = "{\"command\": [\"true\"]}";
	struct it_resp r;
	json_t *j;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", owner);
	snprintf(idem, sizeof(idem), "Idempotency-Key: gc-old");
	it_http("POST", "/api/v1/jobs", "application/json", body, strlen(body), h, 0, &r);
	CU_ASSERT_EQUAL(r.status, 202);
	it_resp_free(&r);
	snprintf(idem, sizeof(idem), "Idempotency-Key: gc-new");
	it_http("POST", "/api/v1/jobs", "application/json", body, strlen(body), h, 0, &r);
	CU_ASSERT_EQUAL(r.status, 202);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(
	    it_sql_value("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'gc-old'"), 1);
	snprintf(
	    q, sizeof(q),
	    "UPDATE jobs SET finished_at = NOW(6) - INTERVAL 40 DAY WHERE id = %lld;"
	    " UPDATE idempotency_keys SET created_at = NOW(6) - INTERVAL 2 DAY"
	    " WHERE idem_key = 'gc-old';"
	    " UPDATE refresh_tokens SET expires_at = NOW(6) - INTERVAL 3 DAY WHERE user_id = %lld;"
	    " SELECT 0",
	    done_job, owner_id);
	CU_ASSERT_EQUAL_FATAL(it_sql_value(q), 0);
	gone_folder_make(outside, sizeof(outside));
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the files of 1 jobs"));
	/* the set-aside folder is emptied as the job user: kiln's keep/ went
	 * (root removes it first), root's own file stayed, so the folder too */
	CU_ASSERT_EQUAL(
	    access(it_path("storage/jobs/999999.gone/sub/root-only/secret", disk, sizeof(disk)),
		   F_OK),
	    0);
	CU_ASSERT_NOT_EQUAL(
	    access(it_path("storage/jobs/999999.gone/keep", disk, sizeof(disk)), F_OK), 0);
	CU_ASSERT_EQUAL(
	    unlink(it_path("storage/jobs/999999.gone/sub/root-only/secret", disk, sizeof(disk))),
	    0);
	CU_ASSERT_EQUAL(
	    rmdir(it_path("storage/jobs/999999.gone/sub/root-only", disk, sizeof(disk))), 0);
	/* then it goes whole; what its link named stayed */
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the files of 1 jobs"));
	CU_ASSERT_NOT_EQUAL(access(it_path("storage/jobs/999999.gone", disk, sizeof(disk)), F_OK),
			    0);
	CU_ASSERT_EQUAL(stat(outside, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
	CU_ASSERT_EQUAL(st.st_size, 5);
	snprintf(rel, sizeof(rel), "storage/jobs/%lld", done_job);
	CU_ASSERT_NOT_EQUAL(access(it_path(rel, disk, sizeof(disk)), F_OK), 0);
	j = it_job(owner, done_job);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(json_is_true(json_object_get(j, "files_removed")));
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	snprintf(q, sizeof(q), "/api/v1/jobs/%lld/outputs", done_job);
	CU_ASSERT_EQUAL(it_call("GET", q, owner, NULL, &r), 200);
	CU_ASSERT_STRING_EQUAL(r.body, "[]");
	it_resp_free(&r);
	CU_ASSERT_EQUAL(
	    it_sql_value("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'gc-old'"), 0);
	CU_ASSERT_EQUAL(
	    it_sql_value("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'gc-new'"), 1);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM refresh_tokens WHERE user_id = %lld",
		 owner_id);
	CU_ASSERT_EQUAL(it_sql_value(q), 0);
	/* a second pass finds nothing more */
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the files of 0 jobs"));
}

/* kilnctl gc goes past a job whose folder will not go: in batches of one
 * (KILN_TEST_GC_BATCH), with the oldest folder holding root's own file
 * (the job user, who removes it, may not), the two younger jobs still
 * lose their files; the oldest's go once root's file is gone. */
static void
test_gc_skips_stuck(void)
{
	static const char *const args[] = {"gc", NULL};
	const struct passwd *nobody = getpwnam("nobody");
	const char *body = "{\"resources\": {\"gpus\": 0}, \"command\": [\"true\"]}";
	char out[4096], q[512], rel[256], p[1024];
	long long ids[3];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nobody);
	for (i = 0; i < 3; i++) {
		ids[i] = it_submit(owner, body);
		CU_ASSERT_FATAL(ids[i] > 0);
		json_decref(it_wait_job(owner, ids[i], "status", "completed", 20000));
		snprintf(q, sizeof(q),
			 "UPDATE jobs SET finished_at = NOW(6) - INTERVAL %d DAY WHERE id = %lld;"
			 " SELECT 0",
			 50 - i, ids[i]);
		CU_ASSERT_EQUAL_FATAL(it_sql_value(q), 0);
	}
	/* the oldest: a folder of the job user's with root's inside */
	CU_ASSERT_EQUAL_FATAL(mkdir(p_of(rel, sizeof(rel), ids[0], "stuck", p, sizeof(p)), 0755),
			      0);
	CU_ASSERT_EQUAL_FATAL(chown(p, nobody->pw_uid, nobody->pw_gid), 0);
	CU_ASSERT_EQUAL_FATAL(
	    mkdir(p_of(rel, sizeof(rel), ids[0], "stuck/root-only", p, sizeof(p)), 0755), 0);
	CU_ASSERT_EQUAL_FATAL(
	    gone_file(p_of(rel, sizeof(rel), ids[0], "stuck/root-only/f", p, sizeof(p)),
		      "root's\n"),
	    0);
	setenv("KILN_TEST_GC_BATCH", "1", 1);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	unsetenv("KILN_TEST_GC_BATCH");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the files of 2 jobs"));
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(access(p_of(rel, sizeof(rel), ids[i], "", p, sizeof(p)), F_OK) == 0,
				i == 0);
	/* root's file gone, the next run removes the rest */
	CU_ASSERT_EQUAL(unlink(p_of(rel, sizeof(rel), ids[0], "stuck/root-only/f", p, sizeof(p))),
			0);
	CU_ASSERT_EQUAL(rmdir(p_of(rel, sizeof(rel), ids[0], "stuck/root-only", p, sizeof(p))), 0);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the files of 1 jobs"));
	CU_ASSERT_NOT_EQUAL(access(p_of(rel, sizeof(rel), ids[0], "", p, sizeof(p)), F_OK), 0);
}

void
suite_results(void)
{
	CU_pSuite s = CU_add_suite("results", results_init, results_clean);

	CU_add_test(s, "logs: interleaved, by stream, offsets, final, scoped", test_logs);
	CU_add_test(s, "outputs: signed links; download, Range, internal location",
		    test_outputs_and_downloads);
	CU_add_test(s, "outputs: long UTF-8 paths link; unstorable ones are skipped",
		    test_outputs_odd_paths);
	CU_add_test(s, "links: main output, bounds, tampering, expiry", test_links);
	CU_add_test(s, "data set download through its redirect", test_dataset_download);
	CU_add_test(s, "live tail: events, end, resume, scoped", test_sse_tail);
	CU_add_test(s, "live tail of a job that lost its supervisor: ends", test_sse_lost);
	CU_add_test(s, "a signed link to the logs: EventSource without a token", test_logs_link);
	CU_add_test(s, "10 000 lines through cut connections: each once, in order",
		    test_sse_ten_thousand);
	CU_add_test(s, "live tail limits: time per stream, streams per host", test_sse_limits);
	CU_add_test(s, "kilnctl gc: old job files, keys and tokens go; recent ones stay", test_gc);
	CU_add_test(s, "kilnctl gc goes past a job folder that will not go", test_gc_skips_stuck);
}
