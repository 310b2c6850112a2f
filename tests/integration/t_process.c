/* SPDX-License-Identifier: MIT */
/* t_process.c: kiln-api's process model under real load: a worker killed
 * with SIGKILL is replaced, workers recycle after max_requests, SIGHUP
 * replaces them one by one, a raw FastCGI peer sending junk cannot take
 * the service down, and SIGTERM lets an in-flight request finish. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it.h"

struct workers_ctx {
	pid_t master;
	int want;
	pid_t gone; /* a pid that must no longer be among the workers, or 0 */
};

static int
workers_back(void *arg)
{
	struct workers_ctx *c = arg;
	pid_t pids[IT_MAX_WORKERS];
	int n = it_worker_pids(c->master, pids, IT_MAX_WORKERS), i;

	if (n != c->want)
		return 0;
	for (i = 0; i < n; i++)
		if (pids[i] == c->gone)
			return 0;
	return 1;
}

static long
burst(int n)
{
	long failures = 0;
	int i;

	for (i = 0; i < n; i++)
		failures += it_get_status("/api/v1/health") != 200;
	return failures;
}

static void
test_kill9_respawn(void)
{
	pid_t master = it_master_pid(), pids[IT_MAX_WORKERS];
	int n = it_worker_pids(master, pids, IT_MAX_WORKERS);
	struct workers_ctx c = {master, n, 0};
	struct it_load *load;
	long long t0;
	long done, failures;

	CU_ASSERT_FATAL(n >= 2);
	load = it_load_start("/api/v1/health", 200);
	CU_ASSERT(it_wait(5000, workers_back, &c)); /* load is running */
	c.gone = pids[0];
	t0 = it_now_ms();
	CU_ASSERT_EQUAL(kill(pids[0], SIGKILL), 0);
	CU_ASSERT(it_wait(5000, workers_back, &c));
	printf("[respawned in %lld ms] ", it_now_ms() - t0);
	done = it_load_stop(load, &failures);
	/* the request in the killed worker may fail; at most that one */
	CU_ASSERT(done > 0);
	CU_ASSERT(failures <= 1);
	CU_ASSERT_EQUAL(burst(200), 0);
}

static void
test_recycle_after_max_requests(void)
{
	/* the test stack sets max_requests = 300 */
	pid_t master = it_master_pid(), before[IT_MAX_WORKERS], after[IT_MAX_WORKERS];
	int nb = it_worker_pids(master, before, IT_MAX_WORKERS), na, i, j, survivors = 0;

	CU_ASSERT_FATAL(nb >= 1);
	CU_ASSERT_EQUAL(burst(nb * 400), 0);
	na = it_worker_pids(master, after, IT_MAX_WORKERS);
	CU_ASSERT_EQUAL(na, nb);
	for (i = 0; i < nb; i++)
		for (j = 0; j < na; j++)
			survivors += before[i] == after[j];
	/* nb * 400 requests cannot be served by workers that each stop at 300 */
	CU_ASSERT(survivors < nb);
}

static void
test_sighup_rolling_restart(void)
{
	pid_t master = it_master_pid(), before[IT_MAX_WORKERS], after[IT_MAX_WORKERS];
	int nb = it_worker_pids(master, before, IT_MAX_WORKERS), na, i, j, survivors;
	struct it_load *load = it_load_start("/api/v1/health", 200);
	long long deadline = it_now_ms() + 30000;
	long failures;

	CU_ASSERT_EQUAL(kill(master, SIGHUP), 0);
	do { /* until no pid from before remains */
		na = it_worker_pids(master, after, IT_MAX_WORKERS);
		for (survivors = 0, i = 0; i < nb; i++)
			for (j = 0; j < na; j++)
				survivors += before[i] == after[j];
	} while (survivors > 0 && it_now_ms() < deadline);
	it_load_stop(load, &failures);
	CU_ASSERT_EQUAL(survivors, 0);
	CU_ASSERT_EQUAL(failures, 0);
	CU_ASSERT_EQUAL(it_master_pid(), master);
	CU_ASSERT_EQUAL(burst(50), 0);
}

static void
test_raw_peer_junk(void)
{
	char sock[4096];
	pid_t master = it_master_pid(), pids[IT_MAX_WORKERS];
	int n = it_worker_pids(master, pids, IT_MAX_WORKERS), k;
	struct workers_ctx c = {master, n, 0};
	static const unsigned char junk[] = {1, 1, 0, 1, 0xff, 0xff, 0xff, 0, 'x', 'y', 9, 9, 9};

	it_path("run/api.sock", sock, sizeof(sock));
	for (k = 0; k < 3; k++) {
		int fd = fcgi_connect(sock);

		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
		close(fd);
	}
	CU_ASSERT(it_wait(5000, workers_back, &c));
	CU_ASSERT_EQUAL(burst(100), 0);
}

/* A worker has accepted the connection and read what we sent once none
 * of it waits unread: before accept() the bytes sit in the queue. */
static int
params_read(void *fdp)
{
	return fcgi_unread(*(int *)fdp) == 0;
}

/* The master is done when it has exited or is a zombie awaiting its
 * reaper (which, on a test machine, may be slow to come). */
static int
pid_gone(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	char path[64], state = '?';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = '?';
	fclose(f);
	return state == 'Z' || state == 'X';
}

static void
test_sigterm_drains(void)
{
	static const char *const env[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/health",
					  "SERVER_PROTOCOL=HTTP/1.1", NULL};
	char sock[4096], out[8192];
	pid_t master = it_master_pid();
	long long t0;
	long got;
	int fd;

	it_path("run/api.sock", sock, sizeof(sock));
	fd = fcgi_connect(sock);
	CU_ASSERT_FATAL(fd >= 0);
	/* half a request: a worker accepts it and waits for the rest */
	CU_ASSERT_EQUAL_FATAL(fcgi_send_params(fd, env, 0), 0);
	CU_ASSERT_FATAL(it_wait(5000, params_read, &fd));
	t0 = it_now_ms();
	CU_ASSERT_EQUAL(kill(master, SIGTERM), 0);
	CU_ASSERT_EQUAL(fcgi_end_request(fd), 0);
	got = fcgi_read_response(fd, out, sizeof(out), 5000);
	close(fd);
	CU_ASSERT(got > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 200"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"database\":true"));
	/* the master exits within the drain deadline (5 s) */
	CU_ASSERT(it_wait(6000, pid_gone, &master));
	printf("[drained in %lld ms] ", it_now_ms() - t0);
	/* bring it back for anything that runs later */
	CU_ASSERT_EQUAL(it_stack("api-start"), 0);
	CU_ASSERT_EQUAL(burst(10), 0);
}

void
suite_process(void)
{
	CU_pSuite s = CU_add_suite("process model", NULL, NULL);

	CU_add_test(s, "a SIGKILLed worker is replaced; no errors after", test_kill9_respawn);
	CU_add_test(s, "workers recycle after max_requests", test_recycle_after_max_requests);
	CU_add_test(s, "SIGHUP replaces every worker without a failed request",
		    test_sighup_rolling_restart);
	CU_add_test(s, "junk from a raw FastCGI peer cannot take the service down",
		    test_raw_peer_junk);
	CU_add_test(s, "SIGTERM lets the request in flight finish", test_sigterm_drains);
}
