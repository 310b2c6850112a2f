/* SPDX-License-Identifier: MIT */
/* h_jobs_read.c: reading jobs: one job, the caller's list (filters,
 * newest first), counts per status, and a job's history. Viewers,
 * operators and admins may read every user's jobs (all=true or user_id). */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "handlers.h"
#include "jobs.h"
#include "jobstate.h"
#include "links.h"
#include "parse.h"
#include "response.h"
#include "scope.h"
#include "validate.h"
#include "views.h"

#define JOBS_FILTER_MAX 256

enum kiln_err
h_jobs_get(struct request *req)
{
	return jobs_respond_get(req, route_param(req, "id")->id);
}

/* ?status=a,b (or status_filter) validated into OUT: out ("" for any). */
static void
jobs_status_filter(struct request *req, json_t *errs, char out[JOBS_FILTER_MAX])
{
	const char *s = request_query(req, "status");
	char one[32];

	out[0] = '\0';
	if (s == NULL)
		s = request_query(req, "status_filter");
	if (s == NULL || s[0] == '\0')
		return;
	if (strlen(s) >= JOBS_FILTER_MAX) {
		v_err(errs, "status", "too many statuses", "value_error.status");
		return;
	}
	memcpy(out, s, strlen(s) + 1);
	while (*s != '\0') {
		size_t n = strcspn(s, ",");

		if (n == 0 || n >= sizeof(one)) {
			v_err(errs, "status", "unknown status", "value_error.status");
			return;
		}
		memcpy(one, s, n);
		one[n] = '\0';
		if (!job_status_valid(one)) {
			v_err(errs, "status", "unknown status", "value_error.status");
			out[0] = '\0';
			return;
		}
		s += n + (s[n] == ',');
	}
}

static json_t *
job_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return view_job_new(res, row);
}

enum kiln_err
h_jobs_list(struct request *req)
{
	json_t *errs = v_new(req);
	const char *kind = request_query(req, "kind"), *project = request_query(req, "project_id");
	const char *batch = request_query(req, "batch_id");
	char statuses[JOBS_FILTER_MAX];
	int64_t user, page, size, pid = 0, bid = 0;

	if (scope_whose(req, errs, &user))
		return KILN_OK;
	if (project != NULL && parse_i64(project, 1, INT64_MAX, &pid) != KILN_OK)
		v_err(errs, "project_id", "must be a project id", "type_error.integer");
	if (batch != NULL && parse_i64(batch, 1, INT64_MAX, &bid) != KILN_OK)
		v_err(errs, "batch_id", "must be a batch id", "type_error.integer");
	jobs_status_filter(req, errs, statuses);
	v_paging(req, errs, &page, &size);
	if (kind == NULL)
		kind = "";
	if (kind[0] != '\0' && strcmp(kind, "command") != 0 && strcmp(kind, "script") != 0 &&
	    strcmp(kind, "render") != 0 && strcmp(kind, "shard") != 0)
		v_err(errs, "kind", "must be command, script, render or shard", "value_error.kind");
	if (v_reject(req, errs))
		return KILN_OK;
	if (pid != 0 || bid != 0) { /* counted from the jobs: job_counts has no groups */
		struct db_val p[12] = {
		    DBV_I64(pid),  DBV_I64(pid),  DBV_I64(bid),      DBV_I64(bid),
		    DBV_I64(user), DBV_I64(user), DBV_STR(statuses), DBV_STR(statuses),
		    DBV_STR(kind), DBV_STR(kind), DBV_I64(size),     DBV_I64((page - 1) * size)};

		return scope_page(req, STMT_JOB_LIST_GROUP, STMT_JOB_COUNT_GROUP, p, 12, page, size,
				  job_item_new);
	}
	{
		struct db_val p[7] = {
		    DBV_I64(user), DBV_STR(statuses), DBV_STR(statuses),         DBV_STR(kind),
		    DBV_STR(kind), DBV_I64(size),     DBV_I64((page - 1) * size)};

		return scope_page(req, user ? STMT_JOB_LIST_USER : STMT_JOB_LIST_ALL,
				  user ? STMT_JOB_COUNT_USER : STMT_JOB_COUNT_ALL, user ? p : p + 1,
				  user ? 7 : 6, page, size, job_item_new);
	}
}

enum kiln_err
h_jobs_stats(struct request *req)
{
	json_t *errs = v_new(req), *counts;
	struct db_val p[1];
	struct db_res *res = NULL;
	int64_t user, total = 0;
	enum kiln_err rc;
	size_t i;

	if (scope_whose(req, errs, &user))
		return KILN_OK;
	if (v_reject(req, errs))
		return KILN_OK;
	p[0] = DBV_I64(user);
	if ((rc = db_exec(req->app->db, user ? STMT_JOB_STATS_USER : STMT_JOB_STATS_ALL, p,
			  user ? 1 : 0, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if ((counts = json_object()) == NULL)
		abort();
	for (i = 0; i < JOB_STATUS_COUNT; i++)
		json_object_set_new(counts, job_statuses[i], json_integer(0));
	for (i = 0; i < db_res_rows(res); i++) {
		json_object_set_new(counts, db_res_str(res, i, 0, NULL),
				    json_integer(db_res_i64(res, i, 1)));
		total += db_res_i64(res, i, 1);
	}
	db_res_free(res);
	resp_json_new(req, 200,
		      json_pack("{s:o, s:I}", "counts", counts, "total", (json_int_t)total));
	return KILN_OK;
}

enum kiln_err
h_jobs_events(struct request *req)
{
	int64_t id = route_param(req, "id")->id;
	struct db_res *job = NULL, *res = NULL;
	struct db_val p[1] = {DBV_I64(id)};
	json_t *items;
	enum kiln_err rc;
	size_t i;

	if ((rc = jobs_visible(req, id, &job)) != KILN_OK)
		return rc;
	db_res_free(job);
	if ((rc = db_exec(req->app->db, STMT_EVENT_LIST, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if ((items = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++)
		json_array_append_new(
		    items,
		    json_pack("{s:o, s:s, s:o, s:o, s:s}", "from_status",
			      db_res_is_null(res, i, 0) ? json_null()
							: json_string(db_res_str(res, i, 0, NULL)),
			      "to_status", db_res_str(res, i, 1, NULL), "reason",
			      db_res_is_null(res, i, 2) ? json_null()
							: json_string(db_res_str(res, i, 2, NULL)),
			      "actor_user_id",
			      db_res_is_null(res, i, 3) ? json_null()
							: json_integer(db_res_i64(res, i, 3)),
			      "created_at", db_res_str(res, i, 4, NULL)));
	db_res_free(res);
	resp_json_new(req, 200, json_pack("{s:o}", "items", items));
	return KILN_OK;
}

/* A signed link (new) for resource and path as the caller, or null. */
static json_t *
brief_link(struct request *req, const char *resource, const char *path)
{
	char url[SIGNED_URL_MAX];

	if (links_sign(req, resource, path, req->app->cfg->url_ttl, url, NULL) != 0)
		return json_null();
	return json_string(url);
}

/* A job's original files as links (new): its code (file_code or
 * script_file) and its data (a shard's CSV, or the data set it names). */
static void
brief_links(struct request *req, const struct db_res *res, size_t row, json_t **code, json_t **data)
{
	json_t *a =
	    db_res_is_null(res, row, 4) ? NULL : json_loads(db_res_str(res, row, 4, NULL), 0, NULL);
	json_t *f;
	char resource[64];
	size_t i;

	*code = *data = NULL;
	snprintf(resource, sizeof(resource), "jobs/%lld/inputs",
		 (long long)db_res_i64(res, row, 0));
	json_array_foreach(a, i, f)
	{
		const char *field = json_string_value(json_object_get(f, "field"));
		const char *name = json_string_value(json_object_get(f, "name"));

		if (field == NULL || name == NULL)
			continue;
		if (*code == NULL &&
		    (strcmp(field, "file_code") == 0 || strcmp(field, "script_file") == 0))
			*code = brief_link(req, resource, name);
		else if (*data == NULL && strcmp(field, "file_data") == 0)
			*data = brief_link(req, resource, name);
	}
	json_decref(a);
	if (*data == NULL && !db_res_is_null(res, row, 5)) {
		snprintf(resource, sizeof(resource), "datasets/%lld",
			 (long long)db_res_i64(res, row, 5));
		*data = brief_link(req, resource, "");
	}
	if (*code == NULL)
		*code = json_null();
	if (*data == NULL)
		*data = json_null();
}

/* GET /jobs/list/{user_id}: the marketplace clients' view, a bare array of
 * {id, title, status, created_at, original_code_url, original_data_url},
 * for the user themself or an admin; 404 for anyone else. The URLs are
 * signed links (url_ttl) to the files the job was submitted with, or null
 * for a job that had none. */
enum kiln_err
h_jobs_list_brief(struct request *req)
{
	int64_t user = route_param(req, "user_id")->id;
	struct db_val p[1] = {DBV_I64(user)};
	struct db_res *res = NULL;
	json_t *items;
	enum kiln_err rc;
	size_t i;

	if (user != req->user_id && !(req->role_bit & ROLE_ADMIN))
		return KILN_ERR_NOT_FOUND;
	if ((rc = db_exec(req->app->db, STMT_JOB_LIST_BRIEF, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if ((items = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++) {
		json_t *code, *data;

		brief_links(req, res, i, &code, &data);
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id",
						(json_int_t)db_res_i64(res, i, 0), "title",
						db_res_str(res, i, 1, NULL), "status",
						db_res_str(res, i, 2, NULL), "created_at",
						db_res_str(res, i, 3, NULL), "original_code_url",
						code, "original_data_url", data));
	}
	db_res_free(res);
	resp_json_new(req, 200, items);
	return KILN_OK;
}
