/* SPDX-License-Identifier: MIT */
/* db_stmts.h: the enum of every SQL statement kiln runs. The text and the
 * parameter/result signatures live in db_stmts.c, in the same order. */
#ifndef KILN_DB_STMTS_H
#define KILN_DB_STMTS_H

enum db_stmt_id {
	STMT_PING,
	STMT_MIGRATIONS_CREATE,
	STMT_MIGRATIONS_LIST,
	STMT_MIGRATIONS_INSERT,
	STMT_LOCK_GET,
	STMT_LOCK_RELEASE,
	STMT_CONNECTION_ID,
	STMT_SETTING_GET,
	STMT_SETTING_PUT,
	STMT_SETTING_UPDATE,
	STMT_USER_INSERT,
	STMT_USER_GET,
	STMT_USER_LIST,
	STMT_USER_COUNT,
	STMT_USER_EMAIL_EXISTS,
	STMT_USER_USERNAME_EXISTS,
	STMT_USER_LOGIN,
	STMT_USER_AUTH,
	STMT_USER_SET_PASSWORD,
	STMT_USER_UPDATE,
	STMT_USER_ACTIVE_ADMINS_LOCK,
	STMT_USER_ID_BY_EMAIL,
	STMT_APIKEY_INSERT,
	STMT_APIKEY_GET,
	STMT_APIKEY_LIST,
	STMT_APIKEY_REVOKE,
	STMT_APIKEY_AUTH,
	STMT_APIKEY_TOUCH,
	STMT_REFRESH_INSERT,
	STMT_REFRESH_LOCK,
	STMT_REFRESH_MARK_USED,
	STMT_REFRESH_REVOKE_FAMILY,
	STMT__COUNT
};

/* One statement: params and results are signatures, one letter per column:
 * 'i' int64, 's' string, 'd' double. */
struct db_stmt_def {
	const char *name;
	const char *sql;
	const char *params;
	const char *results;
};

/* The table, indexed by enum db_stmt_id. */
extern const struct db_stmt_def db_stmts[STMT__COUNT];

#endif
