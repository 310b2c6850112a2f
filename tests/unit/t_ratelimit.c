/* SPDX-License-Identifier: MIT */
/* t_ratelimit.c: fcgi/ratelimit.c: fixed windows at their edges, two rules,
 * uncounted rejections, key and domain separation, the failure throttle,
 * fail-open without a table and under a key flood (LRU eviction), exact
 * counts across processes, and recovery from a worker dying in the lock. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"
#include "suites.h"

#define BIG_LIMIT INT64_C(1000000)
#define CHILD_DEADLINE_S 20 /* generous for ASan; a wedged lock never ends */

static struct ratelimit_verdict
hit(const char *key, int64_t now, const struct ratelimit_rule *rules, size_t nrules)
{
	struct ratelimit_verdict v;

	memset(&v, 0x5a, sizeof(v)); /* every field must be written */
	ratelimit_hit(key, strlen(key), now, rules, nrules, &v);
	return v;
}

static int
blocked(const char *key, int64_t now, int64_t window, int64_t max, int64_t *retry_after)
{
	return ratelimit_failures_blocked(key, strlen(key), now, window, max, retry_after);
}

static void
fail_add(const char *key, int64_t now, int64_t window)
{
	ratelimit_failure_add(key, strlen(key), now, window);
}

static int
fresh_table(size_t slots)
{
	return ratelimit_init(slots);
}

/* Waits for pid, polling against a CLOCK_MONOTONIC deadline so a child
 * stuck on a wedged lock fails the test instead of hanging it. Returns
 * the wait status, or -1 after killing a child that overran. */
static int
wait_deadline(pid_t pid, int seconds)
{
	struct timespec start, now, step = {0, 1000 * 1000};
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= seconds) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&step, NULL);
	}
}

static int
exited_with(int status, int code)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void
t_rl_one_window(void)
{
	static const struct ratelimit_rule r[] = {{60, 3}};
	struct ratelimit_verdict v;
	int64_t i;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	/* 6000 is a multiple of 60: the window is [6000, 6060) */
	for (i = 1; i <= 3; i++) {
		v = hit("u:42", 6010, r, 1);
		CU_ASSERT_EQUAL(v.limited, 0);
		CU_ASSERT(v.limit == 3);
		CU_ASSERT(v.remaining == 3 - i);
		CU_ASSERT(v.reset == 50);
		CU_ASSERT(v.retry_after == 0);
	}
	v = hit("u:42", 6010, r, 1);
	CU_ASSERT_EQUAL(v.limited, 1);
	CU_ASSERT(v.limit == 3);
	CU_ASSERT(v.remaining == 0);
	CU_ASSERT(v.reset == 50);
	CU_ASSERT(v.retry_after == 50);
	/* last second of the window: still limited, one second to wait */
	v = hit("u:42", 6059, r, 1);
	CU_ASSERT_EQUAL(v.limited, 1);
	CU_ASSERT(v.retry_after == 1);
	CU_ASSERT(v.reset == 1);
	/* the next window starts empty */
	v = hit("u:42", 6060, r, 1);
	CU_ASSERT_EQUAL(v.limited, 0);
	CU_ASSERT(v.remaining == 2);
	CU_ASSERT(v.reset == 60);
	CU_ASSERT(v.retry_after == 0);
}

static void
t_rl_two_rules(void)
{
	static const struct ratelimit_rule r[] = {{10, 3}, {100, 5}};
	struct ratelimit_verdict v;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	/* 3 of 10 s is tighter than 5 of 100 s: reported first */
	v = hit("u:1", 1000, r, 2);
	CU_ASSERT(!v.limited && v.limit == 3 && v.remaining == 2 && v.reset == 10);
	(void)hit("u:1", 1001, r, 2);
	v = hit("u:1", 1002, r, 2);
	CU_ASSERT(!v.limited && v.limit == 3 && v.remaining == 0 && v.reset == 8);
	v = hit("u:1", 1003, r, 2);
	CU_ASSERT(v.limited && v.limit == 3 && v.remaining == 0 && v.retry_after == 7);
	/* next 10 s window: the 100 s rule (3 used) now has fewer left */
	v = hit("u:1", 1010, r, 2);
	CU_ASSERT(!v.limited && v.limit == 5 && v.remaining == 1 && v.reset == 90);
	v = hit("u:1", 1011, r, 2);
	CU_ASSERT(!v.limited && v.limit == 5 && v.remaining == 0 && v.reset == 89);
	/* the long rule blocks although the short one has room */
	v = hit("u:1", 1012, r, 2);
	CU_ASSERT(v.limited && v.limit == 5 && v.remaining == 0 && v.retry_after == 88);
	v = hit("u:1", 1020, r, 2);
	CU_ASSERT(v.limited && v.limit == 5 && v.retry_after == 80 && v.reset == 80);
	v = hit("u:1", 1100, r, 2);
	CU_ASSERT(!v.limited && v.limit == 3 && v.remaining == 2 && v.reset == 10);
}

static void
t_rl_longest_wait(void)
{
	static const struct ratelimit_rule r[] = {{10, 2}, {100, 2}};
	struct ratelimit_verdict v;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	/* equal remaining: the rule with the longer wait is reported */
	v = hit("k", 500, r, 2);
	CU_ASSERT(!v.limited && v.remaining == 1 && v.reset == 100);
	(void)hit("k", 500, r, 2);
	/* both block: the one that blocks longest decides retry_after */
	v = hit("k", 503, r, 2);
	CU_ASSERT(v.limited && v.limit == 2 && v.retry_after == 97 && v.reset == 97);
	v = hit("k", 510, r, 2);
	CU_ASSERT(v.limited && v.retry_after == 90);
}

static void
t_rl_limited_not_counted(void)
{
	static const struct ratelimit_rule r[] = {{10, 2}, {1000, 5}};
	struct ratelimit_verdict v;
	int i, limited = 0;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	(void)hit("u:9", 100000, r, 2);
	(void)hit("u:9", 100000, r, 2);
	for (i = 0; i < 50; i++)
		limited += hit("u:9", 100001, r, 2).limited;
	CU_ASSERT_EQUAL(limited, 50);
	/* had the 50 rejections counted, the 1000 s rule would block now */
	v = hit("u:9", 100010, r, 2);
	CU_ASSERT(!v.limited && v.limit == 2 && v.remaining == 1);
	v = hit("u:9", 100010, r, 2);
	CU_ASSERT(!v.limited && v.limit == 2 && v.remaining == 0);
	v = hit("u:9", 100020, r, 2);
	CU_ASSERT(!v.limited && v.limit == 5 && v.remaining == 0);
	v = hit("u:9", 100020, r, 2);
	CU_ASSERT(v.limited && v.limit == 5 && v.retry_after == 980);
}

static void
t_rl_keys_independent(void)
{
	static const struct ratelimit_rule r[] = {{60, 1}};
	struct ratelimit_verdict v;
	int64_t ra = -1;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	CU_ASSERT_EQUAL(hit("u:1", 60, r, 1).limited, 0);
	CU_ASSERT_EQUAL(hit("u:1", 60, r, 1).limited, 1);
	CU_ASSERT_EQUAL(hit("u:10", 60, r, 1).limited, 0);
	CU_ASSERT_EQUAL(hit("u:2", 60, r, 1).limited, 0);
	CU_ASSERT_EQUAL(hit("", 60, r, 1).limited, 0);
	CU_ASSERT_EQUAL(hit("", 60, r, 1).limited, 1);
	/* keys are keylen bytes, NULs included */
	ratelimit_hit("a\0b", 3, 60, r, 1, &v);
	CU_ASSERT_EQUAL(v.limited, 0);
	ratelimit_hit("a\0c", 3, 60, r, 1, &v);
	CU_ASSERT_EQUAL(v.limited, 0);
	ratelimit_hit("a\0b", 3, 60, r, 1, &v);
	CU_ASSERT_EQUAL(v.limited, 1);
	ratelimit_hit("u:12", 3, 60, r, 1, &v); /* the bytes "u:1" */
	CU_ASSERT_EQUAL(v.limited, 1);
	/* request and failure counters of the same bytes never meet */
	fail_add("ip:7", 60, 60);
	fail_add("ip:7", 60, 60);
	CU_ASSERT_EQUAL(hit("ip:7", 60, r, 1).limited, 0);
	CU_ASSERT_EQUAL(blocked("ip:7", 60, 60, 2, &ra), 1);
	CU_ASSERT_EQUAL(blocked("u:1", 60, 60, 1, &ra), 0);
	CU_ASSERT(ra == 0);
}

static void
t_rl_failures(void)
{
	int64_t ra = -1;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	/* window of 300 s: [3000, 3300) */
	CU_ASSERT_EQUAL(blocked("ip:1", 3007, 300, 3, &ra), 0);
	CU_ASSERT(ra == 0);
	fail_add("ip:1", 3007, 300);
	fail_add("ip:1", 3008, 300);
	CU_ASSERT_EQUAL(blocked("ip:1", 3008, 300, 3, &ra), 0);
	/* asking does not count */
	CU_ASSERT_EQUAL(blocked("ip:1", 3008, 300, 3, &ra), 0);
	fail_add("ip:1", 3009, 300);
	ra = -1;
	CU_ASSERT_EQUAL(blocked("ip:1", 3010, 300, 3, &ra), 1);
	CU_ASSERT(ra == 290);
	CU_ASSERT_EQUAL(blocked("ip:1", 3299, 300, 3, NULL), 1);
	CU_ASSERT_EQUAL(blocked("ip:1", 3010, 300, 4, &ra), 0);
	CU_ASSERT_EQUAL(blocked("ip:2", 3010, 300, 3, &ra), 0);
	/* reset forgets, and counting starts again from zero */
	ratelimit_failure_reset("ip:1", 4);
	CU_ASSERT_EQUAL(blocked("ip:1", 3010, 300, 1, &ra), 0);
	CU_ASSERT(ra == 0);
	fail_add("ip:1", 3010, 300);
	fail_add("ip:1", 3010, 300);
	CU_ASSERT_EQUAL(blocked("ip:1", 3010, 300, 3, &ra), 0);
	fail_add("ip:1", 3010, 300);
	CU_ASSERT_EQUAL(blocked("ip:1", 3010, 300, 3, &ra), 1);
	/* a new window clears it */
	CU_ASSERT_EQUAL(blocked("ip:1", 3300, 300, 3, &ra), 0);
	fail_add("ip:1", 3300, 300);
	CU_ASSERT_EQUAL(blocked("ip:1", 3300, 300, 2, &ra), 0);
	CU_ASSERT_EQUAL(blocked("ip:1", 3300, 300, 1, &ra), 1);
	CU_ASSERT(ra == 300);
	/* resetting an unknown key is harmless */
	ratelimit_failure_reset("nobody", 6);
	/* bad arguments never block */
	CU_ASSERT_EQUAL(blocked("ip:1", 3300, 0, 1, &ra), 0);
	CU_ASSERT_EQUAL(blocked("ip:1", 3300, 300, 0, &ra), 0);
}

static void
t_rl_arguments(void)
{
	static const struct ratelimit_rule three[] = {{60, 5}, {3600, 10}, {60, 1}};
	static const struct ratelimit_rule bad[] = {{0, 5}, {60, 2}};
	static const struct ratelimit_rule neg[] = {{60, 1}};
	struct ratelimit_verdict v;
	int i, limited = 0;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	/* no rule: nothing reported, nothing limited */
	v = hit("a", 100, three, 0);
	CU_ASSERT(v.limited == 0 && v.limit == 0 && v.remaining == 0 && v.reset == 0 &&
		  v.retry_after == 0);
	/* a third rule is ignored: 1 per minute never applies */
	for (i = 0; i < 5; i++)
		limited += hit("b", 120, three, 3).limited;
	CU_ASSERT_EQUAL(limited, 0);
	CU_ASSERT_EQUAL(hit("b", 120, three, 3).limited, 1);
	/* an invalid rule is skipped, the valid one still applies */
	v = hit("c", 120, bad, 2);
	CU_ASSERT(!v.limited && v.limit == 2 && v.remaining == 1);
	(void)hit("c", 120, bad, 2);
	CU_ASSERT_EQUAL(hit("c", 120, bad, 2).limited, 1);
	/* times before the epoch count as 0 */
	v = hit("d", -5, neg, 1);
	CU_ASSERT(!v.limited && v.reset == 60);
	v = hit("d", -1000, neg, 1);
	CU_ASSERT(v.limited && v.retry_after == 60);
}

static void
t_rl_init(void)
{
	static const struct ratelimit_rule r[] = {{60, 1}};

	CU_ASSERT_FATAL(fresh_table(1) == 0);
	CU_ASSERT_EQUAL(hit("x", 60, r, 1).limited, 0);
	/* a failed init keeps the table */
	errno = 0;
	CU_ASSERT_EQUAL(ratelimit_init(0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_EQUAL(ratelimit_init((size_t)RATELIMIT_MAX_SLOTS + 1), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(hit("x", 60, r, 1).limited, 1);
	/* init again replaces it with an empty one */
	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	CU_ASSERT_EQUAL(hit("x", 60, r, 1).limited, 0);
}

static void
t_rl_no_table(void)
{
	static const struct ratelimit_rule r[] = {{60, 1}};
	struct ratelimit_verdict v;
	int64_t ra = -1;
	pid_t pid;
	int i, limited = 0, bad = 0;

	ratelimit_free();
	ratelimit_free(); /* twice is harmless */
	for (i = 0; i < 100; i++) {
		v = hit("u:1", 600, r, 1);
		limited += v.limited;
		bad += v.limit != 1 || v.remaining != 1 || v.reset != 60 || v.retry_after != 0;
	}
	CU_ASSERT_EQUAL(limited, 0);
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < 10; i++)
		fail_add("ip:1", 600, 60);
	CU_ASSERT_EQUAL(blocked("ip:1", 600, 60, 1, &ra), 0);
	CU_ASSERT(ra == 0);
	ratelimit_failure_reset("ip:1", 4);
	/* in a child: the hook exits when it does take a lock */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(ratelimit_test_lock_stripe_and_exit("u:1", 3) == -1 ? 3 : 4);
	CU_ASSERT(exited_with(wait_deadline(pid, CHILD_DEADLINE_S), 3));
}

/* 64 slots, 10,000 keys: no crash, evicted keys start over (fail-open),
 * and a key used every few requests is never the least recently used. */
static void
t_rl_flood(void)
{
	static const struct ratelimit_rule r[] = {{3600, BIG_LIMIT}};
	struct ratelimit_verdict v;
	int64_t hot = 0;
	int i, wrong = 0, hot_wrong = 0;
	char key[32];

	CU_ASSERT_FATAL(fresh_table(64) == 0);
	(void)hit("cold", 7200, r, 1);
	for (i = 0; i < 10000; i++) {
		if (i % 4 == 0) {
			v = hit("hot", 7200, r, 1);
			hot++;
			hot_wrong += v.limited || v.remaining != BIG_LIMIT - hot;
		}
		snprintf(key, sizeof(key), "k:%d", i);
		v = hit(key, 7200, r, 1);
		wrong += v.limited || v.remaining != BIG_LIMIT - 1;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(hot_wrong, 0);
	CU_ASSERT(hit("hot", 7200, r, 1).remaining == BIG_LIMIT - hot - 1);
	/* cold was the least recently used slot of its stripe: evicted */
	CU_ASSERT(hit("cold", 7200, r, 1).remaining == BIG_LIMIT - 1);
}

/* One stripe (16 slots, probes of 8): "keep" is the least recently used
 * key, but 7 slots beside it hold expired windows. While at most 7 other
 * keys are live, every probe meets a free or expired slot, so 7 new keys
 * must never evict "keep". Deterministic for correct code; an eviction that
 * ignored expiry would hit "keep" in most rounds (new hash key each). */
static void
t_rl_expired_reuse(void)
{
	static const struct ratelimit_rule shortr[] = {{10, BIG_LIMIT}};
	static const struct ratelimit_rule longr[] = {{3600, BIG_LIMIT}};
	int round, i, lost = 0, bad = 0;
	char key[32];

	for (round = 0; round < 32; round++) {
		CU_ASSERT_FATAL(fresh_table(RATELIMIT_STRIPE_SLOTS) == 0);
		(void)hit("keep", 0, longr, 1);
		for (i = 0; i < 7; i++) {
			snprintf(key, sizeof(key), "a:%d", i);
			(void)hit(key, 0, shortr, 1);
		}
		for (i = 0; i < 7; i++) { /* now "keep" is the LRU */
			snprintf(key, sizeof(key), "a:%d", i);
			bad += hit(key, 0, shortr, 1).remaining != BIG_LIMIT - 2;
		}
		for (i = 0; i < 7; i++) {
			snprintf(key, sizeof(key), "b:%d", i);
			(void)hit(key, 20, longr, 1);
		}
		lost += hit("keep", 20, longr, 1).remaining != BIG_LIMIT - 2;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(lost, 0);
}

/* 4 processes × 2,500 hits on one key, then one more here: exact. */
static void
t_rl_processes(void)
{
	static const struct ratelimit_rule r[] = {{60, BIG_LIMIT}};
	pid_t pids[4];
	size_t n, i;
	int ok = 0;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	for (n = 0; n < 4; n++) {
		pids[n] = fork();
		if (pids[n] < 0)
			break;
		if (pids[n] == 0) {
			int j;

			for (j = 0; j < 2500; j++)
				if (hit("u:shared", 120, r, 1).limited)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		ok += exited_with(wait_deadline(pids[i], CHILD_DEADLINE_S), 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_EQUAL(ok, 4);
	CU_ASSERT(hit("u:shared", 120, r, 1).remaining == BIG_LIMIT - 10001);
}

/* Deterministic: the child holds the key's stripe lock when it exits (the
 * test hook), so the next locker must get EOWNERDEAD and recover. Without
 * a robust mutex the second child blocks forever and overruns its
 * deadline; without pthread_mutex_consistent the stripe becomes
 * unrecoverable and its hits go uncounted, failing the count checks. */
static void
t_rl_dead_owner(void)
{
	static const struct ratelimit_rule r[] = {{60, BIG_LIMIT}};
	pid_t pid;

	CU_ASSERT_FATAL(fresh_table(1024) == 0);
	(void)hit("u:7", 60, r, 1);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(ratelimit_test_lock_stripe_and_exit("u:7", 3) == -1 ? 2 : 3);
	CU_ASSERT_FATAL(exited_with(wait_deadline(pid, CHILD_DEADLINE_S), 0));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int j;

		for (j = 1; j <= 1000; j++)
			if (hit("u:7", 60, r, 1).remaining != BIG_LIMIT - 1 - j)
				_exit(1);
		_exit(0);
	}
	CU_ASSERT_FATAL(exited_with(wait_deadline(pid, CHILD_DEADLINE_S), 0));
	CU_ASSERT(hit("u:7", 60, r, 1).remaining == BIG_LIMIT - 1002);
}

static int
rl_suite_clean(void)
{
	ratelimit_free();
	return 0;
}

void
suite_ratelimit(void)
{
	CU_pSuite s = CU_add_suite("ratelimit", NULL, rl_suite_clean);

	if (s == NULL)
		return;
	CU_add_test(s, "N pass, N+1 limited until the window ends", t_rl_one_window);
	CU_add_test(s, "two rules: tighter reported, long one blocks", t_rl_two_rules);
	CU_add_test(s, "ties and double blocks report the longest wait", t_rl_longest_wait);
	CU_add_test(s, "limited requests are not counted", t_rl_limited_not_counted);
	CU_add_test(s, "keys and domains are independent", t_rl_keys_independent);
	CU_add_test(s, "failure throttle: block, reset, new window", t_rl_failures);
	CU_add_test(s, "rules: none, a third, invalid; negative now", t_rl_arguments);
	CU_add_test(s, "init: bad sizes keep the table, again replaces", t_rl_init);
	CU_add_test(s, "no table: never limited", t_rl_no_table);
	CU_add_test(s, "key flood in 64 slots: LRU keeps the hot key", t_rl_flood);
	CU_add_test(s, "expired slots are reused before live ones", t_rl_expired_reuse);
	CU_add_test(s, "exact counts across 4 processes", t_rl_processes);
	CU_add_test(s, "a worker dying in the lock wedges nobody", t_rl_dead_owner);
}
