/* SPDX-License-Identifier: MIT */
/* h_nodes.c: the GPU hosts, as their schedulers heartbeat them: the
 * marketplace's list of online agents, the staff's list with the jobs
 * each runs, and draining (a draining node finishes its jobs and takes no
 * new ones). A node is OFFLINE once silent for job_lost_seconds, else
 * DRAINING, BUSY (jobs under way) or IDLE. */
#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "validate.h"
#include "response.h"
#include "views.h"

static const char *
node_status(const struct db_res *res, size_t row)
{
	if (db_res_i64(res, row, 10))
		return "OFFLINE";
	if (db_res_i64(res, row, 2))
		return "DRAINING";
	return db_res_i64(res, row, 11) > 0 ? "BUSY" : "IDLE";
}

/* "32GB": the seed's shape for ram_total. */
static json_t *
node_ram_new(int64_t bytes)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lldGB", (long long)((bytes + (1 << 29)) >> 30));
	return json_string(buf);
}

/* A node for staff (full) or for the marketplace (brief). New. */
static json_t *
node_json_new(struct request *req, const struct db_res *res, size_t row, int full)
{
	int64_t gpus = db_res_i64(res, row, 3), used = db_res_i64(res, row, 12);
	json_t *n = json_pack(
	    "{s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:s}", "id", (json_int_t)db_res_i64(res, row, 0),
	    "name", db_res_str(res, row, 1, NULL), "status", node_status(res, row), "gpu_model",
	    db_res_str(res, row, 4, NULL), "gpu_count", (json_int_t)gpus, "gpus_free",
	    (json_int_t)(gpus > used ? gpus - used : 0), "ram_total",
	    node_ram_new(db_res_i64(res, row, 7)), "last_heartbeat", db_res_str(res, row, 9, NULL));

	if (n == NULL)
		abort();
	if (full) {
		struct db_val p[1] = {DBV_I64(db_res_i64(res, row, 0))};
		struct db_res *jobs = NULL;
		json_t *arr = json_array(),
		       *gj = json_loads(db_res_str(res, row, 5, NULL), 0, NULL);
		size_t i;

		json_object_set_new(n, "draining", json_boolean(db_res_i64(res, row, 2)));
		/* claims held off after its storage failed a job (run.c) */
		json_object_set_new(n, "claim_hold_until",
				    db_res_is_null(res, row, 13)
					? json_null()
					: json_string(db_res_str(res, row, 13, NULL)));
		json_object_set_new(n, "gpus", gj != NULL ? gj : json_array());
		json_object_set_new(n, "cpu_count", json_integer(db_res_i64(res, row, 6)));
		json_object_set_new(n, "memory_bytes", json_integer(db_res_i64(res, row, 7)));
		json_object_set_new(n, "version", json_string(db_res_str(res, row, 8, NULL)));
		if (db_exec(req->app->db, STMT_NODE_ACTIVE_JOBS, p, 1, &jobs, NULL, NULL) ==
		    KILN_OK)
			for (i = 0; arr != NULL && i < db_res_rows(jobs); i++)
				json_array_append_new(
				    arr, json_pack("{s:I, s:I, s:s, s:o}", "id",
						   (json_int_t)db_res_i64(jobs, i, 0), "user_id",
						   (json_int_t)db_res_i64(jobs, i, 1), "status",
						   db_res_str(jobs, i, 2, NULL), "gpu_ids",
						   view_id_list_new(db_res_str(jobs, i, 3, NULL))));
		db_res_free(jobs);
		json_object_set_new(n, "running_jobs", arr);
	}
	return n;
}

enum kiln_err
nodes_summary(struct db *db, int64_t lost_seconds, int64_t *online, int64_t *newest_us)
{
	struct db_val p[1] = {DBV_I64(lost_seconds)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	if ((rc = db_exec(db, STMT_NODES_SUMMARY, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	*online = db_res_i64(res, 0, 0);
	*newest_us = db_res_is_null(res, 0, 1) ? -1 : db_res_i64(res, 0, 1);
	db_res_free(res);
	return KILN_OK;
}

/* The nodes (online only, brief: the marketplace; all, full: staff). */
static enum kiln_err
nodes_list(struct request *req, int full)
{
	struct db_val p[1] = {DBV_I64(req->app->cfg->job_lost_seconds)};
	struct db_res *res = NULL;
	json_t *items = json_array();
	enum kiln_err rc;
	size_t i;

	if (items == NULL)
		abort();
	if ((rc = db_exec(req->app->db, STMT_NODES_LIST, p, 1, &res, NULL, NULL)) != KILN_OK) {
		json_decref(items);
		return rc;
	}
	for (i = 0; i < db_res_rows(res); i++)
		if (full || !db_res_i64(res, i, 10))
			json_array_append_new(items, node_json_new(req, res, i, full));
	db_res_free(res);
	if (full)
		resp_json_new(req, 200,
			      view_list_new(items, 1, (int64_t)json_array_size(items),
					    (int64_t)json_array_size(items)));
	else
		resp_json_new(req, 200, items);
	return KILN_OK;
}

enum kiln_err
h_nodes_online(struct request *req)
{
	return nodes_list(req, 0);
}

enum kiln_err
h_nodes_list(struct request *req)
{
	return nodes_list(req, 1);
}

static enum kiln_err
nodes_drain(struct request *req, int draining)
{
	int64_t id = route_param(req, "id")->id;
	struct db_val u[2] = {DBV_I64(draining), DBV_I64(id)};
	struct db_val p[2] = {DBV_I64(req->app->cfg->job_lost_seconds), DBV_I64(id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	if (v_no_fields(req))
		return KILN_OK;
	if ((rc = db_exec(req->app->db, STMT_NODE_SET_DRAINING, u, 2, NULL, NULL, NULL)) !=
		KILN_OK ||
	    (rc = db_exec(req->app->db, STMT_NODES_ONE, p, 2, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		return KILN_ERR_NOT_FOUND;
	}
	resp_json_new(req, 200, node_json_new(req, res, 0, 1));
	db_res_free(res);
	return KILN_OK;
}

enum kiln_err
h_nodes_drain(struct request *req)
{
	return nodes_drain(req, 1);
}

enum kiln_err
h_nodes_undrain(struct request *req)
{
	return nodes_drain(req, 0);
}
