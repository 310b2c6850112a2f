/* SPDX-License-Identifier: MIT */
/* crypto.c: the one file that includes <sodium.h> (see crypto.h). */
#include "crypto.h"

#include <sodium.h>
#include <string.h>

enum kiln_err
crypto_init(void)
{
	return sodium_init() < 0 ? KILN_ERR_INTERNAL : KILN_OK;
}

void
crypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void
crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
		   unsigned char mac[CRYPTO_SHA256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, n);
	crypto_auth_hmacsha256_final(&st, mac);
}

void
crypto_sha256(const void *data, size_t n, unsigned char digest[CRYPTO_SHA256_BYTES])
{
	crypto_hash_sha256(digest, (const unsigned char *)data, n);
}

void
crypto_hex(const unsigned char *bytes, size_t n, char *hex)
{
	sodium_bin2hex(hex, n * 2 + 1, bytes, n);
}

void
crypto_password_cost_interactive(struct crypto_password_cost *c)
{
	c->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	c->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

enum kiln_err
crypto_password_hash(const char *password, size_t len, const struct crypto_password_cost *c,
		     char out[CRYPTO_PASSWORD_HASH_MAX])
{
	_Static_assert(CRYPTO_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
	if (crypto_pwhash_str(out, password, len, c->ops, c->mem) != 0)
		return KILN_ERR_NOMEM;
	return KILN_OK;
}

int
crypto_password_verify(const char *hash, const char *password, size_t len)
{
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

int
crypto_password_needs_rehash(const char *hash, const struct crypto_password_cost *c)
{
	return crypto_pwhash_str_needs_rehash(hash, c->ops, c->mem) != 0;
}

void
crypto_b64url(const unsigned char *bytes, size_t n, char *out)
{
	sodium_bin2base64(out, CRYPTO_B64_LEN(n), bytes, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
crypto_sha256_hex(const char *s, char hex[65])
{
	unsigned char d[CRYPTO_SHA256_BYTES];

	crypto_sha256(s, strlen(s), d);
	crypto_hex(d, sizeof(d), hex);
}

_Static_assert(sizeof(struct crypto_sha256_state) >= sizeof(crypto_hash_sha256_state),
	       "crypto_sha256_state too small for libsodium's state");

void
crypto_sha256_init(struct crypto_sha256_state *st)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)st->opaque);
}

void
crypto_sha256_update(struct crypto_sha256_state *st, const void *data, size_t n)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)st->opaque,
				  (const unsigned char *)data, n);
}

void
crypto_sha256_final(struct crypto_sha256_state *st, unsigned char digest[CRYPTO_SHA256_BYTES])
{
	crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)st->opaque, digest);
}
