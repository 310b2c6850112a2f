/* SPDX-License-Identifier: MIT */
/* money.c: micro-credit conversions (see money.h). Integer arithmetic
 * everywhere except reading and writing JSON reals, where the double is
 * checked to be exactly the one nearest a whole number of micros. */
#include "money.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The exactness check in money_from_real needs every double operation
 * rounded once, to double; x87 extended precision rounds twice. */
#if FLT_EVAL_METHOD != 0
#error "money.c needs FLT_EVAL_METHOD == 0 (SSE2 or another IEEE double unit)"
#endif

#define MONEY_WHY_TYPE "must be a number of credits"
#define MONEY_WHY_FINITE "must be a finite number"
#define MONEY_WHY_NEGATIVE "must not be negative"
#define MONEY_WHY_ZERO "must be greater than zero"
#define MONEY_WHY_DECIMALS "must have at most 6 decimals"
#define MONEY_WHY_MAX "exceeds the maximum amount"
#define MONEY_WHY_SYNTAX "must be a decimal number of credits such as 12.5"

static enum kiln_err
money_refuse(const char **why, const char *msg)
{
	*why = msg;
	return KILN_ERR_VALIDATION;
}

/* Sign, zero and bound checks shared by both JSON number types. */
static enum kiln_err
money_check(int64_t m, int64_t max, int allow_zero, int allow_negative, int64_t *micros,
	    const char **why)
{
	if (m < 0 && !allow_negative)
		return money_refuse(why, MONEY_WHY_NEGATIVE);
	if (m == 0 && !allow_zero)
		return money_refuse(why, MONEY_WHY_ZERO);
	if (m > max || m < -max)
		return money_refuse(why, MONEY_WHY_MAX);
	*micros = m;
	return KILN_OK;
}

/* Why there is no tolerance: for |m| <= MONEY_MAX_MICROS < 2^53 both m and
 * 1e6 are exact doubles, so IEEE division gives m / 1e6 correctly rounded,
 * which is the very double strtod (inside jansson) makes from the decimal
 * text of m micros. A real x therefore came from a 6-decimal number iff
 * x == round(x * 1e6) / 1e6. The rounding itself may be off by one near .5
 * without harm: such an x fails the equality either way. Near 1e9 credits
 * adjacent doubles are 0.12 micros apart, so distinct micros never share a
 * double, and x * 1e6 lands within 0.07 of m. A fixed tolerance adds
 * nothing there and is too loose for small amounts: 1e-3 would accept
 * 0.0000010001 and 5.0000000001 as whole micros. */
static enum kiln_err
money_from_real(double x, int64_t max, int allow_zero, int allow_negative, int64_t *micros,
		const char **why)
{
	double y, lim;
	int64_t m;

	if (!isfinite(x))
		return money_refuse(why, MONEY_WHY_FINITE);
	if (x < 0 && !allow_negative)
		return money_refuse(why, MONEY_WHY_NEGATIVE);
	y = x * MONEY_MICROS;
	lim = (double)max + 1.0;
	if (y > lim || y < -lim)
		return money_refuse(why, MONEY_WHY_MAX);
	m = (int64_t)(y >= 0 ? y + 0.5 : y - 0.5);
	if ((double)m / MONEY_MICROS != x)
		return money_refuse(why, MONEY_WHY_DECIMALS);
	return money_check(m, max, allow_zero, allow_negative, micros, why);
}

enum kiln_err
money_from_json(const json_t *v, int64_t max_micros, int allow_zero, int allow_negative,
		int64_t *micros, const char **why)
{
	int64_t max = max_micros;

	if (max > MONEY_MAX_MICROS)
		max = MONEY_MAX_MICROS;
	if (max < 0)
		max = 0;
	if (json_is_real(v))
		return money_from_real(json_real_value(v), max, allow_zero, allow_negative, micros,
				       why);
	if (json_is_integer(v)) {
		json_int_t c = json_integer_value(v);

		if (c < 0 && !allow_negative)
			return money_refuse(why, MONEY_WHY_NEGATIVE);
		/* |c| above max / 1e6 is out of range; testing that first keeps
		 * the multiplication from overflowing */
		if (c > max / MONEY_MICROS || c < -(max / MONEY_MICROS))
			return money_refuse(why, MONEY_WHY_MAX);
		return money_check((int64_t)c * MONEY_MICROS, max, allow_zero, allow_negative,
				   micros, why);
	}
	return money_refuse(why, MONEY_WHY_TYPE);
}

enum kiln_err
money_parse(const char *s, int64_t max_micros, int64_t *micros, const char **why)
{
	static const uint32_t scale[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
	const char *p = s;
	/* magnitude limit in micros: 2^63 for negatives, 2^63-1 otherwise */
	uint64_t lim, whole = 0, frac = 0, mag;
	int neg = 0, big = 0, nwhole = 0, nfrac = 0, dot = 0;
	int64_t max = max_micros < 0 ? 0 : max_micros, m;

	if (s == NULL)
		return money_refuse(why, MONEY_WHY_SYNTAX);
	if (*p == '-') {
		neg = 1;
		p++;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
	for (; *p >= '0' && *p <= '9'; p++, nwhole++) {
		/* keep scanning past an overflow so junk is still a syntax error */
		if (whole > lim / MONEY_MICROS)
			big = 1;
		else
			whole = whole * 10u + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		dot = 1;
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
			if (nfrac < 6)
				frac = frac * 10u + (uint64_t)(*p - '0');
	}
	if (*p != '\0' || nwhole == 0 || (dot && nfrac == 0))
		return money_refuse(why, MONEY_WHY_SYNTAX);
	if (nfrac > 6)
		return money_refuse(why, MONEY_WHY_DECIMALS);
	if (big || whole > lim / MONEY_MICROS)
		return money_refuse(why, MONEY_WHY_MAX);
	mag = whole * MONEY_MICROS;
	frac *= scale[nfrac];
	if (frac > lim - mag)
		return money_refuse(why, MONEY_WHY_MAX);
	mag += frac;
	if (neg)
		m = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
	else
		m = (int64_t)mag;
	if (m > max || m < -max)
		return money_refuse(why, MONEY_WHY_MAX);
	*micros = m;
	return KILN_OK;
}

json_t *
money_to_json_new(int64_t micros)
{
	/* one correctly rounded division: the double nearest the amount */
	json_t *v = json_real((double)micros / MONEY_MICROS);

	if (v == NULL)
		abort();
	return v;
}

void
money_format(int64_t micros, char buf[MONEY_TEXT_MAX])
{
	/* unsigned magnitude so that INT64_MIN needs no special case */
	uint64_t mag = micros < 0 ? 0u - (uint64_t)micros : (uint64_t)micros;
	unsigned frac = (unsigned)(mag % MONEY_MICROS);
	int n, digits = 6;
	char f[12];

	n = snprintf(buf, MONEY_TEXT_MAX, "%s%" PRIu64, micros < 0 ? "-" : "", mag / MONEY_MICROS);
	if (frac == 0 || n < 0 || n >= MONEY_TEXT_MAX)
		return;
	snprintf(f, sizeof(f), "%06u", frac);
	while (f[digits - 1] == '0')
		digits--;
	snprintf(buf + n, (size_t)(MONEY_TEXT_MAX - n), ".%.*s", digits, f);
}

int
money_add(int64_t a, int64_t b, int64_t *out)
{
	if (b > 0 && a > INT64_MAX - b) {
		*out = INT64_MAX;
		return 1;
	}
	if (b < 0 && a < INT64_MIN - b) {
		*out = INT64_MIN;
		return 1;
	}
	*out = a + b;
	return 0;
}
