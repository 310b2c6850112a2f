/* SPDX-License-Identifier: MIT */
/* h_health.c: GET /api/v1/health, the readiness probe for load balancers
 * and monitoring. It pings the database through the worker's own
 * connection, so a 200 means this worker can serve requests. */
#include <stdlib.h>

#include "db.h"
#include "handlers.h"
#include "response.h"

enum kiln_err
h_health_get(struct request *req)
{
	struct db_res *res = NULL;
	enum kiln_err rc;
	int db_ok;
	json_t *body;

	rc = db_exec(req->app->db, STMT_PING, NULL, 0, &res, NULL, NULL);
	db_ok = rc == KILN_OK && db_res_rows(res) == 1 && db_res_i64(res, 0, 0) == 1;
	db_res_free(res);
	body = json_pack("{s:s, s:b, s:s}", "status", db_ok ? "ok" : "unavailable", "database",
			 db_ok, "version", req->app->version);
	if (body == NULL)
		abort();
	resp_json_new(req, db_ok ? 200 : 503, body);
	return KILN_OK;
}
