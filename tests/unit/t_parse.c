/* SPDX-License-Identifier: MIT */
/* t_parse.c: lib/parse.c at every boundary: int64 limits, syntax that
 * strtol would tolerate but we must not, booleans and byte sizes. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "suites.h"

#define SENTINEL INT64_C(-777)

/* parse_i64 over the full int64 range; *out must stay untouched on error. */
static enum kiln_err
full(const char *s, int64_t *out)
{
	*out = SENTINEL;
	return parse_i64(s, INT64_MIN, INT64_MAX, out);
}

static void
t_parse_i64_limits(void)
{
	int64_t v;

	CU_ASSERT_EQUAL(full("9223372036854775807", &v), KILN_OK);
	CU_ASSERT(v == INT64_MAX);
	CU_ASSERT_EQUAL(full("-9223372036854775808", &v), KILN_OK);
	CU_ASSERT(v == INT64_MIN);
	CU_ASSERT_EQUAL(full("9223372036854775808", &v), KILN_ERR_RANGE);
	CU_ASSERT(v == SENTINEL);
	CU_ASSERT_EQUAL(full("-9223372036854775809", &v), KILN_ERR_RANGE);
	CU_ASSERT(v == SENTINEL);
	CU_ASSERT_EQUAL(full("18446744073709551616", &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(full("99999999999999999999999999", &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(full("0", &v), KILN_OK);
	CU_ASSERT(v == 0);
	CU_ASSERT_EQUAL(full("-0", &v), KILN_OK);
	CU_ASSERT(v == 0);
	CU_ASSERT_EQUAL(full("42", &v), KILN_OK);
	CU_ASSERT(v == 42);
	CU_ASSERT_EQUAL(full("-42", &v), KILN_OK);
	CU_ASSERT(v == -42);
}

static void
t_parse_i64_syntax(void)
{
	static const char *const bad[] = {"",    "-",  "+1", " 1",  "1 ",  "12x", "0x10", "1.0",
					  "--1", "1-", "x",  "1e3", "\t1", "1\n", "١"};
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(full(bad[i], &v), KILN_ERR_BAD_REQUEST);
		CU_ASSERT(v == SENTINEL);
	}
	CU_ASSERT_EQUAL(parse_i64(NULL, 0, 10, &v), KILN_ERR_BAD_REQUEST);
	/* an overflowing number with junk after it is a syntax error */
	CU_ASSERT_EQUAL(full("99999999999999999999x", &v), KILN_ERR_BAD_REQUEST);
	/* leading zeros are decimal, not octal */
	CU_ASSERT_EQUAL(full("007", &v), KILN_OK);
	CU_ASSERT(v == 7);
	CU_ASSERT_EQUAL(full("0010", &v), KILN_OK);
	CU_ASSERT(v == 10);
	CU_ASSERT_EQUAL(full("00000000000000000000000009223372036854775807", &v), KILN_OK);
	CU_ASSERT(v == INT64_MAX);
}

static void
t_parse_i64_bounds(void)
{
	int64_t v = SENTINEL;

	CU_ASSERT_EQUAL(parse_i64("1", 1, 10, &v), KILN_OK);
	CU_ASSERT(v == 1);
	CU_ASSERT_EQUAL(parse_i64("10", 1, 10, &v), KILN_OK);
	CU_ASSERT(v == 10);
	v = SENTINEL;
	CU_ASSERT_EQUAL(parse_i64("0", 1, 10, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_i64("11", 1, 10, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_i64("-5", 0, 10, &v), KILN_ERR_RANGE);
	CU_ASSERT(v == SENTINEL);
	CU_ASSERT_EQUAL(parse_i64("-5", -5, -1, &v), KILN_OK);
	CU_ASSERT(v == -5);
	CU_ASSERT_EQUAL(parse_i64("-6", -5, -1, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_i64("9223372036854775807", 0, INT64_MAX - 1, &v), KILN_ERR_RANGE);
}

static void
t_parse_i64n(void)
{
	int64_t v = SENTINEL;

	/* only the first n bytes count; the rest need not be digits or NUL */
	CU_ASSERT_EQUAL(parse_i64n("123abc", 3, 0, 1000, &v), KILN_OK);
	CU_ASSERT(v == 123);
	CU_ASSERT_EQUAL(parse_i64n("123abc", 4, 0, 1000, &v), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse_i64n("42/logs", 2, 1, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 42);
	CU_ASSERT_EQUAL(parse_i64n("5", 0, 0, 10, &v), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse_i64n("-1", 1, INT64_MIN, INT64_MAX, &v), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse_i64n("-92233720368547758089", 20, INT64_MIN, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == INT64_MIN);
	CU_ASSERT_EQUAL(parse_i64n("92233720368547758071", 19, INT64_MIN, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == INT64_MAX);
	CU_ASSERT_EQUAL(parse_i64n("92233720368547758081", 19, INT64_MIN, INT64_MAX, &v),
			KILN_ERR_RANGE);
	/* an embedded NUL inside n is not a digit */
	CU_ASSERT_EQUAL(parse_i64n("1\0002", 3, 0, 1000, &v), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(parse_i64n(NULL, 3, 0, 1000, &v), KILN_ERR_BAD_REQUEST);
}

static void
t_parse_bool(void)
{
	static const char *const yes[] = {"true", "TRUE", "Yes", "on", "ON", "1"};
	static const char *const no[] = {"false", "False", "no", "NO", "off", "0"};
	static const char *const bad[] = {"", "2", "y", "n", "truee", " true", "true ", "enable"};
	size_t i;
	int b;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = -1;
		CU_ASSERT_EQUAL(parse_bool(yes[i], &b), KILN_OK);
		CU_ASSERT_EQUAL(b, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = -1;
		CU_ASSERT_EQUAL(parse_bool(no[i], &b), KILN_OK);
		CU_ASSERT_EQUAL(b, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = -1;
		CU_ASSERT_EQUAL(parse_bool(bad[i], &b), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_EQUAL(b, -1);
	}
	CU_ASSERT_EQUAL(parse_bool(NULL, &b), KILN_ERR_BAD_REQUEST);
}

static void
t_parse_size(void)
{
	int64_t v = SENTINEL;

	CU_ASSERT_EQUAL(parse_size("8g", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == INT64_C(8) * 1024 * 1024 * 1024);
	CU_ASSERT_EQUAL(parse_size("8G", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == INT64_C(8) * 1024 * 1024 * 1024);
	CU_ASSERT_EQUAL(parse_size("512k", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 512 * 1024);
	CU_ASSERT_EQUAL(parse_size("1m", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 1024 * 1024);
	CU_ASSERT_EQUAL(parse_size("1M", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 1024 * 1024);
	CU_ASSERT_EQUAL(parse_size("1048576", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 1048576);
	CU_ASSERT_EQUAL(parse_size("0", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 0);
	CU_ASSERT_EQUAL(parse_size("0k", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == 0);
	/* the largest whole number of GiB that fits, and one more */
	CU_ASSERT_EQUAL(parse_size("8589934591g", 0, INT64_MAX, &v), KILN_OK);
	CU_ASSERT(v == INT64_C(8589934591) * 1024 * 1024 * 1024);
	v = SENTINEL;
	CU_ASSERT_EQUAL(parse_size("8589934592g", 0, INT64_MAX, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_size("99999999999g", 0, INT64_MAX, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_size("9223372036854775808", 0, INT64_MAX, &v), KILN_ERR_RANGE);
	CU_ASSERT(v == SENTINEL);
}

static void
t_parse_size_bad(void)
{
	static const char *const bad[] = {"",   "1.5g", "-1",  "-1k", "g",   "k",    "1kb",
					  "1t", " 1k",  "1k ", "+1",  "1 k", "0x10", "1gg"};
	int64_t v = SENTINEL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(parse_size(bad[i], 0, INT64_MAX, &v), KILN_ERR_BAD_REQUEST);
		CU_ASSERT(v == SENTINEL);
	}
	CU_ASSERT_EQUAL(parse_size(NULL, 0, INT64_MAX, &v), KILN_ERR_BAD_REQUEST);
}

static void
t_parse_size_bounds(void)
{
	int64_t v = SENTINEL;

	CU_ASSERT_EQUAL(parse_size("1k", 1024, 2048, &v), KILN_OK);
	CU_ASSERT(v == 1024);
	CU_ASSERT_EQUAL(parse_size("2k", 1024, 2048, &v), KILN_OK);
	CU_ASSERT(v == 2048);
	v = SENTINEL;
	CU_ASSERT_EQUAL(parse_size("1023", 1024, 2048, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_size("2049", 1024, 2048, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_size("3k", 1024, 2048, &v), KILN_ERR_RANGE);
	CU_ASSERT_EQUAL(parse_size("1g", 0, (int64_t)1 << 29, &v), KILN_ERR_RANGE);
	CU_ASSERT(v == SENTINEL);
}

void
suite_parse(void)
{
	CU_pSuite s = CU_add_suite("parse", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "parse_i64 int64 limits", t_parse_i64_limits);
	CU_add_test(s, "parse_i64 rejects sloppy syntax", t_parse_i64_syntax);
	CU_add_test(s, "parse_i64 min/max bounds", t_parse_i64_bounds);
	CU_add_test(s, "parse_i64n length-bounded", t_parse_i64n);
	CU_add_test(s, "parse_bool", t_parse_bool);
	CU_add_test(s, "parse_size suffixes and overflow", t_parse_size);
	CU_add_test(s, "parse_size rejects bad input", t_parse_size_bad);
	CU_add_test(s, "parse_size min/max bounds", t_parse_size_bounds);
}
