/* SPDX-License-Identifier: MIT */
/* json.h: strict JSON in and compact JSON out, on top of jansson.
 * Input is parsed with duplicate keys rejected and nesting capped, because
 * jansson's defaults (last duplicate wins, depth 2048) are unsafe for money
 * and for stack use. Not for: validating a document's fields (handlers). */
#ifndef KILN_JSON_H
#define KILN_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

#define JSON_MAX_DEPTH 32

/* Parses len bytes of UTF-8 JSON into OUT: *out (new reference): any
 * value, "null" and other scalars too (the caller checks the type).
 * Errors: KILN_ERR_BAD_JSON with OUT: why ("line 1 column 9: ..."), for
 * malformed input, duplicate keys, nesting deeper than JSON_MAX_DEPTH,
 * NUL bytes or an empty body. */
enum kiln_err json_parse_strict(const char *buf, size_t len, json_t **out, char *why,
				size_t whylen);

/* 1 when the nesting of arrays/objects in buf never exceeds max. Scans
 * bytes only (strings and escapes respected); used before parsing. */
int json_depth_ok(const char *buf, size_t len, int max);

/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), the text jansson and utf8mb4 columns take. */
int json_utf8_ok(const char *s, size_t n);

/* Compact serialisation, new (free with free()), OUT: *len. Aborts on OOM. */
char *json_dump_new(const json_t *v, size_t *len);

#endif
