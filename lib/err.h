/* SPDX-License-Identifier: MIT */
/* err.h: kiln's one error enum and its table (HTTP status, stable code,
 * default message). Append only: values and code strings are API.
 * Not for: logging (log.h) or building response bodies (fcgi/response.h). */
#ifndef KILN_ERR_H
#define KILN_ERR_H

enum kiln_err {
	KILN_OK = 0,
	KILN_ERR_NOMEM,           /* 503: allocation of a user-sized buffer failed */
	KILN_ERR_INTERNAL,        /* 500 */
	KILN_ERR_BAD_REQUEST,     /* 400 */
	KILN_ERR_BAD_JSON,        /* 400: malformed JSON */
	KILN_ERR_UNAUTHORIZED,    /* 401 */
	KILN_ERR_FORBIDDEN,       /* 403 */
	KILN_ERR_NOT_FOUND,       /* 404 */
	KILN_ERR_METHOD,          /* 405 */
	KILN_ERR_CONFLICT,        /* 409 */
	KILN_ERR_TOO_LARGE,       /* 413 */
	KILN_ERR_MEDIA_TYPE,      /* 415 */
	KILN_ERR_VALIDATION,      /* 422 */
	KILN_ERR_RATE_LIMITED,    /* 429 */
	KILN_ERR_DB_UNAVAILABLE,  /* 503: server gone, connect failed */
	KILN_ERR_DB,              /* 500: any other database error */
	KILN_ERR_DB_RETRY,        /* 503: deadlock/lock wait; the txn may be retried */
	KILN_ERR_IO,              /* 500: file system or socket error */
	KILN_ERR_CONFIG,          /* configuration invalid (kilnctl/kiln-api start) */
	KILN_ERR_RANGE,           /* 422: a number out of its allowed range */
	KILN_ERR_BODY_TRUNCATED,  /* 400: body shorter than Content-Length */
	KILN_ERR_COST_LIMIT,      /* 400: a job's quote exceeds max_job_cost */
	KILN_ERR_WORKING_DIR,     /* 400: working_dir leaves the job directory */
	KILN_ERR_UNKNOWN_IMAGE,   /* 400: no [sandbox] images pattern matches docker_image */
	KILN_ERR_LINK_EXPIRED,    /* 403: a signed link past its time */
	KILN_ERR_LINK_INVALID,    /* 403: a signed link whose signature does not match */
	KILN_ERR_BUSY,            /* 503: every live-stream slot of the host is taken */
	KILN_ERR_UNKNOWN_TRAINER, /* 400: [training] trainers has no config.framework */
	KILN_ERR__COUNT
};

/* HTTP status for e (500 for unknown values). */
int err_http_status(enum kiln_err e);
/* Stable machine code string, e.g. "not_found". Never NULL. */
const char *err_code(enum kiln_err e);
/* Default human message, e.g. "not found". Never NULL. */
const char *err_message(enum kiln_err e);

#endif
