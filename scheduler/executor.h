/* SPDX-License-Identifier: MIT */
/* executor.h: how a claimed job's supervisor (kiln-run JOB_ID) is started
 * so that it outlives the tick that claimed it. local: fork twice, setsid,
 * exec (the default; what the tests run). systemd: a transient unit per
 * job, kiln-job-ID, with the job's memory, CPU and time as unit limits. */
#ifndef KILN_EXECUTOR_H
#define KILN_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

#define EXECUTOR_ARGV_MAX 24
#define EXECUTOR_ARG_LEN 1024

/* What a unit's limits come from. */
struct executor_job {
	int64_t id;
	int64_t memory_bytes, cpus, timeout_seconds;
	int64_t lease; /* the claim's: checked when its COMMIT went unanswered */
};

/* kiln-run's path into OUT: out: [scheduler] run_path, else the kiln-run
 * beside this program. */
void executor_run_path(const struct kiln_config *cfg, char *out, size_t n);

/* The systemd-run command line for job into OUT: argv (NULL-terminated,
 * strings in bufs). Pure. Returns argc. */
int executor_systemd_argv(const struct executor_job *job, const char *run_path,
			  const char *config_path, int64_t kill_grace,
			  char bufs[EXECUTOR_ARGV_MAX][EXECUTOR_ARG_LEN],
			  char *argv[EXECUTOR_ARGV_MAX + 1]);

/* Starts the supervisor of job with the configured executor. */
enum kiln_err executor_start(const struct kiln_config *cfg, const char *config_path,
			     const struct executor_job *job);

#endif
