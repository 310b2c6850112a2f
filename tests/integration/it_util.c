/* SPDX-License-Identifier: MIT */
/* it_util.c: HTTP through libcurl, the stack script, /proc lookups and a
 * background load thread for the integration suite (see it.h). */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it.h"

struct it_buf {
	char *p;
	size_t len;
};

static size_t
it_append(char *data, size_t size, size_t nmemb, void *userp)
{
	struct it_buf *b = userp;
	size_t n = size * nmemb;
	char *p = realloc(b->p, b->len + n + 1);

	if (p == NULL)
		abort();
	memcpy(p + b->len, data, n);
	b->len += n;
	p[b->len] = '\0';
	b->p = p;
	return n;
}

int
it_http(const char *method, const char *path, const char *ctype, const char *body, size_t len,
	const char *const *extra, int path_as_is, struct it_resp *r)
{
	const char *base = getenv("KILN_IT_URL");
	size_t ulen = strlen(base) + strlen(path) + 1;
	char *url = malloc(ulen), hdr[512]; /* any length: tests send long URIs */
	struct it_buf b = {NULL, 0}, h = {NULL, 0};
	struct curl_slist *list = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (c == NULL || url == NULL)
		abort();
	snprintf(url, ulen, "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, it_append);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, it_append);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (path_as_is)
		curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (ctype != NULL) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype);
		list = curl_slist_append(list, hdr);
	}
	list = curl_slist_append(list, "Expect:");
	for (; extra != NULL && *extra != NULL; extra++)
		list = curl_slist_append(list, *extra);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		r->curl_error = (int)rc;
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	free(url);
	r->body = b.p ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = h.p ? h.p : calloc(1, 1);
	r->hlen = h.len;
	return rc == CURLE_OK ? 0 : -1;
}

void
it_resp_free(struct it_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

const char *
it_header(const struct it_resp *r, const char *name, char *buf, size_t n)
{
	const char *p = r->headers;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");
		size_t linelen = eol ? (size_t)(eol - p) : strlen(p);

		if (linelen > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t vl;

			while (*v == ' ')
				v++;
			vl = linelen - (size_t)(v - p);
			if (vl >= n)
				vl = n - 1;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			return buf;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

int
it_header_count(const struct it_resp *r, const char *name)
{
	const char *p = r->headers;
	size_t nl = strlen(name);
	int n = 0;

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");

		n += strncasecmp(p, name, nl) == 0 && p[nl] == ':';
		p = eol ? eol + 2 : NULL;
	}
	return n;
}

json_t *
it_json(const struct it_resp *r)
{
	return json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, NULL);
}

long
it_get_status(const char *path)
{
	struct it_resp r;
	long s;

	if (it_http("GET", path, NULL, NULL, 0, NULL, 0, &r) != 0) {
		it_resp_free(&r);
		return -1;
	}
	s = r.status;
	it_resp_free(&r);
	return s;
}

int
it_stack(const char *cmd)
{
	char script[4096];
	pid_t pid;
	int status;

	snprintf(script, sizeof(script), "%s/tests/stack.sh", getenv("KILN_IT_SRCDIR"));
	if ((pid = fork()) == 0) {
		setenv("KILN_SRCDIR", getenv("KILN_IT_SRCDIR"), 1);
		setenv("KILN_BUILDDIR", getenv("KILN_IT_BUILDDIR"), 1);
		execlp("bash", "bash", script, cmd, getenv("KILN_IT_DIR"), (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
it_run_shell(const char *cmd)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
it_api_conf(const char *key, const char *from, const char *to)
{
	char path[4096], cmd[8400];

	it_path("kiln.conf", path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "sed -i 's/^%s = %s$/%s = %s/' '%s'", key, from, key, to, path);
	if (it_stack("api-stop") != 0 || it_run_shell(cmd) != 0)
		return -1;
	return it_stack("api-start");
}

const char *
it_path(const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", getenv("KILN_IT_DIR"), rel);
	return buf;
}

int
it_exists(const char *fmt, ...)
{
	char rel[1024], path[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(rel) &&
	       access(it_path(rel, path, sizeof(path)), F_OK) == 0;
}

pid_t
it_master_pid(void)
{
	return (pid_t)it_pidfile("run/kiln-api.pid");
}

static int
it_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int
it_worker_pids(pid_t master, pid_t *pids, int max)
{
	char path[128];
	FILE *f;
	long pid;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)master, (long)master);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fscanf(f, "%ld", &pid) == 1)
		pids[n++] = (pid_t)pid;
	fclose(f);
	qsort(pids, (size_t)n, sizeof(*pids), it_pid_cmp);
	return n;
}

long long
it_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
it_wait(int timeout_ms, int (*cond)(void *), void *arg)
{
	long long deadline = it_now_ms() + timeout_ms;
	struct timespec step = {0, 20 * 1000 * 1000};

	for (;;) {
		if (cond(arg))
			return 1;
		if (it_now_ms() > deadline)
			return 0;
		nanosleep(&step, NULL);
	}
}

struct it_load {
	pthread_t thread;
	const char *path;
	long want;
	volatile int stop;
	long done, failures;
};

static void *
it_load_main(void *arg)
{
	struct it_load *l = arg;

	while (!l->stop) {
		long s = it_get_status(l->path);

		l->done++;
		if (s != l->want)
			l->failures++;
	}
	return NULL;
}

struct it_load *
it_load_start(const char *path, long want)
{
	struct it_load *l = calloc(1, sizeof(*l));

	if (l == NULL)
		abort();
	l->path = path;
	l->want = want;
	if (pthread_create(&l->thread, NULL, it_load_main, l) != 0)
		abort();
	return l;
}

long
it_load_stop(struct it_load *l, long *failures)
{
	long done;

	l->stop = 1;
	pthread_join(l->thread, NULL);
	done = l->done;
	*failures = l->failures;
	free(l);
	return done;
}

long
it_login(const char *email, const char *password, char *token, size_t n)
{
	char body[600];
	struct it_resp r;
	json_t *j;
	long s;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	it_http("POST", "/api/v1/auth/login", "application/json", body, strlen(body), NULL, 0, &r);
	s = r.status;
	if (s == 200 && (j = it_json(&r)) != NULL) {
		snprintf(token, n, "%s", json_string_value(json_object_get(j, "access_token")));
		json_decref(j);
	}
	it_resp_free(&r);
	return s;
}

int
it_admin_login(char *token, size_t n)
{
	char path[4096], email[256], pw[256];
	FILE *f = fopen(it_path("admin.txt", path, sizeof(path)), "r");
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "%255s %255s", email, pw) == 2;
	fclose(f);
	return ok && it_login(email, pw, token, n) == 200 ? 0 : -1;
}

long
it_call(const char *method, const char *path, const char *token, const char *json,
	struct it_resp *r)
{
	char hdr[4200];
	const char *h[] = {hdr, NULL};

	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token != NULL ? token : "");
	it_http(method, path, json ? "application/json" : NULL, json, json ? strlen(json) : 0,
		token != NULL ? h : NULL, 0, r);
	return r->status;
}

long
it_call_status(const char *method, const char *path, const char *token, const char *json)
{
	struct it_resp r;
	long s = it_call(method, path, token, json, &r);

	it_resp_free(&r);
	return s;
}

long long
it_new_user(const char *email, char *token, size_t n)
{
	char body[512];
	struct it_resp r;
	long long id = 0;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, IT_PASSWORD);
	it_http("POST", "/api/v1/auth/register", "application/json", body, strlen(body), NULL, 0,
		&r);
	if (r.status == 201 && (j = it_json(&r)) != NULL) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	it_resp_free(&r);
	if (id > 0 && it_login(email, IT_PASSWORD, token, n) != 200)
		id = 0;
	return id;
}

long long
it_new_staff(const char *admin_token, const char *email, const char *role, char *token, size_t n)
{
	char body[512];
	struct it_resp r;
	long long id = 0;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\",\"role\":\"%s\"}",
		 email, IT_PASSWORD, role);
	if (it_call("POST", "/api/v1/users", admin_token, body, &r) == 201 &&
	    (j = it_json(&r)) != NULL) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	it_resp_free(&r);
	return id > 0 && it_login(email, IT_PASSWORD, token, n) == 200 ? id : 0;
}

long
it_pidfile(const char *rel)
{
	char path[4096];
	FILE *f = fopen(it_path(rel, path, sizeof(path)), "r");
	long pid = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

int
it_kilnctl(const char *const *args, const char *input, char *out, size_t n)
{
	char bin[4096], conf[4096];
	const char *argv[20];
	int in[2], pfd[2], status, i = 0;
	size_t have = 0;
	ssize_t got;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/scheduler/kilnctl", getenv("KILN_IT_BUILDDIR"));
	it_path("kiln.conf", conf, sizeof(conf));
	argv[i++] = bin;
	argv[i++] = "-c";
	argv[i++] = conf;
	for (; *args != NULL && i < 19; args++)
		argv[i++] = *args;
	argv[i] = NULL;
	if (pipe(in) != 0 || pipe(pfd) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(in[1]);
		close(pfd[0]);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(in[0]);
	close(pfd[1]);
	if (input != NULL)
		(void)!write(in[1], input, strlen(input));
	close(in[1]);
	while (have + 1 < n && (got = read(pfd[0], out + have, n - 1 - have)) > 0)
		have += (size_t)got;
	out[have] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---- jobs, for the suites that run them ---- */

/* The first column of the first row of sql (as root), or -1. */
long long
it_sql_value(const char *sql)
{
	char sock[4096], cmd[8192], buf[64] = "";
	FILE *p;

	it_path("run/mysqld.sock", sock, sizeof(sock));
	snprintf(cmd, sizeof(cmd),
		 "mariadb --no-defaults --socket='%s' -uroot kiln -N -B -e \"%s\"", sock, sql);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	return buf[0] ? strtoll(buf, NULL, 10) : -1;
}

long long
it_upload_dataset(const char *token, const char *name, const char *data, size_t n)
{
	char auth[2100], head[512];
	const char *h[] = {auth, NULL};
	struct it_resp r;
	long long id = 0;
	size_t hl, len;
	char *body;
	json_t *j;

	hl = (size_t)snprintf(
	    head, sizeof(head),
	    "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n",
	    name);
	if ((body = malloc(hl + n + 64)) == NULL)
		return 0;
	memcpy(body, head, hl);
	memcpy(body + hl, data, n);
	len = hl + n + (size_t)snprintf(body + hl + n, 64, "\r\n--B--\r\n");
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	it_http("POST", "/api/v1/datasets", "multipart/form-data; boundary=B", body, len, h, 0, &r);
	free(body);
	if (r.status == 201 && (j = it_json(&r)) != NULL) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	if (id == 0)
		fprintf(stderr, "\n  data set %s: %ld %s", name, r.status, r.body ? r.body : "");
	it_resp_free(&r);
	return id;
}

long long
it_sqlf(const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(q) ? it_sql_value(q) : -1;
}

int
it_grant(const char *admin, long long uid, const char *amount)
{
	char path[128], body[128];
	long s;

	snprintf(path, sizeof(path), "/api/v1/admin/wallet/%lld/grant", uid);
	snprintf(body, sizeof(body), "{\"amount\": %s, \"reason\": \"tests\"}", amount);
	if ((s = it_call_status("POST", path, admin, body)) != 201) {
		fprintf(stderr, "\n  grant %s to user %lld: %ld", amount, uid, s);
		return -1;
	}
	return 0;
}

/* POST /jobs; the job's id, 0 on failure. */
long long
it_post_id(const char *token, const char *path, const char *body, long want)
{
	struct it_resp r;
	long long id = 0;
	json_t *j;

	if (it_call("POST", path, token, body, &r) == want && (j = it_json(&r)) != NULL) {
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
	}
	if (id == 0)
		fprintf(stderr, "\n  POST %s %s: %ld %s", path, body, r.status, r.body);
	it_resp_free(&r);
	return id;
}

long long
it_submit(const char *token, const char *body)
{
	return it_post_id(token, "/api/v1/jobs", body, 202);
}

json_t *
it_get_json(const char *token, const char *path)
{
	struct it_resp r;
	json_t *j = NULL;

	if (it_call("GET", path, token, NULL, &r) == 200)
		j = it_json(&r);
	it_resp_free(&r);
	return j;
}

json_t *
it_item(const json_t *arr, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(it_jstr(json_array_get(arr, i), key), value) == 0)
			return json_array_get(arr, i);
	return NULL;
}

/* GET /jobs/{id}, new, or NULL. */
json_t *
it_job(const char *token, long long id)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	return it_get_json(token, path);
}

const char *
it_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

struct it_want {
	const char *token;
	long long id;
	const char *field; /* "status" or "wait_reason" */
	const char *value; /* "" for any terminal status */
	json_t *last;      /* the job when it held */
};

static int
it_job_is(void *arg)
{
	struct it_want *w = arg;
	json_t *j = it_job(w->token, w->id);
	const char *v;
	int ok;

	if (j == NULL)
		return 0;
	v = it_jstr(j, w->field);
	if (w->value[0] == '\0')
		ok = strcmp(v, "completed") == 0 || strcmp(v, "failed") == 0 ||
		     strcmp(v, "cancelled") == 0 || strcmp(v, "killed_no_credits") == 0;
	else
		ok = strcmp(v, w->value) == 0;
	if (ok) {
		json_decref(w->last);
		w->last = j;
	} else {
		json_decref(j);
	}
	return ok;
}

/* Waits until job id's field is value ("" status: any end); the job then
 * (new), or NULL after timeout_ms. */
json_t *
it_wait_job(const char *token, long long id, const char *field, const char *value, int timeout_ms)
{
	struct it_want w = {token, id, field, value, NULL};

	if (!it_wait(timeout_ms, it_job_is, &w)) {
		json_t *j = it_job(token, id);

		fprintf(stderr, "\n  job %lld: %s never became '%s' (status %s, wait %s)", id,
			field, value, it_jstr(j, "status"), it_jstr(j, "wait_reason"));
		json_decref(j);
		return NULL;
	}
	return w.last;
}

/* A log of job id as a new string ("" when absent). */
char *
it_job_log(long long id, const char *name)
{
	char rel[256], path[4096], *buf = calloc(1, 262144);
	FILE *f;

	snprintf(rel, sizeof(rel), "storage/jobs/%lld/logs/%s", id, name);
	if (buf != NULL && (f = fopen(it_path(rel, path, sizeof(path)), "r")) != NULL) {
		if (fread(buf, 1, 262143, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

int
it_get_same(const char *token, const char *path, int n, const char *want, char *etag, size_t cap)
{
	char tag[256];
	struct it_resp r;
	int i, ok = 1;

	etag[0] = '\0';
	for (i = 0; i < n && ok; i++) {
		it_call("GET", path, token, NULL, &r);
		ok = r.status == 200 && it_header(&r, "ETag", tag, sizeof(tag)) != NULL &&
		     strstr(r.body, want) != NULL && (i == 0 || strcmp(tag, etag) == 0);
		if (!ok)
			fprintf(stderr, "\n  GET #%d of %s: %ld, %s", i, path, r.status, r.body);
		snprintf(etag, cap, "%s", ok ? tag : "");
		it_resp_free(&r);
	}
	return ok;
}
