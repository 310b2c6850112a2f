/* SPDX-License-Identifier: MIT */
/* limits.h: the limits and prices in force, read from the database: global
 * limits (settings table, else kiln.conf [limits]), per-user overrides,
 * today's spend and reservations, and the price list. Shared by the API
 * (admin routes, quotes, the wallet) and the scheduler (claims, holds). */
#ifndef KILN_LIMITS_H
#define KILN_LIMITS_H

#include <stdint.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "estimate.h"

struct limits {
	int64_t max_concurrent_jobs;
	int64_t daily_cost_cap; /* micro-credits per UTC day */
	int64_t max_job_cost;   /* micro-credits */
};

/* A user's effective limits and where they stand today. */
struct user_limits {
	struct limits eff;         /* override where set, else global */
	int has_max_jobs, has_cap; /* the user has an override */
	int64_t balance, reserved;
	int64_t spent_today; /* charges since 00:00 UTC */
	int64_t committed;   /* spent_today + reserved: what counts against the cap */
};

/* The global limits in OUT: out. */
enum kiln_err limits_global(struct db *db, const struct kiln_config *cfg, struct limits *out);

/* Stores the global limits whose set[i] is non-zero (i: 0 max_concurrent_jobs,
 * 1 daily_cost_cap, 2 max_job_cost). */
enum kiln_err limits_set_global(struct db *db, const struct limits *l, const int set[3]);

/* user_id's limits and standing into OUT: out; KILN_ERR_NOT_FOUND. */
enum kiln_err limits_user(struct db *db, const struct kiln_config *cfg, int64_t user_id,
			  struct user_limits *out);

/* The price list into OUT: p (prices missing from the table are 0). */
enum kiln_err prices_load(struct db *db, struct prices *p);

#endif
