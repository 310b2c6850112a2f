/* SPDX-License-Identifier: MIT */
/* h_auth.c: register, the three login shapes (JSON/form/query login and
 * the OAuth2 password token), refresh with rotation and reuse detection,
 * logout and /auth/me. Wrong email and wrong password look and take the
 * same: an unknown email is verified against a dummy hash. A request
 * saying "X-Kiln-Session: cookie" (the dashboard) keeps its refresh token
 * in an HttpOnly cookie instead of the body (auth.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "auth.h"
#include "handlers.h"
#include "ratelimit.h"
#include "response.h"
#include "validate.h"
#include "views.h"

#define BAD_LOGIN "Invalid email or password"

/* POST /auth/register: anyone, always the "user" role; a taken email is a
 * 400 as the API documents it. */
enum kiln_err
h_auth_register(struct request *req)
{
	return h_users_create_from(req, 0, KILN_ERR_BAD_REQUEST);
}

/* A hash to verify against when the email is unknown, so that both
 * failures cost the same. Made once per worker with the configured cost. */
static const char *
dummy_hash(const struct kiln_config *cfg)
{
	static char hash[CRYPTO_PASSWORD_HASH_MAX];
	unsigned char raw[16];
	char pw[33];

	if (hash[0] == '\0') {
		crypto_random(raw, sizeof(raw));
		crypto_hex(raw, sizeof(raw), pw);
		if (account_hash(cfg, pw, strlen(pw), hash) != KILN_OK)
			hash[0] = '\0';
	}
	return hash;
}

struct session {
	const struct kiln_config *cfg;
	int64_t user_id;
	char fam[AUTH_FAMILY_LEN];
	char refresh[AUTH_TOKEN_LEN];
};

static enum kiln_err
session_txn(struct db *db, void *ctx)
{
	struct session *s = ctx;

	return auth_store_refresh(db, s->cfg, s->user_id, s->fam, s->refresh);
}

/* The user object a new session answers with (login, refresh). New. */
static json_t *
session_user_new(int64_t id, const char *email, const char *role, const char *created_at)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "email", email, "role", role,
			 "created_at", created_at);
}

/* Answers {access_token, refresh_token, token_type, expires_in, user}. */
static enum kiln_err
token_response(struct request *req, int64_t user_id, const char *role, const char *fam,
	       const char *refresh, json_t *user)
{
	char *access = NULL;
	enum kiln_err rc;
	json_t *body;

	if ((rc = auth_access_token(req, user_id, role, fam, &access)) != KILN_OK) {
		json_decref(user);
		return rc;
	}
	body = json_pack("{s:s, s:s, s:s, s:I, s:o}", "access_token", access, "refresh_token",
			 refresh, "token_type", "bearer", "expires_in",
			 (json_int_t)req->app->cfg->access_ttl, "user", user);
	if (body == NULL)
		abort();
	if (req->session_cookie) { /* scripts never see it: only the cookie holds it */
		char cookie[AUTH_COOKIE_MAX];

		if (auth_refresh_cookie(refresh, req->app->cfg->refresh_ttl, req->https, cookie) !=
		    0) {
			json_decref(body);
			return KILN_ERR_INTERNAL;
		}
		request_add_header(req, "Set-Cookie", cookie);
		json_object_del(body, "refresh_token");
	}
	resp_json_new(req, 200, body);
	return KILN_OK;
}

/* In cookie mode, tells the browser to forget the refresh cookie. */
static void
clear_cookie(struct request *req)
{
	char cookie[AUTH_COOKIE_MAX];

	if (req->session_cookie && auth_refresh_cookie(NULL, 0, req->https, cookie) == 0)
		request_add_header(req, "Set-Cookie", cookie);
}

/* Refuses with 429 when this email or this address failed too often. */
static int
login_throttled(struct request *req, const char *ekey, const char *akey)
{
	const struct kiln_config *cfg = req->app->cfg;
	int64_t now = (int64_t)time(NULL), ra = 0, rb = 0;
	char num[32];

	if (!ratelimit_failures_blocked(ekey, strlen(ekey), now, cfg->rl_login_window,
					cfg->rl_login_per_email, &ra) &&
	    !ratelimit_failures_blocked(akey, strlen(akey), now, cfg->rl_login_window,
					cfg->rl_login_per_address, &rb))
		return 0;
	snprintf(num, sizeof(num), "%lld", (long long)(ra > rb ? ra : rb));
	request_add_header(req, "Retry-After", num);
	resp_error(req, KILN_ERR_RATE_LIMITED, "too many failed logins, retry later");
	return 1;
}

static enum kiln_err
login(struct request *req, const char *email_in, const char *password, size_t pwlen)
{
	const struct kiln_config *cfg = req->app->cfg;
	char email[ACCOUNT_EMAIL_MAX + 1], ekey[ACCOUNT_EMAIL_MAX + 8], akey[80];
	const char *why, *hash;
	struct db_val p[1];
	struct db_res *res = NULL;
	struct session s;
	struct crypto_password_cost cost;
	int found, ok;
	enum kiln_err rc;

	if (account_email_normalize(email_in, email, &why) != 0)
		email[0] = '\0'; /* cannot exist: fails below like any unknown email */
	snprintf(ekey, sizeof(ekey), "le:%s", email);
	snprintf(akey, sizeof(akey), "la:%s", req->remote_addr);
	if (login_throttled(req, ekey, akey))
		return KILN_OK;
	p[0] = DBV_STR(email);
	if ((rc = db_exec(req->app->db, STMT_USER_LOGIN, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	found = db_res_rows(res) == 1;
	hash = found ? db_res_str(res, 0, 2, NULL) : dummy_hash(cfg);
	ok = crypto_password_verify(hash, password, pwlen) && found;
	if (!ok) {
		db_res_free(res);
		ratelimit_failure_add(ekey, strlen(ekey), (int64_t)time(NULL),
				      cfg->rl_login_window);
		ratelimit_failure_add(akey, strlen(akey), (int64_t)time(NULL),
				      cfg->rl_login_window);
		resp_error(req, KILN_ERR_UNAUTHORIZED, BAD_LOGIN);
		return KILN_OK;
	}
	if (db_res_i64(res, 0, 4) != 1) {
		db_res_free(res);
		resp_error(req, KILN_ERR_FORBIDDEN, "account disabled");
		return KILN_OK;
	}
	/* the account's count starts over; the address's never does */
	ratelimit_failure_reset(ekey, strlen(ekey));
	memset(&s, 0, sizeof(s));
	s.user_id = db_res_i64(res, 0, 0);
	account_password_cost(cfg, &cost);
	if (crypto_password_needs_rehash(hash, &cost)) {
		char fresh[CRYPTO_PASSWORD_HASH_MAX];
		struct db_val u[2];

		if (account_hash(cfg, password, pwlen, fresh) == KILN_OK) {
			u[0] = DBV_STR(fresh);
			u[1] = DBV_I64(s.user_id);
			(void)db_exec(req->app->db, STMT_USER_SET_PASSWORD, u, 2, NULL, NULL, NULL);
		}
	}
	auth_new_family(s.fam);
	s.cfg = cfg;
	if ((rc = db_txn(req->app->db, session_txn, &s)) != KILN_OK) {
		db_res_free(res);
		return rc;
	}
	{
		json_t *user =
		    session_user_new(s.user_id, db_res_str(res, 0, 1, NULL),
				     db_res_str(res, 0, 3, NULL), db_res_str(res, 0, 5, NULL));
		char role[16];

		snprintf(role, sizeof(role), "%s", db_res_str(res, 0, 3, NULL));
		db_res_free(res);
		return token_response(req, s.user_id, role, s.fam, s.refresh, user);
	}
}

/* Checks credentials that came as text (a form or the query): each one
 * missing, or a password past the cap, is named in errs (EMAIL_FIELD is
 * the name the client used). OUT: *pwlen. */
static void
login_text(json_t *errs, const char *email_field, const char *email, const char *password,
	   size_t *pwlen)
{
	if (email == NULL)
		v_err(errs, email_field, "field required", "value_error.missing");
	if (password == NULL)
		v_err(errs, "password", "field required", "value_error.missing");
	else if ((*pwlen = strlen(password)) > ACCOUNT_PASSWORD_MAX)
		v_err(errs, "password", "too long", "value_error.any_str.max_length");
}

/* POST /auth/login: a JSON body, a form body, or ?email=&password=. An
 * email that cannot be an account's (too long, malformed) is not a field
 * error: it fails as any unknown email does, in the same time. */
enum kiln_err
h_auth_login(struct request *req)
{
	const char *email, *password;
	size_t pwlen = 0;
	json_t *errs = v_new(req);

	if (json_is_object(req->json)) {
		email = v_str(req->json, "email", 1, SIZE_MAX, errs, NULL);
		password = v_str(req->json, "password", 1, ACCOUNT_PASSWORD_MAX, errs, &pwlen);
	} else if (request_is_form(req)) {
		email = request_form(req, "email");
		password = request_form(req, "password");
		login_text(errs, "email", email, password, &pwlen);
	} else {
		email = request_query(req, "email");
		password = request_query(req, "password");
		login_text(errs, "email", email, password, &pwlen);
	}
	if (v_reject(req, errs))
		return KILN_OK;
	return login(req, email, password, pwlen);
}

/* POST /auth/token: OAuth2 resource-owner password grant (form). */
enum kiln_err
h_auth_token(struct request *req)
{
	const char *grant = request_form(req, "grant_type");
	const char *username = request_form(req, "username");
	const char *password = request_form(req, "password");

	json_t *errs = v_new(req);
	size_t pwlen = 0;

	if (grant != NULL && strcmp(grant, "password") != 0) {
		resp_error(req, KILN_ERR_BAD_REQUEST, "unsupported grant_type (use password)");
		return KILN_OK;
	}
	login_text(errs, "username", username, password, &pwlen);
	if (v_reject(req, errs))
		return KILN_OK;
	return login(req, username, password, pwlen);
}

enum refresh_outcome { REFRESH_OK, REFRESH_INVALID, REFRESH_REUSED };

struct refresh_ctx {
	const struct kiln_config *cfg;
	const char *hash;
	enum refresh_outcome outcome;
	int64_t user_id;
	char fam[AUTH_FAMILY_LEN];
	char token[AUTH_TOKEN_LEN];
	char role[16];
	char email[ACCOUNT_EMAIL_MAX + 1], created_at[32]; /* the user object, as login's */
};

static enum kiln_err
refresh_txn(struct db *db, void *arg)
{
	struct refresh_ctx *c = arg;
	struct db_val p[2] = {DBV_STR(c->hash)};
	struct db_res *res = NULL, *user = NULL;
	enum kiln_err rc;

	c->outcome = REFRESH_INVALID;
	if ((rc = db_exec(db, STMT_REFRESH_LOCK, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	/* id, user_id, family_id, expired, used, revoked */
	if (db_res_rows(res) != 1 || db_res_i64(res, 0, 5) || db_res_i64(res, 0, 3))
		goto out;
	c->user_id = db_res_i64(res, 0, 1);
	snprintf(c->fam, sizeof(c->fam), "%s", db_res_str(res, 0, 2, NULL));
	if (db_res_i64(res, 0, 4)) { /* rotated already: someone replays it */
		p[0] = DBV_STR(c->fam);
		p[1] = DBV_I64(c->user_id);
		rc = db_exec(db, STMT_REFRESH_REVOKE_FAMILY, p, 2, NULL, NULL, NULL);
		c->outcome = REFRESH_REUSED;
		goto out;
	}
	p[0] = DBV_I64(db_res_i64(res, 0, 0));
	if ((rc = db_exec(db, STMT_REFRESH_MARK_USED, p, 1, NULL, NULL, NULL)) != KILN_OK)
		goto out;
	p[0] = DBV_I64(c->user_id);
	if ((rc = db_exec(db, STMT_USER_GET, p, 1, &user, NULL, NULL)) != KILN_OK)
		goto out;
	if (db_res_rows(user) != 1 || db_res_i64(user, 0, 5) != 1)
		goto out; /* the token is spent either way */
	snprintf(c->email, sizeof(c->email), "%s", db_res_str(user, 0, 1, NULL));
	snprintf(c->role, sizeof(c->role), "%s", db_res_str(user, 0, 4, NULL));
	snprintf(c->created_at, sizeof(c->created_at), "%s", db_res_str(user, 0, 8, NULL));
	if ((rc = auth_store_refresh(db, c->cfg, c->user_id, c->fam, c->token)) == KILN_OK)
		c->outcome = REFRESH_OK;
out:
	db_res_free(user);
	db_res_free(res);
	return rc;
}

static const char *const refresh_fields[] = {"refresh_token", NULL};

enum kiln_err
h_auth_refresh(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, req->session_cookie);
	struct refresh_ctx c;
	const char *token = NULL;
	char hash[65], cookie[AUTH_TOKEN_LEN];
	enum kiln_err rc;

	if (obj != NULL) {
		v_unknown(obj, refresh_fields, errs);
		token = v_str(obj, "refresh_token", !req->session_cookie, 8192, errs, NULL);
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if (token == NULL) { /* cookie mode and none in the body: the cookie's */
		if (auth_cookie_get(req->cookie, AUTH_COOKIE_NAME, cookie, sizeof(cookie)) != 0) {
			clear_cookie(req);
			resp_error(req, KILN_ERR_UNAUTHORIZED, "no session: sign in");
			return KILN_OK;
		}
		token = cookie;
	}
	memset(&c, 0, sizeof(c));
	crypto_sha256_hex(token, hash);
	c.cfg = req->app->cfg;
	c.hash = hash;
	if ((rc = db_txn(req->app->db, refresh_txn, &c)) != KILN_OK)
		return rc;
	if (c.outcome != REFRESH_OK) {
		clear_cookie(req);
		resp_error(req, KILN_ERR_UNAUTHORIZED,
			   c.outcome == REFRESH_REUSED
			       ? "refresh token reused: every session of this login was revoked"
			       : "invalid or expired refresh token");
		return KILN_OK;
	}
	return token_response(req, c.user_id, c.role, c.fam, c.token,
			      session_user_new(c.user_id, c.email, c.role, c.created_at));
}

static const char *const logout_fields[] = {"refresh_token", NULL};

/* POST /auth/logout: revokes the refresh family of the session (from the
 * access token, or of the refresh_token given in the body or, in cookie
 * mode, in the cookie) and, in cookie mode, removes the cookie. */
enum kiln_err
h_auth_logout(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 1);
	const char *token = NULL;
	char fam[sizeof(req->fam)], cookie[AUTH_TOKEN_LEN];
	enum kiln_err rc;

	if (obj != NULL) {
		v_unknown(obj, logout_fields, errs);
		token = v_str(obj, "refresh_token", 0, 8192, errs, NULL);
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if (token == NULL && req->session_cookie &&
	    auth_cookie_get(req->cookie, AUTH_COOKIE_NAME, cookie, sizeof(cookie)) == 0)
		token = cookie;
	snprintf(fam, sizeof(fam), "%s", req->fam);
	if (token != NULL) {
		char hash[65];
		struct db_val p[1];
		struct db_res *res = NULL;

		crypto_sha256_hex(token, hash);
		p[0] = DBV_STR(hash);
		if ((rc = db_exec(req->app->db, STMT_REFRESH_LOCK, p, 1, &res, NULL, NULL)) !=
		    KILN_OK)
			return rc;
		if (db_res_rows(res) == 1 && db_res_i64(res, 0, 1) == req->user_id)
			snprintf(fam, sizeof(fam), "%s", db_res_str(res, 0, 2, NULL));
		db_res_free(res);
	}
	if (fam[0] != '\0') {
		struct db_val p[2] = {DBV_STR(fam), DBV_I64(req->user_id)};

		if ((rc = db_exec(req->app->db, STMT_REFRESH_REVOKE_FAMILY, p, 2, NULL, NULL,
				  NULL)) != KILN_OK)
			return rc;
	}
	clear_cookie(req);
	resp_empty(req, 204);
	return KILN_OK;
}

enum kiln_err
h_auth_me(struct request *req)
{
	if (req->principal != NULL) { /* read by authentication moments ago */
		resp_json_new(req, 200, view_user_new(req->principal, 0));
		return KILN_OK;
	}
	return h_users_respond(req, req->user_id, 200);
}
