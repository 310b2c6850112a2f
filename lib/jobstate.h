/* SPDX-License-Identifier: MIT */
/* jobstate.h: the job state machine (DESIGN.md section 4) as pure
 * functions: which statuses exist, which are terminal, which transitions
 * are allowed. The API, the scheduler and kiln-run all ask here. */
#ifndef KILN_JOBSTATE_H
#define KILN_JOBSTATE_H

#include <stddef.h>

#define JOB_STATUS_COUNT 9

/* The kinds of job, as jobs.kind stores them (sql/005, sql/023). */
#define JOB_KIND_COMMAND "command"
#define JOB_KIND_SCRIPT "script"
#define JOB_KIND_RENDER "render"
#define JOB_KIND_SHARD "shard"
#define JOB_KIND_TRAINING "training"

/* 1 when s names a kind. */
int job_kind_valid(const char *s);

/* The statuses, in lifecycle order. */
extern const char *const job_statuses[JOB_STATUS_COUNT];

/* 1 when s names a status. */
int job_status_valid(const char *s);

/* The status the n bytes at s name, as job_statuses holds it, or NULL.
 * It also takes the names the API documents kiln unifies use for kiln's
 * statuses: queued (pending) and processing (running) from the film
 * pipeline's, success (completed) and canceled (cancelled) from the
 * command runner's. */
const char *job_status_lookup(const char *s, size_t n);

/* 1 for the statuses a job or batch can be forced into by hand:
 * completed, failed, cancelled. */
int job_status_forcible(const char *s);

/* 1 for completed, failed, cancelled, killed_no_credits, moderation_failed. */
int job_status_terminal(const char *s);

/* 1 when a job may go from one status to the other: pending -> moderating
 * | preparing | cancelled; moderating -> pending | moderation_failed |
 * cancelled; preparing -> running | pending (requeued) | a terminal status;
 * running -> pending (requeued) | a terminal status but moderation_failed.
 * Nothing leaves a terminal status; a status never goes to itself. */
int job_transition_ok(const char *from, const char *to);

#endif
