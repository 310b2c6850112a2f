/* SPDX-License-Identifier: MIT */
/* main.c: kiln-unit, the unit and handler test tiers (STYLE.md rule 18).
 * Registers every suite, runs them verbosely and exits non-zero on any
 * failed assertion or registry error, so `make check` can trust it. */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "suites.h"

int
main(void)
{
	unsigned failures;
	int rc = EXIT_FAILURE;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-unit: cannot initialise CUnit: %s\n", CU_get_error_msg());
		return EXIT_FAILURE;
	}
	if (crypto_init() != KILN_OK) {
		fprintf(stderr, "kiln-unit: crypto_init failed\n");
		goto out;
	}
	suite_err();
	suite_parse();
	suite_config();
	suite_json();
	suite_arena();
	suite_router();
	suite_dispatch();
	suite_openapi();
	suite_migrate();
	suite_ratelimit();
	suite_jwt();
	suite_account();
	suite_money();
	suite_estimate();
	suite_jobspec();
	suite_multipart();
	suite_csvsplit();
	suite_images();
	suite_policy();
	suite_sched();
	suite_unpack();
	suite_signed();
	suite_metrics();
	suite_render_job();
	suite_auth();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-unit: registering tests failed: %s\n", CU_get_error_msg());
		goto out;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-unit: run failed: %s\n", CU_get_error_msg());
		goto out;
	}
	/* the basic interface has printed the run summary; list the failures
	 * once more at the end, where a CI log is read first */
	failures = CU_get_number_of_failures();
	if (failures > 0) {
		printf("\nFailures:\n");
		CU_basic_show_failures(CU_get_failure_list());
		printf("\n");
	}
	if (failures == 0 && CU_get_number_of_suites_failed() == 0 &&
	    CU_get_number_of_tests_failed() == 0)
		rc = EXIT_SUCCESS;
out:
	CU_cleanup_registry();
	return rc;
}
