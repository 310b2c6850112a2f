/* SPDX-License-Identifier: MIT */
/* jobevent.c: job_events rows (see jobevent.h). */
#include "jobevent.h"

enum kiln_err
jobevent_add(struct db *db, int64_t job_id, const char *from, const char *to, const char *reason,
	     int64_t actor)
{
	struct db_val p[5] = {DBV_I64(job_id), from ? DBV_STR(from) : DBV_NULL, DBV_STR(to),
			      reason ? DBV_STR(reason) : DBV_NULL,
			      actor > 0 ? DBV_I64(actor) : DBV_NULL};

	return db_exec(db, STMT_EVENT_INSERT, p, 5, NULL, NULL, NULL);
}
