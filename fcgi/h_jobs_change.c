/* SPDX-License-Identifier: MIT */
/* h_jobs_change.c: changing jobs: cancel (a pending job ends at once, a
 * running one is asked to stop and kiln-run ends it), and PATCH (the owner
 * renames and re-prioritises pending jobs; operators and admins set status
 * and progress). Every status change appends its event in the same
 * transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "clock.h"
#include "handlers.h"
#include "jobevent.h"
#include "joblog.h"
#include "jobs.h"
#include "jobstate.h"
#include "ledger.h"
#include "log.h"
#include "requeue.h"
#include "response.h"
#include "storage.h"
#include "validate.h"

enum change_outcome { CHANGE_DONE, CHANGE_ALREADY, CHANGE_REQUESTED, CHANGE_CONFLICT };

struct change {
	int64_t id, actor;
	const char *to, *reason;
	char from[32];
	int64_t lease, owner; /* the job's, as jobs_lock read them */
	int cancel_requested; /* likewise */
	int set_name, set_priority, set_progress, set_status;
	const char *name;
	int64_t priority;
	double progress;
	enum change_outcome outcome; /* OUT */
};

static int
jobs_staff(const struct request *req)
{
	return (req->role_bit & (ROLE_OPERATOR | ROLE_ADMIN)) != 0;
}

/* The caller may change job id: its owner or staff. 404 when it may not
 * even see it, 403 when it may only read it. OUT: *own (may be NULL), 1
 * when the caller owns the job. */
static enum kiln_err
jobs_changeable(struct request *req, int64_t id, int *own)
{
	struct db_res *res = NULL;
	enum kiln_err rc = jobs_visible(req, id, &res);
	int mine = rc == KILN_OK && db_res_i64(res, 0, 1) == req->user_id;

	if (rc == KILN_OK && !mine && !jobs_staff(req))
		rc = KILN_ERR_FORBIDDEN;
	if (own != NULL)
		*own = mine;
	db_res_free(res);
	return rc;
}

/* Moves the locked job from c->from to c->to with its event. */
static enum kiln_err
jobs_move(struct db *db, struct change *c)
{
	struct db_val p[5] = {DBV_STR(c->to), DBV_NULL, DBV_I64(job_status_terminal(c->to)),
			      DBV_I64(c->id), DBV_STR(c->from)};
	uint64_t affected = 0;
	enum kiln_err rc = db_exec(db, STMT_JOB_SET_STATUS, p, 5, NULL, &affected, NULL);

	if (rc == KILN_OK && affected != 1)
		return KILN_ERR_DB_RETRY; /* it moved under us: read it again */
	if (rc != KILN_OK)
		return rc;
	return jobevent_add(db, c->id, c->from, c->to, c->reason, c->actor);
}

static enum kiln_err
jobs_lock(struct db *db, struct change *c)
{
	struct db_val p[1] = {DBV_I64(c->id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	/* the owner's wallet first, then the job: the claim's order (ledger.h),
	 * which locks wallets and then the pending jobs it takes */
	if ((rc = db_exec(db, STMT_JOB_OWNER, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	c->owner = db_res_rows(res) == 1 ? db_res_i64(res, 0, 0) : 0;
	db_res_free(res);
	res = NULL;
	if (c->owner == 0)
		return KILN_ERR_NOT_FOUND;
	if ((rc = ledger_lock_in(db, c->owner)) != KILN_OK ||
	    (rc = db_exec(db, STMT_JOB_LOCK, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1)
		rc = KILN_ERR_NOT_FOUND;
	else if (db_res_i64(res, 0, 1) != c->owner)
		rc = KILN_ERR_DB_RETRY; /* never: a job keeps its owner */
	if (rc == KILN_OK)
		memcpy(c->from, db_res_str(res, 0, 2, NULL),
		       strlen(db_res_str(res, 0, 2, NULL)) < sizeof(c->from)
			   ? strlen(db_res_str(res, 0, 2, NULL)) + 1
			   : 1);
	if (rc == KILN_OK) {
		c->cancel_requested = db_res_i64(res, 0, 3) != 0;
		c->lease = db_res_i64(res, 0, 4);
	}
	db_res_free(res);
	return rc;
}

/* An ended job holds no credits: what is left of its hold goes back in the
 * same transaction that ends it, so a retried request finds both or neither. */
static enum kiln_err
jobs_release(struct db *db, int64_t id, const char *why)
{
	char step[96];

	snprintf(step, sizeof(step), "release:job:%lld:%s", (long long)id, why);
	return ledger_release_in(db, id, step, NULL);
}

/* A claimed job back in the queue by hand, as the reaper requeues one
 * (requeue.h), whatever its attempts. */
static enum kiln_err
jobs_requeue(struct db *db, struct change *c)
{
	struct requeue rq = {.id = c->id,
			     .lease = c->lease,
			     .user_id = c->owner,
			     .from = c->from,
			     .reason = c->reason,
			     .actor = c->actor,
			     .cancel = c->cancel_requested};

	return requeue_in(db, &rq);
}

static enum kiln_err
cancel_txn(struct db *db, void *arg)
{
	struct change *c = arg;
	struct db_val p[1] = {DBV_I64(c->id)};
	enum kiln_err rc;

	if ((rc = jobs_lock(db, c)) != KILN_OK)
		return rc;
	c->to = "cancelled";
	if (strcmp(c->from, "cancelled") == 0) {
		c->outcome = CHANGE_ALREADY;
		return KILN_OK;
	}
	if (job_status_terminal(c->from)) {
		c->outcome = CHANGE_CONFLICT;
		return KILN_OK;
	}
	if (strcmp(c->from, "pending") == 0 || strcmp(c->from, "moderating") == 0) {
		c->outcome = CHANGE_DONE;
		/* a job that held credits (a requeued one) gives them back */
		if ((rc = jobs_move(db, c)) != KILN_OK)
			return rc;
		return jobs_release(db, c->id, "cancel");
	}
	/* preparing or running: its supervisor stops it and writes the end */
	c->outcome = CHANGE_REQUESTED;
	return db_exec(db, STMT_JOB_CANCEL_REQUEST, p, 1, NULL, NULL, NULL);
}

enum kiln_err
h_jobs_cancel(struct request *req)
{
	struct change c;
	enum kiln_err rc;

	if (v_no_fields(req))
		return KILN_OK;
	memset(&c, 0, sizeof(c));
	c.id = route_param(req, "id")->id;
	c.actor = req->user_id;
	c.reason = "cancelled by user";
	if ((rc = jobs_changeable(req, c.id, NULL)) != KILN_OK ||
	    (rc = db_txn(req->app->db, cancel_txn, &c)) != KILN_OK)
		return rc;
	if (c.outcome == CHANGE_CONFLICT) {
		resp_error(req, KILN_ERR_CONFLICT, "the job has already ended");
		return KILN_OK;
	}
	return h_jobs_respond(req, c.id, c.outcome == CHANGE_REQUESTED ? 202 : 200);
}

static enum kiln_err
patch_txn(struct db *db, void *arg)
{
	struct change *c = arg;
	enum kiln_err rc;
	int move;

	if ((rc = jobs_lock(db, c)) != KILN_OK)
		return rc;
	c->outcome = CHANGE_DONE;
	if ((c->set_name || c->set_priority) && strcmp(c->from, "pending") != 0) {
		c->outcome = CHANGE_CONFLICT;
		return KILN_OK;
	}
	/* the status the job has, while it has not ended, is no change: a
	 * worker reporting {"status": "processing", "progress": 50} (seed
	 * 004) sets the progress of a running job */
	move = c->set_status && (strcmp(c->from, c->to) != 0 || job_status_terminal(c->from));
	if (move && !job_transition_ok(c->from, c->to)) {
		c->outcome = CHANGE_CONFLICT;
		return KILN_OK;
	}
	{
		struct db_val p[7] = {DBV_I64(c->set_name),
				      c->name ? DBV_STR(c->name) : DBV_NULL,
				      DBV_I64(c->set_priority),
				      DBV_I64(c->priority),
				      DBV_I64(c->set_progress),
				      DBV_F64(c->progress),
				      DBV_I64(c->id)};

		if ((rc = db_exec(db, STMT_JOB_PATCH, p, 7, NULL, NULL, NULL)) != KILN_OK)
			return rc;
	}
	if (move && strcmp(c->to, "pending") == 0 &&
	    (strcmp(c->from, "preparing") == 0 || strcmp(c->from, "running") == 0))
		return jobs_requeue(db, c);
	if (move && (rc = jobs_move(db, c)) != KILN_OK)
		return rc;
	if (move && job_status_terminal(c->to))
		return jobs_release(db, c->id, "patch");
	if (c->set_status || c->set_progress) {
		struct db_val p[1] = {DBV_I64(c->id)};

		return db_exec(db, STMT_JOB_HAND_BEAT, p, 1, NULL, NULL, NULL);
	}
	return KILN_OK;
}

static const char *const patch_fields[] = {"name", "priority", "status", "progress", NULL};

enum kiln_err
h_jobs_patch(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *prog;
	struct change c;
	enum kiln_err rc;
	int own = 0;

	memset(&c, 0, sizeof(c));
	c.id = route_param(req, "id")->id;
	c.actor = req->user_id;
	c.reason = "set by operator";
	if ((rc = jobs_changeable(req, c.id, &own)) != KILN_OK)
		return rc;
	if (obj != NULL) {
		v_unknown(obj, patch_fields, errs);
		c.name = v_str(obj, "name", 0, 200, errs, NULL);
		c.set_name = c.name != NULL;
		c.set_priority = v_int(obj, "priority", 0, 0, -100, 100, &c.priority, errs) == 1;
		c.to = v_str(obj, "status", 0, 32, errs, NULL);
		c.set_status = c.to != NULL;
		if ((prog = json_object_get(obj, "progress")) != NULL) {
			if (!json_is_number(prog) || json_number_value(prog) < 0 ||
			    json_number_value(prog) > 100)
				v_err(errs, "progress", "must be a number from 0 to 100",
				      "value_error.number");
			else
				c.progress = json_number_value(prog);
			c.set_progress = 1;
		}
	}
	if (c.set_name && c.name[0] == '\0')
		v_err(errs, "name", "must not be empty", "value_error.any_str.min_length");
	if (c.set_status && (c.to = job_status_lookup(c.to, strlen(c.to))) == NULL)
		v_err(errs, "status", "unknown status", "value_error.status");
	if (v_reject(req, errs))
		return KILN_OK;
	if ((c.set_status || c.set_progress) && !jobs_staff(req)) {
		resp_error(req, KILN_ERR_FORBIDDEN,
			   "only operators and admins set status or progress");
		return KILN_OK;
	}
	/* an operator runs other users' jobs, not their names or places in
	 * the queue */
	if ((c.set_name || c.set_priority) && !own && !(req->role_bit & ROLE_ADMIN)) {
		resp_error(req, KILN_ERR_FORBIDDEN,
			   "only the job's owner or an admin renames or re-prioritises it");
		return KILN_OK;
	}
	if ((rc = db_txn(req->app->db, patch_txn, &c)) != KILN_OK)
		return rc;
	if (c.outcome == CHANGE_CONFLICT) {
		resp_error(req, KILN_ERR_CONFLICT,
			   c.set_status ? "that status change is not allowed from the job's status"
					: "only a pending job can be renamed or re-prioritised");
		return KILN_OK;
	}
	return h_jobs_respond(req, c.id, 200);
}

struct force {
	struct change c;
	const char *reason;
	int purge; /* delete instead of ending */
};

static enum kiln_err
force_txn(struct db *db, void *arg)
{
	struct force *f = arg;
	struct db_val p[4] = {DBV_STR(f->c.to), f->reason ? DBV_STR(f->reason) : DBV_NULL,
			      DBV_I64(f->c.id), DBV_STR(f->c.from)};
	uint64_t affected = 0;
	enum kiln_err rc;

	if ((rc = jobs_lock(db, &f->c)) != KILN_OK)
		return rc;
	if (f->purge) {
		struct db_val d[2] = {DBV_I64(f->c.id), DBV_STR(f->c.from)};

		if (!job_status_terminal(f->c.from)) {
			f->c.outcome = CHANGE_CONFLICT;
			return KILN_OK;
		}
		f->c.outcome = CHANGE_DONE;
		return db_exec(db, STMT_JOB_DELETE, d, 2, NULL, NULL, NULL);
	}
	if (job_status_terminal(f->c.from)) {
		f->c.outcome = CHANGE_CONFLICT;
		return KILN_OK;
	}
	f->c.outcome = CHANGE_DONE;
	if ((rc = db_exec(db, STMT_JOB_FORCE_END, p, 4, NULL, &affected, NULL)) != KILN_OK)
		return rc;
	if (affected != 1)
		return KILN_ERR_DB_RETRY;
	if ((rc = jobevent_add(db, f->c.id, f->c.from, f->c.to, f->c.reason, f->c.actor)) !=
	    KILN_OK)
		return rc;
	return jobs_release(db, f->c.id, "force");
}

static const char *const force_fields[] = {"status", "stdout", "stderr", "reason", NULL};

#define FORCE_LOG_MAX (1 << 20) /* bytes of stdout, and of stderr */

/* POST /jobs/{id}/force-complete {status: completed|failed|cancelled,
 * reason?, stdout?, stderr?} (operator/admin). With stdout or stderr the
 * job's logs become those texts (the other one empty), as if the job had
 * written them: GET /logs and a live tail show them. */
enum kiln_err
h_jobs_force_complete(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	const char *out = NULL, *err = NULL;
	size_t olen = 0, elen = 0;
	struct force f;
	enum kiln_err rc;

	memset(&f, 0, sizeof(f));
	f.c.id = route_param(req, "id")->id;
	f.c.actor = req->user_id;
	f.c.reason = "forced by operator";
	if (obj != NULL) {
		v_unknown(obj, force_fields, errs);
		f.c.to = v_str(obj, "status", 1, 32, errs, NULL);
		f.reason = v_str(obj, "reason", 0, 64, errs, NULL);
		out = v_str(obj, "stdout", 0, FORCE_LOG_MAX, errs, &olen);
		err = v_str(obj, "stderr", 0, FORCE_LOG_MAX, errs, &elen);
	}
	if (f.c.to != NULL &&
	    !job_status_forcible(f.c.to = job_status_lookup(f.c.to, strlen(f.c.to))))
		v_err(errs, "status", "must be completed, failed or cancelled",
		      "value_error.status");
	if (v_reject(req, errs))
		return KILN_OK;
	if (f.reason == NULL && strcmp(f.c.to, "failed") == 0)
		f.reason = "forced"; /* a failed job always says why */
	if (f.reason != NULL)
		f.c.reason = f.reason;
	if ((rc = jobs_changeable(req, f.c.id, NULL)) != KILN_OK ||
	    (rc = db_txn(req->app->db, force_txn, &f)) != KILN_OK)
		return rc;
	if (f.c.outcome == CHANGE_CONFLICT) {
		resp_error(req, KILN_ERR_CONFLICT, "the job has already ended");
		return KILN_OK;
	}
	/* after the commit: the job has ended, so nothing but a supervisor
	 * on its way out still writes its logs, to files these replace */
	if ((out != NULL || err != NULL) &&
	    joblog_replace(req->app->cfg, f.c.id, out ? out : "", olen, err ? err : "", elen,
			   clock_wall_ms(), f.c.to) != KILN_OK) {
		request_add_header(req, "X-Kiln-Logs", "not-replaced");
		log_warn("force-complete: job %lld ended, but its logs were not replaced "
			 "(request %s)",
			 (long long)f.c.id, req->request_id);
	}
	return h_jobs_respond(req, f.c.id, 200);
}

/* DELETE /jobs/{id}/purge: the owner or an admin removes a finished job,
 * its history and its directory under the storage root (inputs, outputs,
 * logs). The row goes first: a failure to remove files leaves only files. */
enum kiln_err
h_jobs_purge(struct request *req)
{
	struct force f;
	struct db_res *res = NULL;
	enum kiln_err rc;

	memset(&f, 0, sizeof(f));
	f.c.id = route_param(req, "id")->id;
	f.purge = 1;
	if ((rc = jobs_visible(req, f.c.id, &res)) != KILN_OK)
		return rc;
	if (db_res_i64(res, 0, 1) != req->user_id && !(req->role_bit & ROLE_ADMIN))
		rc = KILN_ERR_FORBIDDEN;
	db_res_free(res);
	if (rc != KILN_OK || (rc = db_txn(req->app->db, force_txn, &f)) != KILN_OK)
		return rc;
	if (f.c.outcome == CHANGE_CONFLICT) {
		resp_error(req, KILN_ERR_CONFLICT, "only a finished job can be purged");
		return KILN_OK;
	}
	(void)storage_job_remove(req->app->cfg, f.c.id); /* logged when it fails */
	resp_empty(req, 204);
	return KILN_OK;
}

enum kiln_err
jobs_cancel_in(struct db *db, int64_t id, int64_t actor)
{
	struct change c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.actor = actor;
	c.reason = "batch cancelled";
	return cancel_txn(db, &c);
}

enum kiln_err
jobs_force_in(struct db *db, int64_t id, const char *to, int64_t actor)
{
	struct force f;

	memset(&f, 0, sizeof(f));
	f.c.id = id;
	f.c.to = to;
	f.c.actor = actor;
	f.c.reason = "batch forced by operator";
	return force_txn(db, &f);
}
