/* SPDX-License-Identifier: MIT */
/* auth.c: credentials to a principal, and new sessions (see auth.h). */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "account.h"
#include "db.h"
#include "jwt_hs256.h"
#include "router.h"

#define AUTH_KEY_MAX 128 /* longest X-API-Key or bearer token considered */

static void
auth_set_role(struct request *req, const char *role)
{
	req->role = arena_strdup(req->arena, role);
	req->role_bit = account_role_bit(role);
}

static void
auth_res_free(void *p)
{
	db_res_free(p);
}

/* The credentials' row (stmt with p[0]) into OUT: *res; on a route that
 * reads a job (RF_READS_JOB), job_stmt reads the head of job {id} with
 * them in one round trip: its columns (from k) go to req->job. */
static enum kiln_err
auth_read(struct request *req, enum db_stmt_id stmt, enum db_stmt_id job_stmt, size_t k,
	  struct db_val p[2], struct db_res **res)
{
	const struct req_param *id;
	enum kiln_err rc;

	if (!(req->route->flags & RF_READS_JOB) || (id = route_param(req, "id")) == NULL)
		return db_exec(req->app->db, stmt, p, 1, res, NULL, NULL);
	p[1] = p[0]; /* the job's id first (db_stmts.c) */
	p[0] = DBV_I64(id->id);
	if ((rc = db_exec(req->app->db, job_stmt, p, 2, res, NULL, NULL)) != KILN_OK)
		return rc;
	req->job.loaded = 1;
	req->job.id = id->id;
	if (db_res_rows(*res) == 1 && !db_res_is_null(*res, 0, k)) {
		req->job.found = 1;
		req->job.user_id = db_res_i64(*res, 0, k);
		req->job.version = db_res_i64(*res, 0, k + 1);
		snprintf(req->job.kind, sizeof(req->job.kind), "%s",
			 db_res_str(*res, 0, k + 2, NULL));
	}
	return KILN_OK;
}

/* Verified access tokens, per worker, keyed by the SHA-256 of the token's
 * exact bytes: a client presents the same token for its whole life, and
 * the same bytes verify the same way, so a hit skips libjwt's decoding and
 * HMAC. Expiry is checked again on every hit; the user's row (role,
 * is_active) is still read on every request. */
#define AUTH_CACHE_SLOTS 256

static struct {
	unsigned char key[CRYPTO_SHA256_BYTES];
	struct jwt_claims claims;
	int used;
} auth_cache[AUTH_CACHE_SLOTS];

static enum kiln_err
auth_verify_cached(const struct kiln_config *cfg, const char *token, int64_t now,
		   struct jwt_claims *c)
{
	unsigned char key[CRYPTO_SHA256_BYTES];
	size_t slot;

	crypto_sha256(token, strlen(token), key);
	slot = ((size_t)key[0] << 8 | key[1]) % AUTH_CACHE_SLOTS;
	if (auth_cache[slot].used && memcmp(auth_cache[slot].key, key, sizeof(key)) == 0) {
		if (auth_cache[slot].claims.exp <= now)
			return KILN_ERR_UNAUTHORIZED;
		*c = auth_cache[slot].claims;
		return KILN_OK;
	}
	if (jwt_hs256_verify(cfg->jwt_secret, strlen(cfg->jwt_secret), token, now, "access", c) !=
	    KILN_OK)
		return KILN_ERR_UNAUTHORIZED;
	memcpy(auth_cache[slot].key, key, sizeof(key));
	auth_cache[slot].claims = *c;
	auth_cache[slot].used = 1;
	return KILN_OK;
}

static enum kiln_err
auth_bearer(struct request *req, const char *token)
{
	const struct kiln_config *cfg = req->app->cfg;
	struct jwt_claims c;
	struct db_val p[2];
	struct db_res *res = NULL;
	enum kiln_err rc;

	if (auth_verify_cached(cfg, token, (int64_t)time(NULL), &c) != KILN_OK)
		return KILN_ERR_UNAUTHORIZED;
	/* the whole row: /auth/me answers from it without a second query;
	 * a route that reads a job gets the job's head in the same round trip */
	p[0] = DBV_I64(c.sub);
	if ((rc = auth_read(req, STMT_USER_GET, STMT_USER_JOB_HEAD, DB_USER_NCOLS, p, &res)) !=
	    KILN_OK)
		return rc;
	if (db_res_rows(res) != 1 || db_res_i64(res, 0, 5) != 1) {
		db_res_free(res); /* gone or disabled: its tokens stop at once */
		return KILN_ERR_UNAUTHORIZED;
	}
	req->user_id = c.sub;
	auth_set_role(req, db_res_str(res, 0, 4, NULL));
	req->principal = res;
	arena_defer(req->arena, auth_res_free, res);
	snprintf(req->fam, sizeof(req->fam), "%s", c.fam);
	return KILN_OK;
}

static enum kiln_err
auth_api_key(struct request *req, const char *key)
{
	char hash[65];
	struct db_val p[2];
	struct db_res *res = NULL;
	enum kiln_err rc;

	if (strncmp(key, AUTH_API_KEY_PREFIX, strlen(AUTH_API_KEY_PREFIX)) != 0 ||
	    strlen(key) > AUTH_KEY_MAX)
		return KILN_ERR_UNAUTHORIZED;
	crypto_sha256_hex(key, hash);
	p[0] = DBV_STR(hash);
	if ((rc = auth_read(req, STMT_APIKEY_AUTH, STMT_APIKEY_JOB_HEAD, DB_APIKEY_AUTH_NCOLS, p,
			    &res)) != KILN_OK)
		return rc;
	/* id, user_id, role, is_active, expired, stale last_used_at */
	if (db_res_rows(res) != 1 || db_res_i64(res, 0, 3) != 1 || db_res_i64(res, 0, 4) != 0) {
		db_res_free(res);
		return KILN_ERR_UNAUTHORIZED;
	}
	req->api_key_id = db_res_i64(res, 0, 0);
	req->user_id = db_res_i64(res, 0, 1);
	auth_set_role(req, db_res_str(res, 0, 2, NULL));
	if (db_res_i64(res, 0, 5) == 1) {
		struct db_val t[1] = {DBV_I64(req->api_key_id)};

		(void)db_exec(req->app->db, STMT_APIKEY_TOUCH, t, 1, NULL, NULL, NULL);
	}
	db_res_free(res);
	return KILN_OK;
}

enum kiln_err
auth_authenticate(struct request *req)
{
	const char *a = req->authorization;

	if (a[0] != '\0') {
		if (strncasecmp(a, "Bearer ", 7) != 0 || strlen(a) > 7 + 4096)
			return KILN_ERR_UNAUTHORIZED;
		a += 7;
		while (*a == ' ')
			a++;
		/* clients that only know Bearer may send an API key there */
		if (strncmp(a, AUTH_API_KEY_PREFIX, strlen(AUTH_API_KEY_PREFIX)) == 0)
			return auth_api_key(req, a);
		return auth_bearer(req, a);
	}
	if (req->api_key[0] != '\0')
		return auth_api_key(req, req->api_key);
	return KILN_ERR_UNAUTHORIZED;
}

void
auth_new_secret(const char *prefix, char *token, size_t tokenlen, char hash[65])
{
	unsigned char raw[AUTH_TOKEN_BYTES];
	char b64[AUTH_TOKEN_LEN];

	crypto_random(raw, sizeof(raw));
	crypto_b64url(raw, sizeof(raw), b64);
	snprintf(token, tokenlen, "%s%s", prefix, b64);
	crypto_sha256_hex(token, hash);
}

void
auth_new_family(char fam[AUTH_FAMILY_LEN])
{
	unsigned char raw[16];

	crypto_random(raw, sizeof(raw));
	crypto_hex(raw, sizeof(raw), fam);
}

static int
auth_is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int
auth_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name), len;
	const char *p = header;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			p += nlen + 1;
			for (len = 0; auth_is_b64url(p[len]); len++)
				if (len + 1 >= cap)
					return -1;
			if (len == 0 || (p[len] != '\0' && p[len] != ';'))
				return -1;
			memcpy(out, p, len);
			out[len] = '\0';
			return 0;
		}
		if ((p = strchr(p, ';')) != NULL)
			p++;
	}
	return -1;
}

int
auth_refresh_cookie(const char *token, int64_t max_age, int secure, char out[AUTH_COOKIE_MAX])
{
	int n = snprintf(out, AUTH_COOKIE_MAX,
			 "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
			 AUTH_COOKIE_NAME, token != NULL ? token : "", AUTH_COOKIE_PATH,
			 token != NULL ? (long long)max_age : 0LL, secure ? "; Secure" : "");

	return n > 0 && n < AUTH_COOKIE_MAX ? 0 : -1;
}

enum kiln_err
auth_store_refresh(struct db *db, const struct kiln_config *cfg, int64_t user_id, const char *fam,
		   char token[AUTH_TOKEN_LEN])
{
	char hash[65];
	struct db_val p[4];

	auth_new_secret("", token, AUTH_TOKEN_LEN, hash);
	p[0] = DBV_I64(user_id);
	p[1] = DBV_STR(fam);
	p[2] = DBV_STR(hash);
	p[3] = DBV_I64(cfg->refresh_ttl);
	return db_exec(db, STMT_REFRESH_INSERT, p, 4, NULL, NULL, NULL);
}

enum kiln_err
auth_access_token(struct request *req, int64_t user_id, const char *role, const char *fam,
		  char **token)
{
	const struct kiln_config *cfg = req->app->cfg;
	struct jwt_claims c;
	unsigned char jti[16];
	char *t = NULL;
	enum kiln_err rc;

	memset(&c, 0, sizeof(c));
	c.sub = user_id;
	c.iat = (int64_t)time(NULL);
	c.exp = c.iat + cfg->access_ttl;
	snprintf(c.typ, sizeof(c.typ), "access");
	snprintf(c.role, sizeof(c.role), "%s", role);
	snprintf(c.fam, sizeof(c.fam), "%s", fam ? fam : "");
	crypto_random(jti, sizeof(jti));
	crypto_hex(jti, sizeof(jti), c.jti);
	if ((rc = jwt_hs256_sign(cfg->jwt_secret, strlen(cfg->jwt_secret), &c, &t)) != KILN_OK)
		return rc;
	*token = arena_strdup(req->arena, t);
	free(t);
	return KILN_OK;
}
