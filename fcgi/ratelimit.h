/* SPDX-License-Identifier: MIT */
/* ratelimit.h: per-principal request limits and failure throttles shared by
 * all kiln-api workers of one host: fixed-window counters in an anonymous
 * shared mapping that the master sets up before it forks. Not for: limits
 * across hosts, billing or quotas (counters may be evicted: fail-open). */
#ifndef KILN_RATELIMIT_H
#define KILN_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* Slots are grouped in stripes of RATELIMIT_STRIPE_SLOTS, one process-shared
 * robust mutex each; a key lives in one stripe and is looked for in
 * RATELIMIT_PROBE consecutive slots of it. */
#define RATELIMIT_STRIPE_SLOTS 16
#define RATELIMIT_PROBE 8
#define RATELIMIT_MAX_SLOTS (1u << 22)          /* about 300 MiB of counters */
#define RATELIMIT_MAX_WINDOW INT64_C(315360000) /* seconds (ten years) */
#define RATELIMIT_MAX_NOW (INT64_C(1) << 40)    /* seconds; later times are clamped */
#define RATELIMIT_RULES 2                       /* rules a request slot counts */

/* Sets up the table: one anonymous MAP_SHARED mapping holding `slots`
 * counters (rounded up to a multiple of RATELIMIT_STRIPE_SLOTS) and one
 * PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST mutex per stripe. Call it in
 * the master before forking; children inherit the mapping, so every worker
 * and every respawned worker sees the same counters. Also draws the random
 * hash key, so clients cannot aim collisions at somebody else's counter.
 * Returns 0, or -1 with errno set (EINVAL: slots is 0 or above
 * RATELIMIT_MAX_SLOTS; else from mmap, getrandom or pthread); on failure an
 * existing table is kept. Calling it again replaces the table (tests): the
 * old one is unmapped in this process, so call it only with no other
 * thread of this process inside the functions below. */
int ratelimit_init(size_t slots);

/* Unmaps this process's view of the table (tests); afterwards nothing is
 * ever limited. Other processes keep their mappings. Safe without a table. */
void ratelimit_free(void);

struct ratelimit_rule {
	int64_t window; /* seconds, 1 .. RATELIMIT_MAX_WINDOW */
	int64_t limit;  /* requests allowed per window, >= 1 */
};

struct ratelimit_verdict {
	int limited;         /* 1 when this request is over a limit */
	int64_t limit;       /* the limit of the rule reported */
	int64_t remaining;   /* requests left in that rule's current window (>= 0) */
	int64_t reset;       /* seconds until that window ends (>= 1) */
	int64_t retry_after; /* seconds until a request would pass (>= 1) when limited; else 0 */
};

/* Counts one request for key (keylen bytes, borrowed; any bytes, e.g.
 * "u:42") at time now (seconds since the epoch; negative counts as 0)
 * against rules (borrowed) and fills OUT: v.
 * Windows are fixed and aligned to multiples of their length: the window
 * id is now / window. Only the first RATELIMIT_RULES rules are counted
 * (kiln uses per minute and per hour); further rules are ignored, and so
 * are rules outside the ranges in struct ratelimit_rule.
 * A request is limited when any rule's current window already holds limit
 * requests; a limited request is not counted, so a client that keeps
 * retrying is not punished beyond the window. When limited, v reports the
 * blocking rule with the longest wait (retry_after = reset = seconds to its
 * window's end, remaining = 0); otherwise the rule with the fewest
 * remaining requests after this one (ties: the longer wait), retry_after 0.
 * Fail-open, never fail-closed: with no table (init not called) or when
 * the stripe lock fails, the request passes uncounted (remaining = limit);
 * a flood of distinct keys can evict a key's counter (least recently used
 * in its probe), which then starts again from zero.
 * With no valid rule, v is all zeros. Never allocates; holds one stripe
 * lock while it reads and updates the key's slot, so counts are exact
 * across processes and threads; safe in any process that inherited the
 * table. */
void ratelimit_hit(const char *key, size_t keylen, int64_t now, const struct ratelimit_rule *rules,
		   size_t nrules, struct ratelimit_verdict *v);

/* Failure throttle (e.g. failed logins per address). Failure counters live
 * in the same table as request counters but never share a counter with
 * them, even for the same key bytes. window: seconds, 1 ..
 * RATELIMIT_MAX_WINDOW; max >= 1; otherwise nothing is ever blocked and
 * nothing is recorded. They are evicted like request counters (fail-open),
 * so a client sending many distinct keys can push its own counter out:
 * size the table well above the keys live in a window. */

/* 1 when key already has >= max failures in the window holding now, with
 * OUT: *retry_after = seconds until that window ends (>= 1); else 0 with
 * *retry_after = 0. retry_after may be NULL. Does not count anything. */
int ratelimit_failures_blocked(const char *key, size_t keylen, int64_t now, int64_t window,
			       int64_t max, int64_t *retry_after);
/* Records one failure for key in the window holding now. */
void ratelimit_failure_add(const char *key, size_t keylen, int64_t now, int64_t window);
/* Forgets key's failures. When to call it (e.g. after a successful login
 * for a per-account key, never for a per-address key) is the caller's
 * decision. */
void ratelimit_failure_reset(const char *key, size_t keylen);

/* Test hook, not for production code: takes the lock of the stripe holding
 * key's request counter and calls _exit(0) while holding it, so a test can
 * check deterministically that a worker dying inside the lock does not
 * wedge the others. Returns -1 (and does not exit) only when there is no
 * table or the lock cannot be taken. */
int ratelimit_test_lock_stripe_and_exit(const char *key, size_t keylen);

#endif
