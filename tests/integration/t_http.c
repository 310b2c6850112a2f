/* SPDX-License-Identifier: MIT */
/* t_http.c: the request core through real nginx -> kiln-api -> MariaDB:
 * health, error bodies, 404/405/413/400, trailing slashes, request ids,
 * and the OpenAPI document nginx serves. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"

/* Asserts body is exactly {"detail": <string>, "code": code}. */
static void
assert_error_body(const struct it_resp *r, const char *code)
{
	json_t *j = it_json(r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_object_size(j), 2);
	CU_ASSERT(json_is_string(json_object_get(j, "detail")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "code")), code);
	json_decref(j);
}

static void
test_health_ok(void)
{
	struct it_resp r;
	char buf[256];
	json_t *j;

	CU_ASSERT_EQUAL_FATAL(it_http("GET", "/api/v1/health", NULL, NULL, 0, NULL, 0, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Content-Type", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "application/json");
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Cache-Control", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "no-store");
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "X-Request-ID", buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strlen(buf), 32);
	j = it_json(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "status")), "ok");
	CU_ASSERT(json_is_true(json_object_get(j, "database")));
	CU_ASSERT(json_is_string(json_object_get(j, "version")));
	/* the scheduler's part (t_run.c checks the values) */
	CU_ASSERT(json_is_integer(json_object_get(j, "nodes_online")));
	CU_ASSERT(json_is_null(json_object_get(j, "scheduler_last_tick_seconds")) ||
		  json_is_real(json_object_get(j, "scheduler_last_tick_seconds")));
	json_decref(j);
	it_resp_free(&r);
}

static void
test_trailing_slash(void)
{
	CU_ASSERT_EQUAL(it_get_status("/api/v1/health/"), 200);
	CU_ASSERT_EQUAL(it_get_status("/api/v1/health?x=1"), 200);
	CU_ASSERT_EQUAL(it_get_status("/api/v1/health//"), 400);
}

static void
test_request_id(void)
{
	const char *good[] = {"X-Request-ID: trace-42.a_b", NULL};
	const char *bad[] = {"X-Request-ID: no spaces <allowed>", NULL};
	struct it_resp r;
	char buf[256];

	it_http("GET", "/api/v1/health", NULL, NULL, 0, good, 0, &r);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "X-Request-ID", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "trace-42.a_b");
	it_resp_free(&r);
	it_http("GET", "/api/v1/health", NULL, NULL, 0, bad, 0, &r);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "X-Request-ID", buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strlen(buf), 32);
	CU_ASSERT(strstr(buf, "spaces") == NULL);
	it_resp_free(&r);
}

static void
test_not_found(void)
{
	static const char *const paths[] = {"/api/v1/nope", "/api/v1/health/extra",
					    "/api/v2/health", "/api/v1/HEALTH"};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct it_resp r;

		it_http("GET", paths[i], NULL, NULL, 0, NULL, 0, &r);
		CU_ASSERT_EQUAL(r.status, 404);
		assert_error_body(&r, "not_found");
		it_resp_free(&r);
	}
}

static void
test_method_not_allowed(void)
{
	static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct it_resp r;
		char buf[128];

		it_http(methods[i], "/api/v1/health", NULL, NULL, 0, NULL, 0, &r);
		CU_ASSERT_EQUAL(r.status, 405);
		CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Allow", buf, sizeof(buf)));
		CU_ASSERT_STRING_EQUAL(buf, "GET");
		assert_error_body(&r, "method_not_allowed");
		it_resp_free(&r);
	}
}

static void
test_too_large(void)
{
	/* the test stack caps kiln-api at 64 KiB and nginx at 2 MiB */
	size_t small = 100 * 1024, huge = 3 * 1024 * 1024;
	char *body = malloc(huge);
	struct it_resp r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	memset(body, 'x', huge);
	/* a body on a route that takes none: kiln-api answers, after draining */
	it_http("GET", "/api/v1/health", "application/json", body, small, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 413);
	assert_error_body(&r, "payload_too_large");
	it_resp_free(&r);
	/* beyond nginx's cap: nginx answers, in the same JSON shape */
	it_http("POST", "/api/v1/health", "application/json", body, huge, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 413);
	assert_error_body(&r, "payload_too_large");
	it_resp_free(&r);
	free(body);
	/* and the worker that drained is healthy */
	CU_ASSERT_EQUAL(it_get_status("/api/v1/health"), 200);
}

static void
test_bad_path(void)
{
	static const char *const paths[] = {"/api/v1/../v1/health", "/api/v1/./health",
					    "/api/v1/health/%00", "/api/v1/health/%2e%2e"};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct it_resp r;

		it_http("GET", paths[i], NULL, NULL, 0, NULL, 1, &r);
		/* nginx may reject some of these itself; kiln never serves
		 * them, and either answers in the error shape */
		CU_ASSERT(r.status == 400 || r.status == 404);
		assert_error_body(&r, r.status == 400 ? "bad_request" : "not_found");
		if (i < 2)
			CU_ASSERT_EQUAL(r.status, 400);
		it_resp_free(&r);
	}
}

/* Requests nginx refuses itself, before kiln-api sees them, and paths it
 * has no file for: kiln's JSON error shape, a request id, never HTML. */
static void
test_nginx_errors_json(void)
{
	const char *big_header[] = {NULL, NULL};
	const char *const gzip_te[] = {"Transfer-Encoding: gzip", NULL};
	struct {
		const char *method, *path;
		const char *const *extra;
		long status;
		const char *code;
	} cases[] = {
	    {"TRACE", "/api/v1/health", NULL, 405, "method_not_allowed"},
	    {"GET", "/api/v1/jobs/%00", NULL, 400, "bad_request"},
	    {"GET", NULL, NULL, 414, "uri_too_long"},
	    {"GET", "/api/v1/health", big_header, 400, "headers_too_large"},
	    {"POST", "/api/v1/jobs", gzip_te, 501, "not_implemented"},
	    {"PUT", "/index.html", NULL, 405, "method_not_allowed"},
	    {"GET", "/docs/no-such-file", NULL, 404, "not_found"},
	    {"GET", "/_kiln_error/400", NULL, 404, "not_found"},
	    {"GET", "/_kiln_files/1/out.txt", NULL, 404, "not_found"},
	};
	size_t long_n = 20000, big_n = 20000, i;
	char *long_path = malloc(long_n + 1), *header = malloc(big_n + 1);
	char ctype[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(long_path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(header);
	memcpy(long_path, "/api/v1/", 8);
	memset(long_path + 8, 'a', long_n - 8);
	long_path[long_n] = '\0';
	memcpy(header, "X-Big: ", 7);
	memset(header + 7, 'a', big_n - 7);
	header[big_n] = '\0';
	cases[2].path = long_path;
	big_header[0] = header;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct it_resp r;

		it_http(cases[i].method, cases[i].path,
			cases[i].extra == gzip_te ? "text/plain" : NULL,
			cases[i].extra == gzip_te ? "x" : NULL, cases[i].extra == gzip_te ? 1 : 0,
			cases[i].extra, 1, &r);
		CU_ASSERT_EQUAL(r.status, cases[i].status);
		CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Content-Type", ctype, sizeof(ctype)));
		CU_ASSERT_STRING_EQUAL(ctype, "application/json");
		assert_error_body(&r, cases[i].code);
		CU_ASSERT_EQUAL(it_header_count(&r, "X-Request-ID"), 1);
		it_resp_free(&r);
	}
	free(header);
	free(long_path);
}

/* 1 when nginx's access log holds needle. */
static int
access_log_has(const char *needle)
{
	char path[4096], line[8192];
	FILE *f = fopen(it_path("log/nginx-access.log", path, sizeof(path)), "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static int
access_log_cond(void *needle)
{
	return access_log_has(needle);
}

/* nginx logs each request without its query string: a password sent as
 * ?password= (a documented sign-in shape) and a signed link's sig are
 * credentials, and never land in the log; the path and the request id the
 * client got do. */
static void
test_access_log_no_query(void)
{
	static const char *const login_id[] = {"X-Request-ID: log-probe-login", NULL};
	static const char *const link_id[] = {"X-Request-ID: log-probe-link", NULL};
	char login_seen[] = "log-probe-login", link_seen[] = "log-probe-link";
	struct it_resp r;

	it_http("POST", "/api/v1/auth/login?email=probe@example.com&password=Pw-in-query-9137",
		NULL, NULL, 0, login_id, 0, &r);
	CU_ASSERT_EQUAL(r.status, 401);
	it_resp_free(&r);
	it_http("GET", "/api/v1/files/jobs/1/logs?expires=1&sig=Sig-in-query-5521", NULL, NULL, 0,
		link_id, 0, &r);
	it_resp_free(&r);
	CU_ASSERT(it_wait(5000, access_log_cond, login_seen));
	CU_ASSERT(it_wait(5000, access_log_cond, link_seen));
	CU_ASSERT(access_log_has("\"POST /api/v1/auth/login HTTP/1.1\" 401 "));
	CU_ASSERT(access_log_has("\"GET /api/v1/files/jobs/1/logs HTTP/1.1\""));
	CU_ASSERT(!access_log_has("Pw-in-query-9137"));
	CU_ASSERT(!access_log_has("Sig-in-query-5521"));
	CU_ASSERT(!access_log_has("probe@example.com"));
}

static void
test_openapi_served(void)
{
	struct it_resp r;
	json_t *j, *paths;

	it_http("GET", "/api/v1/openapi.json", NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	j = it_json(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(strncmp(json_string_value(json_object_get(j, "openapi")), "3.1", 3) == 0);
	paths = json_object_get(j, "paths");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(paths, "/api/v1/health"));
	json_decref(j);
	/* nginx's answer carries a request id too, once; kiln-api's keep theirs */
	CU_ASSERT_EQUAL(it_header_count(&r, "X-Request-ID"), 1);
	it_resp_free(&r);
	it_http("GET", "/api/v1/health", NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(it_header_count(&r, "X-Request-ID"), 1);
	it_resp_free(&r);
	/* like every route, with a trailing slash */
	CU_ASSERT_EQUAL(it_get_status("/api/v1/openapi.json/"), 200);
}

void
suite_http(void)
{
	CU_pSuite s = CU_add_suite("http", NULL, NULL);

	CU_add_test(s, "health answers 200 with the database up", test_health_ok);
	CU_add_test(s, "a trailing slash is accepted, an empty segment is not",
		    test_trailing_slash);
	CU_add_test(s, "X-Request-ID is echoed when sane, replaced otherwise", test_request_id);
	CU_add_test(s, "unknown paths give 404 in the error shape", test_not_found);
	CU_add_test(s, "wrong methods give 405 with Allow", test_method_not_allowed);
	CU_add_test(s, "bodies over the caps give 413 from kiln-api and nginx", test_too_large);
	CU_add_test(s, "dot segments give 400", test_bad_path);
	CU_add_test(s, "nginx's own refusals answer in the JSON error shape",
		    test_nginx_errors_json);
	CU_add_test(s, "nginx's access log leaves out query strings (passwords, signatures)",
		    test_access_log_no_query);
	CU_add_test(s, "nginx serves /api/v1/openapi.json", test_openapi_served);
}
