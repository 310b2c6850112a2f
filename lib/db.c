/* SPDX-License-Identifier: MIT */
/* db.c: the only file that includes <mysql.h> (see db.h for the contract).
 * Reconnection is explicit: MYSQL_OPT_RECONNECT stays off, because a
 * silently reconnected handle fails every prepared statement (1243) and
 * loses the transaction it was in. On a connection error we drop the
 * handle and its statements; the next use connects and re-prepares. */
#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "testhook.h"

#define DB_TXN_ATTEMPTS 4
#define DB_STR_INITIAL 256
#define DB_MAX_COLS 64
#define DB_MAX_PARAMS 64

struct db {
	const struct kiln_config *cfg;
	MYSQL *conn;                     /* NULL while disconnected */
	MYSQL_STMT *stmts[STMT__COUNT];  /* prepared lazily, per connection */
	int in_txn;                      /* inside db_txn's body */
	int txn_lost;                    /* the connection died inside it: nothing more may run
		       * until db_txn starts over on a fresh connection */
	unsigned char fail[STMT__COUNT]; /* KILN_TEST_FAIL_STMT's statements */
	int lose_commits;                /* db_test_lose_commits: every other COMMIT */
	int commit_unsure;               /* the last db_txn's COMMIT went unanswered */
	unsigned commits;
};

struct db_cell {
	int64_t i;
	double f;
	char *s; /* NUL-terminated copy for 's' columns */
	size_t len;
	int is_null;
};

struct db_res {
	size_t rows, cols, cap;
	struct db_cell *cells; /* rows * cols */
};

/* Marks in fail the statements KILN_TEST_FAIL_STMT names (see db.h). */
static void
db_fail_stmts(unsigned char fail[STMT__COUNT])
{
	const char *names = test_hook("KILN_TEST_FAIL_STMT"), *p = names;
	int i;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		int known = 0;

		for (i = 0; i < STMT__COUNT; i++)
			if (strlen(db_stmts[i].name) == n && strncmp(db_stmts[i].name, p, n) == 0) {
				log_warn("db: KILN_TEST_FAIL_STMT: every %s fails (a test's fault)",
					 db_stmts[i].name);
				fail[i] = 1;
				known = 1;
			}
		if (!known) {
			/* a test that fails a statement kiln no longer runs would
			 * pass on nothing: stop it loudly instead */
			log_error("db: KILN_TEST_FAIL_STMT: no statement is named %.*s", (int)n, p);
			abort();
		}
		p += n + (p[n] == ',');
	}
}

void
db_library_init(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0)
		abort();
}

void
db_library_end(void)
{
	mysql_library_end();
}

struct db *
db_new(const struct kiln_config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		abort();
	db->cfg = cfg;
	db_fail_stmts(db->fail);
	return db;
}

void
db_test_lose_commits(struct db *db)
{
	log_warn("db: every other COMMIT is reported lost after it was kept (a test's fault)");
	db->lose_commits = 1;
}

/* Drops statements and connection; the next use reconnects. */
static void
db_disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < STMT__COUNT; i++) {
		if (db->stmts[i] != NULL)
			mysql_stmt_close(db->stmts[i]);
		db->stmts[i] = NULL;
	}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	/* a transaction's statements must never go on in autocommit on a new
	 * connection: mark it lost, db_txn runs the body again from the start */
	if (db->in_txn)
		db->txn_lost = 1;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

/* Is this client/server error number a lost or unusable connection? */
static int
db_errno_is_conn(unsigned e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_UNKNOWN_STMT_HANDLER: /* 1243: statement lost with its connection */
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT: idle connection closed */ return 1;
	default: return 0;
	}
}

/* Maps an error number to kiln's errors, logging the unexpected ones. */
static enum kiln_err
db_map_error(struct db *db, unsigned e, const char *msg, const char *what)
{
	if (db_errno_is_conn(e)) {
		log_warn("db: %s: connection lost (%u: %s)", what, e, msg);
		db_disconnect(db);
		return KILN_ERR_DB_UNAVAILABLE;
	}
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT)
		return KILN_ERR_DB_RETRY;
	if (e == ER_DUP_ENTRY)
		return KILN_ERR_CONFLICT;
	log_error("db: %s: error %u: %s", what, e, msg);
	return KILN_ERR_DB;
}

enum kiln_err
db_connect(struct db *db)
{
	const struct kiln_config *cfg = db->cfg;
	unsigned int ct = (unsigned int)cfg->db_connect_timeout;
	unsigned int rw = (unsigned int)cfg->db_rw_timeout;
	my_bool off = 0;
	const char *sock = cfg->db_socket[0] ? cfg->db_socket : NULL;

	if (db->conn != NULL)
		return KILN_OK;
	if ((db->conn = mysql_init(NULL)) == NULL)
		abort();
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* UTC; and no index-merge intersection: for "project_id = ? AND
	 * user_id = ? ORDER BY id DESC LIMIT 20" MariaDB 10.11 intersected
	 * two indexes and sorted every match (95 ms for a 50 000-job project)
	 * where reading one index backwards stops after 20 rows (0.6 ms) */
	mysql_options(
	    db->conn, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', optimizer_switch = 'index_merge_intersection=off'");
	if (mysql_real_connect(db->conn, sock ? NULL : cfg->db_host, cfg->db_user, cfg->db_password,
			       cfg->db_name, sock ? 0 : (unsigned int)cfg->db_port, sock,
			       0) == NULL) {
		log_warn("db: connect failed (%u: %s)", mysql_errno(db->conn),
			 mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		return KILN_ERR_DB_UNAVAILABLE;
	}
	{ /* no program a kiln process starts inherits the session */
		int fd = (int)mysql_get_socket(db->conn);

		if (fd >= 0)
			(void)fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	}
	return KILN_OK;
}

const char *
db_server_version(struct db *db)
{
	return db->conn ? mysql_get_server_info(db->conn) : "";
}

/* The prepared statement for id on the current connection. */
static enum kiln_err
db_prepare(struct db *db, enum db_stmt_id id, MYSQL_STMT **out)
{
	const struct db_stmt_def *def = &db_stmts[id];
	MYSQL_STMT *st;
	enum kiln_err rc;

	if ((rc = db_connect(db)) != KILN_OK)
		return rc;
	if (db->stmts[id] != NULL) {
		*out = db->stmts[id];
		return KILN_OK;
	}
	if ((st = mysql_stmt_init(db->conn)) == NULL)
		abort();
	if (mysql_stmt_prepare(st, def->sql, strlen(def->sql)) != 0) {
		unsigned e = mysql_stmt_errno(st);
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
		mysql_stmt_close(st);
		return db_map_error(db, e, msg, def->name);
	}
	if (mysql_stmt_param_count(st) != strlen(def->params) ||
	    mysql_stmt_field_count(st) != strlen(def->results)) {
		log_error("db: %s: signature does not match the SQL", def->name);
		mysql_stmt_close(st);
		return KILN_ERR_INTERNAL;
	}
	db->stmts[id] = st;
	*out = st;
	return KILN_OK;
}

enum kiln_err
db_prepare_all(struct db *db, enum db_stmt_id *failed)
{
	MYSQL_STMT *st;
	enum kiln_err rc;
	int id;

	for (id = 0; id < STMT__COUNT; id++)
		if ((rc = db_prepare(db, (enum db_stmt_id)id, &st)) != KILN_OK) {
			*failed = (enum db_stmt_id)id;
			return rc;
		}
	return KILN_OK;
}

static void
db_bind_params(MYSQL_BIND *b, const struct db_val *params, unsigned long *lens, size_t n)
{
	size_t i;

	memset(b, 0, sizeof(*b) * n);
	for (i = 0; i < n; i++) {
		switch (params[i].type) {
		case DB_T_NULL: b[i].buffer_type = MYSQL_TYPE_NULL; break;
		case DB_T_I64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&params[i].i;
			break;
		case DB_T_F64:
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = (void *)(uintptr_t)&params[i].f;
			break;
		case DB_T_STR:
			lens[i] = (unsigned long)(params[i].len == DB_LEN_NUL ? strlen(params[i].s)
									      : params[i].len);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)params[i].s;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		}
	}
}

/* Checks params against the signature ('i' accepts I64, 's' STR, 'd' F64;
 * any accepts NULL). */
static int
db_params_match(const struct db_stmt_def *def, const struct db_val *params, size_t n)
{
	size_t i;

	if (strlen(def->params) != n)
		return 0;
	for (i = 0; i < n; i++) {
		char want = def->params[i];
		enum db_type t = params[i].type;

		if (t == DB_T_NULL)
			continue;
		if ((want == 'i' && t != DB_T_I64) || (want == 's' && t != DB_T_STR) ||
		    (want == 'd' && t != DB_T_F64))
			return 0;
	}
	return 1;
}

static struct db_cell *
db_res_add_row(struct db_res *res)
{
	if (res->rows == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 8;
		struct db_cell *c = realloc(res->cells, cap * res->cols * sizeof(*c));

		if (c == NULL)
			abort();
		res->cells = c;
		res->cap = cap;
	}
	memset(&res->cells[res->rows * res->cols], 0, res->cols * sizeof(*res->cells));
	return &res->cells[res->rows++ * res->cols];
}

/* Fetches every row of an executed statement into OUT: *out. */
static enum kiln_err
db_fetch_all(struct db *db, MYSQL_STMT *st, const struct db_stmt_def *def, struct db_res **out)
{
	size_t ncols = strlen(def->results), c;
	MYSQL_BIND b[DB_MAX_COLS];
	int64_t ibuf[DB_MAX_COLS];
	double fbuf[DB_MAX_COLS];
	char sbuf[DB_MAX_COLS][DB_STR_INITIAL];
	unsigned long len[DB_MAX_COLS];
	my_bool isnull[DB_MAX_COLS], trunc[DB_MAX_COLS];
	struct db_res *res;
	int frc;

	if (ncols > DB_MAX_COLS)
		return KILN_ERR_INTERNAL;
	memset(b, 0, sizeof(b[0]) * ncols);
	for (c = 0; c < ncols; c++) {
		b[c].is_null = &isnull[c];
		b[c].error = &trunc[c];
		b[c].length = &len[c];
		if (def->results[c] == 'i') {
			b[c].buffer_type = MYSQL_TYPE_LONGLONG;
			b[c].buffer = &ibuf[c];
		} else if (def->results[c] == 'd') {
			b[c].buffer_type = MYSQL_TYPE_DOUBLE;
			b[c].buffer = &fbuf[c];
		} else {
			b[c].buffer_type = MYSQL_TYPE_STRING;
			b[c].buffer = sbuf[c];
			b[c].buffer_length = DB_STR_INITIAL;
		}
	}
	if (mysql_stmt_bind_result(st, b) != 0 || mysql_stmt_store_result(st) != 0)
		return db_map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), def->name);
	if ((res = calloc(1, sizeof(*res))) == NULL)
		abort();
	res->cols = ncols;
	while ((frc = mysql_stmt_fetch(st)) == 0 || frc == MYSQL_DATA_TRUNCATED) {
		struct db_cell *row = db_res_add_row(res);

		for (c = 0; c < ncols; c++) {
			struct db_cell *cell = &row[c];

			memset(cell, 0, sizeof(*cell));
			cell->is_null = isnull[c];
			if (isnull[c])
				continue;
			if (def->results[c] == 'i') {
				cell->i = ibuf[c];
			} else if (def->results[c] == 'd') {
				cell->f = fbuf[c];
			} else {
				cell->len = len[c];
				if ((cell->s = malloc(len[c] + 1)) == NULL)
					abort();
				if (len[c] <= DB_STR_INITIAL) {
					memcpy(cell->s, sbuf[c], len[c]);
				} else {
					MYSQL_BIND big;

					memset(&big, 0, sizeof(big));
					big.buffer_type = MYSQL_TYPE_STRING;
					big.buffer = cell->s;
					big.buffer_length = len[c];
					if (mysql_stmt_fetch_column(st, &big, (unsigned)c, 0) !=
					    0) {
						cell->s[0] = '\0';
						cell->len = 0;
						frc = 1;
						break;
					}
				}
				cell->s[cell->len] = '\0';
			}
		}
		if (frc == 1)
			break;
	}
	if (frc == 1) {
		enum kiln_err rc =
		    db_map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st), def->name);
		db_res_free(res);
		return rc;
	}
	mysql_stmt_free_result(st);
	*out = res;
	return KILN_OK;
}

/* One attempt at running id. */
static enum kiln_err
db_exec_once(struct db *db, enum db_stmt_id id, const struct db_val *params, size_t n,
	     struct db_res **res, uint64_t *affected, uint64_t *insert_id, int *sent)
{
	const struct db_stmt_def *def = &db_stmts[id];
	MYSQL_BIND b[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	MYSQL_STMT *st = NULL;
	enum kiln_err rc;

	*sent = 0;
	if ((rc = db_prepare(db, id, &st)) != KILN_OK)
		return rc;
	if (n > 0) {
		db_bind_params(b, params, lens, n);
		if (mysql_stmt_bind_param(st, b) != 0)
			return db_map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st),
					    def->name);
	}
	*sent = 1;
	if (mysql_stmt_execute(st) != 0) {
		unsigned e = mysql_stmt_errno(st);

		/* "gone away" is detected when sending: the statement never ran */
		if (e == CR_SERVER_GONE_ERROR || e == ER_UNKNOWN_STMT_HANDLER)
			*sent = 0;
		return db_map_error(db, e, mysql_stmt_error(st), def->name);
	}
	if (affected != NULL)
		*affected = (uint64_t)mysql_stmt_affected_rows(st);
	if (insert_id != NULL)
		*insert_id = (uint64_t)mysql_stmt_insert_id(st);
	if (def->results[0] != '\0') {
		struct db_res *r = NULL;

		if ((rc = db_fetch_all(db, st, def, &r)) != KILN_OK)
			return rc;
		if (res != NULL)
			*res = r;
		else
			db_res_free(r);
	}
	return KILN_OK;
}

enum kiln_err
db_exec(struct db *db, enum db_stmt_id id, const struct db_val *params, size_t nparams,
	struct db_res **res, uint64_t *affected, uint64_t *insert_id)
{
	enum kiln_err rc;
	int sent;

	if (res != NULL)
		*res = NULL;
	if ((int)id < 0 || id >= STMT__COUNT || nparams > DB_MAX_PARAMS ||
	    !db_params_match(&db_stmts[id], params, nparams)) {
		log_error("db: statement %d called with the wrong parameters", (int)id);
		return KILN_ERR_INTERNAL;
	}
	if ((db->in_txn && db->txn_lost) || db->fail[id])
		return KILN_ERR_DB_UNAVAILABLE;
	rc = db_exec_once(db, id, params, nparams, res, affected, insert_id, &sent);
	if (rc == KILN_ERR_DB_UNAVAILABLE && !sent && !db->in_txn)
		rc = db_exec_once(db, id, params, nparams, res, affected, insert_id, &sent);
	return rc;
}

/* Runs a plain control statement (BEGIN/COMMIT/ROLLBACK): fixed text, no input. */
static enum kiln_err
db_control(struct db *db, const char *sql)
{
	enum kiln_err rc;

	if ((rc = db_connect(db)) != KILN_OK)
		return rc;
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0)
		return db_map_error(db, mysql_errno(db->conn), mysql_error(db->conn), sql);
	return KILN_OK;
}

enum kiln_err
db_txn(struct db *db, db_txn_fn fn, void *ctx)
{
	enum kiln_err rc = KILN_ERR_INTERNAL;
	int attempt, lost;

	db->commit_unsure = 0;
	for (attempt = 0; attempt < DB_TXN_ATTEMPTS; attempt++) {
		db->in_txn = db->txn_lost = 0;
		if ((rc = db_control(db, "START TRANSACTION")) != KILN_OK) {
			if (rc == KILN_ERR_DB_UNAVAILABLE && db->conn == NULL && attempt == 0)
				continue; /* stale handle: one more try on a fresh one */
			return rc;
		}
		db->in_txn = 1;
		rc = fn(db, ctx);
		lost = db->txn_lost;
		db->in_txn = db->txn_lost = 0;
		if (lost) { /* even if fn ignored it: its work died with the connection */
			rc = KILN_ERR_DB_UNAVAILABLE;
			continue;
		}
		if (rc == KILN_OK) {
			rc = db_control(db, "COMMIT");
			if (rc == KILN_ERR_DB_RETRY)
				continue; /* the server rolled back: safe to retry */
			if (rc == KILN_OK && db->lose_commits && db->commits++ % 2 == 0)
				rc = KILN_ERR_DB_UNAVAILABLE; /* a test's fault: kept, not told */
			/* lost during COMMIT: kept or not (an error the server
			 * answered has a known outcome: nothing kept) */
			db->commit_unsure = rc == KILN_ERR_DB_UNAVAILABLE;
			return rc;
		}
		if (db->conn != NULL)
			(void)db_control(db, "ROLLBACK");
		if (rc != KILN_ERR_DB_RETRY && rc != KILN_ERR_DB_UNAVAILABLE)
			return rc;
		/* deadlock, or connection lost before COMMIT: nothing was kept */
	}
	return rc;
}

int
db_txn_unsure(const struct db *db)
{
	return db->commit_unsure;
}

enum kiln_err
db_exec_script(struct db *db, const char *sql, size_t len, char *why, size_t whylen)
{
	enum kiln_err rc;
	int status;

	why[0] = '\0';
	if ((rc = db_connect(db)) != KILN_OK) {
		snprintf(why, whylen, "cannot connect");
		return rc;
	}
	mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	status = mysql_real_query(db->conn, sql, (unsigned long)len);
	while (status == 0) {
		MYSQL_RES *r = mysql_store_result(db->conn);

		if (r != NULL)
			mysql_free_result(r);
		status = mysql_next_result(db->conn);
		if (status == -1) {
			status = 0;
			break;
		}
	}
	if (status != 0) {
		snprintf(why, whylen, "%u: %s", mysql_errno(db->conn), mysql_error(db->conn));
		rc = db_map_error(db, mysql_errno(db->conn), mysql_error(db->conn), "script");
		return rc == KILN_OK ? KILN_ERR_DB : rc;
	}
	mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return KILN_OK;
}

size_t
db_res_rows(const struct db_res *res)
{
	return res ? res->rows : 0;
}

int
db_res_is_null(const struct db_res *res, size_t row, size_t col)
{
	return res->cells[row * res->cols + col].is_null;
}

int64_t
db_res_i64(const struct db_res *res, size_t row, size_t col)
{
	return res->cells[row * res->cols + col].i;
}

double
db_res_f64(const struct db_res *res, size_t row, size_t col)
{
	return res->cells[row * res->cols + col].f;
}

const char *
db_res_str(const struct db_res *res, size_t row, size_t col, size_t *len)
{
	const struct db_cell *c = &res->cells[row * res->cols + col];

	if (len != NULL)
		*len = c->s ? c->len : 0;
	return c->s ? c->s : "";
}

void
db_res_free(struct db_res *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->rows * res->cols; i++)
		free(res->cells[i].s);
	free(res->cells);
	free(res);
}
