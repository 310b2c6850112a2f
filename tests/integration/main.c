/* SPDX-License-Identifier: MIT */
/* main.c: the integration suite's runner (see it.h). The process suite
 * runs last: it stops and restarts kiln-api. */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln_config.h"

#include "crypto.h"

#include "../cunit_run.h"
#include "it.h"

int
main(void)
{
	CU_pSuite only;
	int rc;

#ifndef KILN_TEST_HOOKS
	/* the suites turn faults on (lost COMMITs, failing statements) through
	 * lib/testhook.h: without them those tests would pass on nothing */
	fprintf(stderr,
		"kiln-it: this build has no test hooks: configure with --enable-test-hooks\n");
	return 1;
#endif
	if (getenv("KILN_IT_URL") == NULL || getenv("KILN_IT_DIR") == NULL) {
		fprintf(stderr, "kiln-it: run me through tests/integration/run.sh\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (crypto_init() != KILN_OK)
		return 2;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite_http();
	suite_db(); /* early: it checks that no worker is replaced, so it must run
		      * long before any worker reaches the stack's max_requests */
	suite_dblayer();
	suite_auth();
	suite_users();
	suite_wallet();
	suite_intake();
	suite_jobs();
	suite_files();
	suite_run();
	suite_results();
	suite_ops();
	suite_render();
	suite_process();
	/* KILN_IT_SUITE="jobs with files" runs one suite, and with it
	 * KILN_IT_TEST="..." only the test of that name (while developing) */
	only = getenv("KILN_IT_SUITE") != NULL ? CU_get_suite(getenv("KILN_IT_SUITE")) : NULL;
	if (only != NULL && getenv("KILN_IT_TEST") != NULL) {
		CU_pTest t;

		for (t = only->pTest; t != NULL; t = t->pNext)
			CU_set_test_active(t, strcmp(t->pName, getenv("KILN_IT_TEST")) == 0);
	}
	rc = cunit_run("kiln-it", only);
	curl_global_cleanup();
	return rc;
}
