/* SPDX-License-Identifier: MIT */
/* tick.h: one scheduler tick on one node (DESIGN.md section 5): heartbeat
 * the node, reap jobs whose supervisor went silent (cluster-wide), then
 * claim under GET_LOCK('kiln.claim') in one transaction: read the queue
 * and where its users stand, let policy.c choose, mark the chosen jobs
 * preparing with their GPUs and holds, and record why the others wait.
 * Starting the chosen jobs is the caller's (executor.h), after commit. */
#ifndef KILN_TICK_H
#define KILN_TICK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "executor.h"
#include "node.h"

#define TICK_QUEUE_MAX 20000 /* pending jobs one tick looks at */

struct tick_result {
	int64_t node_id;
	size_t considered, lost, requeued;
	/* the jobs claimed for this node, to start (new: tick_result_free) */
	struct executor_job *started;
	size_t nstarted;
};

/* One tick. OUT: r (freed with tick_result_free even on error). */
enum kiln_err tick_run(struct db *db, const struct kiln_config *cfg, const struct node_info *node,
		       struct tick_result *r);

void tick_result_free(struct tick_result *r);

#endif
