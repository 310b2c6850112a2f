/* SPDX-License-Identifier: MIT */
/* scheduler.c: kiln-scheduler [-c CONFIG] [--loop] [--interval-ms N]:
 * one tick (tick.h) then start what it claimed (executor.h), and exit;
 * a systemd timer fires it every second on every GPU host. --loop ticks
 * until SIGTERM (./dev up and the tests). Exit status: 0, or 1 when the
 * tick failed (the next one tries again). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "executor.h"
#include "log.h"
#include "node.h"
#include "parse.h"
#include "tick.h"
#include "testhook.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* One tick and its starts. */
static enum kiln_err
scheduler_once(struct db *db, const struct kiln_config *cfg, const char *cpath,
	       const struct node_info *node)
{
	struct tick_result r;
	enum kiln_err rc = tick_run(db, cfg, node, &r);
	size_t i;

	for (i = 0; i < r.nstarted; i++) {
		if (executor_start(cfg, cpath, &r.started[i]) != KILN_OK)
			log_error("scheduler: cannot start job %lld; it will be requeued",
				  (long long)r.started[i].id);
		else
			log_info("scheduler: job %lld started", (long long)r.started[i].id);
	}
	tick_result_free(&r);
	if (rc != KILN_OK)
		log_error("scheduler: tick failed: %s", err_code(rc));
	return rc;
}

int
main(int argc, char **argv)
{
	struct kiln_config cfg;
	struct node_info node;
	char err[CONFIG_ERR_MAX];
	const char *cpath = NULL;
	int64_t interval = 1000;
	int loop = 0, i;
	struct db *db;
	enum kiln_err rc = KILN_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			cpath = argv[++i];
		else if (strcmp(argv[i], "--loop") == 0)
			loop = 1;
		else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc &&
			 parse_i64(argv[i + 1], 10, 3600000, &interval) == KILN_OK)
			i++;
		else {
			fprintf(stderr, "usage: kiln-scheduler [-c CONFIG] [--loop] "
					"[--interval-ms N]\n");
			return 2;
		}
	}
	cpath = config_path(cpath);
	if (config_load(cpath, &cfg, err) != KILN_OK) {
		fprintf(stderr, "kiln-scheduler: %s\n", err);
		return 2;
	}
	if (strcmp(cfg.executor, "local") != 0 && strcmp(cfg.executor, "systemd") != 0) {
		fprintf(stderr, "kiln-scheduler: [scheduler] executor must be local or systemd\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	node_detect(&cfg, &node);
	db_library_init();
	db = db_new(&cfg);
	if (test_hook("KILN_TEST_SCHED_LOSE_COMMIT") != NULL)
		db_test_lose_commits(db); /* tests only: see db.h */
	do {
		if (db_connect(db) == KILN_OK)
			rc = scheduler_once(db, &cfg, cpath, &node);
		else
			rc = KILN_ERR_DB_UNAVAILABLE;
		if (loop && !stopping) {
			struct timespec ts = {(time_t)(interval / 1000),
					      (long)(interval % 1000) * 1000000};

			while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stopping)
				;
		}
	} while (loop && !stopping);
	db_free(db);
	db_library_end();
	return rc == KILN_OK ? 0 : 1;
}
