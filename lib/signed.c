/* SPDX-License-Identifier: MIT */
/* signed.c: signed download links (see signed.h). */
#include "signed.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"

/* The MAC of the signed text, as hex. -1 when the text would not fit. */
static int
signed_mac(const char *key, const char *resource, const char *path, int64_t by, int64_t expires,
	   char hex[SIGNED_SIG_HEX + 1])
{
	char text[SIGNED_URL_MAX];
	unsigned char mac[CRYPTO_SHA256_BYTES];
	int n = snprintf(text, sizeof(text), "GET\n%s\n%s\n%lld\n%lld", resource, path,
			 (long long)by, (long long)expires);

	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	crypto_hmac_sha256(key, strlen(key), text, (size_t)n, mac);
	crypto_hex(mac, sizeof(mac), hex);
	return 0;
}

int
signed_encode(const char *s, char *out, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t len = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
			if (len + 1 >= n)
				return -1;
			out[len++] = (char)c;
		} else {
			if (len + 3 >= n)
				return -1;
			out[len++] = '%';
			out[len++] = hexd[c >> 4];
			out[len++] = hexd[c & 15];
		}
	}
	out[len] = '\0';
	return 0;
}

int
signed_url(const char *key, const char *base, const char *resource, const char *path, int64_t by,
	   int64_t expires, char url[SIGNED_URL_MAX])
{
	char hex[SIGNED_SIG_HEX + 1], enc[SIGNED_URL_MAX];
	int n;

	if (signed_mac(key, resource, path, by, expires, hex) != 0 ||
	    signed_encode(path, enc, sizeof(enc)) != 0)
		return -1;
	n = snprintf(url, SIGNED_URL_MAX, "%s/api/v1/files/%s?path=%s&by=%lld&expires=%lld&sig=%s",
		     base, resource, enc, (long long)by, (long long)expires, hex);
	return n < 0 || n >= SIGNED_URL_MAX ? -1 : 0;
}

enum signed_verdict
signed_check(const char *key, const char *resource, const char *path, int64_t by, int64_t expires,
	     const char *sig, int64_t now)
{
	char hex[SIGNED_SIG_HEX + 1];

	if (sig == NULL || strlen(sig) != SIGNED_SIG_HEX || key[0] == '\0' ||
	    signed_mac(key, resource, path, by, expires, hex) != 0 ||
	    !crypto_equal(hex, sig, SIGNED_SIG_HEX))
		return SIGNED_INVALID;
	return now > expires ? SIGNED_EXPIRED : SIGNED_OK;
}
