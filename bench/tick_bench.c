/* SPDX-License-Identifier: MIT */
/* tick_bench.c: times kiln-scheduler's tick against a seeded database
 * (bench/sched.sh seeds it): heartbeat, reap and one claim of up to
 * max_start jobs, without starting them. Prints one line per tick, then
 * "ticks N median_ms M max_ms X claimed C". The node is a large simulated
 * one, so that resources never stop the claim.
 *
 *   tick_bench -c CONFIG [--ticks N] [--max-start K] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "node.h"
#include "parse.h"
#include "tick.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct kiln_config cfg;
	struct node_info node;
	char err[CONFIG_ERR_MAX];
	const char *cpath = NULL;
	int64_t ticks = 10, max_start = 100;
	double ms[1000];
	size_t claimed = 0;
	struct db *db;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			cpath = argv[++i];
		else if (strcmp(argv[i], "--ticks") == 0 && i + 1 < argc &&
			 parse_i64(argv[i + 1], 1, 1000, &ticks) == KILN_OK)
			i++;
		else if (strcmp(argv[i], "--max-start") == 0 && i + 1 < argc &&
			 parse_i64(argv[i + 1], 1, 1000, &max_start) == KILN_OK)
			i++;
		else {
			fprintf(stderr,
				"usage: tick_bench -c CONFIG [--ticks N] [--max-start K]\n");
			return 2;
		}
	}
	if (config_load(config_path(cpath), &cfg, err) != KILN_OK) {
		fprintf(stderr, "tick_bench: %s\n", err);
		return 2;
	}
	cfg.max_start = max_start;
	memset(&node, 0, sizeof(node));
	snprintf(node.name, sizeof(node.name), "bench-node");
	node.ngpus = 8;
	node.cpus = 1000000;
	node.memory_bytes = (int64_t)1 << 50;
	db_library_init();
	db = db_new(&cfg);
	if (db_connect(db) != KILN_OK) {
		fprintf(stderr, "tick_bench: cannot connect\n");
		return 1;
	}
	for (i = 0; i < ticks; i++) {
		struct tick_result r;
		double t0 = now_ms();
		enum kiln_err rc = tick_run(db, &cfg, &node, &r);

		ms[i] = now_ms() - t0;
		if (rc != KILN_OK) {
			fprintf(stderr, "tick_bench: tick failed: %s\n", err_code(rc));
			return 1;
		}
		printf("tick %d: %.1f ms, %zu considered, %zu claimed\n", i + 1, ms[i],
		       r.considered, r.nstarted);
		claimed += r.nstarted;
		tick_result_free(&r);
	}
	qsort(ms, (size_t)ticks, sizeof(ms[0]), cmp_double);
	printf("ticks %lld median_ms %.1f max_ms %.1f claimed %zu\n", (long long)ticks,
	       ms[ticks / 2], ms[ticks - 1], claimed);
	db_free(db);
	db_library_end();
	return 0;
}
