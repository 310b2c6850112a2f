/* SPDX-License-Identifier: MIT */
/* it.h: helpers for the integration suite, which talks to a real stack
 * (nginx -> kiln-api -> MariaDB) started by tests/integration/run.sh.
 * Environment: KILN_IT_URL (http://127.0.0.1:PORT), KILN_IT_DIR (the
 * stack's directory), KILN_IT_SRCDIR, KILN_IT_BUILDDIR. */
#ifndef KILN_IT_H
#define KILN_IT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define IT_MAX_WORKERS 64

struct it_resp {
	long status;
	char *body; /* NUL-terminated; new, freed by it_resp_free */
	size_t len;
	char *headers; /* raw header block, new */
	size_t hlen;
	int curl_error; /* non-zero when the request failed at transport level */
};

/* One HTTP request to KILN_IT_URL + path. ctype and body may be NULL.
 * extra: NULL-terminated "Name: value" header lines or NULL. path_as_is
 * stops curl from normalising "..". Returns 0 when a response arrived. */
int it_http(const char *method, const char *path, const char *ctype, const char *body, size_t len,
	    const char *const *extra, int path_as_is, struct it_resp *r);
void it_resp_free(struct it_resp *r);

/* Value of a response header (case-insensitive name) into OUT: buf, or NULL. */
const char *it_header(const struct it_resp *r, const char *name, char *buf, size_t n);
/* How many times header name (any case) came in r. */
int it_header_count(const struct it_resp *r, const char *name);

/* GETs path as token n times (which spreads them over kiln-api's
 * workers): 1 when every answer is 200 with want in its body and the same
 * ETag, copied to OUT: etag. */
int it_get_same(const char *token, const char *path, int n, const char *want, char *etag,
		size_t cap);

/* Parses the body as JSON (new reference) or NULL. */
json_t *it_json(const struct it_resp *r);

/* Status of GET path, or -1 on transport failure. */
long it_get_status(const char *path);

/* Runs tests/stack.sh CMD on the stack's directory. Returns its exit code. */
int it_stack(const char *cmd);

/* The password it_new_user gives every account it makes. */
#define IT_PASSWORD "securepass123"

/* POST /auth/login; copies the access token to OUT: token. The status. */
long it_login(const char *email, const char *password, char *token, size_t n);
/* Logs in as the stack's first admin (DIR/admin.txt). 0 or -1. */
int it_admin_login(char *token, size_t n);
/* method path with a bearer token (NULL: none) and an optional JSON body;
 * OUT: r. */
long it_call(const char *method, const char *path, const char *token, const char *json,
	     struct it_resp *r);
long it_call_status(const char *method, const char *path, const char *token, const char *json);
/* Registers email with IT_PASSWORD and logs in; OUT: token. The id, or 0. */
long long it_new_user(const char *email, char *token, size_t n);
/* Creates email with role through the admin API (as admin_token) and logs
 * in; OUT: token. The id, or 0. */
long long it_new_staff(const char *admin_token, const char *email, const char *role, char *token,
		       size_t n);
/* The pid in a pid file under the stack directory, or -1. */
long it_pidfile(const char *rel);
/* Runs the stack's kilnctl with args (NULL-terminated; -c is added) and
 * input on stdin; output into OUT: out. Its exit code, or -1. */
int it_kilnctl(const char *const *args, const char *input, char *out, size_t n);

/* Changes "key = from" to "key = to" in the stack's kiln.conf and restarts
 * kiln-api (new workers, new pids); 0 or -1. */
int it_api_conf(const char *key, const char *from, const char *to);
/* Runs a shell command line; its exit code. */
int it_run_shell(const char *cmd);

/* Path under the stack directory into OUT: buf. */
const char *it_path(const char *rel, char *buf, size_t n);
/* 1 when the file at the printf-style path under the stack directory
 * exists. */
int it_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kiln-api's master pid from its pid file, or -1. */
pid_t it_master_pid(void);

/* The master's current children into OUT: pids (sorted); count. */
int it_worker_pids(pid_t master, pid_t *pids, int max);

/* Polls cond(arg) every 20 ms until it returns non-zero or timeout_ms
 * passes. Returns 1 when the condition held. */
int it_wait(int timeout_ms, int (*cond)(void *), void *arg);

/* Milliseconds on a monotonic clock. */
long long it_now_ms(void);

/* Background load: a thread that GETs path in a loop, counting responses
 * whose status is not want (or transport errors). */
struct it_load;
struct it_load *it_load_start(const char *path, long want);
/* Stops the thread; returns requests done, OUT: *failures. */
long it_load_stop(struct it_load *l, long *failures);

/* A raw FastCGI client (fcgi_client.c) for tests that must hold a request
 * open inside a worker. Connects to the unix socket at path. -1 on error. */
int fcgi_connect(const char *path);
/* Sends BEGIN_REQUEST and the params (NULL-terminated "KEY=VALUE"); with
 * finish=0 leaves the params stream open (no empty PARAMS record). */
int fcgi_send_params(int fd, const char *const *env, int finish);
/* Bytes this client sent that the server has not read yet (SIOCOUTQ), or
 * -1. Zero after a send means a worker accepted the connection and read. */
long fcgi_unread(int fd);
/* Ends the params stream and sends an empty stdin. */
int fcgi_end_request(int fd);
/* Reads stdout records until END_REQUEST into OUT: buf. Returns bytes or -1. */
long fcgi_read_response(int fd, char *buf, size_t n, int timeout_ms);

/* Jobs, for the suites that run them (the stack's scheduler running). */
/* The first column of the first row of sql run as root, or -1. */
long long it_sql_value(const char *sql);
/* POST /datasets of n bytes of data as a file called name; the data set's
 * id, or 0 (said on stderr). */
long long it_upload_dataset(const char *token, const char *name, const char *data, size_t n);
/* it_sql_value of the printf-formatted query. */
long long it_sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grants amount ("10", "0.003") credits to uid as the admin token; 0, or
 * -1 (said on stderr). Usable in a suite's set-up. */
int it_grant(const char *admin, long long uid, const char *amount);
/* POST path of body (JSON) as token; the answer's id when its status is
 * want, else 0 (said on stderr). */
long long it_post_id(const char *token, const char *path, const char *body, long want);
/* POST /jobs of body; the job's id, 0 on failure (said on stderr). */
long long it_submit(const char *token, const char *body);
/* GET /jobs/{id}: new, or NULL. */
/* GET path as token (NULL: none): the body of a 200 (new), or NULL. */
json_t *it_get_json(const char *token, const char *path);
/* The first object of arr whose string member key equals value
 * (borrowed), or NULL. */
json_t *it_item(const json_t *arr, const char *key, const char *value);
json_t *it_job(const char *token, long long id);
/* A string member of o, "" when absent. Borrowed. */
const char *it_jstr(const json_t *o, const char *key);
/* Polls until job id's field is value ("" with "status": any end); the
 * job then (new), or NULL after timeout_ms (said on stderr). */
json_t *it_wait_job(const char *token, long long id, const char *field, const char *value,
		    int timeout_ms);
/* A file under the job's logs/ as a new string ("" when absent). */
char *it_job_log(long long id, const char *name);

/* Suites. */
void suite_http(void);
void suite_db(void);
void suite_dblayer(void);
void suite_process(void);
void suite_auth(void);
void suite_users(void);
void suite_wallet(void);
void suite_intake(void);
void suite_jobs(void);
void suite_files(void);
void suite_run(void);
void suite_results(void);
void suite_ops(void);
void suite_render(void);

#endif
