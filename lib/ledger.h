/* SPDX-License-Identifier: MIT */
/* ledger.h: every change of a wallet. Each function is one transaction
 * that locks the user's row, changes balance or reserve with a conditional
 * UPDATE (checked by its affected rows), and appends the ledger row, so
 * money is never lost, invented or counted twice under any interleaving
 * (ledger_release_in is the one that joins its caller's transaction).
 * Hold, charge and release are idempotent per caller-chosen step key: a
 * retried call returns the first result. Not for: HTTP (fcgi/h_wallet.c). */
#ifndef KILN_LEDGER_H
#define KILN_LEDGER_H

#include <stdint.h>

#include "db.h"
#include "err.h"

#define LEDGER_STEP_MAX 128
#define LEDGER_BALANCE_MAX ((int64_t)1000000000 * 1000000) /* a billion credits */

/* Credits micros (> 0) to user_id as type "topup" or "grant".
 * With a payment_reference (may be NULL): the same reference again with the
 * same amount changes nothing and returns the first entry with
 * OUT: *replayed = 1; with another amount KILN_ERR_CONFLICT.
 * OUT: *entry_id is the ledger row. KILN_ERR_NOT_FOUND for no such user,
 * KILN_ERR_RANGE when the balance would pass LEDGER_BALANCE_MAX. */
enum kiln_err ledger_credit(struct db *db, int64_t user_id, const char *type, int64_t micros,
			    const char *payment_reference, const char *description,
			    int64_t *entry_id, int *replayed);

/* Reserves micros (> 0) of user_id's available credits for job_id.
 * KILN_ERR_CONFLICT when available (balance - reserved) is smaller. */
enum kiln_err ledger_hold(struct db *db, int64_t job_id, int64_t user_id, int64_t micros,
			  const char *step);

/* Charges job_id's user micros (>= 0): from the job's hold first, then
 * from the rest of the wallet, never beyond the balance. OUT: *charged is
 * what was taken (less than micros when the wallet ran dry: the caller
 * ends the job). KILN_ERR_NOT_FOUND when the job has no hold. */
enum kiln_err ledger_charge(struct db *db, int64_t job_id, int64_t micros, const char *step,
			    const char *description, int64_t *charged);

/* ledger_charge inside the caller's db_txn (kiln-run charges under its
 * lease check; the claim holds with ledger_hold_many_in). */
enum kiln_err ledger_charge_in(struct db *db, int64_t job_id, int64_t micros, const char *step,
			       const char *description, int64_t *charged);

/* Locks user_id's wallet row for the rest of the caller's transaction.
 * Every transaction that changes a job's status and may touch money takes
 * it first, before the status counts (job_counts, by trigger), so that
 * they never deadlock over the counts. */
enum kiln_err ledger_lock_in(struct db *db, int64_t user_id);

/* Many holds at once, inside the caller's transaction (the claim):
 * holds_json is [{"job", "uid", "amount" > 0, "step"}] with distinct new
 * steps, nusers the number of distinct uids. All or nothing:
 * KILN_ERR_DB_RETRY when a wallet cannot cover its holds any more (the
 * caller's transaction is then retried from its reads). */
enum kiln_err ledger_hold_many_in(struct db *db, const char *holds_json, size_t nusers);

/* Returns what is left of job_id's hold to the available credits.
 * OUT (optional): *released. Releasing twice releases nothing more. */
enum kiln_err ledger_release(struct db *db, int64_t job_id, const char *step, int64_t *released);

/* ledger_release inside the caller's db_txn (no BEGIN or COMMIT of its
 * own), so a job's end and the return of its hold commit together. A job
 * without a hold releases nothing and is not an error. */
enum kiln_err ledger_release_in(struct db *db, int64_t job_id, const char *step, int64_t *released);

#endif
