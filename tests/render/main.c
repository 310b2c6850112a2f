/* SPDX-License-Identifier: MIT */
/* main.c: kiln-render-test, the render tier (STYLE.md rule 18): pure render/
 * modules, then the kiln-render binary end to end (needs top_builddir).
 * Registers every suite, runs them verbosely and exits non-zero on any
 * failed assertion or registry error, so `make check` can trust it. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

#include "../cunit_run.h"
#include "suites.h"

int
main(void)
{
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
	return cunit_run("kiln-render-test", NULL);
}
