/* SPDX-License-Identifier: MIT */
/* router.h: the route record, its flags and roles, matching, and the one
 * fixed request pipeline. The table itself lives in routes.c. */
#ifndef KILN_ROUTER_H
#define KILN_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "account.h" /* enum role_bit */
#include "err.h"
#include "request.h"

/* Route flags. One place defines them all:
 *   RF_NOAUTH    no credentials needed (health, login, register, signed files)
 *   RF_JSON_BODY the body, when present, must be application/json; it is
 *                parsed strictly into req->json before the handler runs
 *   RF_STREAM    the handler writes its own response progressively (SSE)
 *   RF_AUDIT     the access log line is marked for audit (admin changes)
 *   RF_FORM      with RF_JSON_BODY: an application/x-www-form-urlencoded
 *                body is accepted too and left for the handler (logins)
 *   RF_IDEMPOTENT an Idempotency-Key header makes a retry replay the first
 *                answer for 24 h (fcgi/idempotency.h)
 *   RF_UPLOAD    a multipart/form-data body is streamed into req->upload
 *                (fields kept, files to temporary files: fcgi/upload.h)
 *                after the rate limit, in constant memory; with
 *                RF_JSON_BODY a JSON body of up to BODY_JOB is taken too,
 *                without it anything but multipart is 415
 *   RF_READS_JOB the handler reads the job {id} names: authentication
 *                (bearer or API key) reads the job's head (owner,
 *                row_version) in its own query, into req->job, which
 *                jobs_respond_get answers from (fcgi/jobs.h)
 *   RF_TRAINING_JOB with RF_READS_JOB: job {id} must be a training job;
 *                any other kind answers 404 as a job that does not exist
 *                (the /training/jobs/{id} routes, which reuse the /jobs
 *                handlers) */
enum route_flag {
	RF_NOAUTH = 1u << 0,
	RF_JSON_BODY = 1u << 1,
	RF_STREAM = 1u << 2,
	RF_AUDIT = 1u << 3,
	RF_FORM = 1u << 4,
	RF_IDEMPOTENT = 1u << 5,
	RF_UPLOAD = 1u << 6,
	RF_READS_JOB = 1u << 7,
	RF_TRAINING_JOB = 1u << 8,
};

/* max_body values besides a byte count */
#define BODY_NONE 0
#define BODY_DEFAULT (-1)      /* the config's api.max_body */
#define BODY_UPLOAD (-2)       /* the config's api.max_upload, plus room for the form */
#define BODY_SMALL (64 * 1024) /* JSON documents of a few fields */
#define BODY_JOB (1536 * 1024) /* a job: argv up to 1 MiB, script and payload 64 KiB each */

#define ROUTE_DRAIN_MAX (64 * 1024 * 1024) /* bytes discarded after a 413 */

/* A handler validates, runs one transaction and sets a response. Returning
 * an error without setting a response makes the dispatcher answer it. */
typedef enum kiln_err (*route_handler)(struct request *req);

struct route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/jobs/{id}" */
	route_handler handler;
	unsigned flags;      /* enum route_flag */
	unsigned roles;      /* enum role_bit; ignored with RF_NOAUTH */
	int64_t max_body;    /* bytes, BODY_NONE or BODY_DEFAULT */
	const char *summary; /* one line, mirrored in docs/openapi.json */
};

/* THE route table (routes.c). */
extern const struct route route_table[];
extern const size_t route_count;

/* Matches method and path against table. On KILN_OK, OUT: *route and
 * params (at most REQ_MAX_PARAMS, values arena-owned) are set.
 * KILN_ERR_NOT_FOUND: no pattern matches the path. KILN_ERR_METHOD: the
 * path matches with other methods, listed in OUT: allow ("GET, POST").
 * KILN_ERR_BAD_REQUEST: the path is malformed (not absolute, too long,
 * control or non-URL characters, "." or ".." segments, empty segments).
 * A single trailing slash is ignored. A parameter whose name is "id" or
 * ends in "_id" matches only a positive 64-bit decimal. */
enum kiln_err route_match(const struct route *table, size_t n, struct arena *arena,
			  const char *method, const char *path, const struct route **route,
			  struct req_param *params, size_t *nparams, char *allow, size_t allowlen);

/* The pipeline: match (404/405/400) -> cap and read the body (413) ->
 * authenticate (401) -> role (403) -> rate limit (429) -> parse JSON
 * (415/400) -> handler. Always leaves a response in req (not yet sent). */
void route_dispatch_table(struct request *req, const struct route *table, size_t n);

/* route_dispatch_table over THE table. */
void route_dispatch(struct request *req);

/* The value of path parameter name, or NULL. */
const struct req_param *route_param(const struct request *req, const char *name);

#endif
