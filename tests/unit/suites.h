/* SPDX-License-Identifier: MIT */
/* suites.h: the CUnit suites of kiln-unit, one per source file under test.
 * Each suite_<name>() registers its suite and tests in the current
 * registry; main.c calls them all. Not for: shared test helpers. */
#ifndef KILN_TEST_SUITES_H
#define KILN_TEST_SUITES_H

void suite_err(void);
void suite_parse(void);
void suite_config(void);
void suite_json(void);
void suite_arena(void);
void suite_router(void);
void suite_dispatch(void);
void suite_openapi(void);
void suite_migrate(void);
void suite_ratelimit(void);
void suite_jwt(void);
void suite_account(void);
void suite_money(void);
void suite_estimate(void);
void suite_jobspec(void);
void suite_multipart(void);
void suite_csvsplit(void);
void suite_images(void);
void suite_trainers(void);
void suite_policy(void);
void suite_sched(void);
void suite_unpack(void);
void suite_signed(void);
void suite_metrics(void);
void suite_render_job(void);
void suite_auth(void);
void suite_jobcache(void);
void suite_rmtree(void);

#endif
