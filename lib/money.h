/* SPDX-License-Identifier: MIT */
/* money.h: kiln's money type, int64 micro-credits (1 credit = 1 USD =
 * MONEY_MICROS micros), and its only conversions to and from JSON and text.
 * Never a float in storage. Not for: ledger rules or SQL (the wallet code). */
#ifndef KILN_MONEY_H
#define KILN_MONEY_H

#include <stdint.h>

#include "err.h"
#include "json.h"

#define MONEY_MICROS 1000000
/* Largest |amount| money_from_json accepts, and the range in which
 * money_to_json_new is exact: 1e9 credits. Up to here a double holds every
 * micro exactly and 15 significant digits print it (see money.c). */
#define MONEY_MAX_MICROS INT64_C(1000000000000000)
/* "-9223372036854.775808" plus NUL fits with room to spare. */
#define MONEY_TEXT_MAX 32

/* From a JSON number of credits v (integer or real, borrowed) into
 * OUT: *micros. max_micros bounds |amount| and is capped at MONEY_MAX_MICROS
 * (a negative max counts as 0). Refused, all with KILN_ERR_VALIDATION and
 * OUT: *why (static text), *micros untouched: not a number (strings, bools,
 * null, NULL), NaN/inf, negative (unless allow_negative), zero (unless
 * allow_zero), more than 6 decimals, |amount| above max_micros.
 * Exact: 50.00 -> 50000000, 0.1 -> 100000. A real is accepted only when it
 * is bit for bit the double nearest some whole number of micros, so the test
 * for "more than 6 decimals" has no tolerance. It sees every extra decimal in
 * a number of up to 15 significant digits; longer ones that jansson rounds
 * onto a 6-decimal double pass as that value (999999999.9999991 reads as
 * 999999999.999999, 0.10000000000000001 as 0.1). */
enum kiln_err money_from_json(const json_t *v, int64_t max_micros, int allow_zero,
			      int allow_negative, int64_t *micros, const char **why);

/* From a decimal string of credits ("12.5", "0.000001", "-3", "0") into
 * OUT: *micros, with -max_micros <= *micros <= max_micros (max_micros may be
 * INT64_MAX; a negative max counts as 0). Optional '-', at least one digit,
 * then optionally '.' and 1 to 6 digits; no exponent, '+', spaces, "nan" or
 * "inf". Zero and negatives are accepted: callers check the sign they need.
 * Errors: KILN_ERR_VALIDATION with OUT: *why (static text), *micros untouched.
 * For config values (max_topup = 10000) and kilnctl arguments. */
enum kiln_err money_parse(const char *s, int64_t max_micros, int64_t *micros, const char **why);

/* micros as a JSON real of credits, new reference; aborts on OOM. The double
 * is the one nearest the exact amount, so parsing its text gives the same
 * micros back. Dumped with JSON_REAL_PRECISION(15) it prints the shortest
 * decimal for |micros| <= MONEY_MAX_MICROS (0.1, 50.0, 999999999.999999,
 * but 1e-6 below 0.0001); jansson's default of 17 digits prints binary noise
 * (0.10000000000000001). Beyond MONEY_MAX_MICROS it is rounded. */
json_t *money_to_json_new(int64_t micros);

/* micros as the shortest exact decimal of credits: "12.5", "0.000001",
 * "-3", "0", into OUT: buf. Any int64 fits. For logs and kilnctl. */
void money_format(int64_t micros, char buf[MONEY_TEXT_MAX]);

/* a + b into OUT: *out, clamped to [INT64_MIN, INT64_MAX] instead of
 * overflowing. Returns 1 when it clamped, else 0. */
int money_add(int64_t a, int64_t b, int64_t *out);

#endif
