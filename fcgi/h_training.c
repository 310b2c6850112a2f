/* SPDX-License-Identifier: MIT */
/* h_training.c: training jobs as seed 001 sends them. POST /training/jobs
 * {name, dataset_id, config: {framework, model, epochs, batch_size,
 * learning_rate, ...}, gpu_count} becomes a job of kind training that
 * runs the trainer [training] trainers names for config.framework with
 * the config as its one argument (trainers.h); everything else about it
 * (resources, data set, queue, billing, logs, outputs) is a job's, but
 * for a larger default memory_limit. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jobs.h"
#include "jobstate.h"
#include "response.h"
#include "trainers.h"
#include "validate.h"

#define TRAINING_CONFIG_MAX 4096     /* bytes of the config as JSON: one argument */
#define TRAINING_MEMORY_DEFAULT "8g" /* memory_limit unless resources give one */

static const char *const training_fields[] = {"name",       "dataset_id",   "config",
					      "gpu_count",  "resources",    "priority",
					      "project_id", "max_attempts", NULL};

/* The number field name of conf in (min, max], when present. */
static void
training_number(json_t *conf, const char *name, double min, double max, json_t *errs)
{
	json_t *v = json_object_get(conf, name);

	if (v != NULL &&
	    (!json_is_number(v) || json_number_value(v) <= min || json_number_value(v) > max))
		v_err(errs, name, "must be a number above 0 and at most 100", "type_error.float");
}

/* config: an object of at most 4 KiB as JSON, its framework one with a
 * trainer; the fields seed 001 names are checked, the trainer's own go
 * through as they are. OUT: *framework (borrowed). 1 after adding errors. */
static int
training_config(json_t *conf, json_t *errs, const char **framework)
{
	size_t mark = json_array_size(errs);
	int64_t n;
	char *text;

	if (conf == NULL || !json_is_object(conf)) {
		v_err(errs, "config", "must be an object with a framework", "type_error.dict");
		return 1;
	}
	*framework = v_str(conf, "framework", 1, TRAINERS_NAME_MAX, errs, NULL);
	if (*framework != NULL && (*framework)[0] == '\0')
		v_err(errs, "framework", "must not be empty", "value_error.any_str.min_length");
	(void)v_str(conf, "model", 0, 200, errs, NULL);
	(void)v_int(conf, "epochs", 0, 0, 1, 1000000, &n, errs);
	(void)v_int(conf, "batch_size", 0, 0, 1, 1000000, &n, errs);
	training_number(conf, "learning_rate", 0, 100, errs);
	v_nest(errs, mark, "config");
	if ((text = json_dumps(conf, JSON_COMPACT)) == NULL)
		abort();
	if (strlen(text) > TRAINING_CONFIG_MAX)
		v_err(errs, "config", "larger than 4 KiB as JSON",
		      "value_error.any_str.max_length");
	free(text);
	return json_array_size(errs) > mark;
}

/* The job spec POST /jobs would take for this request (new): the trainer
 * with the config as its command, gpu_count as resources.gpus. */
static json_t *
training_spec_new(json_t *obj, const char *trainer)
{
	static const char *const copied[] = {"dataset_id", "priority", "project_id", "max_attempts",
					     NULL};
	json_t *spec, *res, *gpus = json_object_get(obj, "gpu_count");
	char *conf = json_dumps(json_object_get(obj, "config"), JSON_COMPACT);
	size_t i;

	if (conf == NULL)
		abort();
	spec = json_pack("{s:O?, s:[s,s]}", "name", json_object_get(obj, "name"), "command",
			 trainer, conf);
	free(conf);
	if (spec == NULL)
		abort();
	if (json_object_get(spec, "name") == NULL || json_is_null(json_object_get(spec, "name")))
		json_object_set_new(spec, "name", json_string("training"));
	for (i = 0; copied[i] != NULL; i++)
		if (json_object_get(obj, copied[i]) != NULL)
			json_object_set(spec, copied[i], json_object_get(obj, copied[i]));
	res = json_object_get(obj, "resources");
	res = res != NULL ? json_deep_copy(res) : json_object();
	if (res == NULL)
		abort();
	if (json_is_object(res) && gpus != NULL)
		json_object_set(res, "gpus", gpus);
	/* a framework with CUDA loaded takes more than other jobs' 1 GiB */
	if (json_is_object(res) && json_object_get(res, "memory_limit") == NULL)
		json_object_set_new(res, "memory_limit", json_string(TRAINING_MEMORY_DEFAULT));
	json_object_set_new(spec, "resources", res);
	return spec;
}

enum kiln_err
h_training_create(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *spec;
	const char *framework = NULL;
	char trainer[TRAINERS_PATH_MAX + 1], names[256], detail[400];
	int64_t gpus;
	struct job_new j;
	int bad_dir = 0;
	enum kiln_err rc = KILN_OK;

	if (obj == NULL) {
		v_reject(req, errs);
		return KILN_OK;
	}
	v_unknown(obj, training_fields, errs);
	(void)v_int(obj, "gpu_count", 0, 0, 0, INT64_MAX, &gpus, errs); /* bounded as gpus */
	if (json_object_get(obj, "gpu_count") != NULL &&
	    json_object_get(json_object_get(obj, "resources"), "gpus") != NULL)
		v_err(errs, "gpu_count", "give gpu_count or resources.gpus, not both",
		      "value_error.gpus");
	if (training_config(json_object_get(obj, "config"), errs, &framework) ||
	    json_array_size(errs) > 0) {
		v_reject(req, errs);
		return KILN_OK;
	}
	if (trainers_find(req->app->cfg->trainers, framework, trainer) != 0) {
		trainers_names(req->app->cfg->trainers, names, sizeof(names));
		snprintf(detail, sizeof(detail),
			 "no trainer is configured for framework %.64s; available: %s", framework,
			 names);
		resp_error(req, KILN_ERR_UNKNOWN_TRAINER, detail);
		return KILN_OK;
	}
	spec = training_spec_new(obj, trainer);
	memset(&j, 0, sizeof(j));
	if (jobs_parse_spec(spec, errs, &j, &bad_dir) || bad_dir) {
		v_reject(req, errs);
	} else {
		j.kind = JOB_KIND_TRAINING;
		rc = jobs_quote_store(req, &j);
	}
	jobs_spec_free(&j);
	json_decref(spec);
	return rc;
}

enum kiln_err
h_training_list(struct request *req)
{
	return jobs_list(req, JOB_KIND_TRAINING);
}
