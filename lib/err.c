/* SPDX-License-Identifier: MIT */
/* err.c: the table behind err.h. One row per enum value, in enum order. */
#include "err.h"

#include <stddef.h>

static const struct {
	int status;
	const char *code;
	const char *message;
} err_table[KILN_ERR__COUNT] = {
    [KILN_OK] = {200, "ok", "ok"},
    [KILN_ERR_NOMEM] = {503, "out_of_memory", "server busy, try again"},
    [KILN_ERR_INTERNAL] = {500, "internal_error", "internal server error"},
    [KILN_ERR_BAD_REQUEST] = {400, "bad_request", "bad request"},
    [KILN_ERR_BAD_JSON] = {400, "invalid_json", "request body is not valid JSON"},
    [KILN_ERR_UNAUTHORIZED] = {401, "unauthorized", "missing or invalid credentials"},
    [KILN_ERR_FORBIDDEN] = {403, "forbidden", "not allowed"},
    [KILN_ERR_NOT_FOUND] = {404, "not_found", "not found"},
    [KILN_ERR_METHOD] = {405, "method_not_allowed", "method not allowed"},
    [KILN_ERR_CONFLICT] = {409, "conflict", "conflict"},
    [KILN_ERR_TOO_LARGE] = {413, "payload_too_large", "request body too large"},
    [KILN_ERR_MEDIA_TYPE] = {415, "unsupported_media_type", "unsupported content type"},
    [KILN_ERR_VALIDATION] = {422, "validation_error", "validation failed"},
    [KILN_ERR_RATE_LIMITED] = {429, "rate_limited", "too many requests"},
    [KILN_ERR_DB_UNAVAILABLE] = {503, "db_unavailable", "database unavailable"},
    [KILN_ERR_DB] = {500, "internal_error", "internal server error"},
    [KILN_ERR_DB_RETRY] = {503, "db_busy", "database busy, try again"},
    [KILN_ERR_IO] = {500, "internal_error", "internal server error"},
    [KILN_ERR_CONFIG] = {500, "config_error", "configuration error"},
    [KILN_ERR_RANGE] = {422, "out_of_range", "value out of range"},
    [KILN_ERR_COST_LIMIT] = {400, "cost_limit_exceeded", "the job may cost more than max_job_cost"},
    [KILN_ERR_WORKING_DIR] = {400, "bad_working_dir",
			      "working_dir must stay inside the job directory, outside logs/"},
    [KILN_ERR_BUSY] = {503, "too_many_streams", "too many live streams; retry later"},
    [KILN_ERR_LINK_EXPIRED] = {403, "link_expired", "link expired"},
    [KILN_ERR_LINK_INVALID] = {403, "link_invalid", "invalid link"},
    [KILN_ERR_UNKNOWN_IMAGE] = {400, "unknown_image", "no configured image matches docker_image"},
    [KILN_ERR_UNKNOWN_TRAINER] = {400, "unknown_framework",
				  "no trainer is configured for config.framework"},
    [KILN_ERR_BODY_TRUNCATED] = {400, "body_truncated", "request body shorter than Content-Length"},
};

static int
err_valid(enum kiln_err e)
{
	return (int)e >= 0 && e < KILN_ERR__COUNT && err_table[e].code != NULL;
}

int
err_http_status(enum kiln_err e)
{
	return err_valid(e) ? err_table[e].status : 500;
}

const char *
err_code(enum kiln_err e)
{
	return err_valid(e) ? err_table[e].code : "internal_error";
}

const char *
err_message(enum kiln_err e)
{
	return err_valid(e) ? err_table[e].message : "internal server error";
}
