/* SPDX-License-Identifier: MIT */
/* db_stmts.c: all SQL text in kiln, one row per statement, in the order of
 * enum db_stmt_id. Only bound parameters ('?'); never text built from input.
 * Sort orders are separate statements chosen from a whitelist, never input. */
#include "db_stmts.h"

const struct db_stmt_def db_stmts[STMT__COUNT] = {
    [STMT_PING] = {"ping", "SELECT 1", "", "i"},
    [STMT_MIGRATIONS_CREATE] = {"migrations_create",
				"CREATE TABLE IF NOT EXISTS schema_migrations ("
				" version INT UNSIGNED NOT NULL PRIMARY KEY,"
				" name VARCHAR(200) NOT NULL,"
				" checksum CHAR(64) NOT NULL,"
				" applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
				"", ""},
    [STMT_MIGRATIONS_LIST] = {"migrations_list",
			      "SELECT version, name, checksum,"
			      " DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%sZ')"
			      " FROM schema_migrations ORDER BY version",
			      "", "isss"},
    [STMT_MIGRATIONS_INSERT] = {"migrations_insert",
				"INSERT INTO schema_migrations (version, name, checksum)"
				" VALUES (?, ?, ?)",
				"iss", ""},
    [STMT_LOCK_GET] = {"lock_get", "SELECT GET_LOCK(?, ?)", "si", "i"},
    [STMT_LOCK_RELEASE] = {"lock_release", "SELECT RELEASE_LOCK(?)", "s", "i"},
    [STMT_CONNECTION_ID] = {"connection_id", "SELECT CONNECTION_ID()", "", "i"},
    [STMT_SETTING_GET] = {"setting_get", "SELECT value FROM settings WHERE name = ?", "s", "s"},
    [STMT_SETTING_PUT] = {"setting_put",
			  "INSERT INTO settings (name, value) VALUES (?, ?)"
			  " ON DUPLICATE KEY UPDATE value = VALUES(value)",
			  "ss", ""},
    [STMT_SETTING_UPDATE] = {"setting_update", "UPDATE settings SET value = ? WHERE name = ?", "ss",
			     ""},
};
