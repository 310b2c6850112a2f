/* SPDX-License-Identifier: MIT */
/* h_results.c: what a job leaves behind. Its logs as text (one stream, or
 * both interleaved from logs/combined.log, by byte offset) or as a live
 * tail of Server-Sent Events (ids are byte offsets: Last-Event-ID resumes
 * exactly; a stream holds a worker for sse_max_seconds at most, and at
 * most sse_max_streams do per host); its outputs
 * with fresh signed links; signed links on request; and the signed
 * download route (no credentials: the link is the credential), which
 * checks the link and hands the file to nginx with X-Accel-Redirect, so
 * no worker is held by a download. Data sets download the same way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "clock.h"
#include "handlers.h"
#include "jobs.h"
#include "jobstate.h"
#include "links.h"
#include "log.h"
#include "parse.h"
#include "response.h"
#include "scope.h"
#include "signed.h"
#include "storage.h"
#include "streams.h"
#include "validate.h"

#define RESULTS_LOG_LIMIT (1 << 20)
#define RESULTS_LOG_LIMIT_MIN (64 * 1024) /* above a combined record's size */
#define RESULTS_LOG_LIMIT_MAX (8 << 20)
#define RESULTS_PATH_MAX 1024
#define RESULTS_FILES "/_kiln_files/" /* nginx's internal location over the storage root */

static void
results_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* {url, expires_at} of a link to resource/path for the caller; url is
 * null for a path no link can hold (registered paths always fit). New. */
static json_t *
results_link_new(struct request *req, const char *resource, const char *path, int64_t ttl)
{
	char url[SIGNED_URL_MAX], when[32];
	int64_t expires;
	int ok = links_sign(req, resource, path, ttl, url, &expires) == 0;
	json_t *j;

	results_iso(expires, when);
	if ((j = json_pack("{s:o, s:s}", "url", ok ? json_string(url) : json_null(), "expires_at",
			   when)) == NULL)
		abort();
	return j;
}

enum kiln_err
h_jobs_outputs(struct request *req)
{
	int64_t id = route_param(req, "id")->id;
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	char resource[64];
	json_t *arr;
	enum kiln_err rc;
	size_t i;

	if ((rc = jobs_visible(req, id, &res)) != KILN_OK)
		return rc;
	db_res_free(res);
	if ((rc = db_exec(req->app->db, STMT_OUTPUTS_LIST, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	snprintf(resource, sizeof(resource), "jobs/%lld/outputs", (long long)id);
	if ((arr = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++) {
		const char *path = db_res_str(res, i, 0, NULL);
		json_t *o = json_pack(
		    "{s:s, s:I, s:s?, s:s, s:s}", "path", path, "size_bytes",
		    (json_int_t)db_res_i64(res, i, 1), "sha256",
		    db_res_is_null(res, i, 2) ? NULL : db_res_str(res, i, 2, NULL), "content_type",
		    db_res_str(res, i, 3, NULL), "created_at", db_res_str(res, i, 4, NULL));

		if (o == NULL)
			abort();
		{
			json_t *link =
			    results_link_new(req, resource, path, req->app->cfg->url_ttl);

			json_object_update(o, link);
			json_decref(link);
		}
		json_array_append_new(arr, o);
	}
	db_res_free(res);
	resp_json_new(req, 200, arr);
	return KILN_OK;
}

static const char *const sign_fields[] = {"job_id", "path", "expires_in", "logs", NULL};

enum kiln_err
h_jobs_signed_url(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *link;
	int64_t id = 0, ttl = req->app->cfg->url_ttl;
	int logs = 0;
	struct db_res *res = NULL;
	const char *path = NULL;
	char resource[64], *chosen;
	enum kiln_err rc;

	if (obj != NULL) {
		v_unknown(obj, sign_fields, errs);
		v_int(obj, "job_id", 1, 0, 1, INT64_MAX, &id, errs);
		path = v_str(obj, "path", 0, RESULTS_PATH_MAX, errs, NULL);
		v_int(obj, "expires_in", 0, 0, 1, req->app->cfg->max_url_ttl, &ttl, errs);
		v_bool(obj, "logs", 0, &logs, errs);
		if (logs && path != NULL)
			v_err(errs, "logs", "give path or logs, not both", "value_error.logs");
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if ((rc = jobs_visible(req, id, &res)) != KILN_OK)
		return rc;
	db_res_free(res);
	res = NULL;
	if (logs) { /* a link to the job's logs, text or live */
		snprintf(resource, sizeof(resource), "jobs/%lld/logs", (long long)id);
		resp_json_new(req, 200, results_link_new(req, resource, "", ttl));
		return KILN_OK;
	}
	if (path == NULL) { /* the main output: the largest the job left */
		struct db_val p[1] = {DBV_I64(id)};

		rc = db_exec(req->app->db, STMT_OUTPUT_MAIN, p, 1, &res, NULL, NULL);
	} else {
		struct db_val p[2] = {DBV_I64(id), DBV_STR(path)};

		rc = db_exec(req->app->db, STMT_OUTPUT_GET, p, 2, &res, NULL, NULL);
	}
	if (rc != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		resp_error(req, KILN_ERR_NOT_FOUND, "the job has no such output");
		return KILN_OK;
	}
	chosen = arena_strdup(req->arena, db_res_str(res, 0, 0, NULL));
	db_res_free(res);
	snprintf(resource, sizeof(resource), "jobs/%lld/outputs", (long long)id);
	link = results_link_new(req, resource, chosen, ttl);
	json_object_set_new(link, "path", json_string(chosen));
	resp_json_new(req, 200, link);
	return KILN_OK;
}

/* Opens rel below the folder root one component at a time without
 * following a link; 0 when it is a regular file there. */
static int
results_regular_below(const char *root, const char *rel)
{
	char buf[RESULTS_PATH_MAX + 1], *p = buf, *slash;
	int fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), next;
	struct stat st;

	if (fd < 0 || strlen(rel) > RESULTS_PATH_MAX) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", rel);
	for (;;) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (p[0] == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			close(fd);
			return -1;
		}
		next = openat(fd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC | (slash ? O_DIRECTORY : 0));
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	next = fstat(fd, &st);
	close(fd);
	return next == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

/* A file name fit for Content-Disposition: the last component, with
 * quotes, backslashes and control characters replaced. Arena-owned. */
static const char *
results_filename(struct request *req, const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = arena_strdup(req->arena, base ? base + 1 : path), *c;

	for (c = s; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == '"' || *c == '\\' || *c == 0x7f)
			*c = '_';
	return s[0] ? s : "download";
}

/* Checks the request's link parts for resource; 0, or 1 after answering. */
static int
results_check_link(struct request *req, const char *resource, const char **path, int64_t *by)
{
	const char *p = request_query(req, "path"), *b = request_query(req, "by");
	const char *e = request_query(req, "expires"), *sig = request_query(req, "sig");
	int64_t expires = 0;

	*path = p != NULL ? p : "";
	if (b == NULL || e == NULL || parse_i64(b, 0, INT64_MAX, by) != KILN_OK ||
	    parse_i64(e, 0, INT64_MAX, &expires) != KILN_OK) {
		resp_error(req, KILN_ERR_LINK_INVALID, NULL);
		return 1;
	}
	switch (signed_check(req->app->cfg->signing_key, resource, *path, *by, expires, sig,
			     (int64_t)time(NULL))) {
	case SIGNED_OK: return 0;
	case SIGNED_EXPIRED: resp_error(req, KILN_ERR_LINK_EXPIRED, NULL); return 1;
	default: resp_error(req, KILN_ERR_LINK_INVALID, NULL); return 1;
	}
}

/* Hands rel (below the storage root) to nginx as an attachment. The
 * X-Accel-Redirect URI is percent-encoded: nginx decodes it, so names
 * with '?', '%' or spaces reach the right file. */
static void
results_hand_over(struct request *req, const char *rel, const char *type, const char *name)
{
	size_t cap = 3 * strlen(rel) + sizeof(RESULTS_FILES);
	char *accel = arena_alloc(req->arena, cap);
	char *disp = arena_alloc(req->arena, strlen(name) + 40);

	memcpy(accel, RESULTS_FILES, sizeof(RESULTS_FILES) - 1);
	if (signed_encode(rel, accel + sizeof(RESULTS_FILES) - 1,
			  cap - sizeof(RESULTS_FILES) + 1) != 0) {
		resp_error(req, KILN_ERR_INTERNAL, NULL);
		return;
	}
	snprintf(disp, strlen(name) + 40, "attachment; filename=\"%s\"", name);
	request_add_header(req, "X-Accel-Redirect", accel);
	request_add_header(req, "Content-Disposition", disp);
	resp_empty(req, 200);
	req->body_type = type;
}

enum kiln_err
h_files_output(struct request *req)
{
	int64_t id = route_param(req, "id")->id, by = 0;
	char resource[64], root[STORAGE_PATH_MAX], rel[RESULTS_PATH_MAX + 64];
	struct db_res *res = NULL;
	const char *path;
	enum kiln_err rc;

	snprintf(resource, sizeof(resource), "jobs/%lld/outputs", (long long)id);
	if (results_check_link(req, resource, &path, &by))
		return KILN_OK;
	{
		struct db_val p[2] = {DBV_I64(id), DBV_STR(path)};

		if ((rc = db_exec(req->app->db, STMT_OUTPUT_GET, p, 2, &res, NULL, NULL)) !=
		    KILN_OK)
			return rc;
	}
	storage_job_path(req->app->cfg, id, "outputs", root);
	if (db_res_rows(res) != 1 || results_regular_below(root, path) != 0) {
		db_res_free(res);
		return KILN_ERR_NOT_FOUND;
	}
	snprintf(rel, sizeof(rel), "jobs/%lld/outputs/%s", (long long)id, path);
	log_info("download: job %lld output %s, link signed by user %lld", (long long)id, path,
		 (long long)by);
	results_hand_over(req, arena_strdup(req->arena, rel),
			  arena_strdup(req->arena, db_res_str(res, 0, 3, NULL)),
			  results_filename(req, path));
	db_res_free(res);
	return KILN_OK;
}

/* 1 when name is one of the files of a job's inputs_json (h_jobs_files.c:
 * [{field, name, size_bytes, sha256}]). */
static int
results_is_input(const char *inputs, const char *name)
{
	json_t *a = inputs != NULL ? json_loads(inputs, 0, NULL) : NULL, *f;
	size_t i;
	int found = 0;

	json_array_foreach(a, i, f) found |=
	    json_is_string(json_object_get(f, "name")) &&
	    strcmp(json_string_value(json_object_get(f, "name")), name) == 0;
	json_decref(a);
	return found;
}

/* GET /files/jobs/{id}/inputs?path=NAME&...: a file the job was submitted
 * with (its script, requirements, CSV shard), under jobs/ID/input/. */
enum kiln_err
h_files_input(struct request *req)
{
	int64_t id = route_param(req, "id")->id, by = 0;
	char resource[64], root[STORAGE_PATH_MAX], rel[RESULTS_PATH_MAX + 64];
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	const char *path;
	enum kiln_err rc;
	int ok;

	snprintf(resource, sizeof(resource), "jobs/%lld/inputs", (long long)id);
	if (results_check_link(req, resource, &path, &by))
		return KILN_OK;
	if ((rc = db_exec(req->app->db, STMT_JOB_INPUTS, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	ok = db_res_rows(res) == 1 && !db_res_is_null(res, 0, 0) &&
	     results_is_input(db_res_str(res, 0, 0, NULL), path);
	db_res_free(res);
	storage_job_path(req->app->cfg, id, "input", root);
	if (!ok || results_regular_below(root, path) != 0)
		return KILN_ERR_NOT_FOUND;
	snprintf(rel, sizeof(rel), "jobs/%lld/input/%s", (long long)id, path);
	log_info("download: job %lld input %s, link signed by user %lld", (long long)id, path,
		 (long long)by);
	results_hand_over(req, arena_strdup(req->arena, rel), "application/octet-stream",
			  results_filename(req, path));
	return KILN_OK;
}

enum kiln_err
h_files_dataset(struct request *req)
{
	int64_t id = route_param(req, "id")->id, by = 0;
	struct db_val p[1] = {DBV_I64(id)};
	char resource[64], rel[128];
	struct db_res *res = NULL;
	const char *path;
	enum kiln_err rc;

	snprintf(resource, sizeof(resource), "datasets/%lld", (long long)id);
	if (results_check_link(req, resource, &path, &by))
		return KILN_OK;
	if ((rc = db_exec(req->app->db, STMT_DATASET_GET, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		return KILN_ERR_NOT_FOUND;
	}
	snprintf(rel, sizeof(rel), "datasets/%lld/%lld", (long long)db_res_i64(res, 0, 1),
		 (long long)id);
	log_info("download: data set %lld, link signed by user %lld", (long long)id, (long long)by);
	results_hand_over(req, arena_strdup(req->arena, rel), "application/octet-stream",
			  results_filename(req, db_res_str(res, 0, 4, NULL)));
	db_res_free(res);
	return KILN_OK;
}

enum kiln_err
h_datasets_download(struct request *req)
{
	int64_t id = route_param(req, "id")->id;
	struct db_res *res = NULL;
	char resource[64], url[SIGNED_URL_MAX];
	enum kiln_err rc;

	if ((rc = scope_load(req, STMT_DATASET_GET, id, 0, ROLE_ADMIN, &res)) != KILN_OK)
		return rc;
	db_res_free(res);
	snprintf(resource, sizeof(resource), "datasets/%lld", (long long)id);
	if (links_sign(req, resource, "", req->app->cfg->url_ttl, url, NULL) != 0)
		return KILN_ERR_INTERNAL;
	request_add_header(req, "Location", url);
	resp_empty(req, 302);
	return KILN_OK;
}

/* Up to limit bytes of job id's log name from offset into OUT: *buf
 * (arena), OUT: *n; OUT: *size, the file's size (0 when missing). */
static enum kiln_err
results_read(struct request *req, int64_t id, const char *name, int64_t offset, int64_t limit,
	     char **buf, size_t *n, int64_t *size)
{
	int fd = storage_job_log_open(req->app->cfg, id, name);
	struct stat st;
	ssize_t got;

	*n = 0;
	*size = 0;
	*buf = arena_alloc(req->arena, (size_t)limit + 1);
	if (fd < 0)
		return errno == ENOENT || errno == EPERM || errno == ELOOP || errno == ENOTDIR
			   ? KILN_OK
			   : KILN_ERR_IO;
	if (fstat(fd, &st) == 0)
		*size = st.st_size;
	got = offset < *size ? pread(fd, *buf, (size_t)limit, offset) : 0;
	close(fd);
	if (got < 0)
		return KILN_ERR_IO;
	*n = (size_t)got;
	return KILN_OK;
}

/* ---- live tail (SSE) ---------------------------------------------------- */

#define SSE_POLL_MS 200
#define SSE_STATUS_MS 1000
#define SSE_KEEPALIVE ": keep-alive\n\n"

static void
results_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* A JSON string of n bytes; bytes that are not UTF-8 become '?'. New. */
static json_t *
results_text_new(struct request *req, const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *copy;
	size_t i;

	if (j != NULL)
		return j;
	copy = arena_strndup(req->arena, s, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	if ((j = json_stringn(copy, n)) == NULL)
		abort();
	return j;
}

/* One combined-log record ("o|e MS TEXT", without its newline) as an
 * event whose id is the offset after it. 0, or -1 when the client left. */
static int
results_sse_record(struct request *req, const char *rec, size_t len, int64_t next)
{
	const char *sp1 = memchr(rec, ' ', len), *sp2;
	char when[40], *data;
	long long ms;
	time_t t;
	struct tm tm;
	json_t *d;
	int rc, n;

	if (sp1 == NULL || (sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - rec))) == NULL)
		return 0; /* not a record: skipped */
	ms = strtoll(sp1 + 1, NULL, 10);
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	n = (int)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - (size_t)n, ".%03lldZ", ms % 1000);
	/* unnamed ("message") events with a level, as seed 001's clients and
	 * an EventSource's onmessage take them */
	d = json_pack("{s:s, s:s, s:o, s:s}", "timestamp", when, "stream",
		      rec[0] == 'o' ? "stdout" : "stderr", "message",
		      results_text_new(req, sp2 + 1, len - (size_t)(sp2 + 1 - rec)), "level",
		      rec[0] == 'o' ? "INFO" : "ERROR");
	if (d == NULL || (data = json_dumps(d, JSON_COMPACT)) == NULL)
		abort();
	json_decref(d);
	{
		size_t cap = strlen(data) + 64;
		char *ev = arena_alloc(req->arena, cap);

		n = snprintf(ev, cap, "id: %lld\ndata: %s\n\n", (long long)next, data);
		free(data);
		rc = resp_stream_write(req, ev, (size_t)n);
	}
	return rc;
}

/* The bytes kiln-run wrote to combined.log, from end.json; -1 until the
 * job's supervisor has written it. */
static int64_t
results_end_bytes(struct request *req, int64_t id)
{
	int fd = storage_job_log_open(req->app->cfg, id, "end.json");
	json_t *j;
	int64_t n = -1;

	if (fd < 0)
		return -1;
	j = json_loadfd(fd, 0, NULL);
	close(fd);
	if (j == NULL)
		return -1;
	if (json_is_integer(json_object_get(j, "combined_bytes")))
		n = json_integer_value(json_object_get(j, "combined_bytes"));
	json_decref(j);
	return n;
}

/* How many bytes of buf, n bytes read at offset of log fd, belong to a
 * record that starts before offset (an offset the client made up, not
 * one kiln sent): none when offset starts a record, else up to and with
 * the first '\n' (all n when that has not been written yet). With no fd
 * (-1) the head is taken as torn. */
static size_t
results_torn_head(int fd, int64_t offset, const char *buf, size_t n)
{
	const char *nl;
	char before = fd < 0 ? 0 : '\n';

	if (offset <= 0 || n == 0 || (fd >= 0 && pread(fd, &before, 1, offset - 1) != 1) ||
	    before == '\n')
		return 0;
	nl = memchr(buf, '\n', n);
	return nl != NULL ? (size_t)(nl - buf) + 1 : n;
}

/* The live tail: log events from offset, status events as they change,
 * then one end event once the job has ended and every byte was sent;
 * or a retry hint at sse_max_seconds. A comment line goes out after
 * sse_keepalive_seconds of silence, so that idle proxies keep the stream
 * and a client that left is noticed. */
static enum kiln_err
results_sse(struct request *req, int64_t id, int64_t offset)
{
	int64_t until = clock_mono_ms() + req->app->cfg->sse_max_seconds * 1000, next_status = 0;
	int64_t last_write = clock_mono_ms(), total = -1;
	char status[32] = "", last_status[32] = "";
	char *buf = arena_alloc(req->arena, RESULTS_LOG_LIMIT_MIN);
	double progress = 0, last_progress = -1;
	int fd = -1, gone = 0, ended = 0, aligned = offset == 0;

	if (streams_enter() != 0) {
		request_add_header(req, "Retry-After", "2");
		resp_error(req, KILN_ERR_BUSY, NULL);
		return KILN_OK;
	}
	gone = resp_stream_begin(req, 200, "text/event-stream") != 0;
	while (!gone) {
		ssize_t got = 0;
		size_t i = 0;
		int64_t now = clock_mono_ms();

		if (fd < 0)
			fd = storage_job_log_open(req->app->cfg, id, "combined.log");
		if (fd >= 0 && (got = pread(fd, buf, RESULTS_LOG_LIMIT_MIN, offset)) < 0)
			got = 0;
		if (!aligned && got > 0) { /* events start at a record */
			i = results_torn_head(fd, offset, buf, (size_t)got);
			offset += (int64_t)i;
			aligned = i == 0 || buf[i - 1] == '\n';
		}
		while (!gone && (size_t)got > i) {
			char *nl = memchr(buf + i, '\n', (size_t)got - i);

			if (nl == NULL)
				break; /* the rest of a record is still being written */
			offset += (nl - (buf + i)) + 1;
			gone =
			    results_sse_record(req, buf + i, (size_t)(nl - (buf + i)), offset) != 0;
			i = (size_t)(nl - buf) + 1;
			last_write = now;
		}
		if (gone)
			break;
		if (!ended && now >= next_status) {
			struct db_val p[1] = {DBV_I64(id)};
			struct db_res *res = NULL;

			next_status = now + SSE_STATUS_MS;
			if (db_exec(req->app->db, STMT_JOB_STATUS, p, 1, &res, NULL, NULL) ==
				KILN_OK &&
			    db_res_rows(res) == 1) {
				snprintf(status, sizeof(status), "%s", db_res_str(res, 0, 0, NULL));
				progress = db_res_f64(res, 0, 1);
			}
			db_res_free(res);
			if (strcmp(status, last_status) != 0 || progress != last_progress) {
				char ev[160];
				int n = snprintf(ev, sizeof(ev),
						 "event: status\ndata: {\"status\":\"%s\","
						 "\"progress\":%.1f}\n\n",
						 status, progress);

				snprintf(last_status, sizeof(last_status), "%s", status);
				last_progress = progress;
				last_write = now;
				if ((gone = resp_stream_write(req, ev, (size_t)n) != 0))
					break;
			}
			/* kiln-run writes the end record before the terminal status,
			 * so a terminal job without one lost its supervisor (or never
			 * ran): its log will not grow, and what is there is all */
			if ((ended = job_status_terminal(status)))
				total = results_end_bytes(req, id);
		}
		if (ended && total < 0 && (size_t)got < RESULTS_LOG_LIMIT_MIN)
			total = offset; /* read to the end: only a torn record is left */
		if (ended && total >= 0 && offset >= total) {
			char ev[160];
			int n = snprintf(ev, sizeof(ev),
					 "event: end\ndata: {\"status\":\"%s\","
					 "\"bytes\":%lld}\n\n",
					 status, (long long)offset);

			resp_stream_write(req, ev, (size_t)n);
			break;
		}
		if (clock_mono_ms() >= until) {
			resp_stream_write(req, "retry: 1000\n\n", 13);
			break;
		}
		if (now - last_write >= req->app->cfg->sse_keepalive_seconds * 1000) {
			last_write = now;
			if ((gone = resp_stream_write(req, SSE_KEEPALIVE,
						      sizeof(SSE_KEEPALIVE) - 1) != 0))
				break;
		}
		if (i == 0)
			results_sleep_ms(SSE_POLL_MS);
	}
	if (fd >= 0)
		close(fd);
	streams_leave();
	return KILN_OK;
}

/* A job's logs, text or live, once the caller may see them. */
static enum kiln_err results_logs(struct request *req, int64_t id, int terminal);

enum kiln_err
h_jobs_logs(struct request *req)
{
	int64_t id = route_param(req, "id")->id;
	struct db_res *res = NULL;
	int terminal;
	enum kiln_err rc;

	if ((rc = jobs_visible(req, id, &res)) != KILN_OK)
		return rc;
	terminal = job_status_terminal(db_res_str(res, 0, 4, NULL));
	db_res_free(res);
	return results_logs(req, id, terminal);
}

/* The same through a signed link (a browser's EventSource cannot send an
 * Authorization header): the link names jobs/ID/logs. */
enum kiln_err
h_files_logs(struct request *req)
{
	int64_t id = route_param(req, "id")->id, by = 0;
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	char resource[64];
	const char *path;
	int terminal;
	enum kiln_err rc;

	snprintf(resource, sizeof(resource), "jobs/%lld/logs", (long long)id);
	if (results_check_link(req, resource, &path, &by))
		return KILN_OK;
	if ((rc = db_exec(req->app->db, STMT_JOB_STATUS, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		return KILN_ERR_NOT_FOUND;
	}
	terminal = job_status_terminal(db_res_str(res, 0, 0, NULL));
	db_res_free(res);
	return results_logs(req, id, terminal);
}

static enum kiln_err
results_logs(struct request *req, int64_t id, int terminal)
{
	int64_t offset = 0, limit = RESULTS_LOG_LIMIT, size = 0;
	const char *stream = request_query(req, "stream"), *final = request_query(req, "final"),
		   *name;
	const char *o = request_query(req, "offset"), *l = request_query(req, "limit");
	char num[32], *buf, *text;
	size_t n = 0, used = 0, tl = 0, i;
	enum kiln_err rc;

	if ((o != NULL && parse_i64(o, 0, INT64_MAX, &offset) != KILN_OK) ||
	    (l != NULL &&
	     parse_i64(l, RESULTS_LOG_LIMIT_MIN, RESULTS_LOG_LIMIT_MAX, &limit) != KILN_OK) ||
	    (stream != NULL && strcmp(stream, "stdout") != 0 && strcmp(stream, "stderr") != 0) ||
	    (final != NULL && strcmp(final, "true") != 0 && strcmp(final, "false") != 0)) {
		resp_error(req, KILN_ERR_BAD_REQUEST,
			   "stream is stdout or stderr; offset >= 0; limit 65536..8388608; final "
			   "true or false");
		return KILN_OK;
	}
	if (strstr(req->accept, "text/event-stream") != NULL) {
		int64_t from = offset;

		if (req->last_event_id[0] != '\0' &&
		    parse_i64(req->last_event_id, 0, INT64_MAX, &from) != KILN_OK) {
			resp_error(req, KILN_ERR_BAD_REQUEST,
				   "Last-Event-ID must be a byte offset");
			return KILN_OK;
		}
		return results_sse(req, id, from);
	}
	if (final != NULL && strcmp(final, "true") == 0 && !terminal) {
		resp_error(req, KILN_ERR_CONFLICT, "the job has not ended: its logs are not final");
		return KILN_OK;
	}
	name = stream == NULL                  ? "combined.log"
	       : strcmp(stream, "stdout") == 0 ? "stdout.log"
					       : "stderr.log";
	if ((rc = results_read(req, id, name, offset, limit, &buf, &n, &size)) != KILN_OK)
		return rc;
	if (stream != NULL) {
		text = buf;
		tl = used = n;
	} else {
		/* whole records only, from the first that starts at or after offset;
		 * each "o|e MS TEXT\n" becomes "TEXT\n" */
		size_t start = 0;

		if (offset > 0 && n > 0) {
			int fd = storage_job_log_open(req->app->cfg, id, name);

			start = results_torn_head(fd, offset, buf, n);
			if (fd >= 0)
				close(fd);
		}
		text = arena_alloc(req->arena, n + 1);
		used = start;
		for (i = start; i < n;) {
			char *nl = memchr(buf + i, '\n', n - i), *sp;

			if (nl == NULL)
				break; /* a record cut by the limit: next time */
			sp = memchr(buf + i, ' ', (size_t)(nl - (buf + i)));
			sp = sp != NULL ? memchr(sp + 1, ' ', (size_t)(nl - (sp + 1))) : NULL;
			if (sp != NULL) {
				memcpy(text + tl, sp + 1, (size_t)(nl - sp));
				tl += (size_t)(nl - sp);
			}
			i = (size_t)(nl - buf) + 1;
			used = i;
		}
	}
	snprintf(num, sizeof(num), "%lld", (long long)(offset + (int64_t)used));
	request_add_header(req, "X-Log-Next-Offset", num);
	request_add_header(req, "X-Log-Complete",
			   terminal && offset + (int64_t)used >= size ? "true" : "false");
	resp_body(req, 200, "text/plain; charset=utf-8", text, tl);
	return KILN_OK;
}
