/* SPDX-License-Identifier: MIT */
/* t_multipart.c: lib/multipart.c at every boundary: the delimiter split
 * at every position and fed byte by byte, binary data that mimics it, each
 * limit at and one past, malformed bodies, filename sanitising, mp_boundary. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "suites.h"

#define BND "boundary42"
#define DL "--" BND "\r\n"
#define CD "Content-Disposition: form-data; "
#define CLOSE "\r\n--" BND "--\r\n"
#define LIT(s) (s), (sizeof(s) - 1)

/* Records callbacks as one canonical log: "<B name|filename|has|ctype>",
 * the data bytes, "<E>". Equal logs mean equal callback output. */
struct rec {
	char *log;
	size_t len, cap;
	int in_part;
	int violations; /* data outside a part, n == 0, unterminated strings */
	size_t data_calls;
	int fail_begin, fail_data, fail_end; /* returned by that callback */
};

static void
rec_add(struct rec *r, const char *p, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2 + 256;
		if ((r->log = realloc(r->log, r->cap)) == NULL)
			abort();
	}
	memcpy(r->log + r->len, p, n);
	r->len += n;
}

static void
rec_reset(struct rec *r)
{
	free(r->log);
	memset(r, 0, sizeof(*r));
}

static int
rec_begin(void *ctx, const struct mp_part *part)
{
	struct rec *r = ctx;
	char buf[MP_NAME_MAX + MP_FILENAME_MAX + MP_CTYPE_MAX + 32];
	int n;

	if (r->in_part || memchr(part->name, '\0', sizeof(part->name)) == NULL ||
	    memchr(part->filename, '\0', sizeof(part->filename)) == NULL ||
	    memchr(part->content_type, '\0', sizeof(part->content_type)) == NULL)
		r->violations++;
	r->in_part = 1;
	n = snprintf(buf, sizeof(buf), "<B %s|%s|%d|%s>", part->name, part->filename,
		     part->has_filename, part->content_type);
	rec_add(r, buf, (size_t)n);
	return r->fail_begin;
}

static int
rec_data(void *ctx, const char *data, size_t n)
{
	struct rec *r = ctx;

	if (!r->in_part || n == 0)
		r->violations++;
	r->data_calls++;
	rec_add(r, data, n);
	return r->fail_data;
}

static int
rec_end(void *ctx)
{
	struct rec *r = ctx;

	if (!r->in_part)
		r->violations++;
	r->in_part = 0;
	rec_add(r, LIT("<E>"));
	return r->fail_end;
}

static const struct mp_callbacks rec_cb = {rec_begin, rec_data, rec_end};
static const struct mp_limits lim_default = {16, 8192, 1 << 20, 1 << 16};

/* Feeds body in pieces of stride bytes (0: all at once), then finishes.
 * Checks that an error sticks. */
static enum kiln_err
run_lim(const char *body, size_t len, size_t stride, const struct mp_limits *lim, struct rec *r)
{
	struct multipart *mp = mp_new(BND, lim, &rec_cb, r);
	enum kiln_err rc = KILN_OK;
	size_t off, n;

	if (stride == 0)
		stride = len > 0 ? len : 1;
	for (off = 0; off < len && rc == KILN_OK; off += n) {
		n = len - off < stride ? len - off : stride;
		rc = mp_feed(mp, body + off, n);
	}
	if (rc == KILN_OK) {
		rc = mp_finish(mp);
	} else {
		CU_ASSERT_EQUAL(mp_feed(mp, LIT(CLOSE)), rc);
		CU_ASSERT_EQUAL(mp_finish(mp), rc);
	}
	CU_ASSERT_EQUAL(mp_finish(mp), rc);
	mp_free(mp);
	CU_ASSERT_EQUAL(r->violations, 0);
	return rc;
}

static enum kiln_err
run(const char *body, size_t len, size_t stride, struct rec *r)
{
	return run_lim(body, len, stride, &lim_default, r);
}

static int
log_is(const struct rec *r, const char *want, size_t n)
{
	return r->len == n && memcmp(r->log, want, n) == 0;
}

static void
t_mp_fields_and_files(void)
{
	static const char body[] =
	    DL CD "name=\"title\"\r\n"
		  "\r\n"
		  "hello world\r\n" DL CD "name=\"data\"; filename=\"x.csv\"\r\n"
		  "Content-Type: text/csv\r\n"
		  "\r\n"
		  "a,b\r\n1,2\r\n" DL CD "name=n2\r\n"
		  "X-Other: ignored\r\n"
		  "\r\n" CLOSE;
	static const char want[] = "<B title||0|>hello world<E>"
				   "<B data|x.csv|1|text/csv>a,b\r\n1,2<E>"
				   "<B n2||0|><E>";
	struct rec r = {0};

	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_OK);
	CU_ASSERT(log_is(&r, LIT(want)));
	rec_reset(&r);
}

static void
t_mp_empty_file(void)
{
	/* a file input left empty sends filename="" and no data */
	static const char body[] = DL CD "name=\"up\"; filename=\"\"\r\n"
					 "Content-Type: application/octet-stream\r\n"
					 "\r\n"
					 "\r\n" DL CD "name=\"f\"; filename=\"e.txt\"\r\n"
					 "\r\n" CLOSE;
	static const char want[] = "<B up||1|application/octet-stream><E><B f|e.txt|1|><E>";
	struct rec r = {0};

	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_OK);
	CU_ASSERT(log_is(&r, LIT(want)));
	rec_reset(&r);
	/* no parts at all: an empty form */
	CU_ASSERT_EQUAL(run(LIT("--" BND "--\r\n"), 0, &r), KILN_OK);
	CU_ASSERT_EQUAL(r.len, 0);
	rec_reset(&r);
}

/* Data that looks like the delimiter without being it. */
/* clang-format off */
#define TRICKY \
	"\0\x01\xff\r\n--boundary4\r\n--\r\r\n-\r\n-x--" BND "x" BND \
	"\n\r\n\r\r\n--bOUNDARY42\r\r"
/* clang-format on */

static void
t_mp_binary(void)
{
	/* note "\r\n--boundary42x" would be a bad delimiter, so it is not in
	 * TRICKY: there the boundary follows a lone "--" or 'x' */
	static const char body[] = DL CD "name=\"b\"; filename=\"b.bin\"\r\n"
					 "\r\n" TRICKY CLOSE;
	static const char want[] = "<B b|b.bin|1|>" TRICKY "<E>";
	struct rec r = {0};
	size_t stride;

	for (stride = 0; stride <= sizeof(body); stride++) {
		CU_ASSERT_EQUAL(run(LIT(body), stride, &r), KILN_OK);
		CU_ASSERT(log_is(&r, LIT(want)));
		rec_reset(&r);
	}
}

static void
t_mp_many_parts(void)
{
	char body[4096], want[4096];
	size_t blen = 0, wlen = 0, i;
	struct rec r = {0};

	for (i = 0; i < 16; i++) {
		blen +=
		    (size_t)snprintf(body + blen, sizeof(body) - blen,
				     "%s" DL CD "name=\"f%zu\"\r\n\r\nv%zu", i ? "\r\n" : "", i, i);
		wlen +=
		    (size_t)snprintf(want + wlen, sizeof(want) - wlen, "<B f%zu||0|>v%zu<E>", i, i);
	}
	memcpy(body + blen, LIT(CLOSE));
	blen += sizeof(CLOSE) - 1;
	CU_ASSERT_EQUAL(run(body, blen, 0, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, wlen));
	rec_reset(&r);
	CU_ASSERT_EQUAL(run(body, blen, 1, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, wlen));
	rec_reset(&r);
}

/* Preamble with a partial delimiter, padding, binary data, an empty file,
 * an epilogue with a delimiter in it. */
static const char sample[] =
    "preamble \r\n--boundary4 not yet --" BND "\r\n" DL CD "name=\"title\"\r\n"
    "\r\n"
    "hello world\r\n--" BND " \t\r\n"
    "content-disposition: form-data; name=notes; filename=\"a.bin\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n" TRICKY "\r\n" DL CD "name=\"empty\"; filename=\"\"\r\n"
    "\r\n" CLOSE "epilogue \r\n--" BND "\r\n junk";
static const char sample_want[] = "<B title||0|>hello world<E>"
				  "<B notes|a.bin|1|application/octet-stream>" TRICKY "<E>"
				  "<B empty||1|><E>";

/* Feeds sample cut at the given offsets (ascending). */
static enum kiln_err
run_cuts(const size_t *cuts, size_t ncuts, struct rec *r)
{
	struct multipart *mp = mp_new(BND, &lim_default, &rec_cb, r);
	size_t prev = 0, i, len = sizeof(sample) - 1;
	enum kiln_err rc = KILN_OK;

	for (i = 0; i <= ncuts && rc == KILN_OK; i++) {
		size_t at = i < ncuts ? cuts[i] : len;

		rc = mp_feed(mp, sample + prev, at - prev);
		prev = at;
	}
	if (rc == KILN_OK)
		rc = mp_finish(mp);
	mp_free(mp);
	return rc;
}

static void
t_mp_every_split(void)
{
	size_t cuts[2], len = sizeof(sample) - 1, bad = 0;
	struct rec r = {0};

	CU_ASSERT_EQUAL(run(LIT(sample), 0, &r), KILN_OK);
	CU_ASSERT(log_is(&r, LIT(sample_want)));
	rec_reset(&r);
	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		if (run_cuts(cuts, 1, &r) != KILN_OK || !log_is(&r, LIT(sample_want)) ||
		    r.violations)
			bad++;
		rec_reset(&r);
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			if (run_cuts(cuts, 2, &r) != KILN_OK || !log_is(&r, LIT(sample_want)) ||
			    r.violations)
				bad++;
			rec_reset(&r);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
t_mp_byte_by_byte(void)
{
	size_t stride, bad = 0;
	struct rec r = {0};

	for (stride = 1; stride <= sizeof(sample); stride++) {
		if (run(LIT(sample), stride, &r) != KILN_OK || !log_is(&r, LIT(sample_want)))
			bad++;
		rec_reset(&r);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A large file in 4 KiB chunks whose data is full of CRs and delimiter
 * prefixes: delivered exactly, in at most two calls per feed (a held
 * delimiter prefix that turned out to be data, then the rest). */
static void
t_mp_large_stream(void)
{
	static const char head[] = DL CD "name=\"f\"; filename=\"big\"\r\n\r\n";
	static const char pat[] = "\r\n--boundary4\r\n-\r";
	size_t dlen = (size_t)3 << 20, blen, i;
	char *body = malloc(sizeof(head) + dlen + sizeof(CLOSE));
	struct mp_limits lim = lim_default;
	struct rec r = {0};

	if (body == NULL)
		abort();
	memcpy(body, LIT(head));
	for (i = 0; i < dlen; i++)
		body[sizeof(head) - 1 + i] = i % 7 != 0    ? pat[i % (sizeof(pat) - 1)]
					     : (i / 7) % 2 ? '\0'
							   : (char)(0x80 | (i & 0x7f));
	memcpy(body + sizeof(head) - 1 + dlen, LIT(CLOSE));
	blen = sizeof(head) - 1 + dlen + sizeof(CLOSE) - 1;
	lim.max_file_bytes = dlen;
	CU_ASSERT_EQUAL(run_lim(body, blen, 4096, &lim, &r), KILN_OK);
	CU_ASSERT_EQUAL(r.len, sizeof("<B f|big|1|>") - 1 + dlen + 3);
	CU_ASSERT(r.data_calls <= 2 * (blen / 4096 + 1));
	CU_ASSERT(r.len > 20 &&
		  memcmp(r.log + sizeof("<B f|big|1|>") - 1, body + sizeof(head) - 1, dlen) == 0);
	rec_reset(&r);
	free(body);
}

/* One part: headers (each line with CRLF) and n data bytes cycling
 * through delimiter prefixes. Returns the body's length. */
static size_t
one_part(char *out, size_t cap, const char *headers, size_t n)
{
	static const char pat[] = "\r\n--boundary4";
	size_t len = 0, i;

	len += (size_t)snprintf(out, cap, DL "%s\r\n", headers);
	for (i = 0; i < n && len < cap; i++)
		out[len++] = pat[i % (sizeof(pat) - 1)];
	if (len + sizeof(CLOSE) > cap)
		abort();
	memcpy(out + len, LIT(CLOSE));
	return len + sizeof(CLOSE) - 1;
}

static void
t_mp_limit_parts(void)
{
	struct mp_limits lim = lim_default;
	char body[1024];
	size_t blen = 0, i;
	struct rec r = {0};

	for (i = 0; i < 4; i++)
		blen += (size_t)snprintf(body + blen, sizeof(body) - blen,
					 "%s" DL CD "name=\"p%zu\"\r\n\r\nx", i ? "\r\n" : "", i);
	memcpy(body + blen, LIT(CLOSE));
	blen += sizeof(CLOSE) - 1;
	lim.max_parts = 4;
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_OK);
	rec_reset(&r);
	CU_ASSERT_EQUAL(run_lim(body, blen, 1, &lim, &r), KILN_OK);
	rec_reset(&r);
	lim.max_parts = 3;
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_ERR_TOO_LARGE);
	rec_reset(&r);
	CU_ASSERT_EQUAL(run_lim(body, blen, 1, &lim, &r), KILN_ERR_TOO_LARGE);
	rec_reset(&r);
	lim.max_parts = 0;
	CU_ASSERT_EQUAL(run_lim(LIT("--" BND "--"), 0, &lim, &r), KILN_OK);
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_ERR_TOO_LARGE);
	CU_ASSERT_EQUAL(r.len, 0);
	rec_reset(&r);
}

static void
t_mp_limit_header_bytes(void)
{
	/* the header block: both lines with their CRLF and the blank line */
	static const char hdr[] = CD "name=\"a\"\r\nContent-Type: text/plain\r\n";
	static const char hdr1[] = CD "name=\"ab\"\r\nContent-Type: text/plain\r\n";
	struct mp_limits lim = lim_default;
	char body[512];
	size_t blen, stride;
	struct rec r = {0};

	lim.max_header_bytes = sizeof(hdr) - 1 + 2;
	blen = one_part(body, sizeof(body), hdr, 3);
	for (stride = 0; stride < 3; stride++) {
		CU_ASSERT_EQUAL(run_lim(body, blen, stride, &lim, &r), KILN_OK);
		rec_reset(&r);
	}
	blen = one_part(body, sizeof(body), hdr1, 3);
	for (stride = 0; stride < 3; stride++) {
		CU_ASSERT_EQUAL(run_lim(body, blen, stride, &lim, &r), KILN_ERR_TOO_LARGE);
		CU_ASSERT_EQUAL(r.len, 0);
		rec_reset(&r);
	}
	/* the cap above which max_header_bytes is not honoured */
	lim.max_header_bytes = SIZE_MAX;
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_OK);
	rec_reset(&r);
}

/* A part with headers hdr under lim, where max is lim's data limit for
 * that kind of part: max data bytes pass, max + 1 are refused, fed at once
 * and byte by byte. */
static void
limit_data(const char *hdr, struct mp_limits *lim, uint64_t max)
{
	size_t cap = (size_t)max + 512, blen, stride;
	char *body = malloc(cap);
	struct rec r = {0};

	if (body == NULL)
		abort();
	for (stride = 0; stride < 2; stride++) {
		blen = one_part(body, cap, hdr, (size_t)max);
		CU_ASSERT_EQUAL(run_lim(body, blen, stride, lim, &r), KILN_OK);
		rec_reset(&r);
		blen = one_part(body, cap, hdr, (size_t)max + 1);
		CU_ASSERT_EQUAL(run_lim(body, blen, stride, lim, &r), KILN_ERR_TOO_LARGE);
		CU_ASSERT_EQUAL(r.in_part, 1);
		rec_reset(&r);
	}
	free(body);
}

static void
t_mp_limit_data_bytes(void)
{
	static const char file[] = CD "name=\"f\"; filename=\"f\"\r\n";
	static const char field[] = CD "name=\"f\"\r\n";
	struct mp_limits lim = lim_default;
	char body[512];
	size_t blen;
	struct rec r = {0};

	lim.max_file_bytes = 100;
	lim.max_field_bytes = 10;
	limit_data(file, &lim, 100);
	limit_data(field, &lim, 10);
	/* each part kind has its own limit */
	blen = one_part(body, sizeof(body), field, 11);
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_ERR_TOO_LARGE);
	rec_reset(&r);
	blen = one_part(body, sizeof(body), file, 11);
	CU_ASSERT_EQUAL(run_lim(body, blen, 0, &lim, &r), KILN_OK);
	rec_reset(&r);
	/* 0 allows only empty parts */
	lim.max_file_bytes = 0;
	lim.max_field_bytes = 0;
	limit_data(file, &lim, 0);
	limit_data(field, &lim, 0);
}

/* name and Content-Type lengths: MP_NAME_MAX / MP_CTYPE_MAX fit, one
 * more is TOO_LARGE. */
static void
t_mp_limit_name_ctype(void)
{
	char hdr[512], body[1024], want[512];
	size_t blen;
	struct rec r = {0};

	snprintf(hdr, sizeof(hdr), CD "name=\"%0*d\"\r\n", MP_NAME_MAX, 0);
	blen = one_part(body, sizeof(body), hdr, 0);
	CU_ASSERT_EQUAL(run(body, blen, 0, &r), KILN_OK);
	snprintf(want, sizeof(want), "<B %0*d||0|><E>", MP_NAME_MAX, 0);
	CU_ASSERT(log_is(&r, want, strlen(want)));
	rec_reset(&r);
	snprintf(hdr, sizeof(hdr), CD "name=\"%0*d\"\r\n", MP_NAME_MAX + 1, 0);
	blen = one_part(body, sizeof(body), hdr, 0);
	CU_ASSERT_EQUAL(run(body, blen, 0, &r), KILN_ERR_TOO_LARGE);
	rec_reset(&r);
	snprintf(hdr, sizeof(hdr), CD "name=a\r\nContent-Type: %0*d\r\n", MP_CTYPE_MAX, 0);
	blen = one_part(body, sizeof(body), hdr, 0);
	CU_ASSERT_EQUAL(run(body, blen, 0, &r), KILN_OK);
	rec_reset(&r);
	snprintf(hdr, sizeof(hdr), CD "name=a\r\nContent-Type: %0*d\r\n", MP_CTYPE_MAX + 1, 0);
	blen = one_part(body, sizeof(body), hdr, 0);
	CU_ASSERT_EQUAL(run(body, blen, 0, &r), KILN_ERR_TOO_LARGE);
	rec_reset(&r);
}

static void
t_mp_malformed(void)
{
	static const struct {
		const char *body;
		size_t len;
	} bad[] = {
	    {LIT("")},                                          /* nothing: no close */
	    {LIT("just a preamble")},                           /* no delimiter */
	    {LIT(DL CD "name=a\r\n\r\ndata")},                  /* no close delimiter */
	    {LIT(DL CD "name=a\r\n\r\ndata\r\n--" BND)},        /* ends on a delimiter */
	    {LIT(DL CD "name=a\r\n\r\ndata\r\n--" BND "-")},    /* half a close */
	    {LIT("--" BND "--garbage\r\n")},                    /* text after "--" */
	    {LIT("--" BND "-x\r\n")},                           /* one dash */
	    {LIT("--" BND "x\r\n" CD "name=a\r\n\r\n" CLOSE)},  /* first delimiter longer */
	    {LIT(DL CD "name=a\r\n\r\nd\r\n--" BND "x" CLOSE)}, /* inner delimiter longer */
	    {LIT("--" BND " x\r\n" CD "name=a\r\n\r\n" CLOSE)}, /* text after padding */
	    {LIT("--" BND "\rx" CD "name=a\r\n\r\n" CLOSE)},    /* CR without LF */
	    {LIT("--" BND "--\rx")},                            /* after the close */
	    {LIT("--" BND "-- x")},                             /* after close padding */
	    {LIT(DL "Content-Disposition form-data; name=a\r\n\r\n" CLOSE)}, /* no colon */
	    {LIT(DL ": x\r\n" CD "name=a\r\n\r\n" CLOSE)},                   /* no header name */
	    {LIT(DL "Content-Disposition : form-data; name=a\r\n\r\n" CLOSE)},
	    {LIT(DL "\r\n" CLOSE)},                                   /* no headers */
	    {LIT(DL "Content-Type: text/plain\r\n\r\n" CLOSE)},       /* no disposition */
	    {LIT(DL CD "filename=\"a\"\r\n\r\n" CLOSE)},              /* no name */
	    {LIT(DL CD "name=\"\"\r\n\r\n" CLOSE)},                   /* empty name */
	    {LIT(DL "Content-Disposition: form-data\r\n\r\n" CLOSE)}, /* no params */
	    {LIT(DL "Content-Disposition: attachment; name=a\r\n\r\n" CLOSE)},
	    {LIT(DL "Content-Disposition: form-data; name=a\r\n\tfilename=b\r\n\r\n" CLOSE)},
	    {LIT(DL "Content-Disposition: form-data;\r\n name=a\r\n\r\n" CLOSE)}, /* folded */
	    {LIT(DL CD "name=a\r\n" CD "name=b\r\n\r\n" CLOSE)},                  /* two CD */
	    {LIT(DL CD "name=a\r\nContent-Type: a\r\ncontent-type: b\r\n\r\n" CLOSE)},
	    {LIT(DL CD "name=a; name=b\r\n\r\n" CLOSE)},                 /* name twice */
	    {LIT(DL CD "name=a; filename=b; filename=c\r\n\r\n" CLOSE)}, /* filename twice */
	    {LIT(DL CD "name=\"a\r\n\r\n" CLOSE)},                       /* open quote */
	    {LIT(DL CD "name=a b\r\n\r\n" CLOSE)},                       /* not a token */
	    {LIT(DL CD "name\r\n\r\n" CLOSE)},                           /* no '=' */
	    {LIT(DL CD "name=\r\n\r\n" CLOSE)},                          /* empty value */
	    {LIT(DL CD "name=a;; x\r\n\r\n" CLOSE)},                     /* empty param */
	    {LIT(DL CD "name=\"a\x01\"\r\n\r\n" CLOSE)},                 /* CTL in name */
	    {LIT(DL CD "name=a\r\nContent-Type: a\x01\r\n\r\n" CLOSE)},  /* CTL in ctype */
	    {LIT(DL CD "name=a\r\nX-A: b\0c\r\n\r\n" CLOSE)},            /* NUL */
	    {LIT(DL CD "name=\"a\0\"\r\n\r\n" CLOSE)},                   /* NUL */
	    {LIT(DL CD "name=a\nX: y\r\n\r\n" CLOSE)},                   /* bare LF */
	    {LIT(DL CD "name=a\rX: y\r\n\r\n" CLOSE)},                   /* lone CR */
	    {LIT(DL CD "name=a\r\n\n" CLOSE)},                           /* LF blank line */
	};
	struct rec r = {0};
	size_t i, stride;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (stride = 0; stride < 3; stride++) {
			if (run(bad[i].body, bad[i].len, stride, &r) != KILN_ERR_BAD_REQUEST) {
				printf("\n  malformed case %zu (stride %zu) not refused\n", i,
				       stride);
				CU_FAIL("a malformed body was accepted");
			}
			rec_reset(&r);
		}
	}
}

static void
t_mp_preamble_epilogue(void)
{
	static const char body[] = "This is the preamble.\r\n--boundary4-\r\n--" BND "\t\r\n" CD
				   "name=a\r\n\r\nv" CLOSE "epilogue\r\n--" BND "--\r\n\0junk";
	static const char pad[] = "\r\n--" BND " \r\n" CD "name=a\r\n\r\nv\r\n--" BND "-- \t";
	struct rec r = {0};
	size_t stride;

	for (stride = 0; stride < 4; stride++) {
		CU_ASSERT_EQUAL(run(LIT(body), stride, &r), KILN_OK);
		CU_ASSERT(log_is(&r, LIT("<B a||0|>v<E>")));
		rec_reset(&r);
		/* a CRLF before the first delimiter; padding, no CRLF at the end */
		CU_ASSERT_EQUAL(run(LIT(pad), stride, &r), KILN_OK);
		CU_ASSERT(log_is(&r, LIT("<B a||0|>v<E>")));
		rec_reset(&r);
		/* close delimiter ended by a lone CR */
		CU_ASSERT_EQUAL(run(LIT("--" BND "--\r"), stride, &r), KILN_OK);
		rec_reset(&r);
	}
}

/* multipart/mixed inside a part is not parsed: it is that part's data. */
static void
t_mp_nested_is_data(void)
{
	static const char inner[] = "--inner\r\nContent-Disposition: file; filename=\"a\"\r\n"
				    "\r\nx\r\n--inner--";
	static const char body[] = DL CD "name=\"files\"\r\n"
					 "Content-Type: multipart/mixed; boundary=inner\r\n"
					 "\r\n"
					 "--inner\r\nContent-Disposition: file; filename=\"a\"\r\n"
					 "\r\nx\r\n--inner--" CLOSE;
	static const char want[] = "<B files||0|multipart/mixed; boundary=inner>"
				   "--inner\r\n"
				   "Content-Disposition: file; filename=\"a\"\r\n"
				   "\r\nx\r\n--inner--"
				   "<E>";
	struct rec r = {0};

	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_OK);
	CU_ASSERT(log_is(&r, LIT(want)));
	CU_ASSERT(r.len > sizeof(inner));
	rec_reset(&r);
}

static int
nop_begin(void *ctx, const struct mp_part *part)
{
	(void)ctx;
	(void)part;
	return 0;
}

static void
t_mp_callback_errors(void)
{
	static const char body[] = DL CD "name=a\r\n\r\nvalue" CLOSE;
	static const struct mp_callbacks none = {NULL, NULL, NULL};
	static const struct mp_callbacks only_begin = {nop_begin, NULL, NULL};
	struct multipart *mp;
	struct rec r = {0};

	r.fail_begin = KILN_ERR_FORBIDDEN;
	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_ERR_FORBIDDEN);
	CU_ASSERT(log_is(&r, LIT("<B a||0|>")));
	rec_reset(&r);
	r.fail_data = KILN_ERR_IO;
	CU_ASSERT_EQUAL(run(LIT(body), 1, &r), KILN_ERR_IO);
	CU_ASSERT(log_is(&r, LIT("<B a||0|>v")));
	rec_reset(&r);
	r.fail_end = KILN_ERR_NOMEM;
	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_ERR_NOMEM);
	rec_reset(&r);
	r.fail_data = -5; /* not an enum kiln_err */
	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_ERR_INTERNAL);
	rec_reset(&r);
	r.fail_begin = KILN_ERR__COUNT;
	CU_ASSERT_EQUAL(run(LIT(body), 0, &r), KILN_ERR_INTERNAL);
	rec_reset(&r);
	/* NULL callbacks are skipped; limits still hold */
	mp = mp_new(BND, &lim_default, &none, NULL);
	CU_ASSERT_EQUAL(mp_feed(mp, LIT(body)), KILN_OK);
	CU_ASSERT_EQUAL(mp_finish(mp), KILN_OK);
	mp_free(mp);
	mp = mp_new(BND, &lim_default, &only_begin, NULL);
	CU_ASSERT_EQUAL(mp_feed(mp, LIT(body)), KILN_OK);
	CU_ASSERT_EQUAL(mp_finish(mp), KILN_OK);
	mp_free(mp);
	mp_free(NULL);
}

#define B70 "'()+_,-./:=? 012345678901234567890123456789012345678901234567890123456"

static void
t_mp_bad_boundary(void)
{
	static const char *const bad[] = {NULL,
					  "",
					  "a\r\nb",
					  "ab ",
					  "a\"b",
					  "0123456789012345678901234567890123456789"
					  "0123456789012345678901234567890"};
	struct multipart *mp;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mp = mp_new(bad[i], &lim_default, &rec_cb, NULL);
		CU_ASSERT_EQUAL(mp_feed(mp, LIT("--x--\r\n")), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_EQUAL(mp_finish(mp), KILN_ERR_BAD_REQUEST);
		mp_free(mp);
	}
	/* 70 bytes, spaces and every other bchar are fine */
	mp = mp_new(B70, &lim_default, &rec_cb, NULL);
	CU_ASSERT_EQUAL(strlen(B70), MP_BOUNDARY_MAX);
	CU_ASSERT_EQUAL(mp_feed(mp, LIT("--" B70 "--")), KILN_OK);
	CU_ASSERT_EQUAL(mp_finish(mp), KILN_OK);
	mp_free(mp);
}

/* The part a single Content-Disposition value gives, or the error. */
static enum kiln_err
disposition(const char *value, struct rec *r)
{
	char hdr[1024], body[2048];
	size_t blen;

	if (snprintf(hdr, sizeof(hdr), "Content-Disposition: %s\r\n", value) >= (int)sizeof(hdr))
		abort();
	blen = one_part(body, sizeof(body), hdr, 0);
	return run(body, blen, 0, r);
}

static void
t_mp_filename(void)
{
	static const struct {
		const char *cd, *want;
	} cases[] = {
	    {"form-data; name=f; filename=\"../../etc/passwd\"", "<B f|passwd|1|><E>"},
	    {"form-data; name=f; filename=\"C:\\x\\evil.exe\"", "<B f|evil.exe|1|><E>"},
	    {"form-data; name=f; filename=\"C:\\\\x\\\\evil.exe\"", "<B f|evil.exe|1|><E>"},
	    {"form-data; name=f; filename=\"\\\\srv\\share\\a.txt\"", "<B f|a.txt|1|><E>"},
	    {"form-data; name=f; filename=\".hidden\"", "<B f|hidden|1|><E>"},
	    {"form-data; name=f; filename=\"...x.y.\"", "<B f|x.y.|1|><E>"},
	    {"form-data; name=f; filename=\"..\"", "<B f||1|><E>"},
	    {"form-data; name=f; filename=\"dir/\"", "<B f||1|><E>"},
	    {"form-data; name=f; filename=\"a/.b/..c\"", "<B f|c|1|><E>"},
	    {"form-data; name=f; filename=\"\x01.\x1b[31m\tred\x7f.txt\"",
	     "<B f|[31mred.txt|1|><E>"},
	    {"form-data; name=f; filename=\"a\\\"b.txt\"", "<B f|a\"b.txt|1|><E>"},
	    {"form-data; name=f; filename=\"caf\xc3\xa9 x.csv\"", "<B f|caf\xc3\xa9 x.csv|1|><E>"},
	    {"form-data; name=f; filename=report.csv", "<B f|report.csv|1|><E>"},
	    {"form-data; name=f; filename*=UTF-8''a%20b.txt", "<B f||1|><E>"},
	    {"form-data; name=f; filename*=UTF-8''x.txt; filename=\"y.txt\"", "<B f|y.txt|1|><E>"},
	    {"FORM-DATA; NAME=\"f\"; FileName=\"a.txt\"; size=3", "<B f|a.txt|1|><E>"},
	    {"form-data ; name = \"f\" ; filename=a.txt ;", "<B f|a.txt|1|><E>"},
	    {"form-data; name=\"a;b=c\\\"d\"", "<B a;b=c\"d||0|><E>"},
	    {"form-data; name=\"caf\xc3\xa9\"", "<B caf\xc3\xa9||0|><E>"},
	};
	struct rec r = {0};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(disposition(cases[i].cd, &r), KILN_OK);
		if (!log_is(&r, cases[i].want, strlen(cases[i].want))) {
			printf("\n  filename case %zu: got %.*s\n", i, (int)r.len, r.log);
			CU_FAIL("sanitised part differs");
		}
		rec_reset(&r);
	}
}

/* Filenames longer than MP_FILENAME_MAX are cut, never inside a UTF-8
 * sequence. */
static void
t_mp_filename_long(void)
{
	char cd[1024], want[1024], name[600];
	struct rec r = {0};

	memset(name, 'a', 300);
	name[300] = '\0';
	snprintf(cd, sizeof(cd), "form-data; name=f; filename=\"x/%s\"", name);
	snprintf(want, sizeof(want), "<B f|%.*s|1|><E>", MP_FILENAME_MAX, name);
	CU_ASSERT_EQUAL(disposition(cd, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, strlen(want)));
	rec_reset(&r);
	/* 254 + a 2-byte character: cut before it */
	memcpy(name + 254, "\xc3\xa9zz", 5);
	snprintf(cd, sizeof(cd), "form-data; name=f; filename=\"%s\"", name);
	snprintf(want, sizeof(want), "<B f|%.*s|1|><E>", 254, name);
	CU_ASSERT_EQUAL(disposition(cd, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, strlen(want)));
	rec_reset(&r);
	/* 253 + a 2-byte character: exactly 255, kept whole */
	memcpy(name + 253, "\xc3\xa9zz", 5);
	snprintf(cd, sizeof(cd), "form-data; name=f; filename=\"%s\"", name);
	snprintf(want, sizeof(want), "<B f|%.*s|1|><E>", 255, name);
	CU_ASSERT_EQUAL(disposition(cd, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, strlen(want)));
	rec_reset(&r);
	/* 252 + a 4-byte character: cut before it */
	memcpy(name + 252, "\xf0\x9f\x94\xa5z", 6);
	snprintf(cd, sizeof(cd), "form-data; name=f; filename=\"%s\"", name);
	snprintf(want, sizeof(want), "<B f|%.*s|1|><E>", 252, name);
	CU_ASSERT_EQUAL(disposition(cd, &r), KILN_OK);
	CU_ASSERT(log_is(&r, want, strlen(want)));
	rec_reset(&r);
}

static void
t_mp_boundary(void)
{
	static const struct {
		const char *ct, *want;
	} good[] = {
	    {"multipart/form-data; boundary=abc", "abc"},
	    {"multipart/form-data; boundary=\"----x\"", "----x"},
	    {"Multipart/Form-Data; BOUNDARY=abc", "abc"},
	    {"multipart/form-data;boundary=abc", "abc"},
	    {"  multipart/form-data ; boundary=abc  ", "abc"},
	    {"multipart/form-data; charset=utf-8; boundary=abc", "abc"},
	    {"multipart/form-data; boundary=abc; charset=\"utf\\\"8\"", "abc"},
	    {"multipart/form-data; boundary=\"a b\"", "a b"},
	    {"multipart/form-data; boundary=a:b/c=d?(e),f'g+h_i.j", "a:b/c=d?(e),f'g+h_i.j"},
	    {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
	     "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
	    {"multipart/form-data; boundary=0123456789012345678901234567890123456789"
	     "012345678901234567890123456789",
	     "0123456789012345678901234567890123456789012345678901234567890123456789"},
	    {"multipart/form-data; boundary=\"0123456789012345678901234567890123456789"
	     "012345678901234567890123456789\"",
	     "0123456789012345678901234567890123456789012345678901234567890123456789"},
	};
	static const char *const bad[] = {
	    NULL,
	    "",
	    "text/plain; boundary=abc",
	    "multipart/mixed; boundary=abc",
	    "multipart/form-data",
	    "multipart/form-data;",
	    "multipart/form-datax; boundary=abc",
	    "multipart/form-data boundary=abc",
	    "multipart/form-data; boundary=",
	    "multipart/form-data; boundary=\"\"",
	    "multipart/form-data; boundary=\"abc",
	    "multipart/form-data; boundary=\"ab \"",
	    "multipart/form-data; boundary=a b",
	    "multipart/form-data; boundary=a@b",
	    "multipart/form-data; boundary=\"a\\\"b\"",
	    "multipart/form-data; boundary=\"a\r\nb\"",
	    "multipart/form-data; boundary=abc; boundary=abc",
	    "multipart/form-data; =abc; boundary=abc",
	    "multipart/form-data; charset; boundary=abc",
	    "multipart/form-data; charset=\"x; boundary=abc",
	    "multipart/form-data; boundary=0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890",
	    "multipart/form-data; boundary=\"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890\"",
	};
	char out[MP_BOUNDARY_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(out, '#', sizeof(out));
		CU_ASSERT_EQUAL(mp_boundary(good[i].ct, out), 0);
		CU_ASSERT_STRING_EQUAL(out, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(out, "untouched", 10);
		if (mp_boundary(bad[i], out) != -1 || strcmp(out, "untouched") != 0) {
			printf("\n  mp_boundary case %zu accepted\n", i);
			CU_FAIL("a bad Content-Type gave a boundary");
		}
	}
}

void
suite_multipart(void)
{
	CU_pSuite s = CU_add_suite("multipart", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "fields and files", t_mp_fields_and_files);
	CU_add_test(s, "empty file and empty form", t_mp_empty_file);
	CU_add_test(s, "binary data mimicking the delimiter, every stride", t_mp_binary);
	CU_add_test(s, "16 parts", t_mp_many_parts);
	CU_add_test(s, "every 2- and 3-piece split gives the same callbacks", t_mp_every_split);
	CU_add_test(s, "every stride from byte by byte up", t_mp_byte_by_byte);
	CU_add_test(s, "3 MiB file streamed in 4 KiB chunks", t_mp_large_stream);
	CU_add_test(s, "max_parts at and one past", t_mp_limit_parts);
	CU_add_test(s, "max_header_bytes at and one past", t_mp_limit_header_bytes);
	CU_add_test(s, "max_file_bytes and max_field_bytes at and one past", t_mp_limit_data_bytes);
	CU_add_test(s, "name and Content-Type length caps", t_mp_limit_name_ctype);
	CU_add_test(s, "malformed bodies are 400", t_mp_malformed);
	CU_add_test(s, "preamble, padding and epilogue ignored", t_mp_preamble_epilogue);
	CU_add_test(s, "nested multipart/mixed is data", t_mp_nested_is_data);
	CU_add_test(s, "callback errors stop and stick", t_mp_callback_errors);
	CU_add_test(s, "invalid boundary given to mp_new", t_mp_bad_boundary);
	CU_add_test(s, "filename sanitising and parameter syntax", t_mp_filename);
	CU_add_test(s, "long filenames cut at a UTF-8 boundary", t_mp_filename_long);
	CU_add_test(s, "mp_boundary", t_mp_boundary);
}
