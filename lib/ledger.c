/* SPDX-License-Identifier: MIT */
/* ledger.c: wallet changes (see ledger.h). Lock order, always: the step
 * row, the job's hold, the user's row. A reused step key returns the
 * recorded result without touching anything else. */
#include "ledger.h"

#include <stdio.h>
#include <string.h>

struct ledger_op {
	int64_t job_id, user_id, micros;
	const char *type, *reference, *description, *step;
	int64_t result; /* OUT: entry id, charged or released micros */
	int replayed;   /* OUT */
};

/* Locks one row with stmt (one id parameter): OUT its first two columns;
 * NOT_FOUND without one. */
static enum kiln_err
ledger_lock_row(struct db *db, enum db_stmt_id stmt, int64_t id, int64_t *a, int64_t *b)
{
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, stmt, p, 1, &res, NULL, NULL);

	if (rc == KILN_OK && db_res_rows(res) != 1)
		rc = KILN_ERR_NOT_FOUND;
	if (rc == KILN_OK) {
		*a = db_res_i64(res, 0, 0);
		*b = db_res_i64(res, 0, 1);
	}
	db_res_free(res);
	return rc;
}

/* The wallet row: OUT *balance, *reserved. NOT_FOUND if no user. */
static enum kiln_err
ledger_lock_wallet(struct db *db, int64_t user_id, int64_t *balance, int64_t *reserved)
{
	return ledger_lock_row(db, STMT_WALLET_LOCK, user_id, balance, reserved);
}

static enum kiln_err
ledger_append(struct db *db, const struct ledger_op *op, const char *type, int64_t amount,
	      int64_t balance_after, int64_t *id)
{
	struct db_val p[7] = {DBV_I64(op->user_id),
			      DBV_STR(type),
			      DBV_I64(amount),
			      DBV_I64(balance_after),
			      op->job_id > 0 ? DBV_I64(op->job_id) : DBV_NULL,
			      op->reference ? DBV_STR(op->reference) : DBV_NULL,
			      op->description ? DBV_STR(op->description) : DBV_NULL};
	uint64_t rid = 0;
	enum kiln_err rc = db_exec(db, STMT_LEDGER_INSERT, p, 7, NULL, NULL, &rid);

	if (id != NULL)
		*id = (int64_t)rid;
	return rc;
}

/* Conditional UPDATE whose one affected row is the proof it was allowed. */
static enum kiln_err
ledger_update(struct db *db, enum db_stmt_id id, const struct db_val *p, size_t n)
{
	uint64_t affected = 0;
	enum kiln_err rc = db_exec(db, id, p, n, NULL, &affected, NULL);

	if (rc == KILN_OK && affected != 1)
		rc = KILN_ERR_CONFLICT;
	return rc;
}

static enum kiln_err
ledger_credit_txn(struct db *db, void *arg)
{
	struct ledger_op *op = arg;
	int64_t balance, reserved;
	enum kiln_err rc;

	op->replayed = 0;
	if ((rc = ledger_lock_wallet(db, op->user_id, &balance, &reserved)) != KILN_OK)
		return rc;
	if (op->reference != NULL) {
		struct db_val p[2] = {DBV_I64(op->user_id), DBV_STR(op->reference)};
		struct db_res *res = NULL;

		if ((rc = db_exec(db, STMT_LEDGER_BY_PAYMENT, p, 2, &res, NULL, NULL)) != KILN_OK)
			return rc;
		if (db_res_rows(res) == 1) {
			int same = db_res_i64(res, 0, 2) == op->micros &&
				   strcmp(db_res_str(res, 0, 1, NULL), op->type) == 0;

			op->result = db_res_i64(res, 0, 0);
			op->replayed = 1;
			db_res_free(res);
			return same ? KILN_OK : KILN_ERR_CONFLICT;
		}
		db_res_free(res);
	}
	if (balance > LEDGER_BALANCE_MAX - op->micros)
		return KILN_ERR_RANGE;
	{
		struct db_val p[3] = {DBV_I64(op->micros), DBV_I64(op->user_id),
				      DBV_I64(LEDGER_BALANCE_MAX - op->micros)};

		if ((rc = ledger_update(db, STMT_WALLET_CREDIT, p, 3)) != KILN_OK)
			return rc;
	}
	return ledger_append(db, op, op->type, op->micros, balance + op->micros, &op->result);
}

enum kiln_err
ledger_credit(struct db *db, int64_t user_id, const char *type, int64_t micros,
	      const char *payment_reference, const char *description, int64_t *entry_id,
	      int *replayed)
{
	struct ledger_op op;
	enum kiln_err rc;

	if (micros <= 0 || (strcmp(type, "topup") != 0 && strcmp(type, "grant") != 0))
		return KILN_ERR_INTERNAL;
	memset(&op, 0, sizeof(op));
	op.user_id = user_id;
	op.micros = micros;
	op.type = type;
	op.reference = payment_reference;
	op.description = description;
	rc = db_txn(db, ledger_credit_txn, &op);
	if (rc == KILN_OK || (rc == KILN_ERR_CONFLICT && op.replayed)) {
		*entry_id = op.result;
		*replayed = op.replayed;
	}
	return rc;
}

/* Claims the step by inserting its row. OUT: *done = 1 and *result when
 * the step was already carried out (its row exists: a duplicate key). */
static enum kiln_err
ledger_step_claim(struct db *db, const struct ledger_op *op, int *done, int64_t *result)
{
	struct db_val p[2] = {DBV_STR(op->step), DBV_I64(op->job_id)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, STMT_STEP_INSERT, p, 2, NULL, NULL, NULL);

	*done = 0;
	if (rc != KILN_ERR_CONFLICT)
		return rc;
	if ((rc = db_exec(db, STMT_STEP_GET, p, 1, &res, NULL, NULL)) == KILN_OK &&
	    db_res_rows(res) == 1) {
		*done = 1;
		*result = db_res_i64(res, 0, 0);
	} else if (rc == KILN_OK) {
		rc = KILN_ERR_DB_RETRY; /* not visible yet: run the transaction again */
	}
	db_res_free(res);
	return rc;
}

static enum kiln_err
ledger_step_record(struct db *db, const struct ledger_op *op, int64_t result)
{
	struct db_val p[2] = {DBV_I64(result), DBV_STR(op->step)};

	return db_exec(db, STMT_STEP_SET_RESULT, p, 2, NULL, NULL, NULL);
}

/* Locks job_id's hold: OUT *user_id, *amount; NOT_FOUND without one. */
static enum kiln_err
ledger_lock_hold(struct db *db, int64_t job_id, int64_t *user_id, int64_t *amount)
{
	return ledger_lock_row(db, STMT_HOLD_LOCK, job_id, user_id, amount);
}

static enum kiln_err
ledger_hold_txn(struct db *db, void *arg)
{
	struct ledger_op *op = arg;
	int64_t balance, reserved;
	int done;
	enum kiln_err rc;

	if ((rc = ledger_step_claim(db, op, &done, &op->result)) != KILN_OK || done)
		return rc;
	if ((rc = ledger_lock_wallet(db, op->user_id, &balance, &reserved)) != KILN_OK)
		return rc;
	{
		struct db_val r[3] = {DBV_I64(op->micros), DBV_I64(op->user_id),
				      DBV_I64(op->micros)};
		struct db_val h[3] = {DBV_I64(op->job_id), DBV_I64(op->user_id),
				      DBV_I64(op->micros)};

		if ((rc = ledger_update(db, STMT_WALLET_RESERVE, r, 3)) != KILN_OK ||
		    (rc = db_exec(db, STMT_HOLD_ADD, h, 3, NULL, NULL, NULL)) != KILN_OK)
			return rc;
	}
	op->result = op->micros;
	return ledger_step_record(db, op, op->micros);
}

enum kiln_err
ledger_hold(struct db *db, int64_t job_id, int64_t user_id, int64_t micros, const char *step)
{
	struct ledger_op op;

	if (micros <= 0 || job_id <= 0 || step == NULL || strlen(step) > LEDGER_STEP_MAX)
		return KILN_ERR_INTERNAL;
	memset(&op, 0, sizeof(op));
	op.job_id = job_id;
	op.user_id = user_id;
	op.micros = micros;
	op.step = step;
	return db_txn(db, ledger_hold_txn, &op);
}

enum kiln_err
ledger_lock_in(struct db *db, int64_t user_id)
{
	int64_t balance, reserved;

	return ledger_lock_wallet(db, user_id, &balance, &reserved);
}

enum kiln_err
ledger_hold_many_in(struct db *db, const char *holds_json, size_t nusers)
{
	struct db_val p[1] = {DBV_STR(holds_json)};
	uint64_t users = 0;
	enum kiln_err rc;

	/* the steps first: a step used before is a conflict, and nothing moves */
	if ((rc = db_exec(db, STMT_HOLDS_STEPS, p, 1, NULL, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_HOLDS_RESERVE, p, 1, NULL, &users, NULL)) != KILN_OK)
		return rc;
	if (users != nusers)
		return KILN_ERR_DB_RETRY;
	return db_exec(db, STMT_HOLDS_ADD, p, 1, NULL, NULL, NULL);
}

static enum kiln_err
ledger_charge_txn(struct db *db, void *arg)
{
	struct ledger_op *op = arg;
	int64_t hold, balance, reserved, take, from_hold;
	int done;
	enum kiln_err rc;

	if ((rc = ledger_step_claim(db, op, &done, &op->result)) != KILN_OK || done)
		return rc;
	if ((rc = ledger_lock_hold(db, op->job_id, &op->user_id, &hold)) != KILN_OK ||
	    (rc = ledger_lock_wallet(db, op->user_id, &balance, &reserved)) != KILN_OK)
		return rc;
	take = op->micros < balance ? op->micros : balance;
	from_hold = take < hold ? take : hold;
	/* the hold is part of the balance; what the hold does not cover must
	 * come from credits nobody else has reserved */
	if (take - from_hold > balance - reserved)
		take = from_hold + (balance - reserved > 0 ? balance - reserved : 0);
	if (take > 0) {
		struct db_val w[5] = {DBV_I64(take), DBV_I64(from_hold), DBV_I64(op->user_id),
				      DBV_I64(take), DBV_I64(from_hold)};
		struct db_val h[4] = {DBV_I64(from_hold), DBV_I64(take), DBV_I64(op->job_id),
				      DBV_I64(from_hold)};

		int64_t row = 0;

		if ((rc = ledger_update(db, STMT_WALLET_DEBIT, w, 5)) != KILN_OK ||
		    (rc = ledger_update(db, STMT_HOLD_DRAW, h, 4)) != KILN_OK ||
		    (rc = ledger_append(db, op, "charge", -take, balance - take, &row)) != KILN_OK)
			return rc;
		{ /* the day's spend, on the day of the row it counts */
			struct db_val d[3] = {DBV_I64(op->user_id), DBV_I64(row), DBV_I64(take)};

			if ((rc = db_exec(db, STMT_SPEND_ADD, d, 3, NULL, NULL, NULL)) != KILN_OK)
				return rc;
		}
	}
	op->result = take;
	return ledger_step_record(db, op, take);
}

static enum kiln_err
ledger_charge_run(struct db *db, int64_t job_id, int64_t micros, const char *step,
		  const char *description, int64_t *charged, int own_txn)
{
	struct ledger_op op;
	enum kiln_err rc;

	if (micros < 0 || job_id <= 0 || step == NULL || strlen(step) > LEDGER_STEP_MAX)
		return KILN_ERR_INTERNAL;
	memset(&op, 0, sizeof(op));
	op.job_id = job_id;
	op.micros = micros;
	op.step = step;
	op.description = description;
	rc = own_txn ? db_txn(db, ledger_charge_txn, &op) : ledger_charge_txn(db, &op);
	if (rc == KILN_OK)
		*charged = op.result;
	return rc;
}

enum kiln_err
ledger_charge(struct db *db, int64_t job_id, int64_t micros, const char *step,
	      const char *description, int64_t *charged)
{
	return ledger_charge_run(db, job_id, micros, step, description, charged, 1);
}

enum kiln_err
ledger_charge_in(struct db *db, int64_t job_id, int64_t micros, const char *step,
		 const char *description, int64_t *charged)
{
	return ledger_charge_run(db, job_id, micros, step, description, charged, 0);
}

static enum kiln_err
ledger_release_txn(struct db *db, void *arg)
{
	struct ledger_op *op = arg;
	int64_t hold, balance, reserved;
	int done;
	enum kiln_err rc;

	/* the hold first: a job without one writes nothing, so a caller's
	 * transaction (ledger_release_in) may carry on after NOT_FOUND */
	if ((rc = ledger_lock_hold(db, op->job_id, &op->user_id, &hold)) != KILN_OK ||
	    (rc = ledger_step_claim(db, op, &done, &op->result)) != KILN_OK || done ||
	    (rc = ledger_lock_wallet(db, op->user_id, &balance, &reserved)) != KILN_OK)
		return rc;
	{
		struct db_val u[3] = {DBV_I64(hold), DBV_I64(op->user_id), DBV_I64(hold)};
		struct db_val h[1] = {DBV_I64(op->job_id)};

		if ((hold > 0 &&
		     (rc = ledger_update(db, STMT_WALLET_UNRESERVE, u, 3)) != KILN_OK) ||
		    (rc = db_exec(db, STMT_HOLD_RELEASE, h, 1, NULL, NULL, NULL)) != KILN_OK)
			return rc;
	}
	op->result = hold;
	return ledger_step_record(db, op, hold);
}

static enum kiln_err
ledger_release_run(struct db *db, int64_t job_id, const char *step, int64_t *released, int own_txn)
{
	struct ledger_op op;
	enum kiln_err rc;

	if (job_id <= 0 || step == NULL || strlen(step) > LEDGER_STEP_MAX)
		return KILN_ERR_INTERNAL;
	memset(&op, 0, sizeof(op));
	op.job_id = job_id;
	op.step = step;
	rc = own_txn ? db_txn(db, ledger_release_txn, &op) : ledger_release_txn(db, &op);
	if (rc == KILN_OK && released != NULL)
		*released = op.result;
	return rc;
}

enum kiln_err
ledger_release(struct db *db, int64_t job_id, const char *step, int64_t *released)
{
	return ledger_release_run(db, job_id, step, released, 1);
}

enum kiln_err
ledger_release_in(struct db *db, int64_t job_id, const char *step, int64_t *released)
{
	enum kiln_err rc = ledger_release_run(db, job_id, step, released, 0);

	if (rc == KILN_ERR_NOT_FOUND) {
		if (released != NULL)
			*released = 0;
		rc = KILN_OK;
	}
	return rc;
}
