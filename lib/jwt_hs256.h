/* SPDX-License-Identifier: MIT */
/* jwt_hs256.h: kiln's access tokens, HS256 JWTs. jwt_hs256.c is the only file that
 * includes <jwt.h> (libjwt 1.10), and it does the validation libjwt does
 * not: alg must be exactly HS256, exp/iat/typ/sub are checked with their
 * types, and a key shorter than JWT_MIN_KEY is refused. */
#ifndef KILN_JWT_HS256_H
#define KILN_JWT_HS256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JWT_MIN_KEY 32
#define JWT_CLAIM_MAX 40

struct jwt_claims {
	int64_t sub;              /* user id, > 0 */
	int64_t iat, exp;         /* seconds since the epoch */
	char typ[JWT_CLAIM_MAX];  /* "access" */
	char role[JWT_CLAIM_MAX]; /* role when issued (authorisation reads the database) */
	char jti[JWT_CLAIM_MAX];  /* random id */
	char fam[JWT_CLAIM_MAX];  /* refresh family of the session, "" for none */
};

/* Signs c with key (keylen >= JWT_MIN_KEY bytes) into OUT: *token (new,
 * free with free()). KILN_OK, KILN_ERR_INTERNAL (short key, encode error). */
enum kiln_err jwt_hs256_sign(const void *key, size_t keylen, const struct jwt_claims *c,
			     char **token);

/* Verifies token with key at time now and fills OUT: c. Every failure is
 * KILN_ERR_UNAUTHORIZED: bad format, signature, alg other than HS256,
 * missing/mistyped claims, exp <= now, iat in the future (60 s skew),
 * typ other than want_typ. */
enum kiln_err jwt_hs256_verify(const void *key, size_t keylen, const char *token, int64_t now,
			       const char *want_typ, struct jwt_claims *c);

#endif
