/* SPDX-License-Identifier: MIT */
/* fuzz_multipart.c: libFuzzer target for lib/multipart.c. The first byte
 * picks the feed stride (low 7 bits) and whether callbacks may fail (high
 * bit), the rest is the body; callbacks check the parser's promises.
 * Built and run by tests/fuzz/run.sh, not by make. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define FUZZ_BOUNDARY "fuzzB"

/* small limits so the fuzzer reaches every one of them */
static const struct mp_limits fuzz_lim = {4, 512, 64, 32};

struct fuzz_state {
	int in_part;
	int is_file;
	uint64_t bytes; /* data of the current part */
	int may_fail;   /* callbacks fail on some inputs */
	size_t parts;
	enum kiln_err failed; /* what a callback returned */
};

static void
fuzz_check_str(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);
	size_t i;

	if (nul == NULL)
		abort();
	for (i = 0; s + i < nul; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			abort();
}

static int
fuzz_begin(void *ctx, const struct mp_part *part)
{
	struct fuzz_state *st = ctx;
	size_t i, n;

	if (st->in_part || (part->has_filename != 0 && part->has_filename != 1))
		abort();
	fuzz_check_str(part->name, sizeof(part->name));
	fuzz_check_str(part->content_type, sizeof(part->content_type));
	fuzz_check_str(part->filename, sizeof(part->filename));
	if (part->name[0] == '\0' || (part->filename[0] != '\0' && !part->has_filename))
		abort();
	/* the sanitiser's promises: a basename with no control bytes and
	 * no leading dot */
	n = strlen(part->filename);
	if (part->filename[0] == '.')
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)part->filename[i];

		if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
			abort();
	}
	for (i = 0; part->name[i] != '\0'; i++)
		if ((unsigned char)part->name[i] < 0x20 || part->name[i] == 0x7f)
			abort();
	st->in_part = 1;
	st->is_file = part->has_filename;
	st->bytes = 0;
	return 0;
}

static int
fuzz_data(void *ctx, const char *data, size_t n)
{
	struct fuzz_state *st = ctx;
	volatile char sink;

	if (!st->in_part || n == 0)
		abort();
	st->bytes += n;
	if (st->bytes > (st->is_file ? fuzz_lim.max_file_bytes : fuzz_lim.max_field_bytes))
		abort();
	/* touch both ends so ASan sees an overread */
	sink = data[0];
	sink = data[n - 1];
	(void)sink;
	if (st->may_fail && data[0] == '!') {
		st->failed = KILN_ERR_FORBIDDEN;
		return KILN_ERR_FORBIDDEN;
	}
	return 0;
}

static int
fuzz_end(void *ctx)
{
	struct fuzz_state *st = ctx;

	if (!st->in_part)
		abort();
	st->in_part = 0;
	if (st->may_fail && ++st->parts == 2) {
		st->failed = KILN_ERR_IO;
		return KILN_ERR_IO;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mp_callbacks cb = {fuzz_begin, fuzz_data, fuzz_end};
	struct fuzz_state st = {0};
	struct multipart *mp;
	enum kiln_err rc = KILN_OK, fin;
	size_t stride, off, n;
	char out[MP_BOUNDARY_MAX + 1];

	if (size == 0)
		return 0;
	stride = (size_t)(data[0] & 0x7f) + 1;
	st.may_fail = (data[0] & 0x80) != 0;
	data++;
	size--;
	mp = mp_new(FUZZ_BOUNDARY, &fuzz_lim, &cb, &st);
	for (off = 0; off < size && rc == KILN_OK; off += n) {
		n = size - off < stride ? size - off : stride;
		rc = mp_feed(mp, (const char *)data + off, n);
	}
	fin = mp_finish(mp);
	/* errors stick; mp_finish after an error gives that error */
	if (rc != KILN_OK && (fin != rc || mp_feed(mp, "x", 1) != rc))
		abort();
	/* a callback's error is what mp_feed returns */
	if (st.failed != KILN_OK && rc != st.failed)
		abort();
	if (rc == KILN_OK && fin == KILN_OK && st.in_part)
		abort();
	mp_free(mp);
	/* the same bytes as a Content-Type header value */
	if (size < 512) {
		char *ct = malloc(size + 1);

		if (ct == NULL)
			abort();
		memcpy(ct, data, size);
		ct[size] = '\0';
		if (mp_boundary(ct, out) == 0 &&
		    (strlen(out) == 0 || strlen(out) > MP_BOUNDARY_MAX))
			abort();
		free(ct);
	}
	return 0;
}
