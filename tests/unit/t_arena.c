/* SPDX-License-Identifier: MIT */
/* t_arena.c: lib/arena.c: alignment, chunk growth, copies, and cleanup
 * hooks running in reverse order at reset and at free. */
#include <CUnit/CUnit.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "suites.h"

#define ALIGN_OK(p) (((uintptr_t)(p) % alignof(max_align_t)) == 0)

static void
t_arena_align(void)
{
	struct arena *a = arena_new();
	static const size_t sizes[] = {1, 3, 7, 8, 15, 16, 17, 0, 31, 100, 4095, 1};
	unsigned char *prev = NULL;
	size_t i, prevn = 0;
	int round;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2000; i++) {
			size_t n = sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
			unsigned char *p = arena_alloc(a, n);

			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			CU_ASSERT(ALIGN_OK(p));
			memset(p, 0x5a, n); /* ASan: every byte must be ours */
			/* no overlap with the previous block */
			if (prev != NULL && prevn > 0 && n > 0) {
				CU_ASSERT(p >= prev + prevn || p + n <= prev);
			}
			prev = p;
			prevn = n;
		}
		arena_reset(a);
		prev = NULL;
	}
	arena_free(a);
}

static void
t_arena_large(void)
{
	struct arena *a = arena_new();
	size_t big = 16 * 1024 + 1, huge = 1024 * 1024;
	unsigned char *small1 = arena_alloc(a, 10);
	unsigned char *p = arena_alloc(a, big);
	unsigned char *q = arena_alloc(a, huge);
	unsigned char *small2 = arena_alloc(a, 10);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT(ALIGN_OK(p) && ALIGN_OK(q) && ALIGN_OK(small2));
	memset(small1, 1, 10);
	memset(p, 2, big);
	memset(q, 3, huge);
	memset(small2, 4, 10);
	/* nothing overwrote anything else */
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL_FATAL(small1[i], 1);
		CU_ASSERT_EQUAL_FATAL(small2[i], 4);
	}
	for (i = 0; i < big; i++)
		if (p[i] != 2)
			break;
	CU_ASSERT_EQUAL(i, big);
	for (i = 0; i < huge; i++)
		if (q[i] != 3)
			break;
	CU_ASSERT_EQUAL(i, huge);
	arena_reset(a);
	/* after reset, large allocations still work */
	p = arena_alloc(a, 3 * huge);
	memset(p, 5, 3 * huge);
	CU_ASSERT_EQUAL(p[3 * huge - 1], 5);
	arena_free(a);
}

static void
t_arena_strdup(void)
{
	struct arena *a = arena_new();
	const char *src = "hello, arena";
	char *d = arena_strdup(a, src), *e, *f, *g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d, src);
	CU_ASSERT_PTR_NOT_EQUAL(d, src);
	e = arena_strndup(a, src, 5);
	CU_ASSERT_STRING_EQUAL(e, "hello");
	CU_ASSERT_EQUAL(strlen(e), 5);
	/* strndup copies exactly n bytes; src need not be NUL-terminated */
	f = arena_strndup(a, "abc", 0);
	CU_ASSERT_STRING_EQUAL(f, "");
	g = arena_strdup(a, "");
	CU_ASSERT_STRING_EQUAL(g, "");
	d[0] = 'J';
	CU_ASSERT_STRING_EQUAL(src, "hello, arena");
	CU_ASSERT_STRING_EQUAL(e, "hello");
	arena_free(a);
}

static int order[16];
static size_t norder;

static void
record(void *p)
{
	if (norder < sizeof(order) / sizeof(order[0]))
		order[norder++] = *(int *)p;
}

static void
t_arena_defer_reset(void)
{
	static int vals[] = {1, 2, 3, 4};
	struct arena *a = arena_new();
	size_t i;
	char *s;

	norder = 0;
	for (i = 0; i < 4; i++)
		arena_defer(a, record, &vals[i]);
	CU_ASSERT_EQUAL(norder, 0);
	arena_reset(a);
	CU_ASSERT_EQUAL_FATAL(norder, 4);
	CU_ASSERT_EQUAL(order[0], 4);
	CU_ASSERT_EQUAL(order[1], 3);
	CU_ASSERT_EQUAL(order[2], 2);
	CU_ASSERT_EQUAL(order[3], 1);
	/* a second reset runs nothing again */
	arena_reset(a);
	CU_ASSERT_EQUAL(norder, 4);
	/* still usable, and hooks registered after a reset run at the next */
	s = arena_strdup(a, "again");
	CU_ASSERT_STRING_EQUAL(s, "again");
	norder = 0;
	arena_defer(a, record, &vals[0]);
	(void)arena_alloc(a, 64 * 1024); /* hooks survive a chunk change */
	arena_defer(a, record, &vals[1]);
	arena_reset(a);
	CU_ASSERT_EQUAL_FATAL(norder, 2);
	CU_ASSERT_EQUAL(order[0], 2);
	CU_ASSERT_EQUAL(order[1], 1);
	arena_free(a);
	CU_ASSERT_EQUAL(norder, 2);
}

static void
t_arena_defer_free(void)
{
	static int vals[] = {10, 20, 30};
	struct arena *a = arena_new();

	norder = 0;
	arena_defer(a, record, &vals[0]);
	arena_defer(a, record, &vals[1]);
	arena_defer(a, record, &vals[2]);
	arena_free(a);
	CU_ASSERT_EQUAL_FATAL(norder, 3);
	CU_ASSERT_EQUAL(order[0], 30);
	CU_ASSERT_EQUAL(order[1], 20);
	CU_ASSERT_EQUAL(order[2], 10);
	arena_free(NULL);
}

/* arena_alloc(SIZE_MAX - 20) must abort (STYLE rule 14), never return a
 * block smaller than asked for. Run in a child so the abort is observable. */
static void
t_arena_overflow(void)
{
	pid_t pid = fork();
	int status = 0;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct arena *a = arena_new();

		signal(SIGABRT, SIG_DFL);
		(void)arena_alloc(a, SIZE_MAX - 20);
		_exit(0); /* reaching here is the failure */
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

void
suite_arena(void)
{
	CU_pSuite s = CU_add_suite("arena", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "an impossible size aborts instead of overflowing", t_arena_overflow);
	CU_add_test(s, "allocations aligned and disjoint", t_arena_align);
	CU_add_test(s, "allocations larger than a chunk", t_arena_large);
	CU_add_test(s, "strdup and strndup", t_arena_strdup);
	CU_add_test(s, "defer runs in reverse at reset", t_arena_defer_reset);
	CU_add_test(s, "defer runs in reverse at free; free(NULL)", t_arena_defer_free);
}
