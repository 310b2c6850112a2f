/* SPDX-License-Identifier: MIT */
/* csvsplit.h: splitting a CSV file into N shards of whole records for
 * POST /jobs/upload, in constant memory (the header, capped, is the only
 * thing kept). Records end at a newline outside double quotes, so quoted
 * fields may hold newlines; blank lines are dropped; bytes are copied as
 * they are (CRLF stays CRLF). Data record d of R goes to shard
 * floor(d*n/R): contiguous runs in order, none empty when n <= R, sizes
 * differing by at most one record. Not for: parsing fields. */
#ifndef KILN_CSVSPLIT_H
#define KILN_CSVSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CSV_HEADER_MAX (1024 * 1024)

struct csv_info {
	uint64_t records; /* data records, the header not counted */
	char *header;     /* the header record with its line end (new) */
	size_t header_len;
};

/* Reads fd to its end: OUT: info. KILN_ERR_BAD_REQUEST with OUT: why
 * (static) for an empty file, a NUL byte, a header over CSV_HEADER_MAX or
 * a quote left open at the end; KILN_ERR_IO for a read error. */
enum kiln_err csv_count(int fd, struct csv_info *info, const char **why);

/* Where shard k goes: a descriptor open for writing, or -1 to stop with
 * KILN_ERR_IO. Called once per shard, k = 0, 1, ... n-1 in order, each
 * once the previous shard is complete (so the caller may close it). */
typedef int (*csv_shard_fn)(void *ctx, size_t k);

/* Reads fd (again, from its start) and writes n shards, each the header
 * then its records, to the descriptors shard_fd gives. n must be
 * 1..info->records. OUT: why (static) as csv_count's, or NULL. */
enum kiln_err csv_split(int fd, const struct csv_info *info, size_t n, csv_shard_fn shard_fd,
			void *ctx, const char **why);

/* Frees info's header; NULL is fine. */
void csv_info_free(struct csv_info *info);

#endif
