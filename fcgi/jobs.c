/* SPDX-License-Identifier: MIT */
/* jobs.c: visibility, history and the answer shared by the job handlers. */
#include "jobs.h"

#include "account.h"
#include "response.h"
#include "views.h"

enum kiln_err
jobs_event(struct db *db, int64_t job_id, const char *from, const char *to, const char *reason,
	   int64_t actor)
{
	struct db_val p[5] = {DBV_I64(job_id), from ? DBV_STR(from) : DBV_NULL, DBV_STR(to),
			      reason ? DBV_STR(reason) : DBV_NULL,
			      actor > 0 ? DBV_I64(actor) : DBV_NULL};

	return db_exec(db, STMT_EVENT_INSERT, p, 5, NULL, NULL, NULL);
}

int
jobs_reads_all(const struct request *req)
{
	return (req->role_bit & (ROLE_VIEWER | ROLE_OPERATOR | ROLE_ADMIN)) != 0;
}

enum kiln_err
jobs_visible(struct request *req, int64_t id, struct db_res **res)
{
	struct db_val p[1] = {DBV_I64(id)};
	enum kiln_err rc = db_exec(req->app->db, STMT_JOB_GET, p, 1, res, NULL, NULL);

	if (rc != KILN_OK)
		return rc;
	if (db_res_rows(*res) != 1 ||
	    (db_res_i64(*res, 0, 1) != req->user_id && !jobs_reads_all(req))) {
		db_res_free(*res);
		*res = NULL;
		return KILN_ERR_NOT_FOUND;
	}
	return KILN_OK;
}

enum kiln_err
h_jobs_respond(struct request *req, int64_t id, int status)
{
	struct db_res *res = NULL;
	enum kiln_err rc = jobs_visible(req, id, &res);

	if (rc != KILN_OK)
		return rc;
	resp_json_new(req, status, view_job_new(res, 0));
	db_res_free(res);
	return KILN_OK;
}
