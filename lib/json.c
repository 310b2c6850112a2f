/* SPDX-License-Identifier: MIT */
/* json.c: strict parsing and compact output (see json.h). */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
json_depth_ok(const char *buf, size_t len, int max)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return 0;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 1;
}

enum kiln_err
json_parse_strict(const char *buf, size_t len, json_t **out, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *v;

	*out = NULL;
	if (len == 0) {
		snprintf(why, whylen, "empty body");
		return KILN_ERR_BAD_JSON;
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(why, whylen, "NUL byte in body");
		return KILN_ERR_BAD_JSON;
	}
	if (!json_depth_ok(buf, len, JSON_MAX_DEPTH)) {
		snprintf(why, whylen, "nesting deeper than %d levels", JSON_MAX_DEPTH);
		return KILN_ERR_BAD_JSON;
	}
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (v == NULL) {
		/* jansson's own words, but not its flag names */
		snprintf(why, whylen, "line %d column %d: %s", jerr.line, jerr.column,
			 strstr(jerr.text, "JSON_ALLOW_NUL") != NULL ? "\\u0000 is not allowed"
								     : jerr.text);
		return KILN_ERR_BAD_JSON;
	}
	*out = v;
	return KILN_OK;
}

int
json_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p++, lo = 0x80, hi = 0xbf;
		int more;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3;
		else
			return 0; /* a continuation byte, an overlong lead, or past U+10FFFF */
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
		else if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
		if (end - p < more || *p < lo || *p > hi)
			return 0;
		for (p++; --more > 0; p++)
			if (*p < 0x80 || *p > 0xbf)
				return 0;
	}
	return 1;
}

char *
json_dump_new(const json_t *v, size_t *len)
{
	/* 15 significant digits: money (micro-credits as credits, at most
	 * 6 decimals below 1e9) prints as its shortest decimal, 0.1 not
	 * 0.10000000000000001 */
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));

	if (s == NULL)
		abort();
	*len = strlen(s);
	return s;
}
