/* SPDX-License-Identifier: MIT */
/* crypto.c: the one file that includes <sodium.h> (see crypto.h). */
#include "crypto.h"

#include <sodium.h>

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
crypto_sha256(const void *data, size_t n, unsigned char digest[CRYPTO_SHA256_BYTES])
{
	crypto_hash_sha256(digest, (const unsigned char *)data, n);
}

void
crypto_hex(const unsigned char *bytes, size_t n, char *hex)
{
	sodium_bin2hex(hex, n * 2 + 1, bytes, n);
}
