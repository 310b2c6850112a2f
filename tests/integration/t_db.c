/* SPDX-License-Identifier: MIT */
/* t_db.c: MariaDB goes away and comes back while kiln-api keeps running:
 * the same workers answer 503 during the outage and recover by themselves. */
#include <CUnit/CUnit.h>
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

void
suite_db(void)
{
	CU_pSuite s = CU_add_suite("database", NULL, NULL);

	CU_add_test(s, "MariaDB stopped -> 503, restarted -> the same workers recover",
		    test_db_outage_and_recovery);
}
