/* SPDX-License-Identifier: MIT */
/* t_json.c: lib/json.c: what strict parsing accepts and rejects (duplicate
 * keys, depth, NUL bytes), the byte-level depth scan and compact output. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "suites.h"

/* A non-NULL placeholder: the parser must clear *out on every error. */
static json_t not_null;

/* Parses a NUL-terminated string; returns the rc and sets *out. */
static enum kiln_err
parse(const char *s, json_t **out, char *why, size_t whylen)
{
	return json_parse_strict(s, strlen(s), out, why, whylen);
}

/* Expects s to be refused with BAD_JSON, a NULL *out and a reason. */
static void
expect_bad(const char *s, size_t len)
{
	json_t *v = &not_null;
	char why[160];

	why[0] = '\0';
	CU_ASSERT_EQUAL(json_parse_strict(s, len, &v, why, sizeof(why)), KILN_ERR_BAD_JSON);
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT(why[0] != '\0');
	if (v != NULL && v != &not_null)
		json_decref(v);
}

/* n nested arrays around 0: "[[...[0]...]]". New, free with free(). */
static char *
nested(int n)
{
	char *s = malloc((size_t)n * 2 + 2);
	int i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = '[';
	s[n] = '0';
	for (i = 0; i < n; i++)
		s[n + 1 + i] = ']';
	s[2 * n + 1] = '\0';
	return s;
}

static void
t_json_valid(void)
{
	json_t *v = NULL;
	char why[160];

	CU_ASSERT_EQUAL_FATAL(parse("{\"cost\": 12, \"name\": \"x\", \"tags\": [1, {\"a\": null}]}",
				    &v, why, sizeof(why)),
			      KILN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(json_is_object(v));
	CU_ASSERT(json_integer_value(json_object_get(v, "cost")) == 12);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "name")), "x");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(v, "tags")), 2);
	json_decref(v);
	/* any value, scalars too: the handler checks the type it wants */
	{
		static const struct {
			const char *text;
			json_type type;
		} one[] = {{"{}", JSON_OBJECT},
			   {" \n\t[ ] \n", JSON_ARRAY},
			   {" null ", JSON_NULL},
			   {"12", JSON_INTEGER}};
		size_t i;

		for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
			v = NULL;
			CU_ASSERT_EQUAL(parse(one[i].text, &v, why, sizeof(why)), KILN_OK);
			CU_ASSERT(v != NULL && json_typeof(v) == one[i].type);
			json_decref(v);
		}
	}
	/* the same key in different objects is not a duplicate */
	v = NULL;
	CU_ASSERT_EQUAL(parse("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}", &v, why, sizeof(why)),
			KILN_OK);
	json_decref(v);
	/* len bounds the input: the junk after it is never read */
	v = NULL;
	CU_ASSERT_EQUAL(json_parse_strict("{\"a\":1}garbage", 7, &v, why, sizeof(why)), KILN_OK);
	CU_ASSERT(json_integer_value(json_object_get(v, "a")) == 1);
	json_decref(v);
}

static void
t_json_duplicates(void)
{
	static const char dup[] = "{\"cost\":1,\"cost\":999999}";
	static const char nested_dup[] = "{\"a\":{\"x\":1,\"x\":2}}";

	expect_bad(dup, strlen(dup));
	expect_bad(nested_dup, strlen(nested_dup));
}

static void
t_json_malformed(void)
{
	// clang-format off
	static const char *const bad[] = {
		"{", "}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{'a':1}", "{a:1}",
		"nul", "{\"a\":1}{}", "{\"a\":1} x", "[1] [2]", "\"\\x\"", "[\"\\u0000\"]",
		"{\"a\":01}", "[NaN]", "[1e]", "   ", "\xff", "[\"\xc3\x28\"]",
	};
	// clang-format on
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad(bad[i], strlen(bad[i]));
	/* the reason is the parser's, without its flag names */
	{
		json_t *v = NULL;
		char why[160];

		CU_ASSERT_EQUAL(json_parse_strict("[\"\\u0000\"]", 10, &v, why, sizeof(why)),
				KILN_ERR_BAD_JSON);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "\\u0000 is not allowed"));
		CU_ASSERT_PTR_NULL(strstr(why, "JSON_"));
	}
}

static void
t_json_empty_and_nul(void)
{
	static const char nul[] = "{\"a\":\"x\0y\"}";
	json_t *v = &not_null;
	char why[160];

	expect_bad("", 0);
	expect_bad("{}", 0);
	expect_bad(nul, sizeof(nul) - 1);
	why[0] = '\0';
	CU_ASSERT_EQUAL(json_parse_strict("{}\0", 3, &v, why, sizeof(why)), KILN_ERR_BAD_JSON);
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "NUL"));
}

static void
t_json_depth(void)
{
	char *ok = nested(JSON_MAX_DEPTH), *deep = nested(JSON_MAX_DEPTH + 1);
	char *huge = nested(100000);
	static const char obj[] = "{\"a\":[{\"b\":[]}]}";
	json_t *v = NULL;
	char why[160];

	CU_ASSERT_EQUAL(JSON_MAX_DEPTH, 32);
	CU_ASSERT_EQUAL(parse(ok, &v, why, sizeof(why)), KILN_OK);
	CU_ASSERT(json_is_array(v));
	json_decref(v);
	expect_bad(deep, strlen(deep));
	/* far past jansson's own limit: refused before any recursion */
	expect_bad(huge, strlen(huge));
	why[0] = '\0';
	CU_ASSERT_EQUAL(parse(deep, &v, why, sizeof(why)), KILN_ERR_BAD_JSON);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "nesting"));
	free(ok);
	free(deep);
	free(huge);
	/* objects count the same as arrays */
	CU_ASSERT_EQUAL(json_depth_ok(obj, strlen(obj), 4), 1);
	CU_ASSERT_EQUAL(json_depth_ok(obj, strlen(obj), 3), 0);
}

static void
t_json_depth_strings(void)
{
	static const char s1[] = "[\"[[[[\"]";
	static const char s2[] = "[\"\\\"[[[[\"]";    /* ["\"[[[["] */
	static const char s3[] = "[\"\\\\\",[[[]]]]"; /* ["\\",[[[]]]] */

	CU_ASSERT_EQUAL(json_depth_ok(s1, strlen(s1), 1), 1);
	CU_ASSERT_EQUAL(json_depth_ok(s2, strlen(s2), 1), 1);
	/* an escaped backslash does not hide the closing quote */
	CU_ASSERT_EQUAL(json_depth_ok(s3, strlen(s3), 3), 0);
	CU_ASSERT_EQUAL(json_depth_ok(s3, strlen(s3), 4), 1);
	CU_ASSERT_EQUAL(json_depth_ok("[[]]", 4, 1), 0);
	CU_ASSERT_EQUAL(json_depth_ok("[][][]", 6, 1), 1);
	CU_ASSERT_EQUAL(json_depth_ok("", 0, 0), 1);
}

static void
t_json_dump(void)
{
	json_t *v =
	    json_pack("{s:i, s:[i, i], s:{s:s}, s:n}", "a", 1, "b", 2, 3, "c", "d", "e", "f");
	json_t *back = NULL;
	size_t len = 0;
	char *s, why[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	s = json_dump_new(v, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(len, strlen(s));
	CU_ASSERT_PTR_NULL(strchr(s, ' '));
	CU_ASSERT_PTR_NULL(strchr(s, '\n'));
	/* jansson keeps insertion order */
	CU_ASSERT_STRING_EQUAL(s, "{\"a\":1,\"b\":[2,3],\"c\":{\"d\":\"e\"},\"f\":null}");
	CU_ASSERT_EQUAL(json_parse_strict(s, len, &back, why, sizeof(why)), KILN_OK);
	CU_ASSERT(json_equal(v, back));
	json_decref(back);
	free(s);
	json_decref(v);
	/* scalars too (JSON_ENCODE_ANY) */
	v = json_string("q\"");
	s = json_dump_new(v, &len);
	CU_ASSERT_STRING_EQUAL(s, "\"q\\\"\"");
	CU_ASSERT_EQUAL(len, 5);
	free(s);
	json_decref(v);
}

/* well-formed UTF-8 by the book, and the same verdict as jansson's own
 * check on random bytes */
static void
t_json_utf8(void)
{
	static const char *const good[] = {"",
					   "abc",
					   "\xc3\xa9",
					   "\xe2\x82\xac",
					   "\xf0\x9d\x84\x9e",
					   "\xf4\x8f\xbf\xbf",
					   "\xed\x9f\xbf",
					   "a\xc2\x80z"};
	static const char *const bad[] = {"\x80",
					  "\xc0\x80",
					  "\xc1\xbf",
					  "\xe0\x80\x80",
					  "\xed\xa0\x80",
					  "\xf4\x90\x80\x80",
					  "\xf5\x80\x80\x80",
					  "\xe2\x82",
					  "\xc3\x41",
					  "\xff",
					  "\xf0\x9d\x84"};
	unsigned seed = 7;
	size_t i, k, agree = 0;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT(json_utf8_ok(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!json_utf8_ok(bad[i], strlen(bad[i])));
	for (i = 0; i < 20000; i++) {
		unsigned char b[6];
		json_t *j;

		for (k = 0; k < sizeof(b); k++) {
			seed = seed * 1103515245u + 12345u;
			b[k] = (unsigned char)(seed >> 16);
			if (b[k] == 0)
				b[k] = 'x';
			if ((seed >> 8) % 3 == 0)
				b[k] =
				    (unsigned char)(0x80 | (b[k] & 0x3f)); /* more continuations */
		}
		j = json_stringn((const char *)b, sizeof(b));
		agree += (j != NULL) == json_utf8_ok((const char *)b, sizeof(b));
		json_decref(j);
	}
	CU_ASSERT_EQUAL(agree, 20000);
}

void
suite_json(void)
{
	CU_pSuite s = CU_add_suite("json", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "accepts valid documents", t_json_valid);
	CU_add_test(s, "rejects duplicate keys", t_json_duplicates);
	CU_add_test(s, "rejects malformed input", t_json_malformed);
	CU_add_test(s, "rejects empty input and NUL bytes", t_json_empty_and_nul);
	CU_add_test(s, "nesting limit", t_json_depth);
	CU_add_test(s, "brackets in strings do not count", t_json_depth_strings);
	CU_add_test(s, "json_dump_new is compact", t_json_dump);
	CU_add_test(s, "json_utf8_ok: well-formed UTF-8 only", t_json_utf8);
}
