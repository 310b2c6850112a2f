/* SPDX-License-Identifier: MIT */
/* h_datasets.c: data sets: a multipart upload (file, name, description)
 * streamed to a temporary file and moved under the storage root by id;
 * listing, reading and deleting them. Jobs refer to them by dataset_id. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "handlers.h"
#include "scope.h"
#include "response.h"
#include "storage.h"
#include "upload.h"
#include "validate.h"
#include "views.h"

static json_t *
dataset_json_new(const struct db_res *res, size_t row)
{
	json_t *d = json_pack(
	    "{s:I, s:I, s:s, s:o, s:s, s:s, s:I, s:s, s:s}", "id",
	    (json_int_t)db_res_i64(res, row, 0), "user_id", (json_int_t)db_res_i64(res, row, 1),
	    "name", db_res_str(res, row, 2, NULL), "description",
	    db_res_is_null(res, row, 3) ? json_null() : json_string(db_res_str(res, row, 3, NULL)),
	    "filename", db_res_str(res, row, 4, NULL), "format", db_res_str(res, row, 5, NULL),
	    "size_bytes", (json_int_t)db_res_i64(res, row, 6), "sha256",
	    db_res_str(res, row, 7, NULL), "created_at", db_res_str(res, row, 8, NULL));

	if (d == NULL)
		abort();
	return d;
}

/* Loads data set id for the caller (write: the owner or an admin). */
static enum kiln_err
dataset_load(struct request *req, int64_t id, int write, struct db_res **res)
{
	return scope_load(req, STMT_DATASET_GET, id, write, ROLE_ADMIN, res);
}

static enum kiln_err
dataset_respond(struct request *req, int64_t id, int status)
{
	struct db_res *res = NULL;
	enum kiln_err rc = dataset_load(req, id, 0, &res);

	if (rc != KILN_OK)
		return rc;
	resp_json_new(req, status, dataset_json_new(res, 0));
	db_res_free(res);
	return KILN_OK;
}

/* POST /datasets's row and file, stored together. */
struct dataset_new {
	const struct kiln_config *cfg;
	int64_t user_id;
	const char *name, *desc;
	struct upload_file *f;
	int64_t id;
	char path[STORAGE_PATH_MAX];
};

static enum kiln_err
dataset_create_txn(struct db *db, void *arg)
{
	struct dataset_new *n = arg;

	return upload_store_dataset(db, n->cfg, n->user_id, n->name, n->desc, n->f, &n->id,
				    n->path);
}

enum kiln_err
h_datasets_create(struct request *req)
{
	struct upload *up = req->upload;
	json_t *errs = v_new(req);
	struct dataset_new n = {req->app->cfg, req->user_id, NULL, NULL, NULL, 0, ""};
	enum kiln_err rc;

	n.f = upload_file(up, "file");
	n.name = upload_field(up, "name");
	n.desc = upload_field(up, "description");
	if (n.f == NULL)
		v_err(errs, "file", "a file part named file is required", "value_error.missing");
	if (n.name == NULL && n.f != NULL) {
		char *from_file = arena_alloc(req->arena, DATASET_NAME_MAX + 1);

		upload_dataset_name(n.f, from_file);
		n.name = from_file;
	}
	if (n.name == NULL || n.name[0] == '\0' || strlen(n.name) > DATASET_NAME_MAX)
		v_err(errs, "name", "1 to 200 characters", "value_error.name");
	if (v_reject(req, errs))
		return KILN_OK;
	/* the row and its file go together; after an unanswered COMMIT the
	 * file stays, as the row may have been kept */
	if ((rc = db_txn(req->app->db, dataset_create_txn, &n)) != KILN_OK) {
		if (n.path[0] != '\0' && !db_txn_unsure(req->app->db))
			(void)unlink(n.path);
		return rc;
	}
	return dataset_respond(req, n.id, 201);
}

static json_t *
dataset_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return dataset_json_new(res, row);
}

enum kiln_err
h_datasets_list(struct request *req)
{
	return scope_list(req, STMT_DATASET_LIST, STMT_DATASET_COUNT, dataset_item_new);
}

enum kiln_err
h_datasets_get(struct request *req)
{
	return dataset_respond(req, route_param(req, "id")->id, 200);
}

struct dataset_del {
	int64_t id;
	int busy;
};

static enum kiln_err
dataset_delete_txn(struct db *db, void *arg)
{
	struct dataset_del *d = arg;
	struct db_val p[1] = {DBV_I64(d->id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	if ((rc = db_exec(db, STMT_DATASET_LOCK, p, 1, NULL, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_DATASET_ACTIVE_JOBS, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	d->busy = db_res_i64(res, 0, 0) > 0;
	db_res_free(res);
	if (d->busy)
		return KILN_OK;
	if ((rc = db_exec(db, STMT_DATASET_UNLINK_JOBS, p, 1, NULL, NULL, NULL)) != KILN_OK)
		return rc;
	return db_exec(db, STMT_DATASET_DELETE, p, 1, NULL, NULL, NULL);
}

enum kiln_err
h_datasets_delete(struct request *req)
{
	struct dataset_del d = {route_param(req, "id")->id, 0};
	struct db_res *res = NULL;
	char path[STORAGE_PATH_MAX];
	int64_t owner;
	enum kiln_err rc;

	if ((rc = dataset_load(req, d.id, 1, &res)) != KILN_OK)
		return rc;
	owner = db_res_i64(res, 0, 1);
	db_res_free(res);
	if ((rc = db_txn(req->app->db, dataset_delete_txn, &d)) != KILN_OK)
		return rc;
	if (d.busy) {
		resp_error(req, KILN_ERR_CONFLICT, "an active job uses this data set");
		return KILN_OK;
	}
	storage_dataset_path(req->app->cfg, owner, d.id, path);
	(void)unlink(path);
	resp_empty(req, 204);
	return KILN_OK;
}
