/* SPDX-License-Identifier: MIT */
/* router.c: path matching and the fixed dispatch pipeline (see router.h).
 * Handlers only ever see requests that passed every step here. */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "idempotency.h"
#include "upload.h"
#include "json.h"
#include "jobstate.h"
#include "parse.h"
#include "ratelimit.h"
#include "response.h"

/* RFC 3986 pchar plus '/', without '%'-decoding: routes are plain ASCII. */
static int
route_path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@%/", c) != NULL;
}

static int
route_path_ok(const char *path)
{
	size_t n = strlen(path), i;

	if (n == 0 || path[0] != '/' || n > REQ_MAX_PATH)
		return 0;
	for (i = 0; i < n; i++) {
		if (path[i] == '\0' || !route_path_char_ok(path[i]))
			return 0;
		if (path[i] == '/' && i > 0 && path[i - 1] == '/')
			return 0;
		if (path[i] == '/' || i == 0) {
			const char *seg = path + i + 1;
			size_t len = strcspn(seg, "/");

			if ((len == 1 && seg[0] == '.') ||
			    (len == 2 && seg[0] == '.' && seg[1] == '.'))
				return 0;
		}
	}
	return 1;
}

static int
route_param_is_id(const char *name, size_t len)
{
	return (len == 2 && memcmp(name, "id", 2) == 0) ||
	       (len > 3 && memcmp(name + len - 3, "_id", 3) == 0);
}

/* Matches one pattern against path; fills params on success. */
static int
route_match_one(const char *pattern, const char *path, size_t pathlen, struct arena *arena,
		struct req_param *params, size_t *nparams)
{
	const char *p = pattern, *s = path, *send = path + pathlen;
	size_t np = 0;

	while (*p != '\0' && s < send) {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			size_t seglen =
			    (size_t)((const char *)memchr(s, '/', (size_t)(send - s))
					 ? (const char *)memchr(s, '/', (size_t)(send - s)) - s
					 : send - s);
			size_t namelen;

			if (pend == NULL || seglen == 0 || np >= REQ_MAX_PARAMS)
				return 0;
			namelen = (size_t)(pend - p - 1);
			params[np].name = arena_strndup(arena, p + 1, namelen);
			params[np].value = arena_strndup(arena, s, seglen);
			params[np].id = 0;
			if (route_param_is_id(p + 1, namelen) &&
			    parse_i64n(s, seglen, 1, INT64_MAX, &params[np].id) != KILN_OK)
				return 0;
			np++;
			p = pend + 1;
			s += seglen;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p != '\0' || s != send)
		return 0;
	*nparams = np;
	return 1;
}

enum kiln_err
route_match(const struct route *table, size_t n, struct arena *arena, const char *method,
	    const char *path, const struct route **route, struct req_param *params, size_t *nparams,
	    char *allow, size_t allowlen)
{
	size_t i, pathlen, alen = 0;
	int path_matched = 0;

	if (allowlen > 0)
		allow[0] = '\0';
	if (!route_path_ok(path))
		return KILN_ERR_BAD_REQUEST;
	pathlen = strlen(path);
	if (pathlen > 1 && path[pathlen - 1] == '/')
		pathlen--; /* "/api/v1/jobs/" is "/api/v1/jobs" */
	for (i = 0; i < n; i++) {
		size_t np = 0;

		if (!route_match_one(table[i].pattern, path, pathlen, arena, params, &np))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			*route = &table[i];
			*nparams = np;
			return KILN_OK;
		}
		path_matched = 1;
		if (alen < allowlen && strstr(allow, table[i].method) == NULL) {
			int w = snprintf(allow + alen, allowlen - alen, "%s%s", alen ? ", " : "",
					 table[i].method);

			if (w > 0)
				alen +=
				    (size_t)w < allowlen - alen ? (size_t)w : allowlen - alen - 1;
		}
	}
	return path_matched ? KILN_ERR_METHOD : KILN_ERR_NOT_FOUND;
}

const struct req_param *
route_param(const struct request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return &req->params[i];
	return NULL;
}

/* Reads and discards up to ROUTE_DRAIN_MAX body bytes so that the web
 * server, which sends the whole body before reading the reply, is not cut
 * off mid-write and turns our 413 into a 502. */
static void
route_drain(struct request *req)
{
	char buf[16384];
	size_t total = 0;
	long got;

	while (total < ROUTE_DRAIN_MAX && (got = req->io.read(req->io.ctx, buf, sizeof(buf))) > 0)
		total += (size_t)got;
}

/* 1 when the body is left for route_read_upload: multipart on an
 * RF_UPLOAD route, or anything on one without RF_JSON_BODY (it answers
 * 415 for what is not multipart). */
static int
route_streams(const struct request *req)
{
	return (req->route->flags & RF_UPLOAD) &&
	       (!(req->route->flags & RF_JSON_BODY) || request_is_multipart(req));
}

/* Step 6b: streams a multipart body into req->upload. */
static enum kiln_err
route_read_upload(struct request *req, char *detail, size_t dlen)
{
	enum kiln_err rc;

	req->upload = arena_alloc(req->arena, sizeof(*req->upload));
	if ((rc = upload_read(req, req->upload)) == KILN_OK)
		return KILN_OK;
	if (rc == KILN_ERR_BAD_REQUEST && req->upload->not_text != NULL)
		snprintf(detail, dlen,
			 "a part's name, file name or text is not UTF-8 without NUL characters"
			 " (part %s)",
			 json_utf8_ok(req->upload->not_text, strlen(req->upload->not_text))
			     ? req->upload->not_text
			     : "with a name that is not UTF-8");
	req->upload = NULL;
	if (rc == KILN_ERR_MEDIA_TYPE)
		snprintf(detail, dlen, "send multipart/form-data with its file parts");
	else if (rc == KILN_ERR_TOO_LARGE)
		snprintf(detail, dlen,
			 "the upload is larger than allowed (a file over [api] "
			 "max_upload, or too many parts)");
	return rc;
}

/* Step 2: caps and reads the body. */
static enum kiln_err
route_read_body(struct request *req, char *detail, size_t dlen)
{
	int64_t cap = req->route->max_body == BODY_DEFAULT  ? req->app->cfg->max_body
		      : req->route->max_body == BODY_UPLOAD ? req->app->cfg->max_upload + 65536
							    : req->route->max_body;
	size_t want, have = 0;

	if (req->content_length == -2) {
		snprintf(detail, dlen, "malformed Content-Length");
		return KILN_ERR_BAD_REQUEST;
	}
	if (req->content_length <= 0)
		return KILN_OK;
	if (req->route->flags & RF_UPLOAD) {
		if (route_streams(req) && req->content_length <= cap)
			return KILN_OK; /* route_read_upload streams it */
		if (!route_streams(req))
			cap = BODY_JOB;
	}
	if (req->content_length > cap) {
		if (cap == 0)
			snprintf(detail, dlen, "this endpoint takes no request body");
		else
			snprintf(detail, dlen, "request body larger than %lld bytes",
				 (long long)cap);
		route_drain(req);
		return KILN_ERR_TOO_LARGE;
	}
	want = (size_t)req->content_length;
	/* user-sized: a failed allocation is an answer (503), not an abort */
	if ((req->body = malloc(want + 1)) == NULL) {
		route_drain(req);
		return KILN_ERR_NOMEM;
	}
	arena_defer(req->arena, free, req->body);
	while (have < want) {
		long got = req->io.read(req->io.ctx, req->body + have, want - have);

		if (got <= 0)
			return KILN_ERR_BODY_TRUNCATED;
		have += (size_t)got;
	}
	req->body[have] = '\0';
	req->body_len = have;
	return KILN_OK;
}

static void
route_json_decref(void *p)
{
	json_decref(p);
}

/* Step 6: parses the JSON body of RF_JSON_BODY routes. */
static enum kiln_err
route_parse_json(struct request *req, char *detail, size_t dlen)
{
	const char *ct = req->content_type;
	size_t jl = strlen("application/json");

	if (req->body_len == 0)
		return KILN_OK;
	if ((req->route->flags & RF_FORM) && request_is_form(req))
		return KILN_OK; /* a form: the handler reads it */
	/* no Content-Type at all is JSON, as FastAPI takes it: scripts that
	 * send data=json.dumps(...) name none. Not a CSRF guard: a page can
	 * send an untyped body too; credentials on JSON routes are headers,
	 * and the refresh cookie needs X-Kiln-Session (h_auth.c) */
	if (ct[0] != '\0' &&
	    (strncasecmp(ct, "application/json", jl) != 0 || (ct[jl] != '\0' && ct[jl] != ';'))) {
		snprintf(detail, dlen, "Content-Type must be application/json");
		return KILN_ERR_MEDIA_TYPE;
	}
	if (json_parse_strict(req->body, req->body_len, &req->json, detail, dlen) != KILN_OK)
		return KILN_ERR_BAD_JSON;
	arena_defer(req->arena, route_json_decref, req->json);
	return KILN_OK;
}

/* Step 5: the principal's request budget, shared by the host's workers.
 * Sets X-RateLimit-* on every authenticated answer; on excess answers 429
 * with Retry-After and returns 1. */
static int
route_rate_limit(struct request *req)
{
	const struct kiln_config *cfg = req->app->cfg;
	struct ratelimit_rule rules[2] = {{cfg->rl_short_window, cfg->rl_short_limit},
					  {cfg->rl_long_window, cfg->rl_long_limit}};
	struct ratelimit_verdict v;
	char key[32], num[32];

	snprintf(key, sizeof(key), "u:%lld", (long long)req->user_id);
	ratelimit_hit(key, strlen(key), (int64_t)time(NULL), rules, 2, &v);
	snprintf(num, sizeof(num), "%lld", (long long)v.limit);
	request_add_header(req, "X-RateLimit-Limit", num);
	snprintf(num, sizeof(num), "%lld", (long long)v.remaining);
	request_add_header(req, "X-RateLimit-Remaining", num);
	snprintf(num, sizeof(num), "%lld", (long long)v.reset);
	request_add_header(req, "X-RateLimit-Reset", num);
	if (!v.limited)
		return 0;
	snprintf(num, sizeof(num), "%lld", (long long)v.retry_after);
	request_add_header(req, "Retry-After", num);
	resp_error(req, KILN_ERR_RATE_LIMITED, "rate limit exceeded, retry later");
	return 1;
}

void
route_dispatch_table(struct request *req, const struct route *table, size_t n)
{
	char allow[128], detail[256];
	enum kiln_err rc;

	detail[0] = '\0';
	rc = route_match(table, n, req->arena, req->method, req->path, &req->route, req->params,
			 &req->nparams, allow, sizeof(allow));
	if (rc == KILN_ERR_METHOD) {
		request_add_header(req, "Allow", allow);
		resp_error(req, rc, NULL);
		return;
	}
	if (rc == KILN_ERR_BAD_REQUEST) {
		resp_error(req, rc, "malformed request path");
		return;
	}
	if (rc != KILN_OK) {
		resp_error(req, rc, NULL);
		return;
	}
	if ((rc = route_read_body(req, detail, sizeof(detail))) != KILN_OK)
		goto fail;
	if (!(req->route->flags & RF_NOAUTH)) {
		if ((rc = auth_authenticate(req)) != KILN_OK)
			goto fail;
		if ((req->route->roles & req->role_bit) == 0) {
			rc = KILN_ERR_FORBIDDEN;
			goto fail;
		}
		if (route_rate_limit(req) != 0)
			return;
	}
	if ((req->route->flags & RF_JSON_BODY) && !route_streams(req) &&
	    (rc = route_parse_json(req, detail, sizeof(detail))) != KILN_OK)
		goto fail;
	if (route_streams(req) && (rc = route_read_upload(req, detail, sizeof(detail))) != KILN_OK)
		goto fail;
	/* after the body, so that a bad body is answered alike for every id */
	if ((req->route->flags & RF_TRAINING_JOB) &&
	    (!req->job.found || strcmp(req->job.kind, JOB_KIND_TRAINING) != 0)) {
		rc = KILN_ERR_NOT_FOUND;
		goto fail;
	}
	if ((req->route->flags & RF_IDEMPOTENT) && idem_begin(req))
		return;
	rc = req->route->handler(req);
	if (req->route->flags & RF_IDEMPOTENT) {
		if (rc != KILN_OK && !req->responded)
			resp_error(req, rc, detail[0] ? detail : NULL);
		idem_end(req);
		return;
	}
	if (rc == KILN_OK && req->responded)
		return;
	if (rc == KILN_OK)
		rc = KILN_ERR_INTERNAL;
	if (req->responded)
		return;
fail:
	resp_error(req, rc, detail[0] ? detail : NULL);
}

void
route_dispatch(struct request *req)
{
	route_dispatch_table(req, route_table, route_count);
}
