/* SPDX-License-Identifier: MIT */
/* t_rmtree.c: a tree as a job can leave it goes whole: 5 000 folders
 * deep (10 000 bytes of path, past PATH_MAX: no walk by path), links to
 * a file and a folder outside (removed, never followed: what they name
 * stays), a FIFO, folders shut with mode 0; a missing name is fine. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"
#include "suites.h"

#define DEPTH 5000

/* Makes DEPTH nested folders "d" below fd, a file at the bottom. */
static void
deep(int fd)
{
	int cur = dup(fd), i;

	for (i = 0; i < DEPTH && cur >= 0; i++) {
		int next =
		    mkdirat(cur, "d", 0755) == 0 ? openat(cur, "d", O_RDONLY | O_DIRECTORY) : -1;

		close(cur);
		cur = next;
	}
	CU_ASSERT_FATAL(cur >= 0 && i == DEPTH);
	close(openat(cur, "bottom", O_WRONLY | O_CREAT, 0644));
	close(cur);
}

static void
test_rmtree_whole(void)
{
	char base[] = "/tmp/kiln-rmtree-XXXXXX", path[256];
	int bfd, tfd;
	struct stat st;

	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	CU_ASSERT_FATAL((bfd = open(base, O_RDONLY | O_DIRECTORY)) >= 0);
	/* outside the tree: a file and a folder with a file in it */
	close(openat(bfd, "outside-file", O_WRONLY | O_CREAT, 0600));
	CU_ASSERT_EQUAL_FATAL(mkdirat(bfd, "outside-dir", 0700), 0);
	snprintf(path, sizeof(path), "%s/outside-dir/keep", base);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	/* the tree */
	CU_ASSERT_EQUAL_FATAL(mkdirat(bfd, "tree", 0755), 0);
	CU_ASSERT_FATAL((tfd = openat(bfd, "tree", O_RDONLY | O_DIRECTORY)) >= 0);
	deep(tfd);
	snprintf(path, sizeof(path), "%s/outside-file", base);
	CU_ASSERT_EQUAL(symlinkat(path, tfd, "to-file"), 0);
	snprintf(path, sizeof(path), "%s/outside-dir", base);
	CU_ASSERT_EQUAL(symlinkat(path, tfd, "to-dir"), 0);
	CU_ASSERT_EQUAL(mkfifoat(tfd, "fifo", 0600), 0);
	CU_ASSERT_EQUAL(mkdirat(tfd, "shut", 0755), 0);
	snprintf(path, sizeof(path), "%s/tree/shut/inside", base);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	snprintf(path, sizeof(path), "%s/tree/shut", base);
	CU_ASSERT_EQUAL(chmod(path, 0), 0);
	close(tfd);

	CU_ASSERT_EQUAL(rmtree_at(bfd, "tree"), 0);
	CU_ASSERT_EQUAL(fstatat(bfd, "tree", &st, AT_SYMLINK_NOFOLLOW), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	/* what the links named is still there */
	CU_ASSERT_EQUAL(fstatat(bfd, "outside-file", &st, 0), 0);
	CU_ASSERT_EQUAL(fstatat(bfd, "outside-dir/keep", &st, 0), 0);
	/* a missing name, and a plain file */
	CU_ASSERT_EQUAL(rmtree_at(bfd, "tree"), 0);
	CU_ASSERT_EQUAL(rmtree_at(bfd, "outside-file"), 0);
	CU_ASSERT_EQUAL(rmtree_at(bfd, "outside-dir"), 0);
	close(bfd);
	CU_ASSERT_EQUAL(rmdir(base), 0);
}

/* A caller that listed the folder to its end through a descriptor of the
 * same open file (as storage_foreign_dirs does before the child empties
 * the folder) leaves nothing for rmtree_empty to miss. */
static void
test_rmtree_after_listing(void)
{
	char base[] = "/tmp/kiln-rmtree-XXXXXX";
	int bfd, seen = 0;
	struct stat st;
	struct dirent *e;
	DIR *d;

	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	CU_ASSERT_FATAL((bfd = open(base, O_RDONLY | O_DIRECTORY)) >= 0);
	close(openat(bfd, "a", O_WRONLY | O_CREAT, 0600));
	CU_ASSERT_EQUAL(mkdirat(bfd, "b", 0700), 0);
	close(openat(bfd, "b/c", O_WRONLY | O_CREAT, 0600));
	CU_ASSERT_FATAL((d = fdopendir(dup(bfd))) != NULL);
	while ((e = readdir(d)) != NULL)
		seen++;
	closedir(d);
	CU_ASSERT_EQUAL(seen, 4);
	CU_ASSERT_EQUAL(rmtree_empty(bfd), 0);
	CU_ASSERT_EQUAL(fstatat(bfd, "a", &st, AT_SYMLINK_NOFOLLOW), -1);
	CU_ASSERT_EQUAL(fstatat(bfd, "b", &st, AT_SYMLINK_NOFOLLOW), -1);
	close(bfd);
	CU_ASSERT_EQUAL(rmdir(base), 0);
}

void
suite_rmtree(void)
{
	CU_pSuite s = CU_add_suite("rmtree", NULL, NULL);

	CU_add_test(s,
		    "a deep tree with links, a FIFO and shut folders goes whole; links "
		    "are not followed",
		    test_rmtree_whole);
	CU_add_test(s, "a folder its caller listed to the end is still emptied",
		    test_rmtree_after_listing);
}
