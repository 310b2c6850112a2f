/* SPDX-License-Identifier: MIT */
/* db.h: kiln's one database layer. Prepared statements only, all SQL in
 * db_stmts.c, typed binds, a statement cache per connection, transactions
 * retried on deadlock and on a lost connection, reconnection after the
 * server comes back. The only file that includes <mysql.h> is db.c.
 * Fork caveat: create a handle in the process that uses it (a worker after
 * fork); never use or close a handle inherited across fork. */
#ifndef KILN_DB_H
#define KILN_DB_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db_stmts.h"
#include "err.h"

struct db;
struct db_res;

enum db_type { DB_T_NULL, DB_T_I64, DB_T_STR, DB_T_F64 };

/* One bound parameter. Strings are borrowed for the duration of the call. */
struct db_val {
	enum db_type type;
	int64_t i;
	double f;
	const char *s;
	size_t len;
};

#define DBV_NULL ((struct db_val){.type = DB_T_NULL})
#define DBV_I64(v) ((struct db_val){.type = DB_T_I64, .i = (v)})
#define DBV_F64(v) ((struct db_val){.type = DB_T_F64, .f = (v)})
/* The length of a DBV_STR is taken when the statement runs, so a buffer
 * may be filled after its db_val is declared. */
#define DB_LEN_NUL SIZE_MAX
#define DBV_STR(v) ((struct db_val){.type = DB_T_STR, .s = (v), .len = DB_LEN_NUL})
#define DBV_STRN(v, n) ((struct db_val){.type = DB_T_STR, .s = (v), .len = (n)})

/* Process-wide client library set-up; call once before fork (master) or at
 * start (tools). */
void db_library_init(void);
void db_library_end(void);

/* A new handle for cfg (borrowed; must outlive the handle). It does not
 * connect: the first statement does, so a worker starts while MariaDB is
 * down and answers 503 until it returns. Never NULL (aborts on OOM).
 * Fault injection for tests (a build with test hooks, testhook.h): with
 * KILN_TEST_FAIL_STMT=NAME[,NAME...] in the environment (statement names
 * in db_stmts.c), every run of those statements on the handle fails as
 * KILN_ERR_DB_UNAVAILABLE, e.g. the read-back after a commit; it is
 * logged as a warning at start. */
struct db *db_new(const struct kiln_config *cfg);
/* Fault injection for tests: from now on, every other db_txn whose COMMIT
 * the server kept answers KILN_ERR_DB_UNAVAILABLE, as when the connection
 * dies before the reply: the ambiguous outcome a caller that retries must
 * survive (kiln-run turns it on under KILN_TEST_RUN_LOSE_COMMIT=1,
 * kiln-scheduler under KILN_TEST_SCHED_LOSE_COMMIT=1, each kiln-api worker
 * under KILN_TEST_API_LOSE_COMMIT=1). */
void db_test_lose_commits(struct db *db);

/* Closes statements and the connection. Accepts NULL. */
void db_free(struct db *db);

/* Connects now if not connected. KILN_OK or KILN_ERR_DB_UNAVAILABLE. */
enum kiln_err db_connect(struct db *db);

/* Prepares every statement of the table on this connection, checking
 * each one's SQL against the schema and its signature against the SQL.
 * OUT: *failed, the first that did not (KILN_OK: none). */
enum kiln_err db_prepare_all(struct db *db, enum db_stmt_id *failed);

/* Runs statement id with params (count and types must match the statement's
 * signature). Rows, if the statement has results, come back in OUT: *res
 * (new; free with db_res_free), which may be NULL when res is NULL.
 * OUT (optional): *affected rows, *insert_id.
 * Errors: KILN_ERR_DB_UNAVAILABLE (connection lost or down; the handle
 * reconnects on next use), KILN_ERR_DB_RETRY (deadlock or lock wait
 * timeout), KILN_ERR_CONFLICT (duplicate key), KILN_ERR_DB (anything else;
 * logged), KILN_ERR_INTERNAL (signature mismatch: a programming error).
 * Outside a transaction a statement that failed because the connection had
 * gone away before it was sent is retried once on a fresh connection. */
enum kiln_err db_exec(struct db *db, enum db_stmt_id id, const struct db_val *params,
		      size_t nparams, struct db_res **res, uint64_t *affected, uint64_t *insert_id);

/* A transaction body: runs statements on db; returns KILN_OK to commit. */
typedef enum kiln_err (*db_txn_fn)(struct db *db, void *ctx);

/* BEGIN; fn(db, ctx); COMMIT. On KILN_ERR_DB_RETRY or a connection lost
 * before COMMIT was sent, rolls back (or reconnects) and runs fn again, up
 * to 4 times in all; fn must therefore be safe to re-run (no side effects
 * outside the database). A connection lost during COMMIT is not retried
 * (its outcome is unknown) and returns KILN_ERR_DB_UNAVAILABLE. Any other
 * error from fn rolls back and is returned. */
enum kiln_err db_txn(struct db *db, db_txn_fn fn, void *ctx);
/* After db_txn failed: 1 when its COMMIT was sent and no answer came, so
 * the work may have been kept. A caller that undoes side effects of fn
 * (files it wrote) must leave them then: they may belong to stored rows. */
int db_txn_unsure(const struct db *db);

/* Runs a trusted multi-statement SQL script (migrations only; never text
 * that holds input). KILN_OK or KILN_ERR_DB with OUT: why (message). */
enum kiln_err db_exec_script(struct db *db, const char *sql, size_t len, char *why, size_t whylen);

/* Result access. Rows and columns are 0-based and must be in range. */
size_t db_res_rows(const struct db_res *res);
int db_res_is_null(const struct db_res *res, size_t row, size_t col);
int64_t db_res_i64(const struct db_res *res, size_t row, size_t col);
double db_res_f64(const struct db_res *res, size_t row, size_t col);
/* Borrowed from res; "" for NULL. OUT (optional): *len. */
const char *db_res_str(const struct db_res *res, size_t row, size_t col, size_t *len);
void db_res_free(struct db_res *res);

/* The server's version string when connected, else "". Borrowed. */
const char *db_server_version(struct db *db);

#endif
