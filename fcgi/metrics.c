/* SPDX-License-Identifier: MIT */
/* metrics.c: the host-wide request counters (see metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <sys/mman.h>

#define METRICS_STATUSES 500 /* 100..599 */

const int64_t metrics_bucket_us[METRICS_BUCKETS] = {
    1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};

struct metrics_route {
	uint64_t status[METRICS_STATUSES];
	uint64_t bucket[METRICS_BUCKETS]; /* not cumulative: the writer adds up */
	uint64_t count;
	uint64_t sum_us;
};

struct metrics_table {
	uint64_t job_answers[MJA__COUNT];
	size_t nroutes; /* r[nroutes] counts the unmatched */
	struct metrics_route r[];
};

static const char *const metrics_job_sources[MJA__COUNT] = {"not_modified", "stored", "read"};

static struct metrics_table *metrics;

int
metrics_init(size_t nroutes)
{
	size_t len = sizeof(struct metrics_table) + (nroutes + 1) * sizeof(struct metrics_route);
	struct metrics_table *t;

	if (nroutes > 4096) {
		errno = EINVAL;
		return -1;
	}
	t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return -1;
	t->nroutes = nroutes; /* the rest is zero: a fresh anonymous mapping */
	metrics = t;
	return 0;
}

static void
metrics_add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static uint64_t
metrics_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
metrics_observe(size_t route, int status, int64_t us)
{
	struct metrics_route *r;
	size_t b = 0;

	if (metrics == NULL)
		return;
	r = &metrics->r[route < metrics->nroutes ? route : metrics->nroutes];
	if (status < 100 || status > 599)
		status = 500;
	if (us < 0)
		us = 0;
	while (b < METRICS_BUCKETS && us > metrics_bucket_us[b])
		b++;
	metrics_add(&r->status[status - 100], 1);
	if (b < METRICS_BUCKETS)
		metrics_add(&r->bucket[b], 1);
	metrics_add(&r->count, 1);
	metrics_add(&r->sum_us, (uint64_t)us);
}

void
metrics_job_answer(enum metrics_job_answer source)
{
	if (metrics != NULL && source < MJA__COUNT)
		metrics_add(&metrics->job_answers[source], 1);
}

void
metrics_label(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', out);
			fputc(*s, out);
		} else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

/* One route's histogram: cumulative buckets, +Inf, sum and count. */
static void
metrics_histogram(FILE *out, const char *label, const struct metrics_route *r)
{
	uint64_t cum = 0, count = metrics_get(&r->count);
	size_t b;

	for (b = 0; b < METRICS_BUCKETS; b++) {
		cum += metrics_get(&r->bucket[b]);
		fputs("kiln_http_request_duration_seconds_bucket{route=\"", out);
		metrics_label(out, label);
		fprintf(out, "\",le=\"%g\"} %llu\n", (double)metrics_bucket_us[b] / 1e6,
			(unsigned long long)cum);
	}
	/* +Inf is the count itself: never below the finite buckets */
	if (count < cum)
		count = cum;
	fputs("kiln_http_request_duration_seconds_bucket{route=\"", out);
	metrics_label(out, label);
	fprintf(out, "\",le=\"+Inf\"} %llu\n", (unsigned long long)count);
	fputs("kiln_http_request_duration_seconds_sum{route=\"", out);
	metrics_label(out, label);
	fprintf(out, "\"} %.6f\n", (double)metrics_get(&r->sum_us) / 1e6);
	fputs("kiln_http_request_duration_seconds_count{route=\"", out);
	metrics_label(out, label);
	fprintf(out, "\"} %llu\n", (unsigned long long)count);
}

void
metrics_write(FILE *out, const char *(*name)(size_t i, void *ctx), void *ctx)
{
	size_t i, s;

	if (metrics == NULL)
		return;
	fputs("# HELP kiln_http_requests_total Requests answered by kiln-api on this host.\n"
	      "# TYPE kiln_http_requests_total counter\n",
	      out);
	for (i = 0; i <= metrics->nroutes; i++) {
		const char *label = i < metrics->nroutes ? name(i, ctx) : "unmatched";

		for (s = 0; s < METRICS_STATUSES; s++) {
			uint64_t n = metrics_get(&metrics->r[i].status[s]);

			if (n == 0)
				continue;
			fputs("kiln_http_requests_total{route=\"", out);
			metrics_label(out, label);
			fprintf(out, "\",status=\"%zu\"} %llu\n", s + 100, (unsigned long long)n);
		}
	}
	fputs("# HELP kiln_http_request_duration_seconds Time from accept to the last byte.\n"
	      "# TYPE kiln_http_request_duration_seconds histogram\n",
	      out);
	for (i = 0; i <= metrics->nroutes; i++)
		if (metrics_get(&metrics->r[i].count) > 0)
			metrics_histogram(out, i < metrics->nroutes ? name(i, ctx) : "unmatched",
					  &metrics->r[i]);
	fputs("# HELP kiln_job_answers_total Answers of GET /api/v1/jobs/{id} by where they came "
	      "from: not_modified (304), stored (the worker's copy), read (the database).\n"
	      "# TYPE kiln_job_answers_total counter\n",
	      out);
	for (i = 0; i < MJA__COUNT; i++)
		fprintf(out, "kiln_job_answers_total{source=\"%s\"} %llu\n", metrics_job_sources[i],
			(unsigned long long)metrics_get(&metrics->job_answers[i]));
}
