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

/* The list's filters, as the statements' JOB_FILTER binds them. */
struct jobs_filter {
	const char *statuses[JOB_STATUS_COUNT]; /* job_statuses' own strings */
	int64_t nstatuses;                      /* 0: any */
	const char *kind;                       /* "": any */
};

_Static_assert(DB_JOB_FILTER_NPARAMS == 3 + JOB_STATUS_COUNT, "JOB_FILTER has a slot per status");

enum kiln_err
h_jobs_get(struct request *req)
{
	return jobs_respond_get(req, route_param(req, "id")->id);
}

/* ?status=a,b (or status_filter) validated into F: each status once, at
 * most all of them. */
static void
jobs_status_filter(struct request *req, json_t *errs, struct jobs_filter *f)
{
	const char *s = request_query(req, "status");

	f->nstatuses = 0;
	if (s == NULL)
		s = request_query(req, "status_filter");
	if (s == NULL || s[0] == '\0')
		return;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *st = job_status_lookup(s, n);

		if (st == NULL) {
			v_qerr(errs, "status", "unknown status", "value_error.status");
			f->nstatuses = 0;
			return;
		}
		if (f->nstatuses == JOB_STATUS_COUNT) {
			v_qerr(errs, "status", "too many statuses", "value_error.status");
			f->nstatuses = 0;
			return;
		}
		f->statuses[f->nstatuses++] = st;
		s += n + (s[n] == ',');
	}
}

/* F's binds (DB_JOB_FILTER_NPARAMS of them) at P; the unused status slots
 * repeat the first ("" when there is none). */
static size_t
jobs_filter_binds(const struct jobs_filter *f, struct db_val *p)
{
	size_t n = 0;
	int i;

	p[n++] = DBV_I64(f->nstatuses);
	for (i = 0; i < JOB_STATUS_COUNT; i++)
		p[n++] = DBV_STR(i < f->nstatuses ? f->statuses[i]
				 : f->nstatuses   ? f->statuses[0]
						  : "");
	p[n++] = DBV_STR(f->kind);
	p[n++] = DBV_STR(f->kind);
	return n;
}

static json_t *
job_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return view_job_new(res, row);
}

enum kiln_err
jobs_list(struct request *req, const char *kind)
{
	json_t *errs = v_new(req);
	const char *project = request_query(req, "project_id"),
		   *batch = request_query(req, "batch_id");
	struct jobs_filter f = {.kind = kind != NULL ? kind : request_query(req, "kind")};
	struct db_val p[5 + DB_JOB_FILTER_NPARAMS + 2];
	enum db_stmt_id list, count;
	int64_t user, page, size, pid = 0, bid = 0;
	size_t n = 0;

	if (scope_whose(req, errs, &user))
		return KILN_OK;
	if (project != NULL && parse_i64(project, 1, INT64_MAX, &pid) != KILN_OK)
		v_qerr(errs, "project_id", "must be a project id", "type_error.integer");
	if (batch != NULL && parse_i64(batch, 1, INT64_MAX, &bid) != KILN_OK)
		v_qerr(errs, "batch_id", "must be a batch id", "type_error.integer");
	jobs_status_filter(req, errs, &f);
	v_paging(req, errs, &page, &size);
	if (f.kind == NULL)
		f.kind = "";
	if (f.kind[0] != '\0' && !job_kind_valid(f.kind))
		v_qerr(errs, "kind", "must be command, script, render, shard or training",
		       "value_error.kind");
	if (v_reject(req, errs))
		return KILN_OK;
	if (bid != 0) { /* at most BATCH_JOBS_MAX jobs, counted from the jobs */
		list = STMT_JOB_LIST_BATCH, count = STMT_JOB_COUNT_BATCH;
		p[n++] = DBV_I64(bid);
		p[n++] = DBV_I64(pid);
		p[n++] = DBV_I64(pid);
		p[n++] = DBV_I64(user);
		p[n++] = DBV_I64(user);
	} else if (pid != 0) { /* counted in job_counts, per project */
		list = STMT_JOB_LIST_PROJECT, count = STMT_JOB_COUNT_PROJECT;
		p[n++] = DBV_I64(pid);
		p[n++] = DBV_I64(user);
		p[n++] = DBV_I64(user);
	} else if (user != 0) {
		list = STMT_JOB_LIST_USER, count = STMT_JOB_COUNT_USER;
		p[n++] = DBV_I64(user);
	} else {
		list = STMT_JOB_LIST_ALL, count = STMT_JOB_COUNT_ALL;
	}
	n += jobs_filter_binds(&f, p + n);
	p[n++] = DBV_I64(size);
	p[n++] = DBV_I64((page - 1) * size);
	return scope_page(req, list, count, p, n, page, size, job_item_new);
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

enum kiln_err
h_jobs_list(struct request *req)
{
	return jobs_list(req, NULL);
}
