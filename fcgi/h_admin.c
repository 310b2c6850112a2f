/* SPDX-License-Identifier: MIT */
/* h_admin.c: site-wide settings an admin changes at run time: the price
 * list and the limits (global defaults and per-user overrides). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "limits.h"
#include "money.h"
#include "response.h"
#include "validate.h"
#include "views.h"

#define ADMIN_PRICE_MAX ((int64_t)1000 * 1000000) /* 1000 credits per unit */

static enum kiln_err
prices_respond(struct request *req)
{
	struct db_res *res = NULL;
	json_t *items;
	enum kiln_err rc;
	size_t i;

	if ((rc = db_exec(req->app->db, STMT_PRICES_LIST, NULL, 0, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if ((items = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s}", "name",
						       db_res_str(res, i, 0, NULL), "unit",
						       db_res_str(res, i, 1, NULL), "price",
						       money_to_json_new(db_res_i64(res, i, 2)),
						       "description", db_res_str(res, i, 3, NULL)));
	db_res_free(res);
	resp_json_new(req, 200, json_pack("{s:o, s:s}", "items", items, "currency", "credits"));
	return KILN_OK;
}

enum kiln_err
h_admin_prices_get(struct request *req)
{
	return prices_respond(req);
}

struct price_update {
	int64_t micros[PRICE__COUNT];
	int set[PRICE__COUNT];
};

static enum kiln_err
prices_txn(struct db *db, void *arg)
{
	struct price_update *u = arg;
	enum kiln_err rc;
	int i;

	for (i = 0; i < PRICE__COUNT; i++) {
		struct db_val p[2] = {DBV_I64(u->micros[i]), DBV_STR(price_names[i])};

		if (u->set[i] &&
		    (rc = db_exec(db, STMT_PRICE_SET, p, 2, NULL, NULL, NULL)) != KILN_OK)
			return rc;
	}
	return KILN_OK;
}

/* PUT /admin/prices {"gpu_second": 0.0005, ...}: any subset of the names. */
enum kiln_err
h_admin_prices_put(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *v;
	struct price_update u;
	const char *key, *why;
	enum kiln_err rc;

	memset(&u, 0, sizeof(u));
	if (obj != NULL) {
		json_object_foreach(obj, key, v)
		{
			int id = price_lookup(key);

			if (id < 0) {
				v_err(errs, key, "unknown price", "value_error.extra");
				continue;
			}
			if (money_from_json(v, ADMIN_PRICE_MAX, 1, 0, &u.micros[id], &why) !=
			    KILN_OK)
				v_err(errs, key, why, "value_error.money");
			u.set[id] = 1;
		}
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if ((rc = db_txn(req->app->db, prices_txn, &u)) != KILN_OK)
		return rc;
	return prices_respond(req);
}

static enum kiln_err
limits_respond(struct request *req)
{
	struct limits g;
	struct db_res *res = NULL;
	json_t *users;
	enum kiln_err rc;
	size_t i;

	if ((rc = limits_global(req->app->db, req->app->cfg, &g)) != KILN_OK ||
	    (rc = db_exec(req->app->db, STMT_LIMITS_OVERRIDES, NULL, 0, &res, NULL, NULL)) !=
		KILN_OK)
		return rc;
	if ((users = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++)
		json_array_append_new(
		    users,
		    json_pack("{s:I, s:s, s:o, s:o}", "user_id", (json_int_t)db_res_i64(res, i, 0),
			      "email", db_res_str(res, i, 1, NULL), "max_concurrent_jobs",
			      db_res_is_null(res, i, 2) ? json_null()
							: json_integer(db_res_i64(res, i, 2)),
			      "daily_cost_cap",
			      db_res_is_null(res, i, 3)
				  ? json_null()
				  : money_to_json_new(db_res_i64(res, i, 3))));
	db_res_free(res);
	resp_json_new(req, 200,
		      json_pack("{s:{s:I, s:o, s:o}, s:o}", "global", "max_concurrent_jobs",
				(json_int_t)g.max_concurrent_jobs, "daily_cost_cap",
				money_to_json_new(g.daily_cost_cap), "max_job_cost",
				money_to_json_new(g.max_job_cost), "users", users));
	return KILN_OK;
}

enum kiln_err
h_admin_limits_get(struct request *req)
{
	return limits_respond(req);
}

static const char *const global_fields[] = {"max_concurrent_jobs", "daily_cost_cap", "max_job_cost",
					    NULL};

/* Reads a money field (credits, >= 0) into OUT: *micros; 1 when present. */
static int
admin_money_field(json_t *obj, const char *name, int64_t *micros, json_t *errs)
{
	json_t *v = json_object_get(obj, name);
	const char *why;

	if (v == NULL)
		return 0;
	if (money_from_json(v, MONEY_MAX_MICROS, 1, 0, micros, &why) != KILN_OK) {
		v_err(errs, name, why, "value_error.money");
		return 0;
	}
	return 1;
}

enum kiln_err
h_admin_limits_global(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	struct limits l;
	int set[3] = {0, 0, 0};
	enum kiln_err rc;

	memset(&l, 0, sizeof(l));
	if (obj != NULL) {
		v_unknown(obj, global_fields, errs);
		set[0] = v_int(obj, "max_concurrent_jobs", 0, 0, 0, 100000, &l.max_concurrent_jobs,
			       errs) == 1;
		set[1] = admin_money_field(obj, "daily_cost_cap", &l.daily_cost_cap, errs);
		set[2] = admin_money_field(obj, "max_job_cost", &l.max_job_cost, errs);
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if ((rc = limits_set_global(req->app->db, &l, set)) != KILN_OK)
		return rc;
	return limits_respond(req);
}

static const char *const user_fields[] = {"max_concurrent_jobs", "daily_cost_cap", NULL};

/* POST /admin/limits/users/{id}: a value sets the override, null clears it. */
enum kiln_err
h_admin_limits_user(struct request *req)
{
	json_t *errs = v_new(req), *obj = NULL, *cap;
	int64_t id = route_param(req, "id")->id, max_jobs = 0, cap_micros = 0;
	int set_max = 0, set_cap = 0, r;
	uint64_t affected = 0;
	enum kiln_err rc;

	if (json_is_null(req->json)) { /* a body of null clears both (seed 003) */
		set_max = set_cap = 1;
		max_jobs = cap_micros = -1;
	} else if ((obj = v_object(req, errs, 0)) != NULL) {
		v_unknown(obj, user_fields, errs);
		r = v_int(obj, "max_concurrent_jobs", 0, 1, 0, 100000, &max_jobs, errs);
		set_max = r == 1 || r == -1;
		if (r == -1)
			max_jobs = -1;
		if ((cap = json_object_get(obj, "daily_cost_cap")) != NULL) {
			set_cap = 1;
			cap_micros = -1;
			if (!json_is_null(cap) &&
			    !admin_money_field(obj, "daily_cost_cap", &cap_micros, errs))
				set_cap = 0;
		}
	}
	if (v_reject(req, errs))
		return KILN_OK;
	{
		struct db_val p[11] = {
		    DBV_I64(0),       DBV_NULL,
		    DBV_I64(0),       DBV_I64(0),
		    DBV_I64(set_max), max_jobs < 0 ? DBV_NULL : DBV_I64(max_jobs),
		    DBV_I64(set_cap), cap_micros < 0 ? DBV_NULL : DBV_I64(cap_micros),
		    DBV_I64(0),       DBV_NULL,
		    DBV_I64(id)};
		struct db_val g[1] = {DBV_I64(id)};
		struct db_res *res = NULL;

		if ((rc = db_exec(req->app->db, STMT_USER_GET, g, 1, &res, NULL, NULL)) != KILN_OK)
			return rc;
		affected = db_res_rows(res);
		db_res_free(res);
		if (affected != 1)
			return KILN_ERR_NOT_FOUND;
		if ((rc = db_exec(req->app->db, STMT_USER_UPDATE, p, 11, NULL, NULL, NULL)) !=
		    KILN_OK)
			return rc;
	}
	return limits_respond(req);
}
