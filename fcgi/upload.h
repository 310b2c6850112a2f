/* SPDX-License-Identifier: MIT */
/* upload.h: multipart/form-data bodies of RF_UPLOAD routes, streamed from
 * the web server through lib/multipart.c: small fields are kept (arena),
 * each file part goes straight to a temporary file under the storage root
 * with its size, SHA-256 and first bytes. Constant memory whatever the
 * upload's size. */
#ifndef KILN_UPLOAD_H
#define KILN_UPLOAD_H

#include <stdint.h>

#include "crypto.h"
#include "multipart.h"
#include "request.h"
#include "storage.h"

#define UPLOAD_MAX_FIELDS 16
#define UPLOAD_MAX_FILES 4
#define UPLOAD_MAGIC 512 /* first bytes kept, to recognise a format */

struct upload_file {
	char field[MP_NAME_MAX + 1];
	char filename[MP_FILENAME_MAX + 1];
	char
	    tmp[STORAGE_PATH_MAX]; /* unlinked at the end of the request (stored files are links) */
	uint64_t size;
	char sha256[65];
	unsigned char magic[UPLOAD_MAGIC];
	size_t magic_len;
};

struct upload {
	const char *names[UPLOAD_MAX_FIELDS]; /* text fields, arena-owned */
	const char *values[UPLOAD_MAX_FIELDS];
	size_t nfields;
	struct upload_file files[UPLOAD_MAX_FILES];
	size_t nfiles;
	/* after KILN_ERR_BAD_REQUEST: the part whose name, file name or text
	 * is not UTF-8 without NUL characters (arena), or NULL */
	const char *not_text;
};

/* A data set's name, in bytes (datasets.name holds 200 characters). */
#define DATASET_NAME_MAX 200

/* Reads the request's multipart body into OUT: up. Errors answered by the
 * caller: KILN_ERR_MEDIA_TYPE (not multipart/form-data),
 * KILN_ERR_BAD_REQUEST (malformed; up->not_text says when a part's name,
 * file name or text is not UTF-8), KILN_ERR_TOO_LARGE (a cap),
 * KILN_ERR_IO. Temporary files are removed with the request's arena.
 * Every field value and file name it gives is UTF-8 without NULs. */
enum kiln_err upload_read(struct request *req, struct upload *up);

/* A text field's value, or NULL. */
const char *upload_field(const struct upload *up, const char *name);
/* A file part by field name, or NULL. */
struct upload_file *upload_file(struct upload *up, const char *name);
/* "zip", "tgz", "tar" or "csv" from f's first bytes (a CSV by its name's
 * .csv ending), else "other". Static. */
const char *upload_format(const struct upload_file *f);
/* The name a data set gets from its file when none is given: f's file
 * name cut to DATASET_NAME_MAX bytes where a character starts, or
 * "dataset" when it has none, into OUT: out. */
void upload_dataset_name(const struct upload_file *f, char out[DATASET_NAME_MAX + 1]);
/* Inside a db_txn: a data set's row for f (name, desc: NULL for none) and
 * f's file linked at OUT: path, which is removed first when the last
 * attempt left one there ("" on the first); OUT: *id. POST /datasets and
 * the jobs that bring a data set store theirs with it. */
enum kiln_err upload_store_dataset(struct db *db, const struct kiln_config *cfg, int64_t user_id,
				   const char *name, const char *desc, struct upload_file *f,
				   int64_t *id, char path[STORAGE_PATH_MAX]);

#endif
