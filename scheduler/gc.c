/* SPDX-License-Identifier: MIT */
/* gc.c: the daily clean-up (see gc.h). */
#include "gc.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "storage.h"
#include "testhook.h"

#define GC_BATCH 1000 /* rows per statement, jobs per round */

/* Runs a DELETE ... LIMIT until it deletes nothing; OUT: *n rows. */
static enum kiln_err
gc_drain(struct db *db, enum db_stmt_id stmt, int64_t *n)
{
	uint64_t affected;
	enum kiln_err rc;

	do {
		affected = 0;
		if ((rc = db_exec(db, stmt, NULL, 0, NULL, &affected, NULL)) != KILN_OK)
			return rc;
		*n += (int64_t)affected;
	} while (affected > 0);
	return KILN_OK;
}

/* The files of jobs past retention: the folder, then the outputs' rows,
 * then the mark. A folder that cannot go leaves the job for next time;
 * the next batches skip it (those jobs come first, oldest first), so
 * that jobs whose folders will not go cannot hold up everyone's. */
static enum kiln_err
gc_job_files(struct db *db, const struct kiln_config *cfg, int64_t *n)
{
	struct db_res *res = NULL;
	enum kiln_err rc = KILN_OK;
	int64_t failed = 0, batch;
	size_t i, rows;

	if (cfg->retention_days == 0)
		return KILN_OK;                               /* kept for ever */
	batch = test_hook_ll("KILN_TEST_GC_BATCH", GC_BATCH); /* tests: batches of a few */
	do {
		struct db_val p[3] = {DBV_I64(cfg->retention_days), DBV_I64(batch),
				      DBV_I64(failed)};

		if ((rc = db_exec(db, STMT_GC_JOBS_OLD, p, 3, &res, NULL, NULL)) != KILN_OK)
			return rc;
		rows = db_res_rows(res);
		for (i = 0; i < rows; i++) {
			int64_t id = db_res_i64(res, i, 0);
			struct db_val q[1] = {DBV_I64(id)};

			if (storage_job_remove(cfg, id) != KILN_OK) {
				failed++; /* logged; the next run tries again */
				continue;
			}
			if ((rc = db_exec(db, STMT_GC_OUTPUTS_DELETE, q, 1, NULL, NULL, NULL)) !=
				KILN_OK ||
			    (rc = db_exec(db, STMT_GC_JOB_FILES_DONE, q, 1, NULL, NULL, NULL)) !=
				KILN_OK)
				break;
			(*n)++;
		}
		db_res_free(res);
		res = NULL;
	} while (rc == KILN_OK && (int64_t)rows == batch);
	return rc;
}

enum kiln_err
gc_run(struct db *db, const struct kiln_config *cfg, struct gc_counts *out)
{
	enum kiln_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = gc_drain(db, STMT_GC_IDEMPOTENCY, &out->idempotency_keys)) != KILN_OK ||
	    (rc = gc_drain(db, STMT_GC_REFRESH, &out->refresh_tokens)) != KILN_OK ||
	    (rc = gc_job_files(db, cfg, &out->job_files)) != KILN_OK ||
	    (rc = storage_jobs_sweep(cfg, &out->job_files)) != KILN_OK) /* purged by kiln-api */
		return rc;
	log_info("gc: %lld idempotency keys, %lld refresh tokens, files of %lld jobs",
		 (long long)out->idempotency_keys, (long long)out->refresh_tokens,
		 (long long)out->job_files);
	return KILN_OK;
}
