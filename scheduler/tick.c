/* SPDX-License-Identifier: MIT */
/* tick.c: heartbeat, reap, claim (see tick.h). */
#include "tick.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "estimate.h"
#include "jobevent.h"
#include "jobstate.h"
#include "ledger.h"
#include "limits.h"
#include "log.h"
#include "policy.h"
#include "requeue.h"

#define TICK_POSITIONS_KEPT 100 /* queue positions stored; beyond: NULL */

/* A lost job: requeued while attempts remain, else failed/node_lost;
 * either way its hold goes back, in the same transaction. */
struct tick_lost {
	struct requeue rq;
	int done;
};

static enum kiln_err
tick_lost_txn(struct db *db, void *arg)
{
	struct tick_lost *l = arg;
	struct db_val p[1] = {DBV_I64(l->rq.id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	l->done = 0;
	/* the owner's wallet, then the job (ledger.h) */
	if ((rc = ledger_lock_in(db, l->rq.user_id)) != KILN_OK ||
	    (rc = db_exec(db, STMT_RUN_LOCK, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	/* someone moved it on since we looked: leave it */
	if (db_res_rows(res) != 1 || db_res_i64(res, 0, 0) != l->rq.lease) {
		db_res_free(res);
		return KILN_OK;
	}
	l->rq.cancel = db_res_i64(res, 0, 2) != 0; /* asked while its supervisor was gone */
	db_res_free(res);
	if ((rc = requeue_in(db, &l->rq)) != KILN_OK)
		return rc;
	l->done = 1;
	return KILN_OK;
}

static enum kiln_err
tick_reap(struct db *db, const struct kiln_config *cfg, struct tick_result *r)
{
	struct db_val p[3] = {DBV_I64(cfg->job_lost_seconds), DBV_I64(r->node_id),
			      DBV_I64(cfg->job_lost_seconds)};
	struct db_res *res = NULL;
	enum kiln_err rc;
	size_t i;

	if ((rc = db_exec(db, STMT_SCHED_LOST, p, 3, &res, NULL, NULL)) != KILN_OK)
		return rc;
	for (i = 0; i < db_res_rows(res) && rc == KILN_OK; i++) {
		struct tick_lost l;

		memset(&l, 0, sizeof(l));
		l.rq.id = db_res_i64(res, i, 0);
		l.rq.lease = db_res_i64(res, i, 1);
		l.rq.attempts = db_res_i64(res, i, 2);
		l.rq.max_attempts = db_res_i64(res, i, 3);
		l.rq.from = db_res_str(res, i, 4, NULL);
		l.rq.user_id = db_res_i64(res, i, 5);
		l.rq.reason = "supervisor lost: requeued";
		l.rq.fail = "node_lost";

		if ((rc = db_txn(db, tick_lost_txn, &l)) == KILN_OK && l.done) {
			r->lost++;
			r->requeued += (size_t)l.rq.requeued;
			log_info("tick: job %lld lost (lease %lld): %s", (long long)l.rq.id,
				 (long long)l.rq.lease,
				 l.rq.requeued ? "requeued"
				 : l.rq.cancel ? "cancelled, as asked"
					       : "failed/node_lost");
		}
	}
	db_res_free(res);
	return rc;
}

/* The claim's working set, rebuilt by every attempt of its transaction. */
struct tick_claim {
	const struct kiln_config *cfg;
	const struct node_info *node;
	struct tick_result *r;
	struct pol_job *jobs;
	struct pol_user *users;
	int64_t *lease, *timeout;
	char (*old_wait)[65];
	int64_t *old_pos;
	size_t *chosen;
};

static void
tick_claim_free(struct tick_claim *c)
{
	free(c->jobs);
	free(c->users);
	free(c->lease);
	free(c->timeout);
	free(c->old_wait);
	free(c->old_pos);
	free(c->chosen);
}

/* Marks GPUs held by this node's running jobs ("0,2") busy, and takes
 * their CPUs and memory from what is free. */
static enum kiln_err
tick_node_load(struct db *db, struct tick_claim *c, struct pol_node *pn)
{
	struct db_val p[1] = {DBV_I64(c->r->node_id)};
	struct db_res *res = NULL;
	enum kiln_err rc;
	size_t i;

	if ((rc = db_exec(db, STMT_NODE_GET, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	/* a draining node, or one holding off after a job's folder could not
	 * be made there (run.c), claims nothing */
	pn->draining =
	    db_res_rows(res) == 1 && (db_res_i64(res, 0, 0) != 0 || db_res_i64(res, 0, 1) != 0);
	db_res_free(res);
	if ((rc = db_exec(db, STMT_SCHED_NODE_JOBS, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	for (i = 0; i < db_res_rows(res); i++) {
		const char *g = db_res_str(res, i, 0, NULL);

		while (*g != '\0') {
			char *end;
			long k = strtol(g, &end, 10);

			g = end;

			if (k >= 0 && k < POLICY_GPUS_MAX)
				pn->gpu_busy[k] = 1;
			if (*g == ',')
				g++;
			else if (*g != '\0')
				break;
		}
		pn->cpus_free -= db_res_i64(res, i, 1);
		pn->memory_free -= db_res_i64(res, i, 2);
	}
	db_res_free(res);
	return KILN_OK;
}

/* The users' standing; -1 limits fall back to the global ones. */
static enum kiln_err
tick_users(struct db *db, struct tick_claim *c, size_t *n)
{
	struct db_res *res = NULL;
	struct limits lim;
	enum kiln_err rc;
	size_t i;

	*n = 0;
	if ((rc = limits_global(db, c->cfg, &lim)) != KILN_OK ||
	    (rc = db_exec(db, STMT_SCHED_USERS, NULL, 0, &res, NULL, NULL)) != KILN_OK)
		return rc;
	c->users = calloc(db_res_rows(res) + 1, sizeof(*c->users));
	if (c->users == NULL)
		abort();
	for (i = 0; i < db_res_rows(res); i++) {
		struct pol_user *u = &c->users[i];
		int64_t mc = db_res_i64(res, i, 1), cap = db_res_i64(res, i, 2);

		u->id = db_res_i64(res, i, 0);
		u->max_concurrent = mc >= 0 ? mc : lim.max_concurrent_jobs;
		u->daily_cap = cap >= 0 ? cap : lim.daily_cost_cap;
		u->max_job_cost = lim.max_job_cost;
		u->available = db_res_i64(res, i, 3) - db_res_i64(res, i, 4);
		u->active = db_res_i64(res, i, 5);
		u->committed = db_res_i64(res, i, 6) + db_res_i64(res, i, 4);
	}
	*n = db_res_rows(res);
	db_res_free(res);
	return KILN_OK;
}

/* A job's rate per second: compute jobs from the prices, renders spread
 * their estimate over their timeout. */
static int64_t
tick_rate(const struct prices *pr, const struct pol_job *j, int64_t timeout, const char *kind)
{
	struct compute_spec c = {j->gpus, j->cpus, j->memory_bytes, 1};
	struct estimate e;

	if (strcmp(kind, JOB_KIND_RENDER) == 0)
		return timeout > 0 ? (j->max_cost + timeout - 1) / timeout : j->max_cost;
	return estimate_compute(pr, &c, &e) == KILN_OK ? e.total : 0;
}

/* How deep into each user's queue a tick reads: the rounds that can fill
 * max_start slots when every waiting user takes one a round, plus one for
 * users that cannot start. Fair share is unchanged (rounds); a tick whose
 * users are mostly blocked may start fewer than max_start, and the next
 * tick reads on. At least TICK_DEPTH_MIN, for the queue positions. */
#define TICK_DEPTH_MIN 2

static int64_t
tick_depth(const struct kiln_config *cfg, size_t nusers)
{
	int64_t users = nusers > 0 ? (int64_t)nusers : 1;
	int64_t depth = (cfg->max_start + users - 1) / users + 1;

	return depth < TICK_DEPTH_MIN ? TICK_DEPTH_MIN : depth;
}

/* The first jobs of each of the nusers users waiting (tick_users read
 * them in the same transaction). */
static enum kiln_err
tick_queue(struct db *db, struct tick_claim *c, const struct prices *pr, size_t nusers, size_t *n)
{
	struct db_val p[2] = {DBV_I64(tick_depth(c->cfg, nusers)), DBV_I64(TICK_QUEUE_MAX)};
	struct db_res *res = NULL;
	enum kiln_err rc;
	size_t i, rows;

	*n = 0;
	if ((rc = db_exec(db, STMT_SCHED_PENDING, p, 2, &res, NULL, NULL)) != KILN_OK)
		return rc;
	rows = db_res_rows(res);
	c->jobs = calloc(rows + 1, sizeof(*c->jobs));
	c->lease = calloc(rows + 1, sizeof(*c->lease));
	c->timeout = calloc(rows + 1, sizeof(*c->timeout));
	c->old_wait = calloc(rows + 1, sizeof(*c->old_wait));
	c->old_pos = calloc(rows + 1, sizeof(*c->old_pos));
	c->chosen = calloc(rows + 1, sizeof(*c->chosen));
	if (!c->jobs || !c->lease || !c->timeout || !c->old_wait || !c->old_pos || !c->chosen)
		abort();
	for (i = 0; i < rows; i++) {
		struct pol_job *j = &c->jobs[i];

		j->id = db_res_i64(res, i, 0);
		j->user_id = db_res_i64(res, i, 1);
		j->priority = db_res_i64(res, i, 2);
		j->gpus = db_res_i64(res, i, 3);
		j->cpus = db_res_i64(res, i, 4);
		j->memory_bytes = db_res_i64(res, i, 5);
		j->max_cost = db_res_i64(res, i, 7);
		j->rate = tick_rate(pr, j, db_res_i64(res, i, 6), db_res_str(res, i, 8, NULL));
		snprintf(c->old_wait[i], sizeof(c->old_wait[i]), "%s", db_res_str(res, i, 9, NULL));
		c->old_pos[i] = db_res_i64(res, i, 10);
		c->lease[i] = db_res_i64(res, i, 11);
		c->timeout[i] = db_res_i64(res, i, 6);
	}
	*n = rows;
	db_res_free(res);
	return KILN_OK;
}

/* A new JSON text of j (compact), j released. */
static char *
tick_dumps(json_t *j)
{
	char *s;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	json_decref(j);
	return s;
}

static enum kiln_err
tick_exec_json(struct db *db, enum db_stmt_id stmt, char *json, const char *first, int64_t last,
	       struct db_res **res)
{
	struct db_val p[3];
	size_t n = 0;
	enum kiln_err rc;

	if (first != NULL)
		p[n++] = DBV_STR(first);
	p[n++] = DBV_STR(json);
	if (last != 0)
		p[n++] = DBV_I64(last);
	rc = db_exec(db, stmt, p, n, res, NULL, NULL);
	free(json);
	return rc;
}

/* "0,2": the GPUs policy gave job j. */
static void
tick_gpus(const struct pol_job *j, char *out, size_t n)
{
	size_t len = 0;
	int64_t g;

	out[0] = '\0';
	for (g = 0; g < j->gpus && len < n; g++)
		len += (size_t)snprintf(out + len, n - len, "%s%d", g ? "," : "", j->gpu_ids[g]);
}

/* Applies the policy's choice in a handful of statements, whatever the
 * number of jobs: locks the chosen users' wallets (wallet first, as the
 * API's status changes do too), then the chosen jobs still pending; claims those
 * with their GPUs, records their events, places their holds. */
static enum kiln_err
tick_apply(struct db *db, struct tick_claim *c, size_t nchosen)
{
	json_t *uids = json_array(), *ids = json_array(), *claims = json_array(),
	       *holds = json_array();
	int64_t *held_users = calloc(nchosen + 1, sizeof(*held_users));
	struct db_res *locked = NULL;
	size_t i, k, nheld = 0;
	enum kiln_err rc;

	if (uids == NULL || ids == NULL || claims == NULL || holds == NULL || held_users == NULL)
		abort();
	for (i = 0; i < nchosen; i++) {
		const struct pol_job *j = &c->jobs[c->chosen[i]];

		for (k = 0; k < json_array_size(uids); k++)
			if (json_integer_value(json_array_get(uids, k)) == j->user_id)
				break;
		if (k == json_array_size(uids))
			json_array_append_new(uids, json_integer(j->user_id));
		json_array_append_new(ids, json_integer(j->id));
	}
	if ((rc = tick_exec_json(db, STMT_CLAIM_LOCK_WALLETS, tick_dumps(uids), NULL, 0,
				 &locked)) != KILN_OK)
		goto out;
	db_res_free(locked);
	locked = NULL;
	if ((rc = tick_exec_json(db, STMT_CLAIM_LOCK_JOBS, tick_dumps(ids), NULL, 0, &locked)) !=
	    KILN_OK)
		goto out;
	for (i = 0; i < nchosen; i++) {
		size_t at = c->chosen[i];
		const struct pol_job *j = &c->jobs[at];
		char gpus[POLICY_GPUS_MAX * 4], step[64];
		int64_t lease;

		for (k = 0; k < db_res_rows(locked) && db_res_i64(locked, k, 0) != j->id; k++)
			;
		if (k == db_res_rows(locked))
			continue;                     /* cancelled since the queue was read */
		lease = db_res_i64(locked, k, 1) + 1; /* what the claim gives it */
		tick_gpus(j, gpus, sizeof(gpus));
		json_array_append_new(claims,
				      json_pack("{s:I, s:s}", "id", (json_int_t)j->id, "g", gpus));
		if (j->hold > 0) {
			snprintf(step, sizeof(step), "hold:%lld:%lld", (long long)j->id,
				 (long long)lease);
			json_array_append_new(holds, json_pack("{s:I, s:I, s:I, s:s}", "job",
							       (json_int_t)j->id, "uid",
							       (json_int_t)j->user_id, "amount",
							       (json_int_t)j->hold, "step", step));
			for (k = 0; k < nheld && held_users[k] != j->user_id; k++)
				;
			if (k == nheld)
				held_users[nheld++] = j->user_id;
		}
		c->r->started[c->r->nstarted++] =
		    (struct executor_job){j->id, j->memory_bytes, j->cpus, c->timeout[at], lease};
	}
	if (c->r->nstarted == 0) {
		rc = KILN_OK;
		goto out;
	}
	{
		char *cj = tick_dumps(json_incref(claims));

		if ((rc = tick_exec_json(db, STMT_CLAIM_JOBS, cj, NULL, c->r->node_id, NULL)) !=
		    KILN_OK)
			goto out;
	}
	if ((rc = tick_exec_json(db, STMT_CLAIM_EVENTS, tick_dumps(json_incref(claims)),
				 c->node->name, 0, NULL)) != KILN_OK)
		goto out;
	if (json_array_size(holds) > 0) {
		char *hj = tick_dumps(json_incref(holds));

		rc = ledger_hold_many_in(db, hj, nheld);
		free(hj);
	}
out:
	db_res_free(locked);
	json_decref(claims);
	json_decref(holds);
	free(held_users);
	return rc;
}

/* Records why each job that did not start waits, where it changed. */
static enum kiln_err
tick_waits(struct db *db, struct tick_claim *c, size_t njobs)
{
	json_t *w = json_array();
	size_t i;

	if (w == NULL)
		abort();
	for (i = 0; i < njobs; i++) {
		const struct pol_job *j = &c->jobs[i];
		const char *why = policy_reason(j->wait);
		int64_t pos = j->position <= TICK_POSITIONS_KEPT ? j->position : 0;

		if (why == NULL || (strcmp(why, c->old_wait[i]) == 0 && pos == c->old_pos[i]))
			continue;
		json_array_append_new(w, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)j->id, "w",
						   why, "p", (json_int_t)pos));
	}
	if (json_array_size(w) == 0) {
		json_decref(w);
		return KILN_OK;
	}
	return tick_exec_json(db, STMT_SCHED_WAITS, tick_dumps(w), NULL, 0, NULL);
}

/* A job that waits for room no live node has even idle (more GPUs, CPUs
 * or memory than any of them) waits no_node_fits, not no_capacity: no
 * job ending makes room for it, a bigger node joining does. Asked only
 * when a job lacked room on this node. */
static enum kiln_err
tick_fits(struct db *db, struct tick_claim *c, size_t njobs)
{
	struct db_val p[1] = {DBV_I64(c->cfg->job_lost_seconds)};
	struct db_res *res = NULL;
	enum kiln_err rc;
	size_t i, k;

	for (i = 0; i < njobs && c->jobs[i].wait != WAIT_NO_CAPACITY; i++)
		;
	if (i == njobs)
		return KILN_OK;
	if ((rc = db_exec(db, STMT_NODES_CAPACITY, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	for (; i < njobs; i++) {
		struct pol_job *j = &c->jobs[i];
		int fits = 0;

		for (k = 0; j->wait == WAIT_NO_CAPACITY && k < db_res_rows(res) && !fits; k++)
			fits = j->gpus <= db_res_i64(res, k, 0) &&
			       j->cpus <= db_res_i64(res, k, 1) &&
			       j->memory_bytes <= db_res_i64(res, k, 2);
		if (j->wait == WAIT_NO_CAPACITY && !fits)
			j->wait = WAIT_NO_NODE_FITS;
	}
	db_res_free(res);
	return KILN_OK;
}

static enum kiln_err
tick_claim_txn(struct db *db, void *arg)
{
	struct tick_claim *c = arg;
	struct pol_node pn;
	struct prices pr;
	size_t nusers = 0, njobs = 0, nchosen = 0;
	enum kiln_err rc;

	tick_claim_free(c); /* a retried attempt starts over */
	c->jobs = NULL;
	c->users = NULL;
	c->lease = NULL;
	c->timeout = NULL;
	c->old_wait = NULL;
	c->old_pos = NULL;
	c->chosen = NULL;
	c->r->nstarted = 0;
	memset(&pn, 0, sizeof(pn));
	pn.ngpus = c->node->ngpus;
	pn.cpus_free = c->node->cpus;
	pn.memory_free = c->node->memory_bytes;
	pn.min_hold_seconds = c->cfg->min_hold_seconds;
	pn.max_start = (size_t)c->cfg->max_start;
	if ((rc = prices_load(db, &pr)) != KILN_OK ||
	    (rc = tick_node_load(db, c, &pn)) != KILN_OK ||
	    (rc = tick_users(db, c, &nusers)) != KILN_OK ||
	    (rc = tick_queue(db, c, &pr, nusers, &njobs)) != KILN_OK)
		return rc;
	c->r->considered = njobs;
	if (njobs == 0)
		return KILN_OK;
	if (policy_decide(c->users, nusers, c->jobs, njobs, &pn, c->chosen, &nchosen) != 0)
		return KILN_ERR_DB_RETRY; /* a user appeared between the reads: look again */
	c->r->started = realloc(c->r->started, (nchosen + 1) * sizeof(*c->r->started));
	if (c->r->started == NULL)
		abort();
	if ((nchosen > 0 && (rc = tick_apply(db, c, nchosen)) != KILN_OK) ||
	    (rc = tick_fits(db, c, njobs)) != KILN_OK)
		return rc;
	return tick_waits(db, c, njobs);
}

/* After a claim whose COMMIT went unanswered (the connection died with
 * it): keeps in r->started the jobs the claim did commit, preparing on
 * this node under the lease it gave them, and drops the rest (still
 * pending: the next tick claims them). Without this, a committed claim
 * would wait for the reaper and run as a second attempt. */
static enum kiln_err
tick_claim_settle(struct db *db, struct tick_result *r)
{
	json_t *claims = json_array();
	struct db_res *res = NULL;
	size_t i, k, kept = 0;
	enum kiln_err rc;

	if (claims == NULL)
		abort();
	for (i = 0; i < r->nstarted; i++)
		json_array_append_new(claims,
				      json_pack("{s:I, s:I}", "id", (json_int_t)r->started[i].id,
						"lease", (json_int_t)r->started[i].lease));
	rc = tick_exec_json(db, STMT_CLAIM_SETTLE, tick_dumps(claims), NULL, r->node_id, &res);
	for (i = 0; rc == KILN_OK && i < r->nstarted; i++)
		for (k = 0; k < db_res_rows(res); k++)
			if (db_res_i64(res, k, 0) == r->started[i].id) {
				r->started[kept++] = r->started[i];
				break;
			}
	db_res_free(res);
	r->nstarted = kept;
	if (rc == KILN_OK)
		log_warn("tick: the claim's COMMIT went unanswered; %zu of its jobs were kept",
			 kept);
	return rc;
}

static enum kiln_err
tick_claim(struct db *db, const struct kiln_config *cfg, const struct node_info *node,
	   struct tick_result *r)
{
	struct tick_claim c;
	struct db_res *res = NULL;
	enum kiln_err rc;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.node = node;
	c.r = r;
	if ((rc = db_exec(db, STMT_CLAIM_LOCK, NULL, 0, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1 || db_res_i64(res, 0, 0) != 1) {
		db_res_free(res);
		log_warn("tick: the claim lock is busy; next tick");
		return KILN_OK;
	}
	db_res_free(res);
	rc = db_txn(db, tick_claim_txn, &c);
	tick_claim_free(&c);
	if (rc != KILN_OK && db_txn_unsure(db) && r->nstarted > 0)
		rc = tick_claim_settle(db, r);
	if (rc != KILN_OK)
		r->nstarted = 0;
	if (db_exec(db, STMT_CLAIM_UNLOCK, NULL, 0, &res, NULL, NULL) == KILN_OK)
		db_res_free(res);
	return rc;
}

/* Says so when this heartbeat started the node's up_since again: for
 * job_lost_seconds this host reaps nothing (sql/020). */
static void
tick_note_restart(struct db *db, const struct kiln_config *cfg, int64_t node_id)
{
	struct db_val p[1] = {DBV_I64(node_id)};
	struct db_res *res = NULL;

	if (db_exec(db, STMT_NODE_RESTARTED, p, 1, &res, NULL, NULL) != KILN_OK)
		return;
	if (db_res_rows(res) == 1 && db_res_i64(res, 0, 0) == 1)
		log_info("tick: node %lld reached the database after more than %lld s (or first): "
			 "it reaps lost jobs again in %lld s",
			 (long long)node_id, (long long)node_gap_seconds(cfg->job_lost_seconds),
			 (long long)cfg->job_lost_seconds);
	db_res_free(res);
}

enum kiln_err
tick_run(struct db *db, const struct kiln_config *cfg, const struct node_info *node,
	 struct tick_result *r)
{
	enum kiln_err rc;

	memset(r, 0, sizeof(*r));
	if ((rc = node_heartbeat(db, node, node_gap_seconds(cfg->job_lost_seconds), &r->node_id)) !=
	    KILN_OK)
		return rc;
	tick_note_restart(db, cfg, r->node_id);
	if ((rc = tick_reap(db, cfg, r)) != KILN_OK)
		return rc;
	rc = tick_claim(db, cfg, node, r);
	{
		struct db_val p[1] = {DBV_I64(r->node_id)};

		(void)db_exec(db, STMT_NODE_TOUCH, p, 1, NULL, NULL, NULL);
	}
	return rc;
}

void
tick_result_free(struct tick_result *r)
{
	free(r->started);
	r->started = NULL;
	r->nstarted = 0;
}
