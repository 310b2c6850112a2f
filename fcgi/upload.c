/* SPDX-License-Identifier: MIT */
/* upload.c: multipart bodies to fields and temporary files (see upload.h). */
#include "upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "db.h"
#include "db_stmts.h"
#include "io.h"
#include "json.h"
#include "log.h"

#define UPLOAD_CHUNK 65536
#define UPLOAD_FIELD_MAX (64 * 1024)

struct upload_ctx {
	struct request *req;
	struct upload *up;
	struct upload_file *file; /* the file part being written, or NULL */
	int fd;
	struct crypto_sha256_state sha;
	char *field; /* the text field being read (arena) */
	size_t field_len;
	const char *field_name;
};

static void
upload_unlink(void *p)
{
	struct upload_file *f = p;

	if (f->tmp[0] != '\0')
		unlink(f->tmp);
}

/* Refuses a part whose text is not UTF-8 without NULs: the database's
 * utf8mb4 columns and the JSON answers that echo it take nothing else. */
static int
upload_not_text(struct upload_ctx *c, const char *name)
{
	c->up->not_text = arena_strdup(c->req->arena, name);
	return KILN_ERR_BAD_REQUEST;
}

static int
upload_begin(void *arg, const struct mp_part *part)
{
	struct upload_ctx *c = arg;
	struct upload *up = c->up;

	if (!json_utf8_ok(part->name, strlen(part->name)) ||
	    !json_utf8_ok(part->filename, strlen(part->filename)))
		return upload_not_text(c, part->name);
	if (part->has_filename) {
		struct upload_file *f;

		if (up->nfiles == UPLOAD_MAX_FILES)
			return KILN_ERR_TOO_LARGE;
		f = &up->files[up->nfiles++];
		memset(f, 0, sizeof(*f));
		memcpy(f->field, part->name, sizeof(f->field));
		memcpy(f->filename, part->filename, sizeof(f->filename));
		if ((c->fd = storage_tmp_open(c->req->app->cfg, f->tmp)) < 0) {
			f->tmp[0] = '\0';
			log_error("upload: cannot create a temporary file: %s", strerror(errno));
			return KILN_ERR_IO;
		}
		arena_defer(c->req->arena, upload_unlink, f);
		crypto_sha256_init(&c->sha);
		c->file = f;
		return 0;
	}
	if (up->nfields == UPLOAD_MAX_FIELDS)
		return KILN_ERR_TOO_LARGE;
	c->field = arena_alloc(c->req->arena, UPLOAD_FIELD_MAX + 1);
	c->field_len = 0;
	c->field_name = arena_strdup(c->req->arena, part->name);
	return 0;
}

static int
upload_data(void *arg, const char *data, size_t n)
{
	struct upload_ctx *c = arg;

	if (c->file != NULL) {
		struct upload_file *f = c->file;

		if (f->magic_len < UPLOAD_MAGIC) {
			size_t take =
			    UPLOAD_MAGIC - f->magic_len < n ? UPLOAD_MAGIC - f->magic_len : n;

			memcpy(f->magic + f->magic_len, data, take);
			f->magic_len += take;
		}
		crypto_sha256_update(&c->sha, data, n);
		if (io_write_all(c->fd, data, n) != 0) {
			log_error("upload: write failed: %s", strerror(errno));
			return KILN_ERR_IO;
		}
		f->size += n;
		return 0;
	}
	if (c->field == NULL || c->field_len + n > UPLOAD_FIELD_MAX)
		return KILN_ERR_TOO_LARGE;
	memcpy(c->field + c->field_len, data, n);
	c->field_len += n;
	return 0;
}

static int
upload_end(void *arg)
{
	struct upload_ctx *c = arg;

	if (c->file != NULL) {
		unsigned char d[CRYPTO_SHA256_BYTES];

		crypto_sha256_final(&c->sha, d);
		crypto_hex(d, sizeof(d), c->file->sha256);
		if (close(c->fd) != 0)
			return KILN_ERR_IO;
		c->fd = -1;
		c->file = NULL;
		return 0;
	}
	if (c->field != NULL) {
		if (memchr(c->field, '\0', c->field_len) != NULL ||
		    !json_utf8_ok(c->field, c->field_len))
			return upload_not_text(c, c->field_name);
		c->field[c->field_len] = '\0';
		c->up->names[c->up->nfields] = c->field_name;
		c->up->values[c->up->nfields++] = c->field;
		c->field = NULL;
	}
	return 0;
}

enum kiln_err
upload_read(struct request *req, struct upload *up)
{
	const struct kiln_config *cfg = req->app->cfg;
	struct mp_limits lim = {UPLOAD_MAX_FIELDS + UPLOAD_MAX_FILES, 8192,
				(uint64_t)cfg->max_upload, UPLOAD_FIELD_MAX};
	struct mp_callbacks cb = {upload_begin, upload_data, upload_end};
	struct upload_ctx c;
	char boundary[MP_BOUNDARY_MAX + 1];
	char *buf = arena_alloc(req->arena, UPLOAD_CHUNK);
	struct multipart *mp;
	enum kiln_err rc = KILN_OK;
	int64_t left = req->content_length;

	memset(up, 0, sizeof(*up));
	memset(&c, 0, sizeof(c));
	c.req = req;
	c.up = up;
	c.fd = -1;
	if (mp_boundary(req->content_type, boundary) != 0)
		return KILN_ERR_MEDIA_TYPE;
	if (storage_prepare(cfg) != KILN_OK)
		return KILN_ERR_IO;
	mp = mp_new(boundary, &lim, &cb, &c);
	while (left > 0 && rc == KILN_OK) {
		long got = req->io.read(req->io.ctx, buf,
					left < UPLOAD_CHUNK ? (size_t)left : UPLOAD_CHUNK);

		if (got <= 0) {
			rc = KILN_ERR_BODY_TRUNCATED;
			break;
		}
		left -= got;
		rc = mp_feed(mp, buf, (size_t)got);
	}
	if (rc == KILN_OK)
		rc = mp_finish(mp);
	/* refused part-way: read what is left (within reason) so that the web
	 * server, still sending, is not cut off and does not answer 502 */
	while (rc != KILN_OK && left > 0 && left <= 64 * 1024 * 1024) {
		long got = req->io.read(req->io.ctx, buf,
					left < UPLOAD_CHUNK ? (size_t)left : UPLOAD_CHUNK);

		if (got <= 0)
			break;
		left -= got;
	}
	mp_free(mp);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}

const char *
upload_field(const struct upload *up, const char *name)
{
	size_t i;

	for (i = 0; i < up->nfields; i++)
		if (strcmp(up->names[i], name) == 0)
			return up->values[i];
	return NULL;
}

struct upload_file *
upload_file(struct upload *up, const char *name)
{
	size_t i;

	for (i = 0; i < up->nfiles; i++)
		if (strcmp(up->files[i].field, name) == 0)
			return &up->files[i];
	return NULL;
}

const char *
upload_format(const struct upload_file *f)
{
	const unsigned char *m = f->magic;
	size_t n = f->magic_len, fl = strlen(f->filename);

	if (n >= 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4)
		return "zip";
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "tgz";
	if (n >= 262 && memcmp(m + 257, "ustar", 5) == 0)
		return "tar";
	if (fl > 4 && strcasecmp(f->filename + fl - 4, ".csv") == 0)
		return "csv";
	return "other";
}

void
upload_dataset_name(const struct upload_file *f, char out[DATASET_NAME_MAX + 1])
{
	size_t n = strlen(f->filename);

	if (n > DATASET_NAME_MAX) {
		n = DATASET_NAME_MAX;
		while (n > 0 && ((unsigned char)f->filename[n] & 0xc0) == 0x80)
			n--; /* f->filename[n], the first byte left out, starts a character */
	}
	memcpy(out, f->filename, n);
	out[n] = '\0';
	if (n == 0)
		snprintf(out, DATASET_NAME_MAX + 1, "dataset");
}

enum kiln_err
upload_store_dataset(struct db *db, const struct kiln_config *cfg, int64_t user_id,
		     const char *name, const char *desc, struct upload_file *f, int64_t *id,
		     char path[STORAGE_PATH_MAX])
{
	struct db_val p[7] = {DBV_I64(user_id),
			      DBV_STR(name),
			      desc ? DBV_STR(desc) : DBV_NULL,
			      DBV_STR(f->filename),
			      DBV_STR(upload_format(f)),
			      DBV_I64((int64_t)f->size),
			      DBV_STR(f->sha256)};
	uint64_t got = 0;
	enum kiln_err rc;

	if (path[0] != '\0') /* a retry starts clean */
		(void)unlink(path);
	path[0] = '\0';
	if ((rc = db_exec(db, STMT_DATASET_INSERT, p, 7, NULL, NULL, &got)) != KILN_OK)
		return rc;
	*id = (int64_t)got;
	storage_dataset_path(cfg, user_id, *id, path);
	return storage_link(cfg, f->tmp, path);
}
