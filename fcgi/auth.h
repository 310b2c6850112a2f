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

/* Signs an access token for user_id with role and refresh family fam.
 * OUT: *token is arena-owned. */
enum kiln_err auth_access_token(struct request *req, int64_t user_id, const char *role,
				const char *fam, char **token);

#endif
