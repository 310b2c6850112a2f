/* SPDX-License-Identifier: MIT */
/* jobs.h: what the job handlers share: who may see a job, its history,
 * and its JSON answer. */
#ifndef KILN_JOBS_H
#define KILN_JOBS_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "err.h"
#include "estimate.h"
#include "jobspec.h"
#include "limits.h"
#include "request.h"

/* A job about to be stored, validated (h_jobs.c). */
struct job_new {
	int64_t user_id;
	const char *kind, *name, *script;             /* borrowed from the request's JSON */
	char *command_json, *env_json, *payload_json; /* new (malloc): jobs_spec_free */
	char working_dir[JOBSPEC_DIR_MAX + 1];
	struct compute_spec res;
	int64_t priority, max_attempts, estimate;
	int64_t project_id;      /* 0 for none */
	int64_t batch_id;        /* 0 for none */
	int64_t dataset_id;      /* 0 for none */
	char *render_json;       /* render jobs: the config (new, malloc) */
	int rejected;            /* render jobs: moderation said no */
	double moderation_score; /* render jobs; < 0 for none */
	const char *image;       /* jobs with files: docker_image asked for, or NULL */
	const char *image_root;  /* what it resolved to ("host", a directory), or NULL */
	char *inputs_json;       /* files under jobs/ID/input/ (new, malloc), or NULL */
	int64_t id;              /* OUT */
};

/* Validates one job spec object into OUT: j (defaults first), adding 422
 * details to errs. Returns 1 when it added any. OUT: *bad_dir when the
 * working_dir leaves the job directory (a 400, not a 422). */
int jobs_parse_spec(json_t *obj, json_t *errs, struct job_new *j, int *bad_dir);
/* Frees what jobs_parse_spec allocated. */
void jobs_spec_free(struct job_new *j);
/* Quotes j into j->estimate; above lim->max_job_cost answers 400
 * cost_limit_exceeded and sets OUT: *over. */
enum kiln_err jobs_quote(struct request *req, const struct prices *prices, const struct limits *lim,
			 struct job_new *j, int *over);
/* Quotes jobs[0..n) (render or compute by kind) against the prices and
 * the caller's limits, loaded once; stops at the first above
 * max_job_cost, which answers 400 and sets OUT: *over. */
enum kiln_err jobs_quote_all(struct request *req, struct job_new *jobs, size_t n, int *over);

/* Quotes j, stores it in a transaction of its own as the caller's job
 * and answers 202 with it (a cost above max_job_cost answers 400). */
enum kiln_err jobs_quote_store(struct request *req, struct job_new *j);

/* Inserts j (inside the caller's transaction) with its first event;
 * OUT: j->id. A project_id that is not the user's is KILN_ERR_NOT_FOUND.
 * A render job passes moderating on its way to pending or, when rejected,
 * to moderation_failed (an event each). */
enum kiln_err jobs_insert(struct db *db, struct job_new *j);

/* Inserts a batch row (inside the caller's transaction); description
 * may be NULL, max_parallel 0 for none. OUT: id. */
enum kiln_err jobs_batch_insert(struct db *db, int64_t user_id, const char *name,
				const char *description, int64_t max_parallel, const char *policy,
				int64_t *id);

/* GET /jobs: the caller's jobs (or, for staff, whose they ask), newest
 * first; kind (NULL: ?kind, if any) narrows them to one kind. */
enum kiln_err jobs_list(struct request *req, const char *kind);

/* 1 when the caller may read every user's jobs (viewer, operator, admin). */
int jobs_reads_all(const struct request *req);

/* Loads job id into OUT: *res (new) when the caller may see it: its owner,
 * or a role that reads everything. KILN_ERR_NOT_FOUND otherwise, so that
 * another user's ids never show they exist. */
enum kiln_err jobs_visible(struct request *req, int64_t id, struct db_res **res);

/* Answers 202 with job id, just stored in state (the status its
 * transaction left): the full job, or when it cannot be read back
 * jobs_answer_short, never a 5xx (the Idempotency-Key of the request
 * must keep the job's answer). */
enum kiln_err jobs_respond_stored(struct request *req, int64_t id, const char *state);

/* The answer for work that was committed but cannot be read back:
 * {id, status (when state is not NULL), detail} with status. */
void jobs_answer_short(struct request *req, int status, int64_t id, const char *state,
		       const char *detail);

/* Answers job id (which the caller may see) with status and its ETag,
 * and keeps the answer in this worker's jobcache. */
enum kiln_err h_jobs_respond(struct request *req, int64_t id, int status);

/* GET /jobs/{id}: from the job's head authentication read (RF_READS_JOB),
 * 404 for a job the caller may not see, 304 when If-None-Match names the
 * current ETag, this worker's stored answer when the job has not changed
 * since, and only otherwise a read of the whole row. */
enum kiln_err jobs_respond_get(struct request *req, int64_t id);

/* Reads a render job ({script, config, project_id?, name?}) into OUT: j,
 * adding 422 details to errs; scores the script against the configured
 * blocked words. Returns 1 when it added any detail. */
int jobs_parse_render(const struct kiln_config *cfg, json_t *obj, json_t *errs, struct job_new *j);
/* Quotes a render job's config into j->estimate (like jobs_quote). */
enum kiln_err jobs_quote_render(struct request *req, const struct prices *prices,
				const struct limits *lim, struct job_new *j, int *over);

/* Inside the caller's transaction (batches): cancel job id as
 * POST /jobs/{id}/cancel does, or end it as force-complete does with
 * status to; either way a job that ends now returns its hold in the same
 * transaction. A job that has already ended is left as it is. */
enum kiln_err jobs_cancel_in(struct db *db, int64_t id, int64_t actor);
enum kiln_err jobs_force_in(struct db *db, int64_t id, const char *to, int64_t actor);

#endif
