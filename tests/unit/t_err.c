/* SPDX-License-Identifier: MIT */
/* t_err.c: lib/err.c, the error table. Codes and statuses are API, so the
 * mappings clients rely on are pinned here one by one. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "err.h"
#include "suites.h"

static void
t_err_table_complete(void)
{
	int e;

	for (e = 0; e < KILN_ERR__COUNT; e++) {
		const char *code = err_code((enum kiln_err)e);
		const char *msg = err_message((enum kiln_err)e);
		int status = err_http_status((enum kiln_err)e);

		CU_ASSERT_PTR_NOT_NULL_FATAL(code);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		CU_ASSERT(code[0] != '\0');
		CU_ASSERT(msg[0] != '\0');
		CU_ASSERT(status >= 200 && status <= 599);
		/* codes are snake_case identifiers clients switch on */
		CU_ASSERT(strspn(code, "abcdefghijklmnopqrstuvwxyz_") == strlen(code));
		if (e != KILN_OK) {
			CU_ASSERT(status >= 400);
		}
	}
}

static void
t_err_specific(void)
{
	CU_ASSERT_EQUAL(err_http_status(KILN_OK), 200);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_NOT_FOUND), 404);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_NOT_FOUND), "not_found");
	CU_ASSERT_STRING_EQUAL(err_message(KILN_ERR_NOT_FOUND), "not found");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_METHOD), 405);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_METHOD), "method_not_allowed");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_TOO_LARGE), 413);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_TOO_LARGE), "payload_too_large");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_DB_UNAVAILABLE), 503);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_DB_UNAVAILABLE), "db_unavailable");
	CU_ASSERT_STRING_EQUAL(err_message(KILN_ERR_DB_UNAVAILABLE), "database unavailable");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_VALIDATION), 422);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_VALIDATION), "validation_error");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_BAD_REQUEST), 400);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_BAD_JSON), 400);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_BAD_JSON), "invalid_json");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_UNAUTHORIZED), 401);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_FORBIDDEN), 403);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_CONFLICT), 409);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_MEDIA_TYPE), 415);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_RATE_LIMITED), 429);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_RANGE), 422);
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_BODY_TRUNCATED), 400);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_BODY_TRUNCATED), "body_truncated");
	CU_ASSERT_EQUAL(err_http_status(KILN_ERR_INTERNAL), 500);
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_INTERNAL), "internal_error");
}

/* Database and I/O failures must not reveal which subsystem broke. */
static void
t_err_5xx_generic(void)
{
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_DB), "internal_error");
	CU_ASSERT_STRING_EQUAL(err_code(KILN_ERR_IO), "internal_error");
	CU_ASSERT_STRING_EQUAL(err_message(KILN_ERR_DB), err_message(KILN_ERR_INTERNAL));
	CU_ASSERT_STRING_EQUAL(err_message(KILN_ERR_IO), err_message(KILN_ERR_INTERNAL));
}

static void
t_err_out_of_range(void)
{
	static const int bad[] = {KILN_ERR__COUNT, KILN_ERR__COUNT + 1, 1000, -1};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum kiln_err e = (enum kiln_err)bad[i];

		CU_ASSERT_EQUAL(err_http_status(e), 500);
		CU_ASSERT_STRING_EQUAL(err_code(e), "internal_error");
		CU_ASSERT_STRING_EQUAL(err_message(e), "internal server error");
	}
}

void
suite_err(void)
{
	CU_pSuite s = CU_add_suite("err", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "every value has code, message, status", t_err_table_complete);
	CU_add_test(s, "specific mappings", t_err_specific);
	CU_add_test(s, "db and io errors look internal", t_err_5xx_generic);
	CU_add_test(s, "out-of-range values are internal_error", t_err_out_of_range);
}
