/* SPDX-License-Identifier: MIT */
/* unpack.h: a data set archive (zip, tar, tar.gz/bz2/xz) unpacked into a
 * job's data/ folder, refusing what could reach outside it or fill the
 * disk: absolute paths, ".." components, links of any kind (symbolic or
 * hard), devices, more entries or bytes than the limits (a zip bomb stops
 * at the byte cap, counted as written, whatever the archive claims).
 * The only file that includes <archive.h>. Run it as the job user, not
 * as root (kiln-run forks for it). */
#ifndef KILN_UNPACK_H
#define KILN_UNPACK_H

#include <stdint.h>

#include "err.h"

#define UNPACK_WHY_MAX 200

struct unpack_limits {
	uint64_t max_bytes;   /* all files together */
	uint64_t max_entries; /* files and folders */
};

/* Unpacks the archive open on fd (read from where it stands) into dest
 * (an existing, empty folder). OUT: *bytes and
 * *entries written; *single set, and nothing written, when the data is one
 * compressed file (data.csv.gz) rather than an archive: the caller uses it
 * as it is. KILN_ERR_BAD_REQUEST with OUT: why for an archive
 * that breaks a rule or cannot be read (what was written stays: the
 * caller discards the folder); KILN_ERR_IO for the file system. */
enum kiln_err unpack_archive(int fd, const char *dest, const struct unpack_limits *lim,
			     uint64_t *bytes, uint64_t *entries, int *single,
			     char why[UNPACK_WHY_MAX]);

/* 0 when an entry's path is acceptable: relative, not empty, no ".."
 * component, no control characters, at most 4096 bytes. */
int unpack_path_ok(const char *path);

#endif
