/* SPDX-License-Identifier: MIT */
/* cunit_run.h: the one way kiln's CUnit programs run their registered
 * suites (unit, render, integration): verbosely, the failures listed again
 * at the end where a CI log is read first, and an exit status that counts
 * failed assertions, failed tests and suites whose set-up failed. */
#ifndef KILN_CUNIT_RUN_H
#define KILN_CUNIT_RUN_H

#include <CUnit/CUnit.h>

/* Runs only (a registered suite) or, when NULL, every suite, then cleans
 * the registry up. prog names the program in messages. Returns
 * EXIT_SUCCESS or EXIT_FAILURE. */
int cunit_run(const char *prog, CU_pSuite only);

#endif
