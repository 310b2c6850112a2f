/* SPDX-License-Identifier: MIT */
/* t_dblayer.c: lib/db.c against the stack's real MariaDB: typed binds and
 * long strings, signature checks, duplicate keys, reconnection after the
 * server kills the connection, rollback, a real deadlock retried by
 * db_txn, and kilnctl migrate being idempotent. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "db_stmts.h"
#include "it.h"

static struct kiln_config it_cfg;

static int
dbl_init(void)
{
	char path[4096], err[CONFIG_ERR_MAX];

	db_library_init();
	if (config_load(it_path("kiln.conf", path, sizeof(path)), &it_cfg, err) != KILN_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

static int
dbl_cleanup(void)
{
	db_library_end();
	return 0;
}

static enum kiln_err
put(struct db *db, const char *name, const char *value)
{
	struct db_val p[2] = {DBV_STR(name), DBV_STR(value)};

	return db_exec(db, STMT_SETTING_PUT, p, 2, NULL, NULL, NULL);
}

/* Value of setting name into OUT: buf ("" when absent). */
static enum kiln_err
get(struct db *db, const char *name, char *buf, size_t n)
{
	struct db_val p[1] = {DBV_STR(name)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, STMT_SETTING_GET, p, 1, &res, NULL, NULL);

	buf[0] = '\0';
	if (rc == KILN_OK && db_res_rows(res) == 1)
		snprintf(buf, n, "%s", db_res_str(res, 0, 0, NULL));
	db_res_free(res);
	return rc;
}

static void
test_binds_and_long_strings(void)
{
	struct db *db = db_new(&it_cfg);
	char value[1001], back[2048];
	size_t len = 0;
	struct db_val p[1] = {DBV_STR("it.long")};
	struct db_res *res = NULL;

	memset(value, 'v', 1000);
	value[0] = '\xc3'; /* UTF-8 'é' survives the round trip */
	value[1] = '\xa9';
	value[1000] = '\0';
	CU_ASSERT_EQUAL(put(db, "it.long", value), KILN_OK);
	CU_ASSERT_EQUAL(db_exec(db, STMT_SETTING_GET, p, 1, &res, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL_FATAL(db_res_rows(res), 1);
	CU_ASSERT_STRING_EQUAL(db_res_str(res, 0, 0, &len), value);
	CU_ASSERT_EQUAL(len, 1000);
	db_res_free(res);
	/* a quote in a value is data, never SQL */
	CU_ASSERT_EQUAL(put(db, "it.quote", "x'); DROP TABLE settings; --"), KILN_OK);
	CU_ASSERT_EQUAL(get(db, "it.quote", back, sizeof(back)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(back, "x'); DROP TABLE settings; --");
	CU_ASSERT_EQUAL(get(db, "it.absent", back, sizeof(back)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(back, "");
	db_free(db);
}

static void
test_signature_checked(void)
{
	struct db *db = db_new(&it_cfg);
	struct db_val wrong_type[1] = {DBV_I64(1)};
	struct db_val two[2] = {DBV_STR("a"), DBV_STR("b")};

	CU_ASSERT_EQUAL(db_exec(db, STMT_SETTING_GET, wrong_type, 1, NULL, NULL, NULL),
			KILN_ERR_INTERNAL);
	CU_ASSERT_EQUAL(db_exec(db, STMT_SETTING_GET, two, 2, NULL, NULL, NULL), KILN_ERR_INTERNAL);
	CU_ASSERT_EQUAL(db_exec(db, STMT__COUNT, NULL, 0, NULL, NULL, NULL), KILN_ERR_INTERNAL);
	db_free(db);
}

/* Every statement of the table prepares against the migrated schema, with
 * the parameter and column counts its signature says. */
static void
test_every_statement_prepares(void)
{
	struct db *db = db_new(&it_cfg);
	enum db_stmt_id failed = STMT__COUNT;
	enum kiln_err rc = db_prepare_all(db, &failed);

	if (rc != KILN_OK)
		fprintf(stderr, "\n  statement %s does not prepare", db_stmts[failed].name);
	CU_ASSERT_EQUAL(rc, KILN_OK);
	db_free(db);
}

static void
test_duplicate_is_conflict(void)
{
	struct db *db = db_new(&it_cfg);
	struct db_val p[3] = {DBV_I64(1), DBV_STR("foundation"), DBV_STR("x")};

	CU_ASSERT_EQUAL(db_exec(db, STMT_MIGRATIONS_INSERT, p, 3, NULL, NULL, NULL),
			KILN_ERR_CONFLICT);
	db_free(db);
}

static int64_t
connection_id(struct db *db)
{
	struct db_res *res = NULL;
	int64_t id = -1;

	if (db_exec(db, STMT_CONNECTION_ID, NULL, 0, &res, NULL, NULL) == KILN_OK)
		id = db_res_i64(res, 0, 0);
	db_res_free(res);
	return id;
}

/* Kills a connection as MariaDB's root, through its own client. */
static int
kill_connection(int64_t id)
{
	char sock[4096], sql[64];
	pid_t pid;
	int status;

	snprintf(sql, sizeof(sql), "KILL %lld", (long long)id);
	snprintf(sock, sizeof(sock), "--socket=%s", it_cfg.db_socket);
	if ((pid = fork()) == 0) {
		execlp("mariadb", "mariadb", "--no-defaults", sock, "-uroot", "-e", sql,
		       (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0
		   ? 0
		   : -1;
}

static void
test_reconnect_after_kill(void)
{
	struct db *db = db_new(&it_cfg);
	int64_t first = connection_id(db), second;
	char back[64];

	CU_ASSERT_FATAL(first > 0);
	CU_ASSERT_EQUAL_FATAL(kill_connection(first), 0);
	/* the statement cache is rebuilt on a fresh connection, transparently */
	CU_ASSERT_EQUAL(put(db, "it.reconnect", "yes"), KILN_OK);
	CU_ASSERT_EQUAL(get(db, "it.reconnect", back, sizeof(back)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(back, "yes");
	second = connection_id(db);
	CU_ASSERT(second > 0 && second != first);
	db_free(db);
}

static enum kiln_err
txn_set_then_fail(struct db *db, void *ctx)
{
	struct db_val p[2] = {DBV_STR("changed"), DBV_STR("it.rollback")};
	enum kiln_err rc = db_exec(db, STMT_SETTING_UPDATE, p, 2, NULL, NULL, NULL);

	(*(int *)ctx)++;
	return rc == KILN_OK ? KILN_ERR_CONFLICT : rc;
}

static void
test_txn_rolls_back(void)
{
	struct db *db = db_new(&it_cfg);
	char back[64];
	int calls = 0;

	CU_ASSERT_EQUAL(put(db, "it.rollback", "original"), KILN_OK);
	CU_ASSERT_EQUAL(db_txn(db, txn_set_then_fail, &calls), KILN_ERR_CONFLICT);
	CU_ASSERT_EQUAL(calls, 1); /* a domain error is not retried */
	CU_ASSERT_EQUAL(get(db, "it.rollback", back, sizeof(back)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(back, "original");
	db_free(db);
}

struct dl_side {
	struct db *db;
	const char *first, *second, *value;
	pthread_barrier_t *barrier;
	int calls;
	enum kiln_err rc;
};

/* Locks first, waits (on the first attempt only) until the other side
 * holds its lock too, then wants second: the two sides deadlock. */
static enum kiln_err
dl_body(struct db *db, void *ctx)
{
	struct dl_side *s = ctx;
	struct db_val a[2] = {DBV_STR(s->value), DBV_STR(s->first)};
	struct db_val b[2] = {DBV_STR(s->value), DBV_STR(s->second)};
	enum kiln_err rc;

	if ((rc = db_exec(db, STMT_SETTING_UPDATE, a, 2, NULL, NULL, NULL)) != KILN_OK)
		return rc;
	if (++s->calls == 1)
		pthread_barrier_wait(s->barrier);
	return db_exec(db, STMT_SETTING_UPDATE, b, 2, NULL, NULL, NULL);
}

static void *
dl_thread(void *arg)
{
	struct dl_side *s = arg;

	s->rc = db_txn(s->db, dl_body, s);
	return NULL;
}

static void
test_deadlock_is_retried(void)
{
	pthread_barrier_t barrier;
	struct dl_side a = {db_new(&it_cfg), "it.k1", "it.k2", "a", &barrier, 0, KILN_OK};
	struct dl_side b = {db_new(&it_cfg), "it.k2", "it.k1", "b", &barrier, 0, KILN_OK};
	pthread_t ta, tb;
	char v1[16], v2[16];

	CU_ASSERT_EQUAL(put(a.db, "it.k1", "0"), KILN_OK);
	CU_ASSERT_EQUAL(put(a.db, "it.k2", "0"), KILN_OK);
	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&ta, NULL, dl_thread, &a);
	pthread_create(&tb, NULL, dl_thread, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&barrier);
	/* one side was chosen as the victim and ran again; both committed */
	CU_ASSERT_EQUAL(a.rc, KILN_OK);
	CU_ASSERT_EQUAL(b.rc, KILN_OK);
	CU_ASSERT_EQUAL(a.calls + b.calls, 3);
	CU_ASSERT_EQUAL(get(a.db, "it.k1", v1, sizeof(v1)), KILN_OK);
	CU_ASSERT_EQUAL(get(a.db, "it.k2", v2, sizeof(v2)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(v1, v2); /* the last committer wrote both rows */
	db_free(a.db);
	db_free(b.db);
}

struct lost_ctx {
	int calls;
};

/* Writes two rows; on the first run its connection is killed between them. */
static enum kiln_err
lost_body(struct db *db, void *arg)
{
	struct lost_ctx *c = arg;
	enum kiln_err rc;

	if ((rc = put(db, "it.lost.1", "one")) != KILN_OK)
		return rc;
	if (++c->calls == 1 && kill_connection(connection_id(db)) != 0)
		return KILN_ERR_INTERNAL;
	return put(db, "it.lost.2", "two");
}

static void
test_txn_connection_lost(void)
{
	struct db *db = db_new(&it_cfg);
	struct lost_ctx c = {0};
	char v1[16], v2[16];

	/* a killed connection must not leave half a transaction: the second
	 * write may not run in autocommit on a new connection after the first
	 * was rolled back; db_txn runs the whole body again */
	CU_ASSERT_EQUAL(db_txn(db, lost_body, &c), KILN_OK);
	CU_ASSERT_EQUAL(c.calls, 2);
	CU_ASSERT_EQUAL(get(db, "it.lost.1", v1, sizeof(v1)), KILN_OK);
	CU_ASSERT_EQUAL(get(db, "it.lost.2", v2, sizeof(v2)), KILN_OK);
	CU_ASSERT_STRING_EQUAL(v1, "one");
	CU_ASSERT_STRING_EQUAL(v2, "two");
	db_free(db);
}

/* kilnctl migrate --dir SRC/sql [a1 [a2]]: its exit code, OUT: out. */
static int
kilnctl(const char *a1, const char *a2, char *out, size_t n)
{
	char sqldir[4096];
	const char *args[] = {"migrate", "--dir", sqldir, a1, a2, NULL};

	snprintf(sqldir, sizeof(sqldir), "%s/sql", getenv("KILN_IT_SRCDIR"));
	return it_kilnctl(args, NULL, out, n);
}

static void
test_migrate_idempotent(void)
{
	char out[8192];

	CU_ASSERT_EQUAL(kilnctl(NULL, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "schema up to date"));
	CU_ASSERT_PTR_NULL(strstr(out, "applied 001"));
	CU_ASSERT_EQUAL(kilnctl("--status", NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "001_foundation.sql"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "applied"));
	CU_ASSERT_PTR_NULL(strstr(out, "pending"));
	CU_ASSERT_PTR_NULL(strstr(out, "modified"));
	CU_ASSERT_EQUAL(kilnctl("--dir", "/nonexistent", out, sizeof(out)), 1);
}

/* One round trip reads a user and the head of a job (user_job_head):
 * the user's whole row, then the job's owner and row_version, which every
 * UPDATE of the job moves (sql/019's trigger); a job that is not there
 * gives NULLs and the user's row stays whole. */
static void
test_job_head(void)
{
	char token[2048];
	struct db *db = db_new(&it_cfg);
	struct db_res *res = NULL;
	long long uid = it_new_user("head@example.com", token, sizeof(token)), id;
	struct db_val p[2], u[7];
	int64_t v0;

	CU_ASSERT_FATAL(uid > 0);
	id = it_submit(token, "{\"name\": \"head me\", \"command\": [\"true\"]}");
	CU_ASSERT_FATAL(id > 0);
	p[0] = DBV_I64(id); /* the job's id first, then the user's */
	p[1] = DBV_I64(uid);
	CU_ASSERT_EQUAL_FATAL(db_exec(db, STMT_USER_JOB_HEAD, p, 2, &res, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL_FATAL(db_res_rows(res), 1);
	CU_ASSERT_EQUAL(db_res_i64(res, 0, 0), uid);
	CU_ASSERT_STRING_EQUAL(db_res_str(res, 0, 1, NULL), "head@example.com");
	CU_ASSERT_EQUAL(db_res_i64(res, 0, DB_USER_NCOLS), uid);
	v0 = db_res_i64(res, 0, DB_USER_NCOLS + 1);
	db_res_free(res);
	/* a rename, then an UPDATE that changes nothing: each moves it */
	u[0] = DBV_I64(1);
	u[1] = DBV_STR("renamed");
	u[2] = DBV_I64(0);
	u[3] = DBV_I64(0);
	u[4] = DBV_I64(0);
	u[5] = DBV_F64(0);
	u[6] = DBV_I64(id);
	CU_ASSERT_EQUAL(db_exec(db, STMT_JOB_PATCH, u, 7, NULL, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL(db_exec(db, STMT_JOB_PATCH, u, 7, NULL, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL_FATAL(db_exec(db, STMT_USER_JOB_HEAD, p, 2, &res, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL(db_res_i64(res, 0, DB_USER_NCOLS + 1), v0 + 2);
	db_res_free(res);
	/* the whole row carries the same version last */
	CU_ASSERT_EQUAL_FATAL(db_exec(db, STMT_JOB_GET, p, 1, &res, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL(db_res_i64(res, 0, DB_JOB_COL_VERSION), v0 + 2);
	CU_ASSERT_STRING_EQUAL(db_res_str(res, 0, 3, NULL), "renamed");
	db_res_free(res);
	p[0] = DBV_I64(id + 1000000);
	CU_ASSERT_EQUAL_FATAL(db_exec(db, STMT_USER_JOB_HEAD, p, 2, &res, NULL, NULL), KILN_OK);
	CU_ASSERT_EQUAL_FATAL(db_res_rows(res), 1);
	CU_ASSERT_STRING_EQUAL(db_res_str(res, 0, 1, NULL), "head@example.com");
	CU_ASSERT(db_res_is_null(res, 0, DB_USER_NCOLS));
	CU_ASSERT(db_res_is_null(res, 0, DB_USER_NCOLS + 1));
	db_res_free(res);
	db_free(db);
}

/* Sockets a program started now would inherit: ls, run through popen,
 * counts its own. */
static long
inherited_sockets(void)
{
	char line[64] = "";
	FILE *p = popen("ls -l /proc/self/fd | grep -c socket:", "r");

	if (p == NULL)
		return -1;
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	pclose(p);
	return line[0] ? strtol(line, NULL, 10) : -1;
}

/* The connection is close-on-exec: a job, kiln-run or any other program
 * a kiln process starts never holds the database session. */
static void
test_connection_not_inherited(void)
{
	struct db *db = db_new(&it_cfg);
	long before = inherited_sockets();

	CU_ASSERT_FATAL(before >= 0);
	CU_ASSERT_EQUAL_FATAL(db_connect(db), KILN_OK);
	CU_ASSERT_EQUAL(inherited_sockets(), before);
	db_free(db);
}

void
suite_dblayer(void)
{
	CU_pSuite s = CU_add_suite("db layer", dbl_init, dbl_cleanup);

	CU_add_test(s, "typed binds, long and hostile strings", test_binds_and_long_strings);
	CU_add_test(s, "parameters must match the statement's signature", test_signature_checked);
	CU_add_test(s, "a duplicate key is a conflict", test_duplicate_is_conflict);
	CU_add_test(s, "every statement prepares with its signature",
		    test_every_statement_prepares);
	CU_add_test(s, "a killed connection is replaced transparently", test_reconnect_after_kill);
	CU_add_test(s, "a failing transaction rolls back and is not retried", test_txn_rolls_back);
	CU_add_test(s, "a real deadlock is retried by db_txn", test_deadlock_is_retried);
	CU_add_test(s, "a connection lost inside db_txn reruns the whole body",
		    test_txn_connection_lost);
	CU_add_test(s, "kilnctl migrate is idempotent and reports status", test_migrate_idempotent);
	CU_add_test(s, "a user and a job's head in one query; every UPDATE moves its version",
		    test_job_head);
	CU_add_test(s, "no program started later inherits the connection",
		    test_connection_not_inherited);
}
