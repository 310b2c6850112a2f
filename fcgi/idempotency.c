/* SPDX-License-Identifier: MIT */
/* idempotency.c: Idempotency-Key (see idempotency.h). The request is
 * identified by the SHA-256 of method, path and body (of a multipart body:
 * its fields and its files' digests); the key belongs to
 * the caller, so two users never share one. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "response.h"
#include "upload.h"

/* Feeds s and its terminating NUL, so that fields cannot run together. */
static void
idem_feed(struct crypto_sha256_state *st, const char *s)
{
	crypto_sha256_update(st, s, strlen(s) + 1);
}

/* The request's identity: method, path and body; for a streamed multipart
 * body its fields in order and each file's field, name, size and SHA-256
 * (the bytes themselves went to disk). */
static void
idem_hash(const struct request *req, char hex[65])
{
	unsigned char d[CRYPTO_SHA256_BYTES];
	struct crypto_sha256_state st;
	const struct upload *up = req->upload;
	char size[32];
	size_t i;

	crypto_sha256_init(&st);
	idem_feed(&st, req->method);
	idem_feed(&st, req->path);
	if (up == NULL) {
		crypto_sha256_update(&st, req->body != NULL ? req->body : "", req->body_len);
	} else {
		for (i = 0; i < up->nfields; i++) {
			idem_feed(&st, up->names[i]);
			idem_feed(&st, up->values[i]);
		}
		for (i = 0; i < up->nfiles; i++) {
			snprintf(size, sizeof(size), "%llu", (unsigned long long)up->files[i].size);
			idem_feed(&st, up->files[i].field);
			idem_feed(&st, up->files[i].filename);
			idem_feed(&st, size);
			idem_feed(&st, up->files[i].sha256);
		}
	}
	crypto_sha256_final(&st, d);
	crypto_hex(d, sizeof(d), hex);
}

static int
idem_key_ok(const char *k)
{
	size_t n = strlen(k), i;

	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

int
idem_begin(struct request *req)
{
	const char *key = req->idempotency_key;
	char hash[65];
	struct db_val p[3];
	struct db_res *res = NULL;
	enum kiln_err rc;

	if (key == NULL || req->user_id == 0)
		return 0;
	/* an empty key is a client's bug, not "no key": refused, lest each
	 * retry make one more job */
	if (!idem_key_ok(key)) {
		resp_error(req, KILN_ERR_BAD_REQUEST,
			   "Idempotency-Key must be 1 to 255 printable characters");
		return 1;
	}
	p[0] = DBV_I64(req->user_id);
	p[1] = DBV_STR(key);
	p[2] = DBV_STR(hash);
	idem_hash(req, hash);
	(void)db_exec(req->app->db, STMT_IDEM_EXPIRE, p, 2, NULL, NULL, NULL);
	rc = db_exec(req->app->db, STMT_IDEM_CLAIM, p, 3, NULL, NULL, NULL);
	if (rc == KILN_OK) {
		req->idem_claimed = 1;
		return 0;
	}
	if (rc != KILN_ERR_CONFLICT ||
	    (rc = db_exec(req->app->db, STMT_IDEM_GET, p, 2, &res, NULL, NULL)) != KILN_OK ||
	    db_res_rows(res) != 1) {
		db_res_free(res);
		resp_error(req, rc == KILN_OK ? KILN_ERR_DB_RETRY : rc, NULL);
		return 1;
	}
	if (strcmp(db_res_str(res, 0, 0, NULL), hash) != 0) {
		json_t *d = json_pack("[{s:[s,s], s:s, s:s}]", "loc", "header", "Idempotency-Key",
				      "msg", "this key was used with a different request", "type",
				      "value_error.idempotency_key");

		if (d == NULL)
			abort();
		resp_validation_new(req, d);
	} else if (db_res_i64(res, 0, 1) == 0) {
		resp_error(req, KILN_ERR_CONFLICT,
			   "a request with this Idempotency-Key is in progress");
	} else {
		size_t len = 0;
		const char *body = db_res_str(res, 0, 2, &len);

		req->status = (int)db_res_i64(res, 0, 1);
		req->resp_body = arena_strndup(req->arena, body, len);
		req->resp_len = len;
		req->body_type = "application/json";
		req->responded = 1;
		request_add_header(req, "Idempotent-Replayed", "true");
	}
	db_res_free(res);
	return 1;
}

void
idem_end(struct request *req)
{
	struct db_val p[4];

	if (!req->idem_claimed)
		return;
	/* a 5xx, or a request refused as it came (nothing was done), frees
	 * the key: the client may retry, or send the request corrected */
	if (!req->responded || req->status >= 500 || req->status == 400 || req->status == 413 ||
	    req->status == 415 || req->status == 422) {
		p[0] = DBV_I64(req->user_id);
		p[1] = DBV_STR(req->idempotency_key);
		(void)db_exec(req->app->db, STMT_IDEM_DROP, p, 2, NULL, NULL, NULL);
		return;
	}
	p[0] = DBV_I64(req->status);
	p[1] = DBV_STRN(req->resp_body ? req->resp_body : "", req->resp_len);
	p[2] = DBV_I64(req->user_id);
	p[3] = DBV_STR(req->idempotency_key);
	(void)db_exec(req->app->db, STMT_IDEM_FINISH, p, 4, NULL, NULL, NULL);
}
