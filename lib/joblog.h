/* SPDX-License-Identifier: MIT */
/* joblog.h: the files of a job's logs under jobs/ID/logs/, as kiln-run
 * writes them and the API reads them: stdout.log and stderr.log as the
 * streams were, combined.log with both as records "o|e MS TEXT\n" (MS: the
 * wall clock in milliseconds; a longer line is cut into records of
 * JOBLOG_LINE_MAX bytes), and end.json with what they hold. Not for: the
 * live writing (scheduler/run_log.c) or the reading (fcgi/h_results.c). */
#ifndef KILN_JOBLOG_H
#define KILN_JOBLOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

#define JOBLOG_LINE_MAX 16384 /* the longest TEXT of one combined record */

#define JOBLOG_END_MAX 256

/* end.json's text into OUT: buf: the bytes each file holds, whether a
 * stream was cut at max_log_bytes, and the job's end status. Its length. */
size_t joblog_end_json(char buf[JOBLOG_END_MAX], int64_t out, int64_t err, int64_t comb,
		       int out_cut, int err_cut, const char *status);

/* Replaces job id's logs with out and err (olen and elen bytes; either may
 * be empty), as if the job had written all of out, then all of err, at
 * ms; end.json says so, with status. The logs folder is reached as
 * storage_job_logs_open checks it (ours, no link followed; made when the
 * job never ran). Each file is written aside in it and renamed in place,
 * so a reader sees the old file or the new one, and a supervisor still
 * writing keeps writing to the old one, unseen. KILN_ERR_IO when the
 * folder is not ours (a job's own, or one made before kiln-run gave
 * logs/ to kiln) or a write fails. */
enum kiln_err joblog_replace(const struct kiln_config *cfg, int64_t id, const char *out,
			     size_t olen, const char *err, size_t elen, int64_t ms,
			     const char *status);

#endif
