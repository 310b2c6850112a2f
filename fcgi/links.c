/* SPDX-License-Identifier: MIT */
/* links.c: signed links for a request's caller (see links.h). */
#include "links.h"

#include <time.h>

int
links_sign(struct request *req, const char *resource, const char *path, int64_t ttl,
	   char url[SIGNED_URL_MAX], int64_t *expires)
{
	const struct kiln_config *cfg = req->app->cfg;
	int64_t when = (int64_t)time(NULL) + ttl;

	if (expires != NULL)
		*expires = when;
	return signed_url(cfg->signing_key, cfg->public_url, resource, path, req->user_id, when,
			  url);
}
