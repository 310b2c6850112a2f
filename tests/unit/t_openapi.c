/* SPDX-License-Identifier: MIT */
/* t_openapi.c: docs/openapi.json and THE route table must describe the
 * same API: every route documented, every documented operation routed
 * (except those nginx serves itself, marked "x-served-by": "nginx"). */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "suites.h"

static const char *const http_methods[] = {"get",     "put",  "post",  "delete",
					   "options", "head", "patch", "trace"};

static json_t *spec;

/* Loads $top_srcdir/docs/openapi.json; failures are reported by the tests. */
static int
setup(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/docs/openapi.json", top && *top ? top : ".");
	spec = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (spec == NULL)
		fprintf(stderr, "\n  openapi: cannot load %s: line %d: %s\n", path, jerr.line,
			jerr.text);
	return 0;
}

static int
teardown(void)
{
	json_decref(spec);
	spec = NULL;
	return 0;
}

/* "GET" -> "get" into out (size 16). */
static void
lower(const char *m, char out[16])
{
	size_t i;

	for (i = 0; i < 15 && m[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)m[i]);
	out[i] = '\0';
}

static json_t *
operation(const char *pattern, const char *method)
{
	char lm[16];

	lower(method, lm);
	return json_object_get(json_object_get(json_object_get(spec, "paths"), pattern), lm);
}

static void
t_openapi_version(void)
{
	const char *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	v = json_string_value(json_object_get(spec, "openapi"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(strncmp(v, "3.1", 3) == 0);
	CU_ASSERT(json_is_object(json_object_get(spec, "info")));
	CU_ASSERT_FATAL(json_is_object(json_object_get(spec, "paths")));
}

static void
t_openapi_routes_documented(void)
{
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	for (i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];
		json_t *op = operation(r->pattern, r->method);

		CU_ASSERT(json_is_object(op));
		if (!json_is_object(op))
			fprintf(stderr, "\n  openapi: route %s %s missing from docs/openapi.json\n",
				r->method, r->pattern);
	}
}

static int
routed(const char *pattern, const char *method)
{
	size_t i;

	for (i = 0; i < route_count; i++) {
		char lm[16];

		lower(route_table[i].method, lm);
		if (strcmp(route_table[i].pattern, pattern) == 0 && strcmp(lm, method) == 0)
			return 1;
	}
	return 0;
}

static void
t_openapi_operations_routed(void)
{
	json_t *paths, *item;
	const char *pattern;
	size_t nops = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	paths = json_object_get(spec, "paths");
	CU_ASSERT_FATAL(json_is_object(paths));
	json_object_foreach(paths, pattern, item)
	{
		size_t m;

		CU_ASSERT(json_is_object(item));
		for (m = 0; m < sizeof(http_methods) / sizeof(http_methods[0]); m++) {
			json_t *op = json_object_get(item, http_methods[m]);
			const char *by;

			if (op == NULL)
				continue;
			nops++;
			CU_ASSERT(json_is_object(op));
			by = json_string_value(json_object_get(op, "x-served-by"));
			if (by != NULL && strcmp(by, "nginx") == 0)
				continue;
			CU_ASSERT(routed(pattern, http_methods[m]));
			if (!routed(pattern, http_methods[m]))
				fprintf(stderr,
					"\n  openapi: %s %s is documented but has no route in "
					"fcgi/routes.c\n",
					http_methods[m], pattern);
		}
	}
	CU_ASSERT(nops >= route_count);
}

/* router.h: a route's summary is mirrored in docs/openapi.json. */
static void
t_openapi_summaries(void)
{
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	for (i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];
		const char *s =
		    json_string_value(json_object_get(operation(r->pattern, r->method), "summary"));

		if (operation(r->pattern, r->method) == NULL)
			continue; /* reported by t_openapi_routes_documented */
		CU_ASSERT(s != NULL && strcmp(s, r->summary) == 0);
		if (s == NULL || strcmp(s, r->summary) != 0)
			fprintf(stderr,
				"\n  openapi: %s %s summary is \"%s\", routes.c says \"%s\"\n",
				r->method, r->pattern, s ? s : "(none)", r->summary);
	}
}

void
suite_openapi(void)
{
	CU_pSuite s = CU_add_suite("openapi", setup, teardown);

	if (s == NULL)
		return;
	CU_add_test(s, "is OpenAPI 3.1", t_openapi_version);
	CU_add_test(s, "every route is documented", t_openapi_routes_documented);
	CU_add_test(s, "every documented operation is routed", t_openapi_operations_routed);
	CU_add_test(s, "summaries match routes.c", t_openapi_summaries);
}
