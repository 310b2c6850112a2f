/* SPDX-License-Identifier: MIT */
/* jobs.c: visibility, history and the answer shared by the job handlers. */
#include "jobs.h"

#include <stdlib.h>

#include "account.h"
#include "response.h"
#include "scope.h"
#include "views.h"

int
jobs_reads_all(const struct request *req)
{
	return scope_reads_all(req);
}

enum kiln_err
jobs_visible(struct request *req, int64_t id, struct db_res **res)
{
	return scope_load(req, STMT_JOB_GET, id, 0, 0, res);
}

void
jobs_answer_short(struct request *req, int status, int64_t id, const char *state,
		  const char *detail)
{
	json_t *body = json_pack("{s:I, s:s}", "id", (json_int_t)id, "detail", detail);

	if (body == NULL)
		abort();
	if (state != NULL)
		json_object_set_new(body, "status", json_string(state));
	resp_json_new(req, status, body);
}

enum kiln_err
jobs_respond_stored(struct request *req, int64_t id, const char *state)
{
	if (h_jobs_respond(req, id, 202) != KILN_OK)
		jobs_answer_short(req, 202, id, state,
				  "accepted; read the job with GET /api/v1/jobs/{id}");
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
