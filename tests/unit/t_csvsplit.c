/* SPDX-License-Identifier: MIT */
/* t_csvsplit.c: CSV shards: every record in exactly one shard, in order,
 * each shard headed by the header; quoted newlines kept inside a record;
 * blank lines dropped; CRLF kept; balanced sizes; bad files refused; and
 * the same shards whatever the read size (a record across chunks). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvsplit.h"
#include "suites.h"

#define SHARDS_MAX 8

static int
memfile(const char *data, size_t n)
{
	int fd = memfd_create("csv", 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, data, n) == (ssize_t)n);
	return fd;
}

/* The whole of fd as a new string. */
static char *
slurp(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)n + 1);

	CU_ASSERT_FATAL(s != NULL && n >= 0);
	CU_ASSERT_FATAL(pread(fd, s, (size_t)n, 0) == n);
	return s;
}

static int
shard_of(void *ctx, size_t k)
{
	return ((int *)ctx)[k];
}

/* Splits csv into n shards; OUT: shard[k] (new strings). Returns csv_count's
 * or csv_split's code. */
static enum kiln_err
split(const char *csv, size_t n, char *shard[SHARDS_MAX], uint64_t *records)
{
	int in = memfile(csv, strlen(csv)), out[SHARDS_MAX];
	struct csv_info info;
	const char *why = NULL;
	enum kiln_err rc;
	size_t k;

	if ((rc = csv_count(in, &info, &why)) != KILN_OK) {
		CU_ASSERT_PTR_NOT_NULL(why);
		close(in);
		return rc;
	}
	*records = info.records;
	for (k = 0; k < n; k++)
		out[k] = memfile("", 0);
	rc = csv_split(in, &info, n, shard_of, out, &why);
	for (k = 0; k < n; k++) {
		shard[k] = slurp(out[k]);
		close(out[k]);
	}
	csv_info_free(&info);
	close(in);
	return rc;
}

static void
free_shards(char *shard[SHARDS_MAX], size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		free(shard[k]);
}

static void
t_csv_even(void)
{
	char *s[SHARDS_MAX];
	uint64_t r = 0;

	CU_ASSERT_EQUAL_FATAL(split("a,b\n1,2\n3,4\n5,6\n7,8\n", 2, s, &r), KILN_OK);
	CU_ASSERT_EQUAL(r, 4);
	CU_ASSERT_STRING_EQUAL(s[0], "a,b\n1,2\n3,4\n");
	CU_ASSERT_STRING_EQUAL(s[1], "a,b\n5,6\n7,8\n");
	free_shards(s, 2);
	/* 5 records in 3 shards: 2, 2, 1 (contiguous, sizes differ by one) */
	CU_ASSERT_EQUAL_FATAL(split("h\n1\n2\n3\n4\n5\n", 3, s, &r), KILN_OK);
	CU_ASSERT_STRING_EQUAL(s[0], "h\n1\n2\n");
	CU_ASSERT_STRING_EQUAL(s[1], "h\n3\n4\n");
	CU_ASSERT_STRING_EQUAL(s[2], "h\n5\n");
	free_shards(s, 3);
	/* as many shards as records: one each */
	CU_ASSERT_EQUAL_FATAL(split("h\n1\n2\n3\n", 3, s, &r), KILN_OK);
	CU_ASSERT_STRING_EQUAL(s[0], "h\n1\n");
	CU_ASSERT_STRING_EQUAL(s[1], "h\n2\n");
	CU_ASSERT_STRING_EQUAL(s[2], "h\n3\n");
	free_shards(s, 3);
	/* one shard: the file itself */
	CU_ASSERT_EQUAL_FATAL(split("h\n1\n2\n", 1, s, &r), KILN_OK);
	CU_ASSERT_STRING_EQUAL(s[0], "h\n1\n2\n");
	free_shards(s, 1);
}

static void
t_csv_records(void)
{
	char *s[SHARDS_MAX];
	uint64_t r = 0;

	/* a quoted newline and an escaped quote stay inside their record */
	CU_ASSERT_EQUAL_FATAL(
	    split("id,text\n1,\"two\nlines\"\n2,\"say \"\"hi\"\"\n\"\n3,x", 3, s, &r), KILN_OK);
	CU_ASSERT_EQUAL(r, 3);
	CU_ASSERT_STRING_EQUAL(s[0], "id,text\n1,\"two\nlines\"\n");
	CU_ASSERT_STRING_EQUAL(s[1], "id,text\n2,\"say \"\"hi\"\"\n\"\n");
	CU_ASSERT_STRING_EQUAL(s[2], "id,text\n3,x"); /* no final newline: kept as sent */
	free_shards(s, 3);
	/* CRLF kept; blank lines (LF or CRLF) dropped, not counted */
	CU_ASSERT_EQUAL_FATAL(split("a\r\n\r\n1\r\n\n\n2\r\n\r\n", 2, s, &r), KILN_OK);
	CU_ASSERT_EQUAL(r, 2);
	CU_ASSERT_STRING_EQUAL(s[0], "a\r\n1\r\n");
	CU_ASSERT_STRING_EQUAL(s[1], "a\r\n2\r\n");
	free_shards(s, 2);
	/* a lone CR at a record's start is data, not a blank line */
	CU_ASSERT_EQUAL_FATAL(split("a\n\rx\n", 1, s, &r), KILN_OK);
	CU_ASSERT_EQUAL(r, 1);
	CU_ASSERT_STRING_EQUAL(s[0], "a\n\rx\n");
	free_shards(s, 1);
}

static void
t_csv_bad(void)
{
	char *s[SHARDS_MAX];
	uint64_t r = 0;
	char *big;
	int in;
	struct csv_info info;
	const char *why;

	CU_ASSERT_EQUAL(split("", 1, s, &r), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(split("\n\n\r\n", 1, s, &r), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_EQUAL(split("a\n\"open\n", 1, s, &r), KILN_ERR_BAD_REQUEST);
	in = memfile("a\n1\0\n", 5);
	CU_ASSERT_EQUAL(csv_count(in, &info, &why), KILN_ERR_BAD_REQUEST);
	close(in);
	/* a header alone has no records: n must be 1..records */
	in = memfile("a,b\n", 4);
	CU_ASSERT_EQUAL_FATAL(csv_count(in, &info, &why), KILN_OK);
	CU_ASSERT_EQUAL(info.records, 0);
	CU_ASSERT_EQUAL(csv_split(in, &info, 1, shard_of, &in, &why), KILN_ERR_INTERNAL);
	csv_info_free(&info);
	close(in);
	/* a header over 1 MiB */
	big = malloc(CSV_HEADER_MAX + 16);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'h', CSV_HEADER_MAX + 8);
	memcpy(big + CSV_HEADER_MAX + 8, "\n1\n", 4);
	CU_ASSERT_EQUAL(split(big, 1, s, &r), KILN_ERR_BAD_REQUEST);
	free(big);
}

/* Records bigger than the read chunk, and 10 000 of them in 7 shards:
 * the shards joined without their headers give the records back. */
static void
t_csv_large(void)
{
	size_t n = 10000, i, len = 0, cap = 4 << 20, k;
	char *csv = malloc(cap), *s[SHARDS_MAX], *joined = malloc(cap);
	uint64_t r = 0;
	size_t jl = 0;

	CU_ASSERT_FATAL(csv != NULL && joined != NULL);
	len += (size_t)snprintf(csv, cap, "id,blob\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(csv + len, cap - len, "%zu,\"%s\n,%zu\"\n", i,
					i == 5000 ? "" : "x", i * 7);
	/* one record of 200 KiB, across several 64 KiB reads */
	memset(csv + len, 'y', 200 * 1024);
	len += 200 * 1024;
	len += (size_t)snprintf(csv + len, cap - len, "\n");
	CU_ASSERT_EQUAL_FATAL(split(csv, 7, s, &r), KILN_OK);
	CU_ASSERT_EQUAL(r, n + 1);
	for (k = 0; k < 7; k++) {
		size_t sl = strlen(s[k]);

		CU_ASSERT_EQUAL(strncmp(s[k], "id,blob\n", 8), 0);
		memcpy(joined + jl, s[k] + 8, sl - 8);
		jl += sl - 8;
	}
	CU_ASSERT_EQUAL(jl, len - 8);
	CU_ASSERT_EQUAL(memcmp(joined, csv + 8, len - 8), 0);
	free_shards(s, 7);
	free(csv);
	free(joined);
}

void
suite_csvsplit(void)
{
	CU_pSuite s = CU_add_suite("csvsplit", NULL, NULL);

	CU_add_test(s, "even and uneven shards, each with the header", t_csv_even);
	CU_add_test(s, "quoted newlines, CRLF, blank lines", t_csv_records);
	CU_add_test(s, "empty, NUL, open quote, huge header refused", t_csv_bad);
	CU_add_test(s, "10 001 records and a 200 KiB one round-trip", t_csv_large);
}
