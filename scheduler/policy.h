/* SPDX-License-Identifier: MIT */
/* policy.h: which pending jobs one node starts now, as a pure function of
 * the queue, the users' standing and the node's free resources (DESIGN.md
 * section 5). No database, no clock: tick.c gathers the inputs under the
 * claim lock and applies the answer in the same transaction.
 *
 * Order: users take turns (fair share). The users are ranked by their best
 * pending job (priority, then age); each round gives every user with jobs
 * left one try, in rank order, at their next job (priority, then age), so
 * one user's thousand jobs delay another user's single job by at most one
 * slot. A job that cannot start gets a wait reason, and so do the rest of
 * its user's jobs when the reason is the user's (concurrency, credits, cap);
 * a job that does not fit the node does not stop a smaller one behind it. */
#ifndef KILN_POLICY_H
#define KILN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_GPUS_MAX 64

/* Why a pending job waits (jobs.wait_reason). */
enum wait_reason {
	WAIT_NONE = 0,         /* chosen */
	WAIT_QUEUED,           /* not reached this tick (max_start) */
	WAIT_USER_CONCURRENCY, /* the user runs max_concurrent_jobs already */
	WAIT_DAILY_COST_CAP,   /* today's charges + holds leave less than the minimum hold */
	WAIT_INSUFFICIENT,     /* available credits below the minimum hold */
	WAIT_JOB_COST_LIMIT,   /* the job's quote is above max_job_cost now */
	WAIT_NO_CAPACITY,      /* the node lacks the GPUs, CPUs or memory */
	WAIT_NO_NODE_FITS,     /* no live node has that many, even idle (tick.c) */
	WAIT_NODE_DRAINING,    /* the node takes no new jobs */
	WAIT__COUNT
};

/* The wait_reason text of r ("user_concurrency_limit", ...); NULL for WAIT_NONE. */
const char *policy_reason(enum wait_reason r);

struct pol_user {
	int64_t id;
	int64_t active;         /* jobs preparing or running, on any node */
	int64_t max_concurrent; /* effective limit (0: none may start) */
	int64_t available;      /* balance - reserved, micros */
	int64_t committed;      /* today's charges + open holds, micros */
	int64_t daily_cap;      /* micros */
	int64_t max_job_cost;   /* micros */
};

struct pol_job {
	int64_t id, user_id;
	int64_t priority; /* higher first */
	int64_t gpus, cpus, memory_bytes;
	int64_t max_cost; /* micros: the quote (rate x timeout, or the render estimate) */
	int64_t rate;     /* micros per second while it runs */
	/* OUT */
	enum wait_reason wait;
	int64_t hold; /* micros to reserve when chosen */
	int gpu_ids[POLICY_GPUS_MAX];
	int64_t position; /* 1-based order of consideration this tick */
};

struct pol_node {
	int draining;
	int ngpus;                               /* GPU indices 0..ngpus-1 */
	unsigned char gpu_busy[POLICY_GPUS_MAX]; /* 1: held by a job */
	int64_t cpus_free, memory_free;
	int64_t min_hold_seconds;
	size_t max_start; /* jobs to start at most this tick */
};

/* Decides for jobs[0..njobs) (any order; the caller's array is reordered
 * by nothing: OUT fields only). users[0..nusers) must hold every job's
 * user. node is updated as jobs are placed. OUT: chosen[0..*nchosen)
 * indices into jobs, in start order. Returns 0, or -1 when a job's user
 * is missing. */
int policy_decide(const struct pol_user *users, size_t nusers, struct pol_job *jobs, size_t njobs,
		  struct pol_node *node, size_t *chosen, size_t *nchosen);

#endif
