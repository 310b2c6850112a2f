/* SPDX-License-Identifier: MIT */
/* signed.h: signed URLs for downloads (DESIGN.md section 8). A link names
 * one file, who signed it and until when, and carries an HMAC-SHA-256
 * (libsodium) over exactly that, under [secrets] signing_key:
 *
 *   BASE/api/v1/files/RESOURCE?path=P&by=UID&expires=UNIX&sig=HEX
 *
 * (BASE: [api] public_url, or nothing for a link relative to the host)
 * where RESOURCE is "jobs/ID/outputs" or "datasets/ID". The MAC covers
 * "GET\nRESOURCE\nP\nUID\nUNIX"; the check is constant-time. Pure: the
 * clock and the key are the caller's. */
#ifndef KILN_SIGNED_H
#define KILN_SIGNED_H

#include <stddef.h>
#include <stdint.h>

#define SIGNED_URL_MAX 4096 /* a 1 024-byte path percent-encoded, and the rest */
#define SIGNED_SIG_HEX 64

enum signed_verdict { SIGNED_OK = 0, SIGNED_EXPIRED, SIGNED_INVALID };

/* The link for resource and path (path may be "": a whole resource) into
 * OUT: url after base ("" or "https://host"), or -1 when it would not
 * fit. path is percent-encoded in the link; the MAC is over its raw bytes
 * (base is not covered: the link works wherever it is served). */
int signed_url(const char *key, const char *base, const char *resource, const char *path,
	       int64_t by, int64_t expires, char url[SIGNED_URL_MAX]);

/* Percent-encodes s, all but unreserved characters and '/', into OUT:
 * out (n bytes). 0, or -1 when it does not fit. */
int signed_encode(const char *s, char *out, size_t n);

/* Checks a link's parts as received (path decoded; sig as sent) at now:
 * SIGNED_INVALID for a bad or missing MAC (the same answer whatever is
 * wrong), SIGNED_EXPIRED for a good MAC past its time. */
enum signed_verdict signed_check(const char *key, const char *resource, const char *path,
				 int64_t by, int64_t expires, const char *sig, int64_t now);

#endif
