/* SPDX-License-Identifier: MIT */
/* limits.c: limits and prices in force (see limits.h). */
#include "limits.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"

static const char *const limits_keys[3] = {
    "limits.max_concurrent_jobs", "limits.daily_cost_cap_micros", "limits.max_job_cost_micros"};

/* Reads setting key into OUT: *v when present and well formed. */
static enum kiln_err
limits_setting(struct db *db, const char *key, int64_t *v)
{
	struct db_val p[1] = {DBV_STR(key)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, STMT_SETTING_GET, p, 1, &res, NULL, NULL);

	if (rc == KILN_OK && db_res_rows(res) == 1)
		(void)parse_i64(db_res_str(res, 0, 0, NULL), 0, INT64_MAX, v);
	db_res_free(res);
	return rc;
}

enum kiln_err
limits_global(struct db *db, const struct kiln_config *cfg, struct limits *out)
{
	enum kiln_err rc;

	out->max_concurrent_jobs = cfg->max_concurrent_jobs;
	out->daily_cost_cap = cfg->daily_cost_cap;
	out->max_job_cost = cfg->max_job_cost;
	if ((rc = limits_setting(db, limits_keys[0], &out->max_concurrent_jobs)) != KILN_OK ||
	    (rc = limits_setting(db, limits_keys[1], &out->daily_cost_cap)) != KILN_OK ||
	    (rc = limits_setting(db, limits_keys[2], &out->max_job_cost)) != KILN_OK)
		return rc;
	return KILN_OK;
}

enum kiln_err
limits_set_global(struct db *db, const struct limits *l, const int set[3])
{
	const int64_t v[3] = {l->max_concurrent_jobs, l->daily_cost_cap, l->max_job_cost};
	enum kiln_err rc;
	int i;

	for (i = 0; i < 3; i++) {
		char num[24];
		struct db_val p[2] = {DBV_STR(limits_keys[i]), DBV_STR(num)};

		if (!set[i])
			continue;
		snprintf(num, sizeof(num), "%lld", (long long)v[i]);
		if ((rc = db_exec(db, STMT_SETTING_PUT, p, 2, NULL, NULL, NULL)) != KILN_OK)
			return rc;
	}
	return KILN_OK;
}

enum kiln_err
limits_user(struct db *db, const struct kiln_config *cfg, int64_t user_id, struct user_limits *out)
{
	struct db_val p[1] = {DBV_I64(user_id)};
	struct db_res *u = NULL, *w = NULL, *spent = NULL;
	enum kiln_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = limits_global(db, cfg, &out->eff)) != KILN_OK ||
	    (rc = db_exec(db, STMT_USER_GET, p, 1, &u, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_WALLET_GET, p, 1, &w, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_LEDGER_SPENT_TODAY, p, 1, &spent, NULL, NULL)) != KILN_OK)
		goto out;
	if (db_res_rows(u) != 1 || db_res_rows(w) != 1) {
		rc = KILN_ERR_NOT_FOUND;
		goto out;
	}
	/* USER_COLS: 6 max_concurrent_jobs, 7 daily_cost_cap_micros */
	if ((out->has_max_jobs = !db_res_is_null(u, 0, 6)))
		out->eff.max_concurrent_jobs = db_res_i64(u, 0, 6);
	if ((out->has_cap = !db_res_is_null(u, 0, 7)))
		out->eff.daily_cost_cap = db_res_i64(u, 0, 7);
	out->balance = db_res_i64(w, 0, 0);
	out->reserved = db_res_i64(w, 0, 1);
	out->spent_today = db_res_i64(spent, 0, 0);
	out->committed = out->spent_today + out->reserved;
out:
	db_res_free(spent);
	db_res_free(w);
	db_res_free(u);
	return rc;
}

enum kiln_err
prices_load(struct db *db, struct prices *pr)
{
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, STMT_PRICES_LIST, NULL, 0, &res, NULL, NULL);
	size_t i;

	memset(pr, 0, sizeof(*pr));
	for (i = 0; rc == KILN_OK && i < db_res_rows(res); i++) {
		int id = price_lookup(db_res_str(res, i, 0, NULL));

		if (id >= 0)
			pr->micros[id] = db_res_i64(res, i, 2);
	}
	db_res_free(res);
	return rc;
}
