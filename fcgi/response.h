/* SPDX-License-Identifier: MIT */
/* response.h: setting and sending a request's response. Every body is JSON
 * unless a handler says otherwise; errors always look like DESIGN.md
 * section 3: {"detail": "...", "code": "..."}. */
#ifndef KILN_RESPONSE_H
#define KILN_RESPONSE_H

#include <jansson.h>

#include "err.h"
#include "request.h"

/* Sets a JSON response; steals body (a new reference, may not be NULL). */
void resp_json_new(struct request *req, int status, json_t *body);

/* Sets a response without a body (204). */
void resp_empty(struct request *req, int status);

/* Sets a response of len bytes of another type (text, metrics); body and
 * type are borrowed and must live as long as the request (its arena). */
void resp_body(struct request *req, int status, const char *type, char *body, size_t len);

/* Sets an error response for e. detail (copied; NULL for the default
 * message) is shown only for 4xx: a 5xx always says the generic message,
 * and the specifics belong in the log with the request id. */
void resp_error(struct request *req, enum kiln_err e, const char *detail);

/* Sets a 422 response whose detail is a list of {loc, msg, type};
 * steals details (a JSON array). */
void resp_validation_new(struct request *req, json_t *details);

/* Writes status, headers and body to req->io. 0 or -1 (client gone). */
int resp_send(struct request *req);

/* Starts a response the handler writes itself (SSE): status line and
 * headers now (req->headers included), with Cache-Control: no-store and
 * X-Accel-Buffering: no; marks the request streamed. 0, or -1 when the
 * client is gone or the headers do not fit (then nothing was sent and the
 * request is not marked answered). */
int resp_stream_begin(struct request *req, int status, const char *type);

/* Writes n bytes of a streamed response and flushes them to the client.
 * 0, or -1 when the client is gone. */
int resp_stream_write(struct request *req, const char *data, size_t n);

/* 1 when an If-None-Match header value (a list of entity tags, or "*")
 * names etag (a quoted tag), by the weak comparison RFC 9110 asks of
 * If-None-Match: a W/ prefix is ignored. 0 for "" or a malformed value,
 * which counts as absent. */
int resp_etag_listed(const char *if_none_match, const char *etag);

/* The reason phrase for an HTTP status ("Not Found"). */
const char *resp_reason(int status);

#endif
