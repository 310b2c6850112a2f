/* SPDX-License-Identifier: MIT */
/* request.c: CGI variables into struct request (see request.h). */
#include "request.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "parse.h"

static const char *
request_env(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static const char *
request_env_dup(struct request *req, char *const *envp, const char *name)
{
	const char *v = request_env(envp, name);

	return v ? arena_strdup(req->arena, v) : "";
}

/* An incoming request id is echoed only when short and plain. */
static int
request_id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > REQ_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* A fresh 128-bit request id in hex. Random bytes come from a per-process
 * pool refilled 256 ids at a time, saving a getrandom() per request. The
 * pool starts empty, so processes forked from one that never used it (the
 * kiln-api master) never share ids. */
static void
request_new_id(char out[REQ_ID_MAX + 1])
{
	static unsigned char pool[16 * 256];
	static size_t used = sizeof(pool);

	if (used + 16 > sizeof(pool)) {
		crypto_random(pool, sizeof(pool));
		used = 0;
	}
	crypto_hex(pool + used, 16, out);
	used += 16;
}

void
request_init(struct request *req, struct arena *arena, struct app *app, const struct req_io *io,
	     char *const *envp)
{
	const char *uri, *q, *cl, *rid;

	memset(req, 0, sizeof(*req));
	req->arena = arena;
	req->app = app;
	if (io != NULL)
		req->io = *io;
	clock_gettime(CLOCK_MONOTONIC, &req->start);
	req->method = request_env_dup(req, envp, "REQUEST_METHOD");
	uri = request_env(envp, "REQUEST_URI");
	if (uri == NULL)
		uri = "";
	if ((q = strchr(uri, '?')) != NULL) {
		req->path = arena_strndup(arena, uri, (size_t)(q - uri));
		req->query = arena_strdup(arena, q + 1);
	} else {
		req->path = arena_strdup(arena, uri);
		req->query = "";
	}
	req->content_type = request_env_dup(req, envp, "CONTENT_TYPE");
	req->content_length = -1;
	cl = request_env(envp, "CONTENT_LENGTH");
	if (cl != NULL && cl[0] != '\0' &&
	    parse_i64(cl, 0, INT64_MAX, &req->content_length) != KILN_OK)
		req->content_length = -2; /* malformed: the dispatcher answers 400 */
	req->authorization = request_env_dup(req, envp, "HTTP_AUTHORIZATION");
	req->api_key = request_env_dup(req, envp, "HTTP_X_API_KEY");
	req->accept = request_env_dup(req, envp, "HTTP_ACCEPT");
	req->remote_addr = request_env_dup(req, envp, "REMOTE_ADDR");
	/* NULL when the header is absent; "" when it came empty (refused) */
	{
		const char *k = request_env(envp, "HTTP_IDEMPOTENCY_KEY");

		req->idempotency_key = k != NULL ? arena_strdup(arena, k) : NULL;
	}
	req->last_event_id = request_env_dup(req, envp, "HTTP_LAST_EVENT_ID");
	req->if_none_match = request_env_dup(req, envp, "HTTP_IF_NONE_MATCH");
	req->cookie = request_env_dup(req, envp, "HTTP_COOKIE");
	rid = request_env(envp, "HTTP_X_KILN_SESSION");
	req->session_cookie = rid != NULL && strcmp(rid, "cookie") == 0;
	rid = request_env(envp, "HTTPS");
	req->https = rid != NULL && strcasecmp(rid, "on") == 0;
	rid = request_env(envp, "HTTP_X_REQUEST_ID");
	if (rid != NULL && request_id_ok(rid)) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", rid);
	} else {
		request_new_id(req->request_id);
	}
	req->role = "";
	req->status = 0;
}

static int
request_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes n bytes of s ('+' is a space) into the arena. NUL bytes
 * and malformed escapes are dropped from the result. */
static char *
request_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < n ? request_hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? request_hexval(s[i + 2]) : -1;

			if (hi >= 0 && lo >= 0) {
				if ((hi | lo) != 0)
					*o++ = (char)(hi * 16 + lo);
				i += 2;
			}
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* First value of name in an urlencoded "a=1&b=2" string p. */
static const char *
request_kv(struct request *req, const char *p, const char *name)
{
	size_t nlen = strlen(name);

	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;

		if ((size_t)(kend - p) == nlen && memcmp(p, name, nlen) == 0)
			return eq ? request_decode(req->arena, eq + 1, (size_t)(end - eq - 1)) : "";
		p = amp ? amp + 1 : end;
	}
	return NULL;
}

const char *
request_query(struct request *req, const char *name)
{
	return request_kv(req, req->query, name);
}

int
request_is_form(const struct request *req)
{
	static const char form[] = "application/x-www-form-urlencoded";
	const char *ct = req->content_type;

	return strncasecmp(ct, form, sizeof(form) - 1) == 0 &&
	       (ct[sizeof(form) - 1] == '\0' || ct[sizeof(form) - 1] == ';');
}

int
request_is_multipart(const struct request *req)
{
	static const char mp[] = "multipart/form-data";
	const char *ct = req->content_type;

	return strncasecmp(ct, mp, sizeof(mp) - 1) == 0 &&
	       (ct[sizeof(mp) - 1] == '\0' || ct[sizeof(mp) - 1] == ';' ||
		ct[sizeof(mp) - 1] == ' ');
}

const char *
request_form(struct request *req, const char *name)
{
	if (req->body == NULL || !request_is_form(req))
		return NULL;
	return request_kv(req, req->body, name);
}

void
request_add_header(struct request *req, const char *name, const char *value)
{
	size_t n;
	char *line;

	if (req->nheaders >= REQ_MAX_HEADERS)
		return;
	n = strlen(name) + 2 + strlen(value) + 1;
	line = arena_alloc(req->arena, n);
	snprintf(line, n, "%s: %s", name, value);
	req->headers[req->nheaders++] = line;
}
