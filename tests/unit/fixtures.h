/* SPDX-License-Identifier: MIT */
/* fixtures.h: data more than one kiln-unit suite uses. */
#ifndef KILN_TEST_FIXTURES_H
#define KILN_TEST_FIXTURES_H

#include "estimate.h"

/* The prices seeded by sql/004_prices_limits.sql (t_estimate.c). */
void fixture_default_prices(struct prices *p);

#endif
