/* SPDX-License-Identifier: MIT */
/* h_jobs.c: taking work in. POST /jobs validates a command or script job
 * into a typed spec, quotes it with the estimator the scheduler sizes
 * holds with, refuses it above max_job_cost, and stores it pending with
 * its first event in one transaction. POST /jobs/estimate-cost quotes
 * without storing. Reading and changing jobs: h_jobs_read.c, h_jobs_change.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "estimate.h"
#include "jobspec.h"
#include "moderation.h"
#include "handlers.h"
#include "jobevent.h"
#include "jobs.h"
#include "jobstate.h"
#include "limits.h"
#include "log.h"
#include "money.h"
#include "parse.h"
#include "response.h"
#include "storage.h"
#include "validate.h"

#define JOBS_MAX_GPUS 16
#define JOBS_MAX_CPUS 256
#define JOBS_MAX_MEMORY ((int64_t)1 << 40)
#define JOBS_MAX_TIMEOUT (7 * 24 * 3600)
/* one GPU, one core, 1 GiB, an hour: what a job gets when it says nothing */
#define JOBS_DEFAULT_RESOURCES                                                                     \
	{                                                                                          \
		1, 1, (int64_t)1 << 30, 3600                                                       \
	}
#define JOBS_NAME_MAX 200
#define JOBS_ARGV_MAX 256
#define JOBS_ARG_MAX 4096
#define JOBS_SCRIPT_MAX 65536
#define JOBS_ENV_MAX 64
#define JOBS_ENV_VALUE_MAX 4096
#define JOBS_PAYLOAD_MAX 65536

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

/* Reads gpus, cpu_count, memory_limit and timeout_seconds of obj over the
 * defaults already in OUT: c. */
static void
jobs_resources(json_t *obj, struct compute_spec *c, json_t *errs)
{
	v_int(obj, "gpus", 0, 0, 0, JOBS_MAX_GPUS, &c->gpus, errs);
	v_int(obj, "cpu_count", 0, 0, 1, JOBS_MAX_CPUS, &c->cpu_count, errs);
	v_int(obj, "timeout_seconds", 0, 0, 1, JOBS_MAX_TIMEOUT, &c->timeout_seconds, errs);
	jobs_memory(obj, &c->memory_bytes, errs);
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
		v_int(obj, "num_images", 1, 0, 1, JOBSPEC_RENDER_IMAGES_MAX, &r.num_images, errs);
		v_int(obj, "video_duration", 1, 0, 1, JOBSPEC_RENDER_SECONDS_MAX, &r.video_duration,
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
		struct compute_spec c = JOBS_DEFAULT_RESOURCES;

		v_unknown(obj, compute_fields, errs);
		jobs_resources(obj, &c, errs);
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

/* command: 1..256 strings of 1..4096 bytes without NUL. */
static void
jobs_command(json_t *cmd, json_t *errs)
{
	size_t i;
	json_t *a;

	if (!json_is_array(cmd) || json_array_size(cmd) == 0 ||
	    json_array_size(cmd) > JOBS_ARGV_MAX) {
		v_err(errs, "command", "must be a list of 1 to 256 strings", "type_error.list");
		return;
	}
	json_array_foreach(cmd, i, a)
	{
		if (!json_is_string(a) || json_string_length(a) == 0 ||
		    json_string_length(a) > JOBS_ARG_MAX ||
		    strlen(json_string_value(a)) != json_string_length(a)) {
			v_err(errs, "command", "each argument must be a string of 1 to 4096 bytes",
			      "type_error.str");
			return;
		}
	}
}

/* env: up to 64 string values under permitted names. */
static void
jobs_env(json_t *env, json_t *errs)
{
	const char *k, *why;
	json_t *v;

	if (env == NULL)
		return;
	if (!json_is_object(env) || json_object_size(env) > JOBS_ENV_MAX) {
		v_err(errs, "env", "must be an object of at most 64 variables", "type_error.dict");
		return;
	}
	json_object_foreach(env, k, v)
	{
		if (jobspec_env_name(k, &why) != 0) {
			v_err(errs, "env", why, "value_error.env");
			return;
		}
		if (!json_is_string(v) || json_string_length(v) > JOBS_ENV_VALUE_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			v_err(errs, "env", "values must be strings of at most 4096 bytes",
			      "type_error.str");
			return;
		}
	}
}

/* Locks row id with stmt (answers the owner first) for the rest of the
 * transaction; KILN_ERR_NOT_FOUND unless user_id owns it. */
static enum kiln_err
jobs_lock_owned(struct db *db, enum db_stmt_id stmt, int64_t id, int64_t user_id)
{
	struct db_val q[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, stmt, q, 1, &res, NULL, NULL);

	if (rc == KILN_OK && (db_res_rows(res) != 1 || db_res_i64(res, 0, 0) != user_id))
		rc = KILN_ERR_NOT_FOUND;
	db_res_free(res);
	return rc;
}

enum kiln_err
jobs_insert(struct db *db, struct job_new *j)
{
	int render = strcmp(j->kind, JOB_KIND_RENDER) == 0;
	struct db_val p[26] = {DBV_I64(j->user_id),
			       DBV_STR(j->kind),
			       DBV_STR(j->name),
			       DBV_STR("queued"),
			       DBV_I64(j->priority),
			       j->command_json ? DBV_STR(j->command_json) : DBV_NULL,
			       j->script ? DBV_STR(j->script) : DBV_NULL,
			       DBV_STR(j->working_dir),
			       DBV_STR(j->env_json),
			       j->payload_json ? DBV_STR(j->payload_json) : DBV_NULL,
			       DBV_I64(j->res.gpus),
			       DBV_I64(j->res.cpu_count),
			       DBV_I64(j->res.memory_bytes),
			       DBV_I64(j->res.timeout_seconds),
			       DBV_I64(j->estimate),
			       DBV_I64(j->max_attempts),
			       j->project_id ? DBV_I64(j->project_id) : DBV_NULL,
			       j->batch_id ? DBV_I64(j->batch_id) : DBV_NULL,
			       DBV_STR(render ? "moderating" : "pending"),
			       j->render_json ? DBV_STR(j->render_json) : DBV_NULL,
			       render ? DBV_STR(j->rejected ? "rejected" : "approved") : DBV_NULL,
			       render ? DBV_F64(j->moderation_score) : DBV_NULL,
			       j->dataset_id ? DBV_I64(j->dataset_id) : DBV_NULL,
			       j->image ? DBV_STR(j->image) : DBV_NULL,
			       j->image_root ? DBV_STR(j->image_root) : DBV_NULL,
			       j->inputs_json ? DBV_STR(j->inputs_json) : DBV_NULL};
	uint64_t id = 0;
	enum kiln_err rc;

	/* the project and the data set are the caller's, and stay while we
	 * insert (neither may go while a job uses it) */
	if ((j->project_id &&
	     (rc = jobs_lock_owned(db, STMT_PROJECT_LOCK, j->project_id, j->user_id)) != KILN_OK) ||
	    (j->dataset_id &&
	     (rc = jobs_lock_owned(db, STMT_DATASET_LOCK, j->dataset_id, j->user_id)) != KILN_OK))
		return rc;
	if ((rc = db_exec(db, STMT_JOB_INSERT, p, 26, NULL, NULL, &id)) != KILN_OK)
		return rc;
	j->id = (int64_t)id;
	if (!render)
		return jobevent_add(db, j->id, NULL, "pending", "submitted", j->user_id);
	if ((rc = jobevent_add(db, j->id, NULL, "moderating", "submitted", j->user_id)) != KILN_OK)
		return rc;
	{
		const char *to = j->rejected ? "moderation_failed" : "pending";
		struct db_val m[5] = {DBV_STR(to), j->rejected ? DBV_NULL : DBV_STR("queued"),
				      DBV_I64(j->rejected), DBV_I64(j->id), DBV_STR("moderating")};

		if ((rc = db_exec(db, STMT_JOB_SET_STATUS, m, 5, NULL, NULL, NULL)) != KILN_OK)
			return rc;
		return jobevent_add(
		    db, j->id, "moderating", to,
		    j->rejected ? "moderation rejected the script" : "moderation approved", 0);
	}
}

/* A render job's input/render.json, {script, config}: what kiln-render reads. */
static enum kiln_err
jobs_render_input(const struct kiln_config *cfg, const struct job_new *j)
{
	char tmp[STORAGE_PATH_MAX], path[STORAGE_PATH_MAX];
	json_t *conf = json_loads(j->render_json, 0, NULL), *in;
	enum kiln_err rc = KILN_ERR_IO;
	int fd;

	in = json_pack("{s:s, s:o}", "script", j->script, "config", conf);
	if (in == NULL)
		abort();
	if (storage_prepare(cfg) != KILN_OK || (fd = storage_tmp_open(cfg, tmp)) < 0) {
		log_error("render job %lld: cannot write its input: %s", (long long)j->id,
			  strerror(errno));
		json_decref(in);
		return KILN_ERR_IO;
	}
	{
		int dumped = json_dumpfd(in, fd, JSON_COMPACT) == 0;

		if (close(fd) == 0 && dumped) {
			storage_job_path(cfg, j->id, "input/render.json", path);
			rc = storage_link(cfg, tmp, path);
		} else {
			log_error("render job %lld: cannot write its input", (long long)j->id);
		}
	}
	unlink(tmp);
	json_decref(in);
	return rc;
}

struct jobs_create {
	const struct kiln_config *cfg;
	struct job_new *j;
};

/* Stores the job; a render job's input file goes with it, so a render is
 * never pending without it. */
static enum kiln_err
jobs_create_txn(struct db *db, void *arg)
{
	struct jobs_create *c = arg;
	enum kiln_err rc;

	if (c->j->id != 0) { /* a retried attempt: the last one's input file goes */
		(void)storage_job_remove(c->cfg, c->j->id);
		c->j->id = 0;
	}
	if ((rc = jobs_insert(db, c->j)) != KILN_OK || strcmp(c->j->kind, JOB_KIND_RENDER) != 0 ||
	    c->j->rejected) /* a rejected render never runs: nothing to read */
		return rc;
	return jobs_render_input(c->cfg, c->j);
}

static const char *const create_fields[] = {
    "name",      "command",  "script",       "working_dir", "env",        "payload",
    "resources", "priority", "max_attempts", "project_id",  "dataset_id", NULL};

int
jobs_parse_spec(json_t *obj, json_t *errs, struct job_new *j, int *bad_dir)
{
	json_t *cmd, *res, *payload;
	const char *dir;
	size_t len;
	size_t before = json_array_size(errs);

	memset(j, 0, sizeof(*j));
	j->res = (struct compute_spec)JOBS_DEFAULT_RESOURCES;
	j->max_attempts = 3;
	v_unknown(obj, create_fields, errs);
	j->name = v_str(obj, "name", 0, JOBS_NAME_MAX, errs, NULL);
	if (j->name != NULL && j->name[0] == '\0')
		v_err(errs, "name", "must not be empty", "value_error.any_str.min_length");
	if (j->name == NULL)
		j->name = "job";
	cmd = json_object_get(obj, "command");
	j->script = v_str(obj, "script", 0, JOBS_SCRIPT_MAX, errs, &len);
	if ((cmd == NULL) == (j->script == NULL))
		v_err(errs, "command", "give exactly one of command (a list) or script (a string)",
		      "value_error.command");
	else if (cmd != NULL)
		jobs_command(cmd, errs);
	else if (len == 0)
		v_err(errs, "script", "must not be empty", "value_error.any_str.min_length");
	j->kind = cmd != NULL ? JOB_KIND_COMMAND : JOB_KIND_SCRIPT;
	if ((dir = v_str(obj, "working_dir", 0, JOBSPEC_DIR_MAX, errs, NULL)) != NULL &&
	    jobspec_working_dir(dir, j->working_dir) != 0)
		*bad_dir = 1;
	jobs_env(json_object_get(obj, "env"), errs);
	payload = json_object_get(obj, "payload");
	if (payload != NULL && !json_is_null(payload) && !json_is_object(payload))
		v_err(errs, "payload", "must be an object", "type_error.dict");
	if ((res = json_object_get(obj, "resources")) != NULL) {
		static const char *const res_fields[] = {"gpus", "cpu_count", "memory_limit",
							 "timeout_seconds", NULL};

		if (!json_is_object(res))
			v_err(errs, "resources", "must be an object", "type_error.dict");
		else {
			size_t mark = json_array_size(errs);

			v_unknown(res, res_fields, errs);
			jobs_resources(res, &j->res, errs);
			v_nest(errs, mark, "resources");
		}
	}
	v_int(obj, "priority", 0, 0, -100, 100, &j->priority, errs);
	v_int(obj, "max_attempts", 0, 0, 1, 10, &j->max_attempts, errs);
	v_int(obj, "project_id", 0, 1, 1, INT64_MAX, &j->project_id, errs);
	v_int(obj, "dataset_id", 0, 1, 1, INT64_MAX, &j->dataset_id, errs);
	if (json_array_size(errs) > before)
		return 1;
	if (cmd != NULL)
		j->command_json = json_dumps(cmd, JSON_COMPACT);
	j->env_json = json_object_get(obj, "env") != NULL
			  ? json_dumps(json_object_get(obj, "env"), JSON_COMPACT)
			  : strdup("{}");
	if (j->env_json == NULL || (cmd != NULL && j->command_json == NULL))
		abort();
	if (payload != NULL && json_is_object(payload)) {
		j->payload_json = json_dumps(payload, JSON_COMPACT);
		if (j->payload_json != NULL && strlen(j->payload_json) > JOBS_PAYLOAD_MAX) {
			v_err(errs, "payload", "larger than 64 KiB",
			      "value_error.any_str.max_length");
			return 1;
		}
	}
	return 0;
}

void
jobs_spec_free(struct job_new *j)
{
	free(j->command_json);
	free(j->env_json);
	free(j->payload_json);
	free(j->render_json);
	free(j->inputs_json);
	j->command_json = j->env_json = j->payload_json = j->render_json = j->inputs_json = NULL;
}

enum kiln_err
jobs_quote(struct request *req, const struct prices *prices, const struct limits *lim,
	   struct job_new *j, int *over)
{
	struct estimate e;
	enum kiln_err rc;

	*over = 0;
	if ((rc = estimate_compute(prices, &j->res, &e)) != KILN_OK)
		return rc;
	j->estimate = e.total;
	if (e.total > lim->max_job_cost) {
		char detail[160], a[MONEY_TEXT_MAX], b[MONEY_TEXT_MAX];

		money_format(e.total, a);
		money_format(lim->max_job_cost, b);
		snprintf(detail, sizeof(detail), "the job may cost %s credits; max_job_cost is %s",
			 a, b);
		resp_error(req, KILN_ERR_COST_LIMIT, detail);
		*over = 1;
	}
	return KILN_OK;
}

/* A render config's word field (voice, genre, mood) into OUT: *word when
 * it is sent and valid; an error named by the field otherwise. */
static void
jobs_render_word(json_t *conf, const char *field, const char *msg, const char *code, json_t *errs,
		 const char **word)
{
	const char *s = v_str(conf, field, 0, JOBSPEC_RENDER_WORD_MAX, errs, NULL);

	if (s != NULL && jobspec_render_word(s, strlen(s)) != 0)
		v_err(errs, field, msg, code);
	else if (s != NULL)
		*word = s;
}

static const char *const render_job_fields[] = {"name",       "script",   "config",
						"project_id", "priority", NULL};
int
jobs_parse_render(const struct kiln_config *cfg, json_t *obj, json_t *errs, struct job_new *j)
{
	size_t before = json_array_size(errs), len = 0, mark;
	json_t *conf = json_object_get(obj, "config"), *out;
	int64_t images = 10, duration = 30, fps = 30;
	int voice_on = 0, music_on = 0;
	const char *quality = "medium", *voice = "default", *genre = "cinematic", *mood = "neutral";
	const char *s;

	memset(j, 0, sizeof(*j));
	j->kind = JOB_KIND_RENDER;
	j->max_attempts = 3;
	v_unknown(obj, render_job_fields, errs);
	j->name = v_str(obj, "name", 0, JOBS_NAME_MAX, errs, NULL);
	if (j->name == NULL)
		j->name = "film";
	j->script = v_str(obj, "script", 1, JOBS_SCRIPT_MAX, errs, &len);
	if (j->script != NULL && strspn(j->script, " \t\r\n") == len)
		v_err(errs, "script", "must hold at least one scene line", "value_error.script");
	v_int(obj, "project_id", 0, 1, 1, INT64_MAX, &j->project_id, errs);
	v_int(obj, "priority", 0, 0, -100, 100, &j->priority, errs);
	if (!json_is_object(conf)) {
		v_err(errs, "config", "must be an object", "type_error.dict");
		return 1;
	}
	mark = json_array_size(errs);
	v_unknown(conf, jobspec_render_fields, errs);
	v_int(conf, "num_images", 0, 0, 1, JOBSPEC_RENDER_IMAGES_MAX, &images, errs);
	v_int(conf, "video_duration", 0, 0, 1, JOBSPEC_RENDER_SECONDS_MAX, &duration, errs);
	v_int(conf, "fps", 0, 0, 1, JOBSPEC_RENDER_FPS_MAX, &fps, errs);
	v_bool(conf, "include_voice", 0, &voice_on, errs);
	v_bool(conf, "include_music", 0, &music_on, errs);
	if ((s = v_str(conf, "quality", 0, 16, errs, NULL)) != NULL) {
		quality = s;
		if (strcmp(s, "low") != 0 && strcmp(s, "medium") != 0 && strcmp(s, "high") != 0)
			v_err(errs, "quality", "must be low, medium or high",
			      "value_error.quality");
	}
	jobs_render_word(conf, "voice", "must be default or an espeak-ng voice name",
			 "value_error.voice", errs, &voice);
	jobs_render_word(conf, "genre", "must be a short word", "value_error.genre", errs, &genre);
	jobs_render_word(conf, "mood", "must be a short word", "value_error.mood", errs, &mood);
	v_nest(errs, mark, "config");
	if (json_array_size(errs) > before)
		return 1;
	out = json_pack("{s:I, s:I, s:I, s:s, s:b, s:b, s:s, s:s, s:s}", "num_images",
			(json_int_t)images, "video_duration", (json_int_t)duration, "fps",
			(json_int_t)fps, "quality", quality, "include_voice", voice_on,
			"include_music", music_on, "voice", voice, "genre", genre, "mood", mood);
	if (out == NULL || (j->render_json = json_dumps(out, JSON_COMPACT)) == NULL ||
	    (j->env_json = strdup("{}")) == NULL)
		abort();
	json_decref(out);
	/* the render runs on one GPU; its time grows with the film's length */
	j->res = (struct compute_spec){1, 2, (int64_t)4 << 30, 600 + duration * 20};
	j->moderation_score = moderation_score(j->script, cfg->blocked_words, NULL, 0);
	j->rejected = j->moderation_score * 100 >= (double)cfg->moderation_threshold;
	return 0;
}

enum kiln_err
jobs_quote_render(struct request *req, const struct prices *prices, const struct limits *lim,
		  struct job_new *j, int *over)
{
	json_t *conf = json_loads(j->render_json, 0, NULL);
	struct render_spec r;
	struct estimate e;
	enum kiln_err rc;

	*over = 0;
	if (conf == NULL)
		return KILN_ERR_INTERNAL;
	r.num_images = json_integer_value(json_object_get(conf, "num_images"));
	r.video_duration = json_integer_value(json_object_get(conf, "video_duration"));
	r.include_voice = json_is_true(json_object_get(conf, "include_voice"));
	r.include_music = json_is_true(json_object_get(conf, "include_music"));
	json_decref(conf);
	if ((rc = estimate_render(prices, &r, &e)) != KILN_OK)
		return rc;
	j->estimate = e.total;
	if (e.total > lim->max_job_cost) {
		resp_error(req, KILN_ERR_COST_LIMIT, "the film may cost more than max_job_cost");
		*over = 1;
	}
	return KILN_OK;
}

enum kiln_err
jobs_quote_all(struct request *req, struct job_new *jobs, size_t n, int *over)
{
	struct prices prices;
	struct user_limits lim;
	enum kiln_err rc;
	size_t k;

	*over = 0;
	if ((rc = prices_load(req->app->db, &prices)) != KILN_OK ||
	    (rc = limits_user(req->app->db, req->app->cfg, req->user_id, &lim)) != KILN_OK)
		return rc;
	for (k = 0; k < n && !*over; k++) {
		rc = strcmp(jobs[k].kind, JOB_KIND_RENDER) == 0
			 ? jobs_quote_render(req, &prices, &lim.eff, &jobs[k], over)
			 : jobs_quote(req, &prices, &lim.eff, &jobs[k], over);
		if (rc != KILN_OK)
			return rc;
	}
	return KILN_OK;
}

/* Quotes one parsed job and stores it, answering 202 with it (or the
 * answer the quote gave). */
enum kiln_err
jobs_quote_store(struct request *req, struct job_new *j)
{
	struct jobs_create c = {req->app->cfg, j};
	int over = 0;
	enum kiln_err rc;

	j->user_id = req->user_id;
	if ((rc = jobs_quote_all(req, j, 1, &over)) != KILN_OK || over)
		return rc;
	if ((rc = db_txn(req->app->db, jobs_create_txn, &c)) != KILN_OK) {
		/* a render's input file without its row; with an unanswered
		 * COMMIT the row may be stored, and the file stays with it */
		if (j->id != 0 && !db_txn_unsure(req->app->db))
			(void)storage_job_remove(req->app->cfg, j->id);
		return rc;
	}
	return jobs_respond_stored(req, j->id, j->rejected ? "moderation_failed" : "pending");
}

/* POST /jobs with a render config. */
static enum kiln_err
jobs_create_render(struct request *req, json_t *obj, json_t *errs)
{
	struct job_new j;
	enum kiln_err rc = KILN_OK;

	if (jobs_parse_render(req->app->cfg, obj, errs, &j))
		v_reject(req, errs);
	else
		rc = jobs_quote_store(req, &j);
	jobs_spec_free(&j);
	return rc;
}

enum kiln_err
h_jobs_create(struct request *req)
{
	json_t *errs = v_new(req), *obj = req->upload ? NULL : v_object(req, errs, 0);
	struct job_new j;
	int bad_dir = 0;
	enum kiln_err rc = KILN_OK;

	if (req->upload != NULL)
		return h_jobs_create_files(req);
	memset(&j, 0, sizeof(j));
	if (obj != NULL && json_object_get(obj, "config") != NULL)
		return jobs_create_render(req, obj, errs);
	if (obj == NULL || jobs_parse_spec(obj, errs, &j, &bad_dir))
		v_reject(req, errs);
	else if (bad_dir)
		rc = KILN_ERR_WORKING_DIR;
	else
		rc = jobs_quote_store(req, &j);
	jobs_spec_free(&j);
	return rc;
}
