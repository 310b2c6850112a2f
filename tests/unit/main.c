/* SPDX-License-Identifier: MIT */
/* main.c: kiln-unit, the unit and handler test tiers (STYLE.md rule 18).
 * Registers every suite, runs them verbosely and exits non-zero on any
 * failed assertion or registry error, so `make check` can trust it. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "../cunit_run.h"
#include "suites.h"

int
main(void)
{
	if (crypto_init() != KILN_OK) {
		fprintf(stderr, "kiln-unit: crypto_init failed\n");
		return EXIT_FAILURE;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "kiln-unit: cannot initialise CUnit: %s\n", CU_get_error_msg());
		return EXIT_FAILURE;
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
	suite_trainers();
	suite_policy();
	suite_sched();
	suite_unpack();
	suite_signed();
	suite_metrics();
	suite_render_job();
	suite_auth();
	suite_jobcache();
	suite_rmtree();
	return cunit_run("kiln-unit", NULL);
}
