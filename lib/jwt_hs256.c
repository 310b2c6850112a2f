/* SPDX-License-Identifier: MIT */
/* jwt_hs256.c: the only file that includes <jwt.h> (see jwt_hs256.h). libjwt 1.10
 * accepts alg "none" when given no key, never checks exp, verifies
 * whatever HMAC the header names and reads a non-integer grant as 0: every
 * one of those is checked here instead. */
#include "jwt_hs256.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JWT_MAX_TOKEN 4096
#define JWT_SKEW 60 /* seconds of clock difference tolerated on iat */

enum kiln_err
jwt_hs256_sign(const void *key, size_t keylen, const struct jwt_claims *c, char **token)
{
	jwt_t *j = NULL;
	enum kiln_err rc = KILN_ERR_INTERNAL;

	*token = NULL;
	if (keylen < JWT_MIN_KEY || keylen > INT32_MAX || jwt_new(&j) != 0)
		return KILN_ERR_INTERNAL;
	if (jwt_add_grant_int(j, "sub", (long)c->sub) != 0 ||
	    jwt_add_grant_int(j, "iat", (long)c->iat) != 0 ||
	    jwt_add_grant_int(j, "exp", (long)c->exp) != 0 ||
	    jwt_add_grant(j, "typ", c->typ) != 0 || jwt_add_grant(j, "role", c->role) != 0 ||
	    jwt_add_grant(j, "jti", c->jti) != 0 ||
	    (c->fam[0] != '\0' && jwt_add_grant(j, "fam", c->fam) != 0) ||
	    jwt_set_alg(j, JWT_ALG_HS256, key, (int)keylen) != 0)
		goto out;
	if ((*token = jwt_encode_str(j)) != NULL)
		rc = KILN_OK;
out:
	jwt_free(j);
	return rc;
}

/* Copies a string claim (required unless optional) into OUT: dst. */
static int
jwt_str_claim(json_t *claims, const char *name, char *dst, size_t n, int optional)
{
	json_t *v = json_object_get(claims, name);

	if (v == NULL && optional) {
		dst[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= n)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
jwt_int_claim(json_t *claims, const char *name, int64_t *out)
{
	json_t *v = json_object_get(claims, name);

	if (!json_is_integer(v))
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

enum kiln_err
jwt_hs256_verify(const void *key, size_t keylen, const char *token, int64_t now,
		 const char *want_typ, struct jwt_claims *c)
{
	jwt_t *j = NULL;
	char *grants = NULL;
	json_t *claims = NULL;
	enum kiln_err rc = KILN_ERR_UNAUTHORIZED;

	memset(c, 0, sizeof(*c));
	if (keylen < JWT_MIN_KEY || keylen > INT32_MAX || token == NULL ||
	    strlen(token) > JWT_MAX_TOKEN)
		return KILN_ERR_UNAUTHORIZED;
	/* with a key, libjwt checks the signature of the alg the header names */
	if (jwt_decode(&j, token, key, (int)keylen) != 0 || j == NULL)
		return KILN_ERR_UNAUTHORIZED;
	if (jwt_get_alg(j) != JWT_ALG_HS256)
		goto out;
	/* read the claims with their JSON types; jwt_get_grant_int would
	 * turn a string "exp" into 0. (libjwt has already parsed the payload,
	 * keeping the last of duplicate claims; only a holder of the key can
	 * sign such a token, so that is not checked again here.) */
	if ((grants = jwt_get_grants_json(j, NULL)) == NULL ||
	    (claims = json_loads(grants, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(claims))
		goto out;
	if (jwt_int_claim(claims, "sub", &c->sub) != 0 || c->sub <= 0 ||
	    jwt_int_claim(claims, "iat", &c->iat) != 0 ||
	    jwt_int_claim(claims, "exp", &c->exp) != 0 ||
	    jwt_str_claim(claims, "typ", c->typ, sizeof(c->typ), 0) != 0 ||
	    jwt_str_claim(claims, "role", c->role, sizeof(c->role), 0) != 0 ||
	    jwt_str_claim(claims, "jti", c->jti, sizeof(c->jti), 0) != 0 ||
	    jwt_str_claim(claims, "fam", c->fam, sizeof(c->fam), 1) != 0)
		goto out;
	if (c->exp <= now || (c->iat > now && c->iat - now > JWT_SKEW) || c->exp <= c->iat)
		goto out;
	if (strcmp(c->typ, want_typ) != 0)
		goto out;
	rc = KILN_OK;
out:
	if (rc != KILN_OK)
		memset(c, 0, sizeof(*c));
	json_decref(claims);
	free(grants);
	jwt_free(j);
	return rc;
}
