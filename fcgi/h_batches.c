/* SPDX-License-Identifier: MIT */
/* h_batches.c: batches of jobs submitted together. Every job is validated
 * and quoted like POST /jobs, and the batch is stored with all its jobs in
 * one transaction or not at all. A batch's status is derived from its
 * jobs' statuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "handlers.h"
#include "jobs.h"
#include "jobstate.h"
#include "response.h"
#include "scope.h"
#include "storage.h"
#include "validate.h"
#include "views.h"

#define BATCH_JOBS_MAX 1000

/* pending while any job waits and none runs; running while any runs;
 * once all have ended: completed, failed (any failure) or cancelled */
static const char *
batch_status(const int64_t counts[JOB_STATUS_COUNT])
{
	int64_t active = counts[1] + counts[3] + counts[4]; /* moderating, preparing, running */
	int64_t failed = counts[2] + counts[6] + counts[8]; /* moderation_failed, failed, killed */

	if (counts[3] + counts[4] > 0)
		return "running";
	if (counts[0] + active > 0)
		return "pending";
	if (failed > 0)
		return "failed";
	if (counts[7] > 0 && counts[5] == 0)
		return "cancelled";
	return "completed";
}

/* The batch object; with jobs (the member jobs) when with_jobs. New. */
static json_t *
batch_json_new(struct request *req, const struct db_res *b, size_t row, int with_jobs)
{
	struct db_val p[1] = {DBV_I64(db_res_i64(b, row, 0))};
	struct db_res *counts = NULL, *jobs = NULL;
	int64_t n[JOB_STATUS_COUNT] = {0}, total = 0;
	json_t *c = json_object(), *j;
	size_t i;
	int k;

	if (c == NULL)
		abort();
	if (db_exec(req->app->db, STMT_BATCH_STATUS_COUNTS, p, 1, &counts, NULL, NULL) == KILN_OK)
		for (i = 0; i < db_res_rows(counts); i++)
			for (k = 0; k < JOB_STATUS_COUNT; k++)
				if (strcmp(job_statuses[k], db_res_str(counts, i, 0, NULL)) == 0)
					n[k] = db_res_i64(counts, i, 1);
	db_res_free(counts);
	for (k = 0; k < JOB_STATUS_COUNT; k++) {
		json_object_set_new(c, job_statuses[k], json_integer(n[k]));
		total += n[k];
	}
	j = json_pack(
	    "{s:I, s:I, s:s, s:o, s:o, s:s, s:s, s:o, s:I, s:s}", "id",
	    (json_int_t)db_res_i64(b, row, 0), "user_id", (json_int_t)db_res_i64(b, row, 1), "name",
	    db_res_str(b, row, 2, NULL), "description",
	    db_res_is_null(b, row, 3) ? json_null() : json_string(db_res_str(b, row, 3, NULL)),
	    "max_parallel",
	    db_res_is_null(b, row, 4) ? json_null() : json_integer(db_res_i64(b, row, 4)),
	    "failure_policy", db_res_str(b, row, 5, NULL), "status", batch_status(n), "counts", c,
	    "total", (json_int_t)total, "created_at", db_res_str(b, row, 6, NULL));
	if (j == NULL)
		abort();
	if (with_jobs &&
	    db_exec(req->app->db, STMT_BATCH_JOBS, p, 1, &jobs, NULL, NULL) == KILN_OK) {
		json_t *arr = json_array();

		for (i = 0; arr != NULL && i < db_res_rows(jobs); i++)
			json_array_append_new(arr, view_job_new(jobs, i));
		json_object_set_new(j, "jobs", arr);
	}
	db_res_free(jobs);
	return j;
}

/* Loads batch id for the caller: to read, or (writers non-zero) to change
 * it as its owner or as one of the roles in writers. */
static enum kiln_err
batch_load(struct request *req, int64_t id, unsigned writers, struct db_res **res)
{
	return scope_load(req, STMT_BATCH_GET, id, writers != 0, writers, res);
}

static enum kiln_err
batch_respond(struct request *req, int64_t id, int status)
{
	struct db_res *b = NULL;
	enum kiln_err rc = batch_load(req, id, 0, &b);

	if (rc != KILN_OK)
		return rc;
	resp_json_new(req, status, batch_json_new(req, b, 0, 1));
	db_res_free(b);
	return KILN_OK;
}

struct batch_new {
	int64_t user_id, max_parallel, id;
	const char *name, *description, *policy;
	struct job_new jobs[BATCH_JOBS_MAX];
	size_t n;
};

enum kiln_err
jobs_batch_insert(struct db *db, int64_t user_id, const char *name, const char *description,
		  int64_t max_parallel, const char *policy, int64_t *id)
{
	struct db_val p[5] = {DBV_I64(user_id), DBV_STR(name),
			      description ? DBV_STR(description) : DBV_NULL,
			      max_parallel ? DBV_I64(max_parallel) : DBV_NULL, DBV_STR(policy)};
	uint64_t got = 0;
	enum kiln_err rc = db_exec(db, STMT_BATCH_INSERT, p, 5, NULL, NULL, &got);

	*id = (int64_t)got;
	return rc;
}

static enum kiln_err
batch_create_txn(struct db *db, void *arg)
{
	struct batch_new *b = arg;
	enum kiln_err rc;
	size_t i;

	if ((rc = jobs_batch_insert(db, b->user_id, b->name, b->description, b->max_parallel,
				    b->policy, &b->id)) != KILN_OK)
		return rc;
	for (i = 0; i < b->n; i++) {
		b->jobs[i].batch_id = b->id;
		if ((rc = jobs_insert(db, &b->jobs[i])) != KILN_OK)
			return rc;
	}
	return KILN_OK;
}

static const char *const batch_fields[] = {"name",         "description",    "jobs",
					   "max_parallel", "failure_policy", NULL};

/* Validates the jobs array into b; errors carry their index. 1 on 422. */
static int
batch_read_jobs(json_t *arr, json_t *errs, struct batch_new *b, int *bad_dir)
{
	json_t *spec, *one;
	size_t i, k;
	char field[256];

	json_array_foreach(arr, i, spec)
	{
		one = json_array();
		if (one == NULL)
			abort();
		if (!json_is_object(spec))
			v_err(one, "", "each job must be an object", "type_error.dict");
		else
			jobs_parse_spec(spec, one, &b->jobs[i], bad_dir);
		b->jobs[i].user_id = b->user_id;
		b->n = i + 1;
		for (k = 0; k < json_array_size(one); k++) {
			json_t *e = json_array_get(one, k), *loc = json_object_get(e, "loc");
			size_t n = (size_t)snprintf(field, sizeof(field), "jobs[%zu]", i), p;

			/* the rest of its loc after "body": "jobs[1].resources.gpus";
			 * the job itself ("jobs[1]") when the error is the whole job's */
			for (p = 1; p < json_array_size(loc) && n < sizeof(field); p++) {
				const char *seg = json_string_value(json_array_get(loc, p));

				if (seg != NULL && seg[0] != '\0')
					n += (size_t)snprintf(field + n, sizeof(field) - n, ".%s",
							      seg);
			}
			v_err(errs, field, json_string_value(json_object_get(e, "msg")),
			      json_string_value(json_object_get(e, "type")));
		}
		json_decref(one);
	}
	return json_array_size(errs) > 0;
}

enum kiln_err
h_batches_create(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *arr = NULL;
	struct batch_new *b = calloc(1, sizeof(*b));
	int bad_dir = 0, over = 0;
	enum kiln_err rc = KILN_OK;
	size_t i;

	if (b == NULL)
		return KILN_ERR_NOMEM;
	b->user_id = req->user_id;
	b->policy = "continue";
	if (obj != NULL) {
		v_unknown(obj, batch_fields, errs);
		b->name = v_str(obj, "name", 1, 200, errs, NULL);
		b->description = v_str(obj, "description", 0, 10000, errs, NULL);
		v_int(obj, "max_parallel", 0, 1, 1, BATCH_JOBS_MAX, &b->max_parallel, errs);
		if (v_str(obj, "failure_policy", 0, 32, errs, NULL) != NULL)
			b->policy = json_string_value(json_object_get(obj, "failure_policy"));
		arr = json_object_get(obj, "jobs");
	}
	if (b->policy != NULL && strcmp(b->policy, "continue") != 0 &&
	    strcmp(b->policy, "abort_on_first_failure") != 0)
		v_err(errs, "failure_policy", "must be continue or abort_on_first_failure",
		      "value_error.policy");
	if (b->name != NULL && b->name[0] == '\0')
		v_err(errs, "name", "must not be empty", "value_error.any_str.min_length");
	if (obj != NULL && (!json_is_array(arr) || json_array_size(arr) == 0 ||
			    json_array_size(arr) > BATCH_JOBS_MAX))
		v_err(errs, "jobs", "must be a list of 1 to 1000 job specs", "type_error.list");
	else if (obj != NULL)
		batch_read_jobs(arr, errs, b, &bad_dir);
	if (v_reject(req, errs))
		goto out;
	if (bad_dir) {
		rc = KILN_ERR_WORKING_DIR;
		goto out;
	}
	if ((rc = jobs_quote_all(req, b->jobs, b->n, &over)) != KILN_OK || over)
		goto out;
	/* committed: a failed read-back still answers 201, so that the
	 * request's Idempotency-Key keeps it and a retry creates nothing */
	if ((rc = db_txn(req->app->db, batch_create_txn, b)) == KILN_OK &&
	    batch_respond(req, b->id, 201) != KILN_OK)
		jobs_answer_short(req, 201, b->id, NULL,
				  "created; read it with GET /api/v1/job-batches/{id}");
out:
	for (i = 0; i < b->n; i++)
		jobs_spec_free(&b->jobs[i]);
	free(b);
	return rc;
}

static json_t *
batch_item_new(struct request *req, const struct db_res *res, size_t row)
{
	return batch_json_new(req, res, row, 0);
}

enum kiln_err
h_batches_list(struct request *req)
{
	json_t *errs = v_new(req);
	int64_t user, page, size;

	if (scope_whose(req, errs, &user))
		return KILN_OK;
	v_paging(req, errs, &page, &size);
	if (v_reject(req, errs))
		return KILN_OK;
	{
		struct db_val p[3] = {DBV_I64(user), DBV_I64(size), DBV_I64((page - 1) * size)};

		return scope_page(req, user ? STMT_BATCH_LIST : STMT_BATCH_LIST_ALL,
				  user ? STMT_BATCH_COUNT : STMT_BATCH_COUNT_ALL, user ? p : p + 1,
				  user ? 3 : 2, page, size, batch_item_new);
	}
}

enum kiln_err
h_batches_get(struct request *req)
{
	return batch_respond(req, route_param(req, "id")->id, 200);
}

struct batch_change {
	int64_t id, actor;
	const char *to; /* force-complete's status; NULL to cancel */
};

static enum kiln_err
batch_change_txn(struct db *db, void *arg)
{
	struct batch_change *c = arg;
	struct db_val p[1] = {DBV_I64(c->id)};
	struct db_res *ids = NULL;
	enum kiln_err rc;
	size_t i;

	if ((rc = db_exec(db, STMT_BATCH_JOB_IDS, p, 1, &ids, NULL, NULL)) != KILN_OK)
		return rc;
	for (i = 0; i < db_res_rows(ids) && i < BATCH_JOBS_MAX; i++) {
		int64_t jid = db_res_i64(ids, i, 0);

		rc = c->to ? jobs_force_in(db, jid, c->to, c->actor)
			   : jobs_cancel_in(db, jid, c->actor);
		if (rc != KILN_OK)
			break;
	}
	db_res_free(ids);
	return rc;
}

/* Cancels (to NULL) or force-ends every job of the batch that has not
 * ended, each returning its hold, in one transaction. */
static enum kiln_err
batch_change(struct request *req, const char *to)
{
	struct batch_change c = {route_param(req, "id")->id, req->user_id, to};
	struct db_res *b = NULL;
	enum kiln_err rc;

	if ((rc = batch_load(req, c.id, ROLE_OPERATOR | ROLE_ADMIN, &b)) == KILN_OK &&
	    (rc = db_txn(req->app->db, batch_change_txn, &c)) == KILN_OK)
		rc = batch_respond(req, c.id, 200);
	db_res_free(b);
	return rc;
}

enum kiln_err
h_batches_cancel(struct request *req)
{
	return v_no_fields(req) ? KILN_OK : batch_change(req, NULL);
}

static const char *const force_fields[] = {"status", NULL};

enum kiln_err
h_batches_force_complete(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	const char *to = NULL;

	if (obj != NULL) {
		v_unknown(obj, force_fields, errs);
		to = v_str(obj, "status", 1, 32, errs, NULL);
	}
	if (to != NULL && !job_status_forcible(to = job_status_lookup(to, strlen(to))))
		v_err(errs, "status", "must be completed, failed or cancelled",
		      "value_error.status");
	if (v_reject(req, errs))
		return KILN_OK;
	return batch_change(req, to);
}

struct batch_delete {
	int64_t id;
	int64_t jobs[BATCH_JOBS_MAX]; /* the deleted jobs, whose folders go next */
	size_t n;
};

static enum kiln_err
batch_delete_txn(struct db *db, void *arg)
{
	struct batch_delete *d = arg;
	struct db_val p[1] = {DBV_I64(d->id)};
	struct db_res *ids = NULL;
	enum kiln_err rc;
	size_t i;

	d->n = 0; /* a retried transaction reads them again */
	if ((rc = db_exec(db, STMT_BATCH_JOB_IDS, p, 1, &ids, NULL, NULL)) != KILN_OK)
		return rc;
	for (i = 0; i < db_res_rows(ids) && i < BATCH_JOBS_MAX; i++)
		d->jobs[d->n++] = db_res_i64(ids, i, 0);
	db_res_free(ids);
	if ((rc = db_exec(db, STMT_BATCH_JOBS_DELETE, p, 1, NULL, NULL, NULL)) != KILN_OK)
		return rc;
	return db_exec(db, STMT_BATCH_DELETE, p, 1, NULL, NULL, NULL);
}

/* DELETE /job-batches/{id}: the owner or an admin (as purge: an operator
 * ends other users' work but does not erase it) removes a batch whose jobs
 * have all ended, with the jobs' rows, history and folders. The rows go
 * first: a failure to remove files leaves only files. */
enum kiln_err
h_batches_delete(struct request *req)
{
	struct batch_delete *d = arena_alloc(req->arena, sizeof(*d));
	int64_t id = route_param(req, "id")->id;
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *b = NULL, *counts = NULL;
	enum kiln_err rc;
	int active = 0;
	size_t i;

	if ((rc = batch_load(req, id, ROLE_ADMIN, &b)) != KILN_OK)
		return rc;
	db_res_free(b);
	if ((rc = db_exec(req->app->db, STMT_BATCH_STATUS_COUNTS, p, 1, &counts, NULL, NULL)) !=
	    KILN_OK)
		return rc;
	for (i = 0; i < db_res_rows(counts); i++)
		active |= !job_status_terminal(db_res_str(counts, i, 0, NULL));
	db_res_free(counts);
	if (active) {
		resp_error(req, KILN_ERR_CONFLICT, "the batch still has jobs that have not ended");
		return KILN_OK;
	}
	d->id = id;
	if ((rc = db_txn(req->app->db, batch_delete_txn, d)) != KILN_OK)
		return rc;
	for (i = 0; i < d->n; i++)
		(void)storage_job_remove(req->app->cfg, d->jobs[i]); /* logged when it fails */
	resp_empty(req, 204);
	return KILN_OK;
}
