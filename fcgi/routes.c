/* SPDX-License-Identifier: MIT */
/* routes.c: THE route table. One line per endpoint: method, pattern,
 * handler, flags (router.h), roles allowed, body cap, summary. Adding an
 * endpoint is a line here, a handler in h_<resource>.c and its entry in
 * docs/openapi.json (the unit suite fails until they agree). */
#include "handlers.h"
#include "router.h"

/* One line per endpoint, aligned, is the point of the table. */
// clang-format off
const struct route route_table[] = {
	/* method  pattern                        handler            flags                        roles        max body    summary */
	{"GET",    "/api/v1/health",              h_health_get,      RF_NOAUTH,                   0,           BODY_NONE,  "Readiness: database reachable"},
	{"GET",    "/api/v1/metrics",             h_metrics_get,     RF_NOAUTH,                   0,           BODY_NONE,  "Prometheus metrics (admins, or [api] metrics_from)"},
	{"POST",   "/api/v1/auth/register",       h_auth_register,   RF_NOAUTH | RF_JSON_BODY,    0,           BODY_SMALL, "Create an account"},
	{"POST",   "/api/v1/auth/login",          h_auth_login,      RF_NOAUTH | RF_JSON_BODY | RF_FORM, 0,    BODY_SMALL, "Log in (JSON, form or query) for tokens"},
	{"POST",   "/api/v1/auth/token",          h_auth_token,      RF_NOAUTH | RF_JSON_BODY | RF_FORM, 0,    BODY_SMALL, "OAuth2 password grant"},
	{"POST",   "/api/v1/auth/refresh",        h_auth_refresh,    RF_NOAUTH | RF_JSON_BODY,    0,           BODY_SMALL, "Rotate a refresh token"},
	{"POST",   "/api/v1/auth/logout",         h_auth_logout,     RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Revoke this session's refresh tokens"},
	{"GET",    "/api/v1/auth/me",             h_auth_me,         0,                           ROLES_ANY,   BODY_NONE,  "The caller"},
	{"GET",    "/api/v1/auth/api-keys",       h_apikeys_list,    0,                           ROLES_ANY,   BODY_NONE,  "The caller's API keys"},
	{"POST",   "/api/v1/auth/api-keys",       h_apikeys_create,  RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Create an API key (shown once)"},
	{"DELETE", "/api/v1/auth/api-keys/{id}",  h_apikeys_delete,  0,                           ROLES_ANY,   BODY_NONE,  "Revoke an API key"},
	{"POST",   "/api/v1/users",               h_users_create,    RF_JSON_BODY | RF_AUDIT,     ROLE_ADMIN,  BODY_SMALL, "Create a user with a role"},
	{"GET",    "/api/v1/users",               h_users_list,      0,                           ROLE_ADMIN,  BODY_NONE,  "List users"},
	{"GET",    "/api/v1/users/{id}",          h_users_get,       0,                           ROLE_ADMIN,  BODY_NONE,  "Read a user"},
	{"PATCH",  "/api/v1/users/{id}",          h_users_patch,     RF_JSON_BODY | RF_AUDIT,     ROLE_ADMIN,  BODY_SMALL, "Change role, password, is_active or limits"},
	{"GET",    "/api/v1/wallet/balance",      h_wallet_balance,  0,                           ROLES_ANY,   BODY_NONE,  "Balance, reserve, available, today's spend"},
	{"POST",   "/api/v1/wallet/topup",        h_wallet_topup,    RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Add credits (idempotent by payment_reference)"},
	{"GET",    "/api/v1/wallet/transactions", h_wallet_transactions, 0,                       ROLES_ANY,   BODY_NONE,  "The ledger, newest first"},
	{"POST",   "/api/v1/admin/wallet/{user_id}/grant", h_wallet_grant, RF_JSON_BODY | RF_AUDIT, ROLE_ADMIN, BODY_SMALL, "Grant credits to a user"},
	{"POST",   "/api/v1/jobs",                h_jobs_create,     RF_JSON_BODY | RF_UPLOAD | RF_IDEMPOTENT, ROLES_ANY, BODY_UPLOAD, "Submit a job (JSON, or multipart with files)"},
	{"POST",   "/api/v1/jobs/upload",         h_jobs_upload,     RF_UPLOAD | RF_IDEMPOTENT,   ROLE_USER | ROLES_STAFF, BODY_UPLOAD, "Split a CSV into a batch of shard jobs"},
	{"GET",    "/api/v1/jobs",                h_jobs_list,       0,                           ROLES_ANY,   BODY_NONE,  "List jobs, newest first"},
	{"GET",    "/api/v1/jobs/stats",          h_jobs_stats,      0,                           ROLES_ANY,   BODY_NONE,  "Counts per status"},
	{"GET",    "/api/v1/jobs/{id}",           h_jobs_get,        RF_READS_JOB,                ROLES_ANY,   BODY_NONE,  "Read a job"},
	{"PATCH",  "/api/v1/jobs/{id}",           h_jobs_patch,      RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Rename or re-prioritise; staff set status/progress"},
	{"POST",   "/api/v1/jobs/{id}/cancel",    h_jobs_cancel,     RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Cancel a job"},
	{"POST",   "/api/v1/jobs/{id}/force-complete", h_jobs_force_complete, RF_JSON_BODY | RF_AUDIT, ROLES_STAFF, (2 << 20) + 65536, "End a job by hand (operator, admin)"},
	{"DELETE", "/api/v1/jobs/{id}/purge",     h_jobs_purge,      0,                           ROLE_USER | ROLE_OPERATOR | ROLE_ADMIN, BODY_NONE, "Remove a finished job and its history"},
	{"GET",    "/api/v1/jobs/list/{user_id}", h_jobs_list_brief, 0,                           ROLES_ANY,   BODY_NONE,  "A user's jobs, short (marketplace clients)"},
	{"GET",    "/api/v1/jobs/{id}/logs",      h_jobs_logs,       RF_STREAM,                   ROLES_ANY,   BODY_NONE,  "A job's logs: text, or a live tail (Accept: text/event-stream)"},
	{"GET",    "/api/v1/jobs/{id}/outputs",   h_jobs_outputs,    0,                           ROLES_ANY,   BODY_NONE,  "A job's outputs with signed links"},
	{"POST",   "/api/v1/jobs/signed-url",     h_jobs_signed_url, RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "A signed link to a job's output"},
	{"GET",    "/api/v1/files/jobs/{id}/outputs", h_files_output, RF_NOAUTH,                  0,           BODY_NONE,  "Download an output (signed link)"},
	{"GET",    "/api/v1/files/jobs/{id}/inputs", h_files_input,  RF_NOAUTH,                   0,           BODY_NONE,  "Download a file a job was submitted with (signed link)"},
	{"GET",    "/api/v1/files/datasets/{id}", h_files_dataset,   RF_NOAUTH,                   0,           BODY_NONE,  "Download a data set (signed link)"},
	{"GET",    "/api/v1/files/jobs/{id}/logs", h_files_logs,     RF_NOAUTH | RF_STREAM,       0,           BODY_NONE,  "A job's logs, text or live (signed link: EventSource)"},
	{"GET",    "/api/v1/datasets/{id}/download", h_datasets_download, 0,                      ROLES_ANY,   BODY_NONE,  "Redirect to a signed link of a data set"},
	{"GET",    "/api/v1/jobs/{id}/events",    h_jobs_events,     0,                           ROLES_ANY,   BODY_NONE,  "A job's status history"},
	{"POST",   "/api/v1/job-batches",         h_batches_create,  RF_JSON_BODY | RF_IDEMPOTENT, ROLE_USER | ROLES_STAFF, BODY_JOB, "Create a batch and its jobs"},
	{"GET",    "/api/v1/job-batches",         h_batches_list,    0,                           ROLES_ANY,   BODY_NONE,  "The caller's batches"},
	{"GET",    "/api/v1/job-batches/{id}",    h_batches_get,     0,                           ROLES_ANY,   BODY_NONE,  "A batch with its jobs and counts"},
	{"POST",   "/api/v1/job-batches/{id}/cancel", h_batches_cancel, RF_JSON_BODY,             ROLE_USER | ROLES_STAFF, BODY_SMALL, "Cancel a batch's unfinished jobs"},
	{"POST",   "/api/v1/job-batches/{id}/force-complete", h_batches_force_complete, RF_JSON_BODY | RF_AUDIT, ROLES_STAFF, BODY_SMALL, "End a batch's unfinished jobs by hand"},
	{"DELETE", "/api/v1/job-batches/{id}",    h_batches_delete,  0,                           ROLE_USER | ROLES_STAFF, BODY_NONE, "Delete a batch whose jobs have all ended"},
	{"POST",   "/api/v1/datasets",            h_datasets_create, RF_UPLOAD,                   ROLE_USER | ROLES_STAFF, BODY_UPLOAD, "Upload a data set (multipart: file, name, description)"},
	{"GET",    "/api/v1/datasets",            h_datasets_list,   0,                           ROLES_ANY,   BODY_NONE,  "The caller's data sets"},
	{"GET",    "/api/v1/datasets/{id}",       h_datasets_get,    0,                           ROLES_ANY,   BODY_NONE,  "Read a data set"},
	{"DELETE", "/api/v1/datasets/{id}",       h_datasets_delete, 0,                           ROLE_USER | ROLES_STAFF, BODY_NONE, "Delete a data set no active job uses"},
	{"POST",   "/api/v1/projects",            h_projects_create, RF_JSON_BODY,                ROLE_USER | ROLES_STAFF, BODY_SMALL, "Create a project"},
	{"GET",    "/api/v1/projects",            h_projects_list,   0,                           ROLES_ANY,   BODY_NONE,  "The caller's projects"},
	{"GET",    "/api/v1/projects/{id}",       h_projects_get,    0,                           ROLES_ANY,   BODY_NONE,  "Read a project"},
	{"PUT",    "/api/v1/projects/{id}",       h_projects_update, RF_JSON_BODY,                ROLE_USER | ROLES_STAFF, BODY_SMALL, "Rename or describe a project"},
	{"DELETE", "/api/v1/projects/{id}",       h_projects_delete, 0,                           ROLE_USER | ROLES_STAFF, BODY_NONE, "Delete a project without active jobs"},
	{"POST",   "/api/v1/jobs/estimate-cost",  h_jobs_estimate,   RF_JSON_BODY,                ROLES_ANY,   BODY_SMALL, "Quote a render or a compute job"},
	{"GET",    "/api/v1/sellers/agents/online", h_nodes_online, 0,                        ROLES_ANY,   BODY_NONE,  "GPU hosts online (marketplace agents)"},
	{"GET",    "/api/v1/nodes",               h_nodes_list,      0,                           ROLES_STAFF | ROLE_VIEWER, BODY_NONE, "Every node with its running jobs"},
	{"POST",   "/api/v1/nodes/{id}/drain",    h_nodes_drain,     RF_AUDIT,                    ROLES_STAFF, BODY_SMALL, "Finish running jobs, take no new ones"},
	{"POST",   "/api/v1/nodes/{id}/undrain",  h_nodes_undrain,   RF_AUDIT,                    ROLES_STAFF, BODY_SMALL, "Take new jobs again"},
	{"GET",    "/api/v1/admin/prices",        h_admin_prices_get, 0,                          ROLE_ADMIN,  BODY_NONE,  "The price list"},
	{"PUT",    "/api/v1/admin/prices",        h_admin_prices_put, RF_JSON_BODY | RF_AUDIT,    ROLE_ADMIN,  BODY_SMALL, "Change prices"},
	{"GET",    "/api/v1/admin/limits",        h_admin_limits_get, 0,                          ROLE_ADMIN,  BODY_NONE,  "Global limits and per-user overrides"},
	{"POST",   "/api/v1/admin/limits/global", h_admin_limits_global, RF_JSON_BODY | RF_AUDIT, ROLE_ADMIN,  BODY_SMALL, "Set global limits"},
	{"POST",   "/api/v1/admin/limits/users/{id}", h_admin_limits_user, RF_JSON_BODY | RF_AUDIT, ROLE_ADMIN, BODY_SMALL, "Set or clear (null) a user's limits"},
};
// clang-format on

const size_t route_count = sizeof(route_table) / sizeof(route_table[0]);
