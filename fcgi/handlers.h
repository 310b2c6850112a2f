/* SPDX-License-Identifier: MIT */
/* handlers.h: every route handler, h_<resource>_<action>, one file per
 * resource (h_<resource>.c). Each follows validate -> one transaction ->
 * one JSON response, and sees only requests that passed the pipeline. */
#ifndef KILN_HANDLERS_H
#define KILN_HANDLERS_H

#include "db.h"
#include "err.h"
#include "router.h" /* route_param */
#include "request.h"

/* h_health.c */
enum kiln_err h_health_get(struct request *req);
/* h_metrics.c */
enum kiln_err h_metrics_get(struct request *req);

/* h_auth.c */
enum kiln_err h_auth_register(struct request *req);
enum kiln_err h_auth_login(struct request *req);
enum kiln_err h_auth_token(struct request *req);
enum kiln_err h_auth_refresh(struct request *req);
enum kiln_err h_auth_logout(struct request *req);
enum kiln_err h_auth_me(struct request *req);

/* h_apikeys.c */
enum kiln_err h_apikeys_create(struct request *req);
enum kiln_err h_apikeys_list(struct request *req);
enum kiln_err h_apikeys_delete(struct request *req);

/* h_wallet.c */
enum kiln_err h_wallet_balance(struct request *req);
enum kiln_err h_wallet_topup(struct request *req);
enum kiln_err h_wallet_transactions(struct request *req);
enum kiln_err h_wallet_grant(struct request *req);

/* h_admin.c */
enum kiln_err h_admin_prices_get(struct request *req);
enum kiln_err h_admin_prices_put(struct request *req);
enum kiln_err h_admin_limits_get(struct request *req);
enum kiln_err h_admin_limits_global(struct request *req);
enum kiln_err h_admin_limits_user(struct request *req);

/* h_jobs.c, h_jobs_read.c, h_jobs_change.c */
enum kiln_err h_jobs_estimate(struct request *req);
enum kiln_err h_jobs_create(struct request *req);
/* h_jobs_files.c */
enum kiln_err h_jobs_create_files(struct request *req);
enum kiln_err h_jobs_upload(struct request *req);
enum kiln_err h_jobs_get(struct request *req);
enum kiln_err h_jobs_list(struct request *req);
enum kiln_err h_training_create(struct request *req);
enum kiln_err h_training_list(struct request *req);
enum kiln_err h_jobs_stats(struct request *req);
enum kiln_err h_jobs_events(struct request *req);
enum kiln_err h_jobs_cancel(struct request *req);
enum kiln_err h_jobs_patch(struct request *req);
enum kiln_err h_jobs_force_complete(struct request *req);
enum kiln_err h_jobs_purge(struct request *req);
enum kiln_err h_jobs_list_brief(struct request *req);

/* h_batches.c */
enum kiln_err h_batches_create(struct request *req);
enum kiln_err h_batches_list(struct request *req);
enum kiln_err h_batches_get(struct request *req);
enum kiln_err h_batches_cancel(struct request *req);
enum kiln_err h_batches_force_complete(struct request *req);
enum kiln_err h_batches_delete(struct request *req);

/* h_results.c */
enum kiln_err h_jobs_outputs(struct request *req);
enum kiln_err h_jobs_signed_url(struct request *req);
enum kiln_err h_jobs_logs(struct request *req);
enum kiln_err h_files_output(struct request *req);
enum kiln_err h_files_input(struct request *req);
enum kiln_err h_files_dataset(struct request *req);
enum kiln_err h_files_logs(struct request *req);
enum kiln_err h_datasets_download(struct request *req);
/* h_nodes.c */
enum kiln_err h_nodes_online(struct request *req);
enum kiln_err h_nodes_list(struct request *req);
enum kiln_err h_nodes_drain(struct request *req);
enum kiln_err h_nodes_undrain(struct request *req);
/* The nodes that take jobs (ticked within lost_seconds, not draining) into
 * OUT: *online, and the newest tick's age in microseconds into OUT:
 * *newest_us (-1: no node ever ticked). Health and metrics show them. */
enum kiln_err nodes_summary(struct db *db, int64_t lost_seconds, int64_t *online,
			    int64_t *newest_us);
/* h_datasets.c */
enum kiln_err h_datasets_create(struct request *req);
enum kiln_err h_datasets_list(struct request *req);
enum kiln_err h_datasets_get(struct request *req);
enum kiln_err h_datasets_delete(struct request *req);

/* h_projects.c */
enum kiln_err h_projects_create(struct request *req);
enum kiln_err h_projects_list(struct request *req);
enum kiln_err h_projects_get(struct request *req);
enum kiln_err h_projects_update(struct request *req);
enum kiln_err h_projects_delete(struct request *req);

/* h_users.c */
enum kiln_err h_users_create(struct request *req);
enum kiln_err h_users_list(struct request *req);
enum kiln_err h_users_get(struct request *req);
enum kiln_err h_users_patch(struct request *req);
/* Creates a user from the JSON body (email, password, username?,
 * full_name?, and role? when allow_role) and answers 201 with it; 422 on
 * bad fields; a taken email or username answers duplicate (400 or 409). */
enum kiln_err h_users_create_from(struct request *req, int allow_role, enum kiln_err duplicate);
/* Answers user id as the API shows users, with status; 404 when absent. */
enum kiln_err h_users_respond(struct request *req, int64_t id, int status);

#endif
