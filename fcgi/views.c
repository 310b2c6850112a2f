/* SPDX-License-Identifier: MIT */
/* views.c: resource shapes (see views.h). */
#include "views.h"

#include <stdlib.h>

#include "money.h"

static json_t *
view_str_or_null(const struct db_res *res, size_t row, size_t col)
{
	return db_res_is_null(res, row, col) ? json_null()
					     : json_string(db_res_str(res, row, col, NULL));
}

static json_t *
view_int_or_null(const struct db_res *res, size_t row, size_t col)
{
	return db_res_is_null(res, row, col) ? json_null()
					     : json_integer((json_int_t)db_res_i64(res, row, col));
}

json_t *
view_money_new(int64_t micros)
{
	return money_to_json_new(micros);
}

json_t *
view_user_new(const struct db_res *res, size_t row)
{
	json_t *u = json_pack(
	    "{s:I, s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:s}", "id",
	    (json_int_t)db_res_i64(res, row, 0), "email", db_res_str(res, row, 1, NULL), "username",
	    view_str_or_null(res, row, 2), "full_name", view_str_or_null(res, row, 3), "role",
	    db_res_str(res, row, 4, NULL), "is_active", (int)db_res_i64(res, row, 5),
	    "max_concurrent_jobs", view_int_or_null(res, row, 6), "daily_cost_cap",
	    db_res_is_null(res, row, 7) ? json_null() : view_money_new(db_res_i64(res, row, 7)),
	    "created_at", db_res_str(res, row, 8, NULL));

	if (u == NULL)
		abort();
	return u;
}

json_t *
view_api_key_new(const struct db_res *res, size_t row)
{
	json_t *k = json_pack(
	    "{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)db_res_i64(res, row, 0), "name",
	    db_res_str(res, row, 1, NULL), "prefix", db_res_str(res, row, 2, NULL), "created_at",
	    db_res_str(res, row, 3, NULL), "last_used_at", view_str_or_null(res, row, 4),
	    "expires_at", view_str_or_null(res, row, 5));

	if (k == NULL)
		abort();
	return k;
}

json_t *
view_ledger_new(const struct db_res *res, size_t row)
{
	json_t *e = json_pack(
	    "{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "id", (json_int_t)db_res_i64(res, row, 0),
	    "type", db_res_str(res, row, 1, NULL), "amount",
	    money_to_json_new(db_res_i64(res, row, 2)), "balance_after",
	    money_to_json_new(db_res_i64(res, row, 3)), "job_id", view_int_or_null(res, row, 4),
	    "payment_reference", view_str_or_null(res, row, 5), "description",
	    view_str_or_null(res, row, 6), "created_at", db_res_str(res, row, 7, NULL));

	if (e == NULL)
		abort();
	return e;
}

/* A JSON text column written by kiln itself, or null. */
static json_t *
view_json_col(const struct db_res *res, size_t row, size_t col)
{
	size_t len = 0;
	const char *text;
	json_t *v;

	if (db_res_is_null(res, row, col))
		return json_null();
	text = db_res_str(res, row, col, &len);
	v = json_loadb(text, len, 0, NULL);
	return v != NULL ? v : json_null();
}

json_t *
view_id_list_new(const char *s)
{
	json_t *a = json_array();
	const char *p = s != NULL ? s : "";

	if (a == NULL)
		abort();
	while (*p != '\0') {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		json_array_append_new(a, json_integer(v));
		p = *end == ',' ? end + 1 : end;
	}
	return a;
}

json_t *
view_job_new(const struct db_res *res, size_t row)
{
	json_t *j = json_object(), *r;

	if (j == NULL)
		abort();
	json_object_set_new(j, "id", json_integer(db_res_i64(res, row, 0)));
	json_object_set_new(j, "user_id", json_integer(db_res_i64(res, row, 1)));
	json_object_set_new(j, "kind", json_string(db_res_str(res, row, 2, NULL)));
	json_object_set_new(j, "name", json_string(db_res_str(res, row, 3, NULL)));
	json_object_set_new(j, "status", json_string(db_res_str(res, row, 4, NULL)));
	json_object_set_new(j, "wait_reason", view_str_or_null(res, row, 5));
	json_object_set_new(j, "failure_reason", view_str_or_null(res, row, 6));
	json_object_set_new(j, "exit_code", view_int_or_null(res, row, 7));
	json_object_set_new(j, "progress", json_real(db_res_f64(res, row, 8)));
	json_object_set_new(j, "priority", json_integer(db_res_i64(res, row, 9)));
	json_object_set_new(j, "command", view_json_col(res, row, 10));
	json_object_set_new(j, "script", view_str_or_null(res, row, 11));
	json_object_set_new(j, "working_dir", json_string(db_res_str(res, row, 12, NULL)));
	json_object_set_new(j, "env", view_json_col(res, row, 13));
	json_object_set_new(j, "payload", view_json_col(res, row, 14));
	r = json_pack("{s:I, s:I, s:I, s:I}", "gpus", (json_int_t)db_res_i64(res, row, 15),
		      "cpu_count", (json_int_t)db_res_i64(res, row, 16), "memory_limit",
		      (json_int_t)db_res_i64(res, row, 17), "timeout_seconds",
		      (json_int_t)db_res_i64(res, row, 18));
	json_object_set_new(j, "resources", r);
	json_object_set_new(j, "estimated_cost", money_to_json_new(db_res_i64(res, row, 19)));
	json_object_set_new(j, "actual_cost", money_to_json_new(db_res_i64(res, row, 20)));
	json_object_set_new(j, "node", view_int_or_null(res, row, 21));
	json_object_set_new(j, "attempts", json_integer(db_res_i64(res, row, 22)));
	json_object_set_new(j, "max_attempts", json_integer(db_res_i64(res, row, 23)));
	json_object_set_new(j, "cancel_requested", json_boolean(db_res_i64(res, row, 24)));
	json_object_set_new(j, "batch_id", view_int_or_null(res, row, 25));
	json_object_set_new(j, "project_id", view_int_or_null(res, row, 26));
	json_object_set_new(j, "created_at", json_string(db_res_str(res, row, 27, NULL)));
	json_object_set_new(j, "started_at", view_str_or_null(res, row, 28));
	json_object_set_new(j, "finished_at", view_str_or_null(res, row, 29));
	json_object_set_new(j, "config", view_json_col(res, row, 30));
	json_object_set_new(j, "moderation_status", view_str_or_null(res, row, 31));
	json_object_set_new(j, "moderation_score",
			    db_res_is_null(res, row, 32) ? json_null()
							 : json_real(db_res_f64(res, row, 32)));
	json_object_set_new(j, "dataset_id", view_int_or_null(res, row, 33));
	json_object_set_new(j, "docker_image", view_str_or_null(res, row, 34));
	json_object_set_new(j, "image_root", view_str_or_null(res, row, 35));
	json_object_set_new(j, "inputs", view_json_col(res, row, 36));
	/* where it waits in this node's queue (the first 100), or null */
	json_object_set_new(j, "queue_position", view_int_or_null(res, row, 37));
	json_object_set_new(j, "gpu_ids", view_id_list_new(db_res_str(res, row, 38, NULL)));
	json_object_set_new(j, "exit_signal", view_int_or_null(res, row, 39));
	/* kilnctl gc removed its files (retention): no logs, no outputs */
	json_object_set_new(j, "files_removed", json_boolean(db_res_i64(res, row, 40)));
	/* a failed job's own line ($KILN_FAILURE_FILE), or null */
	json_object_set_new(j, "failure_detail", view_str_or_null(res, row, 41));
	/* the row's last change (a heartbeat too) */
	json_object_set_new(j, "updated_at", json_string(db_res_str(res, row, 42, NULL)));
	return j;
}

json_t *
view_list_new(json_t *items, int64_t page, int64_t page_size, int64_t total)
{
	json_t *l = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "page", (json_int_t)page,
			      "page_size", (json_int_t)page_size, "total", (json_int_t)total);

	if (l == NULL)
		abort();
	return l;
}
