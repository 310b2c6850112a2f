/* SPDX-License-Identifier: MIT */
/* jobs.h: what the job handlers share: who may see a job, its history,
 * and its JSON answer. */
#ifndef KILN_JOBS_H
#define KILN_JOBS_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "request.h"

/* Appends a job_events row (from may be NULL for the first). */
enum kiln_err jobs_event(struct db *db, int64_t job_id, const char *from, const char *to,
			 const char *reason, int64_t actor);

/* 1 when the caller may read every user's jobs (viewer, operator, admin). */
int jobs_reads_all(const struct request *req);

/* Loads job id into OUT: *res (new) when the caller may see it: its owner,
 * or a role that reads everything. KILN_ERR_NOT_FOUND otherwise, so that
 * another user's ids never show they exist. */
enum kiln_err jobs_visible(struct request *req, int64_t id, struct db_res **res);

/* Answers job id (which the caller may see) with status. */
enum kiln_err h_jobs_respond(struct request *req, int64_t id, int status);

#endif
