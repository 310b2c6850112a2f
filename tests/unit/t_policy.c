/* SPDX-License-Identifier: MIT */
/* t_policy.c: the claim decision without a database: concurrency (global
 * and per user), credits and the minimum hold, the daily cap counting
 * holds, max_job_cost, exclusive GPUs, CPUs and memory, priority and FIFO
 * within a user, fair share across users, draining, max_start, and the
 * queue position. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "policy.h"
#include "suites.h"

#define CREDIT 1000000LL

static struct pol_user
user(int64_t id)
{
	struct pol_user u = {id, 0, 4, 1000 * CREDIT, 0, 500 * CREDIT, 100 * CREDIT};

	return u;
}

/* A one-GPU job of user uid: 1 credit at most, 1000 micros a second. */
static struct pol_job
job(int64_t id, int64_t uid)
{
	struct pol_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.user_id = uid;
	j.gpus = 1;
	j.cpus = 1;
	j.memory_bytes = 1 << 30;
	j.max_cost = CREDIT;
	j.rate = 1000;
	return j;
}

static struct pol_node
node(int gpus)
{
	struct pol_node n;

	memset(&n, 0, sizeof(n));
	n.ngpus = gpus;
	n.cpus_free = 64;
	n.memory_free = (int64_t)256 << 30;
	n.min_hold_seconds = 60;
	n.max_start = 100;
	return n;
}

static void
t_policy_concurrency(void)
{
	struct pol_user u[2] = {user(1), user(2)};
	struct pol_job j[6];
	struct pol_node n = node(8);
	size_t chosen[6], nc, i;

	u[0].max_concurrent = 2;
	u[0].active = 1;
	for (i = 0; i < 5; i++)
		j[i] = job((int64_t)i + 10, 1);
	j[5] = job(3, 2);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 2, j, 6, &n, chosen, &nc), 0);
	/* user 1 runs one already: one more; user 2's job goes too */
	CU_ASSERT_EQUAL(nc, 2);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_NONE);
	CU_ASSERT_EQUAL(j[5].wait, WAIT_NONE);
	for (i = 1; i < 5; i++)
		CU_ASSERT_EQUAL(j[i].wait, WAIT_USER_CONCURRENCY);
	CU_ASSERT_STRING_EQUAL(policy_reason(j[1].wait), "user_concurrency_limit");
	/* a limit of 0 (an override) stops everything of that user */
	u[1].max_concurrent = 0;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 2, j, 6, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(j[5].wait, WAIT_USER_CONCURRENCY);
	/* a job whose user is missing is an error */
	CU_ASSERT_EQUAL(policy_decide(u, 1, j, 6, &n, chosen, &nc), -1);
}

static void
t_policy_credits(void)
{
	struct pol_user u[1] = {user(1)};
	struct pol_job j[2] = {job(1, 1), job(2, 1)};
	struct pol_node n = node(8);
	size_t chosen[2], nc;

	/* the minimum hold is 60 s x 1000 = 60000 micros; 59999 is not enough */
	u[0].available = 59999;
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 0);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_INSUFFICIENT);
	CU_ASSERT_STRING_EQUAL(policy_reason(j[0].wait), "insufficient_credits");
	/* 100000: the first job holds all of it (capped by the wallet), the
	 * second finds nothing left */
	u[0].available = 100000;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 1);
	CU_ASSERT_EQUAL(j[0].hold, 100000);
	CU_ASSERT_EQUAL(j[1].wait, WAIT_INSUFFICIENT);
	/* plenty: each holds its maximum cost */
	u[0].available = 10 * CREDIT;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 2);
	CU_ASSERT_EQUAL(j[0].hold, CREDIT);
	CU_ASSERT_EQUAL(j[1].hold, CREDIT);
	/* a job cheaper than the minimum hold holds its whole cost */
	j[0].max_cost = 500;
	u[0].available = 500;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 1, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 1);
	CU_ASSERT_EQUAL(j[0].hold, 500);
}

static void
t_policy_daily_cap(void)
{
	struct pol_user u[1] = {user(1)};
	struct pol_job j[2] = {job(1, 1), job(2, 1)};
	struct pol_node n = node(8);
	size_t chosen[2], nc;

	/* cap 500, committed (charges + open holds) 499.95: 50000 left < 60000 */
	u[0].committed = 500 * CREDIT - 50000;
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 0);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_DAILY_COST_CAP);
	CU_ASSERT_STRING_EQUAL(policy_reason(j[0].wait), "daily_cost_cap");
	/* 1.5 credits left: the first holds 1, the second only 0.5 (capped) */
	u[0].committed = 500 * CREDIT - 1500000;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 2);
	CU_ASSERT_EQUAL(j[0].hold, CREDIT);
	CU_ASSERT_EQUAL(j[1].hold, 500000);
	/* the quote above max_job_cost (lowered since submit) waits */
	u[0].committed = 0;
	u[0].max_job_cost = CREDIT / 2;
	n = node(8);
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 2, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_JOB_COST_LIMIT);
}

static void
t_policy_resources(void)
{
	struct pol_user u[1] = {user(1)};
	struct pol_job j[4] = {job(1, 1), job(2, 1), job(3, 1), job(4, 1)};
	struct pol_node n = node(4);
	size_t chosen[4], nc;

	/* GPU 1 is taken: a 2-GPU job gets 0 and 2; a 2-GPU job after it
	 * cannot fit (one left), but a 1-GPU job behind it can */
	n.gpu_busy[1] = 1;
	j[0].gpus = 2;
	j[1].gpus = 2;
	j[2].gpus = 1;
	j[3].gpus = 0;
	j[3].memory_bytes = (int64_t)300 << 30; /* more memory than the node has */
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 4, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_NONE);
	CU_ASSERT_EQUAL(j[0].gpu_ids[0], 0);
	CU_ASSERT_EQUAL(j[0].gpu_ids[1], 2);
	CU_ASSERT_EQUAL(j[1].wait, WAIT_NO_CAPACITY);
	CU_ASSERT_EQUAL(j[2].wait, WAIT_NONE);
	CU_ASSERT_EQUAL(j[2].gpu_ids[0], 3);
	CU_ASSERT_EQUAL(j[3].wait, WAIT_NO_CAPACITY);
	CU_ASSERT_STRING_EQUAL(policy_reason(j[3].wait), "no_capacity");
	CU_ASSERT_EQUAL(n.gpu_busy[0] + n.gpu_busy[1] + n.gpu_busy[2] + n.gpu_busy[3], 4);
	CU_ASSERT_EQUAL(n.cpus_free, 62);
	/* CPUs run out too */
	n = node(0);
	n.cpus_free = 3;
	j[0].gpus = j[1].gpus = j[2].gpus = 0;
	j[0].cpus = j[1].cpus = j[2].cpus = 2;
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 3, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 1);
	CU_ASSERT_EQUAL(j[1].wait, WAIT_NO_CAPACITY);
	/* draining: nothing starts */
	n = node(4);
	n.draining = 1;
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, j, 3, &n, chosen, &nc), 0);
	CU_ASSERT_EQUAL(nc, 0);
	CU_ASSERT_EQUAL(j[0].wait, WAIT_NODE_DRAINING);
}

static void
t_policy_order(void)
{
	struct pol_user u[3] = {user(1), user(2), user(3)};
	struct pol_job j[1003];
	struct pol_node n = node(0);
	size_t chosen[1003], nc, i;

	/* user 1: 1000 CPU jobs submitted first; user 2: one, later; user 3:
	 * two, the later one with a higher priority */
	for (i = 0; i < 1000; i++) {
		j[i] = job((int64_t)i + 1, 1);
		j[i].gpus = 0;
	}
	j[1000] = job(5000, 2);
	j[1001] = job(6000, 3);
	j[1002] = job(6001, 3);
	j[1000].gpus = j[1001].gpus = j[1002].gpus = 0;
	j[1002].priority = 5;
	u[0].max_concurrent = u[1].max_concurrent = u[2].max_concurrent = 10000;
	n.max_start = 3;
	CU_ASSERT_EQUAL_FATAL(policy_decide(u, 3, j, 1003, &n, chosen, &nc), 0);
	/* one slot each: user 3 first (its best job has priority 5) with its
	 * priority job, then user 1 (oldest), then user 2 */
	CU_ASSERT_EQUAL_FATAL(nc, 3);
	CU_ASSERT_EQUAL(j[chosen[0]].id, 6001);
	CU_ASSERT_EQUAL(j[chosen[1]].id, 1);
	CU_ASSERT_EQUAL(j[chosen[2]].id, 5000);
	CU_ASSERT_EQUAL(j[1001].wait, WAIT_QUEUED);
	CU_ASSERT_EQUAL(j[1].wait, WAIT_QUEUED);
	/* positions: round one 1-3, then user 3's other job, then user 1's second */
	CU_ASSERT_EQUAL(j[1002].position, 1);
	CU_ASSERT_EQUAL(j[0].position, 2);
	CU_ASSERT_EQUAL(j[1000].position, 3);
	CU_ASSERT_EQUAL(j[1001].position, 4);
	CU_ASSERT_EQUAL(j[1].position, 5);
	CU_ASSERT_EQUAL(j[2].position, 6); /* only user 1 is left: FIFO */
	CU_ASSERT_EQUAL(j[999].position, 1003);
	/* within a user, FIFO among equals whatever the input order */
	{
		struct pol_job k[3] = {job(30, 1), job(10, 1), job(20, 1)};

		n = node(8);
		CU_ASSERT_EQUAL_FATAL(policy_decide(u, 1, k, 3, &n, chosen, &nc), 0);
		CU_ASSERT_EQUAL(k[chosen[0]].id, 10);
		CU_ASSERT_EQUAL(k[chosen[1]].id, 20);
		CU_ASSERT_EQUAL(k[chosen[2]].id, 30);
	}
}

void
suite_policy(void)
{
	CU_pSuite s = CU_add_suite("policy", NULL, NULL);

	CU_add_test(s, "per-user concurrency, overrides of 0", t_policy_concurrency);
	CU_add_test(s, "credits: minimum hold, hold capped by the wallet", t_policy_credits);
	CU_add_test(s, "daily cap counts holds; max_job_cost", t_policy_daily_cap);
	CU_add_test(s, "exclusive GPUs, CPUs, memory; backfill; draining", t_policy_resources);
	CU_add_test(s, "fair share, priority, FIFO, max_start, positions", t_policy_order);
}
