/* SPDX-License-Identifier: MIT */
/* t_dispatch.c: the handler tier. Requests are built in memory (CGI
 * variables plus a body buffer), run through route_dispatch_table() with a
 * local route table and sent with resp_send() into a buffer, which is then
 * parsed back: status line, headers, JSON body. No socket, no database. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "parse.h"
#include "response.h"
#include "router.h"
#include "suites.h"

/* The transport: reads serve `in`, writes append to `out`. */
struct tio {
	const char *in;
	size_t inlen, inpos;
	char *out;
	size_t outlen, outcap;
	int fail_write;
};

static long
tio_read(void *ctx, void *buf, size_t n)
{
	struct tio *t = ctx;
	size_t left = t->inlen - t->inpos;

	if (n > left)
		n = left;
	if (n == 0)
		return 0;
	memcpy(buf, t->in + t->inpos, n);
	t->inpos += n;
	return (long)n;
}

static int
tio_write(void *ctx, const void *buf, size_t n)
{
	struct tio *t = ctx;

	if (t->fail_write)
		return -1;
	if (t->outlen + n + 1 > t->outcap) {
		size_t cap = (t->outlen + n + 1) * 2;
		char *p = realloc(t->out, cap);

		if (p == NULL)
			abort();
		t->out = p;
		t->outcap = cap;
	}
	memcpy(t->out + t->outlen, buf, n);
	t->outlen += n;
	t->out[t->outlen] = '\0';
	return 0;
}

static struct tio tio;
static const struct req_io io = {&tio, tio_read, tio_write, NULL};
static struct kiln_config cfg;
static struct app app;
static struct arena *arena;
static struct request req;

/* What the last request looked like from the outside and the inside. */
static int status;           /* from the "Status:" line */
static char head[4096];      /* the header block, "\r\n\r\n" included */
static const char *raw_body; /* into tio.out */
static json_t *body;         /* parsed raw_body */
static int calls;            /* handler invocations */
static int saw_null_json;    /* the echo handler's req->json was NULL */

/* One handler for the local table; the route's summary says what to do. */
static enum kiln_err
h_test(struct request *r)
{
	const char *what = r->route->summary;

	calls++;
	saw_null_json = r->json == NULL;
	if (strcmp(what, "conflict") == 0) /* fails without a response */
		return KILN_ERR_CONFLICT;
	if (strcmp(what, "dbdown") == 0) /* the database is unreachable */
		return KILN_ERR_DB_UNAVAILABLE;
	if (strcmp(what, "silent") == 0) /* succeeds without a response */
		return KILN_OK;
	if (strcmp(what, "secret") == 0) {
		resp_error(r, KILN_ERR_INTERNAL, "secret");
		return KILN_OK;
	}
	if (strcmp(what, "detail") == 0) { /* responds and fails: the response stands */
		resp_error(r, KILN_ERR_CONFLICT, "job already running");
		return KILN_ERR_CONFLICT;
	}
	if (r->json != NULL) { /* echo */
		CU_ASSERT(r->body != NULL && r->body[r->body_len] == '\0');
		resp_json_new(r, 200, json_incref(r->json));
		return KILN_OK;
	}
	resp_json_new(r, 200, json_pack("{s:s}", "method", r->method));
	return KILN_OK;
}

// clang-format off
static const struct route t_routes[] = {
	{"POST",   "/t/json",     h_test, RF_NOAUTH | RF_JSON_BODY, 0,         BODY_DEFAULT, "echo"},
	{"GET",    "/t/get",      h_test, RF_NOAUTH,                0,         BODY_NONE,    "no body"},
	{"DELETE", "/t/get",      h_test, RF_NOAUTH,                0,         BODY_NONE,    "no body"},
	{"GET",    "/t/private",  h_test, 0,                        ROLES_ANY, BODY_NONE,    "protected"},
	{"POST",   "/t/private",  h_test, RF_JSON_BODY,             ROLES_ANY, BODY_DEFAULT, "protected"},
	{"POST",   "/t/conflict", h_test, RF_NOAUTH,                0,         BODY_DEFAULT, "conflict"},
	{"POST",   "/t/silent",   h_test, RF_NOAUTH,                0,         BODY_DEFAULT, "silent"},
	{"GET",    "/t/secret",   h_test, RF_NOAUTH,                0,         BODY_NONE,    "secret"},
	{"GET",    "/t/detail",   h_test, RF_NOAUTH,                0,         BODY_NONE,    "detail"},
	{"GET",    "/t/dbdown",   h_test, RF_NOAUTH,                0,         BODY_NONE,    "dbdown"},
};
// clang-format on
#define T_NROUTES (sizeof(t_routes) / sizeof(t_routes[0]))

/* Builds a request without dispatching it. Each of method, uri, ctype
 * (Content-Type), clen (Content-Length) and extra ("KEY=VALUE") becomes a
 * CGI variable unless NULL; in is the body the transport serves. */
static void
build(const char *method, const char *uri, const char *ctype, const char *clen, const char *extra,
      const char *in, size_t inlen)
{
	const char *keys[] = {"REQUEST_METHOD", "REQUEST_URI", "CONTENT_TYPE", "CONTENT_LENGTH"};
	const char *vals[] = {method, uri, ctype, clen};
	char *envp[6];
	size_t i, n = 0;

	arena_reset(arena);
	for (i = 0; i < 4; i++) {
		size_t len;

		if (vals[i] == NULL)
			continue;
		len = strlen(keys[i]) + strlen(vals[i]) + 2;
		envp[n] = arena_alloc(arena, len);
		snprintf(envp[n++], len, "%s=%s", keys[i], vals[i]);
	}
	if (extra != NULL)
		envp[n++] = arena_strdup(arena, extra);
	envp[n] = NULL;
	tio.in = in;
	tio.inlen = inlen;
	tio.inpos = 0;
	tio.outlen = 0;
	tio.fail_write = 0;
	calls = 0;
	saw_null_json = -1;
	request_init(&req, arena, &app, &io, envp);
}

/* Builds, dispatches, sends and parses the reply; returns the status. */
static int
run(const char *method, const char *uri, const char *ctype, const char *clen, const char *extra,
    const char *in, size_t inlen)
{
	const char *end;
	json_error_t jerr;
	int64_t code;
	char cl[64];

	json_decref(body);
	body = NULL;
	status = 0;
	head[0] = '\0';
	raw_body = "";
	build(method, uri, ctype, clen, extra, in, inlen);
	route_dispatch_table(&req, t_routes, T_NROUTES);
	CU_ASSERT_EQUAL_FATAL(resp_send(&req), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tio.out);
	CU_ASSERT_FATAL(tio.outlen > 12 && strncmp(tio.out, "Status: ", 8) == 0);
	CU_ASSERT_FATAL(parse_i64n(tio.out + 8, 3, 100, 599, &code) == KILN_OK);
	CU_ASSERT_FATAL(tio.out[11] == ' ');
	status = (int)code;
	end = strstr(tio.out, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_FATAL((size_t)(end + 4 - tio.out) < sizeof(head));
	memcpy(head, tio.out, (size_t)(end + 4 - tio.out));
	head[end + 4 - tio.out] = '\0';
	raw_body = end + 4;
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nContent-Type: application/json\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nCache-Control: no-store\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nX-Request-ID: "));
	snprintf(cl, sizeof(cl), "\r\nContent-Length: %zu\r\n", strlen(raw_body));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, cl));
	body = json_loads(raw_body, JSON_REJECT_DUPLICATES, &jerr);
	CU_ASSERT_PTR_NOT_NULL(body);
	return status;
}

/* POST of in to uri as JSON with a matching Content-Length. */
static int
post(const char *uri, const char *ctype, const char *in)
{
	char clen[32];

	snprintf(clen, sizeof(clen), "%zu", strlen(in));
	return run("POST", uri, ctype, clen, NULL, in, strlen(in));
}

static int
get(const char *uri, const char *extra)
{
	return run("GET", uri, NULL, NULL, extra, NULL, 0);
}

/* The status line's full text, e.g. "Status: 404 Not Found\r\n". */
static int
status_line_is(const char *line)
{
	return strncmp(head, line, strlen(line)) == 0;
}

/* The string member key of body, or "" (never NULL, for assertions). */
static const char *
body_str(const char *key)
{
	const char *v = json_string_value(json_object_get(body, key));

	return v != NULL ? v : "";
}

/* Asserts an error body: exactly {"detail": detail, "code": code}. */
static void
expect_error(int want_status, const char *code, const char *detail)
{
	CU_ASSERT_EQUAL(status, want_status);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT(json_is_object(body));
	CU_ASSERT_EQUAL(json_object_size(body), 2);
	CU_ASSERT_STRING_EQUAL(body_str("code"), code);
	if (detail != NULL) {
		CU_ASSERT_STRING_EQUAL(body_str("detail"), detail);
	} else {
		CU_ASSERT(json_is_string(json_object_get(body, "detail")));
	}
	if (status != want_status)
		fprintf(stderr, "\n  got %d %s, want %d %s\n", status, raw_body, want_status, code);
}

#define CT_JSON "application/json"

static void
t_dispatch_not_found(void)
{
	CU_ASSERT_EQUAL(get("/t/nope?x=1", NULL), 404);
	CU_ASSERT(status_line_is("Status: 404 Not Found\r\n"));
	expect_error(404, "not_found", "not found");
	CU_ASSERT_STRING_EQUAL(raw_body, "{\"detail\":\"not found\",\"code\":\"not_found\"}");
	CU_ASSERT_EQUAL(calls, 0);
}

static void
t_dispatch_method(void)
{
	CU_ASSERT_EQUAL(run("POST", "/t/get", NULL, NULL, NULL, NULL, 0), 405);
	CU_ASSERT(status_line_is("Status: 405 Method Not Allowed\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nAllow: GET, DELETE\r\n"));
	expect_error(405, "method_not_allowed", NULL);
	CU_ASSERT_EQUAL(get("/t/json", NULL), 405);
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nAllow: POST\r\n"));
	CU_ASSERT_EQUAL(calls, 0);
}

static void
t_dispatch_bad_path(void)
{
	CU_ASSERT_EQUAL(get("/t/../t/get", NULL), 400);
	expect_error(400, "bad_request", "malformed request path");
	/* no CGI variables at all: an empty path */
	CU_ASSERT_EQUAL(run(NULL, NULL, NULL, NULL, NULL, NULL, 0), 400);
	expect_error(400, "bad_request", NULL);
	CU_ASSERT_EQUAL(calls, 0);
}

static void
t_dispatch_echo(void)
{
	static const char in[] = "{\"a\":[1,2],\"b\":\"c\"}";

	CU_ASSERT_EQUAL(post("/t/json?x=1", CT_JSON, in), 200);
	CU_ASSERT(status_line_is("Status: 200 OK\r\n"));
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_EQUAL(saw_null_json, 0);
	CU_ASSERT_STRING_EQUAL(raw_body, in);
	CU_ASSERT_EQUAL(tio.inpos, strlen(in));
	CU_ASSERT_EQUAL(post("/t/json", "application/json; charset=utf-8", in), 200);
	CU_ASSERT_STRING_EQUAL(raw_body, in);
	CU_ASSERT_EQUAL(post("/t/json/", "Application/JSON", in), 200);
	CU_ASSERT_STRING_EQUAL(raw_body, in);
}

static void
t_dispatch_empty_body(void)
{
	CU_ASSERT_EQUAL(post("/t/json", CT_JSON, ""), 200);
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_EQUAL(saw_null_json, 1);
	/* no (or an empty) Content-Length: nothing is read */
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "", NULL, "{}", 2), 200);
	CU_ASSERT_EQUAL(saw_null_json, 1);
	CU_ASSERT_EQUAL(tio.inpos, 0);
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, NULL, NULL, "{}", 2), 200);
	CU_ASSERT_EQUAL(saw_null_json, 1);
}

static void
t_dispatch_too_large(void)
{
	static char big[50000];

	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[63] = '}';
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "65", NULL, big, 65), 413);
	CU_ASSERT(status_line_is("Status: 413 Payload Too Large\r\n"));
	expect_error(413, "payload_too_large", "request body larger than 64 bytes");
	CU_ASSERT_EQUAL(tio.inpos, 65);
	CU_ASSERT_EQUAL(calls, 0);
	/* drained even when larger than one read */
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "50000", NULL, big, sizeof(big)), 413);
	CU_ASSERT_EQUAL(tio.inpos, sizeof(big));
	CU_ASSERT_EQUAL(run("GET", "/t/get", NULL, "1", NULL, "x", 1), 413);
	expect_error(413, "payload_too_large", "this endpoint takes no request body");
	CU_ASSERT_EQUAL(tio.inpos, 1);
	/* exactly max_body is allowed */
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "64", NULL, big, 64), 200);
	CU_ASSERT_STRING_EQUAL(raw_body, "{}");
}

static void
t_dispatch_bad_length(void)
{
	static const char in[] = "{\"a\":1}";
	static const char *const bad[] = {"abc", "-1", " 7", "7 ", "0x7", "+7"};
	size_t i;

	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "20", NULL, in, 7), 400);
	expect_error(400, "body_truncated", NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, bad[i], NULL, in, 7), 400);
		expect_error(400, "bad_request", "malformed Content-Length");
	}
	CU_ASSERT_EQUAL(calls, 0);
}

static void
t_dispatch_bad_json(void)
{
	CU_ASSERT_EQUAL(post("/t/json", CT_JSON, "{\"a\":1,"), 400);
	expect_error(400, "invalid_json", NULL);
	CU_ASSERT_EQUAL(post("/t/json", CT_JSON, "{\"cost\":1,\"cost\":999999}"), 400);
	expect_error(400, "invalid_json", NULL);
	CU_ASSERT_EQUAL(run("POST", "/t/json", CT_JSON, "9", NULL, "{\"a\":\"\0\"}", 9), 400);
	expect_error(400, "invalid_json", NULL);
	/* invalid UTF-8 must still give a well-formed error body */
	CU_ASSERT_EQUAL(post("/t/json", CT_JSON, "{\"a\":\"\xff\"}"), 400);
	expect_error(400, "invalid_json", NULL);
	CU_ASSERT_EQUAL(post("/t/json", CT_JSON, "[\"\xc3\xa9\xc3\xa9\" x"), 400);
	expect_error(400, "invalid_json", NULL);
	CU_ASSERT_EQUAL(calls, 0);
}

static void
t_dispatch_media_type(void)
{
	CU_ASSERT_EQUAL(post("/t/json", "text/plain", "{}"), 415);
	CU_ASSERT(status_line_is("Status: 415 Unsupported Media Type\r\n"));
	expect_error(415, "unsupported_media_type", NULL);
	CU_ASSERT_EQUAL(post("/t/json", "application/jsonp", "{}"), 415);
	CU_ASSERT_EQUAL(calls, 0);
	/* none at all is JSON (FastAPI's rule): parsed, and bad JSON is 400 */
	CU_ASSERT_EQUAL(post("/t/json", NULL, "{\"a\":"), 400);
	expect_error(400, "invalid_json", NULL);
	CU_ASSERT_EQUAL(calls, 0);
	CU_ASSERT_EQUAL(post("/t/json", NULL, "{}"), 200);
	CU_ASSERT_EQUAL(calls, 1);
}

static void
t_dispatch_handler_outcomes(void)
{
	CU_ASSERT_EQUAL(get("/t/private", NULL), 401);
	expect_error(401, "unauthorized", NULL);
	CU_ASSERT_EQUAL(post("/t/private", CT_JSON, "{}"), 401);
	CU_ASSERT_EQUAL(calls, 0);
	CU_ASSERT_EQUAL(post("/t/conflict", NULL, ""), 409);
	CU_ASSERT(status_line_is("Status: 409 Conflict\r\n"));
	expect_error(409, "conflict", "conflict");
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_EQUAL(post("/t/silent", NULL, ""), 500);
	CU_ASSERT(status_line_is("Status: 500 Internal Server Error\r\n"));
	expect_error(500, "internal_error", "internal server error");
	CU_ASSERT_EQUAL(get("/t/secret", NULL), 500);
	expect_error(500, "internal_error", "internal server error");
	CU_ASSERT_PTR_NULL(strstr(tio.out, "secret"));
	CU_ASSERT_EQUAL(get("/t/detail", NULL), 409);
	expect_error(409, "conflict", "job already running");
	/* DESIGN.md section 3: an outage is exactly this body */
	CU_ASSERT_EQUAL(get("/t/dbdown", NULL), 503);
	CU_ASSERT(status_line_is("Status: 503 Service Unavailable\r\n"));
	expect_error(503, "db_unavailable", "database unavailable");
}

/* 1 when s is exactly 32 lower-case hex digits. */
static int
is_hex32(const char *s, size_t n)
{
	return n == 32 && strspn(s, "0123456789abcdef") >= 32;
}

static void
t_dispatch_request_id(void)
{
	char id[128], first[REQ_ID_MAX + 1];
	const char *p;

	CU_ASSERT_EQUAL(get("/t/get", "HTTP_X_REQUEST_ID=abc-123"), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(head, "\r\nX-Request-ID: abc-123\r\n"));
	CU_ASSERT_EQUAL(get("/t/get", "HTTP_X_REQUEST_ID=bad id!"), 200);
	CU_ASSERT_PTR_NULL(strstr(head, "bad id"));
	CU_ASSERT(is_hex32(req.request_id, strlen(req.request_id)));
	p = strstr(head, "\r\nX-Request-ID: ");
	CU_ASSERT_FATAL(p != NULL);
	p += 16;
	CU_ASSERT(is_hex32(p, strcspn(p, "\r")));
	snprintf(first, sizeof(first), "%s", req.request_id);
	/* REQ_ID_MAX characters are echoed, one more (or 100) are not */
	memcpy(id, "HTTP_X_REQUEST_ID=", 18);
	memset(id + 18, 'a', 100);
	id[18 + REQ_ID_MAX] = '\0';
	CU_ASSERT_EQUAL(get("/t/get", id), 200);
	CU_ASSERT_STRING_EQUAL(req.request_id, id + 18);
	id[18 + REQ_ID_MAX] = 'a';
	id[18 + REQ_ID_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(get("/t/get", id), 200);
	CU_ASSERT(is_hex32(req.request_id, strlen(req.request_id)));
	id[18 + 100] = '\0';
	CU_ASSERT_EQUAL(get("/t/get", id), 200);
	CU_ASSERT(is_hex32(req.request_id, strlen(req.request_id)));
	CU_ASSERT_STRING_NOT_EQUAL(req.request_id, first); /* random, not fixed */
	CU_ASSERT_EQUAL(get("/t/get", "HTTP_X_REQUEST_ID="), 200);
	CU_ASSERT(is_hex32(req.request_id, strlen(req.request_id)));
}

static void
t_dispatch_query(void)
{
	static const char *const want[][2] = {
	    {"a", "Ab/c"}, {"ab", "1"}, {"b", "x y"}, {"flag", ""},
	    {"empty", ""}, {"n", "z"},  {"e", "A"},
	};
	size_t i;

	build("GET", "/t/get?ab=1&a=%41b%2fc&b=x+y&flag&empty=&a=second&n=%00z&e=%41", NULL, NULL,
	      NULL, NULL, 0);
	CU_ASSERT_STRING_EQUAL(req.path, "/t/get");
	CU_ASSERT_STRING_EQUAL(req.method, "GET");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *v = request_query(&req, want[i][0]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT_STRING_EQUAL(v, want[i][1]);
	}
	CU_ASSERT_PTR_NULL(request_query(&req, "missing"));
	CU_ASSERT_PTR_NULL(request_query(&req, "fla"));
	CU_ASSERT_PTR_NULL(request_query(&req, ""));
	/* no query at all */
	build(NULL, "/t/get", NULL, NULL, NULL, NULL, 0);
	CU_ASSERT_STRING_EQUAL(req.query, "");
	CU_ASSERT(req.content_length == -1);
	CU_ASSERT_PTR_NULL(request_query(&req, "a"));
}

static void
t_dispatch_send(void)
{
	build("GET", "/t/get", NULL, NULL, NULL, NULL, 0);
	route_dispatch_table(&req, t_routes, T_NROUTES);
	tio.fail_write = 1;
	CU_ASSERT_EQUAL(resp_send(&req), -1);
	/* resp_send on a request nobody answered says 500, not garbage */
	build("GET", "/t/get", NULL, NULL, NULL, NULL, 0);
	CU_ASSERT_EQUAL(resp_send(&req), 0);
	CU_ASSERT(strncmp(tio.out, "Status: 500 ", 12) == 0);
}

static int
setup(void)
{
	config_defaults(&cfg);
	cfg.max_body = 64;
	app.cfg = &cfg;
	app.db = NULL;
	app.version = "test";
	arena = arena_new();
	return 0;
}

static int
teardown(void)
{
	json_decref(body);
	body = NULL;
	arena_free(arena);
	arena = NULL;
	free(tio.out);
	memset(&tio, 0, sizeof(tio));
	return 0;
}

/* The session-cookie inputs: X-Kiln-Session only as "cookie", HTTPS only
 * as "on" (what nginx's $https sets), the Cookie header as it came. */
static void
t_dispatch_session_inputs(void)
{
	build("POST", "/t/echo", NULL, NULL, "HTTP_X_KILN_SESSION=cookie", "", 0);
	CU_ASSERT_EQUAL(req.session_cookie, 1);
	CU_ASSERT_EQUAL(req.https, 0);
	CU_ASSERT_STRING_EQUAL(req.cookie, "");
	build("POST", "/t/echo", NULL, NULL, "HTTP_X_KILN_SESSION=Cookie ", "", 0);
	CU_ASSERT_EQUAL(req.session_cookie, 0);
	build("POST", "/t/echo", NULL, NULL, "HTTPS=on", "", 0);
	CU_ASSERT_EQUAL(req.https, 1);
	CU_ASSERT_EQUAL(req.session_cookie, 0);
	build("POST", "/t/echo", NULL, NULL, "HTTPS=", "", 0);
	CU_ASSERT_EQUAL(req.https, 0);
	build("POST", "/t/echo", NULL, NULL, "HTTP_COOKIE=a=1; kiln_refresh=x", "", 0);
	CU_ASSERT_STRING_EQUAL(req.cookie, "a=1; kiln_refresh=x");
}

void
suite_dispatch(void)
{
	CU_pSuite s = CU_add_suite("dispatch", setup, teardown);

	if (s == NULL)
		return;
	CU_add_test(s, "404 body is exactly detail+code", t_dispatch_not_found);
	CU_add_test(s, "session cookie inputs from the CGI variables", t_dispatch_session_inputs);
	CU_add_test(s, "405 carries Allow", t_dispatch_method);
	CU_add_test(s, "malformed path is 400", t_dispatch_bad_path);
	CU_add_test(s, "JSON body reaches the handler", t_dispatch_echo);
	CU_add_test(s, "empty body gives req->json NULL", t_dispatch_empty_body);
	CU_add_test(s, "413 and the body is drained", t_dispatch_too_large);
	CU_add_test(s, "truncated or malformed Content-Length", t_dispatch_bad_length);
	CU_add_test(s, "bad JSON is 400", t_dispatch_bad_json);
	CU_add_test(s, "wrong Content-Type is 415; none is JSON", t_dispatch_media_type);
	CU_add_test(s, "auth, handler errors, 5xx details", t_dispatch_handler_outcomes);
	CU_add_test(s, "X-Request-ID echo and replacement", t_dispatch_request_id);
	CU_add_test(s, "request_query decoding", t_dispatch_query);
	CU_add_test(s, "resp_send errors and defaults", t_dispatch_send);
}
