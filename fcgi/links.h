/* SPDX-License-Identifier: MIT */
/* links.h: signed links (lib/signed.h) made for the caller of a request:
 * signed as its user, after [api] public_url, living ttl seconds. Not for:
 * checking them (fcgi/h_results.c). */
#ifndef KILN_LINKS_H
#define KILN_LINKS_H

#include <stdint.h>

#include "request.h"
#include "signed.h"

/* The link to path of resource ("jobs/ID/outputs", "datasets/ID", ...)
 * into OUT: url, expiring ttl seconds from now (OUT: *expires, may be
 * NULL). 0, or -1 when it would not fit. */
int links_sign(struct request *req, const char *resource, const char *path, int64_t ttl,
	       char url[SIGNED_URL_MAX], int64_t *expires);

#endif
