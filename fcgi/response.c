/* SPDX-License-Identifier: MIT */
/* response.c: response bodies and the CGI response header block. */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define RESP_HEAD_MAX 4096

static void
resp_json_free(void *p)
{
	free(p);
}

void
resp_json_new(struct request *req, int status, json_t *body)
{
	size_t len;
	char *s = json_dump_new(body, &len);

	json_decref(body);
	arena_defer(req->arena, resp_json_free, s);
	req->status = status;
	req->resp_body = s;
	req->resp_len = len;
	req->body_type = "application/json";
	req->responded = 1;
}

void
resp_empty(struct request *req, int status)
{
	req->status = status;
	req->resp_body = NULL;
	req->resp_len = 0;
	req->body_type = "application/json";
	req->responded = 1;
}

void
resp_body(struct request *req, int status, const char *type, char *body, size_t len)
{
	req->status = status;
	req->resp_body = body;
	req->resp_len = len;
	req->body_type = type;
	req->responded = 1;
}

void
resp_error(struct request *req, enum kiln_err e, const char *detail)
{
	int status = err_http_status(e);
	json_t *body;

	if (detail == NULL || status >= 500)
		detail = err_message(e);
	body = json_pack("{s:s, s:s}", "detail", detail, "code", err_code(e));
	if (body == NULL)
		abort();
	resp_json_new(req, status, body);
}

void
resp_validation_new(struct request *req, json_t *details)
{
	json_t *body =
	    json_pack("{s:o, s:s}", "detail", details, "code", err_code(KILN_ERR_VALIDATION));

	if (body == NULL)
		abort();
	resp_json_new(req, 422, body);
}

const char *
resp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

int
resp_etag_listed(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm, *end;
	int found = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '*')
		return p[1 + strspn(p + 1, " \t")] == '\0';
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (end = strchr(p + 1, '"')) == NULL)
			return 0; /* not a list of entity tags: as if absent */
		found |= (size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0;
		p = end + 1;
		p += strspn(p, " \t");
		if (*p != ',' && *p != '\0')
			return 0;
	}
	return found;
}

/* The header block into head (RESP_HEAD_MAX): the status, Content-Type,
 * what line says (a complete "Name: value\r\n" run), Cache-Control, the
 * request id and the request's own headers, then the blank line. Its
 * length, or 0 when it does not fit. */
static size_t
resp_head(const struct request *req, int status, const char *type, const char *line,
	  char head[RESP_HEAD_MAX])
{
	size_t n, i;
	int w = snprintf(head, RESP_HEAD_MAX,
			 "Status: %d %s\r\nContent-Type: %s\r\n%sCache-Control: no-store\r\n"
			 "X-Request-ID: %s\r\n",
			 status, resp_reason(status), type, line, req->request_id);

	if (w < 0 || w >= RESP_HEAD_MAX)
		return 0;
	n = (size_t)w;
	for (i = 0; i < req->nheaders; i++) {
		w = snprintf(head + n, RESP_HEAD_MAX - n, "%s\r\n", req->headers[i]);
		if (w < 0 || (size_t)w >= RESP_HEAD_MAX - n)
			return 0;
		n += (size_t)w;
	}
	if (n + 2 >= RESP_HEAD_MAX)
		return 0;
	head[n++] = '\r';
	head[n++] = '\n';
	return n;
}

int
resp_send(struct request *req)
{
	char head[RESP_HEAD_MAX], length[48];
	size_t n;

	if (!req->responded)
		resp_error(req, KILN_ERR_INTERNAL, NULL);
	/* a 204 or 304 has no body and names no length (RFC 9110 8.6) */
	if (req->status == 204 || req->status == 304)
		length[0] = '\0';
	else
		snprintf(length, sizeof(length), "Content-Length: %zu\r\n", req->resp_len);
	n = resp_head(req, req->status, req->body_type ? req->body_type : "application/json",
		      length, head);
	if (n == 0 || req->io.write(req->io.ctx, head, n) != 0)
		return -1;
	if (req->resp_len > 0 && req->io.write(req->io.ctx, req->resp_body, req->resp_len) != 0)
		return -1;
	return 0;
}

int
resp_stream_begin(struct request *req, int status, const char *type)
{
	char head[RESP_HEAD_MAX];
	size_t n = resp_head(req, status, type, "X-Accel-Buffering: no\r\n", head);

	if (n == 0)
		return -1; /* nothing sent: the caller's error is still answered */
	req->status = status;
	req->responded = 1;
	req->streamed = 1;
	return resp_stream_write(req, head, n);
}

int
resp_stream_write(struct request *req, const char *data, size_t n)
{
	if (n > 0 && req->io.write(req->io.ctx, data, n) != 0)
		return -1;
	return req->io.flush != NULL ? req->io.flush(req->io.ctx) : 0;
}
