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

/* Lower-case hex of n bytes into OUT: hex, which holds 2n+1 bytes. */
void crypto_hex(const unsigned char *bytes, size_t n, char *hex);

#endif
