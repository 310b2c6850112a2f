/* SPDX-License-Identifier: MIT */
/* scope.c: object visibility and the caller's paged lists (see scope.h). */
#include "scope.h"

#include <stdlib.h>

#include "account.h"
#include "parse.h"
#include "response.h"
#include "validate.h"
#include "views.h"

int
scope_reads_all(const struct request *req)
{
	return (req->role_bit & (ROLE_VIEWER | ROLE_OPERATOR | ROLE_ADMIN)) != 0;
}

int
scope_may_see(const struct request *req, int64_t owner)
{
	return owner == req->user_id || scope_reads_all(req);
}

int
scope_whose(struct request *req, json_t *errs, int64_t *user)
{
	const char *all = request_query(req, "all"), *uid = request_query(req, "user_id");
	int everyone = 0;

	*user = req->user_id;
	if (all == NULL && uid == NULL)
		return 0;
	if (all != NULL && parse_bool(all, &everyone) != KILN_OK)
		v_qerr(errs, "all", "must be true or false", "type_error.bool");
	if (uid != NULL && parse_i64(uid, 1, INT64_MAX, user) != KILN_OK) {
		v_qerr(errs, "user_id", "must be a user id", "type_error.integer");
		return 0;
	}
	if (json_array_size(errs) > 0)
		return 0; /* the caller answers 422 */
	/* anyone may name themself (user_id=own id, all=false) */
	if ((everyone || *user != req->user_id) && !scope_reads_all(req)) {
		resp_error(req, KILN_ERR_FORBIDDEN,
			   "only viewers, operators and admins see other users' objects");
		return 1;
	}
	if (uid == NULL && everyone)
		*user = 0;
	return 0;
}

enum kiln_err
scope_load(struct request *req, enum db_stmt_id stmt, int64_t id, int write, unsigned writers,
	   struct db_res **res)
{
	struct db_val p[1] = {DBV_I64(id)};
	enum kiln_err rc = KILN_OK;
	int own;

	if ((rc = db_exec(req->app->db, stmt, p, 1, res, NULL, NULL)) != KILN_OK)
		return rc;
	own = db_res_rows(*res) == 1 && db_res_i64(*res, 0, 1) == req->user_id;
	if (db_res_rows(*res) != 1 || !scope_may_see(req, db_res_i64(*res, 0, 1)))
		rc = KILN_ERR_NOT_FOUND;
	else if (write && !own && !(req->role_bit & writers))
		rc = KILN_ERR_FORBIDDEN;
	if (rc != KILN_OK) {
		db_res_free(*res);
		*res = NULL;
	}
	return rc;
}

enum kiln_err
scope_list(struct request *req, enum db_stmt_id list, enum db_stmt_id count, scope_view_fn view)
{
	json_t *errs = v_new(req);
	int64_t page, size;
	struct db_val p[3];

	v_paging(req, errs, &page, &size);
	if (v_reject(req, errs))
		return KILN_OK;
	p[0] = DBV_I64(req->user_id);
	p[1] = DBV_I64(size);
	p[2] = DBV_I64((page - 1) * size);
	return scope_page(req, list, count, p, 3, page, size, view);
}

enum kiln_err
scope_page(struct request *req, enum db_stmt_id list, enum db_stmt_id count, const struct db_val *p,
	   size_t n, int64_t page, int64_t size, scope_view_fn view)
{
	json_t *items;
	struct db_res *res = NULL, *total = NULL;
	enum kiln_err rc;
	size_t i;

	if ((rc = db_exec(req->app->db, list, p, n, &res, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(req->app->db, count, p, n - 2, &total, NULL, NULL)) != KILN_OK)
		goto out;
	if ((items = json_array()) == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++)
		json_array_append_new(items, view(req, res, i));
	resp_json_new(req, 200, view_list_new(items, page, size, db_res_i64(total, 0, 0)));
out:
	db_res_free(total);
	db_res_free(res);
	return rc;
}
