/* SPDX-License-Identifier: MIT */
/* db_stmts.c: all SQL text in kiln, one row per statement, in the order of
 * enum db_stmt_id. Only bound parameters ('?'); never text built from input.
 * Sort orders are separate statements chosen from a whitelist, never input. */
#include "db_stmts.h"

/* ISO 8601 UTC out of a DATETIME (every session runs at time_zone +00:00) */
#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
/* A user as the API shows it; result signature USER_SIG */
#define USER_COLS_OF(t)                                                                            \
	t "id"                                                                                     \
	  ", " t "email"                                                                           \
	  ", " t "username"                                                                        \
	  ", " t "full_name"                                                                       \
	  ", " t "role"                                                                            \
	  ", " t "is_active"                                                                       \
	  ", " t "max_concurrent_jobs"                                                             \
	  ", " t "daily_cost_cap_micros"                                                           \
	  ", " ISO(t "created_at")
#define USER_COLS USER_COLS_OF("")
#define USER_SIG "issssiiis"
_Static_assert(sizeof(USER_SIG) - 1 == DB_USER_NCOLS, "DB_USER_NCOLS is USER_SIG's length");
#define APIKEY_COLS                                                                                \
	"id, name, prefix, " ISO("created_at") ", " ISO("last_used_at") ", " ISO("expires_at")
#define APIKEY_SIG "isssss"
/* apikey_auth's row: key id, user id, role, is_active, expired, stale
 * (last_used_at old enough to be worth a write) */
#define APIKEY_AUTH_COLS                                                                           \
	"k.id, k.user_id, u.role, u.is_active,"                                                    \
	" k.expires_at IS NOT NULL AND k.expires_at <= NOW(6) AS expired,"                         \
	" k.last_used_at IS NULL OR k.last_used_at < NOW(6) - INTERVAL 60 SECOND AS stale"
#define APIKEY_AUTH_FROM " FROM api_keys k JOIN users u ON u.id = k.user_id"
#define APIKEY_AUTH_WHERE " WHERE k.key_hash = ? AND k.revoked_at IS NULL"
#define APIKEY_AUTH_SIG "iisiii"
_Static_assert(sizeof(APIKEY_AUTH_SIG) - 1 == DB_APIKEY_AUTH_NCOLS, "DB_APIKEY_AUTH_NCOLS");
/* A wallet_ledger row as the API shows it; result signature LEDGER_SIG */
#define LEDGER_COLS                                                                                \
	"id, type, amount_micros, balance_after_micros, job_id, payment_reference, "               \
	"description, " ISO("created_at")
#define LEDGER_SIG "isiiisss"
/* A job as the API shows it (fcgi/views.c reads these by position), its
 * columns qualified by t ("" or "j.") */
#define JOB_COLS_OF(t)                                                                             \
	t "id"                                                                                     \
	  ", " t "user_id"                                                                         \
	  ", " t "kind"                                                                            \
	  ", " t "name"                                                                            \
	  ", " t "status"                                                                          \
	  ", " t "wait_reason"                                                                     \
	  ", " t "failure_reason"                                                                  \
	  ", " t "exit_code"                                                                       \
	  ", " t "progress"                                                                        \
	  ", " t "priority"                                                                        \
	  ", " t "command_json"                                                                    \
	  ", " t "script"                                                                          \
	  ", " t "working_dir"                                                                     \
	  ", " t "env_json"                                                                        \
	  ", " t "payload_json"                                                                    \
	  ", " t "gpus"                                                                            \
	  ", " t "cpu_count"                                                                       \
	  ", " t "memory_bytes"                                                                    \
	  ", " t "timeout_seconds"                                                                 \
	  ", " t "estimated_cost_micros"                                                           \
	  ", " t "actual_cost_micros"                                                              \
	  ", " t "node_id"                                                                         \
	  ", " t "attempts"                                                                        \
	  ", " t "max_attempts"                                                                    \
	  ", " t "cancel_requested"                                                                \
	  ", " t "batch_id"                                                                        \
	  ", " t "project_id"                                                                      \
	  ", " ISO(t "created_at") ", " ISO(t "started_at") ", " ISO(                              \
	      t "finished_at") ", " t "render_json"                                                \
			       ", " t "moderation_status"                                          \
			       ", " t "moderation_score"                                           \
			       ", " t "dataset_id"                                                 \
			       ", " t "image"                                                      \
			       ", " t "image_root"                                                 \
			       ", " t "inputs_json"                                                \
			       ", " t "queue_position"                                             \
			       ", " t "gpu_ids"                                                    \
			       ", " t "exit_signal"                                                \
			       ", " t "files_removed"                                              \
			       ", " t "failure_detail"                                             \
			       ", " ISO(t "updated_at") ", " t "row_version"
#define JOB_COLS JOB_COLS_OF("")
#define JOB_SIG "iisssssidisssssiiiiiiiiiiiisssssdisssisiissi"
_Static_assert(sizeof(JOB_SIG) - 1 == DB_JOB_NCOLS, "DB_JOB_NCOLS is JOB_SIG's length");
/* What a reader needs to tell whether it may see job j and whether it
 * changed since it last read it: owner and row_version (sql/019) */
#define JOB_HEAD_COLS "j.user_id, j.row_version, j.kind"
#define JOB_HEAD_SIG "iis"
_Static_assert(sizeof(JOB_HEAD_SIG) - 1 == DB_JOB_HEAD_NCOLS, "DB_JOB_HEAD_NCOLS");
/* the list filters: how many statuses (0: any) and JOB_STATUS_COUNT of
 * them (the unused repeat one), then the kind twice ('' for any). An IN
 * list, not FIND_IN_SET, so that ix_jobs_user_status serves one status. */
#define JOB_FILTER " AND (? = 0 OR status IN (?, ?, ?, ?, ?, ?, ?, ?, ?)) AND (? = '' OR kind = ?)"
#define JOB_FILTER_SIG "isssssssssss" /* the count, 9 statuses, the kind twice */
_Static_assert(sizeof(JOB_FILTER_SIG) - 1 == DB_JOB_FILTER_NPARAMS, "DB_JOB_FILTER_NPARAMS");

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
    [STMT_USER_INSERT] = {"user_insert",
			  "INSERT INTO users (email, username, full_name, password_hash, role)"
			  " VALUES (?, ?, ?, ?, ?)",
			  "sssss", ""},
    [STMT_USER_GET] = {"user_get", "SELECT " USER_COLS " FROM users WHERE id = ?", "i", USER_SIG},
    /* user_get and the head of job ? (DB_JOB_HEAD_SIG) in one round trip
     * (RF_READS_JOB): the job's id first, then the user's; the job's
     * columns are NULL when there is no such job. Plain joins, not derived
     * tables: MariaDB resolves a derived table's columns again on every
     * execution. */
    [STMT_USER_JOB_HEAD] = {"user_job_head",
			    "SELECT " USER_COLS_OF(
				"u.") ", " JOB_HEAD_COLS
				      " FROM users u LEFT JOIN jobs j ON j.id = ? WHERE u.id = ?",
			    "ii", USER_SIG JOB_HEAD_SIG},
    [STMT_USER_LIST] = {"user_list", "SELECT " USER_COLS " FROM users ORDER BY id LIMIT ? OFFSET ?",
			"ii", USER_SIG},
    [STMT_USER_COUNT] = {"user_count", "SELECT COUNT(*) FROM users", "", "i"},
    [STMT_USER_EMAIL_EXISTS] = {"user_email_exists", "SELECT id FROM users WHERE email = ?", "s",
				"i"},
    [STMT_USER_USERNAME_EXISTS] = {"user_username_exists",
				   "SELECT id FROM users WHERE username = ?", "s", "i"},
    [STMT_USER_LOGIN] = {"user_login",
			 "SELECT id, email, password_hash, role, is_active, " ISO(
			     "created_at") " FROM users WHERE email = ?",
			 "s", "isssis"},
    [STMT_USER_SET_PASSWORD] = {"user_set_password",
				"UPDATE users SET password_hash = ? WHERE id = ?", "si", ""},
    /* PATCH: each field is set only when its flag (the ? before it) is 1 */
    [STMT_USER_UPDATE] = {"user_update",
			  "UPDATE users SET role = IF(? = 1, ?, role),"
			  " is_active = IF(? = 1, ?, is_active),"
			  " max_concurrent_jobs = IF(? = 1, ?, max_concurrent_jobs),"
			  " daily_cost_cap_micros = IF(? = 1, ?, daily_cost_cap_micros),"
			  " password_hash = IF(? = 1, ?, password_hash)"
			  " WHERE id = ?",
			  "isiiiiiiisi", ""},
    [STMT_USER_ACTIVE_ADMINS_LOCK] = {"user_active_admins_lock",
				      "SELECT id FROM users WHERE role = 'admin' AND is_active = 1"
				      " FOR UPDATE",
				      "", "i"},
    [STMT_USER_ID_BY_EMAIL] = {"user_id_by_email", "SELECT id FROM users WHERE email = ?", "s",
			       "i"},
    [STMT_APIKEY_INSERT] = {"apikey_insert",
			    "INSERT INTO api_keys (user_id, name, prefix, key_hash, expires_at)"
			    " VALUES (?, ?, ?, ?, ?)",
			    "issss", ""},
    [STMT_APIKEY_GET] = {"apikey_get",
			 "SELECT " APIKEY_COLS " FROM api_keys WHERE id = ? AND user_id = ?", "ii",
			 APIKEY_SIG},
    [STMT_APIKEY_LIST] = {"apikey_list",
			  "SELECT " APIKEY_COLS " FROM api_keys"
			  " WHERE user_id = ? AND revoked_at IS NULL ORDER BY id",
			  "i", APIKEY_SIG},
    [STMT_APIKEY_REVOKE] = {"apikey_revoke",
			    "UPDATE api_keys SET revoked_at = NOW(6)"
			    " WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
			    "ii", ""},
    /* one round trip per API-key request: the key, its owner, expiry, and
     * whether last_used_at is stale enough to be worth a write */
    [STMT_APIKEY_AUTH] = {"apikey_auth",
			  "SELECT " APIKEY_AUTH_COLS APIKEY_AUTH_FROM APIKEY_AUTH_WHERE, "s",
			  APIKEY_AUTH_SIG},
    /* apikey_auth and the head of job ? in one round trip (RF_READS_JOB):
     * the job's id first, then the key's hash */
    [STMT_APIKEY_JOB_HEAD] = {"apikey_job_head",
			      "SELECT " APIKEY_AUTH_COLS ", " JOB_HEAD_COLS APIKEY_AUTH_FROM
			      " LEFT JOIN jobs j ON j.id = ?" APIKEY_AUTH_WHERE,
			      "is", APIKEY_AUTH_SIG JOB_HEAD_SIG},
    [STMT_APIKEY_TOUCH] = {"apikey_touch", "UPDATE api_keys SET last_used_at = NOW(6) WHERE id = ?",
			   "i", ""},
    [STMT_REFRESH_INSERT] =
	{"refresh_insert",
	 "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)"
	 " VALUES (?, ?, ?, NOW(6) + INTERVAL ? SECOND)",
	 "issi", ""},
    [STMT_REFRESH_LOCK] = {"refresh_lock",
			   "SELECT id, user_id, family_id, expires_at <= NOW(6),"
			   " used_at IS NOT NULL, revoked_at IS NOT NULL"
			   " FROM refresh_tokens WHERE token_hash = ? FOR UPDATE",
			   "s", "iisiii"},
    [STMT_REFRESH_MARK_USED] = {"refresh_mark_used",
				"UPDATE refresh_tokens SET used_at = NOW(6)"
				" WHERE id = ? AND used_at IS NULL",
				"i", ""},
    [STMT_REFRESH_REVOKE_FAMILY] = {"refresh_revoke_family",
				    "UPDATE refresh_tokens SET revoked_at = NOW(6)"
				    " WHERE family_id = ? AND user_id = ? AND revoked_at IS NULL",
				    "si", ""},
    /* a new password (or a disabled account) ends every session of the
     * user: a refresh token from before it is refused */
    [STMT_REFRESH_REVOKE_USER] = {"refresh_revoke_user",
				  "UPDATE refresh_tokens SET revoked_at = NOW(6)"
				  " WHERE user_id = ? AND revoked_at IS NULL",
				  "i", ""},
    /* the wallet: balances change only beside a ledger row (lib/ledger.c) */
    [STMT_WALLET_LOCK] =
	{"wallet_lock", "SELECT balance_micros, reserved_micros FROM users WHERE id = ? FOR UPDATE",
	 "i", "ii"},
    [STMT_WALLET_GET] = {"wallet_get",
			 "SELECT balance_micros, reserved_micros, daily_cost_cap_micros"
			 " FROM users WHERE id = ?",
			 "i", "iii"},
    /* credit only while the result stays at or under the cap (3rd ?) */
    [STMT_WALLET_CREDIT] = {"wallet_credit",
			    "UPDATE users SET balance_micros = balance_micros + ?"
			    " WHERE id = ? AND balance_micros <= ?",
			    "iii", ""},
    /* never below zero: the conditions are the guard, affected rows the answer */
    [STMT_WALLET_DEBIT] = {"wallet_debit",
			   "UPDATE users SET balance_micros = balance_micros - ?,"
			   " reserved_micros = reserved_micros - ?"
			   " WHERE id = ? AND balance_micros >= ? AND reserved_micros >= ?",
			   "iiiii", ""},
    [STMT_WALLET_RESERVE] = {"wallet_reserve",
			     "UPDATE users SET reserved_micros = reserved_micros + ?"
			     " WHERE id = ? AND balance_micros - reserved_micros >= ?",
			     "iii", ""},
    [STMT_WALLET_UNRESERVE] = {"wallet_unreserve",
			       "UPDATE users SET reserved_micros = reserved_micros - ?"
			       " WHERE id = ? AND reserved_micros >= ?",
			       "iii", ""},
    [STMT_LEDGER_INSERT] = {"ledger_insert",
			    "INSERT INTO wallet_ledger (user_id, type, amount_micros,"
			    " balance_after_micros, job_id, payment_reference, description)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?)",
			    "isiiiss", ""},
    [STMT_LEDGER_GET] = {"ledger_get", "SELECT " LEDGER_COLS " FROM wallet_ledger WHERE id = ?",
			 "i", LEDGER_SIG},
    [STMT_LEDGER_BY_PAYMENT] = {"ledger_by_payment",
				"SELECT " LEDGER_COLS " FROM wallet_ledger"
				" WHERE user_id = ? AND payment_reference = ?",
				"is", LEDGER_SIG},
    [STMT_LEDGER_LIST] = {"ledger_list",
			  "SELECT " LEDGER_COLS " FROM wallet_ledger WHERE user_id = ?"
			  " ORDER BY id DESC LIMIT ? OFFSET ?",
			  "iii", LEDGER_SIG},
    [STMT_LEDGER_COUNT] = {"ledger_count", "SELECT COUNT(*) FROM wallet_ledger WHERE user_id = ?",
			   "i", "i"},
    /* charges since 00:00 UTC (sessions run at +00:00), kept per day */
    [STMT_LEDGER_SPENT_TODAY] = {"ledger_spent_today",
				 "SELECT COALESCE((SELECT charged_micros FROM user_spend"
				 " WHERE user_id = ? AND day = CURRENT_DATE()), 0)",
				 "i", "i"},
    [STMT_SPEND_ADD] = {"spend_add",
			"INSERT INTO user_spend (user_id, day, charged_micros)"
			" VALUES (?, (SELECT DATE(created_at) FROM wallet_ledger"
			" WHERE id = ?), ?) ON DUPLICATE KEY UPDATE"
			" charged_micros = charged_micros + VALUES(charged_micros)",
			"iii", ""},
    [STMT_HOLD_LOCK] = {"hold_lock",
			"SELECT user_id, amount_micros, charged_micros, released_at IS NOT NULL"
			" FROM job_holds WHERE job_id = ? FOR UPDATE",
			"i", "iiii"},
    [STMT_HOLD_ADD] =
	{"hold_add",
	 "INSERT INTO job_holds (job_id, user_id, amount_micros) VALUES (?, ?, ?)"
	 " ON DUPLICATE KEY UPDATE amount_micros = amount_micros + VALUES(amount_micros),"
	 " released_at = NULL",
	 "iii", ""},
    [STMT_HOLD_DRAW] =
	{"hold_draw",
	 "UPDATE job_holds SET amount_micros = amount_micros - ?,"
	 " charged_micros = charged_micros + ? WHERE job_id = ? AND amount_micros >= ?",
	 "iiii", ""},
    [STMT_HOLD_RELEASE] = {"hold_release",
			   "UPDATE job_holds SET amount_micros = 0, released_at = NOW(6)"
			   " WHERE job_id = ? AND released_at IS NULL",
			   "i", ""},
    /* a step is claimed by inserting its row first: no gap locks, so
     * concurrent steps with other keys never deadlock each other */
    [STMT_STEP_GET] = {"step_get", "SELECT result_micros FROM ledger_steps WHERE step_key = ?", "s",
		       "i"},
    [STMT_STEP_INSERT] =
	{"step_insert",
	 "INSERT INTO ledger_steps (step_key, job_id, result_micros) VALUES (?, ?, 0)", "si", ""},
    [STMT_STEP_SET_RESULT] = {"step_set_result",
			      "UPDATE ledger_steps SET result_micros = ? WHERE step_key = ?", "is",
			      ""},
    [STMT_PRICES_LIST] =
	{"prices_list", "SELECT name, unit, micros_per_unit, description FROM prices ORDER BY name",
	 "", "ssis"},
    [STMT_PRICE_SET] = {"price_set", "UPDATE prices SET micros_per_unit = ? WHERE name = ?", "is",
			""},
    [STMT_LIMITS_OVERRIDES] = {"limits_overrides",
			       "SELECT id, email, max_concurrent_jobs, daily_cost_cap_micros"
			       " FROM users WHERE max_concurrent_jobs IS NOT NULL"
			       " OR daily_cost_cap_micros IS NOT NULL ORDER BY id",
			       "", "isii"},
    [STMT_JOB_INSERT] =
	{"job_insert",
	 "INSERT INTO jobs (user_id, kind, name, wait_reason, priority, command_json,"
	 " script, working_dir, env_json, payload_json, gpus, cpu_count, memory_bytes,"
	 " timeout_seconds, estimated_cost_micros, max_attempts, project_id, batch_id, status,"
	 " render_json, moderation_status, moderation_score, dataset_id, image, image_root,"
	 " inputs_json)"
	 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	 "isssisssssiiiiiiiisssdisss", ""},
    [STMT_JOB_GET] = {"job_get", "SELECT " JOB_COLS " FROM jobs WHERE id = ?", "i", JOB_SIG},
    [STMT_JOB_LOCK] =
	{"job_lock",
	 "SELECT id, user_id, status, cancel_requested, lease FROM jobs WHERE id = ? FOR UPDATE",
	 "i", "iisii"},
    [STMT_JOB_LIST_USER] = {"job_list_user",
			    "SELECT " JOB_COLS " FROM jobs WHERE user_id = ?" JOB_FILTER
			    " ORDER BY id DESC LIMIT ? OFFSET ?",
			    "i" JOB_FILTER_SIG "ii", JOB_SIG},
    [STMT_JOB_LIST_ALL] = {"job_list_all",
			   "SELECT " JOB_COLS " FROM jobs WHERE 1 = 1" JOB_FILTER
			   " ORDER BY id DESC LIMIT ? OFFSET ?",
			   JOB_FILTER_SIG "ii", JOB_SIG},
    /* a project's jobs, of user ? (0: everyone's) */
    [STMT_JOB_LIST_PROJECT] = {"job_list_project",
			       "SELECT " JOB_COLS " FROM jobs WHERE project_id = ?"
			       " AND (? = 0 OR user_id = ?)" JOB_FILTER
			       " ORDER BY id DESC LIMIT ? OFFSET ?",
			       "iii" JOB_FILTER_SIG "ii", JOB_SIG},
    [STMT_JOB_COUNT_PROJECT] = {"job_count_project",
				"SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM job_counts"
				" WHERE project_id = ? AND (? = 0 OR user_id = ?)" JOB_FILTER,
				"iii" JOB_FILTER_SIG, "i"},
    /* a batch's jobs (at most BATCH_JOBS_MAX: counted from the jobs), in
     * project ? (0: any), of user ? (0: everyone's) */
    [STMT_JOB_LIST_BATCH] = {"job_list_batch",
			     "SELECT " JOB_COLS " FROM jobs WHERE batch_id = ?"
			     " AND (? = 0 OR project_id = ?) AND (? = 0 OR user_id = ?)" JOB_FILTER
			     " ORDER BY id DESC LIMIT ? OFFSET ?",
			     "iiiii" JOB_FILTER_SIG "ii", JOB_SIG},
    [STMT_JOB_COUNT_BATCH] =
	{"job_count_batch",
	 "SELECT COUNT(*) FROM jobs WHERE batch_id = ?"
	 " AND (? = 0 OR project_id = ?) AND (? = 0 OR user_id = ?)" JOB_FILTER,
	 "iiiii" JOB_FILTER_SIG, "i"},
    [STMT_JOB_COUNT_USER] = {"job_count_user",
			     "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM job_counts"
			     " WHERE user_id = ?" JOB_FILTER,
			     "i" JOB_FILTER_SIG, "i"},
    [STMT_JOB_COUNT_ALL] = {"job_count_all",
			    "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM job_counts"
			    " WHERE 1 = 1" JOB_FILTER,
			    JOB_FILTER_SIG, "i"},
    [STMT_JOB_STATS_USER] = {"job_stats_user",
			     "SELECT status, CAST(SUM(n) AS SIGNED) FROM job_counts"
			     " WHERE user_id = ? GROUP BY status",
			     "i", "si"},
    [STMT_JOB_STATS_ALL] = {"job_stats_all",
			    "SELECT status, CAST(SUM(n) AS SIGNED) FROM job_counts GROUP BY status",
			    "", "si"},
    /* only from the status the caller saw (affected rows say it still was).
     * Every move here (by hand, a pending job's cancel, a render out of
     * moderation) takes the lease: a supervisor that held the job kills it
     * and leaves; for a job nobody holds it is only a number. */
    [STMT_JOB_SET_STATUS] = {"job_set_status",
			     "UPDATE jobs SET status = ?, wait_reason = ?,"
			     " finished_at = IF(? = 1, NOW(6), finished_at), lease = lease + 1"
			     " WHERE id = ? AND status = ?",
			     "ssiis", ""},
    [STMT_JOB_CANCEL_REQUEST] = {"job_cancel_request",
				 "UPDATE jobs SET cancel_requested = 1 WHERE id = ?", "i", ""},
    [STMT_JOB_PATCH] =
	{"job_patch",
	 "UPDATE jobs SET name = IF(? = 1, ?, name), priority = IF(? = 1, ?, priority),"
	 " progress = IF(? = 1, ?, progress) WHERE id = ?",
	 "isiiidi", ""},
    /* staff's report on a job they moved to preparing or running by hand
     * (a PATCH of status or progress) is its heartbeat: a job left there
     * with no report for job_lost_seconds is the reaper's, as one whose
     * supervisor went silent */
    [STMT_JOB_HAND_BEAT] = {"job_hand_beat",
			    "UPDATE jobs SET heartbeat_at = NOW(6)"
			    " WHERE id = ? AND status IN ('preparing', 'running')",
			    "i", ""},
    /* force-complete: the end a supervisor would write, by hand. It takes
     * the lease: a running job's supervisor kills it and leaves. */
    [STMT_JOB_FORCE_END] = {"job_force_end",
			    "UPDATE jobs SET status = ?, failure_reason = ?, wait_reason = NULL,"
			    " cancel_requested = 0, finished_at = NOW(6), lease = lease + 1"
			    " WHERE id = ? AND status = ?",
			    "ssis", ""},
    [STMT_JOB_DELETE] = {"job_delete", "DELETE FROM jobs WHERE id = ? AND status = ?", "is", ""},
    /* GET /jobs/list/{user_id}: the marketplace clients' short rows */
    /* the marketplace list: with the inputs and the data set its links
     * name */
    [STMT_JOB_LIST_BRIEF] =
	{"job_list_brief",
	 "SELECT id, name, status, " ISO(
	     "created_at") ", inputs_json, dataset_id"
			   " FROM jobs WHERE user_id = ? ORDER BY id DESC LIMIT 1000",
	 "i", "issssi"},
    [STMT_JOB_INPUTS] = {"job_inputs", "SELECT inputs_json FROM jobs WHERE id = ?", "i", "s"},
    [STMT_EVENT_INSERT] =
	{"event_insert",
	 "INSERT INTO job_events (job_id, from_status, to_status, reason, actor_user_id)"
	 " VALUES (?, ?, ?, ?, ?)",
	 "isssi", ""},
    [STMT_EVENT_LIST] = {"event_list",
			 "SELECT from_status, to_status, reason, actor_user_id, " ISO(
			     "created_at") " FROM job_events WHERE job_id = ? ORDER BY id",
			 "i", "sssis"},
    [STMT_PROJECT_INSERT] = {"project_insert",
			     "INSERT INTO projects (user_id, name, description) VALUES (?, ?, ?)",
			     "iss", ""},
    [STMT_PROJECT_GET] = {"project_get",
			  "SELECT id, user_id, name, description, " ISO("created_at") ", " ISO(
			      "updated_at") " FROM projects WHERE id = ?",
			  "i", "iissss"},
    [STMT_PROJECT_LOCK] = {"project_lock", "SELECT user_id FROM projects WHERE id = ? FOR UPDATE",
			   "i", "i"},
    [STMT_PROJECT_LIST] = {"project_list",
			   "SELECT id, user_id, name, description, " ISO("created_at") ", " ISO(
			       "updated_at") " FROM projects WHERE user_id = ?"
					     " ORDER BY id DESC LIMIT ? OFFSET ?",
			   "iii", "iissss"},
    [STMT_PROJECT_COUNT] = {"project_count", "SELECT COUNT(*) FROM projects WHERE user_id = ?", "i",
			    "i"},
    [STMT_PROJECT_UPDATE] = {"project_update",
			     "UPDATE projects SET name = ?, description = ? WHERE id = ?", "ssi",
			     ""},
    /* before a project or data set goes: its jobs let go of it by a
     * statement, so that their row_version moves (the foreign key's SET
     * NULL runs no trigger, sql/019) */
    [STMT_PROJECT_UNLINK_JOBS] = {"project_unlink_jobs",
				  "UPDATE jobs SET project_id = NULL WHERE project_id = ?", "i",
				  ""},
    [STMT_PROJECT_DELETE] = {"project_delete", "DELETE FROM projects WHERE id = ?", "i", ""},
    [STMT_PROJECT_ACTIVE_JOBS] =
	{"project_active_jobs",
	 "SELECT COUNT(*) FROM jobs WHERE project_id = ?"
	 " AND status IN ('pending', 'moderating', 'preparing', 'running')",
	 "i", "i"},
    [STMT_BATCH_INSERT] = {"batch_insert",
			   "INSERT INTO job_batches (user_id, name, description, max_parallel,"
			   " failure_policy) VALUES (?, ?, ?, ?, ?)",
			   "issis", ""},
    [STMT_BATCH_GET] = {"batch_get",
			"SELECT id, user_id, name, description, max_parallel, failure_policy, " ISO(
			    "created_at") " FROM job_batches WHERE id = ?",
			"i", "iississ"},
    [STMT_BATCH_LIST] =
	{"batch_list",
	 "SELECT id, user_id, name, description, max_parallel, failure_policy, " ISO(
	     "created_at") " FROM job_batches WHERE user_id = ?"
			   " ORDER BY id DESC LIMIT ? OFFSET ?",
	 "iii", "iississ"},
    [STMT_BATCH_COUNT] = {"batch_count", "SELECT COUNT(*) FROM job_batches WHERE user_id = ?", "i",
			  "i"},
    [STMT_BATCH_LIST_ALL] =
	{"batch_list_all",
	 "SELECT id, user_id, name, description, max_parallel, failure_policy, " ISO(
	     "created_at") " FROM job_batches ORDER BY id DESC LIMIT ? OFFSET ?",
	 "ii", "iississ"},
    [STMT_BATCH_COUNT_ALL] = {"batch_count_all", "SELECT COUNT(*) FROM job_batches", "", "i"},
    [STMT_BATCH_JOBS] = {"batch_jobs",
			 "SELECT " JOB_COLS " FROM jobs WHERE batch_id = ? ORDER BY id", "i",
			 JOB_SIG},
    [STMT_BATCH_JOB_IDS] = {"batch_job_ids",
			    "SELECT id FROM jobs WHERE batch_id = ? ORDER BY id FOR UPDATE", "i",
			    "i"},
    [STMT_BATCH_STATUS_COUNTS] = {"batch_status_counts",
				  "SELECT status, COUNT(*) FROM jobs WHERE batch_id = ?"
				  " GROUP BY status",
				  "i", "si"},
    [STMT_BATCH_DELETE] = {"batch_delete", "DELETE FROM job_batches WHERE id = ?", "i", ""},
    /* before the batch: a cascade would skip the job_counts triggers */
    [STMT_BATCH_JOBS_DELETE] = {"batch_jobs_delete", "DELETE FROM jobs WHERE batch_id = ?", "i",
				""},
    [STMT_DATASET_INSERT] = {"dataset_insert",
			     "INSERT INTO datasets (user_id, name, description, filename, format,"
			     " size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
			     "issssis", ""},
    [STMT_DATASET_GET] =
	{"dataset_get",
	 "SELECT id, user_id, name, description, filename, format, size_bytes, sha256, " ISO(
	     "created_at") " FROM datasets WHERE id = ?",
	 "i", "iissssiss"},
    [STMT_DATASET_LOCK] = {"dataset_lock", "SELECT user_id FROM datasets WHERE id = ? FOR UPDATE",
			   "i", "i"},
    [STMT_DATASET_LIST] =
	{"dataset_list",
	 "SELECT id, user_id, name, description, filename, format, size_bytes, sha256, " ISO(
	     "created_at") " FROM datasets WHERE user_id = ?"
			   " ORDER BY id DESC LIMIT ? OFFSET ?",
	 "iii", "iissssiss"},
    [STMT_DATASET_COUNT] = {"dataset_count", "SELECT COUNT(*) FROM datasets WHERE user_id = ?", "i",
			    "i"},
    [STMT_DATASET_UNLINK_JOBS] = {"dataset_unlink_jobs",
				  "UPDATE jobs SET dataset_id = NULL WHERE dataset_id = ?", "i",
				  ""},
    [STMT_DATASET_DELETE] = {"dataset_delete", "DELETE FROM datasets WHERE id = ?", "i", ""},
    [STMT_DATASET_ACTIVE_JOBS] =
	{"dataset_active_jobs",
	 "SELECT COUNT(*) FROM jobs WHERE dataset_id = ?"
	 " AND status IN ('pending', 'moderating', 'preparing', 'running')",
	 "i", "i"},
    [STMT_IDEM_CLAIM] =
	{"idem_claim",
	 "INSERT INTO idempotency_keys (user_id, idem_key, request_hash) VALUES (?, ?, ?)", "iss",
	 ""},
    [STMT_IDEM_GET] = {"idem_get",
		       "SELECT request_hash, status, response FROM idempotency_keys"
		       " WHERE user_id = ? AND idem_key = ?",
		       "is", "sis"},
    [STMT_IDEM_EXPIRE] = {"idem_expire",
			  "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"
			  " AND created_at < NOW(6) - INTERVAL 24 HOUR",
			  "is", ""},
    [STMT_IDEM_FINISH] = {"idem_finish",
			  "UPDATE idempotency_keys SET status = ?, response = ?"
			  " WHERE user_id = ? AND idem_key = ?",
			  "isis", ""},
    [STMT_IDEM_DROP] = {"idem_drop",
			"DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?", "is",
			""},
    [STMT_AUDIT_BALANCES] =
	{"audit_balances",
	 "SELECT u.id, u.email, u.balance_micros,"
	 " CAST(COALESCE(SUM(l.amount_micros), 0) AS SIGNED)"
	 " FROM users u LEFT JOIN wallet_ledger l ON l.user_id = u.id"
	 " GROUP BY u.id, u.email, u.balance_micros"
	 " HAVING u.balance_micros <> CAST(COALESCE(SUM(l.amount_micros), 0) AS SIGNED)",
	 "", "isii"},
    [STMT_AUDIT_RESERVED] =
	{"audit_reserved",
	 "SELECT u.id, u.email, u.reserved_micros,"
	 " CAST(COALESCE(SUM(h.amount_micros), 0) AS SIGNED)"
	 " FROM users u LEFT JOIN job_holds h"
	 " ON h.user_id = u.id AND h.released_at IS NULL"
	 " GROUP BY u.id, u.email, u.reserved_micros"
	 " HAVING u.reserved_micros <> CAST(COALESCE(SUM(h.amount_micros), 0) AS SIGNED)",
	 "", "isii"},
    /* job_counts (kept by triggers) against the jobs themselves */
    [STMT_AUDIT_JOB_COUNTS] =
	{"audit_job_counts",
	 "SELECT x.user_id, u.email, x.status, x.kind, CAST(SUM(x.have) AS SIGNED),"
	 " CAST(SUM(x.want) AS SIGNED), x.project_id"
	 " FROM (SELECT user_id, project_id, status, kind, n AS have, 0 AS want FROM job_counts"
	 " UNION ALL SELECT user_id, COALESCE(project_id, 0), status, kind, 0, COUNT(*) FROM jobs"
	 " GROUP BY user_id, COALESCE(project_id, 0), status, kind) x JOIN users u ON u.id = "
	 "x.user_id"
	 " GROUP BY x.user_id, u.email, x.project_id, x.status, x.kind"
	 " HAVING SUM(x.have) <> SUM(x.want)",
	 "", "isssiii"},
    /* user_spend against the day's charges in the ledger, both ways */
    [STMT_AUDIT_SPEND] =
	{"audit_spend",
	 "SELECT x.user_id, CONCAT(u.email, ' on ', x.day), CAST(SUM(x.have) AS SIGNED),"
	 " CAST(SUM(x.want) AS SIGNED)"
	 " FROM (SELECT user_id, day, charged_micros AS have, 0 AS want FROM user_spend"
	 " UNION ALL SELECT user_id, DATE(created_at), 0, -SUM(amount_micros) FROM wallet_ledger"
	 " WHERE type = 'charge' GROUP BY user_id, DATE(created_at)) x"
	 " JOIN users u ON u.id = x.user_id"
	 " GROUP BY x.user_id, u.email, x.day HAVING SUM(x.have) <> SUM(x.want)",
	 "", "isii"},
    /* one claimer at a time, cluster-wide (a connection's lock: taken
     * before the claim's transaction, released after it) */
    [STMT_CLAIM_LOCK] = {"claim_lock", "SELECT GET_LOCK('kiln.claim', 10)", "", "i"},
    [STMT_CLAIM_UNLOCK] = {"claim_unlock", "SELECT RELEASE_LOCK('kiln.claim')", "", "i"},
    /* LAST_INSERT_ID(id) makes the id of an existing row the insert id;
     * up_since starts again after a gap of more than ? seconds since the
     * last heartbeat (sql/020), so it is set before heartbeat_at moves */
    [STMT_NODE_UPSERT] =
	{"node_upsert",
	 "INSERT INTO nodes (name, gpu_count, gpu_model, gpus_json, cpu_count, memory_bytes,"
	 " version) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id),"
	 " gpu_count = VALUES(gpu_count), gpu_model = VALUES(gpu_model),"
	 " gpus_json = VALUES(gpus_json), cpu_count = VALUES(cpu_count),"
	 " memory_bytes = VALUES(memory_bytes), version = VALUES(version),"
	 " up_since = IF(heartbeat_at < NOW(6) - INTERVAL ? SECOND, NOW(6), up_since),"
	 " heartbeat_at = NOW(6)",
	 "sissiisi", ""},
    /* the end of a tick: the next heartbeat's gap is counted from here,
     * not from before a long claim (sql/020) */
    [STMT_NODE_TOUCH] = {"node_touch", "UPDATE nodes SET heartbeat_at = NOW(6) WHERE id = ?", "i",
			 ""},
    /* 1 when this heartbeat started up_since again (or the node is new) */
    [STMT_NODE_RESTARTED] = {"node_restarted",
			     "SELECT up_since = heartbeat_at FROM nodes WHERE id = ?", "i", "i"},
    /* draining, and holding off claims (a job's folder could not be made) */
    [STMT_NODE_GET] = {"node_get",
		       "SELECT draining, COALESCE(claim_hold_until > NOW(6), 0)"
		       " FROM nodes WHERE id = ?",
		       "i", "ii"},
    /* the pending queue: each user's first ? jobs by priority then age (the
     * window runs on ix_jobs_pending_user alone; only those rows are read),
     * with the price-relevant columns and the current wait state */
    [STMT_SCHED_PENDING] =
	{"sched_pending",
	 "SELECT j.id, j.user_id, j.priority, j.gpus, j.cpu_count, j.memory_bytes,"
	 " j.timeout_seconds, j.estimated_cost_micros, j.kind, COALESCE(j.wait_reason, ''),"
	 " COALESCE(j.queue_position, 0), j.lease"
	 " FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY priority DESC, id)"
	 " AS rn FROM jobs WHERE status = 'pending') q JOIN jobs j ON j.id = q.id"
	 " WHERE q.rn <= ? ORDER BY j.id LIMIT ?",
	 "ii", "iiiiiiiiisii"},
    /* where each user with pending jobs stands: limits (NULL: global),
     * wallet, jobs under way, today's charges */
    [STMT_SCHED_USERS] =
	{"sched_users",
	 "SELECT u.id, COALESCE(u.max_concurrent_jobs, -1), COALESCE(u.daily_cost_cap_micros, -1),"
	 " u.balance_micros, u.reserved_micros,"
	 " CAST(COALESCE(a.n, 0) AS SIGNED), COALESCE(s.charged_micros, 0)"
	 " FROM users u JOIN (SELECT DISTINCT user_id FROM job_counts"
	 " WHERE status = 'pending' AND n > 0) p ON p.user_id = u.id"
	 " LEFT JOIN (SELECT user_id, SUM(n) AS n FROM job_counts"
	 " WHERE status IN ('preparing', 'running') GROUP BY user_id) a ON a.user_id = u.id"
	 " LEFT JOIN user_spend s ON s.user_id = u.id AND s.day = CURRENT_DATE()",
	 "", "iiiiiii"},
    [STMT_SCHED_NODE_JOBS] = {"sched_node_jobs",
			      "SELECT COALESCE(gpu_ids, ''), cpu_count, memory_bytes FROM jobs"
			      " WHERE node_id = ? AND status IN ('preparing', 'running')",
			      "i", "sii"},
    /* supervisors silent for ? seconds, on any node, once this node (?)
     * has reached the database without a gap for as long (sql/020) */
    [STMT_SCHED_LOST] = {"sched_lost",
			 "SELECT id, lease, attempts, max_attempts, status, user_id FROM jobs"
			 " WHERE status IN ('preparing', 'running')"
			 " AND heartbeat_at < NOW(6) - INTERVAL ? SECOND"
			 " AND EXISTS (SELECT 1 FROM nodes n WHERE n.id = ?"
			 " AND n.up_since <= NOW(6) - INTERVAL ? SECOND) ORDER BY id LIMIT 100",
			 "iii", "iiiisi"},
    [STMT_JOB_REQUEUE] = {"job_requeue",
			  "UPDATE jobs SET status = 'pending', wait_reason = 'requeued',"
			  " node_id = NULL, gpu_ids = NULL, lease = lease + 1,"
			  " heartbeat_at = NULL WHERE id = ? AND lease = ?",
			  "ii", ""},
    /* failed (with its reason) or cancelled (NULL) */
    [STMT_JOB_GIVE_UP] = {"job_give_up",
			  "UPDATE jobs SET status = ?, failure_reason = ?,"
			  " finished_at = NOW(6), lease = lease + 1 WHERE id = ? AND lease = ?",
			  "ssii", ""},
    [STMT_JOB_OWNER] = {"job_owner", "SELECT user_id FROM jobs WHERE id = ?", "i", "i"},
    /* the node of job ? at lease ? claims nothing for ? s (claim_hold_until) */
    [STMT_NODE_HOLD_CLAIMS] = {"node_hold_claims",
			       "UPDATE nodes n JOIN jobs j ON j.node_id = n.id"
			       " SET n.claim_hold_until = NOW(6) + INTERVAL ? SECOND"
			       " WHERE j.id = ? AND j.lease = ?",
			       "iii", ""},
    /* the job, and its data set's format and stored name */
    [STMT_RUN_GET] =
	{"run_get",
	 "SELECT jobs.id, jobs.user_id, kind, status, lease,"
	 " COALESCE(command_json, ''), COALESCE(script, ''), working_dir, env_json,"
	 " gpus, cpu_count, memory_bytes, timeout_seconds, estimated_cost_micros,"
	 " COALESCE(gpu_ids, ''), COALESCE(dataset_id, 0), COALESCE(image_root, 'host'),"
	 " cancel_requested, actual_cost_micros, COALESCE(d.format, ''),"
	 " COALESCE(d.filename, '') FROM jobs LEFT JOIN datasets d"
	 " ON d.id = jobs.dataset_id WHERE jobs.id = ?",
	 "i", "iississssiiiiisisiiss"},
    [STMT_RUN_LOCK] = {"run_lock",
		       "SELECT lease, status, cancel_requested, attempts, max_attempts"
		       " FROM jobs WHERE id = ? FOR UPDATE",
		       "i", "isiii"},
    [STMT_RUN_START] =
	{"run_start",
	 "UPDATE jobs SET status = 'running', started_at = NOW(6),"
	 " heartbeat_at = NOW(6) WHERE id = ? AND lease = ? AND status = 'preparing'",
	 "ii", ""},
    [STMT_RUN_BEAT] = {"run_beat",
		       "UPDATE jobs SET heartbeat_at = NOW(6), progress = COALESCE(?, progress)"
		       " WHERE id = ? AND lease = ?",
		       "dii", ""},
    [STMT_RUN_BILL] = {"run_bill",
		       "UPDATE jobs SET actual_cost_micros = ?,"
		       " billed_seconds = ? WHERE id = ? AND lease = ?",
		       "iiii", ""},
    [STMT_RUN_FINISH] =
	{"run_finish",
	 "UPDATE jobs SET status = ?, failure_reason = ?, failure_detail = ?, exit_code = ?,"
	 " exit_signal = ?, finished_at = NOW(6), wait_reason = NULL,"
	 " progress = IF(? = 'completed', 100, progress)"
	 " WHERE id = ? AND lease = ? AND status IN ('preparing', 'running')",
	 "sssiisii", ""},
    [STMT_OUTPUT_INSERT] =
	{"output_insert",
	 "INSERT INTO job_outputs (job_id, path, size_bytes, sha256, content_type)"
	 " VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE size_bytes = VALUES(size_bytes),"
	 " sha256 = VALUES(sha256), content_type = VALUES(content_type)",
	 "isiss", ""},
    /* what a running job may still spend: its hold and the wallet's free credits */
    [STMT_RUN_FUNDS] = {"run_funds",
			"SELECT h.amount_micros, u.balance_micros - u.reserved_micros"
			" FROM job_holds h JOIN users u ON u.id = h.user_id WHERE h.job_id = ?",
			"i", "ii"},
/* a node as the API shows it: stale (no heartbeat for ? seconds), jobs
     * under way and the GPUs they hold */
#define NODE_COLS                                                                                  \
	"n.id, n.name, n.draining, n.gpu_count, COALESCE(n.gpu_model, ''),"                        \
	" COALESCE(n.gpus_json, '[]'), n.cpu_count, n.memory_bytes, n.version, " ISO(              \
	    "n.heartbeat_at") ", n.heartbeat_at < NOW(6) - INTERVAL ? SECOND,"                     \
			      " (SELECT COUNT(*) FROM jobs j WHERE j.node_id = n.id"               \
			      " AND j.status IN ('preparing', 'running')),"                        \
			      " (SELECT CAST(COALESCE(SUM(j.gpus), 0) AS SIGNED) FROM jobs j"      \
			      " WHERE j.node_id = n.id AND j.status IN ('preparing', 'running'))," \
			      " IF(n.claim_hold_until > NOW(6), " ISO(                             \
				  "n.claim_hold_until") ", NULL)"
#define NODE_SIG "isiissiissiiis"
    /* what each live node (a heartbeat within ? seconds) has, idle */
    [STMT_NODES_CAPACITY] = {"nodes_capacity",
			     "SELECT gpu_count, cpu_count, memory_bytes FROM nodes"
			     " WHERE heartbeat_at >= NOW(6) - INTERVAL ? SECOND",
			     "i", "iii"},
    [STMT_NODES_LIST] = {"nodes_list", "SELECT " NODE_COLS " FROM nodes n ORDER BY n.id", "i",
			 NODE_SIG},
    [STMT_NODES_ONE] = {"nodes_one", "SELECT " NODE_COLS " FROM nodes n WHERE n.id = ?", "ii",
			NODE_SIG},
    [STMT_NODE_ACTIVE_JOBS] = {"node_active_jobs",
			       "SELECT id, user_id, status, COALESCE(gpu_ids, '') FROM jobs"
			       " WHERE node_id = ? AND status IN ('preparing', 'running')"
			       " ORDER BY id",
			       "i", "iiss"},
    /* drain or undrain; either ends a hold on claims (claim_hold_until) */
    [STMT_NODE_SET_DRAINING] =
	{"node_set_draining", "UPDATE nodes SET draining = ?, claim_hold_until = NULL WHERE id = ?",
	 "ii", ""},
/* The claim in a few statements, whatever the number of jobs: the
     * lists come as one JSON parameter each (JSON_TABLE) */
#define JT_IDS "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) t"
#define JT_CLAIMS                                                                                  \
	"JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$.id', g VARCHAR(255) PATH "       \
	"'$.g')) t"
#define JT_HOLDS                                                                                   \
	"JSON_TABLE(?, '$[*]' COLUMNS (job BIGINT UNSIGNED PATH '$.job', uid BIGINT UNSIGNED"      \
	" PATH '$.uid', amount BIGINT PATH '$.amount', step VARCHAR(128) PATH '$.step')) t"
    [STMT_CLAIM_LOCK_WALLETS] = {"claim_lock_wallets",
				 "SELECT u.id FROM users u JOIN " JT_IDS
				 " ON t.id = u.id ORDER BY u.id FOR UPDATE",
				 "s", "i"},
    [STMT_CLAIM_LOCK_JOBS] =
	{"claim_lock_jobs",
	 "SELECT j.id, j.lease FROM jobs j JOIN " JT_IDS
	 " ON t.id = j.id WHERE j.status = 'pending' AND j.cancel_requested = 0"
	 " ORDER BY j.id FOR UPDATE",
	 "s", "ii"},
    [STMT_CLAIM_JOBS] = {"claim_jobs",
			 "UPDATE jobs j JOIN " JT_CLAIMS
			 " ON t.id = j.id SET j.status = 'preparing', j.node_id = ?,"
			 " j.gpu_ids = t.g, j.lease = j.lease + 1, j.attempts = j.attempts + 1,"
			 " j.heartbeat_at = NOW(6), j.wait_reason = NULL, j.queue_position = NULL"
			 " WHERE j.status = 'pending'",
			 "si", ""},
    [STMT_CLAIM_EVENTS] = {"claim_events",
			   "INSERT INTO job_events (job_id, from_status, to_status, reason)"
			   " SELECT t.id, 'pending', 'preparing', CONCAT('claimed by ', ?,"
			   " IF(t.g = '', '', CONCAT(', GPUs ', t.g))) FROM " JT_CLAIMS,
			   "ss", ""},
    /* which of a claim's jobs it committed: preparing on node ? under
     * the lease the claim gave */
    [STMT_CLAIM_SETTLE] = {"claim_settle",
			   "SELECT j.id FROM jobs j JOIN JSON_TABLE(?, '$[*]' COLUMNS"
			   " (id BIGINT UNSIGNED PATH '$.id', lease BIGINT PATH '$.lease')) t"
			   " ON t.id = j.id WHERE j.status = 'preparing' AND j.node_id = ?"
			   " AND j.lease = t.lease",
			   "si", "i"},
    [STMT_SCHED_WAITS] =
	{"sched_waits",
	 "UPDATE jobs j JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED"
	 " PATH '$.id', w VARCHAR(64) PATH '$.w', p INT PATH '$.p')) t"
	 " ON t.id = j.id SET j.wait_reason = t.w, j.queue_position = NULLIF(t.p, 0)"
	 " WHERE j.status = 'pending'",
	 "s", ""},
    [STMT_HOLDS_STEPS] = {"holds_steps",
			  "INSERT INTO ledger_steps (step_key, job_id, result_micros)"
			  " SELECT t.step, t.job, t.amount FROM " JT_HOLDS,
			  "s", ""},
    [STMT_HOLDS_RESERVE] = {"holds_reserve",
			    "UPDATE users u JOIN (SELECT t.uid, CAST(SUM(t.amount) AS SIGNED) AS s"
			    " FROM " JT_HOLDS " GROUP BY t.uid) x ON x.uid = u.id"
			    " SET u.reserved_micros = u.reserved_micros + x.s"
			    " WHERE u.balance_micros - u.reserved_micros >= x.s",
			    "s", ""},
    [STMT_HOLDS_ADD] =
	{"holds_add",
	 "INSERT INTO job_holds (job_id, user_id, amount_micros)"
	 " SELECT t.job, t.uid, t.amount FROM " JT_HOLDS
	 " ON DUPLICATE KEY UPDATE amount_micros = amount_micros + VALUES(amount_micros),"
	 " released_at = NULL",
	 "s", ""},
    [STMT_OUTPUTS_LIST] = {"outputs_list",
			   "SELECT path, size_bytes, sha256, content_type, " ISO(
			       "created_at") " FROM job_outputs WHERE job_id = ? ORDER BY path",
			   "i", "sisss"},
    [STMT_OUTPUT_GET] = {"output_get",
			 "SELECT path, size_bytes, sha256, content_type FROM job_outputs"
			 " WHERE job_id = ? AND path = ?",
			 "is", "siss"},
    /* a job's main output: its largest (a render's film, a model's
     * weights), the first registered of equals */
    [STMT_OUTPUT_MAIN] = {"output_main",
			  "SELECT path FROM job_outputs WHERE job_id = ?"
			  " ORDER BY size_bytes DESC, id LIMIT 1",
			  "i", "s"},
    [STMT_JOB_STATUS] = {"job_status", "SELECT status, progress FROM jobs WHERE id = ?", "i", "sd"},
    [STMT_GC_IDEMPOTENCY] = {"gc_idempotency",
			     "DELETE FROM idempotency_keys"
			     " WHERE created_at < NOW(6) - INTERVAL 24 HOUR LIMIT 1000",
			     "", ""},
    [STMT_GC_REFRESH] = {"gc_refresh",
			 "DELETE FROM refresh_tokens WHERE expires_at < NOW(6) - INTERVAL 1 DAY"
			 " LIMIT 1000",
			 "", ""},
    [STMT_GC_JOBS_OLD] =
	{"gc_jobs_old",
	 "SELECT id FROM jobs WHERE files_removed = 0"
	 " AND finished_at < NOW(6) - INTERVAL ? DAY ORDER BY finished_at, id LIMIT ? OFFSET ?",
	 "iii", "i"},
    [STMT_GC_OUTPUTS_DELETE] = {"gc_outputs_delete", "DELETE FROM job_outputs WHERE job_id = ?",
				"i", ""},
    [STMT_GC_JOB_FILES_DONE] = {"gc_job_files_done",
				"UPDATE jobs SET files_removed = 1 WHERE id = ?", "i", ""},
    /* GET /metrics: each node's heartbeat age (the scheduler heartbeats
     * once a tick), the ledger by type and the wallets in all */
    [STMT_METRICS_NODES] =
	{"metrics_nodes",
	 "SELECT name, draining, gpu_count,"
	 " TIMESTAMPDIFF(MICROSECOND, heartbeat_at, NOW(6)) FROM nodes ORDER BY id",
	 "", "siii"},
    /* nodes that take jobs (ticked within ? seconds, not draining) and
     * the newest tick's age in microseconds (NULL: no node ever ticked) */
    [STMT_NODES_SUMMARY] = {"nodes_summary",
			    "SELECT CAST(COALESCE(SUM(draining = 0 AND heartbeat_at >="
			    " NOW(6) - INTERVAL ? SECOND), 0) AS SIGNED),"
			    " TIMESTAMPDIFF(MICROSECOND, MAX(heartbeat_at), NOW(6)) FROM nodes",
			    "i", "ii"},
    [STMT_METRICS_LEDGER] =
	{"metrics_ledger",
	 "SELECT CAST(type AS CHAR), CAST(SUM(amount_micros) AS SIGNED), COUNT(*)"
	 " FROM wallet_ledger GROUP BY type",
	 "", "sii"},
    [STMT_METRICS_WALLETS] = {"metrics_wallets",
			      "SELECT CAST(COALESCE(SUM(balance_micros), 0) AS SIGNED),"
			      " CAST(COALESCE(SUM(reserved_micros), 0) AS SIGNED) FROM users",
			      "", "ii"},
};
