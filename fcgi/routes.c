/* SPDX-License-Identifier: MIT */
/* routes.c: THE route table. One line per endpoint: method, pattern,
 * handler, flags (router.h), roles allowed, body cap, summary. Adding an
 * endpoint is a line here, a handler in h_<resource>.c and its entry in
 * docs/openapi.json (the unit suite fails until they agree). */
#include "handlers.h"
#include "router.h"

/* One line per endpoint, aligned, is the point of the table. */
// clang-format off
const struct route route_table[] = {
	/* method  pattern                handler        flags      roles  max body   summary */
	{"GET",    "/api/v1/health",      h_health_get,  RF_NOAUTH, 0,     BODY_NONE, "Readiness: database reachable"},
};
// clang-format on

const size_t route_count = sizeof(route_table) / sizeof(route_table[0]);
