/* SPDX-License-Identifier: MIT */
/* jobs.c: visibility, history and the answer shared by the job handlers. */
#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "jobcache.h"
#include "metrics.h"
#include "response.h"
#include "scope.h"
#include "views.h"

int
jobs_reads_all(const struct request *req)
{
	return scope_reads_all(req);
}

enum kiln_err
jobs_visible(struct request *req, int64_t id, struct db_res **res)
{
	return scope_load(req, STMT_JOB_GET, id, 0, 0, res);
}

void
jobs_answer_short(struct request *req, int status, int64_t id, const char *state,
		  const char *detail)
{
	json_t *body = json_pack("{s:I, s:s}", "id", (json_int_t)id, "detail", detail);

	if (body == NULL)
		abort();
	if (state != NULL)
		json_object_set_new(body, "status", json_string(state));
	resp_json_new(req, status, body);
}

enum kiln_err
jobs_respond_stored(struct request *req, int64_t id, const char *state)
{
	if (h_jobs_respond(req, id, 202) != KILN_OK)
		jobs_answer_short(req, 202, id, state,
				  "accepted; read the job with GET /api/v1/jobs/{id}");
	return KILN_OK;
}

/* A job's answer is a function of its row, and the row's version changes
 * with every UPDATE: the ETag names both, and the binary that shaped the
 * answer (app.build), so that a new build never matches an old tag. */
#define JOBS_ETAG_MAX 96

static void
jobs_etag(const struct request *req, char out[JOBS_ETAG_MAX], int64_t id, int64_t version)
{
	snprintf(out, JOBS_ETAG_MAX, "\"j%lld.%lld-%s\"", (long long)id, (long long)version,
		 req->app->build);
}

/* Reads job id (which the caller may see), answers it with status and
 * its ETag, or with conditional (a GET) 304 when If-None-Match names the
 * tag, and keeps the answer in this worker's jobcache. */
static enum kiln_err
jobs_read_answer(struct request *req, int64_t id, int status, int conditional)
{
	struct db_res *res = NULL;
	enum kiln_err rc = jobs_visible(req, id, &res);
	char etag[JOBS_ETAG_MAX];
	int64_t version;

	if (rc != KILN_OK)
		return rc;
	version = db_res_i64(res, 0, DB_JOB_COL_VERSION);
	resp_json_new(req, status, view_job_new(res, 0));
	db_res_free(res);
	jobcache_put(id, version, req->resp_body, req->resp_len);
	jobs_etag(req, etag, id, version);
	request_add_header(req, "ETag", etag);
	if (conditional && resp_etag_listed(req->if_none_match, etag))
		resp_empty(req, 304);
	return KILN_OK;
}

enum kiln_err
h_jobs_respond(struct request *req, int64_t id, int status)
{
	return jobs_read_answer(req, id, status, 0);
}

enum kiln_err
jobs_respond_get(struct request *req, int64_t id)
{
	const struct req_job_head *h = &req->job;
	const char *cached;
	char etag[JOBS_ETAG_MAX];
	size_t len;

	if (h->loaded && h->id == id) {
		/* the head authentication read: visibility as scope_load decides it */
		if (!h->found || !scope_may_see(req, h->user_id))
			return KILN_ERR_NOT_FOUND;
		jobs_etag(req, etag, id, h->version);
		if (resp_etag_listed(req->if_none_match, etag)) {
			request_add_header(req, "ETag", etag);
			resp_empty(req, 304);
			metrics_job_answer(MJA_NOT_MODIFIED);
			return KILN_OK;
		}
		if ((cached = jobcache_get(id, h->version, &len)) != NULL) {
			char *copy = arena_alloc(req->arena, len);

			memcpy(copy, cached, len);
			request_add_header(req, "ETag", etag);
			resp_body(req, 200, "application/json", copy, len);
			metrics_job_answer(MJA_STORED);
			return KILN_OK;
		}
	}
	metrics_job_answer(MJA_READ);
	return jobs_read_answer(req, id, 200, 1);
}
