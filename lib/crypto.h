/* SPDX-License-Identifier: MIT */
/* crypto.h: kiln's narrow view of libsodium (the only file including
 * <sodium.h> is crypto.c): randomness, constant-time comparison, hashing.
 * Not for: JWT (jwt.c) or password policy. */
#ifndef KILN_CRYPTO_H
#define KILN_CRYPTO_H

#include <stddef.h>

#include "err.h"

#define CRYPTO_SHA256_BYTES 32

/* Initialises libsodium; call once per process before anything below.
 * Safe to call again. KILN_ERR_INTERNAL if the library cannot start. */
enum kiln_err crypto_init(void);

/* Fills OUT: buf with n unpredictable bytes. */
void crypto_random(void *buf, size_t n);

/* 1 when the n bytes at a and b are equal, in time independent of content. */
int crypto_equal(const void *a, const void *b, size_t n);

/* SHA-256 of n bytes into OUT: digest. */
void crypto_sha256(const void *data, size_t n, unsigned char digest[CRYPTO_SHA256_BYTES]);

/* Incremental SHA-256 for data that arrives in pieces (uploads). */
struct crypto_sha256_state {
	unsigned char opaque[128] __attribute__((aligned(16))); /* libsodium's state fits */
};
void crypto_sha256_init(struct crypto_sha256_state *st);
void crypto_sha256_update(struct crypto_sha256_state *st, const void *data, size_t n);
void crypto_sha256_final(struct crypto_sha256_state *st, unsigned char digest[CRYPTO_SHA256_BYTES]);

/* HMAC-SHA-256 (libsodium's crypto_auth_hmacsha256) of n bytes under a
 * key of klen bytes (any length: hashed first when longer than a block). */
void crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
			unsigned char mac[CRYPTO_SHA256_BYTES]);

/* Lower-case hex of n bytes into OUT: hex, which holds 2n+1 bytes. */
void crypto_hex(const unsigned char *bytes, size_t n, char *hex);

/* Password hashes: libsodium's crypto_pwhash_str (argon2id). */
#define CRYPTO_PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

struct crypto_password_cost {
	unsigned long long ops; /* argon2id passes */
	size_t mem;             /* bytes */
};

/* libsodium's interactive limits (about 100 ms and 64 MiB per hash). */
void crypto_password_cost_interactive(struct crypto_password_cost *c);

/* Hashes password (len bytes) into OUT: out, NUL-terminated.
 * KILN_OK or KILN_ERR_NOMEM (argon2 could not get its memory). */
enum kiln_err crypto_password_hash(const char *password, size_t len,
				   const struct crypto_password_cost *c,
				   char out[CRYPTO_PASSWORD_HASH_MAX]);

/* 1 when password matches hash. Takes the hash's own cost in time. */
int crypto_password_verify(const char *hash, const char *password, size_t len);

/* 1 when hash was made with other parameters than c (rehash on login). */
int crypto_password_needs_rehash(const char *hash, const struct crypto_password_cost *c);

/* Base64url without padding of n bytes into OUT: out, which holds
 * CRYPTO_B64_LEN(n) bytes including the NUL. */
#define CRYPTO_B64_LEN(n) (((n)*4 + 2) / 3 + 1)
void crypto_b64url(const unsigned char *bytes, size_t n, char *out);

/* SHA-256 of a NUL-terminated string as 64 hex digits into OUT: hex[65]. */
void crypto_sha256_hex(const char *s, char hex[65]);

#endif
