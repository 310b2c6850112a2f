/* SPDX-License-Identifier: MIT */
/* account.h: users as kiln-api and kilnctl both create and change them:
 * email/username/role rules, password hashing with the configured cost.
 * Not for: sessions, tokens or HTTP (fcgi/auth.c, fcgi/h_auth.c). */
#ifndef KILN_ACCOUNT_H
#define KILN_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "err.h"

#define ACCOUNT_EMAIL_MAX 254
#define ACCOUNT_USERNAME_MIN 3
#define ACCOUNT_USERNAME_MAX 64
#define ACCOUNT_FULL_NAME_MAX 200
#define ACCOUNT_PASSWORD_MIN 8
#define ACCOUNT_PASSWORD_MAX 1024

/* Roles, as bits so that a route lists exactly who may call it. */
enum role_bit {
	ROLE_USER = 1u << 0,
	ROLE_VIEWER = 1u << 1,
	ROLE_OPERATOR = 1u << 2,
	ROLE_ADMIN = 1u << 3,
};
#define ROLES_ANY (ROLE_USER | ROLE_VIEWER | ROLE_OPERATOR | ROLE_ADMIN)
#define ROLES_STAFF (ROLE_OPERATOR | ROLE_ADMIN)

/* The bit for a role name ("user", "viewer", "operator", "admin"), 0 for
 * anything else. */
unsigned account_role_bit(const char *role);

/* Trims spaces, lower-cases and validates an email into OUT: out.
 * 0 when valid, else -1 with OUT: why (static text). */
int account_email_normalize(const char *in, char out[ACCOUNT_EMAIL_MAX + 1], const char **why);

/* 0 when username is 3..64 of [A-Za-z0-9._-], else -1 with OUT: why. */
int account_username_check(const char *username, const char **why);

/* 0 when len is within the password limits, else -1 with OUT: why. */
int account_password_check(size_t len, const char **why);

/* 0 when name is at most 200 bytes without control characters. */
int account_full_name_check(const char *name, const char **why);

/* The password cost from the configuration. */
void account_password_cost(const struct kiln_config *cfg, struct crypto_password_cost *c);

/* Creates a user (inputs already validated; username/full_name may be
 * NULL) and returns OUT: *id. KILN_ERR_CONFLICT with OUT: *which set to
 * "email" or "username" when one is taken; database errors as db.h. */
enum kiln_err account_create(struct db *db, const struct kiln_config *cfg, const char *email,
			     const char *password, size_t pwlen, const char *username,
			     const char *full_name, const char *role, int64_t *id,
			     const char **which);

/* Hashes password into OUT: hash with the configured cost. */
enum kiln_err account_hash(const struct kiln_config *cfg, const char *password, size_t pwlen,
			   char hash[CRYPTO_PASSWORD_HASH_MAX]);

#endif
