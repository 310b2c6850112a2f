/* SPDX-License-Identifier: MIT */
/* t_router.c: fcgi/router.c path matching against a local table (params,
 * ids, 404/405/400 and the Allow list), and invariants of THE route
 * table in routes.c. The pipeline itself is in t_dispatch.c. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "router.h"
#include "suites.h"

static enum kiln_err
h_dummy(struct request *req)
{
	(void)req;
	return KILN_OK;
}

// clang-format off
static const struct route t_routes[] = {
	{"GET",    "/api/v1/jobs",              h_dummy, 0,            ROLES_ANY, BODY_NONE,    "list"},
	{"POST",   "/api/v1/jobs",              h_dummy, RF_JSON_BODY, ROLES_ANY, BODY_DEFAULT, "create"},
	{"GET",    "/api/v1/jobs/{id}",         h_dummy, 0,            ROLES_ANY, BODY_NONE,    "get"},
	{"DELETE", "/api/v1/jobs/{id}",         h_dummy, 0,            ROLES_ANY, BODY_NONE,    "cancel"},
	{"GET",    "/api/v1/jobs/{id}/logs",    h_dummy, 0,            ROLES_ANY, BODY_NONE,    "logs"},
	{"GET",    "/api/v1/users/{user_id}/x", h_dummy, 0,            ROLES_ANY, BODY_NONE,    "user x"},
	{"GET",    "/api/v1/files/{name}",      h_dummy, 0,            ROLES_ANY, BODY_NONE,    "file"},
};
// clang-format on
#define T_NROUTES (sizeof(t_routes) / sizeof(t_routes[0]))

static struct arena *arena;
static const struct route *matched;
static struct req_param params[REQ_MAX_PARAMS];
static size_t nparams;
static char allow[128];

static enum kiln_err
match(const char *method, const char *path)
{
	matched = NULL;
	nparams = 99;
	memset(params, 0, sizeof(params));
	memcpy(allow, "junk", 5); /* route_match must clear it */
	return route_match(t_routes, T_NROUTES, arena, method, path, &matched, params, &nparams,
			   allow, sizeof(allow));
}

static int
setup(void)
{
	arena = arena_new();
	return arena == NULL;
}

static int
teardown(void)
{
	arena_free(arena);
	arena = NULL;
	return 0;
}

static void
t_router_exact(void)
{
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/jobs"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[0]);
	CU_ASSERT_EQUAL(nparams, 0);
	CU_ASSERT_EQUAL_FATAL(match("POST", "/api/v1/jobs"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[1]);
	/* one trailing slash is ignored */
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/jobs/"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[0]);
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/jobs/5/"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[2]);
	/* methods are case-sensitive tokens */
	CU_ASSERT_EQUAL(match("get", "/api/v1/jobs"), KILN_ERR_METHOD);
	arena_reset(arena);
}

static void
t_router_params(void)
{
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/jobs/42"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[2]);
	CU_ASSERT_EQUAL_FATAL(nparams, 1);
	CU_ASSERT_STRING_EQUAL(params[0].name, "id");
	CU_ASSERT_STRING_EQUAL(params[0].value, "42");
	CU_ASSERT(params[0].id == 42);
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/jobs/9223372036854775807/logs"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[4]);
	CU_ASSERT_EQUAL_FATAL(nparams, 1);
	CU_ASSERT(params[0].id == INT64_MAX);
	CU_ASSERT_EQUAL_FATAL(match("DELETE", "/api/v1/jobs/7"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[3]);
	CU_ASSERT(params[0].id == 7);
	/* a name ending in _id is numeric too */
	CU_ASSERT_EQUAL_FATAL(match("GET", "/api/v1/users/3/x"), KILN_OK);
	CU_ASSERT_PTR_EQUAL(matched, &t_routes[5]);
	CU_ASSERT_STRING_EQUAL(params[0].name, "user_id");
	CU_ASSERT(params[0].id == 3);
	CU_ASSERT_EQUAL(match("GET", "/api/v1/users/abc/x"), KILN_ERR_NOT_FOUND);
	arena_reset(arena);
}

static void
t_router_bad_ids(void)
{
	// clang-format off
	static const char *const bad[] = {
		"/api/v1/jobs/abc", "/api/v1/jobs/0", "/api/v1/jobs/-1",
		"/api/v1/jobs/+1", "/api/v1/jobs/1x", "/api/v1/jobs/0x10",
		"/api/v1/jobs/9223372036854775808", "/api/v1/jobs/99999999999999999999999",
		"/api/v1/jobs/1.0", "/api/v1/jobs/abc/logs", "/api/v1/jobs/0/logs",
	};
	// clang-format on
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum kiln_err rc = match("GET", bad[i]);

		CU_ASSERT_EQUAL(rc, KILN_ERR_NOT_FOUND);
		if (rc != KILN_ERR_NOT_FOUND)
			fprintf(stderr, "\n  GET %s gave %d, want NOT_FOUND\n", bad[i], (int)rc);
	}
	/* and they are not a 405 for the other methods on that pattern */
	CU_ASSERT_EQUAL(match("DELETE", "/api/v1/jobs/abc"), KILN_ERR_NOT_FOUND);
	arena_reset(arena);
}

static void
t_router_name_param(void)
{
	static const char *const names[] = {"report.pdf", "a", "x-y_z~1", "0", "-1", "%41"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/api/v1/files/%s", names[i]);
		CU_ASSERT_EQUAL_FATAL(match("GET", path), KILN_OK);
		CU_ASSERT_PTR_EQUAL(matched, &t_routes[6]);
		CU_ASSERT_EQUAL_FATAL(nparams, 1);
		CU_ASSERT_STRING_EQUAL(params[0].name, "name");
		CU_ASSERT_STRING_EQUAL(params[0].value, names[i]);
		CU_ASSERT(params[0].id == 0);
	}
	/* empty segment: "/api/v1/files/" is "/api/v1/files", which has no route */
	CU_ASSERT_EQUAL(match("GET", "/api/v1/files/"), KILN_ERR_NOT_FOUND);
	CU_ASSERT_EQUAL(match("GET", "/api/v1/files/a/b"), KILN_ERR_NOT_FOUND);
	arena_reset(arena);
}

static void
t_router_not_found(void)
{
	static const char *const paths[] = {"/",
					    "/api",
					    "/api/v1",
					    "/api/v1/job",
					    "/api/v1/jobsx",
					    "/api/v2/jobs",
					    "/API/v1/jobs",
					    "/api/v1/jobs/1/log",
					    "/api/v1/jobs/1/logs/x",
					    "/api/v1/users/1"};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		enum kiln_err rc = match("GET", paths[i]);

		CU_ASSERT_EQUAL(rc, KILN_ERR_NOT_FOUND);
		CU_ASSERT_PTR_NULL(matched);
		CU_ASSERT_STRING_EQUAL(allow, "");
		if (rc != KILN_ERR_NOT_FOUND)
			fprintf(stderr, "\n  GET %s gave %d, want NOT_FOUND\n", paths[i], (int)rc);
	}
	CU_ASSERT_EQUAL(route_match(t_routes, 0, arena, "GET", "/api/v1/jobs", &matched, params,
				    &nparams, allow, sizeof(allow)),
			KILN_ERR_NOT_FOUND);
	arena_reset(arena);
}

static void
t_router_method(void)
{
	CU_ASSERT_EQUAL(match("DELETE", "/api/v1/jobs"), KILN_ERR_METHOD);
	CU_ASSERT_STRING_EQUAL(allow, "GET, POST");
	CU_ASSERT_PTR_NULL(matched);
	CU_ASSERT_EQUAL(match("PUT", "/api/v1/jobs/"), KILN_ERR_METHOD);
	CU_ASSERT_STRING_EQUAL(allow, "GET, POST");
	CU_ASSERT_EQUAL(match("POST", "/api/v1/jobs/12"), KILN_ERR_METHOD);
	CU_ASSERT_STRING_EQUAL(allow, "GET, DELETE");
	CU_ASSERT_EQUAL(match("POST", "/api/v1/jobs/12/logs"), KILN_ERR_METHOD);
	CU_ASSERT_STRING_EQUAL(allow, "GET");
	/* a too-small buffer is truncated, never overrun */
	{
		char small[6];

		memset(small, 'Z', sizeof(small));
		CU_ASSERT_EQUAL(route_match(t_routes, T_NROUTES, arena, "PUT", "/api/v1/jobs/1",
					    &matched, params, &nparams, small, sizeof(small)),
				KILN_ERR_METHOD);
		CU_ASSERT(memchr(small, '\0', sizeof(small)) != NULL);
		CU_ASSERT_EQUAL(strncmp(small, "GET", 3), 0);
	}
	arena_reset(arena);
}

static void
t_router_bad_paths(void)
{
	// clang-format off
	static const char *const bad[] = {
		"", "api", "api/v1/jobs", "/api/v1/../x", "/api/./v1",
		"//api", "/api//v1", "/api/v1/jobs//", "/api/v1/jobs/.", "/api/v1/jobs/..",
		"/..", "/.", "/api/v1/\x01", "/api/v1/jobs\x7f", "/api/v1/a b",
		"/api/v1/\xc3\xa9", "/api/v1/jobs\t", "/api/v1/jobs\"", "/api/v1/<x>",
		"/api/v1/a\\b", "/api/v1/jobs?x", "/api/v1/jobs#f",
	};
	// clang-format on
	static char longp[REQ_MAX_PATH + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum kiln_err rc = match("GET", bad[i]);

		CU_ASSERT_EQUAL(rc, KILN_ERR_BAD_REQUEST);
		if (rc != KILN_ERR_BAD_REQUEST)
			fprintf(stderr, "\n  GET \"%s\" gave %d, want BAD_REQUEST\n", bad[i],
				(int)rc);
	}
	/* over-long: one byte past REQ_MAX_PATH */
	memset(longp, 'a', REQ_MAX_PATH + 1);
	longp[0] = '/';
	longp[REQ_MAX_PATH + 1] = '\0';
	CU_ASSERT_EQUAL(match("GET", longp), KILN_ERR_BAD_REQUEST);
	/* exactly REQ_MAX_PATH is well-formed, just unknown */
	longp[REQ_MAX_PATH] = '\0';
	CU_ASSERT_EQUAL(match("GET", longp), KILN_ERR_NOT_FOUND);
	/* dots inside a segment are fine */
	CU_ASSERT_EQUAL(match("GET", "/api/v1/files/...x"), KILN_OK);
	CU_ASSERT_EQUAL(match("GET", "/api/v1/files/..."), KILN_OK);
	arena_reset(arena);
}

static int
is_method(const char *m)
{
	static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(m, ok[i]) == 0)
			return 1;
	return 0;
}

static void
t_router_the_table(void)
{
	size_t i, j;

	CU_ASSERT_FATAL(route_count > 0);
	for (i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];

		CU_ASSERT_PTR_NOT_NULL_FATAL(r->method);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->pattern);
		CU_ASSERT(strncmp(r->pattern, "/api/v1/", 8) == 0);
		CU_ASSERT(is_method(r->method));
		CU_ASSERT_PTR_NOT_NULL(r->handler);
		CU_ASSERT(r->summary != NULL && r->summary[0] != '\0');
		CU_ASSERT(r->max_body >= BODY_UPLOAD);
		/* only upload routes stream their body, and they say so */
		CU_ASSERT((r->max_body == BODY_UPLOAD) == ((r->flags & RF_UPLOAD) != 0));
		/* a training route knows the job's kind from the head */
		if (r->flags & RF_TRAINING_JOB) {
			CU_ASSERT(r->flags & RF_READS_JOB);
		}
		/* protected routes must say who may call them */
		if (!(r->flags & RF_NOAUTH)) {
			CU_ASSERT(r->roles != 0);
		}
		if (strncmp(r->pattern, "/api/v1/", 8) != 0 || !is_method(r->method) ||
		    r->handler == NULL || r->summary == NULL || r->summary[0] == '\0')
			fprintf(stderr, "\n  bad route table entry: %s %s\n", r->method,
				r->pattern);
		for (j = i + 1; j < route_count; j++) {
			int same = strcmp(r->method, route_table[j].method) == 0 &&
				   strcmp(r->pattern, route_table[j].pattern) == 0;

			CU_ASSERT_FALSE(same);
			if (same)
				fprintf(stderr, "\n  duplicate route: %s %s\n", r->method,
					r->pattern);
		}
	}
}

/* Every route in THE table is reachable through route_match. */
static void
t_router_the_table_reachable(void)
{
	size_t i;

	for (i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];
		char path[REQ_MAX_PATH + 1];
		size_t o = 0;
		const char *p;

		for (p = r->pattern; *p != '\0' && o + 2 < sizeof(path); p++) {
			if (*p == '{') {
				const char *end = strchr(p, '}');

				CU_ASSERT_PTR_NOT_NULL_FATAL(end);
				path[o++] = '1'; /* valid for ids and names alike */
				p = end;
				continue;
			}
			path[o++] = *p;
		}
		path[o] = '\0';
		CU_ASSERT_EQUAL(route_match(route_table, route_count, arena, r->method, path,
					    &matched, params, &nparams, allow, sizeof(allow)),
				KILN_OK);
		CU_ASSERT_PTR_EQUAL(matched, r);
	}
	arena_reset(arena);
}

void
suite_router(void)
{
	CU_pSuite s = CU_add_suite("router", setup, teardown);

	if (s == NULL)
		return;
	CU_add_test(s, "exact match and trailing slash", t_router_exact);
	CU_add_test(s, "params and ids", t_router_params);
	CU_add_test(s, "bad ids are 404", t_router_bad_ids);
	CU_add_test(s, "{name} takes any segment", t_router_name_param);
	CU_add_test(s, "unknown paths are 404", t_router_not_found);
	CU_add_test(s, "wrong method is 405 with Allow", t_router_method);
	CU_add_test(s, "malformed paths are 400", t_router_bad_paths);
	CU_add_test(s, "THE route table is well-formed", t_router_the_table);
	CU_add_test(s, "THE route table is reachable", t_router_the_table_reachable);
}
