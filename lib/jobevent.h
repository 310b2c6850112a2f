/* SPDX-License-Identifier: MIT */
/* jobevent.h: a job's history, one job_events row per status change,
 * written by the API, the scheduler and kiln-run inside the transaction
 * that changes the status. Not for: deciding a change (jobstate.h). */
#ifndef KILN_JOBEVENT_H
#define KILN_JOBEVENT_H

#include <stdint.h>

#include "db.h"
#include "err.h"

/* Appends the event from -> to (from NULL for the first) with reason
 * (NULL for none) by actor (a user id, 0 for kiln itself). */
enum kiln_err jobevent_add(struct db *db, int64_t job_id, const char *from, const char *to,
			   const char *reason, int64_t actor);

#endif
