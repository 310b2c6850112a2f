/* SPDX-License-Identifier: MIT */
/* t_jobcache.c: the per-worker answers of GET /jobs/{id} (fcgi/jobcache.c)
 * and the If-None-Match test that answers 304 (fcgi/response.c). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "jobcache.h"
#include "response.h"
#include "suites.h"

static void
t_jobcache_versions(void)
{
	static char big[JOBCACHE_BODY_MAX + 1];
	size_t len = 0;
	const char *b;

	jobcache_clear();
	CU_ASSERT_PTR_NULL(jobcache_get(7, 0, &len));
	jobcache_put(7, 3, "{\"id\":7}", 8);
	b = jobcache_get(7, 3, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(len, 8);
	CU_ASSERT_EQUAL(memcmp(b, "{\"id\":7}", 8), 0);
	/* another version of the same job, another job in the same slot */
	CU_ASSERT_PTR_NULL(jobcache_get(7, 4, &len));
	CU_ASSERT_PTR_NULL(jobcache_get(7, 2, &len));
	CU_ASSERT_PTR_NULL(jobcache_get(7 + JOBCACHE_SLOTS, 3, &len));
	jobcache_put(7 + JOBCACHE_SLOTS, 3, "{\"id\":263}", 10);
	CU_ASSERT_PTR_NULL(jobcache_get(7, 3, &len));
	b = jobcache_get(7 + JOBCACHE_SLOTS, 3, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(len, 10);
	/* a newer version replaces the older one */
	jobcache_put(7, 5, "{\"id\":7,\"v\":5}", 14);
	CU_ASSERT_PTR_NULL(jobcache_get(7 + JOBCACHE_SLOTS, 3, &len));
	b = jobcache_get(7, 5, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(len, 14);
	CU_ASSERT_EQUAL(memcmp(b, "{\"id\":7,\"v\":5}", 14), 0);
	/* too big to keep: not stored, and the job's older answer is gone */
	memset(big, 'x', sizeof(big));
	jobcache_put(7, 6, big, sizeof(big));
	CU_ASSERT_PTR_NULL(jobcache_get(7, 6, &len));
	CU_ASSERT_PTR_NULL(jobcache_get(7, 5, &len));
	jobcache_put(7, 6, big, JOBCACHE_BODY_MAX);
	b = jobcache_get(7, 6, &len);
	CU_ASSERT_PTR_NOT_NULL(b);
	CU_ASSERT_EQUAL(len, JOBCACHE_BODY_MAX);
	/* no id 0 (an empty slot's) */
	jobcache_put(0, 0, "{}", 2);
	CU_ASSERT_PTR_NULL(jobcache_get(0, 0, &len));
	jobcache_clear();
	CU_ASSERT_PTR_NULL(jobcache_get(7, 6, &len));
}

static void
t_etag_listed(void)
{
	const char *e = "\"j7.3-1.0\"";

	CU_ASSERT_FALSE(resp_etag_listed("", e));
	CU_ASSERT_TRUE(resp_etag_listed("\"j7.3-1.0\"", e));
	CU_ASSERT_TRUE(resp_etag_listed("W/\"j7.3-1.0\"", e));
	CU_ASSERT_TRUE(resp_etag_listed("\"a\", \"j7.3-1.0\"", e));
	CU_ASSERT_TRUE(resp_etag_listed("\"a\",W/\"j7.3-1.0\" ,\"b\"", e));
	CU_ASSERT_TRUE(resp_etag_listed("*", e));
	CU_ASSERT_TRUE(resp_etag_listed(" * ", e));
	CU_ASSERT_FALSE(resp_etag_listed("*, \"j7.3-1.0\"", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.4-1.0\"", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.3-1.0", e));
	CU_ASSERT_FALSE(resp_etag_listed("j7.3-1.0", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.3-1.0\"x", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.3-1.\"", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.3-1.0\"\"", e));
	/* a malformed value counts as absent, wherever the fault is */
	CU_ASSERT_FALSE(resp_etag_listed("bad, \"j7.3-1.0\"", e));
	CU_ASSERT_FALSE(resp_etag_listed("\"j7.3-1.0\", bad", e));
	CU_ASSERT_FALSE(resp_etag_listed(" , ", e));
}

void
suite_jobcache(void)
{
	CU_pSuite s = CU_add_suite("jobcache", NULL, NULL);

	CU_add_test(s, "answers by job and version, bounded", t_jobcache_versions);
	CU_add_test(s, "If-None-Match lists an ETag", t_etag_listed);
}
