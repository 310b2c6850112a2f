/* SPDX-License-Identifier: MIT */
/* jobstate.h: the job state machine (DESIGN.md section 4) as pure
 * functions: which statuses exist, which are terminal, which transitions
 * are allowed. The API, the scheduler and kiln-run all ask here. */
#ifndef KILN_JOBSTATE_H
#define KILN_JOBSTATE_H

#define JOB_STATUS_COUNT 9

/* The statuses, in lifecycle order. */
extern const char *const job_statuses[JOB_STATUS_COUNT];

/* 1 when s names a status. */
int job_status_valid(const char *s);

/* 1 for completed, failed, cancelled, killed_no_credits, moderation_failed. */
int job_status_terminal(const char *s);

/* 1 when a job may go from one status to the other: pending -> moderating
 * | preparing | cancelled; moderating -> pending | moderation_failed |
 * cancelled; preparing -> running | pending (requeued) | a terminal status;
 * running -> pending (requeued) | a terminal status but moderation_failed.
 * Nothing leaves a terminal status; a status never goes to itself. */
int job_transition_ok(const char *from, const char *to);

#endif
