/* SPDX-License-Identifier: MIT */
/* t_wallet.c: credits through nginx and through lib/ledger.c against the
 * real MariaDB: top-ups (idempotent by payment_reference), bad amounts,
 * ownership of transactions, admin grants, and the concurrency test: many
 * parallel clients topping up while ledger-API threads hold, charge (some
 * racing for the last credits, some retried) and release, after which
 * every balance is exactly what it must be and kilnctl audit is clean. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "it.h"
#include "ledger.h"

#define LIT(s) s, strlen(s)

static char admin_token[2048];

/* The wallet's field (credits) from GET /wallet/balance. */
static double
wallet(const char *token, const char *field)
{
	struct it_resp r;
	double v = -1;
	json_t *j;

	if (it_call("GET", "/api/v1/wallet/balance", token, NULL, &r) == 200 &&
	    (j = it_json(&r)) != NULL) {
		v = json_number_value(json_object_get(j, field));
		json_decref(j);
	}
	it_resp_free(&r);
	return v;
}

static int
wallet_init(void)
{
	return it_admin_login(admin_token, sizeof(admin_token)) == 0 ? 0 : 1;
}

static void
test_topup(void)
{
	static const char *const bad[] = {
	    "{\"amount\":-1,\"payment_reference\":\"b1\"}",
	    "{\"amount\":0,\"payment_reference\":\"b2\"}",
	    "{\"amount\":\"5\",\"payment_reference\":\"b3\"}",
	    "{\"amount\":0.0000001,\"payment_reference\":\"b4\"}",
	    "{\"amount\":1000000000,\"payment_reference\":\"b5\"}",
	    "{\"amount\":5}",
	    "{\"amount\":5,\"payment_reference\":\"\"}",
	    "{\"amount\":5,\"payment_reference\":\"b8\",\"bonus\":1}",
	    "{\"amount\":null,\"payment_reference\":\"b9\"}",
	};
	char t[2048];
	struct it_resp r;
	json_t *j, *tx;
	long long txid;
	size_t i;

	it_new_user("wallet@example.com", t, sizeof(t));
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "balance"), 0, 1e-9);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/wallet/balance", t, NULL, &r), 200);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "currency")), "credits");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "daily_cost_cap")), 500, 1e-9);
	json_decref(j);
	it_resp_free(&r);
	/* the wallet-style docs' example, as written */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/wallet/topup", t,
				"{\"amount\": 50.00, \"payment_reference\": \"STRIPE-123\"}", &r),
			201);
	j = it_json(&r);
	tx = json_object_get(j, "transaction");
	txid = json_integer_value(json_object_get(tx, "id"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(tx, "type")), "topup");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(tx, "amount")), 50, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "balance")), 50, 1e-9);
	json_decref(j);
	it_resp_free(&r);
	/* again: the first transaction, nothing added */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/wallet/topup", t,
				"{\"amount\": 50, \"payment_reference\": \"STRIPE-123\"}", &r),
			200);
	j = it_json(&r);
	CU_ASSERT_EQUAL(
	    json_integer_value(json_object_get(json_object_get(j, "transaction"), "id")), txid);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/wallet/topup", t,
				       "{\"amount\": 60, \"payment_reference\": \"STRIPE-123\"}"),
			409);
	/* 0.1 + 0.2 is exactly 0.3 here */
	it_call_status("POST", "/api/v1/wallet/topup", t,
		       "{\"amount\":0.1,\"payment_reference\":\"p1\"}");
	it_call_status("POST", "/api/v1/wallet/topup", t,
		       "{\"amount\":0.2,\"payment_reference\":\"p2\"}");
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "balance"), 50.3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "available"), 50.3, 1e-9);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/wallet/topup", t, bad[i]), 422);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/wallet/topup", t, "{\"amount\":"), 400);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "balance"), 50.3, 1e-9);
	CU_ASSERT_EQUAL(it_get_status("/api/v1/wallet/balance"), 401);
}

static void
test_transactions_and_grants(void)
{
	char a[2048], b[2048], path[128];
	long long bid;
	struct it_resp r;
	json_t *j, *items;

	it_new_user("ledger-a@example.com", a, sizeof(a));
	bid = it_new_user("ledger-b@example.com", b, sizeof(b));
	it_call_status("POST", "/api/v1/wallet/topup", a,
		       "{\"amount\":1,\"payment_reference\":\"a1\"}");
	it_call_status("POST", "/api/v1/wallet/topup", a,
		       "{\"amount\":2,\"payment_reference\":\"a2\"}");
	it_call_status("POST", "/api/v1/wallet/topup", b,
		       "{\"amount\":7,\"payment_reference\":\"a1\"}");
	/* newest first, only the caller's */
	CU_ASSERT_EQUAL(
	    it_call("GET", "/api/v1/wallet/transactions?page=1&page_size=10", a, NULL, &r), 200);
	j = it_json(&r);
	items = json_object_get(j, "items");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "total")), 2);
	CU_ASSERT_EQUAL_FATAL(json_array_size(items), 2);
	CU_ASSERT_DOUBLE_EQUAL(
	    json_number_value(json_object_get(json_array_get(items, 0), "amount")), 2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(
	    json_number_value(json_object_get(json_array_get(items, 0), "balance_after")), 3, 1e-9);
	CU_ASSERT_PTR_NULL(strstr(r.body, "\"amount\":7"));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/wallet/transactions?page_size=101", a, NULL),
			422);
	/* grants: admin only, to a user that exists */
	snprintf(path, sizeof(path), "/api/v1/admin/wallet/%lld/grant", bid);
	CU_ASSERT_EQUAL(it_call_status("POST", path, a, "{\"amount\":100,\"reason\":\"x\"}"), 403);
	CU_ASSERT_EQUAL(
	    it_call("POST", path, admin_token, "{\"amount\":100,\"reason\":\"welcome\"}", &r), 201);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"type\":\"grant\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "welcome"));
	it_resp_free(&r);
	CU_ASSERT_DOUBLE_EQUAL(wallet(b, "balance"), 107, 1e-9);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/wallet/999999/grant", admin_token,
				       "{\"amount\":1}"),
			404);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "{\"amount\":-5}"), 422);
}

/* ---- the concurrency test ---- */

#define CC_USERS 10
#define CC_CLIENTS_PER_USER 5
#define CC_TOPUPS 20

struct cc_client {
	const char *token;
	int index; /* 0 .. CC_CLIENTS_PER_USER-1 */
	int bad;   /* 5xx, 409 or anything but 200/201 */
};

/* Every 4th top-up uses a reference that every client of the user sends
 * too (with the same amount): it must be credited exactly once. */
static void *
cc_topups(void *arg)
{
	struct cc_client *c = arg;
	char body[128];
	int i;

	for (i = 0; i < CC_TOPUPS; i++) {
		long s;

		if (i % 4 == 0)
			snprintf(body, sizeof(body),
				 "{\"amount\":2.5,\"payment_reference\":\"shared-%d\"}", i);
		else
			snprintf(body, sizeof(body),
				 "{\"amount\":1.25,\"payment_reference\":\"own-%d-%d\"}", c->index,
				 i);
		s = it_call_status("POST", "/api/v1/wallet/topup", c->token, body);
		if (s != 200 && s != 201)
			c->bad++;
	}
	return NULL;
}

struct cc_charger {
	struct kiln_config *cfg;
	int64_t job_id;
	int index;
	int64_t charged; /* OUT: sum of what each call took */
	int failures;
};

/* Charges 1 credit ten times under its own steps, then repeats three of
 * those steps (a retried call): the repeats must take nothing more. */
static void *
cc_charges(void *arg)
{
	struct cc_charger *c = arg;
	struct db *db = db_new(c->cfg);
	char step[64];
	int i;

	for (i = 0; i < 13; i++) {
		int64_t got = 0;

		snprintf(step, sizeof(step), "charge:%lld:%d:%d", (long long)c->job_id, c->index,
			 i < 10 ? i : i - 10);
		if (ledger_charge(db, c->job_id, 1000000, step, "test charge", &got) != KILN_OK)
			c->failures++;
		if (i < 10)
			c->charged += got;
		else if (got != 1000000)
			c->failures++; /* a replay returns the first result */
	}
	db_free(db);
	return NULL;
}

static int
run_audit(char *out, size_t n)
{
	static const char *const args[] = {"audit", NULL};

	return it_kilnctl(args, NULL, out, n);
}

static void
test_concurrency(void)
{
	static char tokens[CC_USERS][2048];
	long long ids[CC_USERS];
	struct cc_client clients[CC_USERS][CC_CLIENTS_PER_USER];
	struct cc_charger chargers[CC_USERS][4];
	pthread_t th[CC_USERS][CC_CLIENTS_PER_USER], tc[CC_USERS][4];
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], path[4096], email[64], grant[128], out[8192];
	struct db *db;
	int u, k, bad = 0, failures = 0;

	CU_ASSERT_FATAL(config_load(it_path("kiln.conf", path, sizeof(path)), &cfg, err) ==
			KILN_OK);
	db = db_new(&cfg);
	for (u = 0; u < CC_USERS; u++) {
		snprintf(email, sizeof(email), "cc%d@example.com", u);
		ids[u] = it_new_user(email, tokens[u], sizeof(tokens[u]));
		snprintf(grant, sizeof(grant), "/api/v1/admin/wallet/%lld/grant", ids[u]);
		CU_ASSERT_EQUAL(it_call_status("POST", grant, admin_token, "{\"amount\":100}"),
				201);
		/* a job holding 20 credits of the 100 */
		snprintf(email, sizeof(email), "hold:%d", 9000 + u);
		CU_ASSERT_EQUAL(ledger_hold(db, 9000 + u, ids[u], 20000000, email), KILN_OK);
	}
	for (u = 0; u < CC_USERS; u++) {
		for (k = 0; k < CC_CLIENTS_PER_USER; k++) {
			clients[u][k] = (struct cc_client){tokens[u], k, 0};
			pthread_create(&th[u][k], NULL, cc_topups, &clients[u][k]);
		}
		for (k = 0; k < 4; k++) {
			chargers[u][k] = (struct cc_charger){&cfg, 9000 + u, k, 0, 0};
			pthread_create(&tc[u][k], NULL, cc_charges, &chargers[u][k]);
		}
	}
	for (u = 0; u < CC_USERS; u++) {
		for (k = 0; k < CC_CLIENTS_PER_USER; k++) {
			pthread_join(th[u][k], NULL);
			bad += clients[u][k].bad;
		}
		for (k = 0; k < 4; k++) {
			pthread_join(tc[u][k], NULL);
			failures += chargers[u][k].failures;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(failures, 0);
	for (u = 0; u < CC_USERS; u++) {
		int64_t charged = 0, released = -1;
		char step[64];

		for (k = 0; k < 4; k++)
			charged += chargers[u][k].charged;
		/* 4 chargers x 10 distinct steps x 1 credit, all covered */
		CU_ASSERT_EQUAL(charged, 40000000);
		snprintf(step, sizeof(step), "release:%d", 9000 + u);
		CU_ASSERT_EQUAL(ledger_release(db, 9000 + u, step, &released), KILN_OK);
		CU_ASSERT_EQUAL(released, 0); /* the 20-credit hold was used up first */
		/* 100 granted + 5 shared references x 2.5 + 5 clients x 15 x 1.25 - 40 charged */
		CU_ASSERT_DOUBLE_EQUAL(wallet(tokens[u], "balance"), 100 + 12.5 + 93.75 - 40, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(wallet(tokens[u], "reserved"), 0, 1e-9);
	}
	db_free(db);
	CU_ASSERT_EQUAL(run_audit(out, sizeof(out)), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "MISMATCH"));
}

/* Twenty debits race for a balance of exactly 10 credits: the balance
 * never goes below zero and exactly 10 credits are taken in all. */
struct race_ctx {
	struct kiln_config *cfg;
	int64_t job_id;
	int index;
	int64_t got;
	enum kiln_err rc;
};

static void *
race_charge(void *arg)
{
	struct race_ctx *c = arg;
	struct db *db = db_new(c->cfg);
	char step[64];

	snprintf(step, sizeof(step), "race:%lld:%d", (long long)c->job_id, c->index);
	c->rc = ledger_charge(db, c->job_id, 1000000, step, "race", &c->got);
	db_free(db);
	return NULL;
}

static void
test_racing_debits(void)
{
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], path[4096], t[2048], grant[128], out[8192];
	struct race_ctx ctx[20];
	pthread_t th[20];
	struct db *db;
	long long id;
	int64_t total = 0;
	int i;

	CU_ASSERT_FATAL(config_load(it_path("kiln.conf", path, sizeof(path)), &cfg, err) ==
			KILN_OK);
	id = it_new_user("race@example.com", t, sizeof(t));
	snprintf(grant, sizeof(grant), "/api/v1/admin/wallet/%lld/grant", id);
	CU_ASSERT_EQUAL(it_call_status("POST", grant, admin_token, "{\"amount\":10}"), 201);
	db = db_new(&cfg);
	CU_ASSERT_EQUAL(ledger_hold(db, 9100, id, 1000000, "hold:9100"), KILN_OK);
	for (i = 0; i < 20; i++) {
		ctx[i] = (struct race_ctx){&cfg, 9100, i, 0, KILN_OK};
		pthread_create(&th[i], NULL, race_charge, &ctx[i]);
	}
	for (i = 0; i < 20; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(ctx[i].rc, KILN_OK);
		total += ctx[i].got;
	}
	CU_ASSERT_EQUAL(total, 10000000);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "balance"), 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 0, 1e-9);
	/* a hold larger than what is available is refused */
	CU_ASSERT_EQUAL(ledger_hold(db, 9101, id, 1, "hold:9101"), KILN_ERR_CONFLICT);
	db_free(db);
	CU_ASSERT_EQUAL(run_audit(out, sizeof(out)), 0);
}

/* POST path as token; the new object's id (or the id of its jobs[i] with
 * i >= 0), 0 unless want. */
static long long
post_id(const char *path, const char *token, const char *body, long want, int i)
{
	struct it_resp r;
	long long id = 0;
	json_t *j;

	if (it_call("POST", path, token, body, &r) == want && (j = it_json(&r)) != NULL) {
		json_t *o = i < 0 ? j : json_array_get(json_object_get(j, "jobs"), (size_t)i);

		id = json_integer_value(json_object_get(o, "id"));
		json_decref(j);
	}
	it_resp_free(&r);
	return id;
}

struct release_try {
	int64_t job_id, released;
	enum kiln_err then; /* what the transaction returns after releasing */
};

static enum kiln_err
release_then(struct db *db, void *arg)
{
	struct release_try *t = arg;
	enum kiln_err rc = ledger_release_in(db, t->job_id, "release:test", &t->released);

	return rc != KILN_OK ? rc : t->then;
}

/* Every way a job ends returns its hold in the transaction that ends it:
 * cancel, PATCH to an end, force-complete and a batch's cancel. A release
 * inside a transaction that fails is rolled back with it. */
static void
test_ended_jobs_release(void)
{
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], path[4096], t[2048], op[2048], body[256], out[8192];
	long long uid, ids[5], bid;
	struct release_try rt;
	struct db *db;
	int i;

	CU_ASSERT_FATAL(config_load(it_path("kiln.conf", path, sizeof(path)), &cfg, err) ==
			KILN_OK);
	uid = it_new_user("ends@example.com", t, sizeof(t));
	snprintf(path, sizeof(path), "/api/v1/admin/wallet/%lld/grant", uid);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "{\"amount\":10}"), 201);
	for (i = 0; i < 3; i++)
		ids[i] = post_id("/api/v1/jobs", t, "{\"command\":[\"true\"]}", 202, -1);
	snprintf(body, sizeof(body),
		 "{\"name\":\"b\",\"jobs\":[{\"command\":[\"true\"]},"
		 "{\"command\":[\"true\"]}]}");
	ids[3] = post_id("/api/v1/job-batches", t, body, 201, 0);
	ids[4] = post_id("/api/v1/job-batches", t, body, 201, 1);
	bid = 0;
	CU_ASSERT_FATAL(ids[0] > 0 && ids[1] > 0 && ids[2] > 0 && ids[3] > 0 && ids[4] > 0);
	/* two batches: ids[3] is the first's jobs[0], ids[4] the second's
	 * jobs[1]; each batch is cancelled below */
	db = db_new(&cfg);
	CU_ASSERT_FATAL(db != NULL);
	for (i = 0; i < 5; i++) {
		char step[64];

		snprintf(step, sizeof(step), "hold:ends:%d", i);
		CU_ASSERT_EQUAL(ledger_hold(db, ids[i], uid, 1000000, step), KILN_OK);
	}
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 5, 1e-9);

	/* a release whose transaction then fails leaves the hold */
	rt = (struct release_try){ids[0], -1, KILN_ERR_CONFLICT};
	CU_ASSERT_EQUAL(db_txn(db, release_then, &rt), KILN_ERR_CONFLICT);
	CU_ASSERT_EQUAL(rt.released, 1000000);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 5, 1e-9);
	/* a job without a hold releases nothing and is no error */
	rt = (struct release_try){999999999, -1, KILN_OK};
	CU_ASSERT_EQUAL(db_txn(db, release_then, &rt), KILN_OK);
	CU_ASSERT_EQUAL(rt.released, 0);
	db_free(db);

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/cancel", ids[0]);
	CU_ASSERT_EQUAL(it_call_status("POST", path, t, NULL), 200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 4, 1e-9);
	CU_ASSERT_EQUAL(it_call_status("POST", path, t, NULL), 200); /* again: nothing more */
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 4, 1e-9);

	CU_ASSERT(it_new_staff(admin_token, "ends-op@example.com", "operator", op, sizeof(op)) > 0);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", ids[1]);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, op, "{\"status\":\"preparing\"}"), 200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 4, 1e-9);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, op, "{\"status\":\"failed\"}"), 200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 3, 1e-9);

	snprintf(path, sizeof(path), "/api/v1/jobs/%lld/force-complete", ids[2]);
	CU_ASSERT_EQUAL(it_call_status("POST", path, op, "{\"status\":\"completed\"}"), 200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 2, 1e-9);

	for (i = 3; i < 5; i++) {
		json_t *j = NULL;
		struct it_resp r;

		snprintf(path, sizeof(path), "/api/v1/jobs/%lld", ids[i]);
		if (it_call("GET", path, t, NULL, &r) == 200 && (j = it_json(&r)) != NULL)
			bid = json_integer_value(json_object_get(j, "batch_id"));
		json_decref(j);
		it_resp_free(&r);
		CU_ASSERT_FATAL(bid > 0);
		snprintf(path, sizeof(path), "/api/v1/job-batches/%lld/cancel", bid);
		CU_ASSERT_EQUAL(it_call_status("POST", path, t, NULL), 200);
	}
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "reserved"), 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "balance"), 10, 1e-9);
	CU_ASSERT_EQUAL(run_audit(out, sizeof(out)), 0);
}

static void
test_estimate(void)
{
	char t[2048];
	struct it_resp r;
	json_t *j, *b;

	it_new_user("quote@example.com", t, sizeof(t));
	/* the film docs' example, as written */
	CU_ASSERT_EQUAL(
	    it_call("POST", "/api/v1/jobs/estimate-cost", t,
		    "{\"num_images\": 10, \"video_duration\": 30, \"include_voice\": true,"
		    " \"include_music\": true}",
		    &r),
	    200);
	j = it_json(&r);
	b = json_object_get(j, "breakdown");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "estimated_cost")), 2.48, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "image_generation")), 0.20,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "video_generation")), 1.50,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "voice_synthesis")), 0.45,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "music_synthesis")), 0.30,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(b, "ffmpeg_processing")), 0.03,
			       1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"estimated_cost\":2.48"));
	json_decref(j);
	it_resp_free(&r);
	/* a compute job to its timeout: 1 GPU, 4 cores, 8 GiB, one hour */
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/estimate-cost", t,
				"{\"gpus\":1,\"cpu_count\":4,\"memory_limit\":\"8g\","
				"\"timeout_seconds\":3600}",
				&r),
			200);
	j = it_json(&r);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "estimated_cost")),
			       1.8 + 0.288 + 0.0576, 1e-9);
	CU_ASSERT(json_is_true(json_object_get(j, "within_limit")));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/estimate-cost", t,
				       "{\"num_images\": 0, \"video_duration\": 30}"),
			422);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/estimate-cost", t,
				       "{\"num_images\": 1, \"video_duration\": 30, \"gpus\": 1}"),
			422);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/jobs/estimate-cost", t, "{\"memory_limit\": \"lots\"}"),
	    422);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/jobs/estimate-cost", t,
				       "{\"timeout_seconds\": \"3600\"}"),
			422);
}

static void
test_prices_and_limits(void)
{
	char t[2048], path[128];
	long long id;
	struct it_resp r;
	json_t *j;

	id = it_new_user("limits@example.com", t, sizeof(t));
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/admin/prices", t, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/admin/limits", t, NULL), 403);
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/admin/prices", admin_token, NULL, &r), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"name\":\"image_generation\""));
	it_resp_free(&r);
	/* a price change moves the quote */
	CU_ASSERT_EQUAL(it_call_status("PUT", "/api/v1/admin/prices", admin_token,
				       "{\"image_generation\": 0.05}"),
			200);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/jobs/estimate-cost", t,
				"{\"num_images\": 10, \"video_duration\": 30}", &r),
			200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"image_generation\":0.5"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("PUT", "/api/v1/admin/prices", admin_token,
				       "{\"image_generation\": 0.02}"),
			200);
	CU_ASSERT_EQUAL(
	    it_call_status("PUT", "/api/v1/admin/prices", admin_token, "{\"free_lunch\": 0}"), 422);
	CU_ASSERT_EQUAL(
	    it_call_status("PUT", "/api/v1/admin/prices", admin_token, "{\"gpu_second\": -1}"),
	    422);
	/* global limits, then a per-user override, then clearing it */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/admin/limits", admin_token, NULL, &r), 200);
	j = it_json(&r);
	CU_ASSERT_DOUBLE_EQUAL(
	    json_number_value(json_object_get(json_object_get(j, "global"), "max_job_cost")), 100,
	    1e-9);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/limits/global", admin_token,
				       "{\"daily_cost_cap\": 250, \"max_concurrent_jobs\": 3}"),
			200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "daily_cost_cap"), 250, 1e-9);
	snprintf(path, sizeof(path), "/api/v1/admin/limits/users/%lld", id);
	CU_ASSERT_EQUAL(it_call("POST", path, admin_token,
				"{\"daily_cost_cap\": 12.5, \"max_concurrent_jobs\": 1}", &r),
			200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "limits@example.com"));
	it_resp_free(&r);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "daily_cost_cap"), 12.5, 1e-9);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "{\"daily_cost_cap\": null}"),
			200);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "daily_cost_cap"), 250, 1e-9);
	/* a body of null clears both (seed 003: "send null to clear") */
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token,
				       "{\"daily_cost_cap\": 7, \"max_concurrent_jobs\": 2}"),
			200);
	CU_ASSERT_EQUAL(it_sqlf("SELECT max_concurrent_jobs FROM users WHERE id = %lld", id), 2);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, " null "), 200);
	CU_ASSERT_EQUAL(it_sqlf("SELECT COUNT(*) FROM users WHERE id = %lld AND"
				" max_concurrent_jobs IS NULL AND daily_cost_cap_micros IS NULL",
				id),
			1);
	CU_ASSERT_DOUBLE_EQUAL(wallet(t, "daily_cost_cap"), 250, 1e-9);
	/* other bodies that are JSON but no object */
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "1"), 422);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "[null]"), 422);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "nul"), 400);
	CU_ASSERT_EQUAL(it_call_status("POST", path, admin_token, "{\"colour\": 1}"), 422);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/limits/users/999999", admin_token,
				       "{\"max_concurrent_jobs\": 1}"),
			404);
	CU_ASSERT_EQUAL(it_call_status("POST", "/api/v1/admin/limits/global", admin_token,
				       "{\"daily_cost_cap\": 500, \"max_concurrent_jobs\": 4}"),
			200);
}

void
suite_wallet(void)
{
	CU_pSuite s = CU_add_suite("credits", wallet_init, NULL);

	CU_add_test(s, "top-ups: exact, idempotent by reference, bad amounts refused", test_topup);
	CU_add_test(s, "transactions are the caller's; grants are the admin's",
		    test_transactions_and_grants);
	CU_add_test(s, "50 clients topping up while holds and charges race: exact figures",
		    test_concurrency);
	CU_add_test(s, "twenty debits race for ten credits: never below zero", test_racing_debits);
	CU_add_test(s, "every way a job ends returns its hold, in the same transaction",
		    test_ended_jobs_release);
	CU_add_test(s, "quotes: the render example and a compute job", test_estimate);
	CU_add_test(s, "prices and limits: admin only, overrides set and cleared",
		    test_prices_and_limits);
}
