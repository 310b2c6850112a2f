/* SPDX-License-Identifier: MIT */
/* h_jobs_files.c: jobs that come with files. A multipart POST /jobs
 * (script_file, dataset_file, requirements_file, job_data) stores one
 * script job; POST /jobs/upload (title, file_code, file_req, file_data,
 * shards) splits a CSV into a batch of shard jobs, one shard each.
 *
 * Each job's files are hard-linked from the upload's temporary files into
 * jobs/ID/input/ inside the transaction that stores the job, so a job is
 * never pending without its inputs; an attempt that fails or is retried
 * removes what it linked. The job runs a generated script in input/
 * (working_dir "input") on the root filesystem that its docker_image
 * resolves to through [sandbox] images. The scalar fields go through
 * jobs_parse_spec like a JSON job's, so the rules are the same. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsplit.h"
#include "handlers.h"
#include "images.h"
#include "jobs.h"
#include "jobstate.h"
#include "jobspec.h"
#include "json.h"
#include "parse.h"
#include "response.h"
#include "storage.h"
#include "upload.h"
#include "validate.h"

#define FILES_NAME_MAX JOBSPEC_FILE_NAME_MAX
#define FILES_INPUTS_MAX 3 /* script, requirements, data shard */
#define FILES_SHARDS_MAX 1000
#define FILES_TITLE_MAX 180 /* leaves room for " [1000/1000]" in a job name */
#define FILES_JOB_DATA_MAX (64 * 1024)
#define FILES_REQUIREMENTS "requirements.txt"

/* Copies a name jobspec_file_name accepted (so at most FILES_NAME_MAX). */
static void
files_name_copy(char out[FILES_NAME_MAX + 1], const char *name)
{
	size_t n = strnlen(name, FILES_NAME_MAX);

	memcpy(out, name, n);
	out[n] = '\0';
}

/* One file under a job's input/. */
struct job_input {
	const char *field;             /* the form field it came in */
	char name[FILES_NAME_MAX + 1]; /* its name under input/ */
	const char *tmp;               /* the temporary file it is linked from */
	uint64_t size;
	const char *sha256; /* NULL for a shard (cut here, not uploaded) */
};

/* What one transaction stores: nj jobs (one job, or a batch of shards). */
struct files_txn {
	const struct kiln_config *cfg;
	int64_t user_id;
	struct job_new *jobs;
	size_t nj;
	struct job_input common[FILES_INPUTS_MAX]; /* every job's inputs */
	size_t ncommon;
	struct job_input *shards; /* job k's own input, or NULL */
	const char *batch_name;   /* a batch around the jobs, or NULL */
	int64_t batch_id;
	/* a data set made of dataset_file, stored with the job */
	struct upload_file *dataset;
	int64_t dataset_id;
	/* what this attempt put on disk */
	size_t linked;
	char dataset_path[STORAGE_PATH_MAX];
};

static const struct {
	const char *ext, *run;
} files_interpreters[] = {
    {".py", "python3"}, {".sh", "sh"},   {".bash", "bash"}, {".R", "Rscript"}, {".r", "Rscript"},
    {".jl", "julia"},   {".pl", "perl"}, {".rb", "ruby"},   {".js", "node"},
};

/* The interpreter for a script by its extension, or NULL. */
static const char *
files_interpreter(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(files_interpreters) / sizeof(files_interpreters[0]); i++) {
		size_t el = strlen(files_interpreters[i].ext);

		if (n > el && strcmp(name + n - el, files_interpreters[i].ext) == 0)
			return files_interpreters[i].run;
	}
	return NULL;
}

/* The script part named field and its name under input/ (OUT:
 * *script_name, job_data's script_name or else the part's file name).
 * Returns its interpreter, or NULL after adding an error. */
static const char *
files_script_check(struct upload *up, const char *field, const char **script_name, json_t *errs)
{
	struct upload_file *f = upload_file(up, field);
	const char *loc = *script_name != NULL ? "script_name" : field, *run;

	if (f == NULL) {
		v_err(errs, field, "a file part by this name is required", "value_error.missing");
		return NULL;
	}
	if (*script_name == NULL)
		*script_name = f->filename;
	if (jobspec_file_name(*script_name) != 0 || strcmp(*script_name, FILES_REQUIREMENTS) == 0) {
		v_err(errs, loc,
		      "the script's name must be a plain file name of letters, digits, '.', '_' "
		      "and '-' (not requirements.txt)",
		      "value_error.filename");
		return NULL;
	}
	if ((run = files_interpreter(*script_name)) == NULL)
		v_err(errs, loc,
		      "the script's name must end in .py, .sh, .bash, .R, .jl, .pl, .rb or .js "
		      "(its interpreter)",
		      "value_error.filename");
	return run;
}

/* The shell text a job with files runs in input/. Names passed jobspec_file_name,
 * so they need no quoting. shard_k is 1-based, 0 for no shard. New. */
static char *
files_script(const char *run, const char *script, int requirements, const char *data,
	     size_t shard_k, size_t shards)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "set -e\n");

	if (requirements && strcmp(run, "python3") == 0)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "if [ \"$KILN_ALLOW_PIP\" = 1 ]; then\n"
			      "  python3 -m pip install --quiet --no-input "
			      "--disable-pip-version-check --target ../.pydeps -r %s\n"
			      "  export PYTHONPATH=\"$PWD/../.pydeps${PYTHONPATH:+:$PYTHONPATH}\"\n"
			      "else\n"
			      "  echo 'kiln: %s not installed: [sandbox] allow_pip is off' >&2\n"
			      "fi\n",
			      FILES_REQUIREMENTS, FILES_REQUIREMENTS);
	if (data != NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "export KILN_DATA_FILE=%s KILN_SHARD=%zu KILN_SHARDS=%zu\n", data,
			      shard_k, shards);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "exec %s %s\n", run, script);
	return strdup(buf);
}

/* [{"field", "name", "size_bytes", "sha256"}] for a job's inputs. New. */
static char *
files_inputs_json(const struct job_input *in, size_t n, const struct job_input *own)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; a != NULL && i <= n; i++) {
		const struct job_input *f = i < n ? &in[i] : own;

		if (f == NULL)
			break;
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:I, s:o}", "field", f->field, "name", f->name,
				 "size_bytes", (json_int_t)f->size, "sha256",
				 f->sha256 ? json_string(f->sha256) : json_null()));
	}
	if (a == NULL || (s = json_dumps(a, JSON_COMPACT)) == NULL)
		abort();
	json_decref(a);
	return s;
}

static void
files_input_set(struct job_input *in, const char *field, const char *name,
		const struct upload_file *f)
{
	in->field = field;
	files_name_copy(in->name, name);
	in->tmp = f->tmp;
	in->size = f->size;
	in->sha256 = f->sha256;
}

/* Answers 422 for a form part outside allowed (NULL-terminated). 1 when
 * it found one. */
static int
files_unknown_parts(const struct upload *up, const char *const *allowed, json_t *errs)
{
	const char *const *a;
	size_t i, before = json_array_size(errs);

	for (i = 0; i < up->nfields + up->nfiles; i++) {
		const char *name =
		    i < up->nfields ? up->names[i] : up->files[i - up->nfields].field;
		int ok = 0;

		for (a = allowed; *a != NULL && !ok; a++)
			ok = strcmp(*a, name) == 0;
		if (!ok)
			v_err(errs, name, "unknown form field", "value_error.extra");
	}
	return json_array_size(errs) > before;
}

/* A small text field, sent as a field or as a file (curl -F x=@f.json).
 * Arena-owned, or NULL when absent or unreadable (with an error). */
static const char *
files_text(struct request *req, const char *name, json_t *errs)
{
	struct upload_file *f = upload_file(req->upload, name);
	const char *v = upload_field(req->upload, name);
	char *buf;
	ssize_t got;
	int fd;

	if (v != NULL || f == NULL)
		return v;
	if (f->size > FILES_JOB_DATA_MAX) {
		v_err(errs, name, "larger than 64 KiB", "value_error.any_str.max_length");
		return NULL;
	}
	buf = arena_alloc(req->arena, (size_t)f->size + 1);
	got = (fd = open(f->tmp, O_RDONLY | O_CLOEXEC)) < 0 ? -1 : read(fd, buf, (size_t)f->size);
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)f->size) {
		v_err(errs, name, "could not be read back", "value_error.io");
		return NULL;
	}
	buf[got] = '\0';
	return buf;
}

static void
files_json_decref(void *p)
{
	json_decref(p);
}

static const char *const job_data_fields[] = {
    "name",     "script_name", "docker_image", "resource_config", "env", "payload",
    "priority", "project_id",  "dataset_id",   "max_attempts",    NULL};

/* Reads job_data (a JSON object, may be NULL) into OUT: *spec, a new
 * object in POST /jobs's JSON shape (arena-owned, without its script),
 * OUT: *script_name and *image (borrowed from it, NULL when absent). */
static void
files_job_data(struct request *req, const char *text, json_t *errs, json_t **spec,
	       const char **script_name, const char **image)
{
	json_t *obj = NULL, *v;
	const char *key;
	char why[160];

	*spec = json_object();
	*script_name = *image = NULL;
	if (*spec == NULL)
		abort();
	arena_defer(req->arena, files_json_decref, *spec);
	if (text == NULL)
		return;
	if (json_parse_strict(text, strlen(text), &obj, why, sizeof(why)) != KILN_OK) {
		char msg[200];

		snprintf(msg, sizeof(msg), "must be a JSON object: %s", why);
		v_err(errs, "job_data", msg, "value_error.jsondecode");
		return;
	}
	arena_defer(req->arena, files_json_decref, obj);
	if (!json_is_object(obj)) {
		v_err(errs, "job_data", "must be a JSON object", "type_error.dict");
		return;
	}
	v_unknown(obj, job_data_fields, errs);
	*script_name = v_str(obj, "script_name", 0, FILES_NAME_MAX, errs, NULL);
	*image = v_str(obj, "docker_image", 0, IMAGES_NAME_MAX, errs, NULL);
	json_object_foreach(obj, key, v)
	{
		if (strcmp(key, "resource_config") == 0) {
			if (!json_is_object(v))
				v_err(errs, "resource_config", "must be an object",
				      "type_error.dict");
			else
				json_object_set(*spec, "resources", v);
		} else if (strcmp(key, "script_name") != 0 && strcmp(key, "docker_image") != 0) {
			json_object_set(*spec, key, v);
		}
	}
}

/* Resolves image (NULL: the host) through [sandbox] images into OUT:
 * root. 1 after answering 400 unknown_image. */
static int
files_image(struct request *req, const char *image, char root[IMAGES_ROOT_MAX + 1])
{
	char list[256], detail[400];

	if (image == NULL) {
		snprintf(root, IMAGES_ROOT_MAX + 1, "host");
		return 0;
	}
	if (images_resolve(req->app->cfg->images, image, root) == 0)
		return 0;
	images_patterns(req->app->cfg->images, list, sizeof(list));
	snprintf(detail, sizeof(detail),
		 "no configured image matches docker_image %s; available: %s",
		 images_name_ok(image) == 0 ? image : "(malformed)", list);
	resp_error(req, KILN_ERR_UNKNOWN_IMAGE, detail);
	return 1;
}

/* Removes what an attempt of the transaction put on disk. */
static void
files_unlink(struct files_txn *t)
{
	size_t k;

	for (k = 0; k < t->linked; k++)
		(void)storage_job_remove(t->cfg, t->jobs[k].id);
	t->linked = 0;
	if (t->dataset_path[0] != '\0')
		(void)unlink(t->dataset_path);
	t->dataset_path[0] = '\0';
}

static enum kiln_err
files_link(struct files_txn *t, int64_t id, const struct job_input *in)
{
	char rel[FILES_NAME_MAX + 8], path[STORAGE_PATH_MAX];

	snprintf(rel, sizeof(rel), "input/%s", in->name);
	storage_job_path(t->cfg, id, rel, path);
	return storage_link(t->cfg, in->tmp, path);
}

static enum kiln_err
files_txn_run(struct db *db, void *arg)
{
	struct files_txn *t = arg;
	enum kiln_err rc;
	size_t k, i;

	files_unlink(t); /* a retry starts clean */
	if (t->dataset != NULL) {
		char name[DATASET_NAME_MAX + 1];

		upload_dataset_name(t->dataset, name);
		if ((rc = upload_store_dataset(db, t->cfg, t->user_id, name, "uploaded with a job",
					       t->dataset, &t->dataset_id, t->dataset_path)) !=
		    KILN_OK)
			return rc;
	}
	if (t->batch_name != NULL && (rc = jobs_batch_insert(db, t->user_id, t->batch_name, NULL, 0,
							     "continue", &t->batch_id)) != KILN_OK)
		return rc;
	for (k = 0; k < t->nj; k++) {
		struct job_new *j = &t->jobs[k];

		j->batch_id = t->batch_id;
		if (t->dataset != NULL)
			j->dataset_id = t->dataset_id;
		if ((rc = jobs_insert(db, j)) != KILN_OK)
			return rc;
		t->linked = k + 1;
		for (i = 0; i < t->ncommon; i++)
			if ((rc = files_link(t, j->id, &t->common[i])) != KILN_OK)
				return rc;
		if (t->shards != NULL && (rc = files_link(t, j->id, &t->shards[k])) != KILN_OK)
			return rc;
	}
	return KILN_OK;
}

/* Stores t's jobs; on failure nothing stays on disk, unless the COMMIT
 * went unanswered: then the files may be a stored job's, and stay (if it
 * was not kept, they are an orphan folder that no row names). */
static enum kiln_err
files_store(struct request *req, struct files_txn *t)
{
	enum kiln_err rc = db_txn(req->app->db, files_txn_run, t);

	if (rc != KILN_OK && !db_txn_unsure(req->app->db))
		files_unlink(t);
	return rc;
}

/* Fills job j from spec (POST /jobs's JSON shape) with its script; the
 * shared checks of jobs_parse_spec apply. 1 after answering (422, 400). */
static int
files_job(struct request *req, json_t *spec, char *script, const char *kind, struct job_new *j,
	  json_t *errs)
{
	int bad_dir = 0;

	json_object_set_new(spec, "script", json_string(script));
	json_object_set_new(spec, "working_dir", json_string("input"));
	free(script);
	if (jobs_parse_spec(spec, errs, j, &bad_dir) || bad_dir) {
		v_reject(req, errs);
		return 1;
	}
	j->kind = kind;
	j->user_id = req->user_id;
	return 0;
}

static const char *const create_parts[] = {"script_file",       "dataset_file", "data_file",
					   "requirements_file", "job_data",     NULL};

enum kiln_err
h_jobs_create_files(struct request *req)
{
	struct upload *up = req->upload;
	json_t *errs = v_new(req), *spec;
	struct upload_file *script = upload_file(up, "script_file");
	struct upload_file *req_file = upload_file(up, "requirements_file");
	struct upload_file *data = upload_file(up, "dataset_file");
	const char *script_name, *image, *run = NULL;
	char root[IMAGES_ROOT_MAX + 1];
	struct files_txn t;
	struct job_new j;
	int over = 0;
	enum kiln_err rc = KILN_OK;

	memset(&j, 0, sizeof(j));
	memset(&t, 0, sizeof(t));
	if (data == NULL)
		data = upload_file(up, "data_file");
	files_unknown_parts(up, create_parts, errs);
	files_job_data(req, files_text(req, "job_data", errs), errs, &spec, &script_name, &image);
	run = files_script_check(up, "script_file", &script_name, errs);
	if (data != NULL && json_object_get(spec, "dataset_id") != NULL)
		v_err(errs, "dataset_file", "give dataset_file or job_data.dataset_id, not both",
		      "value_error.dataset");
	if (data != NULL && strcmp(upload_format(data), "other") == 0)
		v_err(errs, "dataset_file", "must be a zip, tar, tar.gz or csv file",
		      "value_error.format");
	if (v_reject(req, errs) || files_image(req, image, root))
		return KILN_OK;
	if (files_job(req, spec, files_script(run, script_name, req_file != NULL, NULL, 0, 0),
		      JOB_KIND_SCRIPT, &j, errs))
		goto out;
	files_input_set(&t.common[t.ncommon++], "script_file", script_name, script);
	if (req_file != NULL)
		files_input_set(&t.common[t.ncommon++], "requirements_file", FILES_REQUIREMENTS,
				req_file);
	j.image = image;
	j.image_root = root;
	j.inputs_json = files_inputs_json(t.common, t.ncommon, NULL);
	if ((rc = jobs_quote_all(req, &j, 1, &over)) != KILN_OK || over)
		goto out;
	t.cfg = req->app->cfg;
	t.user_id = req->user_id;
	t.jobs = &j;
	t.nj = 1;
	t.dataset = data;
	if ((rc = files_store(req, &t)) == KILN_OK)
		rc = jobs_respond_stored(req, j.id, "pending");
out:
	jobs_spec_free(&j);
	return rc;
}

/* The shards' temporary files, opened one after another by csv_split. */
struct files_shards {
	struct request *req;
	struct job_input *in;
	const char *name;
	int fd;
	size_t k;
	enum kiln_err rc;
};

static void
files_unlink_path(void *p)
{
	(void)unlink(p);
}

/* Closes shard fs->k (recording its size) when one is open. */
static int
files_shard_close(struct files_shards *fs)
{
	struct stat st;
	int rc = 0;

	if (fs->fd < 0)
		return 0;
	if (fstat(fs->fd, &st) != 0)
		rc = -1;
	else
		fs->in[fs->k].size = (uint64_t)st.st_size;
	if (close(fs->fd) != 0)
		rc = -1;
	fs->fd = -1;
	return rc;
}

static int
files_shard_open(void *ctx, size_t k)
{
	struct files_shards *fs = ctx;
	char path[STORAGE_PATH_MAX];
	char *owned;

	if (files_shard_close(fs) != 0)
		return -1;
	if ((fs->fd = storage_tmp_open(fs->req->app->cfg, path)) < 0)
		return -1;
	owned = arena_strdup(fs->req->arena, path);
	arena_defer(fs->req->arena, files_unlink_path, owned);
	fs->k = k;
	fs->in[k].field = "file_data";
	files_name_copy(fs->in[k].name, fs->name);
	fs->in[k].tmp = owned;
	return fs->fd;
}

/* Splits file_data into n shards (temporary files) described by OUT:
 * in[0..n). 1 after answering 422 for a CSV that cannot be split. */
static enum kiln_err
files_split(struct request *req, struct upload_file *f, const struct csv_info *info, size_t n,
	    const char *name, struct job_input *in)
{
	struct files_shards fs = {req, in, name, -1, 0, KILN_OK};
	const char *why = NULL;
	enum kiln_err rc;
	int fd = open(f->tmp, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return KILN_ERR_IO;
	rc = csv_split(fd, info, n, files_shard_open, &fs, &why);
	close(fd);
	if (files_shard_close(&fs) != 0 && rc == KILN_OK)
		rc = KILN_ERR_IO;
	return rc;
}

static const char *const upload_parts[] = {"title",     "user_id",  "shards",    "job_data",
					   "file_code", "file_req", "file_data", NULL};

enum kiln_err
h_jobs_upload(struct request *req)
{
	struct upload *up = req->upload;
	json_t *errs = v_new(req), *spec, *ids, *body;
	struct upload_file *code = upload_file(up, "file_code");
	struct upload_file *req_file = upload_file(up, "file_req");
	struct upload_file *csv = upload_file(up, "file_data");
	const char *title = upload_field(up, "title"), *shards_text = upload_field(up, "shards");
	const char *script_name, *image, *run = NULL, *why = NULL;
	const char *data_name = "data.csv";
	char root[IMAGES_ROOT_MAX + 1], name[256];
	struct csv_info info = {0, NULL, 0};
	struct job_input *shard_in = NULL;
	struct job_new *jobs = NULL;
	struct files_txn t;
	int64_t shards = req->app->cfg->default_shards;
	size_t n = 0, k;
	int over = 0, fd;
	enum kiln_err rc = KILN_OK;

	memset(&t, 0, sizeof(t));
	files_unknown_parts(up, upload_parts, errs);
	files_job_data(req, files_text(req, "job_data", errs), errs, &spec, &script_name, &image);
	if (title == NULL)
		title = "upload";
	if (title[0] == '\0' || strlen(title) > FILES_TITLE_MAX)
		v_err(errs, "title", "1 to 180 characters", "value_error.title");
	if (shards_text != NULL && parse_i64(shards_text, 1, FILES_SHARDS_MAX, &shards) != KILN_OK)
		v_err(errs, "shards", "an integer from 1 to 1000", "value_error.shards");
	run = files_script_check(up, "file_code", &script_name, errs);
	if (csv == NULL)
		v_err(errs, "file_data", "a CSV file part named file_data is required",
		      "value_error.missing");
	else if (jobspec_file_name(csv->filename) == 0 &&
		 strcmp(csv->filename, FILES_REQUIREMENTS) != 0 &&
		 (script_name == NULL || strcmp(csv->filename, script_name) != 0))
		data_name = csv->filename;
	if (script_name != NULL && strcmp(script_name, data_name) == 0)
		v_err(errs, "file_code", "must not have the CSV's name", "value_error.filename");
	if (json_array_size(errs) == 0) {
		if ((fd = open(csv->tmp, O_RDONLY | O_CLOEXEC)) < 0)
			return KILN_ERR_IO;
		rc = csv_count(fd, &info, &why);
		close(fd);
		if (rc == KILN_ERR_BAD_REQUEST)
			v_err(errs, "file_data", why, "value_error.csv");
		else if (rc != KILN_OK)
			return rc;
		else if (info.records == 0)
			v_err(errs, "file_data", "the CSV has a header but no rows",
			      "value_error.csv");
		rc = KILN_OK;
	}
	if (v_reject(req, errs) || files_image(req, image, root))
		goto out;
	n = info.records < (uint64_t)shards ? (size_t)info.records : (size_t)shards;
	shard_in = arena_alloc(req->arena, n * sizeof(*shard_in));
	memset(shard_in, 0, n * sizeof(*shard_in));
	if ((rc = files_split(req, csv, &info, n, data_name, shard_in)) != KILN_OK)
		goto out;
	files_input_set(&t.common[t.ncommon++], "file_code", script_name, code);
	if (req_file != NULL)
		files_input_set(&t.common[t.ncommon++], "file_req", FILES_REQUIREMENTS, req_file);
	if ((jobs = calloc(n, sizeof(*jobs))) == NULL) {
		rc = KILN_ERR_NOMEM;
		goto out;
	}
	for (k = 0; k < n; k++) {
		json_t *one = json_deep_copy(spec);

		if (one == NULL)
			abort();
		arena_defer(req->arena, files_json_decref, one);
		if (json_object_get(one, "name") == NULL) {
			snprintf(name, sizeof(name), "%s [%zu/%zu]", title, k + 1, n);
			json_object_set_new(one, "name", json_string(name));
		}
		if (files_job(req, one,
			      files_script(run, script_name, req_file != NULL, data_name, k + 1, n),
			      JOB_KIND_SHARD, &jobs[k], errs))
			goto out;
		jobs[k].image = image;
		jobs[k].image_root = root;
		jobs[k].inputs_json = files_inputs_json(t.common, t.ncommon, &shard_in[k]);
	}
	if ((rc = jobs_quote_all(req, jobs, n, &over)) != KILN_OK || over)
		goto out;
	t.cfg = req->app->cfg;
	t.user_id = req->user_id;
	t.jobs = jobs;
	t.nj = n;
	t.shards = shard_in;
	t.batch_name = title;
	if ((rc = files_store(req, &t)) != KILN_OK)
		goto out;
	if ((ids = json_array()) == NULL)
		abort();
	for (k = 0; k < n; k++)
		json_array_append_new(ids, json_integer(jobs[k].id));
	snprintf(name, sizeof(name), "Upload successful: %zu rows split into %zu shards",
		 (size_t)info.records, n);
	body = json_pack("{s:I, s:I, s:o, s:I, s:I, s:s, s:s, s:o, s:s}", "job_id",
			 (json_int_t)jobs[0].id, "batch_id", (json_int_t)t.batch_id, "job_ids", ids,
			 "shards", (json_int_t)n, "rows", (json_int_t)info.records, "status",
			 "pending", "message", name, "docker_image",
			 image ? json_string(image) : json_null(), "image_root", root);
	if (body == NULL)
		abort();
	resp_json_new(req, 200, body);
out:
	for (k = 0; jobs != NULL && k < n; k++)
		jobs_spec_free(&jobs[k]);
	free(jobs);
	csv_info_free(&info);
	return rc;
}
