/* SPDX-License-Identifier: MIT */
/* run.h: what kiln-run's files share: the job being supervised and the
 * steps other files take for run.c: the job directory (run_dir.c), the
 * child that becomes the job (run_exec.c) and the logs (run_log.c). Not
 * for: anything outside kiln-run. */
#ifndef KILN_RUN_H
#define KILN_RUN_H

#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"
#include "estimate.h"
#include "storage.h"
#include "jobfile.h"
#include "joblog.h"
#include "unpack.h"

#define RUN_BILL_EVERY 60 /* seconds between ledger rows while running */
#define RUN_ENV_MAX 96
#define RUN_ARGV_MAX 260
#define RUN_PATH (STORAGE_PATH_MAX + 64)
#define RUN_FSIZE_MAX ((rlim_t)64 << 30) /* the largest file a job may write */
#define RUN_NPROC_MAX 4096
#define COMB_LINE_MAX JOBLOG_LINE_MAX /* a longer line is cut into records of this */
/* combined.log holds both streams and a record head per line: it may grow
 * to this many times max_log_bytes before it stops with a marker */
#define COMB_CAP_FACTOR 4

struct job {
	int64_t id, user_id, lease, dataset_id;
	char kind[16];
	char *command_json, *script, *env_json; /* new */
	char working_dir[1024], gpu_ids[256], image_root[512];
	char ds_format[16], ds_filename[256], ds_rel[128]; /* ds_rel: "data" or "data/NAME" */
	struct compute_spec res;
	int64_t estimate, already_billed, max_cost; /* max_cost: max_job_cost now */
	int64_t render_cost; /* a render's charge: 0 until its film is done */
	int allow_pip;       /* [sandbox] allow_pip */
	/* where it runs */
	char dir[RUN_PATH];
	int dir_again; /* the folder was handed to the job user before: the
			  job may have shaped it (run_prepare) */
	int64_t started_ms;
	pid_t pid;
	/* billing */
	struct prices prices;
	int64_t billed_micros, billed_seconds, last_bill_s;
	/* a charge whose outcome was not learnt (its COMMIT's answer was lost,
	 * or the database stayed away): retried as it was before any other */
	char unsure_tag[32];
	int64_t unsure_seconds;
	/* the hold left when run_broke last read it, and billed_micros then:
	 * our own charges are all that draw on it, so until what the job
	 * owes passes what is surely left, the wallet need not be read */
	int64_t funds_hold, funds_billed;
	int funds_known;
	/* logs */
	int out_fd, err_fd, log_fd[2];
	/* logs/combined.log: both streams as records "o|e MS TEXT\n", a line
	 * each, in the order they came (what the API interleaves and tails) */
	int comb_fd;
	int logs_fd;   /* logs/, as run_prepare made it: every log is opened in it */
	char *line[2]; /* a stream's partial line (COMB_LINE_MAX) */
	size_t line_len[2];
	int64_t comb_bytes;
	int comb_truncated;
	int64_t log_bytes[2];
	int truncated[2];
};

/* The job user when kiln-run is root (from [sandbox] job_user), else NULL. */
extern const struct passwd *run_user;

/* Creates jobs/ID/ with input/, outputs/, logs/, .kiln/ and the working
 * directory, all the job user's but logs/ (ours: the job cannot rewrite
 * its logs). Sets j->dir. */
enum kiln_err run_prepare(const struct kiln_config *cfg, struct job *j);

/* Unpacks the job's data set into data/ as the job user. OUT: why, empty
 * unless the archive was refused (the job then fails as bad_dataset). */
enum kiln_err run_dataset(const struct kiln_config *cfg, struct job *j, char why[UNPACK_WHY_MAX]);

/* In the forked child: limits, identity, then exec of the job (in
 * bubblewrap unless [sandbox] mode = none) with stdout on out and stderr
 * on err. Never returns. */
void run_exec(const struct kiln_config *cfg, const struct job *j, int out, int err);

/* Reads what stream k (0 stdout, 1 stderr) has into its log and
 * combined.log. 0 at the end of the stream, 1 otherwise. */
int run_pump(const struct kiln_config *cfg, struct job *j, int k);

/* Writes logs/end.json: sizes, truncation and the terminal status. */
void run_log_end(struct job *j, const char *status);

#endif
