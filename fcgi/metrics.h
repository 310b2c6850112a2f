/* SPDX-License-Identifier: MIT */
/* metrics.h: the request counters behind GET /api/v1/metrics, shared by
 * every worker of the host: one table the master maps before it forks,
 * bumped with relaxed atomics (no lock on the request path) and read
 * whole by whichever worker answers a scrape. Survives worker respawns;
 * starts at zero with the master. Not for: database figures (h_metrics.c). */
#ifndef KILN_METRICS_H
#define KILN_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Upper bounds of the latency buckets, in microseconds (+Inf is implied). */
#define METRICS_BUCKETS 12
extern const int64_t metrics_bucket_us[METRICS_BUCKETS];

/* Maps the table for nroutes routes plus one for requests no route
 * matched (the master, before forking; or lazily in a lone process).
 * 0, or -1 with errno. */
int metrics_init(size_t nroutes);

/* Counts one request: route is its index in the route table, or any
 * value >= nroutes for an unmatched one; status 100..599 (others are
 * counted as 500); us its latency. A no-op before metrics_init. */
void metrics_observe(size_t route, int status, int64_t us);

/* Where an answer of GET /api/v1/jobs/{id} came from (fcgi/jobs.c). */
enum metrics_job_answer {
	MJA_NOT_MODIFIED, /* 304: If-None-Match named the current ETag */
	MJA_STORED,       /* the worker's jobcache held the job at its version */
	MJA_READ,         /* the whole row read and rendered */
	MJA__COUNT
};

/* Counts one answer of GET /jobs/{id} by where it came from. A no-op
 * before metrics_init. */
void metrics_job_answer(enum metrics_job_answer source);

/* Writes the request families in Prometheus text format to out:
 * kiln_http_requests_total{route,status} and
 * kiln_http_request_duration_seconds{route} (a histogram), then
 * kiln_job_answers_total{source}. name(i, ctx)
 * gives route i's label ("GET /api/v1/jobs/{id}"), borrowed. */
void metrics_write(FILE *out, const char *(*name)(size_t i, void *ctx), void *ctx);

/* Writes s as a Prometheus label value (quotes, backslashes and newlines
 * escaped) without the surrounding quotes. */
void metrics_label(FILE *out, const char *s);

#endif
