/* SPDX-License-Identifier: MIT */
/* gc.h: kilnctl gc, the daily clean-up (systemd/kiln-gc.timer): expired
 * Idempotency-Keys (24 h), refresh tokens a day past their expiry, and
 * the files of jobs that ended more than [results] retention_days ago
 * (the job rows stay). Deletes run in batches, so no lock is held long. */
#ifndef KILN_GC_H
#define KILN_GC_H

#include <stdint.h>

#include "config.h"
#include "db.h"
#include "err.h"

struct gc_counts {
	int64_t idempotency_keys, refresh_tokens, job_files;
};

/* One pass. OUT: what it removed. */
enum kiln_err gc_run(struct db *db, const struct kiln_config *cfg, struct gc_counts *out);

#endif
