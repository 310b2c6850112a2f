/* SPDX-License-Identifier: MIT */
/* testhook.h: the fault-injection switches the integration tests turn on
 * (KILN_TEST_* in the environment). They exist only in a build configured
 * with --enable-test-hooks, as ./dev configures its builds; in any other
 * build every switch reads as unset, so a packaged kiln ignores them. */
#ifndef KILN_TESTHOOK_H
#define KILN_TESTHOOK_H

#include <stdlib.h>

#include "kiln_config.h" /* KILN_TEST_HOOKS */

/* The value of the switch name (KILN_TEST_...), or NULL when it is unset
 * or the build has no test hooks. */
static inline const char *
test_hook(const char *name)
{
#ifdef KILN_TEST_HOOKS
	return getenv(name);
#else
	(void)name;
	return NULL;
#endif
}

/* The switch name as a number, or dflt when it is unset (or the build has
 * no test hooks). */
static inline long long
test_hook_ll(const char *name, long long dflt)
{
	const char *v = test_hook(name);

	return v != NULL ? strtoll(v, NULL, 10) : dflt;
}

#endif
