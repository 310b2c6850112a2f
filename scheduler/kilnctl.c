/* SPDX-License-Identifier: MIT */
/* kilnctl.c: the sysadmin's tool. kilnctl [-c CONFIG] COMMAND ...
 *   migrate [--dir DIR] [--status]   apply (or list) schema migrations
 *   user create|passwd|list          accounts (the first admin, lost passwords)
 *   audit                            balance == SUM(ledger), reserved == SUM(holds),
 *                                    job_counts == the jobs, user_spend == the charges
 * Later commands (user, limits, nodes, audit, gc) join the table below. */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "migrate.h"
#include "gc.h"

#ifndef KILN_SQLDIR
#define KILN_SQLDIR "/usr/share/kiln/sql"
#endif

/* A connected database handle for a command, or NULL after saying why. */
static struct db *
kilnctl_db(const struct kiln_config *cfg)
{
	struct db *db;

	db_library_init();
	db = db_new(cfg);
	if (db_connect(db) != KILN_OK) {
		fprintf(stderr, "kilnctl: cannot connect to the database\n");
		db_free(db);
		db_library_end();
		return NULL;
	}
	return db;
}

static int
cmd_migrate(const struct kiln_config *cfg, int argc, char **argv)
{
	const char *dir = KILN_SQLDIR;
	int status_only = 0, i;
	struct db *db;
	enum kiln_err rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0) {
			status_only = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else {
			fprintf(stderr, "usage: kilnctl migrate [--dir DIR] [--status]\n");
			return 2;
		}
	}
	if ((db = kilnctl_db(cfg)) == NULL)
		return 1;
	rc = migrate_run(db, dir, status_only, stdout, stderr);
	db_free(db);
	db_library_end();
	return rc == KILN_OK ? 0 : 1;
}

/* Reads one line (the password) from stdin into OUT: buf. 0 or -1. */
static int
read_password(char *buf, size_t n)
{
	size_t len;

	if (fgets(buf, (int)n, stdin) == NULL)
		return -1;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return 0;
}

/* A random password, base64url of 18 bytes, into OUT: buf. */
static void
generate_password(char buf[CRYPTO_B64_LEN(18)])
{
	unsigned char raw[18];

	crypto_random(raw, sizeof(raw));
	crypto_b64url(raw, sizeof(raw), buf);
}

/* Parses "--name value" pairs of argv into the named slots. */
static int
user_opts(int argc, char **argv, const char **email, const char **role, const char **username,
	  int *from_stdin)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--password-stdin") == 0)
			*from_stdin = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--email") == 0)
			*email = argv[++i];
		else if (i + 1 < argc && role != NULL && strcmp(argv[i], "--role") == 0)
			*role = argv[++i];
		else if (i + 1 < argc && username != NULL && strcmp(argv[i], "--username") == 0)
			*username = argv[++i];
		else
			return -1;
	}
	return *email != NULL ? 0 : -1;
}

static int
user_password(int from_stdin, char *pw, size_t n, int *generated)
{
	const char *why;

	*generated = !from_stdin;
	if (!from_stdin) {
		generate_password(pw);
		return 0;
	}
	if (read_password(pw, n) != 0 || account_password_check(strlen(pw), &why) != 0) {
		fprintf(stderr, "kilnctl: password on stdin must be 8 to 1024 bytes\n");
		return -1;
	}
	return 0;
}

static int
user_create(const struct kiln_config *cfg, struct db *db, int argc, char **argv)
{
	const char *email_in = NULL, *role = "user", *username = NULL, *why = NULL, *which = "";
	char email[ACCOUNT_EMAIL_MAX + 1], pw[ACCOUNT_PASSWORD_MAX + 2];
	int from_stdin = 0, generated;
	int64_t id = 0;
	enum kiln_err rc;

	if (user_opts(argc, argv, &email_in, &role, &username, &from_stdin) != 0) {
		fprintf(stderr, "usage: kilnctl user create --email E [--role R] [--username U] "
				"[--password-stdin]\n");
		return 2;
	}
	if (account_email_normalize(email_in, email, &why) != 0 || account_role_bit(role) == 0 ||
	    (username != NULL && account_username_check(username, &why) != 0)) {
		fprintf(stderr, "kilnctl: %s\n",
			why ? why : "role must be user, viewer, operator or admin");
		return 2;
	}
	if (user_password(from_stdin, pw, sizeof(pw), &generated) != 0)
		return 2;
	rc = account_create(db, cfg, email, pw, strlen(pw), username, NULL, role, &id, &which);
	if (rc == KILN_ERR_CONFLICT) {
		fprintf(stderr, "kilnctl: that %s is already registered\n", which);
		return 1;
	}
	if (rc != KILN_OK) {
		fprintf(stderr, "kilnctl: could not create the user (database error)\n");
		return 1;
	}
	printf("created user %lld: %s (%s)\n", (long long)id, email, role);
	if (generated)
		printf("password: %s\n(shown once: keep it now)\n", pw);
	return 0;
}

static int
user_passwd(const struct kiln_config *cfg, struct db *db, int argc, char **argv)
{
	const char *email_in = NULL, *why = NULL;
	char email[ACCOUNT_EMAIL_MAX + 1], pw[ACCOUNT_PASSWORD_MAX + 2];
	char hash[CRYPTO_PASSWORD_HASH_MAX];
	struct db_res *res = NULL;
	int from_stdin = 0, generated;
	uint64_t affected = 0;

	if (user_opts(argc, argv, &email_in, NULL, NULL, &from_stdin) != 0 ||
	    account_email_normalize(email_in, email, &why) != 0) {
		fprintf(stderr, "usage: kilnctl user passwd --email E [--password-stdin]\n");
		return 2;
	}
	if (user_password(from_stdin, pw, sizeof(pw), &generated) != 0)
		return 2;
	{
		struct db_val p[1] = {DBV_STR(email)};

		if (db_exec(db, STMT_USER_ID_BY_EMAIL, p, 1, &res, NULL, NULL) != KILN_OK ||
		    db_res_rows(res) != 1) {
			fprintf(stderr, "kilnctl: no user %s\n", email);
			db_res_free(res);
			return 1;
		}
	}
	if (account_hash(cfg, pw, strlen(pw), hash) == KILN_OK) {
		struct db_val u[2] = {DBV_STR(hash), DBV_I64(db_res_i64(res, 0, 0))};

		(void)db_exec(db, STMT_USER_SET_PASSWORD, u, 2, NULL, &affected, NULL);
		/* and every session from before it ends (see h_users.c) */
		if (affected == 1 &&
		    db_exec(db, STMT_REFRESH_REVOKE_USER, u + 1, 1, NULL, NULL, NULL) != KILN_OK) {
			fprintf(stderr,
				"kilnctl: password changed for %s, but its sessions could "
				"not be ended: run it again\n",
				email);
			db_res_free(res);
			return 1;
		}
	}
	db_res_free(res);
	if (affected != 1) {
		fprintf(stderr, "kilnctl: password not changed\n");
		return 1;
	}
	printf("password changed for %s\n", email);
	if (generated)
		printf("password: %s\n(shown once: keep it now)\n", pw);
	return 0;
}

static int
user_list(struct db *db)
{
	struct db_val p[2] = {DBV_I64(1000000), DBV_I64(0)};
	struct db_res *res = NULL;
	size_t i;

	if (db_exec(db, STMT_USER_LIST, p, 2, &res, NULL, NULL) != KILN_OK) {
		fprintf(stderr, "kilnctl: cannot list users\n");
		return 1;
	}
	printf("%-6s %-40s %-9s %-6s %s\n", "id", "email", "role", "active", "created_at");
	for (i = 0; i < db_res_rows(res); i++)
		printf("%-6lld %-40s %-9s %-6s %s\n", (long long)db_res_i64(res, i, 0),
		       db_res_str(res, i, 1, NULL), db_res_str(res, i, 4, NULL),
		       db_res_i64(res, i, 5) ? "yes" : "no", db_res_str(res, i, 8, NULL));
	db_res_free(res);
	return 0;
}

static int
cmd_user(const struct kiln_config *cfg, int argc, char **argv)
{
	struct db *db;
	int rc;

	if (argc < 1 || (strcmp(argv[0], "create") != 0 && strcmp(argv[0], "passwd") != 0 &&
			 strcmp(argv[0], "list") != 0)) {
		fprintf(stderr, "usage: kilnctl user create|passwd|list ...\n");
		return 2;
	}
	if ((db = kilnctl_db(cfg)) == NULL)
		return 1;
	if (strcmp(argv[0], "create") == 0)
		rc = user_create(cfg, db, argc - 1, argv + 1);
	else if (strcmp(argv[0], "passwd") == 0)
		rc = user_passwd(cfg, db, argc - 1, argv + 1);
	else
		rc = user_list(db);
	db_free(db);
	db_library_end();
	return rc;
}

/* Prints the rows of an audit statement (id, email, have, want); count. */
static size_t
audit_report(struct db_res *res, const char *what)
{
	size_t i, n = db_res_rows(res);

	for (i = 0; i < n; i++) {
		char have[MONEY_TEXT_MAX], want[MONEY_TEXT_MAX];

		money_format(db_res_i64(res, i, 2), have);
		money_format(db_res_i64(res, i, 3), want);
		printf("MISMATCH user %lld (%s): %s is %s, but %s\n",
		       (long long)db_res_i64(res, i, 0), db_res_str(res, i, 1, NULL), what, have,
		       want);
	}
	return n;
}

/* Prints the job_counts rows that disagree with the jobs; count. */
static size_t
audit_counts_report(struct db_res *res)
{
	size_t i, n = db_res_rows(res);

	for (i = 0; i < n; i++) {
		char where[48] = " outside projects";

		if (db_res_i64(res, i, 6) != 0)
			snprintf(where, sizeof(where), " in project %lld",
				 (long long)db_res_i64(res, i, 6));
		printf("MISMATCH user %lld (%s): job_counts has %lld %s %s jobs%s, but there are "
		       "%lld\n",
		       (long long)db_res_i64(res, i, 0), db_res_str(res, i, 1, NULL),
		       (long long)db_res_i64(res, i, 4), db_res_str(res, i, 2, NULL),
		       db_res_str(res, i, 3, NULL), where, (long long)db_res_i64(res, i, 5));
	}
	return n;
}

/* kilnctl audit: for every user, balance == SUM(ledger), reserved ==
 * SUM(open holds) and job_counts == the jobs. Exit 1 on any mismatch. */
static int
cmd_audit(const struct kiln_config *cfg, int argc, char **argv)
{
	struct db_res *b = NULL, *r = NULL, *c = NULL, *s = NULL;
	struct db *db;
	size_t bad = 0;
	int rc = 1;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: kilnctl audit\n");
		return 2;
	}
	if ((db = kilnctl_db(cfg)) == NULL)
		return 1;
	if (db_exec(db, STMT_AUDIT_BALANCES, NULL, 0, &b, NULL, NULL) != KILN_OK ||
	    db_exec(db, STMT_AUDIT_RESERVED, NULL, 0, &r, NULL, NULL) != KILN_OK ||
	    db_exec(db, STMT_AUDIT_JOB_COUNTS, NULL, 0, &c, NULL, NULL) != KILN_OK ||
	    db_exec(db, STMT_AUDIT_SPEND, NULL, 0, &s, NULL, NULL) != KILN_OK) {
		fprintf(stderr, "kilnctl: cannot read the ledger\n");
		goto out;
	}
	bad += audit_report(b, "balance (the ledger sums to the second figure)");
	bad += audit_report(r, "reserved (the open holds sum to the second figure)");
	bad += audit_counts_report(c);
	bad += audit_report(s, "charged that day (the ledger's charges sum to the second figure)");
	if (bad == 0)
		printf("ledger consistent: every balance equals its ledger, every reserve its "
		       "holds, every day's spend its charges; job counts match the jobs\n");
	rc = bad == 0 ? 0 : 1;
out:
	db_res_free(s);
	db_res_free(c);
	db_res_free(r);
	db_res_free(b);
	db_free(db);
	db_library_end();
	return rc;
}

/* kilnctl gc: the daily clean-up (gc.h). */
static int
cmd_gc(const struct kiln_config *cfg, int argc, char **argv)
{
	struct gc_counts n;
	struct db *db;
	enum kiln_err rc;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: kilnctl gc\n");
		return 2;
	}
	if ((db = kilnctl_db(cfg)) == NULL)
		return 1;
	rc = gc_run(db, cfg, &n);
	if (rc == KILN_OK)
		printf(
		    "removed: %lld idempotency keys, %lld refresh tokens, the files of %lld jobs\n",
		    (long long)n.idempotency_keys, (long long)n.refresh_tokens,
		    (long long)n.job_files);
	else
		fprintf(stderr, "kilnctl: gc failed: %s\n", err_code(rc));
	db_free(db);
	db_library_end();
	return rc == KILN_OK ? 0 : 1;
}

static const struct {
	const char *name;
	int (*fn)(const struct kiln_config *cfg, int argc, char **argv);
	const char *help;
} commands[] = {
    {"migrate", cmd_migrate, "migrate [--dir DIR] [--status]  apply or list schema migrations"},
    {"user", cmd_user,
     "user create --email E [--role R] [--username U] [--password-stdin]\n"
     "  user passwd --email E [--password-stdin]      (a password is generated unless given)\n"
     "  user list"},
    {"audit", cmd_audit, "audit                            check balances against the ledger"},
    {"gc", cmd_gc,
     "gc                               remove expired keys, tokens and old job files"},
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: kilnctl [-c CONFIG] COMMAND [ARGS]\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %s\n", commands[i].help);
}

int
main(int argc, char **argv)
{
	static struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];
	const char *cpath = NULL;
	int i = 1;
	size_t c;

	log_set_ident("kilnctl");
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cpath = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	if (crypto_init() != KILN_OK)
		return 1;
	if (config_load(config_path(cpath), &cfg, err) != KILN_OK) {
		fprintf(stderr, "kilnctl: %s\n", err);
		return 1;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(&cfg, argc - i - 1, argv + i + 1);
	usage();
	return 2;
}
