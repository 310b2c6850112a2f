/* SPDX-License-Identifier: MIT */
/* ratelimit.c: fixed-window request counters and failure throttles in one
 * anonymous shared mapping, striped under process-shared robust mutexes so
 * all workers of a host count exactly and a worker dying inside a lock
 * wedges nobody. Not for: anything that must survive eviction (fail-open). */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "ratelimit.h"

#define RL_DOMAIN_REQUEST 'R'
#define RL_DOMAIN_FAILURE 'F'

/* One key's counters. Only plain integers, so a worker killed half-way
 * through an update leaves a slot that is merely off by a request. */
struct rl_slot {
	uint64_t hash;                   /* keyed hash of domain and key; 0: free */
	uint64_t touched;                /* stripe clock at the last use (LRU) */
	int64_t expires;                 /* seconds: every stored window has ended */
	int64_t window[RATELIMIT_RULES]; /* seconds; 0: nothing stored */
	int64_t wid[RATELIMIT_RULES];    /* window id: now / window */
	int64_t count[RATELIMIT_RULES];  /* requests (or failures) in that window */
};

/* Aligned to a cache line so neighbouring stripes do not share one. */
struct rl_stripe {
	_Alignas(64) pthread_mutex_t lock; /* PROCESS_SHARED, ROBUST */
	uint64_t clock;                    /* LRU clock, ticks on every use */
	struct rl_slot slot[RATELIMIT_STRIPE_SLOTS];
};

struct rl_table {
	uint64_t k0, k1; /* SipHash key, drawn once by ratelimit_init */
	size_t nstripes;
	struct rl_stripe stripe[];
};

/* Per rule of one call, derived from its arguments. */
struct rl_rule_state {
	int valid;
	int64_t window, limit; /* seconds, requests */
	int64_t wid;           /* now / window */
	int64_t reset;         /* seconds until the window ends, >= 1 */
	int64_t count;         /* stored count in this window, before this call */
	int64_t after;         /* count after this call */
};

/* This process's view of the shared mapping; children inherit it. */
static struct rl_table *rl_table;
static size_t rl_maplen;

#define RL_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void
rl_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = RL_ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = RL_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = RL_ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = RL_ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = RL_ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = RL_ROTL(v[2], 32);
}

/* SipHash-2-4: keyed, so clients cannot pick keys that collide with (and
 * so exhaust) another principal's counter. */
static uint64_t
rl_siphash(uint64_t k0, uint64_t k1, const unsigned char *m, size_t len)
{
	uint64_t v[4] = {k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
			 k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573)};
	uint64_t w, b = (uint64_t)len << 56;
	size_t i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		for (w = 0, j = 0; j < 8; j++)
			w |= (uint64_t)m[i + j] << (8 * j);
		v[3] ^= w;
		rl_sipround(v);
		rl_sipround(v);
		v[0] ^= w;
	}
	for (j = 0; i + j < len; j++)
		b |= (uint64_t)m[i + j] << (8 * j);
	v[3] ^= b;
	rl_sipround(v);
	rl_sipround(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		rl_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The domain selects the hash key, so request and failure counters of the
 * same key bytes are unrelated. Never 0, which marks a free slot. */
static uint64_t
rl_hash(const struct rl_table *t, int domain, const char *key, size_t keylen)
{
	uint64_t k0 = t->k0 ^ ((uint64_t)domain * UINT64_C(0x9e3779b97f4a7c15));
	uint64_t h = rl_siphash(k0, t->k1, (const unsigned char *)key, keylen);

	return h != 0 ? h : 1;
}

static struct rl_stripe *
rl_stripe_of(struct rl_table *t, uint64_t h)
{
	return &t->stripe[(size_t)((h >> 32) % t->nstripes)];
}

/* 0 with the lock held, or -1 (caller fails open). */
static int
rl_lock(struct rl_stripe *st)
{
	int rc = pthread_mutex_lock(&st->lock);

	if (rc == EOWNERDEAD) {
		/* a worker died inside the lock; the slots hold only integers,
		 * so the stripe stays usable (see struct rl_slot) */
		rc = pthread_mutex_consistent(&st->lock);
		if (rc != 0) {
			pthread_mutex_unlock(&st->lock);
			return -1;
		}
	}
	return rc == 0 ? 0 : -1;
}

/* Key h's slot among the RATELIMIT_PROBE slots where it may live, touched
 * for LRU. Missing and create: a free or expired slot, else the least
 * recently used one, is emptied for h (fail-open eviction). Lock held. */
static struct rl_slot *
rl_find(struct rl_stripe *st, uint64_t h, int64_t now, int create)
{
	size_t pos = (size_t)(h % RATELIMIT_STRIPE_SLOTS), j;
	struct rl_slot *s, *spare = NULL, *lru = NULL;

	for (j = 0; j < RATELIMIT_PROBE; j++) {
		s = &st->slot[(pos + j) % RATELIMIT_STRIPE_SLOTS];
		if (s->hash == h) {
			s->touched = ++st->clock;
			return s;
		}
		if (spare == NULL && (s->hash == 0 || s->expires <= now))
			spare = s;
		if (lru == NULL || s->touched < lru->touched)
			lru = s;
	}
	if (!create)
		return NULL;
	s = spare != NULL ? spare : lru;
	memset(s, 0, sizeof(*s));
	s->hash = h;
	s->touched = ++st->clock;
	return s;
}

/* The count stored for rule i in window wid of length window; 0 if none. */
static int64_t
rl_count(const struct rl_slot *s, size_t i, int64_t window, int64_t wid)
{
	if (s == NULL || s->window[i] != window || s->wid[i] != wid)
		return 0;
	return s->count[i];
}

static void
rl_store(struct rl_slot *s, size_t i, int64_t window, int64_t wid, int64_t count)
{
	int64_t end = (wid + 1) * window;

	s->window[i] = window;
	s->wid[i] = wid;
	s->count[i] = count;
	if (end > s->expires)
		s->expires = end;
}

static int64_t
rl_clamp_now(int64_t now)
{
	if (now < 0)
		return 0;
	return now > RATELIMIT_MAX_NOW ? RATELIMIT_MAX_NOW : now;
}

static int
rl_window_ok(int64_t window)
{
	return window >= 1 && window <= RATELIMIT_MAX_WINDOW;
}

/* Fills r[0 .. RATELIMIT_RULES) from rules; returns how many are valid. */
static size_t
rl_prepare(const struct ratelimit_rule *rules, size_t nrules, int64_t now,
	   struct rl_rule_state r[RATELIMIT_RULES])
{
	size_t i, n = 0;

	memset(r, 0, RATELIMIT_RULES * sizeof(r[0]));
	for (i = 0; i < nrules && i < RATELIMIT_RULES; i++) {
		if (!rl_window_ok(rules[i].window) || rules[i].limit < 1)
			continue;
		r[i].valid = 1;
		r[i].window = rules[i].window;
		r[i].limit = rules[i].limit;
		r[i].wid = now / r[i].window;
		r[i].reset = (r[i].wid + 1) * r[i].window - now;
		n++;
	}
	return n;
}

/* Picks the rule to report: when limited, the blocking one with the
 * longest wait; else the fewest remaining, ties to the longer wait. */
static void
rl_verdict(const struct rl_rule_state r[RATELIMIT_RULES], int limited, struct ratelimit_verdict *v)
{
	const struct rl_rule_state *best = NULL;
	size_t i;

	for (i = 0; i < RATELIMIT_RULES; i++) {
		const struct rl_rule_state *c = &r[i];

		if (!c->valid || (limited && c->count < c->limit))
			continue;
		if (best == NULL || (limited && c->reset > best->reset))
			best = c;
		else if (!limited && (c->limit - c->after < best->limit - best->after ||
				      (c->limit - c->after == best->limit - best->after &&
				       c->reset > best->reset)))
			best = c;
	}
	if (best == NULL)
		return;
	v->limited = limited;
	v->limit = best->limit;
	v->remaining = limited ? 0 : best->limit - best->after;
	v->reset = best->reset;
	v->retry_after = limited ? best->reset : 0;
}

void
ratelimit_hit(const char *key, size_t keylen, int64_t now, const struct ratelimit_rule *rules,
	      size_t nrules, struct ratelimit_verdict *v)
{
	struct rl_rule_state r[RATELIMIT_RULES];
	struct rl_table *t = rl_table;
	struct rl_stripe *st = NULL;
	struct rl_slot *s = NULL;
	int limited = 0;
	size_t i;

	memset(v, 0, sizeof(*v));
	now = rl_clamp_now(now);
	if (rl_prepare(rules, nrules, now, r) == 0)
		return;
	if (t != NULL) {
		uint64_t h = rl_hash(t, RL_DOMAIN_REQUEST, key, keylen);

		st = rl_stripe_of(t, h);
		if (rl_lock(st) == 0)
			s = rl_find(st, h, now, 1);
		else
			st = NULL; /* fail open: counts stay 0 */
	}
	for (i = 0; i < RATELIMIT_RULES; i++)
		if (r[i].valid) {
			r[i].count = rl_count(s, i, r[i].window, r[i].wid);
			r[i].after = r[i].count;
			limited |= r[i].count >= r[i].limit;
		}
	if (s != NULL && !limited)
		for (i = 0; i < RATELIMIT_RULES; i++)
			if (r[i].valid) {
				r[i].after = r[i].count + 1; /* count < limit: no overflow */
				rl_store(s, i, r[i].window, r[i].wid, r[i].after);
			}
	if (st != NULL)
		pthread_mutex_unlock(&st->lock);
	rl_verdict(r, limited, v);
}

int
ratelimit_failures_blocked(const char *key, size_t keylen, int64_t now, int64_t window, int64_t max,
			   int64_t *retry_after)
{
	struct rl_table *t = rl_table;
	struct rl_stripe *st;
	int64_t count, wid;
	uint64_t h;

	if (retry_after != NULL)
		*retry_after = 0;
	if (t == NULL || !rl_window_ok(window) || max < 1)
		return 0;
	now = rl_clamp_now(now);
	wid = now / window;
	h = rl_hash(t, RL_DOMAIN_FAILURE, key, keylen);
	st = rl_stripe_of(t, h);
	if (rl_lock(st) != 0)
		return 0;
	count = rl_count(rl_find(st, h, now, 0), 0, window, wid);
	pthread_mutex_unlock(&st->lock);
	if (count < max)
		return 0;
	if (retry_after != NULL)
		*retry_after = (wid + 1) * window - now;
	return 1;
}

void
ratelimit_failure_add(const char *key, size_t keylen, int64_t now, int64_t window)
{
	struct rl_table *t = rl_table;
	struct rl_stripe *st;
	struct rl_slot *s;
	int64_t count, wid;
	uint64_t h;

	if (t == NULL || !rl_window_ok(window))
		return;
	now = rl_clamp_now(now);
	wid = now / window;
	h = rl_hash(t, RL_DOMAIN_FAILURE, key, keylen);
	st = rl_stripe_of(t, h);
	if (rl_lock(st) != 0)
		return;
	s = rl_find(st, h, now, 1);
	count = rl_count(s, 0, window, wid);
	rl_store(s, 0, window, wid, count < INT64_MAX ? count + 1 : count);
	pthread_mutex_unlock(&st->lock);
}

void
ratelimit_failure_reset(const char *key, size_t keylen)
{
	struct rl_table *t = rl_table;
	struct rl_stripe *st;
	struct rl_slot *s;
	uint64_t h;

	if (t == NULL)
		return;
	h = rl_hash(t, RL_DOMAIN_FAILURE, key, keylen);
	st = rl_stripe_of(t, h);
	if (rl_lock(st) != 0)
		return;
	if ((s = rl_find(st, h, 0, 0)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&st->lock);
}

int
ratelimit_test_lock_stripe_and_exit(const char *key, size_t keylen)
{
	struct rl_table *t = rl_table;
	struct rl_stripe *st;

	if (t == NULL)
		return -1;
	st = rl_stripe_of(t, rl_hash(t, RL_DOMAIN_REQUEST, key, keylen));
	if (rl_lock(st) != 0)
		return -1;
	_exit(0);
}

static int
rl_random(void *buf, size_t n)
{
	ssize_t got;

	do
		got = getrandom(buf, n, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -1;
	if ((size_t)got != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Initialises every stripe's mutex; 0 or an errno value. */
static int
rl_init_locks(struct rl_table *t)
{
	pthread_mutexattr_t attr;
	size_t i;
	int rc;

	if ((rc = pthread_mutexattr_init(&attr)) != 0)
		return rc;
	if ((rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0 ||
	    (rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) != 0)
		goto out;
	for (i = 0; i < t->nstripes; i++)
		if ((rc = pthread_mutex_init(&t->stripe[i].lock, &attr)) != 0)
			goto out;
out:
	pthread_mutexattr_destroy(&attr);
	return rc;
}

int
ratelimit_init(size_t slots)
{
	struct rl_table *t;
	size_t nstripes, len;
	uint64_t key[2];
	int rc;

	if (slots == 0 || slots > RATELIMIT_MAX_SLOTS) {
		errno = EINVAL;
		return -1;
	}
	nstripes = (slots + RATELIMIT_STRIPE_SLOTS - 1) / RATELIMIT_STRIPE_SLOTS;
	len = sizeof(*t) + nstripes * sizeof(t->stripe[0]); /* bounded by the cap */
	t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return -1;
	t->nstripes = nstripes;
	if (rl_random(key, sizeof(key)) != 0)
		goto fail;
	t->k0 = key[0];
	t->k1 = key[1];
	if ((rc = rl_init_locks(t)) != 0) {
		errno = rc;
		goto fail;
	}
	ratelimit_free();
	rl_table = t;
	rl_maplen = len;
	return 0;
fail:
	rc = errno;
	munmap(t, len);
	errno = rc;
	return -1;
}

/* The mutexes are not destroyed: other processes may still use them
 * through their own mappings, and the memory goes away with ours. */
void
ratelimit_free(void)
{
	if (rl_table == NULL)
		return;
	munmap(rl_table, rl_maplen);
	rl_table = NULL;
	rl_maplen = 0;
}
