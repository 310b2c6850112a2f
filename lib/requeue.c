/* SPDX-License-Identifier: MIT */
/* requeue.c: an attempt given up (see requeue.h). */
#include "requeue.h"

#include <stdio.h>

#include "jobevent.h"
#include "ledger.h"

enum kiln_err
requeue_in(struct db *db, struct requeue *r)
{
	const char *to, *why;
	struct db_val back[2] = {DBV_I64(r->id), DBV_I64(r->lease)};
	struct db_val end[4];
	char step[64];
	uint64_t changed = 0;
	enum kiln_err rc;

	r->requeued = !r->cancel && (r->fail == NULL || r->attempts < r->max_attempts);
	to = r->requeued ? "pending" : r->cancel ? "cancelled" : "failed";
	why = r->requeued ? r->reason : r->cancel ? "cancel requested" : r->fail;
	end[0] = DBV_STR(to);
	end[1] = r->cancel ? DBV_NULL : DBV_STR(r->fail); /* not requeued: fail is set */
	end[2] = DBV_I64(r->id);
	end[3] = DBV_I64(r->lease);
	if ((rc = ledger_lock_in(db, r->user_id)) != KILN_OK)
		return rc;
	rc = r->requeued ? db_exec(db, STMT_JOB_REQUEUE, back, 2, NULL, &changed, NULL)
			 : db_exec(db, STMT_JOB_GIVE_UP, end, 4, NULL, &changed, NULL);
	if (rc != KILN_OK)
		return rc;
	if (changed != 1)
		return KILN_ERR_DB_RETRY; /* it moved under us: read it again */
	snprintf(step, sizeof(step), "release:%lld:%lld", (long long)r->id, (long long)r->lease);
	if ((rc = ledger_release_in(db, r->id, step, NULL)) != KILN_OK)
		return rc;
	return jobevent_add(db, r->id, r->from, to, why, r->actor);
}
