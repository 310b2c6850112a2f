/* SPDX-License-Identifier: MIT */
/* render_job.c: kiln-run's side of render jobs (see render_job.h). */
#include "render_job.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jobfile.h"
#include "jobspec.h"

#define RENDER_JOB_MANIFEST_MAX (64 * 1024)

int
render_job_argv(const struct kiln_config *cfg, const char *tool, const char *ws, char **argv,
		size_t max)
{
	char buf[4400]; /* a workspace path (RUN_PATH) and a name */
	size_t n = 0;

	if (max < 8)
		return -1;
	argv[n++] = jobfile_strdup(tool);
	if (cfg->image_generator[0] != '\0') {
		argv[n++] = jobfile_strdup("-g");
		argv[n++] = jobfile_strdup(cfg->image_generator);
	}
	if (cfg->render_font[0] != '\0') {
		argv[n++] = jobfile_strdup("-f");
		argv[n++] = jobfile_strdup(cfg->render_font);
	}
	snprintf(buf, sizeof(buf), "%s/input/render.json", ws);
	argv[n++] = jobfile_strdup(buf);
	snprintf(buf, sizeof(buf), "%s/outputs", ws);
	argv[n++] = jobfile_strdup(buf);
	argv[n] = NULL;
	return 0;
}

int
render_job_failure(const char *dir, char detail[RENDER_JOB_DETAIL_MAX],
		   char code[RENDER_JOB_CODE_MAX])
{
	char raw[RENDER_JOB_DETAIL_MAX];
	size_t i, n = 0, c = 0;

	detail[0] = code[0] = '\0';
	if (jobfile_read(dir, ".kiln", "failure", raw, sizeof(raw)) <= 0)
		return 0;
	for (i = 0; raw[i] != '\0' && raw[i] != '\n'; i++)
		detail[n++] = raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?';
	while (n > 0 && detail[n - 1] == ' ')
		n--;
	detail[n] = '\0';
	if (n == 0)
		return 0;
	/* the leading words: lower-case letters and spaces */
	for (i = 0; i < n && c < RENDER_JOB_CODE_MAX - 1; i++) {
		if (detail[i] >= 'a' && detail[i] <= 'z')
			code[c++] = detail[i];
		else if (detail[i] == ' ' && c > 0 && code[c - 1] != '_')
			code[c++] = '_';
		else
			break;
	}
	while (c > 0 && code[c - 1] == '_')
		c--;
	code[c] = '\0';
	if (c == 0)
		snprintf(code, RENDER_JOB_CODE_MAX, "render_failed");
	return 1;
}

void
render_job_failure_clear(const char *dir)
{
	jobfile_unlink(dir, ".kiln", "failure");
}

enum kiln_err
render_job_cost(const struct prices *p, const char *dir, int64_t *cost)
{
	char *buf = malloc(RENDER_JOB_MANIFEST_MAX);
	struct render_spec r = {0, 0, 0, 0};
	struct estimate e;
	json_t *m = NULL, *v;
	enum kiln_err rc = KILN_ERR_BAD_REQUEST;
	double duration;
	ssize_t n;

	if (buf == NULL)
		return KILN_ERR_NOMEM;
	if ((n = jobfile_read(dir, "outputs", "manifest.json", buf, RENDER_JOB_MANIFEST_MAX)) < 0) {
		rc = KILN_ERR_NOT_FOUND;
		goto out;
	}
	if ((m = json_loadb(buf, (size_t)n, 0, NULL)) == NULL || !json_is_object(m))
		goto out;
	v = json_object_get(m, "num_images");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > JOBSPEC_RENDER_IMAGES_MAX)
		goto out;
	r.num_images = json_integer_value(v);
	v = json_object_get(m, "duration");
	duration = json_number_value(v);
	/* at most what a render may ask for (the film's length is exact,
	 * give or take a frame) */
	if (!json_is_number(v) || !(duration > 0 && duration <= JOBSPEC_RENDER_SECONDS_MAX + 1))
		goto out;
	r.video_duration = (int64_t)llround(duration);
	if (r.video_duration < 1)
		r.video_duration = 1;
	r.include_voice = json_is_true(json_object_get(m, "include_voice"));
	r.include_music = json_is_true(json_object_get(m, "include_music"));
	if ((rc = estimate_render(p, &r, &e)) == KILN_OK)
		*cost = e.total;
out:
	json_decref(m);
	free(buf);
	return rc;
}
