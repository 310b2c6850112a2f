/* SPDX-License-Identifier: MIT */
/* t_db.c: MariaDB goes away and comes back while kiln-api keeps running:
 * the same workers answer 503 during the outage and recover by themselves. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "it.h"

static int
health_is(void *want)
{
	return it_get_status("/api/v1/health") == *(long *)want;
}

static void
test_db_outage_and_recovery(void)
{
	pid_t master = it_master_pid(), before[IT_MAX_WORKERS], after[IT_MAX_WORKERS];
	int nb = it_worker_pids(master, before, IT_MAX_WORKERS), na, i;
	long want_ok = 200, failures = 0;
	struct it_resp r;
	json_t *j;

	CU_ASSERT_FATAL(master > 0 && nb > 0);
	/* warm every worker's connection so that each one sees it break */
	for (i = 0; i < nb * 4; i++)
		CU_ASSERT_EQUAL(it_get_status("/api/v1/health"), 200);

	CU_ASSERT_EQUAL_FATAL(it_stack("db-stop"), 0);
	for (i = 0; i < nb * 2; i++) {
		it_http("GET", "/api/v1/health", NULL, NULL, 0, NULL, 0, &r);
		CU_ASSERT_EQUAL(r.status, 503);
		j = it_json(&r);
		CU_ASSERT_PTR_NOT_NULL(j);
		CU_ASSERT(json_is_false(json_object_get(j, "database")));
		/* what the database would say is not known: null, not stale */
		CU_ASSERT(json_is_null(json_object_get(j, "nodes_online")));
		CU_ASSERT(json_is_null(json_object_get(j, "scheduler_last_tick_seconds")));
		json_decref(j);
		it_resp_free(&r);
	}

	CU_ASSERT_EQUAL_FATAL(it_stack("db-start"), 0);
	CU_ASSERT(it_wait(20000, health_is, &want_ok));
	/* every worker recovered: no 5xx from here on */
	for (i = 0; i < nb * 10; i++)
		failures += it_get_status("/api/v1/health") != 200;
	CU_ASSERT_EQUAL(failures, 0);
	/* without restarting kiln-api */
	CU_ASSERT_EQUAL(it_master_pid(), master);
	na = it_worker_pids(master, after, IT_MAX_WORKERS);
	CU_ASSERT_EQUAL(na, nb);
	CU_ASSERT(memcmp(before, after, sizeof(pid_t) * (size_t)(na < nb ? na : nb)) == 0);
}

/* Sends sig to MariaDB (its pid file). */
static int
db_signal(int sig)
{
	long pid = it_pidfile("run/mariadb.pid");

	return pid > 0 ? kill((pid_t)pid, sig) : -1;
}

/* 1 once every thread of MariaDB is stopped (state T): SIGSTOP is
 * asynchronous, and a thread busy on a CPU stops only when it next enters
 * the kernel. */
static int
db_stopped(void *arg)
{
	char path[512];
	long pid = it_pidfile("run/mariadb.pid");
	struct dirent *e;
	DIR *d;
	int all = 1, seen = 0;

	(void)arg;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	if (pid <= 0 || (d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char state = '?';
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/stat", pid, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
			state = '?';
		fclose(f);
		seen++;
		all &= state == 'T' || state == 't';
	}
	closedir(d);
	return seen > 0 && all;
}

static void
test_db_hung(void)
{
	long want_ok = 200;
	struct it_resp r;

	CU_ASSERT_EQUAL(it_get_status("/api/v1/health"), 200);
	/* a database that hangs (stopped, not gone): the worker gives up after
	 * [database] rw_timeout (3 s in the test stack) instead of waiting for
	 * ever, answers 503, and comes back when the database does */
	CU_ASSERT_EQUAL_FATAL(db_signal(SIGSTOP), 0);
	CU_ASSERT(it_wait(5000, db_stopped, NULL));
	it_http("GET", "/api/v1/health", NULL, NULL, 0, NULL, 0, &r);
	CU_ASSERT_EQUAL(db_signal(SIGCONT), 0);
	if (r.status != 503)
		printf("[got %ld after %d: %s] ", r.status, r.curl_error, r.body);
	CU_ASSERT_EQUAL(r.status, 503);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"database\":false"));
	it_resp_free(&r);
	CU_ASSERT(it_wait(20000, health_is, &want_ok));
}

void
suite_db(void)
{
	CU_pSuite s = CU_add_suite("database", NULL, NULL);

	CU_add_test(s, "MariaDB stopped -> 503, restarted -> the same workers recover",
		    test_db_outage_and_recovery);
	CU_add_test(s, "a hung MariaDB answers 503 after rw_timeout, then recovers", test_db_hung);
}
