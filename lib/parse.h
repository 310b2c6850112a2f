/* SPDX-License-Identifier: MIT */
/* parse.h: bounded parsing of numbers and booleans from untrusted text.
 * Call sites never use atoi/strtol directly. Not for: JSON (json.h). */
#ifndef KILN_PARSE_H
#define KILN_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Parses all of s (decimal, optional leading '-', no spaces, no '+') into
 * OUT: *out, which must lie in [min, max].
 * Returns KILN_OK, KILN_ERR_BAD_REQUEST (not a number, empty, trailing junk)
 * or KILN_ERR_RANGE (a number outside [min, max] or beyond int64). */
enum kiln_err parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Same for the first n bytes of s (s need not be NUL-terminated). */
enum kiln_err parse_i64n(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* "true|yes|on|1" / "false|no|off|0" (case-insensitive) into OUT: *out. */
enum kiln_err parse_bool(const char *s, int *out);

/* A byte size with optional k/m/g suffix (powers of 1024), e.g. "8g", "512k",
 * "1048576", into OUT: *out within [min, max]. */
enum kiln_err parse_size(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
