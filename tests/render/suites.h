/* SPDX-License-Identifier: MIT */
/* suites.h: the CUnit suites of kiln-render-test, the render tier: the
 * pure render/ modules first, then the real binary. Not for: helpers
 * (util.h). */
#ifndef KILN_TEST_RENDER_SUITES_H
#define KILN_TEST_RENDER_SUITES_H

void suite_spec(void);
void suite_plan(void);
void suite_music(void);
void suite_render(void);
void suite_errors(void);

#endif
