/* SPDX-License-Identifier: MIT */
/* auth.h: who is calling. Bearer access tokens (HS256 JWT) and API keys
 * (X-API-Key) resolve to a user whose role and is_active are read from the
 * database on every request, so a role change or a deactivation takes
 * effect at once. Also issues sessions: access token + refresh token.
 * Not for: passwords and user rules (lib/account.h), HTTP shapes (h_auth.c). */
#ifndef KILN_AUTH_H
#define KILN_AUTH_H

#include <stdint.h>

#include "crypto.h"
#include "err.h"
#include "request.h"

#define AUTH_API_KEY_PREFIX "kiln_"
#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_LEN CRYPTO_B64_LEN(AUTH_TOKEN_BYTES) /* with NUL */
#define AUTH_FAMILY_LEN 33                              /* 32 hex + NUL */

/* Resolves the request's credentials into req->user_id, role, role_bit,
 * api_key_id and fam. KILN_ERR_UNAUTHORIZED when there are none or they
 * are invalid, expired, revoked or belong to a disabled user;
 * KILN_ERR_DB_UNAVAILABLE and friends from the database. */
enum kiln_err auth_authenticate(struct request *req);

/* A fresh random token (base64url of 32 bytes) into OUT: token and the hex
 * SHA-256 stored in its place into OUT: hash. prefix ("" or "kiln_") is
 * prepended to the token. */
void auth_new_secret(const char *prefix, char *token, size_t tokenlen, char hash[65]);

/* A fresh refresh family id (32 hex digits) into OUT: fam. */
void auth_new_family(char fam[AUTH_FAMILY_LEN]);

/* Stores a new refresh token of family fam for user_id (inside the caller's
 * transaction) and returns it in OUT: token. */
enum kiln_err auth_store_refresh(struct db *db, const struct kiln_config *cfg, int64_t user_id,
				 const char *fam, char token[AUTH_TOKEN_LEN]);

/* The browser session (README, Accounts): a request that says
 * "X-Kiln-Session: cookie" gets its refresh token as an HttpOnly cookie
 * instead of in the body, and may present it from there. The cookie is
 * scoped to the auth routes and never readable by scripts. */
#define AUTH_COOKIE_NAME "kiln_refresh"
#define AUTH_COOKIE_PATH "/api/v1/auth"
#define AUTH_COOKIE_MAX 256 /* a whole Set-Cookie value, with the NUL */

/* The value of the cookie name in a Cookie header (the first one of that
 * name) into OUT: out (cap bytes with the NUL). Only a value of 1 to
 * cap - 1 base64url characters is taken. 0, or -1 when absent or not such
 * a value (out is then ""). */
int auth_cookie_get(const char *header, const char *name, char *out, size_t cap);

/* The Set-Cookie value that stores token for max_age seconds (HttpOnly,
 * SameSite=Strict, Path=AUTH_COOKIE_PATH, Secure when secure), or, for
 * token NULL, the one that removes the cookie. OUT: out (AUTH_COOKIE_MAX).
 * 0, or -1 when it does not fit. */
int auth_refresh_cookie(const char *token, int64_t max_age, int secure, char out[AUTH_COOKIE_MAX]);

/* Signs an access token for user_id with role and refresh family fam.
 * OUT: *token is arena-owned. */
enum kiln_err auth_access_token(struct request *req, int64_t user_id, const char *role,
				const char *fam, char **token);

#endif
