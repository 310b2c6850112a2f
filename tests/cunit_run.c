/* SPDX-License-Identifier: MIT */
/* cunit_run.c: running the registered suites (see cunit_run.h). */
#include "cunit_run.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

int
cunit_run(const char *prog, CU_pSuite only)
{
	unsigned failures;
	int rc = EXIT_FAILURE;

	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "%s: registering tests failed: %s\n", prog, CU_get_error_msg());
		goto out;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if ((only != NULL ? CU_basic_run_suite(only) : CU_basic_run_tests()) != CUE_SUCCESS) {
		fprintf(stderr, "%s: run failed: %s\n", prog, CU_get_error_msg());
		goto out;
	}
	failures = CU_get_number_of_failures();
	if (failures > 0) {
		printf("\nFailures:\n");
		CU_basic_show_failures(CU_get_failure_list());
		printf("\n");
	}
	/* a suite whose set-up failed ran none of its tests: a failure too */
	if (failures == 0 && CU_get_number_of_suites_failed() == 0 &&
	    CU_get_number_of_tests_failed() == 0)
		rc = EXIT_SUCCESS;
out:
	CU_cleanup_registry();
	return rc;
}
