/* SPDX-License-Identifier: MIT */
/* requeue.h: a claimed job's attempt given up before the job ended: by
 * the reaper (its supervisor went silent), by kiln-run (it could not
 * prepare the job's folder) or by staff (PATCH status pending). One
 * place, so that the three agree on what that does to the job and to
 * the money. */
#ifndef KILN_REQUEUE_H
#define KILN_REQUEUE_H

#include <stdint.h>

#include "db.h"
#include "err.h"

struct requeue {
	int64_t id, lease, user_id; /* the attempt, and the job's owner */
	const char *from;           /* its status: preparing or running */
	const char *reason;         /* the event's reason when it goes back */
	const char *fail;           /* NULL: back in the queue whatever its attempts;
				     * else its failure_reason when none is left */
	int64_t attempts, max_attempts;
	int64_t actor; /* the event's actor: a user id, 0 for kiln */
	int cancel;    /* its cancel_requested: it ends cancelled instead */
	int requeued;  /* OUT: 1 back in the queue, 0 ended */
};

/* In the caller's transaction, which has locked the job and seen r->lease
 * on it: the job goes back to pending (off its node and GPUs), or fails
 * with r->fail when it has used its attempts, or ends cancelled when its
 * owner asked for that (a pending job with cancel_requested would never
 * be claimed again); either way its lease moves on (the attempt's
 * supervisor stands down), its hold goes back and its event is written.
 * KILN_ERR_DB_RETRY when the job is no longer at r->lease. */
enum kiln_err requeue_in(struct db *db, struct requeue *r);

#endif
