/* SPDX-License-Identifier: MIT */
/* policy.c: the claim decision (see policy.h). */
#include "policy.h"

#include <stdlib.h>

static const char *const reasons[WAIT__COUNT] = {
    [WAIT_NONE] = NULL,
    [WAIT_QUEUED] = "queued",
    [WAIT_USER_CONCURRENCY] = "user_concurrency_limit",
    [WAIT_DAILY_COST_CAP] = "daily_cost_cap",
    [WAIT_INSUFFICIENT] = "insufficient_credits",
    [WAIT_JOB_COST_LIMIT] = "max_job_cost",
    [WAIT_NO_CAPACITY] = "no_capacity",
    [WAIT_NO_NODE_FITS] = "no_node_fits",
    [WAIT_NODE_DRAINING] = "node_draining",
};

const char *
policy_reason(enum wait_reason r)
{
	return r > WAIT_NONE && r < WAIT__COUNT ? reasons[r] : NULL;
}

/* qsort has no context argument: the jobs being sorted, and the sorted
 * index that segments point into */
static const struct pol_job *sort_jobs;
static const size_t *sort_idx;

/* priority first, then age (smaller id) */
static int
job_before(const struct pol_job *a, const struct pol_job *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
by_user_then_rank(const void *pa, const void *pb)
{
	const struct pol_job *a = &sort_jobs[*(const size_t *)pa];
	const struct pol_job *b = &sort_jobs[*(const size_t *)pb];

	if (a->user_id != b->user_id)
		return a->user_id < b->user_id ? -1 : 1;
	return job_before(a, b);
}

/* One user's run of jobs in the sorted index, and where it stands. */
struct pol_seg {
	size_t first, n, next;
	const struct pol_user *user;
	int64_t active, available, committed;
	enum wait_reason blocked; /* for all of the user's remaining jobs */
};

static int
seg_by_head(const void *pa, const void *pb)
{
	const struct pol_seg *a = pa, *b = pb;

	return job_before(&sort_jobs[sort_idx[a->first]], &sort_jobs[sort_idx[b->first]]);
}

static int64_t
sat_mul(int64_t a, int64_t b)
{
	if (a <= 0 || b <= 0)
		return 0;
	return a > INT64_MAX / b ? INT64_MAX : a * b;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Places job j on node when it fits: its GPUs (lowest free ids), CPUs
 * and memory. 0 when placed. */
static int
place(struct pol_job *j, struct pol_node *node)
{
	int64_t free_gpus = 0, k = 0;
	int i;

	for (i = 0; i < node->ngpus && i < POLICY_GPUS_MAX; i++)
		free_gpus += !node->gpu_busy[i];
	if (j->gpus > free_gpus || j->cpus > node->cpus_free || j->memory_bytes > node->memory_free)
		return -1;
	for (i = 0; i < node->ngpus && k < j->gpus; i++)
		if (!node->gpu_busy[i]) {
			node->gpu_busy[i] = 1;
			j->gpu_ids[k++] = i;
		}
	node->cpus_free -= j->cpus;
	node->memory_free -= j->memory_bytes;
	return 0;
}

/* The decision for one job of seg's user; sets j->wait and j->hold. */
static void
decide(struct pol_seg *s, struct pol_job *j, struct pol_node *node, size_t nchosen)
{
	const struct pol_user *u = s->user;
	int64_t min_hold, cap_left, hold;

	if (s->blocked != WAIT_NONE) {
		j->wait = s->blocked;
		return;
	}
	if (node->draining) {
		j->wait = WAIT_NODE_DRAINING;
		return;
	}
	if (s->active >= u->max_concurrent) {
		j->wait = s->blocked = WAIT_USER_CONCURRENCY;
		return;
	}
	if (j->max_cost > u->max_job_cost) {
		j->wait = WAIT_JOB_COST_LIMIT;
		return;
	}
	if (nchosen >= node->max_start) {
		j->wait = WAIT_QUEUED;
		return;
	}
	min_hold = min64(sat_mul(j->rate, node->min_hold_seconds), j->max_cost);
	cap_left = u->daily_cap - s->committed;
	if (s->available < min_hold) {
		j->wait = WAIT_INSUFFICIENT;
		return;
	}
	if (cap_left < min_hold) {
		j->wait = WAIT_DAILY_COST_CAP;
		return;
	}
	hold = min64(min64(j->max_cost, s->available), cap_left);
	if (place(j, node) != 0) {
		j->wait = WAIT_NO_CAPACITY;
		return;
	}
	j->wait = WAIT_NONE;
	j->hold = hold;
	s->active++;
	s->available -= hold;
	s->committed += hold;
}

int
policy_decide(const struct pol_user *users, size_t nusers, struct pol_job *jobs, size_t njobs,
	      struct pol_node *node, size_t *chosen, size_t *nchosen)
{
	size_t *idx = NULL, i, u, nseg = 0, left = njobs;
	struct pol_seg *segs = NULL;
	int64_t pos = 0;
	int rc = -1;

	*nchosen = 0;
	if (njobs == 0)
		return 0;
	idx = malloc(njobs * sizeof(*idx));
	segs = calloc(njobs, sizeof(*segs));
	if (idx == NULL || segs == NULL)
		abort();
	for (i = 0; i < njobs; i++) {
		idx[i] = i;
		jobs[i].wait = WAIT_QUEUED;
		jobs[i].hold = 0;
		jobs[i].position = 0;
	}
	sort_jobs = jobs;
	qsort(idx, njobs, sizeof(*idx), by_user_then_rank);
	for (i = 0; i < njobs; i++) {
		const struct pol_job *j = &jobs[idx[i]];

		if (nseg == 0 || jobs[idx[segs[nseg - 1].first]].user_id != j->user_id) {
			struct pol_seg *s = &segs[nseg++];

			s->first = i;
			for (u = 0; u < nusers && users[u].id != j->user_id; u++)
				;
			if (u == nusers)
				goto out;
			s->user = &users[u];
			s->active = users[u].active;
			s->available = users[u].available;
			s->committed = users[u].committed;
		}
		segs[nseg - 1].n++;
	}
	/* users in the order of their best job */
	sort_idx = idx;
	qsort(segs, nseg, sizeof(*segs), seg_by_head);
	while (left > 0) {
		for (i = 0; i < nseg; i++) {
			struct pol_seg *s = &segs[i];
			struct pol_job *j;

			if (s->next == s->n)
				continue;
			j = &jobs[idx[s->first + s->next++]];
			left--;
			j->position = ++pos;
			decide(s, j, node, *nchosen);
			if (j->wait == WAIT_NONE)
				chosen[(*nchosen)++] = (size_t)(j - jobs);
		}
	}
	rc = 0;
out:
	free(idx);
	free(segs);
	return rc;
}
