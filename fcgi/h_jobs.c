/* SPDX-License-Identifier: MIT */
/* h_jobs.c: jobs. For now the quote: POST /jobs/estimate-cost takes a
 * render config or a compute job's resources and answers what it will (at
 * most) cost, from the same estimator the scheduler sizes holds with. */
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "handlers.h"
#include "limits.h"
#include "money.h"
#include "parse.h"
#include "response.h"
#include "validate.h"

#define JOBS_MAX_IMAGES 100
#define JOBS_MAX_VIDEO_SECONDS 600
#define JOBS_MAX_GPUS 16
#define JOBS_MAX_CPUS 256
#define JOBS_MAX_MEMORY ((int64_t)1 << 40)
#define JOBS_MAX_TIMEOUT (7 * 24 * 3600)

static const char *const render_fields[] = {"num_images", "video_duration", "include_voice",
					    "include_music", NULL};
static const char *const compute_fields[] = {"gpus", "cpu_count", "memory_limit", "timeout_seconds",
					     NULL};

/* memory_limit: "8g"/"512m"/"1048576" or an integer of bytes. */
static void
jobs_memory(json_t *obj, int64_t *bytes, json_t *errs)
{
	json_t *v = json_object_get(obj, "memory_limit");

	if (v == NULL)
		return;
	if (json_is_integer(v) && json_integer_value(v) >= 1 &&
	    json_integer_value(v) <= JOBS_MAX_MEMORY) {
		*bytes = (int64_t)json_integer_value(v);
		return;
	}
	if (!json_is_string(v) ||
	    parse_size(json_string_value(v), 1, JOBS_MAX_MEMORY, bytes) != KILN_OK)
		v_err(errs, "memory_limit",
		      "must be a size such as \"8g\" or \"512m\" (at most 1 TiB)",
		      "value_error.size");
}

static json_t *
jobs_breakdown_new(const struct estimate *e, const char *const *names)
{
	json_t *b = json_object();
	int i;

	if (b == NULL)
		abort();
	for (i = 0; i < e->nparts; i++)
		json_object_set_new(b, names[i], money_to_json_new(e->part[i]));
	return b;
}

enum kiln_err
h_jobs_estimate(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *body;
	int render = 0, voice = 0, music = 0;
	struct prices prices;
	struct estimate e;
	struct limits lim;
	enum kiln_err rc;

	if (obj == NULL) {
		v_reject(req, errs);
		return KILN_OK;
	}
	render = json_object_get(obj, "num_images") != NULL ||
		 json_object_get(obj, "video_duration") != NULL;
	if (render) {
		struct render_spec r = {0, 0, 0, 0};

		v_unknown(obj, render_fields, errs);
		v_int(obj, "num_images", 1, 0, 1, JOBS_MAX_IMAGES, &r.num_images, errs);
		v_int(obj, "video_duration", 1, 0, 1, JOBS_MAX_VIDEO_SECONDS, &r.video_duration,
		      errs);
		v_bool(obj, "include_voice", 0, &voice, errs);
		v_bool(obj, "include_music", 0, &music, errs);
		r.include_voice = voice;
		r.include_music = music;
		if (v_reject(req, errs))
			return KILN_OK;
		if ((rc = prices_load(req->app->db, &prices)) != KILN_OK ||
		    (rc = estimate_render(&prices, &r, &e)) != KILN_OK)
			return rc;
		body = json_pack("{s:o, s:o}", "estimated_cost", money_to_json_new(e.total),
				 "breakdown", jobs_breakdown_new(&e, estimate_render_parts));
	} else {
		struct compute_spec c = {1, 1, (int64_t)1 << 30, 3600};

		v_unknown(obj, compute_fields, errs);
		v_int(obj, "gpus", 0, 0, 0, JOBS_MAX_GPUS, &c.gpus, errs);
		v_int(obj, "cpu_count", 0, 0, 1, JOBS_MAX_CPUS, &c.cpu_count, errs);
		v_int(obj, "timeout_seconds", 0, 0, 1, JOBS_MAX_TIMEOUT, &c.timeout_seconds, errs);
		jobs_memory(obj, &c.memory_bytes, errs);
		if (v_reject(req, errs))
			return KILN_OK;
		if ((rc = prices_load(req->app->db, &prices)) != KILN_OK ||
		    (rc = estimate_compute(&prices, &c, &e)) != KILN_OK ||
		    (rc = limits_global(req->app->db, req->app->cfg, &lim)) != KILN_OK)
			return rc;
		body = json_pack("{s:o, s:o, s:o, s:b, s:{s:I, s:I, s:I, s:I}}", "estimated_cost",
				 money_to_json_new(e.total), "breakdown",
				 jobs_breakdown_new(&e, estimate_compute_parts), "max_job_cost",
				 money_to_json_new(lim.max_job_cost), "within_limit",
				 e.total <= lim.max_job_cost, "resources", "gpus",
				 (json_int_t)c.gpus, "cpu_count", (json_int_t)c.cpu_count,
				 "memory_bytes", (json_int_t)c.memory_bytes, "timeout_seconds",
				 (json_int_t)c.timeout_seconds);
	}
	if (body == NULL)
		abort();
	resp_json_new(req, 200, body);
	return KILN_OK;
}
