/* SPDX-License-Identifier: MIT */
/* h_health.c: GET /api/v1/health, the readiness probe for load balancers
 * and monitoring. It pings the database through the worker's own
 * connection, so a 200 means this worker can serve requests. It also says
 * how long ago a scheduler last ticked and how many nodes take jobs; those
 * do not change the answer's status (the API serves without them). */
#include <stdlib.h>

#include "clock.h"
#include "db.h"
#include "handlers.h"
#include "response.h"

/* Health is polled often and must stay as cheap as its ping: the nodes
 * are read at most once a second per worker, and the tick's age is
 * carried forward on this worker's clock in between. */
#define HEALTH_NODES_MS 1000

static struct {
	int64_t read_at;   /* clock_mono_ms() of the last read; 0: none yet */
	int64_t online;    /* nodes that take jobs */
	int64_t newest_us; /* the newest tick's age then; -1: none ever */
} health_nodes;

/* Adds scheduler_last_tick_seconds and nodes_online to body: null when
 * they are not known (the database is not reached now). */
static void
health_scheduler(struct request *req, json_t *body, int db_ok)
{
	int64_t now = clock_mono_ms(), online, newest;
	json_t *age = json_null(), *nodes = json_null();

	if (db_ok && (health_nodes.read_at == 0 || now - health_nodes.read_at >= HEALTH_NODES_MS)) {
		/* a failed read forgets the old figures rather than show them */
		health_nodes.read_at = 0;
		if (nodes_summary(req->app->db, req->app->cfg->job_lost_seconds, &online,
				  &newest) == KILN_OK) {
			health_nodes.read_at = now;
			health_nodes.online = online;
			health_nodes.newest_us = newest;
		}
	}
	if (db_ok && health_nodes.read_at != 0) {
		if (health_nodes.newest_us >= 0)
			age = json_real(
			    (double)(health_nodes.newest_us + (now - health_nodes.read_at) * 1000) /
			    1e6);
		nodes = json_integer((json_int_t)health_nodes.online);
	}
	json_object_set_new(body, "scheduler_last_tick_seconds", age);
	json_object_set_new(body, "nodes_online", nodes);
}

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
	health_scheduler(req, body, db_ok);
	resp_json_new(req, db_ok ? 200 : 503, body);
	return KILN_OK;
}
