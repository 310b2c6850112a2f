/* SPDX-License-Identifier: MIT */
/* jobstate.c: the job state machine (see jobstate.h). */
#include "jobstate.h"

#include <string.h>

const char *const job_statuses[JOB_STATUS_COUNT] = {"pending",   "moderating", "moderation_failed",
						    "preparing", "running",    "completed",
						    "failed",    "cancelled",  "killed_no_credits"};

/* kiln's status the n bytes at s name exactly, or NULL */
static const char *
job_status_exact(const char *s, size_t n)
{
	int i;

	for (i = 0; i < JOB_STATUS_COUNT; i++)
		if (strlen(job_statuses[i]) == n && memcmp(s, job_statuses[i], n) == 0)
			return job_statuses[i];
	return NULL;
}

int
job_status_valid(const char *s)
{
	return s != NULL && job_status_exact(s, strlen(s)) != NULL;
}

int
job_kind_valid(const char *s)
{
	static const char *const kinds[] = {JOB_KIND_COMMAND, JOB_KIND_SCRIPT, JOB_KIND_RENDER,
					    JOB_KIND_SHARD, JOB_KIND_TRAINING};
	size_t i;

	for (i = 0; s != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i]) == 0)
			return 1;
	return 0;
}

const char *
job_status_lookup(const char *s, size_t n)
{
	static const char *const alias[][2] = {{"queued", "pending"},
					       {"processing", "running"},
					       {"success", "completed"},
					       {"canceled", "cancelled"}};
	const char *st = job_status_exact(s, n);
	size_t i;

	for (i = 0; st == NULL && i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strlen(alias[i][0]) == n && memcmp(s, alias[i][0], n) == 0)
			st = job_status_exact(alias[i][1], strlen(alias[i][1]));
	return st;
}

int
job_status_forcible(const char *s)
{
	return s != NULL && (strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 ||
			     strcmp(s, "cancelled") == 0);
}

int
job_status_terminal(const char *s)
{
	return s != NULL && (strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 ||
			     strcmp(s, "cancelled") == 0 || strcmp(s, "killed_no_credits") == 0 ||
			     strcmp(s, "moderation_failed") == 0);
}

int
job_transition_ok(const char *from, const char *to)
{
	if (!job_status_valid(from) || !job_status_valid(to) || strcmp(from, to) == 0 ||
	    job_status_terminal(from))
		return 0;
	if (strcmp(from, "pending") == 0)
		return strcmp(to, "moderating") == 0 || strcmp(to, "preparing") == 0 ||
		       strcmp(to, "cancelled") == 0;
	if (strcmp(from, "moderating") == 0)
		return strcmp(to, "pending") == 0 || strcmp(to, "moderation_failed") == 0 ||
		       strcmp(to, "cancelled") == 0;
	if (strcmp(from, "preparing") == 0)
		return strcmp(to, "running") == 0 || strcmp(to, "pending") == 0 ||
		       (job_status_terminal(to) && strcmp(to, "moderation_failed") != 0);
	/* running */
	return strcmp(to, "pending") == 0 ||
	       (job_status_terminal(to) && strcmp(to, "moderation_failed") != 0);
}
