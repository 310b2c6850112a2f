/* SPDX-License-Identifier: MIT */
/* t_money.c: lib/money.c at every boundary: exact decimals from JSON reals
 * and integers, the top of the range where doubles get coarse, strict
 * decimal text, shortest formatting, JSON output text and saturating sums. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "suites.h"

#define SENTINEL INT64_C(-777)
/* What lib/json.c's json_dump_new passes to json_dumps. */
#define DUMP_FLAGS_NOW (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))
/* The same plus the precision money needs for noise-free text (money.h). */
#define DUMP_FLAGS_P15 (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))
/* Values per region in the sweeps: every micro near 0 and near the top. */
#define SWEEP 100000
#define CREDITS(n) (MONEY_MICROS * (int64_t)(n))

static void
check_at(int ok, unsigned line, const char *what, const char *text)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", what, text);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

/* text (any JSON value) converted with the given rules; rc returned. */
static enum kiln_err
from_text(const char *text, int64_t max, int zero, int neg, int64_t *out, const char **why)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	enum kiln_err rc;

	*out = SENTINEL;
	*why = NULL;
	rc = money_from_json(v, max, zero, neg, out, why);
	json_decref(v);
	return rc;
}

static void
json_ok_at(const char *text, int64_t max, int zero, int neg, int64_t want, unsigned line)
{
	const char *why;
	int64_t m;
	enum kiln_err rc = from_text(text, max, zero, neg, &m, &why);

	check_at(rc == KILN_OK, line, "accepted", text);
	check_at(m == want, line, "exact micros", text);
}

/* Refused with KILN_ERR_VALIDATION, *micros untouched, why containing part. */
static void
json_bad_at(const char *text, int64_t max, int zero, int neg, const char *part, unsigned line)
{
	const char *why;
	int64_t m;
	enum kiln_err rc = from_text(text, max, zero, neg, &m, &why);

	check_at(rc == KILN_ERR_VALIDATION, line, "refused", text);
	check_at(m == SENTINEL, line, "micros untouched", text);
	check_at(why != NULL && strstr(why, part) != NULL, line, part, text);
}

#define JSON_OK(t, want) json_ok_at((t), MONEY_MAX_MICROS, 0, 0, (want), __LINE__)
#define JSON_BAD(t, part) json_bad_at((t), MONEY_MAX_MICROS, 0, 0, (part), __LINE__)
#define JSON_OK_MAX(t, max, want) json_ok_at((t), (max), 0, 1, (want), __LINE__)
#define JSON_BAD_MAX(t, max) json_bad_at((t), (max), 0, 1, "maximum", __LINE__)

static void
parse_ok_at(const char *s, int64_t max, int64_t want, unsigned line)
{
	const char *why = NULL;
	int64_t m = SENTINEL;

	check_at(money_parse(s, max, &m, &why) == KILN_OK, line, "parsed", s);
	check_at(m == want, line, "exact micros", s);
}

static void
parse_bad_at(const char *s, int64_t max, const char *part, unsigned line)
{
	const char *why = NULL;
	int64_t m = SENTINEL;

	check_at(money_parse(s, max, &m, &why) == KILN_ERR_VALIDATION, line, "refused",
		 s ? s : "(null)");
	check_at(m == SENTINEL, line, "micros untouched", s ? s : "(null)");
	check_at(why != NULL && strstr(why, part) != NULL, line, part, s ? s : "(null)");
}

#define PARSE_OK(s, want) parse_ok_at((s), INT64_MAX, (want), __LINE__)
#define PARSE_BAD(s, part) parse_bad_at((s), INT64_MAX, (part), __LINE__)

static void
fmt_at(int64_t m, const char *want, unsigned line)
{
	char buf[MONEY_TEXT_MAX];

	memset(buf, 'x', sizeof(buf));
	money_format(m, buf);
	check_at(memchr(buf, '\0', sizeof(buf)) != NULL && strcmp(buf, want) == 0, line,
		 "money_format", want);
}

#define FMT(m, want) fmt_at((m), (want), __LINE__)

/* money_to_json_new(m) dumped with flags must read exactly want. */
static void
dump_at(int64_t m, size_t flags, const char *want, unsigned line)
{
	json_t *v = money_to_json_new(m);
	char *s = json_dumps(v, flags);

	check_at(s != NULL && strcmp(s, want) == 0, line, "dumped as", want);
	if (s != NULL && strcmp(s, want) != 0)
		fprintf(stderr, "t_money.c:%u: got %s\n", line, s);
	free(s);
	json_decref(v);
}

#define DUMP15(m, want) dump_at((m), DUMP_FLAGS_P15, (want), __LINE__)

static void
t_money_json_exact(void)
{
	const char *why;
	int64_t a, b, c, sum;

	JSON_OK("50", CREDITS(50));
	JSON_OK("50.00", CREDITS(50));
	JSON_OK("50.0", CREDITS(50));
	JSON_OK("5E1", CREDITS(50));
	JSON_OK("0.1", 100000);
	JSON_OK("0.2", 200000);
	JSON_OK("0.3", 300000);
	JSON_OK("0.5", 500000);
	JSON_OK("0.000001", 1);
	JSON_OK("1e-6", 1);
	JSON_OK("0.000010", 10);
	JSON_OK("0.999999", 999999);
	JSON_OK("1.000001", 1000001);
	JSON_OK("123.456789", 123456789);
	JSON_OK("12.5", 12500000);
	JSON_OK("0.07", 70000);
	JSON_OK("4.35", 4350000);
	JSON_OK("1.15", 1150000);
	JSON_OK("2.675", 2675000);
	JSON_OK("10000", CREDITS(10000));
	/* 0.1 + 0.2 is 0.3 exactly once the sum is done in micros */
	CU_ASSERT_EQUAL(from_text("0.1", MONEY_MAX_MICROS, 0, 0, &a, &why), KILN_OK);
	CU_ASSERT_EQUAL(from_text("0.2", MONEY_MAX_MICROS, 0, 0, &b, &why), KILN_OK);
	CU_ASSERT_EQUAL(from_text("0.3", MONEY_MAX_MICROS, 0, 0, &c, &why), KILN_OK);
	CU_ASSERT_EQUAL(money_add(a, b, &sum), 0);
	CU_ASSERT(sum == c);
	CU_ASSERT(sum == 300000);
	DUMP15(sum, "0.3");
}

static void
t_money_json_decimals(void)
{
	JSON_BAD("0.0000001", "decimals");
	JSON_BAD("0.0000004", "decimals");
	JSON_BAD("0.0000005", "decimals");
	JSON_BAD("0.0000009", "decimals");
	JSON_BAD("1.0000005", "decimals");
	JSON_BAD("1.0000001", "decimals");
	JSON_BAD("1.0000009", "decimals");
	JSON_BAD("123.4567891", "decimals");
	JSON_BAD("1e-7", "decimals");
	JSON_BAD("0.30000000000000004", "decimals");
	/* within 1e-3 micros of a whole micro, yet 10 decimals */
	JSON_BAD("0.0000010001", "decimals");
	JSON_BAD("5.0000000001", "decimals");
	JSON_BAD("0.1000001", "decimals");
	JSON_BAD("0.9999995", "decimals");
	/* half a micro off is visible at the very top of the range */
	JSON_BAD("999999999.9999995", "decimals");
	JSON_BAD("999999999.9999985", "decimals");
	JSON_BAD("123456789.1234565", "decimals");
	/* 16+ significant digits can land on a 6-decimal double and pass as
	 * it (999999999.9999991 is 999999999.999999 to jansson): money.h */
	JSON_BAD("99999999.9999991", "decimals");
	JSON_BAD("999999999.9999992", "decimals");
	JSON_OK("0.10000000000000001", 100000);
	/* trailing zeros are the same number */
	JSON_OK("1.0000000000", CREDITS(1));
	JSON_OK("0.1000000", 100000);
}

static void
t_money_json_type(void)
{
	static const char *const notnum[] = {"\"5\"", "\"0.1\"", "\"\"", "true", "false",
					     "null",  "[]",      "[5]",  "{}",   "{\"a\":5}"};
	const char *why = NULL;
	int64_t m = SENTINEL;
	size_t i;

	for (i = 0; i < sizeof(notnum) / sizeof(notnum[0]); i++)
		json_bad_at(notnum[i], MONEY_MAX_MICROS, 1, 1, "number", __LINE__);
	CU_ASSERT_EQUAL(money_from_json(NULL, MONEY_MAX_MICROS, 1, 1, &m, &why),
			KILN_ERR_VALIDATION);
	CU_ASSERT(m == SENTINEL);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* NaN and infinities cannot reach money_from_json: jansson refuses to
	 * hold them and its parser refuses the text */
	CU_ASSERT_PTR_NULL(json_real(NAN));
	CU_ASSERT_PTR_NULL(json_real(INFINITY));
	CU_ASSERT_PTR_NULL(json_loads("1e400", JSON_DECODE_ANY, NULL));
	CU_ASSERT_PTR_NULL(json_loads("NaN", JSON_DECODE_ANY, NULL));
}

static void
t_money_json_sign(void)
{
	JSON_BAD("0", "greater than zero");
	JSON_BAD("0.0", "greater than zero");
	JSON_BAD("-0", "greater than zero");
	JSON_BAD("-0.0", "greater than zero");
	JSON_BAD("0.000000", "greater than zero");
	json_ok_at("0", MONEY_MAX_MICROS, 1, 0, 0, __LINE__);
	json_ok_at("0.0", MONEY_MAX_MICROS, 1, 0, 0, __LINE__);
	json_ok_at("-0.0", MONEY_MAX_MICROS, 1, 0, 0, __LINE__);
	json_ok_at("-0", MONEY_MAX_MICROS, 1, 0, 0, __LINE__);
	JSON_BAD("-1", "negative");
	JSON_BAD("-0.5", "negative");
	JSON_BAD("-0.000001", "negative");
	JSON_BAD("-0.0000001", "negative");
	JSON_BAD("-9223372036854775808", "negative");
	json_bad_at("-1", MONEY_MAX_MICROS, 1, 0, "negative", __LINE__);
	json_ok_at("-1", MONEY_MAX_MICROS, 0, 1, -CREDITS(1), __LINE__);
	json_ok_at("-0.5", MONEY_MAX_MICROS, 0, 1, -500000, __LINE__);
	json_ok_at("-0.000001", MONEY_MAX_MICROS, 0, 1, -1, __LINE__);
	json_ok_at("-123.456789", MONEY_MAX_MICROS, 0, 1, -123456789, __LINE__);
	json_bad_at("-1.0000005", MONEY_MAX_MICROS, 0, 1, "decimals", __LINE__);
	/* allow_negative does not imply allow_zero */
	json_bad_at("0", MONEY_MAX_MICROS, 0, 1, "greater than zero", __LINE__);
}

static void
t_money_json_max(void)
{
	const int64_t max = CREDITS(10000);
	const char *why = NULL;
	json_t *v;
	int64_t m = SENTINEL;

	JSON_OK_MAX("10000", max, max);
	JSON_OK_MAX("10000.0", max, max);
	JSON_OK_MAX("10000.000000", max, max);
	JSON_OK_MAX("9999.999999", max, max - 1);
	JSON_BAD_MAX("10000.000001", max);
	JSON_BAD_MAX("10001", max);
	JSON_BAD_MAX("1e300", max);
	JSON_OK_MAX("-10000", max, -max);
	JSON_OK_MAX("-10000.0", max, -max);
	JSON_BAD_MAX("-10000.000001", max);
	JSON_BAD_MAX("-10001", max);
	JSON_BAD_MAX("-1e300", max);
	/* a max that is not a whole number of credits */
	JSON_OK_MAX("0.5", 500000, 500000);
	JSON_BAD_MAX("0.500001", 500000);
	JSON_BAD_MAX("1", 500000);
	json_ok_at("0", 500000, 1, 1, 0, __LINE__);
	/* max 0 or below: nothing but zero */
	json_ok_at("0", 0, 1, 1, 0, __LINE__);
	json_ok_at("0", -5, 1, 1, 0, __LINE__);
	JSON_BAD_MAX("0.000001", 0);
	JSON_BAD_MAX("0.000001", -5);
	JSON_BAD_MAX("-1", INT64_C(-1000000));
	/* int64 extremes as JSON integers would overflow the multiplication */
	JSON_BAD("9223372036854775807", "maximum");
	JSON_BAD_MAX("9223372036854775807", INT64_MAX);
	JSON_BAD_MAX("-9223372036854775807", INT64_MAX);
	JSON_BAD_MAX("9223372036854", INT64_MAX);
	JSON_BAD_MAX("9223372036855", INT64_MAX);
	v = json_integer(INT64_MIN);
	CU_ASSERT_EQUAL(money_from_json(v, INT64_MAX, 1, 1, &m, &why), KILN_ERR_VALIDATION);
	CU_ASSERT(m == SENTINEL);
	CU_ASSERT_PTR_NOT_NULL(why);
	json_decref(v);
	v = json_integer(INT64_MAX / MONEY_MICROS + 1);
	CU_ASSERT_EQUAL(money_from_json(v, INT64_MAX, 1, 1, &m, &why), KILN_ERR_VALIDATION);
	CU_ASSERT(m == SENTINEL);
	json_decref(v);
	v = json_real(9.3e12);
	CU_ASSERT_EQUAL(money_from_json(v, INT64_MAX, 1, 1, &m, &why), KILN_ERR_VALIDATION);
	CU_ASSERT(m == SENTINEL);
	json_decref(v);
}

/* The top of the range: max_micros is capped at MONEY_MAX_MICROS (1e9
 * credits), where a double still tells adjacent micros apart. */
static void
t_money_json_top(void)
{
	JSON_OK_MAX("999999999.999999", INT64_MAX, MONEY_MAX_MICROS - 1);
	JSON_OK_MAX("999999999.999998", INT64_MAX, MONEY_MAX_MICROS - 2);
	JSON_OK_MAX("999999999.000001", INT64_MAX, MONEY_MAX_MICROS - 999999);
	JSON_OK_MAX("999999999.5", INT64_MAX, MONEY_MAX_MICROS - 500000);
	JSON_OK_MAX("999999998.999999", INT64_MAX, MONEY_MAX_MICROS - 1000001);
	JSON_OK_MAX("123456789.123456", INT64_MAX, INT64_C(123456789123456));
	JSON_OK_MAX("987654321.987654", INT64_MAX, INT64_C(987654321987654));
	JSON_OK_MAX("536870912.000001", INT64_MAX, INT64_C(536870912000001));
	JSON_OK_MAX("536870911.999999", INT64_MAX, INT64_C(536870911999999));
	JSON_OK_MAX("1000000000", INT64_MAX, MONEY_MAX_MICROS);
	JSON_OK_MAX("1000000000.0", INT64_MAX, MONEY_MAX_MICROS);
	JSON_OK_MAX("1e9", INT64_MAX, MONEY_MAX_MICROS);
	JSON_OK_MAX("-999999999.999999", INT64_MAX, -MONEY_MAX_MICROS + 1);
	JSON_OK_MAX("-1000000000", INT64_MAX, -MONEY_MAX_MICROS);
	JSON_BAD_MAX("1000000000.000001", INT64_MAX);
	JSON_BAD_MAX("1000000001", INT64_MAX);
	JSON_BAD_MAX("-1000000000.000001", INT64_MAX);
	JSON_BAD_MAX("1000000000.000001", MONEY_MAX_MICROS);
	JSON_OK_MAX("999999999.999999", MONEY_MAX_MICROS - 1, MONEY_MAX_MICROS - 1);
	JSON_BAD_MAX("1000000000", MONEY_MAX_MICROS - 1);
	JSON_BAD_MAX("1000000000.0", MONEY_MAX_MICROS - 1);
}

/* Reports the first of many failures in a sweep as one assertion. */
static void
sweep_result(unsigned long bad, int64_t first, const char *what, unsigned line)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %lu failures, first at %lld micros", what, bad,
		 (long long)first);
	CU_assertImplementation(bad == 0 ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

/* For micros m: its decimal text parses back to m through JSON and through
 * money_parse; money_to_json_new(m) dumped today parses back to m; with
 * JSON_REAL_PRECISION(15) the text is also the shortest decimal. And the
 * text half a micro above m is refused. Returns 0 when all hold. */
static int
sweep_one(int64_t m)
{
	char txt[MONEY_TEXT_MAX], half[MONEY_TEXT_MAX + 8], want[MONEY_TEXT_MAX + 4];
	const char *why;
	int64_t got;
	json_t *v;
	char *s;
	size_t len;
	int bad = 0;

	money_format(m, txt);
	bad |= from_text(txt, MONEY_MAX_MICROS, 1, 1, &got, &why) != KILN_OK || got != m;
	bad |= money_parse(txt, MONEY_MAX_MICROS, &got, &why) != KILN_OK || got != m;
	v = money_to_json_new(m);
	s = json_dump_new(v, &len);
	bad |= from_text(s, MONEY_MAX_MICROS, 1, 1, &got, &why) != KILN_OK || got != m;
	free(s);
	s = json_dumps(v, DUMP_FLAGS_P15);
	bad |= s == NULL || from_text(s, MONEY_MAX_MICROS, 1, 1, &got, &why) != KILN_OK || got != m;
	/* %.15g switches to an exponent below 0.0001 credits */
	if (s != NULL && (m >= 100 || m <= -100)) {
		snprintf(want, sizeof(want), "%s%s", txt, m % MONEY_MICROS == 0 ? ".0" : "");
		bad |= strcmp(s, want) != 0;
	}
	free(s);
	json_decref(v);
	/* 6 decimals, then a 7th: the shortest text padded with zeros */
	if (m % MONEY_MICROS == 0)
		snprintf(half, sizeof(half), "%s.0000005", txt);
	else
		snprintf(half, sizeof(half), "%s%.*s5", txt,
			 (int)(6 - strlen(strchr(txt, '.') + 1)), "000000");
	bad |= from_text(half, MONEY_MAX_MICROS, 1, 1, &got, &why) != KILN_ERR_VALIDATION;
	return bad;
}

static void
t_money_sweep(void)
{
	unsigned long bad = 0;
	int64_t m, first = 0;
	uint64_t x = 88172645463325252u;
	int i;

	for (m = 0; m <= SWEEP; m++)
		if (sweep_one(m) && bad++ == 0)
			first = m;
	sweep_result(bad, first, "every micro from 0", __LINE__);
	bad = 0;
	for (m = MONEY_MAX_MICROS - SWEEP; m <= MONEY_MAX_MICROS; m++)
		if (sweep_one(m) && bad++ == 0)
			first = m;
	sweep_result(bad, first, "every micro up to MONEY_MAX_MICROS", __LINE__);
	bad = 0;
	for (m = -MONEY_MAX_MICROS; m <= -MONEY_MAX_MICROS + SWEEP; m++)
		if (sweep_one(m) && bad++ == 0)
			first = m;
	sweep_result(bad, first, "every micro from -MONEY_MAX_MICROS", __LINE__);
	bad = 0;
	/* xorshift64 samples across the whole range, both signs */
	for (i = 0; i < SWEEP; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m = (int64_t)(x % (uint64_t)(MONEY_MAX_MICROS + 1));
		if (i & 1)
			m = -m;
		if (sweep_one(m) && bad++ == 0)
			first = m;
	}
	sweep_result(bad, first, "random micros in range", __LINE__);
}

static void
t_money_parse_ok(void)
{
	PARSE_OK("12.5", 12500000);
	PARSE_OK("0.000001", 1);
	PARSE_OK("-3", -CREDITS(3));
	PARSE_OK("0", 0);
	PARSE_OK("-0", 0);
	PARSE_OK("0.0", 0);
	PARSE_OK("10000", CREDITS(10000));
	PARSE_OK("123.456789", 123456789);
	PARSE_OK("0.1", 100000);
	PARSE_OK("0.30", 300000);
	PARSE_OK("1.000000", CREDITS(1));
	PARSE_OK("007.50", 7500000);
	PARSE_OK("-0.000001", -1);
	PARSE_OK("999999999.999999", MONEY_MAX_MICROS - 1);
	PARSE_OK("9223372036854.775807", INT64_MAX);
	PARSE_OK("-9223372036854.775807", -INT64_MAX);
	PARSE_OK("9223372036854", INT64_C(9223372036854000000));
	PARSE_OK("00000000000000000000000001.5", 1500000);
	/* max_micros bounds the magnitude, equal accepted */
	parse_ok_at("10000", CREDITS(10000), CREDITS(10000), __LINE__);
	parse_ok_at("-10000", CREDITS(10000), -CREDITS(10000), __LINE__);
	parse_ok_at("9999.999999", CREDITS(10000), CREDITS(10000) - 1, __LINE__);
	parse_ok_at("0", 0, 0, __LINE__);
	parse_ok_at("0", -1, 0, __LINE__);
}

static void
t_money_parse_bad(void)
{
	static const char *const syntax[] = {
	    "nan", "NaN",  "inf", "-inf",  "infinity", "1e3",  "1E3",   "1e-6", "+1",  " 1",
	    "1 ",  "\t1",  "1\n", "1.",    ".5",       "-.5",  "1.2.3", "",     "--1", "-",
	    "-1-", "0x10", "1,5", "1_000", "١",        "1.5x", "12 .5", "1. 5", "$1",  "1.-5"};
	size_t i;

	for (i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
		parse_bad_at(syntax[i], INT64_MAX, "decimal number", __LINE__);
	PARSE_BAD(NULL, "decimal number");
	PARSE_BAD("0.0000001", "decimals");
	PARSE_BAD("1.0000005", "decimals");
	PARSE_BAD("1.0000000", "decimals");
	PARSE_BAD("-0.0000001", "decimals");
	PARSE_BAD("123.4567891", "decimals");
	/* a syntax error beats too many decimals and overflow */
	PARSE_BAD("1.0000000x", "decimal number");
	PARSE_BAD("99999999999999999999x", "decimal number");
	PARSE_BAD("9223372036854.775808", "maximum");
	PARSE_BAD("9223372036855", "maximum");
	PARSE_BAD("99999999999999999999", "maximum");
	PARSE_BAD("99999999999999999999.5", "maximum");
	PARSE_BAD("-9223372036854.775809", "maximum");
	/* -max bounds negatives, so INT64_MIN itself is out of reach */
	PARSE_BAD("-9223372036854.775808", "maximum");
	parse_bad_at("10000.000001", CREDITS(10000), "maximum", __LINE__);
	parse_bad_at("-10000.000001", CREDITS(10000), "maximum", __LINE__);
	parse_bad_at("10001", CREDITS(10000), "maximum", __LINE__);
	parse_bad_at("0.000001", 0, "maximum", __LINE__);
	parse_bad_at("-0.000001", -5, "maximum", __LINE__);
}

static void
t_money_to_json(void)
{
	json_t *v;
	char *s;
	size_t len;

	v = money_to_json_new(100000);
	CU_ASSERT(json_is_real(v));
	CU_ASSERT(json_real_value(v) == 0.1);
	json_decref(v);
	v = money_to_json_new(300000);
	CU_ASSERT(json_real_value(v) == 0.3);
	json_decref(v);
	DUMP15(100000, "0.1");
	DUMP15(200000, "0.2");
	DUMP15(300000, "0.3");
	DUMP15(CREDITS(50), "50.0");
	DUMP15(12500000, "12.5");
	DUMP15(-CREDITS(3), "-3.0");
	DUMP15(0, "0.0");
	DUMP15(123456789, "123.456789");
	DUMP15(100, "0.0001");
	DUMP15(999999, "0.999999");
	DUMP15(1000001, "1.000001");
	DUMP15(MONEY_MAX_MICROS - 1, "999999999.999999");
	DUMP15(-MONEY_MAX_MICROS + 1, "-999999999.999999");
	DUMP15(MONEY_MAX_MICROS, "1000000000.0");
	/* below 0.0001 credits %.15g writes an exponent: still exact JSON */
	DUMP15(1, "1e-6");
	DUMP15(99, "9.9e-5");
	/* json_dump_new prints money as its shortest decimal */
	dump_at(CREDITS(50), DUMP_FLAGS_NOW, "50.0", __LINE__);
	dump_at(12500000, DUMP_FLAGS_NOW, "12.5", __LINE__);
	dump_at(-CREDITS(3), DUMP_FLAGS_NOW, "-3.0", __LINE__);
	v = money_to_json_new(100000);
	s = json_dump_new(v, &len);
	CU_ASSERT(len == strlen(s));
	CU_ASSERT(strtod(s, NULL) == 0.1);
	CU_ASSERT_STRING_EQUAL(s, "0.1");
	free(s);
	json_decref(v);
}

static void
t_money_format(void)
{
	char buf[MONEY_TEXT_MAX];

	FMT(0, "0");
	FMT(1, "0.000001");
	FMT(-1, "-0.000001");
	FMT(10, "0.00001");
	FMT(100000, "0.1");
	FMT(12500000, "12.5");
	FMT(-CREDITS(3), "-3");
	FMT(CREDITS(1000000), "1000000");
	FMT(123456789, "123.456789");
	FMT(1000010, "1.00001");
	FMT(CREDITS(1) + 1, "1.000001");
	FMT(999999, "0.999999");
	FMT(-999999, "-0.999999");
	FMT(MONEY_MAX_MICROS, "1000000000");
	FMT(MONEY_MAX_MICROS - 1, "999999999.999999");
	FMT(INT64_MAX, "9223372036854.775807");
	FMT(INT64_MIN, "-9223372036854.775808");
	FMT(INT64_MIN + 1, "-9223372036854.775807");
	FMT(INT64_C(-9223372036854000000), "-9223372036854");
	money_format(INT64_MIN, buf);
	CU_ASSERT(strlen(buf) < MONEY_TEXT_MAX);
}

static void
t_money_add(void)
{
	int64_t r = SENTINEL;

	CU_ASSERT_EQUAL(money_add(1, 2, &r), 0);
	CU_ASSERT(r == 3);
	CU_ASSERT_EQUAL(money_add(100000, 200000, &r), 0);
	CU_ASSERT(r == 300000);
	CU_ASSERT_EQUAL(money_add(-5, 3, &r), 0);
	CU_ASSERT(r == -2);
	CU_ASSERT_EQUAL(money_add(INT64_MAX, 0, &r), 0);
	CU_ASSERT(r == INT64_MAX);
	CU_ASSERT_EQUAL(money_add(INT64_MIN, 0, &r), 0);
	CU_ASSERT(r == INT64_MIN);
	CU_ASSERT_EQUAL(money_add(INT64_MAX - 1, 1, &r), 0);
	CU_ASSERT(r == INT64_MAX);
	CU_ASSERT_EQUAL(money_add(INT64_MIN + 1, -1, &r), 0);
	CU_ASSERT(r == INT64_MIN);
	CU_ASSERT_EQUAL(money_add(INT64_MAX, INT64_MIN, &r), 0);
	CU_ASSERT(r == -1);
	CU_ASSERT_EQUAL(money_add(INT64_MIN, INT64_MAX, &r), 0);
	CU_ASSERT(r == -1);
	CU_ASSERT_EQUAL(money_add(INT64_MAX, 1, &r), 1);
	CU_ASSERT(r == INT64_MAX);
	CU_ASSERT_EQUAL(money_add(1, INT64_MAX, &r), 1);
	CU_ASSERT(r == INT64_MAX);
	CU_ASSERT_EQUAL(money_add(INT64_MAX, INT64_MAX, &r), 1);
	CU_ASSERT(r == INT64_MAX);
	CU_ASSERT_EQUAL(money_add(INT64_MIN, -1, &r), 1);
	CU_ASSERT(r == INT64_MIN);
	CU_ASSERT_EQUAL(money_add(-1, INT64_MIN, &r), 1);
	CU_ASSERT(r == INT64_MIN);
	CU_ASSERT_EQUAL(money_add(INT64_MIN, INT64_MIN, &r), 1);
	CU_ASSERT(r == INT64_MIN);
}

void
suite_money(void)
{
	CU_pSuite s = CU_add_suite("money", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "JSON numbers to exact micros", t_money_json_exact);
	CU_add_test(s, "JSON reals with more than 6 decimals refused", t_money_json_decimals);
	CU_add_test(s, "JSON non-numbers refused; NaN/inf unrepresentable", t_money_json_type);
	CU_add_test(s, "JSON zero and negatives only when allowed", t_money_json_sign);
	CU_add_test(s, "JSON max_micros boundary and int64 overflow", t_money_json_max);
	CU_add_test(s, "JSON top of range (1e9 credits) exact", t_money_json_top);
	CU_add_test(s, "sweeps: text, JSON and dump round trips", t_money_sweep);
	CU_add_test(s, "money_parse accepts strict decimals", t_money_parse_ok);
	CU_add_test(s, "money_parse refuses sloppy text and overflow", t_money_parse_bad);
	CU_add_test(s, "money_to_json_new values and dumped text", t_money_to_json);
	CU_add_test(s, "money_format shortest exact decimal", t_money_format);
	CU_add_test(s, "money_add saturates", t_money_add);
}
