/* SPDX-License-Identifier: MIT */
/* t_ops.c: what operators watch, through nginx: GET /metrics and who may
 * read it (admins; a listed address without credentials; nobody else),
 * request counters summed over every worker of the host, and the figures
 * the database holds (jobs, queue, nodes and their last tick, ledger). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "it.h"

static char admin[2048], user[2048];

static int
ops_init(void)
{
	long long uid;

	if (it_admin_login(admin, sizeof(admin)) != 0) {
		fprintf(stderr, "\n  operating: the admin cannot sign in");
		return 1;
	}
	if (it_stack("sched-start") != 0)
		return 1;
	if ((uid = it_new_user("metrics-watcher@example.com", user, sizeof(user))) == 0) {
		fprintf(stderr, "\n  operating: cannot make a user");
		return 1;
	}
	return it_grant(admin, uid, "3") != 0;
}

static int
ops_clean(void)
{
	return it_stack("sched-stop") == 0 ? 0 : 1;
}

/* The metrics text as the admin (new), or NULL. */
static char *
ops_scrape(const char *token)
{
	struct it_resp r;
	char *text = NULL, ct[128];

	it_call("GET", "/api/v1/metrics", token, NULL, &r);
	if (r.status == 200 && it_header(&r, "Content-Type", ct, sizeof(ct)) != NULL &&
	    strncmp(ct, "text/plain", 10) == 0)
		text = strdup(r.body);
	it_resp_free(&r);
	return text;
}

/* The value of the sample `series` (name and labels exactly), or -1. */
static double
ops_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;
	double v;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ' &&
		    sscanf(p + n + 1, "%lf", &v) == 1)
			return v;
		p += n;
	}
	return -1;
}

static void
t_ops_metrics_who(void)
{
	char *text;

	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/metrics", NULL, NULL), 401);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/metrics", "forged.token.here", NULL), 401);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/metrics", user, NULL), 403);
	text = ops_scrape(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(ops_value(text, "kiln_database_up") == 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# TYPE kiln_http_requests_total counter\n"));
	free(text);
	/* a listed address needs no credentials (the suites call from 127.0.0.1) */
	CU_ASSERT_EQUAL_FATAL(it_api_conf("metrics_from", "", "::1, 127.0.0.1"), 0);
	text = ops_scrape(NULL);
	CU_ASSERT_PTR_NOT_NULL(text);
	free(text);
	CU_ASSERT_EQUAL_FATAL(it_api_conf("metrics_from", "::1, 127.0.0.1", "192.0.2.1"), 0);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/metrics", NULL, NULL), 401);
	CU_ASSERT_EQUAL_FATAL(it_api_conf("metrics_from", "192.0.2.1", ""), 0);
}

/* Requests served by several workers at once all show in one scrape. */
static void
t_ops_metrics_requests(void)
{
	const char *health =
	    "kiln_http_requests_total{route=\"GET /api/v1/health\",status=\"200\"}";
	struct it_load *load[3];
	long done = 0, failures = 0, f;
	double before, after, count;
	char *text;
	size_t i;

	text = ops_scrape(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	before = ops_value(text, health);
	free(text);
	for (i = 0; i < 3; i++)
		load[i] = it_load_start("/api/v1/health", 200);
	while (done < 5) /* until the threads have done something */
		done = it_get_status("/api/v1/health") == 200 ? done + 1 : done;
	for (i = 0; i < 3; i++) {
		done += it_load_stop(load[i], &f);
		failures += f;
	}
	CU_ASSERT_EQUAL(failures, 0);
	text = ops_scrape(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	after = ops_value(text, health);
	CU_ASSERT(after - (before < 0 ? 0 : before) == (double)done);
	/* every health answer was a 200, and each is in the histogram once */
	count = ops_value(text,
			  "kiln_http_request_duration_seconds_count{route=\"GET /api/v1/health\"}");
	CU_ASSERT(count == after);
	CU_ASSERT(ops_value(text, "kiln_http_request_duration_seconds_bucket{route=\"GET "
				  "/api/v1/health\",le=\"+Inf\"}") == count);
	{
		double le5 =
		    ops_value(text, "kiln_http_request_duration_seconds_bucket{route=\"GET "
				    "/api/v1/health\",le=\"5\"}");

		CU_ASSERT(le5 >= 0 && le5 <= count);
	}
	CU_ASSERT(ops_value(text, "kiln_http_request_duration_seconds_bucket{route=\"GET "
				  "/api/v1/health\",le=\"0.001\"}") >= 0);
	/* the 401s and 403s of the test before, and a path no route has */
	CU_ASSERT_EQUAL(it_get_status("/api/v1/no/such/route"), 404);
	free(text);
	text = ops_scrape(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(ops_value(text, "kiln_http_requests_total{route=\"unmatched\",status=\"404\"}") >=
		  1);
	free(text);
}

static void
t_ops_metrics_db(void)
{
	long long id = it_submit(user, "{\"resources\": {\"gpus\": 0}, \"script\": \"echo hi\"}");
	char *text;
	json_t *j;

	CU_ASSERT_FATAL(id > 0);
	j = it_wait_job(user, id, "status", "completed", 20000);
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
	text = ops_scrape(admin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(ops_value(text, "kiln_jobs{status=\"completed\"}") >= 1);
	CU_ASSERT(ops_value(text, "kiln_queue_pending_jobs") >= 0);
	CU_ASSERT(ops_value(text, "kiln_nodes_online") >= 1);
	CU_ASSERT(ops_value(text, "kiln_nodes") >= 1);
	/* the stack's scheduler ticks twice a second */
	CU_ASSERT(ops_value(text, "kiln_scheduler_last_tick_seconds") >= 0);
	CU_ASSERT(ops_value(text, "kiln_scheduler_last_tick_seconds") < 10);
	CU_ASSERT(ops_value(text, "kiln_node_last_tick_seconds{node=\"dev-node\"}") >= 0);
	CU_ASSERT(ops_value(text, "kiln_ledger_micros_total{type=\"grant\"}") >= 3000000);
	CU_ASSERT(ops_value(text, "kiln_ledger_micros_total{type=\"charge\"}") != -1);
	CU_ASSERT(ops_value(text, "kiln_ledger_entries_total{type=\"grant\"}") >= 1);
	CU_ASSERT(ops_value(text, "kiln_wallet_balance_micros") > 0);
	CU_ASSERT(ops_value(text, "kiln_wallet_reserved_micros") >= 0);
	free(text);
}

void
suite_ops(void)
{
	CU_pSuite s = CU_add_suite("operating", ops_init, ops_clean);

	CU_add_test(s, "metrics: admins, listed addresses, nobody else", t_ops_metrics_who);
	CU_add_test(s, "metrics: requests of every worker in one scrape", t_ops_metrics_requests);
	CU_add_test(s, "metrics: jobs, queue, nodes, ticks, ledger", t_ops_metrics_db);
}
