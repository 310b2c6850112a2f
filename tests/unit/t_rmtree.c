/* SPDX-License-Identifier: MIT */
/* t_rmtree.c: removing job folders. A tree as a job can leave it goes
 * whole: 5 000 folders deep (10 000 bytes of path, past PATH_MAX: no walk
 * by path), links to a file and a folder outside (removed, never
 * followed: what they name stays), a FIFO, folders shut with mode 0; a
 * missing name is fine. A caller that is not root sets aside a folder it
 * may not empty, and root's sweep removes it. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rmtree.h"
#include "storage.h"
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

/* In a child running as nobody: what storage_job_remove(id) or, with
 * sweep, storage_jobs_sweep does there. The child's exit: 0 when it said
 * KILN_OK (and the sweep counted *n == want), else 1. */
static int
as_nobody(const struct kiln_config *cfg, int64_t id, int sweep, int64_t want)
{
	const struct passwd *nobody = getpwnam("nobody");
	int status = 0;
	pid_t pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nobody);
	if ((pid = fork()) == 0) {
		int64_t n = 0;

		if (setgid(nobody->pw_gid) != 0 || setuid(nobody->pw_uid) != 0)
			_exit(2);
		if (sweep)
			_exit(storage_jobs_sweep(cfg, &n) == KILN_OK && n == want ? 0 : 1);
		_exit(storage_job_remove(cfg, id) == KILN_OK ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0 && waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* kiln-api is not root: a job folder that is not its own (the job
 * user's) it may not empty, so it sets it aside as ID.gone; another
 * caller that is not root leaves a .gone alone; root's sweep (kilnctl
 * gc) removes it. */
static void
test_storage_set_aside(void)
{
	struct kiln_config *cfg = calloc(1, sizeof(*cfg));
	const struct passwd *nobody = getpwnam("nobody");
	char base[] = "/tmp/kiln-storage-XXXXXX", path[256];
	struct stat st;
	int64_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nobody);
	if (geteuid() != 0) { /* needs a second user */
		free(cfg);
		return;
	}
	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	CU_ASSERT_EQUAL(chmod(base, 0711), 0);
	snprintf(cfg->storage_root, sizeof(cfg->storage_root), "%s", base);
	snprintf(path, sizeof(path), "%s/jobs", base);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0711), 0);
	CU_ASSERT_EQUAL_FATAL(chown(path, nobody->pw_uid, nobody->pw_gid), 0); /* kiln's */
	snprintf(path, sizeof(path), "%s/jobs/5", base);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0); /* another user's: root's here */
	snprintf(path, sizeof(path), "%s/jobs/5/x", base);
	close(open(path, O_WRONLY | O_CREAT, 0644));

	CU_ASSERT_EQUAL(as_nobody(cfg, 5, 0, 0), 0);
	snprintf(path, sizeof(path), "%s/jobs/5", base);
	CU_ASSERT_EQUAL(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/jobs/5.gone/x", base);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_EQUAL(as_nobody(cfg, 0, 1, 0),
			0); /* not root: nothing removed, nothing renamed */
	snprintf(path, sizeof(path), "%s/jobs/5.gone/x", base);
	CU_ASSERT_EQUAL(lstat(path, &st), 0);
	CU_ASSERT_EQUAL(storage_jobs_sweep(cfg, &n), KILN_OK);
	CU_ASSERT_EQUAL(n, 1);
	snprintf(path, sizeof(path), "%s/jobs/5.gone", base);
	CU_ASSERT_EQUAL(lstat(path, &st), -1);

	snprintf(path, sizeof(path), "%s/jobs", base);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	CU_ASSERT_EQUAL(rmdir(base), 0);
	free(cfg);
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
	CU_add_test(s, "not root: a job folder set aside as ID.gone; root's sweep removes it",
		    test_storage_set_aside);
}
