/* SPDX-License-Identifier: MIT */
/* multipart.h: a streaming (push) multipart/form-data parser in constant
 * memory: the caller feeds the body in chunks, it calls back with each
 * part's headers and data, so a 1 GiB upload goes straight to disk.
 * Not for: reading the body (fcgi/request.h) or storing files. */
#ifndef KILN_MULTIPART_H
#define KILN_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MP_NAME_MAX 128
#define MP_FILENAME_MAX 255
#define MP_CTYPE_MAX 128
#define MP_BOUNDARY_MAX 70 /* RFC 2046 */
/* Ceiling on mp_limits.max_header_bytes: the header buffer is allocated up
 * front by mp_new, so a larger limit counts as this one. */
#define MP_HEADER_MAX 65536

struct mp_part {
	/* form field name (Content-Disposition name=), 1..MP_NAME_MAX bytes,
	 * no control characters */
	char name[MP_NAME_MAX + 1];
	/* sanitised: basename only (after the last '/' or '\\'), no NUL or
	 * control characters, leading dots dropped (".hidden" -> "hidden"),
	 * cut to MP_FILENAME_MAX bytes without splitting a UTF-8 sequence;
	 * "" when none or when nothing is left. Never to be used as a path. */
	char filename[MP_FILENAME_MAX + 1];
	/* 1 when filename= (or only filename*=) was present: a file part */
	int has_filename;
	/* the part's Content-Type as sent, OWS trimmed; "" when absent */
	char content_type[MP_CTYPE_MAX + 1];
};

struct mp_limits {
	size_t max_parts;        /* parts per body, e.g. 16 */
	size_t max_header_bytes; /* bytes per part's header block, CRLFs and the
				    blank line included, e.g. 8192 */
	uint64_t max_file_bytes; /* data bytes per file part */
	size_t max_field_bytes;  /* data bytes per non-file part, e.g. 1 MiB */
};

struct mp_callbacks {
	/* Each returns 0 to go on, or an enum kiln_err to stop: mp_feed returns
	 * it (a value outside the enum becomes KILN_ERR_INTERNAL). Any may be
	 * NULL. part is borrowed for the call; data is borrowed, n > 0, and a
	 * part's data may arrive in any number of calls. */
	int (*part_begin)(void *ctx, const struct mp_part *part);
	int (*part_data)(void *ctx, const char *data, size_t n);
	int (*part_end)(void *ctx);
};

/* Extracts the boundary from a Content-Type such as
 * 'multipart/form-data; boundary="----x"' (quoted or not, case-insensitive
 * type and parameter names, other parameters allowed) into OUT: out.
 * Returns 0, or -1 with out untouched: NULL, not multipart/form-data, no
 * boundary or two, boundary empty, longer than 70 bytes, ending in a space
 * or with characters RFC 2046 forbids (a space only when quoted). */
int mp_boundary(const char *content_type, char out[MP_BOUNDARY_MAX + 1]);

struct multipart;

/* New parser (caller frees with mp_free); never NULL (aborts on OOM: the
 * size is capped by MP_HEADER_MAX). boundary (as from mp_boundary), lim and
 * cb are borrowed, lim and cb non-NULL: boundary and lim are copied, cb and
 * ctx must outlive the parser. A boundary mp_boundary would refuse (NULL
 * included) gives a parser whose every call returns KILN_ERR_BAD_REQUEST.
 * A limit of 0 allows nothing (max_parts 0: only "--boundary--"). */
struct multipart *mp_new(const char *boundary, const struct mp_limits *lim,
			 const struct mp_callbacks *cb, void *ctx);

/* Frees mp; NULL is fine. Calls no callback. */
void mp_free(struct multipart *mp);

/* Feeds n bytes of body (buf borrowed, any split). Returns KILN_OK,
 * KILN_ERR_BAD_REQUEST (malformed: text after a delimiter other than
 * padding and CRLF or "--", a header line without ':', folded or with a
 * bad name, a NUL, lone CR or bare LF in headers, no Content-Disposition
 * form-data with a non-empty name, two Content-Disposition or Content-Type
 * headers, two name= or filename= parameters, a parameter that is neither
 * token nor quoted-string, control characters in a name or Content-Type
 * (a filename's are dropped), text after the close delimiter other than
 * padding then CRLF and an epilogue), KILN_ERR_TOO_LARGE (a limit, or a
 * name or Content-Type longer than MP_NAME_MAX or MP_CTYPE_MAX), or a
 * callback's error. After an error every later call returns the same
 * error. Every part_begin is followed by one part_end unless an error
 * comes first: then the caller discards the part in progress (its temp
 * file). A part's data comes in at most two part_data calls per feed.
 * The preamble (before the first delimiter) and epilogue are ignored.
 * Nested multipart
 * (multipart/mixed) is not parsed: it is the part's data, and its
 * Content-Type tells the caller. */
enum kiln_err mp_feed(struct multipart *mp, const char *buf, size_t n);

/* The body ended: KILN_OK only if the close delimiter was seen (padding,
 * CRLF and epilogue after it optional); else KILN_ERR_BAD_REQUEST, or the
 * earlier error. Calls no callback. */
enum kiln_err mp_finish(struct multipart *mp);

#endif
