/* SPDX-License-Identifier: MIT */
/* run.c: kiln-run [-c CONFIG] JOB_ID, the supervisor of one claimed job
 * (DESIGN.md section 6). It prepares the job directory, starts the job in
 * the sandbox (sandbox.h) as the job user in its own session, and then,
 * once a second: heartbeats, honours a cancel request, enforces the
 * timeout, the memory limit, max_job_cost and the wallet, bills by the
 * second (a ledger row at most once a minute), copies progress, and caps
 * the logs. At the end: the final charge, the outputs, the terminal
 * status and the hold's release in one transaction.
 *
 * Every write is guarded by the lease the claim gave the job: after a
 * requeue (the reaper thought this supervisor lost) it changes nothing
 * and ends its job. Every write survives a COMMIT whose answer was lost
 * (it is run again and recognises its own work; KILN_TEST_RUN_LOSE_COMMIT
 * makes every other one so in tests). Exit status 0 when the job was seen
 * to its end.
 * The job directory, the child that becomes the job and the logs live in
 * run_dir.c, run_exec.c and run_log.c (run.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "ledger.h"
#include "limits.h"
#include "log.h"
#include "outputs.h"
#include "parse.h"
#include "proc.h"
#include "render_job.h"
#include "requeue.h"
#include "run.h"
#include "testhook.h"
#include "jobevent.h"
#include "jobstate.h"

static volatile sig_atomic_t run_stop;
/* [scheduler] fence_seconds: SIGALRM comes that long after the last
 * heartbeat written (each write sets it again). Cut off from the
 * database, kiln-run must end its job before another host may requeue it
 * (job_lost_seconds), even while it is stuck in a database call: the
 * handler kills the job's process group at once; the loop then kills the
 * rest of its session and leaves as a lost supervisor does. */
static volatile sig_atomic_t run_fenced;
static volatile sig_atomic_t run_fence_pgid;

static void
on_fence(int sig)
{
	(void)sig;
	if (run_fence_pgid > 0) {
		kill(-(pid_t)run_fence_pgid, SIGKILL);
		kill((pid_t)run_fence_pgid, SIGKILL);
	}
	run_fenced = 1;
}

static void
on_term(int sig)
{
	(void)sig;
	run_stop = 1;
}

static enum kiln_err
run_load(struct db *db, int64_t id, struct job *j, char *status, size_t slen, int *cancel)
{
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *r = NULL;
	enum kiln_err rc = db_exec(db, STMT_RUN_GET, p, 1, &r, NULL, NULL);

	if (rc != KILN_OK)
		return rc;
	if (db_res_rows(r) != 1) {
		db_res_free(r);
		return KILN_ERR_NOT_FOUND;
	}
	j->id = id;
	j->user_id = db_res_i64(r, 0, 1);
	snprintf(j->kind, sizeof(j->kind), "%s", db_res_str(r, 0, 2, NULL));
	snprintf(status, slen, "%s", db_res_str(r, 0, 3, NULL));
	j->lease = db_res_i64(r, 0, 4);
	j->command_json = jobfile_strdup(db_res_str(r, 0, 5, NULL));
	j->script = jobfile_strdup(db_res_str(r, 0, 6, NULL));
	snprintf(j->working_dir, sizeof(j->working_dir), "%s", db_res_str(r, 0, 7, NULL));
	j->env_json = jobfile_strdup(db_res_str(r, 0, 8, NULL));
	j->res.gpus = db_res_i64(r, 0, 9);
	j->res.cpu_count = db_res_i64(r, 0, 10);
	j->res.memory_bytes = db_res_i64(r, 0, 11);
	j->res.timeout_seconds = db_res_i64(r, 0, 12);
	j->estimate = db_res_i64(r, 0, 13);
	snprintf(j->gpu_ids, sizeof(j->gpu_ids), "%s", db_res_str(r, 0, 14, NULL));
	j->dataset_id = db_res_i64(r, 0, 15);
	snprintf(j->image_root, sizeof(j->image_root), "%s", db_res_str(r, 0, 16, NULL));
	*cancel = (int)db_res_i64(r, 0, 17);
	j->already_billed = db_res_i64(r, 0, 18);
	snprintf(j->ds_format, sizeof(j->ds_format), "%s", db_res_str(r, 0, 19, NULL));
	snprintf(j->ds_filename, sizeof(j->ds_filename), "%s", db_res_str(r, 0, 20, NULL));
	db_res_free(r);
	return KILN_OK;
}

/* The cost of running the job for s seconds (renders: what they
 * produced, known at the end). */
static int64_t
run_cost(const struct job *j, int64_t s)
{
	struct compute_spec c = j->res;
	struct estimate e;

	if (strcmp(j->kind, JOB_KIND_RENDER) == 0)
		return j->render_cost; /* what the film holds, not time (render_job.h) */
	c.timeout_seconds = s;
	return estimate_compute(&j->prices, &c, &e) == KILN_OK ? e.total : INT64_MAX;
}

/* How long a write is tried again on a busy or lost database: in the
 * once-a-second loop briefly (the next second tries again, and the logs
 * must keep flowing), at the start a while, and at the end long enough to
 * outlast an outage rather than leave a finished job to be reaped and run
 * again. */
#define RUN_TRY_LOOP_MS 2000
#define RUN_TRY_START_MS 20000
#define RUN_TRY_END_MS 600000

/* db_txn, tried again on a busy or lost database for up to ms with a
 * growing, jittered pause. Every body below is safe to run again after a
 * COMMIT whose answer was lost: it sees its own earlier work and keeps it. */
static enum kiln_err
run_txn(struct db *db, db_txn_fn fn, void *arg, int64_t ms)
{
	int64_t until = clock_mono_ms() + ms, pause = 10;
	enum kiln_err rc;

	while ((rc = db_txn(db, fn, arg)) == KILN_ERR_DB_RETRY || rc == KILN_ERR_DB_UNAVAILABLE) {
		struct timespec ts;
		unsigned char r;

		if (clock_mono_ms() + pause > until)
			break;
		crypto_random(&r, 1);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(pause + r % (pause + 1)) * 1000000L;
		nanosleep(&ts, NULL);
		if (pause < 500)
			pause *= 2;
	}
	return rc;
}

/* Guarded writes: each runs in a transaction that first checks the lease. */
struct run_step {
	struct job *j;
	const char *to, *from, *failure, *reason;
	int exit_code, exit_signal, has_code;
	char detail[RENDER_JOB_DETAIL_MAX], code[RENDER_JOB_CODE_MAX]; /* the job's own line */
	int64_t want, charged, seconds;
	char step[96];
	char status[16];                /* the job's, as the lease check read it */
	int64_t attempts, max_attempts; /* likewise */
	int cancel_requested;           /* likewise */
	int lost;                       /* OUT: the lease is no longer ours */
};

static enum kiln_err
run_check_lease(struct db *db, struct run_step *s)
{
	struct db_val p[1] = {DBV_I64(s->j->id)};
	struct db_res *r = NULL;
	enum kiln_err rc;

	/* the owner's wallet, then the job: the order of every transaction
	 * that moves a job (ledger.h) */
	if ((rc = ledger_lock_in(db, s->j->user_id)) != KILN_OK)
		return rc;
	rc = db_exec(db, STMT_RUN_LOCK, p, 1, &r, NULL, NULL);
	if (rc != KILN_OK)
		return rc;
	s->lost = db_res_rows(r) != 1 || db_res_i64(r, 0, 0) != s->j->lease;
	snprintf(s->status, sizeof(s->status), "%s", s->lost ? "" : db_res_str(r, 0, 1, NULL));
	if (!s->lost) {
		s->cancel_requested = db_res_i64(r, 0, 2) != 0;
		s->attempts = db_res_i64(r, 0, 3);
		s->max_attempts = db_res_i64(r, 0, 4);
	}
	db_res_free(r);
	return KILN_OK;
}

/* 1 when errno e, met while making a job's folder ready, says the host's
 * storage is at fault (full, read-only, gone) rather than this job's
 * folder: then the node holds off claiming, so as not to take job after
 * job and fail them all. */
static int
run_host_fault(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS || e == EIO || e == ESTALE ||
	       e == ENOTCONN || e == ENOMEM;
}

/* The job's folder could not be made ready. The attempt is given up now,
 * with its reason, rather than left for the reaper to call this
 * supervisor lost: the job goes back to the queue, or fails with
 * prepare_failed once its attempts are used (or ends cancelled, when that
 * was asked). When the host's storage is at fault, this node then claims
 * nothing for s->seconds (0: no hold). */
static enum kiln_err
run_give_back_txn(struct db *db, void *arg)
{
	struct run_step *s = arg;
	struct db_val p[3] = {DBV_I64(s->seconds), DBV_I64(s->j->id), DBV_I64(s->j->lease)};
	struct requeue rq;
	enum kiln_err rc;

	if ((rc = run_check_lease(db, s)) != KILN_OK || s->lost)
		return rc;
	if (s->seconds > 0 &&
	    (rc = db_exec(db, STMT_NODE_HOLD_CLAIMS, p, 3, NULL, NULL, NULL)) != KILN_OK)
		return rc;
	memset(&rq, 0, sizeof(rq));
	rq.id = s->j->id;
	rq.lease = s->j->lease;
	rq.user_id = s->j->user_id;
	rq.from = s->status;
	rq.reason = "its folder could not be prepared: requeued";
	rq.fail = "prepare_failed";
	rq.attempts = s->attempts;
	rq.max_attempts = s->max_attempts;
	rq.cancel = s->cancel_requested;
	return requeue_in(db, &rq);
}

static enum kiln_err
run_start_txn(struct db *db, void *arg)
{
	struct run_step *s = arg;
	struct db_val p[2] = {DBV_I64(s->j->id), DBV_I64(s->j->lease)};
	uint64_t changed = 0;
	enum kiln_err rc;

	if ((rc = run_check_lease(db, s)) != KILN_OK || s->lost)
		return rc;
	if (strcmp(s->status, "running") == 0)
		return KILN_OK; /* this body's own earlier COMMIT */
	if ((rc = db_exec(db, STMT_RUN_START, p, 2, NULL, &changed, NULL)) != KILN_OK)
		return rc;
	if (changed != 1) {
		s->lost = 1;
		return KILN_OK;
	}
	return jobevent_add(db, s->j->id, "preparing", "running", NULL, 0);
}

static enum kiln_err
run_charge_txn(struct db *db, void *arg)
{
	struct run_step *s = arg;
	enum kiln_err rc;

	s->charged = 0;
	if ((rc = run_check_lease(db, s)) != KILN_OK || s->lost)
		return rc;
	if (s->want > 0 && (rc = ledger_charge_in(db, s->j->id, s->want, s->step, "job run time",
						  &s->charged)) != KILN_OK)
		return rc;
	{ /* the total, not an increment: a replayed charge sets the same value */
		struct db_val p[4] = {DBV_I64(s->j->billed_micros + s->charged),
				      DBV_I64(s->seconds), DBV_I64(s->j->id), DBV_I64(s->j->lease)};

		return db_exec(db, STMT_RUN_BILL, p, 4, NULL, NULL, NULL);
	}
}

static enum kiln_err
run_finish_txn(struct db *db, void *arg)
{
	struct run_step *s = arg;
	char step[96];
	uint64_t changed = 0;
	enum kiln_err rc;

	if ((rc = run_check_lease(db, s)) != KILN_OK || s->lost)
		return rc;
	if (strcmp(s->status, s->to) == 0)
		return KILN_OK; /* this body's own earlier COMMIT */
	{
		struct db_val p[8] = {DBV_STR(s->to),
				      s->failure ? DBV_STR(s->failure) : DBV_NULL,
				      s->detail[0] ? DBV_STR(s->detail) : DBV_NULL,
				      s->has_code ? DBV_I64(s->exit_code) : DBV_NULL,
				      s->exit_signal ? DBV_I64(s->exit_signal) : DBV_NULL,
				      DBV_STR(s->to),
				      DBV_I64(s->j->id),
				      DBV_I64(s->j->lease)};

		if ((rc = db_exec(db, STMT_RUN_FINISH, p, 8, NULL, &changed, NULL)) != KILN_OK)
			return rc;
	}
	if (changed != 1) {
		s->lost = 1;
		return KILN_OK;
	}
	snprintf(step, sizeof(step), "release:%lld:%lld", (long long)s->j->id,
		 (long long)s->j->lease);
	if ((rc = ledger_release_in(db, s->j->id, step, NULL)) != KILN_OK)
		return rc;
	return jobevent_add(db, s->j->id, s->from, s->to, s->reason, 0);
}

/* Charges what running for `seconds` costs beyond what is billed, as the
 * ledger step named by tag. OUT: *short_of when the wallet could not pay
 * it all. A failed charge is remembered: its step may have been kept. */
static enum kiln_err
run_charge(struct db *db, struct job *j, int64_t seconds, const char *tag, int64_t ms,
	   int *short_of, int *lost)
{
	struct run_step s;
	enum kiln_err rc;

	*short_of = 0;
	memset(&s, 0, sizeof(s));
	s.j = j;
	s.want = run_cost(j, seconds) - j->billed_micros;
	s.seconds = seconds;
	snprintf(s.step, sizeof(s.step), "charge:%lld:%lld:%s", (long long)j->id,
		 (long long)j->lease, tag);
	if ((rc = run_txn(db, run_charge_txn, &s, ms)) != KILN_OK) {
		snprintf(j->unsure_tag, sizeof(j->unsure_tag), "%s", tag);
		j->unsure_seconds = seconds;
		return rc;
	}
	j->unsure_tag[0] = '\0';
	*lost = s.lost;
	if (s.lost)
		return KILN_OK;
	j->billed_micros += s.charged;
	j->billed_seconds = seconds;
	*short_of = s.charged < s.want;
	return KILN_OK;
}

/* run_charge for `seconds`, after settling a charge left unsure: that one
 * is asked again with its own step and amount, so the ledger answers with
 * what it kept the first time (or makes it now) and nothing is taken twice. */
static enum kiln_err
run_bill(struct db *db, struct job *j, int64_t seconds, const char *tag, int64_t ms, int *short_of,
	 int *lost)
{
	enum kiln_err rc;

	*lost = 0;
	if (j->unsure_tag[0] != '\0') {
		char again[sizeof(j->unsure_tag)];

		snprintf(again, sizeof(again), "%s", j->unsure_tag);
		if ((rc = run_charge(db, j, j->unsure_seconds, again, ms, short_of, lost)) !=
			KILN_OK ||
		    *lost || *short_of)
			return rc;
	}
	return run_charge(db, j, seconds, tag, ms, short_of, lost);
}

/* ---- watching --------------------------------------------------------- */

/* The last number 0..100 the job wrote to its progress file, or -1. */
static double
run_progress(const struct job *j)
{
	char buf[32];
	double v;

	if (jobfile_read(j->dir, ".kiln", "progress", buf, sizeof(buf)) <= 0)
		return -1;
	if (sscanf(buf, "%lf", &v) != 1 || !(v >= 0 && v <= 100))
		return -1;
	return v;
}

/* Reads the lease and a cancel request; with write, first writes the
 * heartbeat and progress (< 0: as it is). OUT: *cancel, *lost. */
static enum kiln_err
run_beat(struct db *db, struct job *j, double progress, int write, int *cancel, int *lost)
{
	struct db_val p[3] = {progress < 0 ? DBV_NULL : DBV_F64(progress), DBV_I64(j->id),
			      DBV_I64(j->lease)};
	struct db_val q[1] = {DBV_I64(j->id)};
	struct db_res *r = NULL;
	uint64_t changed = 1;
	enum kiln_err rc;

	if (write && (rc = db_exec(db, STMT_RUN_BEAT, p, 3, NULL, &changed, NULL)) != KILN_OK)
		return rc;
	if ((rc = db_exec(db, STMT_RUN_LOCK, q, 1, &r, NULL, NULL)) != KILN_OK)
		return rc;
	*lost = changed != 1 || db_res_rows(r) != 1 || db_res_i64(r, 0, 0) != j->lease;
	*cancel = db_res_rows(r) == 1 && db_res_i64(r, 0, 2) != 0;
	db_res_free(r);
	return KILN_OK;
}

/* outputs_register's heartbeat while it reads a job's outputs (64 GiB
 * of them take a while): written every config_heartbeat_seconds, as while
 * the job ran; the walk stops once the lease is lost. */
struct run_outputs_beat {
	struct db *db;
	struct job *j;
	int64_t every_ms, next_ms;
};

static int
run_outputs_beat(void *arg)
{
	struct run_outputs_beat *b = arg;
	int cancel = 0, lost = 0;

	if (clock_mono_ms() < b->next_ms)
		return 0;
	b->next_ms = clock_mono_ms() + b->every_ms;
	if (run_beat(b->db, b->j, -1, 1, &cancel, &lost) != KILN_OK)
		return 0; /* the database away: the walk goes on, the reaper waits (sql/020) */
	return lost;
}

/* 1 when what the job owes after s seconds is more than its hold and the
 * wallet's free credits together: it must stop now (killed_no_credits).
 * While the hold surely covers it (charges draw on the hold first, and
 * only ours draw on this one), it asks the database nothing. */
static int
run_broke(struct db *db, struct job *j, int64_t s)
{
	struct db_val p[1] = {DBV_I64(j->id)};
	struct db_res *r = NULL;
	int64_t owed = run_cost(j, s) - j->billed_micros;
	int broke = 0;

	if (j->funds_known && owed <= j->funds_hold - (j->billed_micros - j->funds_billed))
		return 0;
	if (db_exec(db, STMT_RUN_FUNDS, p, 1, &r, NULL, NULL) != KILN_OK)
		return 0;
	if (db_res_rows(r) == 1) {
		int64_t free_credits = db_res_i64(r, 0, 1);

		j->funds_hold = db_res_i64(r, 0, 0);
		j->funds_billed = j->billed_micros;
		j->funds_known = 1;
		broke = owed > j->funds_hold + (free_credits > 0 ? free_credits : 0);
	} else {
		broke = owed > 0; /* no hold: nothing was reserved for it */
	}
	db_res_free(r);
	return broke;
}

/* Why the supervisor ends a job early. */
enum run_end { END_NONE, END_CANCEL, END_TIMEOUT, END_MEMORY, END_CREDITS, END_COST, END_LOST };

/* SIGTERM to the job's session, then SIGKILL after the grace period. In
 * the sandbox, SIGTERM spares bubblewrap itself (proc.h): the job gets
 * its grace period to clean up. */
static void
run_kill(const struct kiln_config *cfg, struct job *j, int64_t *kill_at)
{
	if (*kill_at == 0) {
		if (strcmp(cfg->sandbox, "none") != 0)
			proc_session_signal(j->pid, j->pid, SIGTERM);
		else
			kill(-j->pid, SIGTERM);
		*kill_at = clock_mono_ms() + cfg->kill_grace_seconds * 1000;
	} else if (clock_mono_ms() >= *kill_at) {
		kill(-j->pid, SIGKILL);
	}
}

/* Runs the job to its end. OUT: *status of waitpid, *why. */
static enum kiln_err
run_supervise(struct db *db, const struct kiln_config *cfg, struct job *j, int *status,
	      enum run_end *why)
{
	int64_t next = clock_mono_ms() + 1000, kill_at = 0, exited_at = 0, beat_s = 0;
	int open_streams = 2, exited = 0, pidfd = pidfd_open(j->pid, 0);
	double progress = 0, beat_progress = 0;
	enum kiln_err rc;

	*why = END_NONE;
	if (cfg->fence_seconds > 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fence;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		run_fence_pgid = j->pid;
		alarm((unsigned)cfg->fence_seconds);
	}
	while (!exited || open_streams > 0) {
		/* the pidfd wakes us when the job exits, whatever its streams do */
		struct pollfd pf[3] = {{j->log_fd[0], POLLIN, 0},
				       {j->log_fd[1], POLLIN, 0},
				       {exited ? -1 : pidfd, POLLIN, 0}};
		int64_t wait = next - clock_mono_ms();
		int k;

		if (pidfd < 0 && !exited && wait > 50)
			wait = 50; /* no pidfd: look for the exit often */
		if (poll(pf, 3, wait > 0 ? (int)wait : 0) > 0)
			for (k = 0; k < 2; k++)
				if (pf[k].revents != 0 && j->log_fd[k] >= 0 &&
				    !run_pump(cfg, j, k)) {
					close(j->log_fd[k]);
					j->log_fd[k] = -1;
					open_streams--;
				}
		if (!exited && waitpid(j->pid, status, WNOHANG) == j->pid) {
			exited = 1;
			if (cfg->fence_seconds > 0)
				alarm(0); /* it ended by itself: its end is recorded */
			exited_at = clock_mono_ms();
		}
		if (exited && open_streams > 0 && kill_at == 0) {
			kill(-j->pid, SIGKILL); /* the job is gone: its leftovers too */
			kill_at = exited_at;
		}
		if (exited && open_streams > 0 && clock_mono_ms() > exited_at + 5000)
			break; /* something outside the session still holds a pipe */
		if (clock_mono_ms() < next)
			continue;
		next += 1000;
		if (!exited) {
			int64_t s = (clock_mono_ms() - j->started_ms + 999) / 1000;
			double p = run_progress(j);
			int cancel = 0, lost = 0, short_of = 0, beat;

			if (p >= 0)
				progress = p;
			if (run_stop)
				*why = END_LOST;
			beat = s - beat_s >= config_heartbeat_seconds(cfg) ||
			       progress != beat_progress;
			if ((rc = run_beat(db, j, progress, beat, &cancel, &lost)) != KILN_OK) {
				log_warn("run: job %lld: heartbeat failed", (long long)j->id);
			} else if (beat) {
				beat_s = s;
				beat_progress = progress;
				if (cfg->fence_seconds > 0)
					alarm((unsigned)cfg->fence_seconds);
			}
			if (run_fenced && *why == END_NONE)
				*why = END_LOST; /* said below */
			if (lost)
				*why = END_LOST;
			else if (cancel && *why == END_NONE)
				*why = END_CANCEL;
			else if (s > j->res.timeout_seconds && *why == END_NONE)
				*why = END_TIMEOUT;
			else if (*why == END_NONE && proc_session_rss(j->pid) > j->res.memory_bytes)
				*why = END_MEMORY;
			if (*why == END_NONE && s - j->last_bill_s >= RUN_BILL_EVERY) {
				char tag[32];

				snprintf(tag, sizeof(tag), "%lld", (long long)s);
				if (run_bill(db, j, s, tag, RUN_TRY_LOOP_MS, &short_of, &lost) ==
				    KILN_OK) {
					j->last_bill_s = s;
					if (lost)
						*why = END_LOST;
					else if (short_of)
						*why = END_CREDITS;
				}
			}
			if (*why == END_NONE && run_broke(db, j, s))
				*why = END_CREDITS;
			if (*why == END_NONE && run_cost(j, s) > j->max_cost)
				*why = END_COST;
			if (*why != END_NONE)
				run_kill(cfg, j, &kill_at);
		}
	}
	if (cfg->fence_seconds > 0) {
		alarm(0);
		run_fence_pgid = 0;
	}
	/* fenced (the kill may have been seen as its exit before the flag) */
	if (run_fenced) {
		log_warn("run: job %lld: no heartbeat written for %lld s: fenced", (long long)j->id,
			 (long long)cfg->fence_seconds);
		*why = END_LOST;
	}
	if (!exited)
		waitpid(j->pid, status, 0);
	if (pidfd >= 0)
		close(pidfd);
	return KILN_OK;
}

/* ---- main ------------------------------------------------------------- */

static void
run_job_free(struct job *j)
{
	free(j->line[0]);
	free(j->line[1]);
	if (j->comb_fd >= 0)
		close(j->comb_fd);
	if (j->logs_fd >= 0)
		close(j->logs_fd);
	free(j->command_json);
	free(j->script);
	free(j->env_json);
}

/* The terminal status of a job that ran. */
static void
run_outcome(struct run_step *s, int status, enum run_end why)
{
	s->from = "running";
	switch (why) {
	case END_CANCEL: s->to = "cancelled", s->reason = "cancelled while running"; return;
	case END_TIMEOUT: s->to = "failed", s->failure = "timeout", s->reason = "timeout"; return;
	case END_MEMORY:
		s->to = "failed", s->failure = "memory_limit", s->reason = "memory_limit";
		return;
	case END_CREDITS:
		s->to = "killed_no_credits", s->reason = "the wallet ran out of credits";
		return;
	case END_COST:
		s->to = "failed", s->failure = "cost_limit", s->reason = "max cost reached";
		return;
	default: break;
	}
	if (WIFEXITED(status)) {
		s->has_code = 1;
		s->exit_code = WEXITSTATUS(status);
		s->to = s->exit_code == 0 ? "completed" : "failed";
		s->failure = s->exit_code == 0 ? NULL : "exit_code";
		s->reason = s->exit_code == 0 ? "exit 0" : "non-zero exit";
	} else {
		s->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		s->to = "failed";
		s->failure = "signal";
		s->reason = "killed by a signal";
	}
}

/* A render that exited 0: its charge from outputs/manifest.json, never
 * above its hold (the estimate of the config it was given). 1 when the
 * film is not there to charge for. */
static int
run_render_done(struct job *j, int status, enum run_end why)
{
	int64_t cost = 0;
	enum kiln_err rc;

	if (strcmp(j->kind, JOB_KIND_RENDER) != 0 || why != END_NONE || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 0;
	if ((rc = render_job_cost(&j->prices, j->dir, &cost)) != KILN_OK) {
		log_warn("run: job %lld: no valid manifest (%s)", (long long)j->id, err_code(rc));
		return 1;
	}
	j->render_cost = cost < j->estimate ? cost : j->estimate;
	return 0;
}

/* A job that failed by its own exit keeps the line it left in
 * $KILN_FAILURE_FILE as failure_detail; a render's also names the
 * failure_reason (unknown_voice, no_font, encoder_failure, ...). */
static void
run_failure_words(const struct job *j, struct run_step *s, int render_bad)
{
	int render = strcmp(j->kind, JOB_KIND_RENDER) == 0;

	if (render_bad) {
		s->to = "failed";
		s->failure = "render_output";
		s->reason = "no valid outputs/manifest.json";
		snprintf(s->detail, sizeof(s->detail), "kiln-render left no valid manifest.json");
		return;
	}
	if (s->failure == NULL || strcmp(s->failure, "exit_code") != 0 ||
	    !render_job_failure(j->dir, s->detail, s->code))
		return;
	if (render) {
		s->failure = s->code;
		s->reason = s->detail;
	}
}

/* Runs job j (claimed, status preparing) to its end. */
static enum kiln_err
run_job(struct db *db, const struct kiln_config *cfg, struct job *j)
{
	char path[RUN_PATH + 32], refused[UNPACK_WHY_MAX];
	int out[2], err[2], status = 0, short_of = 0, lost = 0, render_bad = 0;
	struct run_step s;
	struct run_outputs_beat beat;
	enum run_end why = END_NONE;
	enum kiln_err rc;
	int64_t n = 0, seconds;
	struct limits lim;

	memset(&s, 0, sizeof(s));
	s.j = j;
	if ((rc = prices_load(db, &j->prices)) != KILN_OK ||
	    (rc = limits_global(db, cfg, &lim)) != KILN_OK)
		return rc;
	j->max_cost = lim.max_job_cost;
	j->allow_pip = (int)cfg->allow_pip;
	j->billed_micros = j->already_billed;
	j->line[0] = malloc(COMB_LINE_MAX + 1);
	j->line[1] = malloc(COMB_LINE_MAX + 1);
	if (j->line[0] == NULL || j->line[1] == NULL)
		return KILN_ERR_NOMEM;
	errno = 0;
	if ((rc = run_prepare(cfg, j)) == KILN_OK)
		rc = run_dataset(cfg, j, refused);
	if (rc == KILN_OK && test_hook("KILN_TEST_RUN_PREPARE_ERRNO") != NULL) {
		errno = (int)test_hook_ll("KILN_TEST_RUN_PREPARE_ERRNO", 0); /* tests: a fault */
		rc = KILN_ERR_IO;
	}
	if (rc == KILN_OK) {
		j->out_fd = openat(j->logs_fd, "stdout.log",
				   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		j->err_fd = openat(j->logs_fd, "stderr.log",
				   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		j->comb_fd =
		    openat(j->logs_fd, "combined.log",
			   O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (j->out_fd < 0 || j->err_fd < 0 || j->comb_fd < 0 ||
		    pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
			rc = KILN_ERR_IO;
	}
	if (rc != KILN_OK) {
		int host = run_host_fault(errno);

		s.seconds = host ? cfg->job_lost_seconds : 0;
		log_error("run: job %lld: cannot prepare its directory (%s): given back%s",
			  (long long)j->id, strerror(errno),
			  host ? "; this node claims nothing for a while" : "");
		(void)run_txn(db, run_give_back_txn, &s, RUN_TRY_END_MS);
		return rc;
	}
	if (refused[0] != '\0') { /* the data set is refused: the job fails before it starts */
		dprintf(j->err_fd, "kiln: the data set cannot be used: %s\n", refused);
		s.from = "preparing";
		s.to = "failed";
		s.failure = "bad_dataset";
		s.reason = refused;
		run_log_end(j, s.to);
		return run_txn(db, run_finish_txn, &s, RUN_TRY_END_MS);
	}
	if ((rc = run_txn(db, run_start_txn, &s, RUN_TRY_START_MS)) != KILN_OK || s.lost)
		return rc;
	j->started_ms = clock_mono_ms();
	if ((j->pid = fork()) < 0)
		return KILN_ERR_IO;
	if (j->pid == 0)
		run_exec(cfg, j, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	j->log_fd[0] = out[0];
	j->log_fd[1] = err[0];
	run_supervise(db, cfg, j, &status, &why);
	if (why == END_LOST) {
		log_warn("run: job %lld: lease %lld lost; it ran elsewhere or was requeued",
			 (long long)j->id, (long long)j->lease);
		return KILN_OK;
	}
	render_bad = run_render_done(j, status, why);
	/* the final charge: every started second, at least one (a render:
	 * what it produced) */
	seconds = (clock_mono_ms() - j->started_ms + 999) / 1000;
	if (seconds < 1)
		seconds = 1;
	if (seconds > j->res.timeout_seconds && why != END_TIMEOUT)
		seconds = j->res.timeout_seconds;
	if ((rc = run_bill(db, j, seconds, "final", RUN_TRY_END_MS, &short_of, &lost)) != KILN_OK ||
	    lost)
		return rc;
	if (short_of && why == END_NONE)
		why = END_CREDITS;
	run_outcome(&s, status, why);
	run_failure_words(j, &s, render_bad);
	run_log_end(j, s.to);
	snprintf(path, sizeof(path), "%s/outputs", j->dir);
	beat = (struct run_outputs_beat){db, j, 1000 * config_heartbeat_seconds(cfg),
					 clock_mono_ms() + 1000 * config_heartbeat_seconds(cfg)};
	if ((rc = outputs_register(db, j->id, path, run_outputs_beat, &beat, &n)) ==
	    KILN_ERR_CONFLICT) {
		log_warn("run: job %lld: its lease was lost while its outputs were read",
			 (long long)j->id);
		return KILN_OK;
	}
	if (rc != KILN_OK)
		log_warn("run: job %lld: outputs not all registered", (long long)j->id);
	if ((rc = run_txn(db, run_finish_txn, &s, RUN_TRY_END_MS)) != KILN_OK)
		return rc;
	log_info("run: job %lld %s (%lld s, %lld outputs)", (long long)j->id, s.to,
		 (long long)seconds, (long long)n);
	return KILN_OK;
}

/* A job cancelled before it started: cancelled, hold back. */
static enum kiln_err
run_cancel_early(struct db *db, struct job *j)
{
	struct run_step s;

	memset(&s, 0, sizeof(s));
	s.j = j;
	s.from = "preparing";
	s.to = "cancelled";
	s.reason = "cancelled before it started";
	return run_txn(db, run_finish_txn, &s, RUN_TRY_END_MS);
}

int
main(int argc, char **argv)
{
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], status[32];
	const char *cpath = NULL;
	struct job j;
	int64_t id = 0;
	int cancel = 0, i;
	struct db *db;
	enum kiln_err rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			cpath = argv[++i];
		else if (id == 0 && parse_i64(argv[i], 1, INT64_MAX, &id) == KILN_OK)
			continue;
		else
			id = -1;
	}
	if (id <= 0) {
		fprintf(stderr, "usage: kiln-run [-c CONFIG] JOB_ID\n");
		return 2;
	}
	if (config_load(config_path(cpath), &cfg, err) != KILN_OK) {
		fprintf(stderr, "kiln-run: %s\n", err);
		return 2;
	}
	if (geteuid() == 0 && (run_user = getpwnam(cfg.job_user)) == NULL) {
		fprintf(stderr, "kiln-run: [sandbox] job_user %s does not exist\n", cfg.job_user);
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	if (crypto_init() != KILN_OK)
		return 2;
	memset(&j, 0, sizeof(j));
	j.out_fd = j.err_fd = j.log_fd[0] = j.log_fd[1] = j.comb_fd = j.logs_fd = -1;
	db_library_init();
	db = db_new(&cfg);
	if (test_hook("KILN_TEST_RUN_LOSE_COMMIT") != NULL)
		db_test_lose_commits(db); /* tests only: see db.h */
	rc = run_load(db, id, &j, status, sizeof(status), &cancel);
	if (rc == KILN_OK && strcmp(status, "preparing") != 0) {
		log_info("run: job %lld is %s, not preparing: nothing to do", (long long)id,
			 status);
	} else if (rc == KILN_OK && cancel) {
		rc = run_cancel_early(db, &j);
	} else if (rc == KILN_OK) {
		rc = run_job(db, &cfg, &j);
	}
	if (rc != KILN_OK)
		log_error("run: job %lld: %s", (long long)id, err_code(rc));
	run_job_free(&j);
	db_free(db);
	db_library_end();
	return rc == KILN_OK ? 0 : 1;
}
