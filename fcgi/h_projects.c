/* SPDX-License-Identifier: MIT */
/* h_projects.c: projects, named groups of the caller's jobs. Viewers,
 * operators and admins read everyone's; only the owner (or an admin)
 * changes one; a project with active jobs cannot be deleted. */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "handlers.h"
#include "scope.h"
#include "response.h"
#include "validate.h"
#include "views.h"

#define PROJECT_NAME_MAX 200
#define PROJECT_DESC_MAX 10000

static json_t *
project_json_new(const struct db_res *res, size_t row)
{
	json_t *p = json_pack(
	    "{s:I, s:I, s:s, s:o, s:s, s:s}", "id", (json_int_t)db_res_i64(res, row, 0), "user_id",
	    (json_int_t)db_res_i64(res, row, 1), "name", db_res_str(res, row, 2, NULL),
	    "description",
	    db_res_is_null(res, row, 3) ? json_null() : json_string(db_res_str(res, row, 3, NULL)),
	    "created_at", db_res_str(res, row, 4, NULL), "updated_at",
	    db_res_str(res, row, 5, NULL));

	if (p == NULL)
		abort();
	return p;
}

/* Loads project id for the caller (write: the owner or an admin). */
static enum kiln_err
project_load(struct request *req, int64_t id, int write, struct db_res **res)
{
	return scope_load(req, STMT_PROJECT_GET, id, write, ROLE_ADMIN, res);
}

static enum kiln_err
project_respond(struct request *req, int64_t id, int status)
{
	struct db_res *res = NULL;
	enum kiln_err rc = project_load(req, id, 0, &res);

	if (rc != KILN_OK)
		return rc;
	resp_json_new(req, status, project_json_new(res, 0));
	db_res_free(res);
	return KILN_OK;
}

static const char *const project_fields[] = {"name", "description", NULL};

/* {name, description?} into OUT: *name, *desc; 1 after a 422. */
static int
project_body(struct request *req, const char **name, const char **desc)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);

	*name = *desc = NULL;
	if (obj != NULL) {
		v_unknown(obj, project_fields, errs);
		*name = v_str(obj, "name", 1, PROJECT_NAME_MAX, errs, NULL);
		*desc = v_str(obj, "description", 0, PROJECT_DESC_MAX, errs, NULL);
		if (*name != NULL && (*name)[0] == '\0')
			v_err(errs, "name", "must not be empty", "value_error.any_str.min_length");
	}
	return v_reject(req, errs);
}

enum kiln_err
h_projects_create(struct request *req)
{
	const char *name, *desc;
	uint64_t id = 0;
	enum kiln_err rc;

	if (project_body(req, &name, &desc))
		return KILN_OK;
	{
		struct db_val p[3] = {DBV_I64(req->user_id), DBV_STR(name),
				      desc ? DBV_STR(desc) : DBV_NULL};

		if ((rc = db_exec(req->app->db, STMT_PROJECT_INSERT, p, 3, NULL, NULL, &id)) !=
		    KILN_OK)
			return rc;
	}
	return project_respond(req, (int64_t)id, 201);
}

static json_t *
project_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return project_json_new(res, row);
}

enum kiln_err
h_projects_list(struct request *req)
{
	return scope_list(req, STMT_PROJECT_LIST, STMT_PROJECT_COUNT, project_item_new);
}

enum kiln_err
h_projects_get(struct request *req)
{
	return project_respond(req, route_param(req, "id")->id, 200);
}

enum kiln_err
h_projects_update(struct request *req)
{
	int64_t id = route_param(req, "id")->id;
	const char *name, *desc;
	struct db_res *res = NULL;
	enum kiln_err rc;

	if ((rc = project_load(req, id, 1, &res)) != KILN_OK)
		return rc;
	db_res_free(res);
	if (project_body(req, &name, &desc))
		return KILN_OK;
	{
		struct db_val p[3] = {DBV_STR(name), desc ? DBV_STR(desc) : DBV_NULL, DBV_I64(id)};

		if ((rc = db_exec(req->app->db, STMT_PROJECT_UPDATE, p, 3, NULL, NULL, NULL)) !=
		    KILN_OK)
			return rc;
	}
	return project_respond(req, id, 200);
}

struct project_del {
	int64_t id;
	int busy; /* OUT: active jobs */
};

static enum kiln_err
project_delete_txn(struct db *db, void *arg)
{
	struct project_del *d = arg;
	struct db_val p[1] = {DBV_I64(d->id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	/* the row lock keeps new jobs from joining while we count */
	if ((rc = db_exec(db, STMT_PROJECT_LOCK, p, 1, NULL, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_PROJECT_ACTIVE_JOBS, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	d->busy = db_res_i64(res, 0, 0) > 0;
	db_res_free(res);
	if (d->busy)
		return KILN_OK;
	if ((rc = db_exec(db, STMT_PROJECT_UNLINK_JOBS, p, 1, NULL, NULL, NULL)) != KILN_OK)
		return rc;
	return db_exec(db, STMT_PROJECT_DELETE, p, 1, NULL, NULL, NULL);
}

enum kiln_err
h_projects_delete(struct request *req)
{
	struct project_del d = {route_param(req, "id")->id, 0};
	struct db_res *res = NULL;
	enum kiln_err rc;

	if ((rc = project_load(req, d.id, 1, &res)) != KILN_OK)
		return rc;
	db_res_free(res);
	if ((rc = db_txn(req->app->db, project_delete_txn, &d)) != KILN_OK)
		return rc;
	if (d.busy) {
		resp_error(req, KILN_ERR_CONFLICT, "the project has active jobs");
		return KILN_OK;
	}
	resp_empty(req, 204);
	return KILN_OK;
}
