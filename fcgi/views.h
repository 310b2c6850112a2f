/* SPDX-License-Identifier: MIT */
/* views.h: the JSON shapes of kiln's resources, built from result rows of
 * the statements in lib/db_stmts.c. One function per shape, so a user or
 * an API key looks the same wherever it appears. */
#ifndef KILN_VIEWS_H
#define KILN_VIEWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Money: micro-credits as a JSON number of credits (<= 6 decimals). New. */
json_t *view_money_new(int64_t micros);

/* A row of USER_COLS (db_stmts.c) as {id, email, username, full_name, role,
 * is_active, max_concurrent_jobs, daily_cost_cap, created_at}. New. */
json_t *view_user_new(const struct db_res *res, size_t row);

/* A row of APIKEY_COLS as {id, name, prefix, created_at, last_used_at,
 * expires_at}. New. */
json_t *view_api_key_new(const struct db_res *res, size_t row);

/* A row of LEDGER_COLS as {id, type, amount, balance_after, job_id,
 * payment_reference, description, created_at}. New. */
json_t *view_ledger_new(const struct db_res *res, size_t row);

/* "0,2" as [0, 2] (GPU ids); "" or NULL as []. New. */
json_t *view_id_list_new(const char *s);

/* A row of JOB_COLS (db_stmts.c) as the job object of the API. New. */
json_t *view_job_new(const struct db_res *res, size_t row);

/* {"items": items, "page", "page_size", "total"}; steals items. New. */
json_t *view_list_new(json_t *items, int64_t page, int64_t page_size, int64_t total);

#endif
