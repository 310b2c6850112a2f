/* SPDX-License-Identifier: MIT */
/* h_metrics.c: GET /api/v1/metrics, Prometheus text for the host: the
 * request counters every worker shares (metrics.c) and the figures the
 * database holds (jobs by status, the queue, nodes and their last tick,
 * ledger and wallet totals). Admins may read it, and so may the addresses
 * of [api] metrics_from without credentials (a scraper). A database that
 * does not answer gives kiln_database_up 0, never an error: monitoring
 * must see the outage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "metrics.h"
#include "response.h"
#include "router.h"

/* 1 when addr is one of the comma- or space-separated addresses in list. */
static int
metrics_addr_listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);

	while (addr[0] != '\0' && *list != '\0') {
		size_t k;

		list += strspn(list, ", \t");
		k = strcspn(list, ", \t");
		if (k == n && k > 0 && memcmp(list, addr, n) == 0)
			return 1;
		list += k;
	}
	return 0;
}

static const char *
metrics_route_name(size_t i, void *ctx)
{
	char *buf = ctx;

	snprintf(buf, 256, "%s %s", route_table[i].method, route_table[i].pattern);
	return buf;
}

static void
metrics_jobs(FILE *out, struct db *db)
{
	struct db_res *res = NULL;
	int64_t pending = 0;
	size_t i;

	if (db_exec(db, STMT_JOB_STATS_ALL, NULL, 0, &res, NULL, NULL) != KILN_OK)
		return;
	fputs("# HELP kiln_jobs Jobs by status (all users).\n# TYPE kiln_jobs gauge\n", out);
	for (i = 0; i < db_res_rows(res); i++) {
		const char *status = db_res_str(res, i, 0, NULL);

		fputs("kiln_jobs{status=\"", out);
		metrics_label(out, status);
		fprintf(out, "\"} %lld\n", (long long)db_res_i64(res, i, 1));
		if (strcmp(status, "pending") == 0)
			pending = db_res_i64(res, i, 1);
	}
	fprintf(out,
		"# HELP kiln_queue_pending_jobs Jobs waiting for a GPU host.\n"
		"# TYPE kiln_queue_pending_jobs gauge\nkiln_queue_pending_jobs %lld\n",
		(long long)pending);
	db_res_free(res);
}

static void
metrics_nodes(FILE *out, struct db *db, int64_t lost_seconds)
{
	struct db_res *res = NULL;
	int64_t online = 0, newest = -1;
	size_t i;

	if (db_exec(db, STMT_METRICS_NODES, NULL, 0, &res, NULL, NULL) != KILN_OK)
		return;
	if (nodes_summary(db, lost_seconds, &online, &newest) != KILN_OK) {
		db_res_free(res);
		return;
	}
	fputs("# HELP kiln_node_last_tick_seconds Seconds since the node's scheduler last ticked.\n"
	      "# TYPE kiln_node_last_tick_seconds gauge\n",
	      out);
	for (i = 0; i < db_res_rows(res); i++) {
		fputs("kiln_node_last_tick_seconds{node=\"", out);
		metrics_label(out, db_res_str(res, i, 0, NULL));
		fprintf(out, "\"} %.3f\n", (double)db_res_i64(res, i, 3) / 1e6);
	}
	fprintf(out,
		"# HELP kiln_nodes_online Nodes that ticked lately and are not draining.\n"
		"# TYPE kiln_nodes_online gauge\nkiln_nodes_online %lld\n"
		"# HELP kiln_nodes Nodes known.\n# TYPE kiln_nodes gauge\nkiln_nodes %zu\n",
		(long long)online, db_res_rows(res));
	if (newest >= 0)
		fprintf(
		    out,
		    "# HELP kiln_scheduler_last_tick_seconds Seconds since any scheduler ticked.\n"
		    "# TYPE kiln_scheduler_last_tick_seconds gauge\n"
		    "kiln_scheduler_last_tick_seconds %.3f\n",
		    (double)newest / 1e6);
	db_res_free(res);
}

static void
metrics_money(FILE *out, struct db *db)
{
	struct db_res *res = NULL;
	size_t i;

	if (db_exec(db, STMT_METRICS_LEDGER, NULL, 0, &res, NULL, NULL) == KILN_OK) {
		fputs("# HELP kiln_ledger_micros_total Wallet ledger amounts by type "
		      "(micro-credits).\n# TYPE kiln_ledger_micros_total counter\n",
		      out);
		for (i = 0; i < db_res_rows(res); i++)
			fprintf(out, "kiln_ledger_micros_total{type=\"%s\"} %lld\n",
				db_res_str(res, i, 0, NULL), (long long)db_res_i64(res, i, 1));
		fputs("# HELP kiln_ledger_entries_total Wallet ledger rows by type.\n"
		      "# TYPE kiln_ledger_entries_total counter\n",
		      out);
		for (i = 0; i < db_res_rows(res); i++)
			fprintf(out, "kiln_ledger_entries_total{type=\"%s\"} %lld\n",
				db_res_str(res, i, 0, NULL), (long long)db_res_i64(res, i, 2));
	}
	db_res_free(res);
	res = NULL;
	if (db_exec(db, STMT_METRICS_WALLETS, NULL, 0, &res, NULL, NULL) == KILN_OK &&
	    db_res_rows(res) == 1)
		fprintf(
		    out,
		    "# HELP kiln_wallet_balance_micros Credits in all wallets.\n"
		    "# TYPE kiln_wallet_balance_micros gauge\nkiln_wallet_balance_micros %lld\n"
		    "# HELP kiln_wallet_reserved_micros Credits held for jobs.\n"
		    "# TYPE kiln_wallet_reserved_micros gauge\nkiln_wallet_reserved_micros %lld\n",
		    (long long)db_res_i64(res, 0, 0), (long long)db_res_i64(res, 0, 1));
	db_res_free(res);
}

static void
metrics_free_buf(void *p)
{
	free(p);
}

enum kiln_err
h_metrics_get(struct request *req)
{
	struct db_res *res = NULL;
	char *text = NULL, name[256];
	size_t len = 0;
	enum kiln_err rc;
	int db_up;
	FILE *out;

	if (!metrics_addr_listed(req->app->cfg->metrics_from,
				 req->remote_addr != NULL ? req->remote_addr : "")) {
		if ((rc = auth_authenticate(req)) != KILN_OK)
			return rc;
		if (!(req->role_bit & ROLE_ADMIN))
			return KILN_ERR_FORBIDDEN;
	}
	if ((out = open_memstream(&text, &len)) == NULL)
		abort();
	metrics_write(out, metrics_route_name, name);
	db_up = db_exec(req->app->db, STMT_PING, NULL, 0, &res, NULL, NULL) == KILN_OK;
	db_res_free(res);
	fprintf(out,
		"# HELP kiln_database_up Whether this worker reaches the database.\n"
		"# TYPE kiln_database_up gauge\nkiln_database_up %d\n",
		db_up);
	if (db_up) {
		metrics_jobs(out, req->app->db);
		metrics_nodes(out, req->app->db, req->app->cfg->job_lost_seconds);
		metrics_money(out, req->app->db);
	}
	if (fclose(out) != 0 || text == NULL)
		abort();
	arena_defer(req->arena, metrics_free_buf, text);
	resp_body(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	return KILN_OK;
}
