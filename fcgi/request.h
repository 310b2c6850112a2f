/* SPDX-License-Identifier: MIT */
/* request.h: one HTTP request as kiln-api sees it, and its response.
 * Built from FastCGI params by fcgi_io.c, or from a list of "KEY=VALUE"
 * strings in handler tests; nothing here knows about sockets.
 * Every pointer in a request is owned by its arena. */
#ifndef KILN_REQUEST_H
#define KILN_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "err.h"

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 8
#define REQ_MAX_PATH 2048
#define REQ_ID_MAX 64

struct route;

/* The transport under a request: FastCGI in kiln-api, a buffer in tests. */
struct req_io {
	void *ctx;
	/* Reads up to n body bytes: count, 0 at end, -1 on error. */
	long (*read)(void *ctx, void *buf, size_t n);
	/* Writes n bytes: 0 or -1. */
	int (*write)(void *ctx, const void *buf, size_t n);
	/* Pushes buffered output to the client: 0 or -1 (may be NULL). */
	int (*flush)(void *ctx);
};

/* Per-process state every handler may use; set up once per worker. */
struct app {
	const struct kiln_config *cfg; /* borrowed */
	struct db *db;                 /* this worker's connection */
	const char *version;
	char build[17]; /* this binary's own tag: the first 8 bytes of its SHA-256, hex */
};

struct req_param {
	const char *name;  /* from the route pattern, without braces */
	const char *value; /* the matched segment */
	int64_t id;        /* parsed value for params named like "id" */
};

/* The head of a job read with the caller's credentials (RF_READS_JOB):
 * enough to tell whether the caller may see it and whether it changed. */
struct req_job_head {
	int loaded;      /* 1 once authentication read it */
	int found;       /* 1 when the job exists */
	int64_t id;      /* the route's {id} */
	int64_t user_id; /* its owner */
	int64_t version; /* its row_version (sql/019) */
	char kind[16];   /* its kind (jobs.kind) */
};

struct request {
	struct arena *arena;
	struct app *app;
	struct req_io io;
	struct timespec start;

	/* from the CGI environment */
	const char *method;       /* "GET" */
	const char *path;         /* request URI without the query, raw */
	const char *query;        /* "" when none */
	const char *content_type; /* "" when none */
	int64_t content_length;   /* -1 when absent */
	const char *authorization;
	const char *api_key;
	const char *accept;
	const char *remote_addr;
	const char *idempotency_key; /* NULL when none; "" when sent empty */
	const char *last_event_id;   /* SSE resume point, "" when none */
	const char *if_none_match;   /* the If-None-Match header, "" when none */
	const char *cookie;          /* the Cookie header, "" when none */
	int session_cookie;          /* 1 when "X-Kiln-Session: cookie" (auth.h) */
	int https;                   /* 1 when the client came over TLS (HTTPS=on) */
	char request_id[REQ_ID_MAX + 1];

	/* filled by the dispatcher */
	const struct route *route;
	struct req_param params[REQ_MAX_PARAMS];
	size_t nparams;
	char *body; /* NUL-terminated copy of the body, or NULL */
	size_t body_len;
	json_t *json;             /* parsed body for RF_JSON_BODY routes (freed with the arena) */
	struct upload *upload;    /* RF_UPLOAD routes: the multipart body read (arena), or NULL */
	int64_t user_id;          /* authenticated principal, 0 for none */
	unsigned role_bit;        /* enum role_bit of the principal, 0 for none */
	const char *role;         /* "user", "admin", ... ("" for none) */
	int64_t api_key_id;       /* when authenticated by X-API-Key, else 0 */
	char fam[40];             /* refresh family of a bearer session, "" for none */
	int idem_claimed;         /* an Idempotency-Key was claimed for this request */
	struct db_res *principal; /* the user's row (bearer auth), arena-owned */
	struct req_job_head job;  /* RF_READS_JOB: job {id} as authentication read it */

	/* the response */
	int status;
	const char *headers[REQ_MAX_HEADERS]; /* "Name: value" lines, arena-owned */
	size_t nheaders;
	const char *body_type; /* Content-Type */
	char *resp_body;       /* arena-owned */
	size_t resp_len;
	int responded; /* 1 once a response is set */
	int streamed;  /* 1 when the handler wrote the response itself (RF_STREAM) */
};

/* Initialises req from CGI variables envp ("KEY=VALUE", NULL-terminated).
 * All strings are copied into arena. Unknown or absent variables become "".
 * A missing or bad X-Request-ID gets a fresh random id. */
void request_init(struct request *req, struct arena *arena, struct app *app,
		  const struct req_io *io, char *const *envp);

/* Value of a query parameter (first occurrence, percent-decoded, arena-owned)
 * or NULL when absent. */
const char *request_query(struct request *req, const char *name);

/* 1 when the Content-Type is application/x-www-form-urlencoded. */
int request_is_form(const struct request *req);
/* 1 when the Content-Type is multipart/form-data. */
int request_is_multipart(const struct request *req);

/* Value of a field of an application/x-www-form-urlencoded body, decoded
 * (arena-owned), or NULL when absent or when the body is not a form. */
const char *request_form(struct request *req, const char *name);

/* Adds a response header line "name: value" (copied). */
void request_add_header(struct request *req, const char *name, const char *value);

#endif
