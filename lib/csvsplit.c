/* SPDX-License-Identifier: MIT */
/* csvsplit.c: CSV shards of whole records (see csvsplit.h). One walker
 * serves both passes: the count keeps the header, the split writes. */
#include "csvsplit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

#define CSV_CHUNK 65536

struct csv_walk {
	/* the split's output, or shard_fd == NULL while counting */
	csv_shard_fn shard_fd;
	void *ctx;
	int fd; /* the current shard's */
	size_t n, cur;
	uint64_t records; /* data records in the file (from the count) */
	char buf[CSV_CHUNK];
	size_t blen;
	/* the scanner */
	uint64_t seen; /* records begun, the header included */
	int quoted, at_start, pending_cr;
	struct csv_info *info;      /* counting: where the header goes */
	const struct csv_info *hdr; /* splitting: the header to repeat */
	const char *why;
};

static int
csv_flush(struct csv_walk *w)
{
	int rc = w->blen > 0 ? io_write_all(w->fd, w->buf, w->blen) : 0;

	w->blen = 0;
	return rc;
}

/* Appends n bytes of the current record where they belong. */
static enum kiln_err
csv_emit(struct csv_walk *w, const char *p, size_t n)
{
	if (w->seen == 1) { /* the header */
		struct csv_info *h = w->info;

		if (w->shard_fd != NULL)
			return KILN_OK;
		if (h->header_len + n > CSV_HEADER_MAX) {
			w->why = "the CSV header is longer than 1 MiB";
			return KILN_ERR_BAD_REQUEST;
		}
		memcpy(h->header + h->header_len, p, n);
		h->header_len += n;
		return KILN_OK;
	}
	if (w->shard_fd == NULL)
		return KILN_OK;
	if (w->blen + n > sizeof(w->buf) && csv_flush(w) != 0)
		return KILN_ERR_IO;
	if (n > sizeof(w->buf))
		return io_write_all(w->fd, p, n) == 0 ? KILN_OK : KILN_ERR_IO;
	memcpy(w->buf + w->blen, p, n);
	w->blen += n;
	return KILN_OK;
}

/* A record begins: with the split, the first record of a shard switches
 * the output and writes the header first. */
static enum kiln_err
csv_begin(struct csv_walk *w)
{
	uint64_t d;
	size_t k;

	w->seen++;
	w->at_start = 0;
	if (w->shard_fd == NULL || w->seen == 1)
		return KILN_OK;
	d = w->seen - 2;
	if (d >= w->records) {
		w->why = "the CSV changed while it was split";
		return KILN_ERR_IO;
	}
	k = (size_t)((d * w->n) / w->records);
	if (d == 0 || k != w->cur) {
		if (csv_flush(w) != 0 || (w->fd = w->shard_fd(w->ctx, k)) < 0)
			return KILN_ERR_IO;
		w->cur = k;
		return csv_emit(w, w->hdr->header, w->hdr->header_len);
	}
	return KILN_OK;
}

/* Scans one chunk. Bytes of a record are emitted in runs. */
static enum kiln_err
csv_scan(struct csv_walk *w, const char *p, size_t n)
{
	size_t i = 0, run = 0;
	enum kiln_err rc;

	while (i < n) {
		char c = p[i];

		if (c == '\0') {
			w->why = "the CSV holds a NUL byte: not a text file";
			return KILN_ERR_BAD_REQUEST;
		}
		if (w->at_start) {
			if (c == '\n') { /* a blank line */
				w->pending_cr = 0;
				i++;
				continue;
			}
			if (c == '\r' && !w->pending_cr) {
				w->pending_cr = 1;
				i++;
				continue;
			}
			if ((rc = csv_begin(w)) != KILN_OK)
				return rc;
			if (w->pending_cr && (rc = csv_emit(w, "\r", 1)) != KILN_OK)
				return rc;
			w->pending_cr = 0;
			run = i;
		}
		if (c == '"')
			w->quoted = !w->quoted;
		i++;
		if (c == '\n' && !w->quoted) {
			if ((rc = csv_emit(w, p + run, i - run)) != KILN_OK)
				return rc;
			w->at_start = 1;
		}
	}
	return w->at_start ? KILN_OK : csv_emit(w, p + run, n - run);
}

static enum kiln_err
csv_walk(int fd, struct csv_walk *w)
{
	char chunk[CSV_CHUNK];
	enum kiln_err rc = KILN_OK;
	ssize_t got;

	w->at_start = 1;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return KILN_ERR_IO;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return KILN_ERR_IO;
		if ((rc = csv_scan(w, chunk, (size_t)got)) != KILN_OK)
			return rc;
	}
	if (w->quoted) {
		w->why = "a quoted field is not closed at the end of the CSV";
		return KILN_ERR_BAD_REQUEST;
	}
	return KILN_OK;
}

enum kiln_err
csv_count(int fd, struct csv_info *info, const char **why)
{
	struct csv_walk *w = calloc(1, sizeof(*w));
	enum kiln_err rc;

	memset(info, 0, sizeof(*info));
	if (w == NULL || (info->header = malloc(CSV_HEADER_MAX)) == NULL) {
		free(w);
		return KILN_ERR_NOMEM;
	}
	w->info = info;
	rc = csv_walk(fd, w);
	if (rc == KILN_OK && w->seen == 0) {
		w->why = "the CSV is empty";
		rc = KILN_ERR_BAD_REQUEST;
	}
	if (rc == KILN_OK)
		info->records = w->seen - 1;
	else
		csv_info_free(info);
	*why = w->why;
	free(w);
	return rc;
}

enum kiln_err
csv_split(int fd, const struct csv_info *info, size_t n, csv_shard_fn shard_fd, void *ctx,
	  const char **why)
{
	struct csv_walk *w;
	enum kiln_err rc;

	*why = NULL;
	if (n == 0 || n > info->records)
		return KILN_ERR_INTERNAL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return KILN_ERR_NOMEM;
	w->shard_fd = shard_fd;
	w->ctx = ctx;
	w->fd = -1;
	w->n = n;
	w->records = info->records;
	w->hdr = info;
	rc = csv_walk(fd, w);
	if (rc == KILN_OK && w->seen - 1 != info->records) {
		w->why = "the CSV changed while it was split";
		rc = KILN_ERR_IO;
	}
	if (rc == KILN_OK && csv_flush(w) != 0)
		rc = KILN_ERR_IO;
	*why = w->why;
	free(w);
	return rc;
}

void
csv_info_free(struct csv_info *info)
{
	if (info == NULL)
		return;
	free(info->header);
	info->header = NULL;
	info->header_len = 0;
}
