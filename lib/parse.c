/* SPDX-License-Identifier: MIT */
/* parse.c: bounded number parsing (see parse.h). Hand-rolled so that
 * overflow, empty input and trailing bytes are all errors, never zero. */
#include "parse.h"

#include <string.h>
#include <strings.h>

enum kiln_err
parse_i64n(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t acc = 0;
	/* magnitude limit: 2^63 for negatives, 2^63-1 for positives */
	uint64_t lim;

	if (s == NULL || n == 0)
		return KILN_ERR_BAD_REQUEST;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (n == 1)
			return KILN_ERR_BAD_REQUEST;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return KILN_ERR_BAD_REQUEST;
		d = (unsigned)(s[i] - '0');
		if (acc > (lim - d) / 10u) {
			/* keep scanning so "12x" with overflow is still a syntax error */
			for (i++; i < n; i++)
				if (s[i] < '0' || s[i] > '9')
					return KILN_ERR_BAD_REQUEST;
			return KILN_ERR_RANGE;
		}
		acc = acc * 10u + d;
	}
	{
		int64_t v;

		if (neg)
			v = acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc;
		else
			v = (int64_t)acc;
		if (v < min || v > max)
			return KILN_ERR_RANGE;
		*out = v;
	}
	return KILN_OK;
}

enum kiln_err
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (s == NULL)
		return KILN_ERR_BAD_REQUEST;
	return parse_i64n(s, strlen(s), min, max, out);
}

enum kiln_err
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	if (s == NULL)
		return KILN_ERR_BAD_REQUEST;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return KILN_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return KILN_OK;
		}
	}
	return KILN_ERR_BAD_REQUEST;
}

enum kiln_err
parse_size(const char *s, int64_t min, int64_t max, int64_t *out)
{
	size_t n;
	int64_t mult = 1, v;
	enum kiln_err rc;

	if (s == NULL || (n = strlen(s)) == 0)
		return KILN_ERR_BAD_REQUEST;
	switch (s[n - 1]) {
	case 'k':
	case 'K':
		mult = 1024;
		n--;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		n--;
		break;
	case 'g':
	case 'G':
		mult = 1024 * 1024 * 1024;
		n--;
		break;
	default: break;
	}
	if (n == 0 || s[0] == '-')
		return KILN_ERR_BAD_REQUEST;
	if ((rc = parse_i64n(s, n, 0, INT64_MAX / mult, &v)) != KILN_OK)
		return rc;
	v *= mult;
	if (v < min || v > max)
		return KILN_ERR_RANGE;
	*out = v;
	return KILN_OK;
}
