/* SPDX-License-Identifier: MIT */
/* main.c: kiln-render-test, the render tier (STYLE.md rule 18): pure render/
 * modules, then the kiln-render binary end to end (needs top_builddir).
 * Registers every suite, runs them verbosely and exits non-zero on any
 * failed assertion or registry error, so `make check` can trust it. */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	unsigned failures;
	int rc = EXIT_FAILURE;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-render-test: cannot initialise CUnit: %s\n",
			CU_get_error_msg());
		return EXIT_FAILURE;
	}
	suite_spec();
	suite_plan();
	suite_music();
	suite_render();
	suite_errors();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-render-test: registering tests failed: %s\n",
			CU_get_error_msg());
		goto out;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-render-test: run failed: %s\n", CU_get_error_msg());
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
