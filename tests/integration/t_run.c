/* SPDX-License-Identifier: MIT */
/* t_run.c: real jobs through the real scheduler and kiln-run, in
 * bubblewrap: exit codes and logs; a python job with a data set and
 * outputs; per-user concurrency read back from the events; credits and
 * the daily cap holding jobs, then releasing them; credits running out
 * mid-job; timeout; cancel; a killed or frozen supervisor (requeue, and
 * the lease that keeps a returning one from writing); kill -9 of the
 * scheduler while it ticks; and sandbox escapes that must all fail.
 * The stack's scheduler ticks every 200 ms with 2 simulated GPUs, a 1 s
 * kill grace, a 4 s job_lost_seconds and a 2 s minimum hold. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "it.h"

#define KILL_GRACE_MS 1000
#define JOB_LOST_MS 4000

static char admin[2048];

static int
run_init(void)
{
	if (it_admin_login(admin, sizeof(admin)) != 0)
		return 1;
	/* the suites before left pending jobs that were never meant to run */
	if (it_sql_value("UPDATE jobs SET status = 'cancelled', finished_at = NOW(6)"
			 " WHERE status = 'pending'; SELECT 0") != 0)
		return 1;
	return it_stack("sched-start") == 0 ? 0 : 1;
}

static int
run_clean(void)
{
	return it_stack("sched-stop") == 0 ? 0 : 1;
}

static void
test_exit_code_and_logs(void)
{
	char u[2048];
	long long uid = it_new_user("run-exit@example.com", u, sizeof(u)), id;
	json_t *j;
	char *out, *err;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	id = it_submit(u, "{\"script\": \"echo out; echo err >&2; exit 3\","
			  " \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "exit_code");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "exit_code")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
	CU_ASSERT(json_real_value(json_object_get(j, "actual_cost")) > 0);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(j, "started_at"));
	json_decref(j);
	out = it_job_log(id, "stdout.log");
	err = it_job_log(id, "stderr.log");
	CU_ASSERT_STRING_EQUAL(out, "out\n");
	CU_ASSERT_STRING_EQUAL(err, "err\n");
	free(out);
	free(err);
	out = it_job_log(id, "end.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout_bytes\": 4"));
	free(out);
	/* the history: submitted, claimed, running, failed */
	{
		char path[64];
		struct it_resp r;

		snprintf(path, sizeof(path), "/api/v1/jobs/%lld/events", id);
		CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"preparing\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"running\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"to_status\":\"failed\""));
		it_resp_free(&r);
	}
	/* the hold went back: nothing reserved, the charge in the ledger */
	{
		char q[256];

		snprintf(q, sizeof(q), "SELECT reserved_micros FROM users WHERE id = %lld", uid);
		CU_ASSERT_EQUAL(it_sql_value(q), 0);
		snprintf(
		    q, sizeof(q),
		    "SELECT COUNT(*) FROM wallet_ledger WHERE job_id = %lld AND type = 'charge'",
		    id);
		CU_ASSERT_EQUAL(it_sql_value(q), 1);
	}
}

/* A job's GPUs reach it by name: CUDA_VISIBLE_DEVICES and
 * NVIDIA_VISIBLE_DEVICES list its gpu_ids, and CUDA_DEVICE_ORDER makes
 * CUDA number them by PCI bus as nvidia-smi (and so the scheduler) does;
 * a job may not set those, and a variable it sets that kiln also sets
 * (LANG) is there once, with the job's value.
 * The stack's node has 2 simulated GPUs; docs/benchmarks.md has the same
 * names reaching CUDA in the sandbox on an H100. */
static void
test_gpu_env(void)
{
	static const char script[] =
	    "\"script\": \"printf '%s|%s|%s' \\\"$CUDA_VISIBLE_DEVICES\\\""
	    " \\\"$NVIDIA_VISIBLE_DEVICES\\\" \\\"$CUDA_DEVICE_ORDER\\\"\"";
	char u[2048], body[512], list[32], want[96];
	long long uid = it_new_user("run-gpuenv@example.com", u, sizeof(u)), id;
	int gpus;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	/* the GPU names are kiln's to set */
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/jobs", u,
			   "{\"command\": [\"true\"], \"env\": {\"NVIDIA_VISIBLE_DEVICES\":"
			   " \"all\"}}"),
	    422);
	for (gpus = 0; gpus <= 2; gpus += 2) {
		json_t *j, *ids;
		char *out;
		size_t i, n = 0;

		snprintf(body, sizeof(body), "{%s, \"resources\": {\"gpus\": %d}}", script, gpus);
		id = it_submit(u, body);
		CU_ASSERT_FATAL(id > 0);
		j = it_wait_job(u, id, "status", "", 20000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
		ids = json_object_get(j, "gpu_ids");
		CU_ASSERT_EQUAL(json_array_size(ids), (size_t)gpus);
		list[0] = '\0';
		for (i = 0; i < json_array_size(ids); i++)
			n +=
			    (size_t)snprintf(list + n, sizeof(list) - n, "%s%lld", i ? "," : "",
					     (long long)json_integer_value(json_array_get(ids, i)));
		snprintf(want, sizeof(want), "%s|%s|PCI_BUS_ID", list, n ? list : "void");
		out = it_job_log(id, "stdout.log");
		CU_ASSERT_STRING_EQUAL(out, want);
		free(out);
		json_decref(j);
	}
	/* env itself (no shell between, which would fold duplicates) */
	id = it_submit(u, "{\"command\": [\"env\"], \"env\": {\"LANG\": \"en_US.UTF-8\"}}");
	CU_ASSERT_FATAL(id > 0);
	json_decref(it_wait_job(u, id, "status", "completed", 20000));
	{
		char *out = it_job_log(id, "stdout.log"), *p = out;
		int lang = 0;

		while ((p = strstr(p, "\nLANG=")) != NULL)
			lang++, p++;
		CU_ASSERT_EQUAL(lang + (strncmp(out, "LANG=", 5) == 0), 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "LANG=en_US.UTF-8\n"));
		free(out);
	}
}

/* A multipart python job reading its data set, writing outputs and
 * progress. */
static void
test_python_outputs(void)
{
	static const char script[] =
	    "import csv, json, os\n"
	    "rows = list(csv.DictReader(open(os.environ['KILN_DATASET'])))\n"
	    "total = sum(int(r['n']) for r in rows)\n"
	    "out = os.environ['KILN_OUTPUT_DIR']\n"
	    "os.makedirs(out + '/plots', exist_ok=True)\n"
	    "json.dump({'rows': len(rows), 'total': total}, open(out + '/result.json', 'w'))\n"
	    "open(out + '/plots/p.txt', 'w').write('plot')\n"
	    "os.symlink('/etc/passwd', out + '/link')\n"
	    "open(os.environ['KILN_PROGRESS_FILE'], 'w').write('60')\n"
	    "print('rows', len(rows), 'cwd', os.getcwd())\n";
	static const char data[] = "name,n\na,1\nb,2\nc,39\n";
	char u[2048], body[4096], auth[2100], rel[256], path[4096];
	const char *h[] = {auth, NULL};
	long long uid = it_new_user("run-py@example.com", u, sizeof(u)), id;
	struct it_resp r;
	json_t *j;
	char *out;
	int len;
	FILE *f;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	len = snprintf(body, sizeof(body),
		       "--B\r\nContent-Disposition: form-data; name=\"script_file\"; "
		       "filename=\"train.py\"\r\n\r\n%s\r\n"
		       "--B\r\nContent-Disposition: form-data; name=\"dataset_file\"; "
		       "filename=\"data.csv\"\r\n\r\n%s\r\n"
		       "--B\r\nContent-Disposition: form-data; name=\"requirements_file\"; "
		       "filename=\"requirements.txt\"\r\n\r\nnumpy\r\n"
		       "--B\r\nContent-Disposition: form-data; name=\"job_data\"\r\n\r\n"
		       "{\"docker_image\": \"python:3.11\", \"resource_config\": {\"gpus\": 0}}\r\n"
		       "--B--\r\n",
		       script, data);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u);
	it_http("POST", "/api/v1/jobs", "multipart/form-data; boundary=B", body, (size_t)len, h, 0,
		&r);
	CU_ASSERT_EQUAL_FATAL(r.status, 202);
	j = it_json(&r);
	it_resp_free(&r);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	j = it_wait_job(u, id, "status", "", 30000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	if (strcmp(it_jstr(j, "status"), "completed") != 0) {
		char *e = it_job_log(id, "stderr.log");

		fprintf(stderr, "\n  python job: %s %s", it_jstr(j, "status"), e);
		free(e);
	}
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(j, "progress")), 100, 0.001);
	json_decref(j);
	out = it_job_log(id, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "rows 3 cwd /workspace/input\n");
	free(out);
	/* pip is off by default: the requirements are left, and it says so */
	out = it_job_log(id, "stderr.log");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "allow_pip is off"));
	free(out);
	/* two regular files registered; the symbolic link is not */
	snprintf(body, sizeof(body), "SELECT COUNT(*) FROM job_outputs WHERE job_id = %lld", id);
	CU_ASSERT_EQUAL(it_sql_value(body), 2);
	snprintf(body, sizeof(body),
		 "SELECT size_bytes FROM job_outputs WHERE job_id = %lld AND path = 'result.json'"
		 " AND content_type = 'application/json' AND LENGTH(sha256) = 64",
		 id);
	CU_ASSERT_EQUAL(it_sql_value(body), (long long)strlen("{\"rows\": 3, \"total\": 42}"));
	snprintf(rel, sizeof(rel), "storage/jobs/%lld/outputs/result.json", id);
	f = fopen(it_path(rel, path, sizeof(path)), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(body, sizeof(body), f));
	CU_ASSERT_STRING_EQUAL(body, "{\"rows\": 3, \"total\": 42}");
	fclose(f);
}

/* Five jobs under a limit of two: never more than two under way. */
static void
test_concurrency(void)
{
	char u[2048], path[128], q[512];
	long long uid = it_new_user("run-conc@example.com", u, sizeof(u)), ids[5];
	long long peak;
	int i;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	snprintf(path, sizeof(path), "/api/v1/admin/limits/users/%lld", uid);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, "{\"max_concurrent_jobs\": 2}"), 200);
	for (i = 0; i < 5; i++) {
		ids[i] =
		    it_submit(u, "{\"command\": [\"sleep\", \"1\"], \"resources\": {\"gpus\": 0}}");
		CU_ASSERT_FATAL(ids[i] > 0);
	}
	/* the last one waits, and says why, while two run */
	{
		json_t *j = it_wait_job(u, ids[4], "wait_reason", "user_concurrency_limit", 10000);

		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
	}
	for (i = 0; i < 5; i++) {
		json_t *j = it_wait_job(u, ids[i], "status", "completed", 30000);

		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
	}
	/* replay the events in order: +1 when claimed, -1 when ended */
	snprintf(q, sizeof(q),
		 "SELECT MAX(c) FROM (SELECT SUM(CASE WHEN e.to_status = 'preparing' THEN 1"
		 " WHEN e.to_status = 'completed' THEN -1 ELSE 0 END) OVER (ORDER BY e.id) AS c"
		 " FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE j.user_id = %lld) x",
		 uid);
	peak = it_sql_value(q);
	CU_ASSERT_EQUAL(peak, 2);
	/* each ran once */
	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM job_events e JOIN jobs j ON j.id = e.job_id"
		 " WHERE j.user_id = %lld AND e.to_status = 'running'",
		 uid);
	CU_ASSERT_EQUAL(it_sql_value(q), 5);
}

/* No credits, then a cap too low: pending with the reason, then runs. */
static void
test_credits_and_cap(void)
{
	char u[2048], path[128];
	long long uid = it_new_user("run-credits@example.com", u, sizeof(u)), id;
	json_t *j;

	id = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "wait_reason", "insufficient_credits", 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "pending");
	CU_ASSERT(json_integer_value(json_object_get(j, "queue_position")) >= 1);
	json_decref(j);
	/* a cap below the minimum hold (2 s x 22 micros/s) */
	snprintf(path, sizeof(path), "/api/v1/admin/limits/users/%lld", uid);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, "{\"daily_cost_cap\": 0.00004}"), 200);
	CU_ASSERT_EQUAL(it_grant(admin, uid, "1"), 0);
	j = it_wait_job(u, id, "wait_reason", "daily_cost_cap", 10000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, "{\"daily_cost_cap\": 10}"), 200);
	j = it_wait_job(u, id, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
}

/* A wallet that runs dry while the job runs. */
static void
test_credits_run_out(void)
{
	static const char *const args[] = {"audit", NULL};
	char u[2048], q[256], out[8192];
	long long uid = it_new_user("run-dry@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "0.003"),
			0); /* 3000 micros: about 6 s of one GPU at 522 micros/s */
	id = it_submit(u, "{\"command\": [\"sleep\", \"60\"], \"resources\": {\"gpus\": 1}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 30000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "killed_no_credits");
	CU_ASSERT(json_real_value(json_object_get(j, "actual_cost")) <= 0.003 + 1e-9);
	json_decref(j);
	snprintf(q, sizeof(q), "SELECT balance_micros + reserved_micros FROM users WHERE id = %lld",
		 uid);
	CU_ASSERT(it_sql_value(q) >= 0 && it_sql_value(q) < 3000);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
	/* today's spend, which the daily cap reads, is what was charged; the
	 * audit notices when it is not */
	CU_ASSERT_EQUAL(
	    it_sqlf(
		"SELECT COALESCE(SUM(charged_micros), 0) + (SELECT COALESCE(SUM(amount_micros), 1)"
		" FROM wallet_ledger WHERE user_id = %lld AND type = 'charge')"
		" FROM user_spend WHERE user_id = %lld AND day = CURRENT_DATE()",
		uid, uid),
	    0);
	CU_ASSERT_EQUAL(it_sqlf("UPDATE user_spend SET charged_micros = charged_micros + 1"
				" WHERE user_id = %lld; SELECT ROW_COUNT()",
				uid),
			1);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "charged that day"));
	CU_ASSERT_EQUAL(it_sqlf("UPDATE user_spend SET charged_micros = charged_micros - 1"
				" WHERE user_id = %lld; SELECT ROW_COUNT()",
				uid),
			1);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
}

static void
test_timeout_and_cancel(void)
{
	char u[2048], path[128];
	long long uid = it_new_user("run-stop@example.com", u, sizeof(u)), t, c, start;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	t = it_submit(u, "{\"command\": [\"sleep\", \"30\"],"
			 " \"resources\": {\"gpus\": 0, \"timeout_seconds\": 2}}");
	c = it_submit(u, "{\"command\": [\"sleep\", \"30\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(t > 0 && c > 0);
	j = it_wait_job(u, t, "status", "", 15000);
	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "timeout");
	json_decref(j);
	json_decref(it_wait_job(u, c, "status", "running", 10000));
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", c);
	start = it_now_ms();
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 202); /* asked; kiln-run ends it */
	j = it_wait_job(u, c, "status", "cancelled", KILL_GRACE_MS + 2000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	fprintf(stderr, "[cancelled in %lld ms] ", it_now_ms() - start);
}

/* Memory past memory_limit ends the job; a log past max_log_bytes (64k
 * here) is cut with a marker, and end.json tells what was sent. */
static void
test_memory_and_log_caps(void)
{
	char u[2048];
	long long uid = it_new_user("run-caps@example.com", u, sizeof(u)), m, l;
	json_t *j;
	char *out;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	m = it_submit(
	    u, "{\"command\": [\"python3\", \"-c\", \"import time; b = bytearray(400 << 20);"
	       " time.sleep(30)\"], \"resources\": {\"gpus\": 0, \"memory_limit\": \"128m\"}}");
	l = it_submit(u, "{\"script\": \"head -c 100000 /dev/zero | tr '\\\\0' x\","
			 " \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(m > 0 && l > 0);
	j = it_wait_job(u, m, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "memory_limit");
	json_decref(j);
	j = it_wait_job(u, l, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	out = it_job_log(l, "stdout.log");
	CU_ASSERT_EQUAL(strspn(out, "x"), 65536);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[kiln: log truncated at 65536 bytes]"));
	free(out);
	out = it_job_log(l, "end.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout_bytes\": 100000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout_truncated\": true"));
	free(out);
}

/* Uploads the file at rel (under the stack's folder) as a data set named
 * name; its id, or 0. */
static long long
upload_dataset(const char *token, const char *rel, const char *name)
{
	char path[1024], *data = malloc(1 << 20);
	FILE *f = fopen(it_path(rel, path, sizeof(path)), "rb");
	long long id = 0;

	if (f != NULL && data != NULL)
		id = it_upload_dataset(token, name, data, fread(data, 1, 1 << 20, f));
	if (f != NULL)
		fclose(f);
	free(data);
	return id;
}

/* A zip data set is unpacked into data/ for the job; one whose paths
 * leave data/ fails the job before it starts (bad_dataset). */
static void
test_dataset_archives(void)
{
	char u[2048], dir[1024], cmd[4096], body[256];
	long long uid = it_new_user("run-zip@example.com", u, sizeof(u)), good, evil, gz, a, b, c;
	json_t *j;
	char *out;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	it_path("", dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && python3 -c \"import zipfile\n"
		 "with zipfile.ZipFile('good.zip', 'w') as z: z.writestr('train/a.csv', "
		 "'n\\n1\\n2\\n')\n"
		 "with zipfile.ZipFile('evil.zip', 'w') as z: z.writestr('../evil.txt', 'x')\n"
		 "import gzip\n"
		 "with gzip.open('sales.csv.gz', 'wb') as g: g.write(b'n\\n1\\n2\\n3\\n')\"",
		 dir);
	CU_ASSERT_EQUAL_FATAL(it_run_shell(cmd), 0);
	good = upload_dataset(u, "good.zip", "good.zip");
	evil = upload_dataset(u, "evil.zip", "evil.zip");
	gz = upload_dataset(u, "sales.csv.gz", "sales.csv.gz");
	CU_ASSERT_FATAL(good > 0 && evil > 0 && gz > 0);
	/* one gzip-compressed file is no archive: the job gets it as it is */
	snprintf(body, sizeof(body),
		 "{\"script\": \"basename $KILN_DATASET; gunzip -c $KILN_DATASET | wc -l\","
		 " \"dataset_id\": %lld, \"resources\": {\"gpus\": 0}}",
		 gz);
	c = it_submit(u, body);
	CU_ASSERT_FATAL(c > 0);
	j = it_wait_job(u, c, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	out = it_job_log(c, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "sales.csv.gz\n4\n");
	free(out);
	snprintf(body, sizeof(body),
		 "{\"script\": \"wc -l < $KILN_DATASET/train/a.csv\", \"dataset_id\": %lld,"
		 " \"resources\": {\"gpus\": 0}}",
		 good);
	a = it_submit(u, body);
	snprintf(body, sizeof(body),
		 "{\"script\": \"echo ran\", \"dataset_id\": %lld, \"resources\": {\"gpus\": 0}}",
		 evil);
	b = it_submit(u, body);
	CU_ASSERT_FATAL(a > 0 && b > 0);
	j = it_wait_job(u, a, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	out = it_job_log(a, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "3\n");
	free(out);
	j = it_wait_job(u, b, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "bad_dataset");
	json_decref(j);
	out = it_job_log(b, "stderr.log");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "leaves the data folder"));
	free(out);
	out = it_job_log(b, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, ""); /* it never ran */
	free(out);
	snprintf(cmd, sizeof(cmd), "storage/jobs/%lld/evil.txt", b);
	CU_ASSERT_NOT_EQUAL(access(it_path(cmd, dir, sizeof(dir)), F_OK), 0);
}

struct progress_at {
	const char *token;
	long long id;
	double value;
};

static int
progress_is(void *arg)
{
	struct progress_at *p = arg;
	json_t *j = it_job(p->token, p->id);
	int at =
	    j != NULL && fabs(json_number_value(json_object_get(j, "progress")) - p->value) < 0.001;

	json_decref(j);
	return at;
}

/* kiln-run reads the progress file as root: a job that turns .kiln into a
 * link to a folder of its choosing is not followed there (here a folder
 * of its own holding 55; anywhere else on the host in an attack), and
 * once the link is gone its own file counts again. */
static void
test_progress_link(void)
{
	char u[2048];
	long long uid = it_new_user("run-progress@example.com", u, sizeof(u));
	struct progress_at p = {u, 0, 55};
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	p.id = it_submit(u, "{\"script\": \"cd $(dirname $(dirname $KILN_PROGRESS_FILE));"
			    " mkdir real; echo 55 > real/progress; mv .kiln old; ln -s real .kiln;"
			    " sleep 3; rm .kiln; mv old .kiln; echo 42 > .kiln/progress; sleep 3\","
			    " \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(p.id > 0);
	j = it_wait_job(u, p.id, "status", "running", 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j); /* the window below is the job's */
	json_decref(j);
	CU_ASSERT(!it_wait(3000, progress_is, &p)); /* never 55 */
	p.value = 42;
	CU_ASSERT(it_wait(5000, progress_is, &p));
	j = it_wait_job(u, p.id, "status", "completed", 10000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
}

/* The pid of the kiln-run supervising job id for this stack (its
 * kiln.conf: a kiln-run of an earlier stack may still be retrying), or 0. */
static pid_t
supervisor(long long id)
{
	char want[32], conf[4096], path[300], buf[4096];
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t pid = 0;

	snprintf(want, sizeof(want), "%lld", id);
	it_path("kiln.conf", conf, sizeof(conf));
	while (d != NULL && pid == 0 && (e = readdir(d)) != NULL) {
		FILE *f;
		size_t n, i;
		const char *last = NULL;
		int mine;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strstr(buf, "kiln-run") == NULL)
			continue;
		mine = 0;
		for (i = 0; i + 1 < n; i++) /* the last argument is the job id */
			if (buf[i] == '\0') {
				last = buf + i + 1;
				mine |= strcmp(last, conf) == 0;
			}
		if (mine && last != NULL && strcmp(last, want) == 0)
			pid = (pid_t)strtol(e->d_name, NULL, 10);
	}
	if (d != NULL)
		closedir(d);
	return pid;
}

struct attempts {
	const char *token;
	long long id, want;
};

static int
running_attempt(void *arg)
{
	struct attempts *a = arg;
	json_t *j = it_job(a->token, a->id);
	int ok = j != NULL && strcmp(it_jstr(j, "status"), "running") == 0 &&
		 json_integer_value(json_object_get(j, "attempts")) == a->want;

	json_decref(j);
	return ok;
}

/* Starts the scheduler (stopped) with the test switch name set to value
 * for it and the kiln-runs it starts; the tests' own environment keeps
 * nothing of it. 0, or -1 when the stack would not start it. */
static int
sched_start_with(const char *name, const char *value)
{
	int rc;

	setenv(name, value, 1);
	rc = it_stack("sched-start");
	unsetenv(name);
	return rc == 0 ? 0 : -1;
}

/* A job sleeping a minute, running, whose supervisor is then killed:
 * its id (the job is left for the reaper). */
static long long
sleeper_lost(const char *u, int max_attempts)
{
	char body[160];
	long long id;
	pid_t pid;

	snprintf(body, sizeof(body),
		 "{\"command\": [\"sleep\", \"60\"], \"resources\": {\"gpus\": 0},"
		 " \"max_attempts\": %d}",
		 max_attempts);
	id = it_submit(u, body);
	CU_ASSERT_FATAL(id > 0);
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	pid = supervisor(id);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
	return id;
}

/* kill -9 of a supervisor: requeued and run again. SIGSTOP of the next
 * one until it is given up on: when it wakes it writes nothing. */
static void
test_lost_supervisor(void)
{
	char u[2048], path[128], q[256];
	long long uid = it_new_user("run-lost@example.com", u, sizeof(u)), id;
	struct attempts a = {u, 0, 2};
	pid_t pid;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	a.id = id = sleeper_lost(u, 3);
	/* the reaper requeues it after job_lost_seconds; a new claim runs it */
	CU_ASSERT(it_wait(JOB_LOST_MS + 6000, running_attempt, &a));
	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND to_status = 'pending'"
		 " AND reason LIKE 'supervisor lost%%'",
		 id);
	CU_ASSERT_EQUAL(it_sql_value(q), 1);
	/* freeze the second supervisor past job_lost_seconds */
	pid = supervisor(id);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, SIGSTOP), 0);
	a.want = 3;
	CU_ASSERT(it_wait(JOB_LOST_MS + 6000, running_attempt, &a));
	/* it wakes: its lease is gone, so the job stays the third's */
	CU_ASSERT_EQUAL(kill(pid, SIGCONT), 0);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	{
		long long until = it_now_ms() + 5000;

		while (access(path, F_OK) == 0 && it_now_ms() < until)
			usleep(50000);
	}
	j = it_job(u, id);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "running");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 3);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", id);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 202);
	j = it_wait_job(u, id, "status", "cancelled", KILL_GRACE_MS + 3000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	/* one hold released per attempt; nothing left reserved */
	snprintf(q, sizeof(q), "SELECT reserved_micros FROM users WHERE id = %lld", uid);
	CU_ASSERT_EQUAL(it_sql_value(q), 0);
}

/* The host's storage at fault (a test switch makes kiln-run meet ENOSPC
 * while it prepares): the job is given back and this node claims nothing
 * for job_lost_seconds, so that it does not take job after job and fail
 * them all; the other job waits meanwhile; an undrain ends the hold. */
static void
test_prepare_host_fault(void)
{
	char u[2048], path[96];
	long long uid = it_new_user("run-prephost@example.com", u, sizeof(u)), id, next, node;
	struct it_resp r;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	id = it_submit(
	    u, "{\"command\": [\"true\"], \"max_attempts\": 1, \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL_FATAL(sched_start_with("KILN_TEST_RUN_PREPARE_ERRNO", "28"), 0);
	j = it_wait_job(u, id, "status", "failed", 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "prepare_failed");
	json_decref(j);
	node = it_sqlf("SELECT id FROM nodes WHERE claim_hold_until > NOW(6)");
	CU_ASSERT_FATAL(node > 0);
	/* longer, so that what follows does not race the hold's end */
	CU_ASSERT_EQUAL(it_sqlf("UPDATE nodes SET claim_hold_until = NOW(6) + INTERVAL 60 SECOND"
				" WHERE id = %lld; SELECT ROW_COUNT()",
				node),
			1);
	CU_ASSERT_EQUAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	/* held: a new job waits as if the node drained */
	next = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(next > 0);
	j = it_wait_job(u, next, "wait_reason", "node_draining", 5000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	/* staff see it */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/nodes", admin, NULL, &r), 200);
	CU_ASSERT(strstr(r.body, "\"claim_hold_until\":\"20") != NULL);
	it_resp_free(&r);
	/* an undrain ends the hold: the job runs */
	snprintf(path, sizeof(path), "/api/v1/nodes/%lld/undrain", node);
	CU_ASSERT_EQUAL(it_call("POST", path, admin, NULL, &r), 200);
	CU_ASSERT(strstr(r.body, "\"claim_hold_until\":null") != NULL);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM nodes WHERE claim_hold_until IS NOT NULL"),
			0);
	json_decref(it_wait_job(u, next, "status", "completed", 10000));
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM jobs WHERE id = %lld AND status = 'completed'", next), 1);
}

/* A pending job moved to running by hand (seed 004's worker reports
 * that way), and then left with no report: after job_lost_seconds the
 * reaper takes it back as it does a silent supervisor's, and a claim runs
 * it, rather than it holding its owner's slot for ever. */
static void
test_hand_moved_left(void)
{
	char u[2048], path[96], q[256];
	long long uid = it_new_user("run-handmoved@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	id = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin, "{\"status\": \"preparing\"}"), 200);
	CU_ASSERT_EQUAL(
	    it_call_status("PATCH", path, admin, "{\"status\": \"processing\", \"progress\": 10}"),
	    200);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	j = it_wait_job(u, id, "status", "completed", 3 * JOB_LOST_MS + 10000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND from_status = 'running'"
		 " AND to_status = 'pending' AND reason LIKE 'supervisor lost%%'",
		 id);
	CU_ASSERT_EQUAL(it_sql_value(q), 1);
}

/* A cancel asked while the job's supervisor is gone: the reaper ends the
 * job cancelled, with its hold back, rather than requeue it (a pending
 * job that asked for its cancel would never be claimed again, nor end). */
static void
test_lost_cancelled(void)
{
	char u[2048], path[96];
	long long uid = it_new_user("run-lost-cancel@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	id = sleeper_lost(u, 3);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", id);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 202);
	j = it_wait_job(u, id, "status", "cancelled", JOB_LOST_MS + 6000);
	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
	json_decref(j);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND"
				" to_status = 'cancelled' AND reason = 'cancel requested'",
				id),
			1);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND"
				" to_status = 'pending' AND from_status IS NOT NULL",
				id),
			0);
	CU_ASSERT_EQUAL(it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid), 0);
}

/* A job whose folder cannot be made (here a file where it goes: the
 * host's fault, not the job's) is given back by kiln-run at once with
 * its reason, not left for the reaper to call its supervisor lost; once
 * its attempts are used it fails prepare_failed, never node_lost, and
 * nothing stays reserved. */
static void
test_prepare_failed(void)
{
	char u[2048];
	long long uid = it_new_user("run-prepfail@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	id = it_submit(u, "{\"command\": [\"true\"], \"max_attempts\": 2,"
			  " \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM jobs WHERE id = %lld AND status = 'pending'", id), 1);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd),
			 "cd \"$KILN_IT_DIR/storage\" && mkdir -p jobs && rm -rf jobs/%lld &&"
			 " echo not-a-folder > jobs/%lld",
			 id, id);
		CU_ASSERT_EQUAL_FATAL(it_run_shell(cmd), 0);
	}
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	j = it_wait_job(u, id, "status", "failed", JOB_LOST_MS * 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "prepare_failed");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 2);
	json_decref(j);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND"
				" from_status = 'preparing' AND to_status = 'pending' AND"
				" reason = 'its folder could not be prepared: requeued'",
				id),
			1);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld AND"
				" reason LIKE 'supervisor lost%%'",
				id),
			0);
	CU_ASSERT_EQUAL(it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid), 0);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM wallet_ledger WHERE job_id = %lld AND"
				" type = 'charge'",
				id),
			0);
	/* this job's own folder was at fault, not the host's storage: the
	 * node goes on claiming */
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM nodes WHERE claim_hold_until IS NOT NULL"),
			0);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -f \"$KILN_IT_DIR/storage/jobs/%lld\"", id);
		CU_ASSERT_EQUAL(it_run_shell(cmd), 0);
	}
}

/* POST /training/jobs as seed 001 writes it (with kiln's integer ids): a
 * job of kind training that runs the configured trainer (the stack's
 * "echo" is /bin/echo) with the config as its one argument, on the data
 * set and GPUs it asks for; GET /training/jobs lists only those, and the
 * job is read and stopped by id there, and no other kind is; a framework
 * without a trainer is 400 naming the configured ones; bad bodies are
 * 422. */
static void
test_training(void)
{
	static const char conf[] =
	    "{\"framework\": \"echo\", \"model\": \"resnet18\", \"epochs\": 10,"
	    " \"batch_size\": 32, \"learning_rate\": 0.001}";
	char u[2048], o[2048], body[1024], path[96];
	long long uid = it_new_user("run-training@example.com", u, sizeof(u)), id, cmd, ds, stop,
		  pending;
	json_t *j, *sent, *got;
	struct it_resp r;
	char *out;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	(void)it_new_user("run-training-other@example.com", o, sizeof(o));
	ds = it_upload_dataset(u, "mnist.csv", "a,b\n1,2\n", 8);
	CU_ASSERT_FATAL(ds > 0);
	cmd = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	snprintf(body, sizeof(body),
		 "{\"name\": \"mnist-training\", \"dataset_id\": %lld, \"config\": %s,"
		 " \"gpu_count\": 1}",
		 ds, conf);
	CU_ASSERT_EQUAL_FATAL(it_call("POST", "/api/v1/training/jobs", u, body, &r), 202);
	j = it_json(&r);
	it_resp_free(&r);
	id = json_integer_value(json_object_get(j, "id"));
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "kind"), "training");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "name"), "mnist-training");
	json_decref(j);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "gpu_ids")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "dataset_id")), ds);
	json_decref(j);
	/* the trainer got the config, whole, as its one argument */
	out = it_job_log(id, "stdout.log");
	sent = json_loads(conf, 0, NULL);
	got = out != NULL ? json_loads(out, 0, NULL) : NULL;
	CU_ASSERT(got != NULL && json_equal(sent, got));
	json_decref(sent);
	json_decref(got);
	free(out);
	/* listed there alone; read there; another user's is not found */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/training/jobs", u, NULL, &r), 200);
	j = it_json(&r);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 1);
	CU_ASSERT_EQUAL(json_integer_value(
			    json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")),
			id);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs?kind=command");
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT(strstr(r.body, "\"kind\":\"training\"") == NULL);
	it_resp_free(&r);
	CU_ASSERT(cmd > 0);
	snprintf(path, sizeof(path), "/api/v1/training/jobs/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 200);
	CU_ASSERT_EQUAL(it_call_status("GET", path, o, NULL), 404);
	/* stopped by id, with no body, as seed 001 sends it */
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	stop = it_post_id(u, "/api/v1/training/jobs",
			  "{\"config\": {\"framework\": \"echo\"}, \"gpu_count\": 0}", 202);
	CU_ASSERT_FATAL(stop > 0);
	snprintf(path, sizeof(path), "/api/v1/training/jobs/%lld/stop", stop);
	CU_ASSERT_EQUAL(it_call_status("POST", path, o, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 200);
	/* the training routes know only training jobs: the caller's own
	 * command job is not found there, and is not stopped */
	pending = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(pending > 0);
	snprintf(path, sizeof(path), "/api/v1/training/jobs/%lld", pending);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/training/jobs/%lld/logs", pending);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 404);
	snprintf(path, sizeof(path), "/api/v1/training/jobs/%lld/stop", pending);
	CU_ASSERT_EQUAL(it_call("POST", path, u, NULL, &r), 404);
	CU_ASSERT(strstr(r.body, "\"code\":\"not_found\"") != NULL);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", pending);
	CU_ASSERT_EQUAL(it_call_status("GET", path, u, NULL), 200);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	j = it_job(u, stop);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "cancelled");
	json_decref(j);
	j = it_wait_job(u, pending, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	/* a framework without a trainer names the ones there are */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/training/jobs", u,
				"{\"config\": {\"framework\": \"tensorflow\"}}", &r),
			400);
	CU_ASSERT(strstr(r.body, "\"code\":\"unknown_framework\"") != NULL);
	CU_ASSERT(strstr(r.body, "available: echo") != NULL);
	it_resp_free(&r);
	/* bad bodies: 422, the field named; nothing stored */
	{
		static const char *const bad[][2] = {
		    {"{}", "config"},
		    {"{\"config\": []}", "config"},
		    {"{\"config\": {}}", "framework"},
		    {"{\"config\": {\"framework\": \"echo\", \"epochs\": \"ten\"}}", "epochs"},
		    {"{\"config\": {\"framework\": \"echo\", \"learning_rate\": -1}}",
		     "learning_rate"},
		    {"{\"config\": {\"framework\": \"echo\"}, \"gpus\": 1}", "gpus"},
		    {"{\"config\": {\"framework\": \"echo\"}, \"gpu_count\": 1,"
		     " \"resources\": {\"gpus\": 1}}",
		     "gpu_count"},
		    {"{\"config\": {\"framework\": \"echo\"}, \"gpu_count\": \"one\"}",
		     "\"gpu_count\""},
		    {"{\"config\": {\"framework\": \"\"}}", "framework"},
		};
		char big[4400];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CU_ASSERT_EQUAL(it_call("POST", "/api/v1/training/jobs", u, bad[i][0], &r),
					422);
			CU_ASSERT(strstr(r.body, bad[i][1]) != NULL);
			it_resp_free(&r);
		}
		snprintf(big, sizeof(big),
			 "{\"config\": {\"framework\": \"echo\", \"x\": \"%0*d\"}}", 4100, 0);
		CU_ASSERT_EQUAL(it_call("POST", "/api/v1/training/jobs", u, big, &r), 422);
		CU_ASSERT(strstr(r.body, "larger than 4 KiB") != NULL);
		it_resp_free(&r);
	}
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM jobs WHERE user_id = %lld AND kind = 'training'", uid),
	    2);
}

/* Lets ms pass with the database down: how long an outage lasts is the
 * scenario's input, not a wait for something to happen. */
static void
keep_down(int ms)
{
	long long until = it_now_ms() + ms;

	while (it_now_ms() < until)
		usleep(50000);
}

/* The job's stdout holds "done": its process has ended. */
static int
job_said_done(void *arg)
{
	char *out = it_job_log(*(long long *)arg, "stdout.log");
	int done = out != NULL && strstr(out, "done") != NULL;

	free(out);
	return done;
}

/* A job ends while the database is down for longer than job_lost_seconds.
 * kiln-run keeps its end until the database is back; the reaper, which
 * could not see the database either, must not take the silence for a
 * lost supervisor (sql/020): the job ends completed on its first attempt
 * and never runs again. */
static void
test_end_through_outage(void)
{
	char u[2048];
	long long uid = it_new_user("run-outage@example.com", u, sizeof(u)), id;
	json_t *j;
	char *out;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	id = it_submit(u, "{\"script\": \"sleep 1; echo done\", \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	CU_ASSERT_EQUAL_FATAL(it_stack("db-stop"), 0);
	CU_ASSERT(it_wait(10000, job_said_done, &id));
	/* from the job's end, past job_lost_seconds and the gap (5 s) */
	keep_down(JOB_LOST_MS + 3000);
	CU_ASSERT_EQUAL_FATAL(it_stack("db-start"), 0);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
	json_decref(j);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld"
				" AND reason LIKE 'supervisor lost%%'",
				id),
			0);
	out = it_job_log(id, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "done\n");
	free(out);
}

/* The fenced job's sleep: a length of its own (a leftover of an earlier
 * run on this machine must not count). */
static char fence_sleep[32];

static int
sleeper_gone(void *arg)
{
	char cmd[96];

	(void)arg;
	snprintf(cmd, sizeof(cmd), "pgrep -f '^sleep %s$' >/dev/null", fence_sleep);
	return it_run_shell(cmd) != 0;
}

static int
planted_once(void *arg)
{
	return it_exists("storage/jobs/%lld/ran-once", *(long long *)arg);
}

/* [scheduler] fence_seconds: a supervisor cut off from the database kills
 * its job once no heartbeat was written for that long, before another
 * host could requeue it (job_lost_seconds), so that the job never runs
 * twice at once. Here the database is down for everyone: the job is
 * killed while it is down, and the reaper requeues it once it is back. */
static void
test_fence(void)
{
	char u[2048], body[512], *out;
	long long uid = it_new_user("run-fence@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(
	    it_run_shell("sed -i 's/^job_lost_seconds = 4$/job_lost_seconds = 8\\n"
			 "fence_seconds = 4/' \"$KILN_IT_DIR/kiln.conf\""),
	    0);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	snprintf(fence_sleep, sizeof(fence_sleep), "%d%03d", 36000 + (int)getpid() % 1000,
		 (int)(it_now_ms() % 1000));
	snprintf(body, sizeof(body),
		 "{\"script\": \"cd /workspace; if [ -e ran-once ]; then echo second;"
		 " else touch ran-once; exec sleep %s; fi\", \"max_attempts\": 2,"
		 " \"resources\": {\"gpus\": 0}}",
		 fence_sleep);
	id = it_submit(u, body);
	CU_ASSERT(id > 0);
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	CU_ASSERT(it_wait(10000, planted_once, &id));
	CU_ASSERT(!sleeper_gone(NULL));
	CU_ASSERT_EQUAL(it_stack("db-stop"), 0);
	/* fenced: 4 s after its last heartbeat, 1 s of grace, while the
	 * database is still down (without the fence it runs on) */
	CU_ASSERT(it_wait(12000, sleeper_gone, NULL));
	CU_ASSERT_EQUAL(it_stack("db-start"), 0);
	j = it_wait_job(u, id, "status", "completed", 40000);
	CU_ASSERT_PTR_NOT_NULL(j);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 2);
	json_decref(j);
	out = it_job_log(id, "stdout.log");
	CU_ASSERT(out != NULL && strcmp(out, "second\n") == 0);
	free(out);
	CU_ASSERT_EQUAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL(it_run_shell("sed -i '/^fence_seconds = 4$/d;"
				     " s/^job_lost_seconds = 8$/job_lost_seconds = 4/'"
				     " \"$KILN_IT_DIR/kiln.conf\""),
			0);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
}

/* Every other COMMIT of kiln-run kept but answered as a lost connection
 * (KILN_TEST_RUN_LOSE_COMMIT): each write is run again and recognises its
 * own work. The job starts once, is charged once, ends completed on its
 * first attempt, and the books agree. */
static void
test_lost_commits(void)
{
	static const char *const args[] = {"audit", NULL};
	char u[2048], out[8192];
	long long uid = it_new_user("run-commit@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(sched_start_with("KILN_TEST_RUN_LOSE_COMMIT", "1"), 0);
	id = it_submit(u, "{\"script\": \"echo hi; sleep 1\", \"resources\": {\"gpus\": 1}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-start"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
	json_decref(j);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld"
				" AND to_status = 'running'",
				id),
			1);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld"
				" AND to_status = 'completed'",
				id),
			1);
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM wallet_ledger WHERE job_id = %lld AND type = 'charge'",
		    id),
	    1);
	/* the job's cost is what the ledger took, once */
	CU_ASSERT_EQUAL(it_sqlf("SELECT j.actual_cost_micros + SUM(l.amount_micros) FROM jobs j"
				" JOIN wallet_ledger l ON l.job_id = j.id AND l.type = 'charge'"
				" WHERE j.id = %lld",
				id),
			0);
	CU_ASSERT_EQUAL(it_sqlf("SELECT actual_cost_micros > 0 FROM jobs WHERE id = %lld", id), 1);
	CU_ASSERT_EQUAL(it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid), 0);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
}

/* Every other COMMIT of the scheduler kept but answered as lost
 * (KILN_TEST_SCHED_LOSE_COMMIT): the first claim, of two jobs of one user
 * with different leases (as requeued jobs have), is answered as lost; the
 * tick asks which of its jobs are preparing under the leases it gave and
 * starts both at once, on their first attempt, instead of leaving them to
 * the reaper and a second attempt. */
static void
test_sched_lost_commits(void)
{
	char u[2048], logpath[1024], cmd[1200];
	long long uid = it_new_user("sched-commit@example.com", u, sizeof(u)), id[2];
	int i;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	for (i = 0; i < 2; i++) {
		id[i] = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
		CU_ASSERT_FATAL(id[i] > 0);
		CU_ASSERT_EQUAL(
		    it_sqlf("UPDATE jobs SET lease = %d WHERE id = %lld; SELECT ROW_COUNT()",
			    3 + 4 * i, id[i]),
		    1);
	}
	CU_ASSERT_EQUAL_FATAL(sched_start_with("KILN_TEST_SCHED_LOSE_COMMIT", "1"), 0);
	for (i = 0; i < 2; i++) {
		json_t *j = it_wait_job(u, id[i], "status", "", 20000);

		CU_ASSERT_PTR_NOT_NULL(j);
		if (j != NULL) {
			CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
		}
		json_decref(j);
		CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM job_events WHERE job_id = %lld"
					" AND to_status = 'preparing'",
					id[i]),
				1);
	}
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	/* the lost answer did fall on that claim */
	snprintf(cmd, sizeof(cmd), "grep -q '2 of its jobs were kept' '%s'",
		 it_path("log/kiln-scheduler.log", logpath, sizeof(logpath)));
	CU_ASSERT_EQUAL(it_run_shell(cmd), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-start"), 0);
}

/* With its last attempt's supervisor killed, a job ends failed/node_lost
 * (not requeued), and its hold goes back. */
static void
test_node_lost(void)
{
	char u[2048], q[256];
	long long uid = it_new_user("run-nodelost@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	id = sleeper_lost(u, 1);
	j = it_wait_job(u, id, "status", "failed", JOB_LOST_MS + 6000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "node_lost");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 1);
	json_decref(j);
	snprintf(q, sizeof(q), "SELECT reserved_micros FROM users WHERE id = %lld", uid);
	CU_ASSERT_EQUAL(it_sql_value(q), 0);
}

static int
supervisor_gone(void *arg)
{
	return supervisor(*(long long *)arg) == 0;
}

static int
outputs_started(void *arg)
{
	return it_sqlf("SELECT COUNT(*) FROM job_outputs WHERE job_id = %lld", *(long long *)arg) >=
	       2;
}

/* The outputs walk stops when the lease is lost: here the job is ended by
 * hand while kiln-run reads its 40 outputs, slowed by a test switch to
 * 200 ms a file. kiln-run registers no more of them and leaves without
 * ending the job again. */
static void
test_outputs_lost_lease(void)
{
	char u[2048], path[128];
	long long uid = it_new_user("run-outlease@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(sched_start_with("KILN_TEST_OUTPUTS_SLOW_MS", "200"), 0);
	id = it_submit(u, "{\"script\": \"for i in $(seq 40); do echo $i >"
			  " \\\"$KILN_OUTPUT_DIR/f$i\\\"; done\", \"resources\": {\"gpus\": 0}}");
	CU_ASSERT(id > 0);
	if (id > 0 && it_wait(20000, outputs_started, &id)) {
		snprintf(path, sizeof(path), "/api/v1/jobs/%lld/force-complete", id);
		CU_ASSERT_EQUAL(it_call_status("POST", path, admin,
					       "{\"status\": \"failed\", \"reason\": \"by hand\"}"),
				200);
		CU_ASSERT(it_wait(10000, supervisor_gone, &id));
		CU_ASSERT(it_sqlf("SELECT COUNT(*) FROM job_outputs WHERE job_id = %lld", id) < 40);
		j = it_job(u, id);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "failure_reason"), "by hand");
		json_decref(j);
	} else {
		CU_FAIL("the job's outputs were never being registered");
	}
	/* the later tests get a scheduler without the switch, whatever happened */
	CU_ASSERT_EQUAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
}

/* Staff end a running job by hand (force-complete, or PATCH of its
 * status): its supervisor loses the lease, so it kills the job and leaves
 * at the next heartbeat, and charges nothing after the hold went back.
 * The force-complete gives the logs: what the job still prints on its way
 * out never shows in them. */
static void
test_end_by_hand(void)
{
	static const char *const args[] = {"audit", NULL};
	static const char *const how[][3] = {
	    {"POST", "/force-complete",
	     "{\"status\": \"failed\", \"stdout\": \"forced out\\n\", \"stderr\": \"forced err\"}"},
	    {"PATCH", "", "{\"status\": \"failed\"}"}};
	char u[2048], path[128], out[8192];
	long long uid = it_new_user("run-byhand@example.com", u, sizeof(u)), id, charges;
	size_t k;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	for (k = 0; k < 2; k++) {
		id = it_submit(u, "{\"script\": \"while :; do echo tick; sleep 0.05; done\","
				  " \"resources\": {\"gpus\": 0}}");
		CU_ASSERT_FATAL(id > 0);
		json_decref(it_wait_job(u, id, "status", "running", 10000));
		CU_ASSERT_FATAL(supervisor(id) > 0);
		snprintf(path, sizeof(path), "/api/v1/jobs/%lld%s", id, how[k][1]);
		CU_ASSERT_EQUAL(it_call_status(how[k][0], path, admin, how[k][2]), 200);
		charges = it_sqlf("SELECT COUNT(*) FROM wallet_ledger WHERE job_id = %lld", id);
		/* the next heartbeat (a second) sees it; then the kill's grace */
		CU_ASSERT(it_wait(KILL_GRACE_MS + 4000, supervisor_gone, &id));
		CU_ASSERT_EQUAL(
		    it_sqlf("SELECT COUNT(*) FROM wallet_ledger WHERE job_id = %lld", id), charges);
		j = it_job(u, id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
		json_decref(j);
		if (k == 0) {
			struct it_resp r;

			snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", id);
			CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
			CU_ASSERT_STRING_EQUAL(r.body, "forced out\nforced err\n");
			it_resp_free(&r);
			snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs?stream=stdout", id);
			CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
			CU_ASSERT_STRING_EQUAL(r.body, "forced out\n");
			it_resp_free(&r);
		}
	}
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
}

static int
link_planted(void *arg)
{
	return it_exists("storage/jobs/%lld/logs.real", *(long long *)arg);
}

/* A job owns its folder, so it can put a link to another job's logs in
 * place of its own logs/. Nothing kiln writes (kiln-run's end.json as
 * root, a force-complete's logs) or reads (GET /logs) goes through it. */
static void
test_logs_link_planted(void)
{
	char u[2048], path[128], body[512], link_out[300];
	long long uid = it_new_user("run-logslink@example.com", u, sizeof(u)), victim, ends, held;
	struct it_resp r;
	char *out;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	victim = it_submit(
	    u, "{\"script\": \"echo secret-of-the-victim\", \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(victim > 0);
	json_decref(it_wait_job(u, victim, "status", "completed", 20000));
	snprintf(link_out, sizeof(link_out),
		 "mv logs logs.real && ln -s ../%lld/logs logs && echo planted", victim);
	/* one ends by itself (kiln-run writes its end.json), one is held and
	 * force-completed with logs of its own */
	snprintf(body, sizeof(body), "{\"script\": \"%s\", \"resources\": {\"gpus\": 0}}",
		 link_out);
	ends = it_submit(u, body);
	snprintf(body, sizeof(body), "{\"script\": \"%s; sleep 60\", \"resources\": {\"gpus\": 0}}",
		 link_out);
	held = it_submit(u, body);
	CU_ASSERT_FATAL(ends > 0 && held > 0);
	json_decref(it_wait_job(u, ends, "status", "completed", 20000));
	json_decref(it_wait_job(u, held, "status", "running", 20000));
	CU_ASSERT(it_exists("storage/jobs/%lld/logs.real", ends));
	/* the held job has planted its link before it is force-completed */
	CU_ASSERT_FATAL(it_wait(10000, link_planted, &held));
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/force-complete", held);
	CU_ASSERT_EQUAL(it_call("POST", path, admin,
				"{\"status\": \"failed\", \"stdout\": \"overwritten\\n\"}", &r),
			200);
	{
		char v[32];

		CU_ASSERT_PTR_NOT_NULL(it_header(&r, "X-Kiln-Logs", v, sizeof(v)));
		CU_ASSERT_STRING_EQUAL(v, "not-replaced");
	}
	it_resp_free(&r);
	/* the victim's logs are its own, whole; the planters read nothing of them */
	out = it_job_log(victim, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "secret-of-the-victim\n");
	free(out);
	out = it_job_log(victim, "end.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stdout_bytes\": 21"));
	free(out);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", ends);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, "secret-of-the-victim"));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/logs", held);
	CU_ASSERT_EQUAL(it_call("GET", path, u, NULL, &r), 200);
	CU_ASSERT_PTR_NULL(strstr(r.body, "secret-of-the-victim"));
	it_resp_free(&r);
	j = it_job(u, held);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "failed");
	json_decref(j);
}

static int
planted_all(void *arg)
{
	return it_exists("storage/jobs/%lld/planted.done", *(long long *)arg);
}

/* A requeued job runs again in the folder its first attempt shaped. That
 * attempt puts links to a file and a folder outside in place of data/,
 * .kiln/ and a folder of its working directory, and is requeued by hand;
 * a second name of the file appears in its input/ (as a job could make
 * where hard links are not protected). Preparing the second attempt (as
 * root) follows none of them and gives no input away again: the file
 * keeps its owner, group and mode, nothing is made in the folder, and the
 * second attempt finds real folders and its data set. */
static void
test_requeue_planted_links(void)
{
	char u[2048], target[512], outside[512], body[4096], path[128], hard[1024];
	long long uid = it_new_user("run-planted@example.com", u, sizeof(u)), ds, id;
	struct stat st;
	char *out;
	FILE *f;
	DIR *d;
	int entries = 0;
	struct dirent *e;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	it_path("planted-target", target, sizeof(target));
	it_path("planted-outside", outside, sizeof(outside));
	CU_ASSERT_FATAL((f = fopen(target, "w")) != NULL);
	fputs("untouched\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(chmod(target, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(outside, 0700), 0);
	ds = it_upload_dataset(u, "plant.csv", "a,b\n1,2\n", 8);
	CU_ASSERT_FATAL(ds > 0);
	snprintf(body, sizeof(body),
		 "{\"script\": \"cd /workspace; if [ -e planted.mark ]; then"
		 " test -d data -a ! -L data -a -d a -a ! -L a -a ! -L .kiln &&"
		 " cat data/plant.csv && echo second; else touch planted.mark;"
		 " rm -rf data .kiln; ln -s %s data; ln -s %s .kiln;"
		 " mv a a.real; ln -s %s a; touch planted.done; sleep 60; fi\","
		 " \"working_dir\": \"a/b\", \"dataset_id\": %lld, \"max_attempts\": 2,"
		 " \"resources\": {\"gpus\": 0}}",
		 target, outside, outside, ds);
	id = it_submit(u, body);
	CU_ASSERT_FATAL(id > 0);
	json_decref(it_wait_job(u, id, "status", "running", 20000));
	CU_ASSERT_FATAL(it_wait(10000, planted_all, &id));
	snprintf(path, sizeof(path), "storage/jobs/%lld/input/hard", id);
	CU_ASSERT_EQUAL_FATAL(link(target, it_path(path, hard, sizeof(hard))), 0);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin, "{\"status\": \"pending\"}"), 200);
	j = it_wait_job(u, id, "status", "", 40000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "attempts")), 2);
	json_decref(j);
	out = it_job_log(id, "stdout.log");
	CU_ASSERT_STRING_EQUAL(out, "a,b\n1,2\nsecond\n");
	free(out);
	/* nothing outside changed */
	CU_ASSERT_EQUAL_FATAL(stat(target, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
	CU_ASSERT_EQUAL(st.st_gid, getegid());
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL_FATAL(stat(outside, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
	CU_ASSERT_FATAL((d = opendir(outside)) != NULL);
	while ((e = readdir(d)) != NULL)
		entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	CU_ASSERT_EQUAL(entries, 0);
}

/* What a job leaves in outputs/ is read with care: a file with two names
 * is hashed once, past the bytes kiln-run hashes per job (1.5 MiB here,
 * KILN_TEST_OUTPUTS_HASH_MAX) files are registered without a SHA-256, a
 * FIFO is not opened, and folders deeper than OUTPUTS_DEPTH_MAX (32) are
 * not walked: a file 31 folders down is registered, one 32 down is not. */
static void
test_outputs_bounded(void)
{
	static const char zeros_1mib[] =
	    "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58";
	char u[2048], path[128], edge[256];
	const char *sha;
	long long uid = it_new_user("run-outputs@example.com", u, sizeof(u)), id;
	json_t *j, *it;
	size_t i, n;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(sched_start_with("KILN_TEST_OUTPUTS_HASH_MAX", "1572864"), 0);
	id =
	    it_submit(u, "{\"script\": \"cd /workspace/outputs && head -c 1048576 /dev/zero > a.bin"
			 " && ln a.bin twin.bin && head -c 4194304 /dev/zero > big.bin"
			 " && mkfifo pipe && d=$(seq -s / 40 | sed 's|^|d|; s|/|/d|g')"
			 " && mkdir -p $d && echo deep > $d/deep.txt"
			 " && echo shallow > d1/d2/d3/shallow.txt"
			 " && e=$(seq -s / 31 | sed 's|^|d|; s|/|/d|g') && echo edge > $e/edge.txt"
			 " && echo over > $e/d32/over.txt\","
			 " \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 30000);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-start"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/outputs", id);
	for (i = 1, n = 0; i <= 31; i++)
		n += (size_t)snprintf(edge + n, sizeof(edge) - n, "d%zu/", i);
	snprintf(edge + n, sizeof(edge) - n, "edge.txt");
	j = it_get_json(u, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_array_size(j), 5);
	json_array_foreach(j, i, it)
	{
		const char *p = json_string_value(json_object_get(it, "path"));

		sha = json_string_value(json_object_get(it, "sha256"));
		if (strcmp(p, "a.bin") == 0 || strcmp(p, "twin.bin") == 0) {
			CU_ASSERT_PTR_NOT_NULL(sha);
			CU_ASSERT(sha != NULL && strcmp(sha, zeros_1mib) == 0);
		} else if (strcmp(p, "big.bin") == 0) {
			CU_ASSERT(json_is_null(json_object_get(it, "sha256")));
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(it, "size_bytes")),
					4194304);
		} else if (strstr(p, "edge") != NULL) { /* 31 folders down: the deepest walked */
			CU_ASSERT_STRING_EQUAL(p, edge);
		} else {
			CU_ASSERT_STRING_EQUAL(p, "d1/d2/d3/shallow.txt");
		}
	}
	json_decref(j);
}

/* Waiting for room: a job that only lacks free GPUs says no_capacity; one
 * that asks for more GPUs than any live node has says no_node_fits, which
 * no job ending changes. */
static void
test_no_node_fits(void)
{
	char u[2048], path[128];
	long long uid = it_new_user("run-fits@example.com", u, sizeof(u)), all, one, big;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "50"), 0);
	all = it_submit(u, "{\"command\": [\"sleep\", \"30\"], \"resources\": {\"gpus\": 2}}");
	CU_ASSERT_FATAL(all > 0);
	json_decref(it_wait_job(u, all, "status", "running", 20000));
	one = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 1}}");
	big = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 3}}");
	CU_ASSERT_FATAL(one > 0 && big > 0);
	j = it_wait_job(u, one, "wait_reason", "no_capacity", 10000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	j = it_wait_job(u, big, "wait_reason", "no_node_fits", 10000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	/* the GPUs free again: the small one runs, the big one still cannot */
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", all);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 202); /* running: asked */
	json_decref(it_wait_job(u, one, "status", "completed", 20000));
	j = it_job(u, big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "pending");
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "wait_reason"), "no_node_fits");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", big);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 200);
}

/* Staff put a running job back in the queue (PATCH status pending): its
 * supervisor leaves, the hold of that claim goes back, the job is
 * claimed and run again, and when it ends nothing stays reserved. */
static void
test_requeue_by_hand(void)
{
	static const char *const args[] = {"audit", NULL};
	char u[2048], path[128], out[8192];
	long long uid = it_new_user("run-requeue@example.com", u, sizeof(u)), id, held;
	struct attempts a;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	id = it_submit(u, "{\"command\": [\"sleep\", \"4\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	held = it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid);
	CU_ASSERT(held > 0);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	/* no tick in between: the job is seen off its node, as the reaper's
	 * requeue leaves it */
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin, "{\"status\": \"pending\"}"), 200);
	CU_ASSERT_EQUAL(
	    it_sqlf("SELECT COUNT(*) FROM jobs WHERE id = %lld AND status = 'pending'"
		    " AND node_id IS NULL AND gpu_ids IS NULL AND wait_reason = 'requeued'",
		    id),
	    1);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-start"), 0);
	/* running again: held once, not on top of the first claim's hold */
	a = (struct attempts){u, id, 2};
	CU_ASSERT_FATAL(it_wait(15000, running_attempt, &a));
	CU_ASSERT_EQUAL(it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid), held);
	j = it_wait_job(u, id, "status", "", 30000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	CU_ASSERT_EQUAL(it_sqlf("SELECT reserved_micros FROM users WHERE id = %lld", uid), 0);
	CU_ASSERT_EQUAL(it_kilnctl(args, NULL, out, sizeof(out)), 0);
}

/* The sandbox: every attempt to get out fails, and the storage root is
 * out of sight even where it lies under a folder jobs see (/opt). */
static void
test_sandbox_escapes(void)
{
	char u[2048], conf[1024], store[1024], body[8192], cmd[2300], *real;
	char open_dir[] = "/var/tmp/kiln-jail-XXXXXX", open_file[64];
	long long uid = it_new_user("run-jail@example.com", u, sizeof(u)), id;
	json_t *j;
	char *out;
	FILE *f;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	/* a job first, so that the jobs folder exists when the test runs alone */
	id = it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	json_decref(j);
	it_path("kiln.conf", conf, sizeof(conf));
	it_path("storage/jobs", store, sizeof(store));
	/* from the host the same things work: kiln.conf is readable, the jobs
	 * folder is there, and nginx answers on the port the job tries */
	CU_ASSERT_EQUAL_FATAL(access(conf, R_OK), 0);
	CU_ASSERT_EQUAL_FATAL(access(store, F_OK), 0);
	CU_ASSERT_EQUAL(it_get_status("/api/v1/health"), 200);
	/* the storage root where it really is: run.sh links it to a folder
	 * under /opt, which jobs see, when it can (as root, as CI runs) */
	real = realpath(store, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	{
		char link[1024];
		struct stat st;

		if (lstat(it_path("storage", link, sizeof(link)), &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			CU_ASSERT(strncmp(real, "/opt/", 5) == 0);
		} else {
			fprintf(stderr, "\n  sandbox: the storage root is not under /opt this run");
		}
	}
	CU_ASSERT_EQUAL(access(real, F_OK), 0);
	/* a host file the job's own user may read outside the sandbox: only
	 * the sandbox keeps the job from it */
	CU_ASSERT_FATAL(mkdtemp(open_dir) != NULL);
	CU_ASSERT_EQUAL_FATAL(chmod(open_dir, 0755), 0);
	snprintf(open_file, sizeof(open_file), "%s/visible.txt", open_dir);
	CU_ASSERT_FATAL((f = fopen(open_file, "w")) != NULL);
	fputs("on the host\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(chmod(open_file, 0644), 0);
	snprintf(cmd, sizeof(cmd), "%s cat %s >/dev/null",
		 geteuid() == 0 ? "runuser -u nobody --" : "", open_file);
	CU_ASSERT_EQUAL_FATAL(it_run_shell(cmd), 0);
	snprintf(body, sizeof(body),
		 "{\"resources\": {\"gpus\": 0}, \"script\": "
		 "\"cat %s >/dev/null 2>&1 && echo ESCAPED-conf;"
		 " cat %s >/dev/null 2>&1 && echo ESCAPED-host-file;"
		 " ls %s >/dev/null 2>&1 && echo ESCAPED-jobs;"
		 " [ -e %s ] && echo ESCAPED-storage;"
		 " touch /usr/kiln-escape 2>/dev/null && echo ESCAPED-usr;"
		 " touch /etc/kiln-escape 2>/dev/null && echo ESCAPED-etc;"
		 " echo x > /tmp/kiln-escape-tmp && echo tmp-private;"
		 " grep -q 'CapEff:\\\\s*0*$' /proc/self/status || echo ESCAPED-caps;"
		 " python3 -c 'import socket; socket.create_connection((\\\"127.0.0.1\\\", %s), 1)'"
		 " 2>/dev/null && echo ESCAPED-net;"
		 " kill -0 1 && ps -e 2>/dev/null | grep -q kiln-api && echo ESCAPED-pids;"
		 " [ $(ls /proc/self/fd | wc -l) -le 4 ] || echo ESCAPED-fds;"
		 " echo done\"}",
		 conf, open_file, store, real, strrchr(getenv("KILN_IT_URL"), ':') + 1);
	id = it_submit(u, body);
	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(u, id, "status", "", 20000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "completed");
	json_decref(j);
	out = it_job_log(id, "stdout.log");
	if (strstr(out, "ESCAPED") != NULL)
		fprintf(stderr, "\n  sandbox: %s", out);
	CU_ASSERT_PTR_NULL(strstr(out, "ESCAPED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tmp-private"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "done"));
	free(out);
	CU_ASSERT_NOT_EQUAL(access("/tmp/kiln-escape-tmp", F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access("/usr/kiln-escape", F_OK), 0);
	unlink(open_file);
	rmdir(open_dir);
	free(real);
}

/* The nodes API; draining holds new jobs back, undraining lets them go. */
static void
test_nodes(void)
{
	char u[2048], path[128];
	long long uid = it_new_user("run-nodes@example.com", u, sizeof(u)), id, node;
	struct it_resp r;
	json_t *arr, *n, *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/sellers/agents/online", u, NULL, &r), 200);
	arr = it_json(&r);
	it_resp_free(&r);
	CU_ASSERT_FATAL(json_is_array(arr) && json_array_size(arr) == 1);
	n = json_array_get(arr, 0);
	node = json_integer_value(json_object_get(n, "id"));
	CU_ASSERT_STRING_EQUAL(it_jstr(n, "name"), "dev-node");
	CU_ASSERT_STRING_EQUAL(it_jstr(n, "gpu_model"), "simulated");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(n, "gpu_count")), 2);
	CU_ASSERT(strstr(it_jstr(n, "ram_total"), "GB") != NULL);
	CU_ASSERT(strcmp(it_jstr(n, "status"), "IDLE") == 0 ||
		  strcmp(it_jstr(n, "status"), "BUSY") == 0);
	json_decref(arr);
	/* staff see the jobs on it; users may not list nodes or drain them */
	id = it_submit(u, "{\"command\": [\"sleep\", \"30\"], \"resources\": {\"gpus\": 1}}");
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/nodes", u, NULL), 403);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/nodes", admin, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"status\":\"BUSY\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"gpus_free\":1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"running_jobs\":[{"));
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/nodes/%lld/drain", node);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 403);
	/* a body with fields, or no JSON, drains nothing */
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, "{"), 400);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, "[]"), 422);
	CU_ASSERT_EQUAL(it_sqlf("SELECT draining FROM nodes WHERE id = %lld", node), 0);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/nodes/999999/drain", admin, NULL), 404);
	CU_ASSERT_EQUAL(it_call("POST", path, admin, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"status\":\"DRAINING\""));
	it_resp_free(&r);
	/* draining: the running job goes on, a new one waits */
	{
		long long next =
		    it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}");

		j = it_wait_job(u, next, "wait_reason", "node_draining", 10000);
		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
		j = it_job(u, id);
		CU_ASSERT_STRING_EQUAL(it_jstr(j, "status"), "running");
		CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "gpu_ids")), 1);
		json_decref(j);
		snprintf(path, sizeof(path), "/api/v1/nodes/%lld/undrain", node);
		CU_ASSERT_EQUAL(it_call_status("POST", path, admin, NULL), 200);
		j = it_wait_job(u, next, "status", "completed", 10000);
		CU_ASSERT_PTR_NOT_NULL(j);
		json_decref(j);
	}
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", id);
	CU_ASSERT_EQUAL(it_call_status("POST", path, u, NULL), 202);
	json_decref(it_wait_job(u, id, "status", "cancelled", KILL_GRACE_MS + 3000));
}

/* GET /health's scheduler part: nodes_online and
 * scheduler_last_tick_seconds as health (read at most once a second per
 * worker) says them, compared with want: "online N", "age below S" or
 * "age above S". */
static int
health_says(void *arg)
{
	const char *want = arg;
	struct it_resp r;
	double age = -1;
	json_t *j, *a;
	int ok = 0;

	if (it_http("GET", "/api/v1/health", NULL, NULL, 0, NULL, 0, &r) != 0)
		return 0;
	if (r.status == 200 && (j = it_json(&r)) != NULL) {
		a = json_object_get(j, "scheduler_last_tick_seconds");
		if (json_is_real(a))
			age = json_real_value(a);
		if (strncmp(want, "online ", 7) == 0)
			ok = json_is_integer(json_object_get(j, "nodes_online")) &&
			     json_integer_value(json_object_get(j, "nodes_online")) ==
				 strtoll(want + 7, NULL, 10);
		else if (strncmp(want, "age below ", 10) == 0)
			ok = age >= 0 && age < strtod(want + 10, NULL);
		else if (strncmp(want, "age above ", 10) == 0)
			ok = age > strtod(want + 10, NULL);
		json_decref(j);
	}
	it_resp_free(&r);
	return ok;
}

/* Polls for up to ms until health_says want. */
static int
health_wait(int ms, const char *want)
{
	char w[64];

	snprintf(w, sizeof(w), "%s", want);
	return it_wait(ms, health_says, w);
}

/* Health says when a scheduler last ticked and how many nodes take jobs:
 * a stopped scheduler's tick ages, a drained node is not counted. */
static void
test_health_scheduler(void)
{
	char path[128];
	long long node = it_sql_value("SELECT MIN(id) FROM nodes");

	CU_ASSERT_FATAL(node > 0);
	CU_ASSERT(health_wait(5000, "online 1"));
	CU_ASSERT(health_wait(5000, "age below 1.5"));
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT(health_wait(8000, "age above 2"));
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	CU_ASSERT(health_wait(8000, "age below 1.5"));
	snprintf(path, sizeof(path), "/api/v1/nodes/%lld/drain", node);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, NULL), 200);
	CU_ASSERT(health_wait(5000, "online 0"));
	snprintf(path, sizeof(path), "/api/v1/nodes/%lld/undrain", node);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin, NULL), 200);
	CU_ASSERT(health_wait(5000, "online 1"));
}

struct done_all {
	const char *token;
	long long first, n;
	const char *user;
};

static int
all_ended(void *arg)
{
	struct done_all *d = arg;
	char q[256];

	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM jobs WHERE user_id = %s AND status NOT IN"
		 " ('completed', 'failed', 'cancelled', 'killed_no_credits')",
		 d->user);
	return it_sql_value(q) == 0;
}

/* 50 kill -9s of the scheduler at random moments while 200 jobs go
 * through: each runs exactly once. */
static void
test_scheduler_kills(void)
{
	char u[2048], pidfile[4096], q[512], uid_s[32];
	long long uid = it_new_user("run-chaos@example.com", u, sizeof(u));
	struct done_all d = {u, 0, 200, uid_s};
	int i;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	snprintf(uid_s, sizeof(uid_s), "%lld", uid);
	snprintf(q, sizeof(q), "/api/v1/admin/limits/users/%lld", uid);
	CU_ASSERT_EQUAL(it_call_status("POST", q, admin, "{\"max_concurrent_jobs\": 8}"), 200);
	for (i = 0; i < 200; i++)
		CU_ASSERT(it_submit(u, "{\"command\": [\"true\"], \"resources\": {\"gpus\": 0}}") >
			  0);
	it_path("run/kiln-scheduler.pid", pidfile, sizeof(pidfile));
	srand((unsigned)it_now_ms());
	for (i = 0; i < 50; i++) {
		FILE *f = fopen(pidfile, "r");
		int pid = 0;

		usleep((useconds_t)(20000 + rand() % 300000));
		if (f != NULL) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 0)
			kill(pid, SIGKILL);
		unlink(pidfile);
		CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
	}
	CU_ASSERT(it_wait(120000, all_ended, &d));
	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM jobs WHERE user_id = %lld AND status = 'completed'", uid);
	CU_ASSERT_EQUAL(it_sql_value(q), 200);
	snprintf(q, sizeof(q),
		 "SELECT COUNT(*) FROM (SELECT e.job_id FROM job_events e JOIN jobs j ON"
		 " j.id = e.job_id WHERE j.user_id = %lld AND e.to_status = 'running'"
		 " GROUP BY e.job_id HAVING COUNT(*) <> 1) x",
		 uid);
	if (it_sql_value(q) != 0) {
		char sock[1024], cmd[2048];

		it_path("run/mysqld.sock", sock, sizeof(sock));
		snprintf(cmd, sizeof(cmd),
			 "mariadb --no-defaults --socket='%s' -uroot kiln -e \"SELECT e.* FROM"
			 " job_events e JOIN jobs j ON j.id = e.job_id WHERE j.user_id = %lld AND"
			 " e.job_id IN (SELECT job_id FROM job_events WHERE to_status = 'running'"
			 " GROUP BY job_id HAVING COUNT(*) > 1) ORDER BY e.id\" >&2",
			 sock, uid);
		it_run_shell(cmd);
	}
	CU_ASSERT_EQUAL(it_sql_value(q), 0);
	snprintf(q, sizeof(q), "SELECT reserved_micros FROM users WHERE id = %lld", uid);
	CU_ASSERT_EQUAL(it_sql_value(q), 0);
}

/* The systemd executor: the job's kiln-run in a transient unit of its own
 * (only where systemd is PID 1). */
static void
test_systemd_executor(void)
{
	char u[2048], conf[1024], cmd[4096];
	long long uid = it_new_user("run-systemd@example.com", u, sizeof(u)), id;
	json_t *j;

	CU_ASSERT_EQUAL(it_grant(admin, uid, "10"), 0);
	it_path("kiln.conf", conf, sizeof(conf));
	snprintf(cmd, sizeof(cmd), "sed -i 's/^executor = local$/executor = systemd/' '%s'", conf);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL_FATAL(it_run_shell(cmd), 0);
	CU_ASSERT_EQUAL_FATAL(it_stack("sched-start"), 0);
	id = it_submit(u, "{\"command\": [\"sleep\", \"2\"], \"resources\": {\"gpus\": 0}}");
	json_decref(it_wait_job(u, id, "status", "running", 10000));
	snprintf(cmd, sizeof(cmd), "systemctl is-active --quiet kiln-job-%lld", id);
	CU_ASSERT_EQUAL(it_run_shell(cmd), 0);
	j = it_wait_job(u, id, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	snprintf(cmd, sizeof(cmd), "sed -i 's/^executor = systemd$/executor = local/' '%s'", conf);
	CU_ASSERT_EQUAL(it_stack("sched-stop"), 0);
	CU_ASSERT_EQUAL(it_run_shell(cmd), 0);
	CU_ASSERT_EQUAL(it_stack("sched-start"), 0);
}

void
suite_run(void)
{
	CU_pSuite s = CU_add_suite("running jobs", run_init, run_clean);

	CU_add_test(s, "exit 3: failed, exit_code, both logs, the hold back",
		    test_exit_code_and_logs);
	CU_add_test(s, "a job's GPUs by name in its environment, in nvidia-smi's order",
		    test_gpu_env);
	CU_add_test(s, "python with a data set: outputs registered, progress", test_python_outputs);
	CU_add_test(s, "progress through a link the job planted is not read", test_progress_link);
	CU_add_test(s, "a limit of 2 with 5 jobs: never more than 2 at once", test_concurrency);
	CU_add_test(s, "no_capacity while the GPUs are busy; no_node_fits past every node",
		    test_no_node_fits);
	CU_add_test(s, "insufficient credits, daily cap: pending why, then run",
		    test_credits_and_cap);
	CU_add_test(s, "credits running out mid-job: killed_no_credits, audit clean",
		    test_credits_run_out);
	CU_add_test(s, "timeout; cancel of a running job within the grace",
		    test_timeout_and_cancel);
	CU_add_test(s, "memory_limit by the RSS watchdog; log cap with a marker",
		    test_memory_and_log_caps);
	CU_add_test(s, "kill -9 and SIGSTOP of kiln-run: requeue; the lease holds",
		    test_lost_supervisor);
	CU_add_test(s, "the last attempt's supervisor lost: failed/node_lost", test_node_lost);
	CU_add_test(s, "a job moved to running by hand and left: the reaper takes it back",
		    test_hand_moved_left);
	CU_add_test(s, "a job folder that cannot be made: given back at once, prepare_failed",
		    test_prepare_failed);
	CU_add_test(s, "the host's storage at fault: the job given back, the node holds off",
		    test_prepare_host_fault);
	CU_add_test(s, "a cancel asked while the supervisor is gone: the reaper ends it cancelled",
		    test_lost_cancelled);
	CU_add_test(s, "training jobs as seed 001 sends them: the trainer gets the config",
		    test_training);
	CU_add_test(s, "a job ends in a database outage past job_lost_seconds: once, completed",
		    test_end_through_outage);
	CU_add_test(s, "fence_seconds: cut off from the database, the job is killed in time",
		    test_fence);
	CU_add_test(s, "a running job ended by hand: its supervisor kills it and leaves",
		    test_end_by_hand);
	CU_add_test(s, "a link planted in place of logs/: nothing written or read through it",
		    test_logs_link_planted);
	CU_add_test(s, "a running job requeued by hand: held once, run again, nothing left",
		    test_requeue_by_hand);
	CU_add_test(s, "links a requeued job planted in its folder are not followed",
		    test_requeue_planted_links);
	CU_add_test(s, "outputs: two names hashed once, a cap on bytes hashed, no FIFO, depth",
		    test_outputs_bounded);
	CU_add_test(s, "outputs: the walk stops when the lease is lost", test_outputs_lost_lease);
	CU_add_test(s, "kiln-run's COMMITs kept but answered as lost: once, billed once",
		    test_lost_commits);
	CU_add_test(s, "the scheduler's COMMITs kept but answered as lost: started at once",
		    test_sched_lost_commits);
	CU_add_test(s, "sandbox escapes all fail", test_sandbox_escapes);
	CU_add_test(s, "data set archives: unpacked into data/; zip-slip fails the job",
		    test_dataset_archives);
	CU_add_test(s, "nodes: online agents, staff list, drain and undrain", test_nodes);
	CU_add_test(s, "health: the scheduler's last tick, the nodes that take jobs",
		    test_health_scheduler);
	CU_add_test(s, "50 kill -9s of the scheduler over 200 jobs: each runs once",
		    test_scheduler_kills);
	/* CUnit has no "skipped": a test that cannot run here is not added,
	 * and says so, rather than passing without having run */
	if (access("/run/systemd/system", F_OK) == 0)
		CU_add_test(s, "the systemd executor: a unit per job", test_systemd_executor);
	else
		fprintf(stderr, "SKIPPED: running jobs: the systemd executor (systemd is not PID 1 "
				"here)\n");
}
