/* SPDX-License-Identifier: MIT */
/* t_jwt.c: lib/jwt_hs256.c: sign/verify round trips and every way verify
 * must refuse a token: key length, wrong key, time, typ, alg, claim types,
 * tampering, garbage and size. Crafted tokens are signed here with HMAC
 * over crypto_sha256 or a local SHA-384/512 (<sodium.h> is lib/crypto.c's
 * alone), so each fails for the reason tested, not for its signature. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jwt_hs256.h"
#include "suites.h"

#define NOW INT64_C(1700000000)
#define TOK_MAX 8192
#define JSON_MAX 8192
#define TOKEN_MAX_LEN 4096 /* JWT_MAX_TOKEN in jwt_hs256.c */
#define HDR_HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define HASH_MAX_BLOCK 128
#define HASH_MAX_LEN 64

static const char key_a[] = "0123456789abcdef0123456789abcdef"; /* 32 bytes */
static const char key_b[] = "0123456789abcdef0123456789abcdeF"; /* differs in the last */
#define KEYLEN (sizeof(key_a) - 1)

/* SHA-512 round constants (FIPS 180-4 section 4.2.3). */
static const uint64_t sha512_k[80] = {
    UINT64_C(0x428a2f98d728ae22), UINT64_C(0x7137449123ef65cd), UINT64_C(0xb5c0fbcfec4d3b2f),
    UINT64_C(0xe9b5dba58189dbbc), UINT64_C(0x3956c25bf348b538), UINT64_C(0x59f111f1b605d019),
    UINT64_C(0x923f82a4af194f9b), UINT64_C(0xab1c5ed5da6d8118), UINT64_C(0xd807aa98a3030242),
    UINT64_C(0x12835b0145706fbe), UINT64_C(0x243185be4ee4b28c), UINT64_C(0x550c7dc3d5ffb4e2),
    UINT64_C(0x72be5d74f27b896f), UINT64_C(0x80deb1fe3b1696b1), UINT64_C(0x9bdc06a725c71235),
    UINT64_C(0xc19bf174cf692694), UINT64_C(0xe49b69c19ef14ad2), UINT64_C(0xefbe4786384f25e3),
    UINT64_C(0x0fc19dc68b8cd5b5), UINT64_C(0x240ca1cc77ac9c65), UINT64_C(0x2de92c6f592b0275),
    UINT64_C(0x4a7484aa6ea6e483), UINT64_C(0x5cb0a9dcbd41fbd4), UINT64_C(0x76f988da831153b5),
    UINT64_C(0x983e5152ee66dfab), UINT64_C(0xa831c66d2db43210), UINT64_C(0xb00327c898fb213f),
    UINT64_C(0xbf597fc7beef0ee4), UINT64_C(0xc6e00bf33da88fc2), UINT64_C(0xd5a79147930aa725),
    UINT64_C(0x06ca6351e003826f), UINT64_C(0x142929670a0e6e70), UINT64_C(0x27b70a8546d22ffc),
    UINT64_C(0x2e1b21385c26c926), UINT64_C(0x4d2c6dfc5ac42aed), UINT64_C(0x53380d139d95b3df),
    UINT64_C(0x650a73548baf63de), UINT64_C(0x766a0abb3c77b2a8), UINT64_C(0x81c2c92e47edaee6),
    UINT64_C(0x92722c851482353b), UINT64_C(0xa2bfe8a14cf10364), UINT64_C(0xa81a664bbc423001),
    UINT64_C(0xc24b8b70d0f89791), UINT64_C(0xc76c51a30654be30), UINT64_C(0xd192e819d6ef5218),
    UINT64_C(0xd69906245565a910), UINT64_C(0xf40e35855771202a), UINT64_C(0x106aa07032bbd1b8),
    UINT64_C(0x19a4c116b8d2d0c8), UINT64_C(0x1e376c085141ab53), UINT64_C(0x2748774cdf8eeb99),
    UINT64_C(0x34b0bcb5e19b48a8), UINT64_C(0x391c0cb3c5c95a63), UINT64_C(0x4ed8aa4ae3418acb),
    UINT64_C(0x5b9cca4f7763e373), UINT64_C(0x682e6ff3d6b2b8a3), UINT64_C(0x748f82ee5defb2fc),
    UINT64_C(0x78a5636f43172f60), UINT64_C(0x84c87814a1f0ab72), UINT64_C(0x8cc702081a6439ec),
    UINT64_C(0x90befffa23631e28), UINT64_C(0xa4506cebde82bde9), UINT64_C(0xbef9a3f7b2c67915),
    UINT64_C(0xc67178f2e372532b), UINT64_C(0xca273eceea26619c), UINT64_C(0xd186b8c721c0c207),
    UINT64_C(0xeada7dd6cde0eb1e), UINT64_C(0xf57d4f7fee6ed178), UINT64_C(0x06f067aa72176fba),
    UINT64_C(0x0a637dc5a2c898a6), UINT64_C(0x113f9804bef90dae), UINT64_C(0x1b710b35131c471b),
    UINT64_C(0x28db77f523047d84), UINT64_C(0x32caab7b40c72493), UINT64_C(0x3c9ebe0a15c9bebc),
    UINT64_C(0x431d67c49c100d4c), UINT64_C(0x4cc5d4becb3e42b6), UINT64_C(0x597f299cfc657e2a),
    UINT64_C(0x5fcb6fab3ad6faec), UINT64_C(0x6c44198c4a475817),
};

static const uint64_t sha512_iv[8] = {
    UINT64_C(0x6a09e667f3bcc908), UINT64_C(0xbb67ae8584caa73b), UINT64_C(0x3c6ef372fe94f82b),
    UINT64_C(0xa54ff53a5f1d36f1), UINT64_C(0x510e527fade682d1), UINT64_C(0x9b05688c2b3e6c1f),
    UINT64_C(0x1f83d9abfb41bd6b), UINT64_C(0x5be0cd19137e2179),
};

static const uint64_t sha384_iv[8] = {
    UINT64_C(0xcbbb9d5dc1059ed8), UINT64_C(0x629a292a367cd507), UINT64_C(0x9159015a3070dd17),
    UINT64_C(0x152fecd8f70e5939), UINT64_C(0x67332667ffc00b31), UINT64_C(0x8eb44a8768581511),
    UINT64_C(0xdb0c2e0d64f98fa7), UINT64_C(0x47b5481dbefa4fa4),
};

static uint64_t
ror64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

static void
sha512_block(uint64_t h[8], const unsigned char *p)
{
	uint64_t w[80], v[8], t1, t2;
	unsigned i, j;

	for (i = 0; i < 16; i++)
		for (j = 0, w[i] = 0; j < 8; j++)
			w[i] = (w[i] << 8) | p[8 * i + j];
	for (i = 16; i < 80; i++)
		w[i] = w[i - 16] + (ror64(w[i - 15], 1) ^ ror64(w[i - 15], 8) ^ (w[i - 15] >> 7)) +
		       w[i - 7] + (ror64(w[i - 2], 19) ^ ror64(w[i - 2], 61) ^ (w[i - 2] >> 6));
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 80; i++) {
		t1 = v[7] + (ror64(v[4], 14) ^ ror64(v[4], 18) ^ ror64(v[4], 41)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha512_k[i] + w[i];
		t2 = (ror64(v[0], 28) ^ ror64(v[0], 34) ^ ror64(v[0], 39)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

/* SHA-512 family (FIPS 180-4) from iv, truncated to outlen bytes. */
static void
sha512_family(const uint64_t iv[8], const void *data, size_t n, unsigned char *out, size_t outlen)
{
	const unsigned char *p = data;
	unsigned char tail[2 * HASH_MAX_BLOCK] = {0};
	uint64_t h[8];
	size_t rest = n % 128, tl = rest < 112 ? 128 : 256, i;

	memcpy(h, iv, sizeof(h));
	for (i = 0; i + 128 <= n; i += 128)
		sha512_block(h, p + i);
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++) /* bit length; the upper 64 bits stay 0 */
		tail[tl - 1 - i] = (unsigned char)(((uint64_t)n << 3) >> (8 * i));
	for (i = 0; i < tl; i += 128)
		sha512_block(h, tail + i);
	for (i = 0; i < outlen; i++)
		out[i] = (unsigned char)(h[i / 8] >> (56 - 8 * (i % 8)));
}

static void
sha384(const void *data, size_t n, unsigned char *out)
{
	sha512_family(sha384_iv, data, n, out, 48);
}

static void
sha512(const void *data, size_t n, unsigned char *out)
{
	sha512_family(sha512_iv, data, n, out, 64);
}

struct hmac_alg {
	size_t block, len; /* bytes */
	void (*hash)(const void *data, size_t n, unsigned char *out);
};

static const struct hmac_alg hs256 = {64, CRYPTO_SHA256_BYTES, crypto_sha256};
static const struct hmac_alg hs384 = {128, 48, sha384};
static const struct hmac_alg hs512 = {128, 64, sha512};

/* HMAC (RFC 2104) of n bytes of msg into OUT: mac (alg->len bytes). */
static void
hmac(const struct hmac_alg *alg, const void *key, size_t keylen, const void *msg, size_t n,
     unsigned char *mac)
{
	unsigned char k[HASH_MAX_BLOCK] = {0}, outer[HASH_MAX_BLOCK + HASH_MAX_LEN];
	unsigned char *buf = malloc(alg->block + n);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	if (keylen > alg->block)
		alg->hash(key, keylen, k);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < alg->block; i++) {
		buf[i] = k[i] ^ 0x36;
		outer[i] = k[i] ^ 0x5c;
	}
	memcpy(buf + alg->block, msg, n);
	alg->hash(buf, alg->block + n, outer + alg->block);
	alg->hash(outer, alg->block + alg->len, mac);
	free(buf);
}

/* Builds base64url(header).base64url(payload).sig into OUT: tok (TOK_MAX
 * bytes). sig NULL means a real signature by alg with key/keylen. */
static void
make_token_alg(const char *header, const char *payload, const struct hmac_alg *alg, const void *key,
	       size_t keylen, const char *sig, char tok[TOK_MAX])
{
	unsigned char mac[HASH_MAX_LEN];
	char mac64[CRYPTO_B64_LEN(HASH_MAX_LEN)];
	size_t hl = strlen(header), pl = strlen(payload), n;

	CU_ASSERT_FATAL(CRYPTO_B64_LEN(hl) + CRYPTO_B64_LEN(pl) + sizeof(mac64) + 2 <= TOK_MAX);
	crypto_b64url((const unsigned char *)header, hl, tok);
	n = strlen(tok);
	tok[n++] = '.';
	crypto_b64url((const unsigned char *)payload, pl, tok + n);
	n += strlen(tok + n);
	if (sig == NULL) {
		hmac(alg, key, keylen, tok, n, mac);
		crypto_b64url(mac, alg->len, mac64);
		sig = mac64;
	}
	CU_ASSERT_FATAL(n + 1 + strlen(sig) < TOK_MAX);
	tok[n++] = '.';
	memcpy(tok + n, sig, strlen(sig) + 1);
}

/* make_token_alg with HS256. */
static void
make_token(const char *header, const char *payload, const void *key, size_t keylen, const char *sig,
	   char tok[TOK_MAX])
{
	make_token_alg(header, payload, &hs256, key, keylen, sig, tok);
}

/* A correctly signed HS256 token (key_a) around payload. */
static void
signed_token(const char *payload, char tok[TOK_MAX])
{
	make_token(HDR_HS256, payload, key_a, KEYLEN, NULL, tok);
}

/* A payload with every claim valid at NOW, plus extra (",..." or ""). */
static void
good_payload(const char *extra, char out[JSON_MAX])
{
	int n = snprintf(out, JSON_MAX,
			 "{\"sub\":7,\"iat\":%lld,\"exp\":%lld,\"typ\":\"access\","
			 "\"role\":\"user\",\"jti\":\"j-1\"%s}",
			 (long long)(NOW - 10), (long long)(NOW + 900), extra);

	CU_ASSERT_FATAL(n > 0 && n < JSON_MAX);
}

static int
claims_zero(const struct jwt_claims *c)
{
	static const struct jwt_claims zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/* Asserts that verify with key/keylen at now refuses tok and zeroes the
 * claims; what names the case in a failure. */
static void
refused_at(const void *key, size_t keylen, const char *tok, int64_t now, const char *what,
	   unsigned line)
{
	struct jwt_claims c;
	enum kiln_err rc;
	char msg[256];

	memset(&c, 0x5a, sizeof(c));
	rc = jwt_hs256_verify(key, keylen, tok, now, "access", &c);
	snprintf(msg, sizeof(msg), "refused (rc %d): %s", (int)rc, what);
	CU_assertImplementation(rc == KILN_ERR_UNAUTHORIZED, line, msg, __FILE__, "", CU_FALSE);
	snprintf(msg, sizeof(msg), "claims zeroed: %s", what);
	CU_assertImplementation(claims_zero(&c), line, msg, __FILE__, "", CU_FALSE);
}

#define REFUSED(tok, now, what) refused_at(key_a, KEYLEN, (tok), (now), (what), __LINE__)
#define REFUSED_KEY(key, keylen, tok, what)                                                        \
	refused_at((key), (keylen), (tok), NOW, (what), __LINE__)

static void
accepted_at(const char *tok, int64_t now, const char *what, unsigned line)
{
	struct jwt_claims c;
	enum kiln_err rc;
	char msg[256];

	rc = jwt_hs256_verify(key_a, KEYLEN, tok, now, "access", &c);
	snprintf(msg, sizeof(msg), "accepted (rc %d): %s", (int)rc, what);
	CU_assertImplementation(rc == KILN_OK, line, msg, __FILE__, "", CU_FALSE);
}

#define ACCEPTED(tok, now, what) accepted_at((tok), (now), (what), __LINE__)

static struct jwt_claims
claims(int64_t sub, int64_t iat, int64_t exp, const char *typ, const char *role, const char *fam)
{
	struct jwt_claims c;

	memset(&c, 0, sizeof(c));
	c.sub = sub;
	c.iat = iat;
	c.exp = exp;
	snprintf(c.typ, sizeof(c.typ), "%s", typ);
	snprintf(c.role, sizeof(c.role), "%s", role);
	snprintf(c.jti, sizeof(c.jti), "%s", "jti-0001");
	snprintf(c.fam, sizeof(c.fam), "%s", fam);
	return c;
}

/* Signs c with key_a; the caller frees the token. */
static char *
sign(const struct jwt_claims *c)
{
	char *tok = NULL;

	CU_ASSERT_EQUAL_FATAL(jwt_hs256_sign(key_a, KEYLEN, c, &tok), KILN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
	return tok;
}

/* hash (n bytes of data) or hmac (key) as hex equals want. */
static void
digest_at(const struct hmac_alg *alg, const void *key, size_t keylen, const void *data, size_t n,
	  const char *want, unsigned line)
{
	unsigned char d[HASH_MAX_LEN];
	char hex[2 * HASH_MAX_LEN + 1];

	if (key == NULL)
		alg->hash(data, n, d);
	else
		hmac(alg, key, keylen, data, n, d);
	crypto_hex(d, alg->len, hex);
	CU_assertImplementation(strcmp(hex, want) == 0, line, want, __FILE__, "", CU_FALSE);
}

#define DIGEST(alg, key, keylen, data, n, want)                                                    \
	digest_at((alg), (key), (keylen), (data), (n), (want), __LINE__)

/* The signing helpers themselves (FIPS 180-4 and RFC 4231 vectors), and a
 * crafted token with good claims verifies: crafted tokens below fail
 * only for what they change. */
static void
t_jwt_crafted_control(void)
{
	static const char jefe[] = "Jefe", jmsg[] = "what do ya want for nothing?";
	static const char lmsg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	unsigned char big_key[131];
	char a[1000], p[JSON_MAX], tok[TOK_MAX];
	struct jwt_claims c;

	memset(a, 'a', sizeof(a));
	memset(big_key, 0xaa, sizeof(big_key));
	DIGEST(&hs384, NULL, 0, "abc", 3,
	       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
	       "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	DIGEST(&hs512, NULL, 0, "abc", 3,
	       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	DIGEST(&hs512, NULL, 0, a, 120, /* padding spills into a second block */
	       "f241de612b01aa2fa3cf01531d2a8e5e17fc761dfd48a704a834a47f57d6eade"
	       "7804ecc39be42fdef16ec6adeaf7c01c2fd0c4cc97d3860907cfa4a3b36d0c05");
	DIGEST(&hs384, NULL, 0, a, 1000,
	       "f54480689c6b0b11d0303285d9a81b21a93bca6ba5a1b447"
	       "2765dca4da45ee328082d469c650cd3b61b16d3266ab8ced");
	DIGEST(&hs256, jefe, strlen(jefe), jmsg, strlen(jmsg),
	       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	DIGEST(&hs384, jefe, strlen(jefe), jmsg, strlen(jmsg),
	       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47"
	       "e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
	DIGEST(&hs512, jefe, strlen(jefe), jmsg, strlen(jmsg),
	       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
	DIGEST(&hs256, big_key, sizeof(big_key), lmsg, strlen(lmsg),
	       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	DIGEST(&hs384, big_key, sizeof(big_key), lmsg, strlen(lmsg),
	       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f"
	       "3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");
	DIGEST(&hs512, big_key, sizeof(big_key), lmsg, strlen(lmsg),
	       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
	good_payload("", p);
	signed_token(p, tok);
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "access", &c), KILN_OK);
	CU_ASSERT(c.sub == 7);
	CU_ASSERT(c.iat == NOW - 10);
	CU_ASSERT(c.exp == NOW + 900);
	CU_ASSERT_STRING_EQUAL(c.typ, "access");
	CU_ASSERT_STRING_EQUAL(c.role, "user");
	CU_ASSERT_STRING_EQUAL(c.jti, "j-1");
	CU_ASSERT_STRING_EQUAL(c.fam, "");
	good_payload(",\"fam\":\"f-9\"", p);
	signed_token(p, tok);
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "access", &c), KILN_OK);
	CU_ASSERT_STRING_EQUAL(c.fam, "f-9");
}

static void
t_jwt_round_trip(void)
{
	struct jwt_claims in = claims(42, NOW - 5, NOW + 900, "access", "admin", "fam-abc");
	struct jwt_claims out;
	char *tok = sign(&in);

	CU_ASSERT(strchr(tok, '.') != NULL && strchr(strchr(tok, '.') + 1, '.') != NULL);
	memset(&out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "access", &out), KILN_OK);
	CU_ASSERT(out.sub == 42);
	CU_ASSERT(out.iat == NOW - 5);
	CU_ASSERT(out.exp == NOW + 900);
	CU_ASSERT_STRING_EQUAL(out.typ, "access");
	CU_ASSERT_STRING_EQUAL(out.role, "admin");
	CU_ASSERT_STRING_EQUAL(out.jti, "jti-0001");
	CU_ASSERT_STRING_EQUAL(out.fam, "fam-abc");
	free(tok);

	/* fam is optional: "" is not written and reads back as "" */
	in = claims(1, NOW, NOW + 1, "refresh", "viewer", "");
	tok = sign(&in);
	memset(&out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "refresh", &out), KILN_OK);
	CU_ASSERT(out.sub == 1);
	CU_ASSERT_STRING_EQUAL(out.typ, "refresh");
	CU_ASSERT_STRING_EQUAL(out.role, "viewer");
	CU_ASSERT_STRING_EQUAL(out.fam, "");
	free(tok);

	/* the largest string claims that fit, and an id above 2^53 */
	in = claims(INT64_C(9007199254740993), NOW, NOW + 60, "access", "", "");
	memset(in.role, 'r', sizeof(in.role) - 1);
	memset(in.jti, 'j', sizeof(in.jti) - 1);
	memset(in.fam, 'f', sizeof(in.fam) - 1);
	tok = sign(&in);
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "access", &out), KILN_OK);
	CU_ASSERT(out.sub == INT64_C(9007199254740993));
	CU_ASSERT_STRING_EQUAL(out.role, in.role);
	CU_ASSERT_STRING_EQUAL(out.jti, in.jti);
	CU_ASSERT_STRING_EQUAL(out.fam, in.fam);
	free(tok);
}

static void
t_jwt_keys(void)
{
	struct jwt_claims in = claims(3, NOW, NOW + 60, "access", "user", "");
	char long_key[KEYLEN + 2], p[JSON_MAX], tok[TOK_MAX], dummy[] = "untouched";
	char *t = dummy;

	/* sign: a short key is an internal error and no token */
	CU_ASSERT_EQUAL(jwt_hs256_sign(key_a, JWT_MIN_KEY - 1, &in, &t), KILN_ERR_INTERNAL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(jwt_hs256_sign(key_a, 0, &in, &t), KILN_ERR_INTERNAL);
	CU_ASSERT_PTR_NULL(t);

	/* verify: a token really signed with a 31-byte key, verified with it */
	good_payload("", p);
	make_token(HDR_HS256, p, key_a, JWT_MIN_KEY - 1, NULL, tok);
	REFUSED_KEY(key_a, JWT_MIN_KEY - 1, tok, "31-byte key");
	REFUSED_KEY(key_a, 0, tok, "empty key");

	t = sign(&in);
	ACCEPTED(t, NOW, "32-byte key");
	REFUSED_KEY(key_a, JWT_MIN_KEY - 1, t, "verify key truncated to 31 bytes");
	REFUSED_KEY(key_b, KEYLEN, t, "wrong key");
	memcpy(long_key, key_a, KEYLEN);
	long_key[KEYLEN] = 'x';
	long_key[KEYLEN + 1] = '\0';
	REFUSED_KEY(long_key, KEYLEN + 1, t, "key with one more byte");
	free(t);
}

static void
t_jwt_times(void)
{
	static const struct {
		int64_t iat, exp, now;
		int ok;
		const char *what;
	} cases[] = {
	    {NOW - 10, NOW + 1, NOW, 1, "exp one second ahead"},
	    {NOW - 10, NOW, NOW, 0, "exp == now"},
	    {NOW - 10, NOW - 1, NOW, 0, "exp in the past"},
	    {NOW + 60, NOW + 600, NOW, 1, "iat 60 s ahead (skew)"},
	    {NOW + 61, NOW + 600, NOW, 0, "iat 61 s ahead"},
	    {NOW + 3600, NOW + 7200, NOW, 0, "iat an hour ahead"},
	    {NOW + 30, NOW + 30, NOW, 0, "exp == iat"},
	    {NOW + 30, NOW + 29, NOW, 0, "exp before iat"},
	    {0, NOW + 1, NOW, 1, "iat 0"},
	    {NOW - 10, NOW + 900, NOW + 900, 0, "the same token once it expires"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jwt_claims in = claims(5, cases[i].iat, cases[i].exp, "access", "user", "");
		char *tok = sign(&in);

		if (cases[i].ok)
			ACCEPTED(tok, cases[i].now, cases[i].what);
		else
			REFUSED(tok, cases[i].now, cases[i].what);
		free(tok);
	}
}

static void
t_jwt_typ(void)
{
	static const char *const bad[] = {"refresh", "", "Access", "accessx", "acces"};
	struct jwt_claims in, c;
	size_t i;
	char *tok;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = claims(5, NOW, NOW + 60, bad[i], "user", "");
		tok = sign(&in);
		REFUSED(tok, NOW, bad[i]);
		free(tok);
	}
	in = claims(5, NOW, NOW + 60, "access", "user", "");
	tok = sign(&in);
	memset(&c, 0x5a, sizeof(c));
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, tok, NOW, "refresh", &c),
			KILN_ERR_UNAUTHORIZED);
	CU_ASSERT(claims_zero(&c));
	free(tok);
}

/* HS384 and HS512 correctly signed with the server key: libjwt verifies
 * whatever HMAC the header names, so only jwt_hs256.c's alg check stops
 * these. */
static void
t_jwt_alg_other_hmac(void)
{
	static const struct {
		const char *header;
		const struct hmac_alg *alg;
	} cases[] = {
	    {"{\"alg\":\"HS384\",\"typ\":\"JWT\"}", &hs384},
	    {"{\"alg\":\"HS384\"}", &hs384},
	    {"{\"alg\":\"HS512\",\"typ\":\"JWT\"}", &hs512},
	    {"{\"alg\":\"HS512\"}", &hs512},
	    /* and the other way: an HS256 header over a stronger HMAC */
	    {HDR_HS256, &hs384},
	    {HDR_HS256, &hs512},
	};
	char p[JSON_MAX], tok[TOK_MAX], what[128];
	size_t i;

	good_payload("", p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_token_alg(cases[i].header, p, cases[i].alg, key_a, KEYLEN, NULL, tok);
		snprintf(what, sizeof(what), "%s signed with HMAC-SHA%zu", cases[i].header,
			 cases[i].alg->len * 8);
		REFUSED(tok, NOW, what);
	}
}

/* alg none, asymmetric and malformed headers, with bogus signatures, an
 * HS256 signature under the server key, and no signature segment. */
static void
t_jwt_alg(void)
{
	static const char *const hdr[] = {
	    "{\"alg\":\"none\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"none\"}",
	    "{\"alg\":\"None\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"NONE\"}",
	    "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
	    "{\"alg\":\"\",\"typ\":\"JWT\"}",
	    "{\"typ\":\"JWT\"}",
	    "{\"alg\":256,\"typ\":\"JWT\"}",
	    "{}",
	    "[]",
	    "null",
	    "not json",
	};
	static const char *const sigs[] = {"", "AAAA", "bm9uZQ",
					   "aW52YWxpZC1zaWduYXR1cmUtaW52YWxpZC1zaWduYXR1cmU"};
	char p[JSON_MAX], tok[TOK_MAX], what[128];
	size_t h, s, n;

	good_payload("", p);
	for (h = 0; h < sizeof(hdr) / sizeof(hdr[0]); h++) {
		for (s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++) {
			make_token(hdr[h], p, NULL, 0, sigs[s], tok);
			snprintf(what, sizeof(what), "%s with signature \"%s\"", hdr[h], sigs[s]);
			REFUSED(tok, NOW, what);
		}
		/* an HMAC-SHA256 over header.payload under the same key */
		make_token(hdr[h], p, key_a, KEYLEN, NULL, tok);
		snprintf(what, sizeof(what), "%s with an HS256 signature", hdr[h]);
		REFUSED(tok, NOW, what);
		/* alg none in its two-segment form */
		make_token(hdr[h], p, NULL, 0, "", tok);
		n = strlen(tok);
		tok[n - 1] = '\0';
		snprintf(what, sizeof(what), "%s without a signature segment", hdr[h]);
		REFUSED(tok, NOW, what);
	}
}

static void
t_jwt_claim_types(void)
{
	static const char *const bad[] = {
	    "{\"sub\":\"1\",\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":\"9999999999\",\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":\"1699999990\",\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":5,\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\"}",
	    "{\"sub\":0,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":-1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":-9223372036854775808,\"iat\":1699999990,\"exp\":1700000900,"
	    "\"typ\":\"access\",\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1.0,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":true,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1.7e9,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990.0,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":null,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":[\"access\"],"
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":7}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":null}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\",\"fam\":5}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\",\"fam\":null}",
	    "{\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"exp\":1700000900,\"typ\":\"access\",\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"typ\":\"access\",\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"role\":\"user\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\\u0000x\","
	    "\"role\":\"user\",\"jti\":\"j\"}",
	    /* 40 characters: one more than struct jwt_claims holds */
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\",\"jti\":\"j\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj\"}",
	    "{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
	    "\"role\":\"user\",\"jti\":\"j\",\"fam\":\"ffffffffffffffffffffffffffffffffffffffff\"}",
	    "{}",
	    "[]",
	    "7",
	    "\"access\"",
	    "null",
	    "{\"sub\":1",
	    "",
	};
	char tok[TOK_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		signed_token(bad[i], tok);
		REFUSED(tok, NOW, bad[i]);
	}
	/* control: the same shape with 39-character strings is accepted */
	signed_token("{\"sub\":1,\"iat\":1699999990,\"exp\":1700000900,\"typ\":\"access\","
		     "\"role\":\"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\",\"jti\":\"j\"}",
		     tok);
	ACCEPTED(tok, NOW, "39-character role");
}

static void
t_jwt_tampered(void)
{
	struct jwt_claims ca = claims(1, NOW, NOW + 600, "access", "user", "");
	struct jwt_claims cb = claims(2, NOW, NOW + 600, "access", "admin", "");
	char *a = sign(&ca), *b = sign(&cb);
	char tok[TOK_MAX];
	const char *a1 = strchr(a, '.'), *a2 = strrchr(a, '.');
	const char *b1 = strchr(b, '.'), *b2 = strrchr(b, '.');
	int n;

	CU_ASSERT_FATAL(a1 != NULL && a2 != a1 && b1 != NULL && b2 != b1);
	ACCEPTED(a, NOW, "token a");
	ACCEPTED(b, NOW, "token b");
	/* a's header and signature around b's payload, and the other way */
	n = snprintf(tok, sizeof(tok), "%.*s%.*s%s", (int)(a1 - a), a, (int)(b2 - b1), b1, a2);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(tok));
	REFUSED(tok, NOW, "payload of b under a's signature");
	n = snprintf(tok, sizeof(tok), "%.*s%.*s%s", (int)(b1 - b), b, (int)(a2 - a1), a1, b2);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(tok));
	REFUSED(tok, NOW, "payload of a under b's signature");

	/* one character of the payload, and of the signature, changed */
	snprintf(tok, sizeof(tok), "%s", a);
	tok[a1 - a + 2] = tok[a1 - a + 2] == 'A' ? 'B' : 'A';
	REFUSED(tok, NOW, "payload character changed");
	snprintf(tok, sizeof(tok), "%s", a);
	tok[a2 - a + 2] = tok[a2 - a + 2] == 'A' ? 'B' : 'A';
	REFUSED(tok, NOW, "signature character changed");
	/* signature dropped, truncated, extended */
	snprintf(tok, sizeof(tok), "%.*s.", (int)(a2 - a), a);
	REFUSED(tok, NOW, "signature dropped");
	snprintf(tok, sizeof(tok), "%.*s", (int)strlen(a) - 1, a);
	REFUSED(tok, NOW, "signature truncated");
	snprintf(tok, sizeof(tok), "%sA", a);
	REFUSED(tok, NOW, "signature extended");
	snprintf(tok, sizeof(tok), "%s.", a);
	REFUSED(tok, NOW, "fourth segment");
	free(a);
	free(b);
}

static void
t_jwt_garbage(void)
{
	static const char *const bad[] = {
	    "",
	    "a.b",
	    "a.b.c",
	    ".",
	    "..",
	    "...",
	    "a..c",
	    "..c",
	    "a.b.c.d",
	    "eyJhbGciOiJIUzI1NiJ9",
	    "eyJhbGciOiJIUzI1NiJ9..",
	    "eyJhbGciOiJIUzI1NiJ9.e30.",
	    "\xff\xfe.\x01.\x7f",
	};
	char big[5001];
	struct jwt_claims c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REFUSED(bad[i], NOW, bad[i]);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	REFUSED(big, NOW, "5000 'a's");
	memset(&c, 0x5a, sizeof(c));
	CU_ASSERT_EQUAL(jwt_hs256_verify(key_a, KEYLEN, NULL, NOW, "access", &c),
			KILN_ERR_UNAUTHORIZED);
	CU_ASSERT(claims_zero(&c));
}

/* A correctly signed token of exactly len bytes, padded with an unknown
 * claim; 0 when one was built. */
static int
token_of_length(size_t len, char tok[TOK_MAX])
{
	static const char *const hdr[] = {HDR_HS256, "{\"alg\":\"HS256\",\"typ\":\"JWT\" }",
					  "{\"alg\":\"HS256\", \"typ\":\"JWT\" }"};
	char p[JSON_MAX], pad[JSON_MAX];
	size_t h, n;

	for (h = 0; h < sizeof(hdr) / sizeof(hdr[0]); h++) {
		for (n = 0; n < 6000; n++) {
			memcpy(pad, ",\"pad\":\"", 8);
			memset(pad + 8, 'x', n);
			memcpy(pad + 8 + n, "\"", 2);
			good_payload(pad, p);
			make_token(hdr[h], p, key_a, KEYLEN, NULL, tok);
			if (strlen(tok) == len)
				return 0;
			if (strlen(tok) > len)
				break;
		}
	}
	return -1;
}

static void
t_jwt_too_long(void)
{
	char tok[TOK_MAX];
	struct jwt_claims in = claims(5, NOW, NOW + 60, "access", "user", "");
	char *t = sign(&in);

	CU_ASSERT(strlen(t) < TOKEN_MAX_LEN);
	free(t);
	CU_ASSERT_FATAL(token_of_length(TOKEN_MAX_LEN, tok) == 0);
	ACCEPTED(tok, NOW, "signed token of exactly 4096 bytes");
	CU_ASSERT_FATAL(token_of_length(TOKEN_MAX_LEN + 1, tok) == 0);
	REFUSED(tok, NOW, "signed token of 4097 bytes");
	CU_ASSERT_FATAL(token_of_length(6000, tok) == 0);
	REFUSED(tok, NOW, "signed token of 6000 bytes");
}

void
suite_jwt(void)
{
	CU_pSuite s = CU_add_suite("jwt_hs256", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "crafted-token signers match FIPS/RFC 4231 vectors", t_jwt_crafted_control);
	CU_add_test(s, "sign/verify round trip, fam optional", t_jwt_round_trip);
	CU_add_test(s, "short, empty and wrong keys", t_jwt_keys);
	CU_add_test(s, "exp, iat skew and exp <= iat", t_jwt_times);
	CU_add_test(s, "typ must equal want_typ", t_jwt_typ);
	CU_add_test(s, "alg none, HS384/HS512/RS256 and bad headers", t_jwt_alg);
	CU_add_test(s, "HS384/HS512 correctly signed are refused", t_jwt_alg_other_hmac);
	CU_add_test(s, "claims of the wrong JSON type or missing", t_jwt_claim_types);
	CU_add_test(s, "tampered payload and signature", t_jwt_tampered);
	CU_add_test(s, "garbage strings", t_jwt_garbage);
	CU_add_test(s, "tokens over 4096 bytes", t_jwt_too_long);
}
