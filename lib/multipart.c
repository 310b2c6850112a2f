/* SPDX-License-Identifier: MIT */
/* multipart.c: the streaming multipart/form-data parser behind multipart.h.
 * A byte-driven state machine; part data is never buffered, only the
 * current header line is. Not for: deciding what a part means (handlers). */
#include "multipart.h"

#include <stdlib.h>
#include <string.h>

/* "\r\n--" + boundary */
#define MP_DELIM_MAX (4 + MP_BOUNDARY_MAX)

enum mp_state {
	MP_PREAMBLE,   /* looking for the first delimiter, discarding */
	MP_DELIM_TAIL, /* just after a delimiter: "--", padding or CRLF */
	MP_DELIM_PAD,  /* transport padding after a delimiter */
	MP_DELIM_LF,   /* CR seen after a delimiter */
	MP_CLOSE_DASH, /* one '-' seen after a delimiter */
	MP_HEADER,     /* in a header line */
	MP_HEADER_LF,  /* CR seen in the header block */
	MP_BODY,       /* part data, looking for the next delimiter */
	MP_CLOSE_PAD,  /* after the close delimiter: padding */
	MP_CLOSE_LF,   /* CR seen after the close delimiter */
	MP_EPILOGUE    /* after the close delimiter's CRLF: ignored */
};

struct multipart {
	enum mp_state state;
	enum kiln_err err; /* sticky once set */
	struct mp_limits lim;
	const struct mp_callbacks *cb;
	void *ctx;
	/* The delimiter and how much of it is matched. Held bytes are always
	 * delim[0..matched), so no holdback buffer: a mismatch re-emits them
	 * from delim. The boundary has no CR, so after a mismatch the only
	 * restart point is the current byte itself (when it is CR). */
	char delim[MP_DELIM_MAX + 1];
	size_t delim_len;
	size_t matched;
	size_t parts;        /* parts begun */
	uint64_t data_bytes; /* data delivered for the current part */
	size_t header_bytes; /* bytes of the current header block */
	int seen_disposition;
	int seen_ctype;
	struct mp_part part;
	size_t line_len;
	char line[]; /* lim.max_header_bytes + 1 */
};

/* RFC 2046 bcharsnospace; a space is a bchar too, but not at the end. */
static int
mp_is_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c != '\0' && strchr("'()+_,-./:=?", c) != NULL);
}

/* RFC 9110 tchar */
static int
mp_is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
mp_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int
mp_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Case-insensitive equality of s[0..n) and the lower-case literal lit. */
static int
mp_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return 1;
}

static int
mp_boundary_ok(const char *b, size_t n)
{
	size_t i;

	if (n == 0 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] != ' ' && !mp_is_bchar((unsigned char)b[i]))
			return 0;
	return 1;
}

static const char *
mp_skip_ows(const char *p, const char *end)
{
	while (p < end && mp_is_ows(*p))
		p++;
	return p;
}

static const char *
mp_skip_token(const char *p, const char *end)
{
	while (p < end && mp_is_tchar((unsigned char)*p))
		p++;
	return p;
}

/* A parameter value at *pp: a token, or a quoted-string decoded into
 * OUT: out (at most cap bytes; longer is an error). A backslash escapes
 * only '"' and '\\': browsers send Windows paths with raw backslashes.
 * Returns the decoded length, or -1 (empty token, unterminated quote,
 * too long); *pp moves past the value. */
static long
mp_param_value(const char **pp, const char *end, char *out, size_t cap)
{
	const char *p = *pp;
	size_t n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n == cap)
				return -1;
			out[n++] = *p;
		}
		if (p == end)
			return -1;
		*pp = p + 1;
		return (long)n;
	}
	for (; p < end && mp_is_tchar((unsigned char)*p); p++) {
		if (n == cap)
			return -1;
		out[n++] = *p;
	}
	if (n == 0)
		return -1;
	*pp = p;
	return (long)n;
}

/* Past a parameter value that is not kept (token or quoted-string);
 * NULL when malformed. */
static const char *
mp_skip_value(const char *p, const char *end)
{
	const char *t;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		return p < end ? p + 1 : NULL;
	}
	t = mp_skip_token(p, end);
	return t != p ? t : NULL;
}

/* The boundary parameter's value at *pp into OUT: val; its length or -1. */
static long
mp_boundary_value(const char **pp, const char *end, char val[MP_BOUNDARY_MAX])
{
	const char *s = *pp, *p = *pp;
	long vlen;

	if (p < end && *p == '"') {
		vlen = mp_param_value(pp, end, val, MP_BOUNDARY_MAX);
	} else {
		/* unquoted: the bchars beyond token (':', '/', '=' ...) are
		 * common in the wild, so take any bchar */
		while (p < end && mp_is_bchar((unsigned char)*p))
			p++;
		if (p - s > MP_BOUNDARY_MAX)
			return -1;
		vlen = (long)(p - s);
		memcpy(val, s, (size_t)vlen);
		*pp = p;
	}
	if (vlen <= 0 || !mp_boundary_ok(val, (size_t)vlen))
		return -1;
	return vlen;
}

int
mp_boundary(const char *content_type, char out[MP_BOUNDARY_MAX + 1])
{
	static const char mtype[] = "multipart/form-data";
	char val[MP_BOUNDARY_MAX];
	const char *p, *end, *name;
	long found = -1;
	size_t nlen;

	if (content_type == NULL)
		return -1;
	end = content_type + strlen(content_type);
	p = mp_skip_ows(content_type, end);
	if ((size_t)(end - p) < sizeof(mtype) - 1 || !mp_ieq(p, sizeof(mtype) - 1, mtype))
		return -1;
	p += sizeof(mtype) - 1;
	for (;;) {
		p = mp_skip_ows(p, end);
		if (p == end)
			break;
		if (*p != ';')
			return -1;
		p = mp_skip_ows(p + 1, end);
		name = p;
		p = mp_skip_token(p, end);
		nlen = (size_t)(p - name);
		p = mp_skip_ows(p, end);
		if (nlen == 0 || p == end || *p != '=')
			return -1;
		p = mp_skip_ows(p + 1, end);
		if (!mp_ieq(name, nlen, "boundary")) {
			if ((p = mp_skip_value(p, end)) == NULL)
				return -1;
			continue;
		}
		if (found >= 0 || (found = mp_boundary_value(&p, end, val)) < 0)
			return -1;
	}
	if (found < 0)
		return -1;
	memcpy(out, val, (size_t)found);
	out[found] = '\0';
	return 0;
}

struct multipart *
mp_new(const char *boundary, const struct mp_limits *lim, const struct mp_callbacks *cb, void *ctx)
{
	struct multipart *mp;
	size_t hmax = lim->max_header_bytes;
	size_t blen;

	if (hmax > MP_HEADER_MAX)
		hmax = MP_HEADER_MAX;
	if ((mp = calloc(1, sizeof(*mp) + hmax + 1)) == NULL)
		abort();
	mp->lim = *lim;
	mp->lim.max_header_bytes = hmax;
	mp->cb = cb;
	mp->ctx = ctx;
	mp->state = MP_PREAMBLE;
	for (blen = 0; boundary != NULL && blen <= MP_BOUNDARY_MAX && boundary[blen] != '\0';)
		blen++;
	if (boundary == NULL || !mp_boundary_ok(boundary, blen)) {
		mp->err = KILN_ERR_BAD_REQUEST;
		return mp;
	}
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen);
	mp->delim_len = 4 + blen;
	/* the first delimiter may open the body without a CRLF before it:
	 * start as if one had been seen */
	mp->matched = 2;
	return mp;
}

void
mp_free(struct multipart *mp)
{
	free(mp);
}

static enum kiln_err
mp_cb_result(int rc)
{
	if (rc == 0)
		return KILN_OK;
	if (rc < 0 || rc >= KILN_ERR__COUNT)
		return KILN_ERR_INTERNAL;
	return (enum kiln_err)rc;
}

/* Part data (or preamble, dropped): limits, then the callback. */
static enum kiln_err
mp_emit(struct multipart *mp, const char *data, size_t n)
{
	uint64_t max =
	    mp->part.has_filename ? mp->lim.max_file_bytes : (uint64_t)mp->lim.max_field_bytes;

	if (mp->state != MP_BODY || n == 0)
		return KILN_OK;
	if (n > max - mp->data_bytes)
		return KILN_ERR_TOO_LARGE;
	mp->data_bytes += n;
	if (mp->cb->part_data == NULL)
		return KILN_OK;
	return mp_cb_result(mp->cb->part_data(mp->ctx, data, n));
}

/* Data or preamble up to the next delimiter, in one callback per feed
 * where possible (a caller writing to disk wants few large writes). Sets
 * *used to the bytes consumed; on reaching a delimiter, *found = 1 and the
 * bytes after it are left for the caller. */
static enum kiln_err
mp_scan(struct multipart *mp, const char *buf, size_t n, size_t *used, int *found)
{
	const char *cr;
	enum kiln_err rc;
	size_t i = 0, start, m = 0;

	*found = 0;
	/* a match held over from the last feed: go on with it */
	while (mp->matched > 0 && i < n) {
		if (buf[i] != mp->delim[mp->matched]) {
			/* the held bytes were data; buf[i] is looked at again */
			rc = mp_emit(mp, mp->delim, mp->matched);
			mp->matched = 0;
			if (rc != KILN_OK)
				return rc;
			break;
		}
		i++;
		if (++mp->matched == mp->delim_len) {
			mp->matched = 0;
			*found = 1;
			*used = i;
			return KILN_OK;
		}
	}
	start = i;
	/* each CR starts a candidate; the delimiter has no other CR */
	while (mp->matched == 0 && i < n) {
		if ((cr = memchr(buf + i, '\r', n - i)) == NULL) {
			i = n;
			break;
		}
		i = (size_t)(cr - buf);
		m = n - i < mp->delim_len ? n - i : mp->delim_len;
		if (memcmp(cr, mp->delim, m) == 0)
			break;
		i++;
	}
	if ((rc = mp_emit(mp, buf + start, i - start)) != KILN_OK)
		return rc;
	if (i < n && m == mp->delim_len) {
		*found = 1;
		i += m;
	} else if (i < n) {
		mp->matched = m; /* the rest of buf is a delimiter's start */
		i = n;
	}
	*used = i;
	return KILN_OK;
}

/* Copies the basename of s[0..n) into OUT: out (see struct mp_part). */
static void
mp_sanitise_filename(char out[MP_FILENAME_MAX + 1], const char *s, size_t n)
{
	size_t i, start = 0, o = 0;
	int leading = 1;

	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	for (i = start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (mp_is_ctl(c) || (leading && c == '.'))
			continue;
		leading = 0;
		if (o == MP_FILENAME_MAX) {
			/* cut inside a UTF-8 sequence: drop its first bytes */
			if ((c & 0xc0) == 0x80) {
				while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
					o--;
				if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
					o--;
			}
			break;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* One parameter of Content-Disposition; value already decoded. */
static enum kiln_err
mp_disposition_param(struct multipart *mp, const char *name, size_t nlen, const char *v,
		     size_t vlen, int *have_name, int *have_filename)
{
	size_t i;

	if (mp_ieq(name, nlen, "name")) {
		if (*have_name)
			return KILN_ERR_BAD_REQUEST;
		*have_name = 1;
		if (vlen == 0)
			return KILN_ERR_BAD_REQUEST;
		if (vlen > MP_NAME_MAX)
			return KILN_ERR_TOO_LARGE;
		for (i = 0; i < vlen; i++)
			if (mp_is_ctl((unsigned char)v[i]))
				return KILN_ERR_BAD_REQUEST;
		memcpy(mp->part.name, v, vlen);
		mp->part.name[vlen] = '\0';
	} else if (mp_ieq(name, nlen, "filename")) {
		if (*have_filename)
			return KILN_ERR_BAD_REQUEST;
		*have_filename = 1;
		mp->part.has_filename = 1;
		mp_sanitise_filename(mp->part.filename, v, vlen);
	} else if (mp_ieq(name, nlen, "filename*")) {
		/* RFC 7578 4.2: not to be used; still marks a file part */
		mp->part.has_filename = 1;
	}
	return KILN_OK;
}

/* Content-Disposition: form-data *( ";" name "=" (token | quoted) ).
 * v is the line buffer, decoded in place (decoding only shrinks). */
static enum kiln_err
mp_disposition(struct multipart *mp, char *v, size_t vlen)
{
	const char *p = v, *end = v + vlen, *name;
	int have_name = 0, have_filename = 0;
	enum kiln_err rc;
	size_t nlen;
	long dlen;
	char *dst;

	p = mp_skip_token(p, end);
	if (!mp_ieq(v, (size_t)(p - v), "form-data"))
		return KILN_ERR_BAD_REQUEST;
	for (;;) {
		p = mp_skip_ows(p, end);
		if (p == end)
			break;
		if (*p != ';')
			return KILN_ERR_BAD_REQUEST;
		p = mp_skip_ows(p + 1, end);
		if (p == end)
			break; /* a trailing ';' */
		name = p;
		p = mp_skip_token(p, end);
		nlen = (size_t)(p - name);
		p = mp_skip_ows(p, end);
		if (nlen == 0 || p == end || *p != '=')
			return KILN_ERR_BAD_REQUEST;
		p = mp_skip_ows(p + 1, end);
		/* decode over the bytes just read: dst never passes p */
		dst = v + (p - v);
		dlen = mp_param_value(&p, end, dst, (size_t)(end - p));
		if (dlen < 0)
			return KILN_ERR_BAD_REQUEST;
		rc = mp_disposition_param(mp, name, nlen, dst, (size_t)dlen, &have_name,
					  &have_filename);
		if (rc != KILN_OK)
			return rc;
	}
	return have_name ? KILN_OK : KILN_ERR_BAD_REQUEST;
}

/* One complete header line (no CRLF, no NUL/CR/LF inside). */
static enum kiln_err
mp_header_line(struct multipart *mp, char *line, size_t len)
{
	char *colon = memchr(line, ':', len);
	char *v, *end = line + len;
	size_t i, vlen;

	/* obs-fold, or a space before the colon: both refused */
	if (colon == NULL || colon == line || mp_skip_token(line, colon) != colon)
		return KILN_ERR_BAD_REQUEST;
	v = colon + 1;
	while (v < end && mp_is_ows(*v))
		v++;
	while (end > v && mp_is_ows(end[-1]))
		end--;
	vlen = (size_t)(end - v);
	if (mp_ieq(line, (size_t)(colon - line), "content-disposition")) {
		if (mp->seen_disposition)
			return KILN_ERR_BAD_REQUEST;
		mp->seen_disposition = 1;
		return mp_disposition(mp, v, vlen);
	}
	if (mp_ieq(line, (size_t)(colon - line), "content-type")) {
		if (mp->seen_ctype)
			return KILN_ERR_BAD_REQUEST;
		mp->seen_ctype = 1;
		if (vlen > MP_CTYPE_MAX)
			return KILN_ERR_TOO_LARGE;
		for (i = 0; i < vlen; i++)
			if (mp_is_ctl((unsigned char)v[i]) && v[i] != '\t')
				return KILN_ERR_BAD_REQUEST;
		memcpy(mp->part.content_type, v, vlen);
		mp->part.content_type[vlen] = '\0';
	}
	return KILN_OK;
}

/* A CRLF after a delimiter: a new part's header block starts. */
static enum kiln_err
mp_part_start(struct multipart *mp)
{
	if (mp->parts == mp->lim.max_parts)
		return KILN_ERR_TOO_LARGE;
	mp->parts++;
	memset(&mp->part, 0, sizeof(mp->part));
	mp->seen_disposition = 0;
	mp->seen_ctype = 0;
	mp->header_bytes = 0;
	mp->line_len = 0;
	mp->data_bytes = 0;
	mp->state = MP_HEADER;
	return KILN_OK;
}

/* One byte of a header block. */
static enum kiln_err
mp_header_byte(struct multipart *mp, char c)
{
	enum kiln_err rc;

	if (++mp->header_bytes > mp->lim.max_header_bytes)
		return KILN_ERR_TOO_LARGE;
	if (mp->state == MP_HEADER) {
		if (c == '\r')
			mp->state = MP_HEADER_LF;
		else if (c == '\0' || c == '\n')
			return KILN_ERR_BAD_REQUEST;
		else
			mp->line[mp->line_len++] = c;
		return KILN_OK;
	}
	if (c != '\n')
		return KILN_ERR_BAD_REQUEST;
	mp->state = MP_HEADER;
	if (mp->line_len > 0) {
		rc = mp_header_line(mp, mp->line, mp->line_len);
		mp->line_len = 0;
		return rc;
	}
	/* the blank line: the part's data follows */
	if (!mp->seen_disposition)
		return KILN_ERR_BAD_REQUEST;
	mp->state = MP_BODY;
	mp->matched = 0;
	if (mp->cb->part_begin == NULL)
		return KILN_OK;
	return mp_cb_result(mp->cb->part_begin(mp->ctx, &mp->part));
}

/* One byte of the small states between delimiters and parts. */
static enum kiln_err
mp_delim_byte(struct multipart *mp, char c)
{
	switch (mp->state) {
	case MP_DELIM_TAIL:
	case MP_DELIM_PAD:
		if (c == '-' && mp->state == MP_DELIM_TAIL)
			mp->state = MP_CLOSE_DASH;
		else if (mp_is_ows(c))
			mp->state = MP_DELIM_PAD;
		else if (c == '\r')
			mp->state = MP_DELIM_LF;
		else
			return KILN_ERR_BAD_REQUEST;
		return KILN_OK;
	case MP_DELIM_LF: return c == '\n' ? mp_part_start(mp) : KILN_ERR_BAD_REQUEST;
	case MP_CLOSE_DASH:
		if (c != '-')
			return KILN_ERR_BAD_REQUEST;
		mp->state = MP_CLOSE_PAD;
		return KILN_OK;
	case MP_CLOSE_PAD:
		if (c == '\r')
			mp->state = MP_CLOSE_LF;
		else if (!mp_is_ows(c))
			return KILN_ERR_BAD_REQUEST;
		return KILN_OK;
	case MP_CLOSE_LF:
		if (c != '\n')
			return KILN_ERR_BAD_REQUEST;
		mp->state = MP_EPILOGUE;
		return KILN_OK;
	default: return KILN_ERR_INTERNAL;
	}
}

static enum kiln_err
mp_feed_step(struct multipart *mp, const char *buf, size_t n, size_t *used)
{
	enum kiln_err rc;
	int found;

	switch (mp->state) {
	case MP_PREAMBLE:
	case MP_BODY:
		if ((rc = mp_scan(mp, buf, n, used, &found)) != KILN_OK || !found)
			return rc;
		if (mp->state == MP_BODY && mp->cb->part_end != NULL &&
		    (rc = mp_cb_result(mp->cb->part_end(mp->ctx))) != KILN_OK)
			return rc;
		mp->state = MP_DELIM_TAIL;
		return KILN_OK;
	case MP_EPILOGUE: *used = n; return KILN_OK;
	case MP_HEADER:
	case MP_HEADER_LF: *used = 1; return mp_header_byte(mp, buf[0]);
	default: *used = 1; return mp_delim_byte(mp, buf[0]);
	}
}

enum kiln_err
mp_feed(struct multipart *mp, const char *buf, size_t n)
{
	size_t used;

	while (mp->err == KILN_OK && n > 0) {
		used = 0;
		mp->err = mp_feed_step(mp, buf, n, &used);
		buf += used;
		n -= used;
	}
	return mp->err;
}

enum kiln_err
mp_finish(struct multipart *mp)
{
	if (mp->err != KILN_OK)
		return mp->err;
	if (mp->state != MP_CLOSE_PAD && mp->state != MP_CLOSE_LF && mp->state != MP_EPILOGUE)
		mp->err = KILN_ERR_BAD_REQUEST;
	return mp->err;
}
