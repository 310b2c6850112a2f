/* SPDX-License-Identifier: MIT */
/* t_metrics.c: the shared request counters (fcgi/metrics.c): counts by
 * route and status, cumulative histogram buckets, the unmatched route,
 * label escaping and sharing across fork. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics.h"
#include "suites.h"

static const char *const t_names[] = {"GET /a", "POST /b \"x\"\\y"};

static const char *
t_name(size_t i, void *ctx)
{
	(void)ctx;
	return t_names[i];
}

/* The metrics text (new). */
static char *
t_render(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	metrics_write(out, t_name, NULL);
	fclose(out);
	return text;
}

static int
t_has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(text, want) != NULL;
}

static void
t_metrics_counts(void)
{
	char *text;
	pid_t pid;
	int st;

	CU_ASSERT_EQUAL_FATAL(metrics_init(2), 0);
	metrics_observe(0, 200, 500);     /* bucket 1 ms */
	metrics_observe(0, 200, 1000);    /* 1 ms is inside le=0.001 */
	metrics_observe(0, 404, 30000);   /* 50 ms bucket */
	metrics_observe(0, 200, 9000000); /* beyond every bucket: +Inf only */
	metrics_observe(1, 700, 10);      /* an impossible status counts as 500 */
	metrics_observe(99, 404, 10);     /* no route */
	metrics_job_answer(MJA_STORED);
	metrics_job_answer(MJA_STORED);
	metrics_job_answer(MJA_NOT_MODIFIED);
	/* a forked worker's counts land in the same table */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		metrics_observe(0, 200, 2000);
		_exit(0);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	text = t_render();
	CU_ASSERT(t_has(text, "kiln_http_requests_total{route=\"GET /a\",status=\"200\"} 4"));
	CU_ASSERT(t_has(text, "kiln_job_answers_total{source=\"not_modified\"} 1"));
	CU_ASSERT(t_has(text, "kiln_job_answers_total{source=\"stored\"} 2"));
	CU_ASSERT(t_has(text, "kiln_job_answers_total{source=\"read\"} 0"));
	CU_ASSERT(t_has(text, "kiln_http_requests_total{route=\"GET /a\",status=\"404\"} 1"));
	CU_ASSERT(t_has(text, "kiln_http_requests_total{route=\"POST /b \\\"x\\\"\\\\y\","
			      "status=\"500\"} 1"));
	CU_ASSERT(t_has(text, "kiln_http_requests_total{route=\"unmatched\",status=\"404\"} 1"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_bucket{route=\"GET /a\","
			      "le=\"0.001\"} 2"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_bucket{route=\"GET /a\","
			      "le=\"0.0025\"} 3"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_bucket{route=\"GET /a\","
			      "le=\"0.05\"} 4"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_bucket{route=\"GET /a\","
			      "le=\"5\"} 4"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_bucket{route=\"GET /a\","
			      "le=\"+Inf\"} 5"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_count{route=\"GET /a\"} 5"));
	CU_ASSERT(t_has(text, "kiln_http_request_duration_seconds_sum{route=\"GET /a\"} 9.033500"));
	/* no line for a status never seen */
	CU_ASSERT_PTR_NULL(strstr(text, "status=\"201\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# TYPE kiln_http_request_duration_seconds histogram"));
	free(text);
}

void
suite_metrics(void)
{
	CU_pSuite s = CU_add_suite("metrics", NULL, NULL);

	CU_add_test(s, "counts, buckets, unmatched, escaping, fork", t_metrics_counts);
}
