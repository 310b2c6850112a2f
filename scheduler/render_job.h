/* SPDX-License-Identifier: MIT */
/* render_job.h: what kiln-run does differently for a render job (DESIGN.md
 * section 7): it runs kiln-render on input/render.json, and charges what
 * the film holds (outputs/manifest.json) instead of time. Also the one line
 * any job may leave in $KILN_FAILURE_FILE (kiln-render always does). Files
 * the job wrote are read without following its links. */
#ifndef KILN_RENDER_JOB_H
#define KILN_RENDER_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "estimate.h"

#define RENDER_JOB_TOOL "/kiln/bin/kiln-render" /* where the sandbox shows it */
#define RENDER_JOB_ARGV_MAX 12
#define RENDER_JOB_DETAIL_MAX 256 /* failure_detail, with its NUL */
#define RENDER_JOB_CODE_MAX 48    /* failure_reason, with its NUL */

/* kiln-render's command line for a job whose workspace is ws ("/workspace"
 * in the sandbox, the job folder without one), tool the renderer as the
 * job sees it: [render] image_generator (-g) and font (-f) when set, then
 * ws/input/render.json and ws/outputs. New strings into argv, NULL-ended.
 * 0, or -1 when max is too small. */
int render_job_argv(const struct kiln_config *cfg, const char *tool, const char *ws, char **argv,
		    size_t max);

/* The line the job left in dir/.kiln/failure: printable ASCII, at most
 * RENDER_JOB_DETAIL_MAX - 1 bytes, into OUT: detail; its code (the leading
 * words in snake case: "unknown voice 'x'" -> "unknown_voice", "no font:
 * ..." -> "no_font"; "render_failed" when it has none) into OUT: code.
 * 1 when there is a line, 0 otherwise. */
int render_job_failure(const char *dir, char detail[RENDER_JOB_DETAIL_MAX],
		       char code[RENDER_JOB_CODE_MAX]);

/* Removes dir/.kiln/failure, a line left by an earlier attempt (no link
 * followed). */
void render_job_failure_clear(const char *dir);

/* What a finished render costs: estimate_render over the num_images,
 * duration (rounded to seconds), include_voice and include_music of
 * dir/outputs/manifest.json. KILN_ERR_NOT_FOUND when there is no manifest,
 * KILN_ERR_BAD_REQUEST when it is not one, KILN_ERR_RANGE from the
 * estimator. OUT: *cost (micro-credits). */
enum kiln_err render_job_cost(const struct prices *p, const char *dir, int64_t *cost);

#endif
