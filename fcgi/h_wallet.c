/* SPDX-License-Identifier: MIT */
/* h_wallet.c: the caller's wallet (balance, top-up, transactions) and the
 * admin's grant. Every change goes through lib/ledger.c; a top-up is
 * idempotent by its payment_reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "ledger.h"
#include "limits.h"
#include "money.h"
#include "response.h"
#include "scope.h"
#include "validate.h"
#include "views.h"

#define WALLET_REF_MAX 128
#define WALLET_REASON_MAX 255

/* Answers ledger entry id as {"transaction": ..., "balance": ...}. */
static enum kiln_err
wallet_entry_response(struct request *req, int64_t user_id, int64_t entry_id, int status)
{
	struct db_val p[1] = {DBV_I64(entry_id)};
	struct db_res *res = NULL, *w = NULL;
	enum kiln_err rc;
	json_t *body;

	if ((rc = db_exec(req->app->db, STMT_LEDGER_GET, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	p[0] = DBV_I64(user_id);
	if ((rc = db_exec(req->app->db, STMT_WALLET_GET, p, 1, &w, NULL, NULL)) != KILN_OK ||
	    db_res_rows(res) != 1 || db_res_rows(w) != 1) {
		db_res_free(w);
		db_res_free(res);
		return rc != KILN_OK ? rc : KILN_ERR_INTERNAL;
	}
	body = json_pack("{s:o, s:o}", "transaction", view_ledger_new(res, 0), "balance",
			 money_to_json_new(db_res_i64(w, 0, 0)));
	db_res_free(w);
	db_res_free(res);
	if (body == NULL)
		abort();
	resp_json_new(req, status, body);
	return KILN_OK;
}

enum kiln_err
h_wallet_balance(struct request *req)
{
	struct user_limits u;
	enum kiln_err rc;
	json_t *body;

	if ((rc = limits_user(req->app->db, req->app->cfg, req->user_id, &u)) != KILN_OK)
		return rc;
	body = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "balance", money_to_json_new(u.balance),
			 "reserved", money_to_json_new(u.reserved), "available",
			 money_to_json_new(u.balance - u.reserved), "spent_today",
			 money_to_json_new(u.spent_today), "daily_cost_cap",
			 money_to_json_new(u.eff.daily_cost_cap), "currency", "credits");
	if (body == NULL)
		abort();
	resp_json_new(req, 200, body);
	return KILN_OK;
}

/* Reads {amount, <text_field>} into OUT: *micros, *text; 1 after a 422. */
static int
wallet_amount_body(struct request *req, const char *const *fields, const char *text_field,
		   size_t text_max, int text_required, int64_t *micros, const char **text)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	const char *why = NULL;

	*text = NULL;
	if (obj != NULL) {
		json_t *a = json_object_get(obj, "amount");

		v_unknown(obj, fields, errs);
		if (a == NULL)
			v_err(errs, "amount", "field required", "value_error.missing");
		else if (money_from_json(a, req->app->cfg->max_topup, 0, 0, micros, &why) !=
			 KILN_OK)
			v_err(errs, "amount", why, "value_error.money");
		*text = v_str(obj, text_field, text_required, text_max, errs, NULL);
		if (*text != NULL && (*text)[0] == '\0')
			v_err(errs, text_field, "must not be empty",
			      "value_error.any_str.min_length");
	}
	return v_reject(req, errs);
}

static const char *const topup_fields[] = {"amount", "payment_reference", NULL};

enum kiln_err
h_wallet_topup(struct request *req)
{
	const char *ref = NULL;
	int64_t micros = 0, entry = 0;
	int replayed = 0;
	enum kiln_err rc;

	if (wallet_amount_body(req, topup_fields, "payment_reference", WALLET_REF_MAX, 1, &micros,
			       &ref))
		return KILN_OK;
	rc = ledger_credit(req->app->db, req->user_id, "topup", micros, ref, "top-up", &entry,
			   &replayed);
	if (rc == KILN_ERR_CONFLICT) {
		resp_error(req, KILN_ERR_CONFLICT,
			   "payment_reference already used with another amount");
		return KILN_OK;
	}
	if (rc == KILN_ERR_RANGE) {
		resp_error(req, KILN_ERR_VALIDATION, "the balance would exceed its maximum");
		return KILN_OK;
	}
	if (rc != KILN_OK)
		return rc;
	return wallet_entry_response(req, req->user_id, entry, replayed ? 200 : 201);
}

static json_t *
wallet_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return view_ledger_new(res, row);
}

enum kiln_err
h_wallet_transactions(struct request *req)
{
	return scope_list(req, STMT_LEDGER_LIST, STMT_LEDGER_COUNT, wallet_item_new);
}

static const char *const grant_fields[] = {"amount", "reason", NULL};

enum kiln_err
h_wallet_grant(struct request *req)
{
	int64_t user_id = route_param(req, "user_id")->id, micros = 0, entry = 0;
	const char *reason = NULL;
	char description[WALLET_REASON_MAX + 64];
	int replayed = 0;
	enum kiln_err rc;

	if (wallet_amount_body(req, grant_fields, "reason", WALLET_REASON_MAX - 32, 0, &micros,
			       &reason))
		return KILN_OK;
	snprintf(description, sizeof(description), "grant by admin %lld%s%s",
		 (long long)req->user_id, reason ? ": " : "", reason ? reason : "");
	rc = ledger_credit(req->app->db, user_id, "grant", micros, NULL, description, &entry,
			   &replayed);
	if (rc == KILN_ERR_RANGE) {
		resp_error(req, KILN_ERR_VALIDATION, "the balance would exceed its maximum");
		return KILN_OK;
	}
	if (rc != KILN_OK)
		return rc; /* KILN_ERR_NOT_FOUND for no such user */
	return wallet_entry_response(req, user_id, entry, 201);
}
