/* SPDX-License-Identifier: MIT */
/* run_dir.c: kiln-run's job directory (see run.h): its folders and
 * owners, and the data set unpacked into it as the job user. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobspec.h"
#include "log.h"
#include "render_job.h"
#include "run.h"

const struct passwd *run_user;

/* Gives the job's folder to the job user, all but logs/ (run_logs_dir's). */
static int
run_chown(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 1 && flag == FTW_D && strcmp(path + ftw->base, "logs") == 0)
		return FTW_SKIP_SUBTREE;
	if (run_user != NULL && lchown(path, run_user->pw_uid, run_user->pw_gid) != 0)
		return FTW_STOP;
	return FTW_CONTINUE;
}

static int
run_mkdir(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* logs/ (path) as a real folder of the storage root's owner (root), open
 * in OUT: *fd. The job owns the folder around it: an earlier attempt's
 * job may have put a link, a file or a folder of its own there, and all
 * of that goes first, so that nothing kiln-run writes as root follows
 * anything the job made. */
static int
run_logs_dir(const char *path, const struct stat *root, int *fd)
{
	struct stat st;

	*fd = open(path, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0 && (fstat(*fd, &st) != 0 || st.st_uid != root->st_uid)) {
		close(*fd);
		*fd = -1;
		errno = EPERM;
	}
	if (*fd < 0 && errno != ENOENT && storage_remove_tree(path) != 0)
		return -1;
	if (*fd < 0 && (mkdir(path, 0755) != 0 ||
			(*fd = open(path, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0))
		return -1;
	if (geteuid() == 0 && fchown(*fd, root->st_uid, root->st_gid) != 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* Creates jobs/ID/ with input/, outputs/, logs/, .kiln/ and the working
 * directory, all the job user's but logs/, which belongs to the owner of
 * the storage root (kiln's, as kiln-api runs: the job cannot rewrite its
 * logs, and a force-complete can replace them). */
enum kiln_err
run_prepare(const struct kiln_config *cfg, struct job *j)
{
	static const char *const subs[] = {"input", "outputs", ".kiln", NULL};
	char path[RUN_PATH + 1100];
	struct stat root;
	size_t i;

	storage_job_path(cfg, j->id, "", j->dir);
	j->dir[strlen(j->dir) - 1] = '\0'; /* no trailing slash */
	if (storage_prepare(cfg) != KILN_OK || run_mkdir(j->dir) != 0)
		return KILN_ERR_IO;
	for (i = 0; subs[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", j->dir, subs[i]);
		if (run_mkdir(path) != 0)
			return KILN_ERR_IO;
	}
	/* working_dir was normalised at submit: relative, no "..", no "." */
	for (i = 0; j->working_dir[i] != '\0'; i++) {
		if (j->working_dir[i] != '/')
			continue;
		snprintf(path, sizeof(path), "%s/%.*s", j->dir, (int)i, j->working_dir);
		if (run_mkdir(path) != 0)
			return KILN_ERR_IO;
	}
	if (j->working_dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/%s", j->dir, j->working_dir);
		if (run_mkdir(path) != 0)
			return KILN_ERR_IO;
	}
	if (run_user != NULL && nftw(j->dir, run_chown, 16, FTW_PHYS | FTW_ACTIONRETVAL) != 0)
		return KILN_ERR_IO;
	snprintf(path, sizeof(path), "%s/logs", j->dir);
	if (stat(cfg->storage_root, &root) != 0 || run_logs_dir(path, &root, &j->logs_fd) != 0)
		return KILN_ERR_IO;
	render_job_failure_clear(j->dir); /* an earlier attempt's */
	return KILN_OK;
}

/* Closes every descriptor from 3 up but a and b. */
static void
run_close_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

/* In a child, as the job user: unpacks the archive on fd into dir.
 * Returns 0, 3 for a refused archive (why on the pipe), 4 for one
 * compressed file that is no archive (the parent links it), 1 otherwise.
 * Nothing else of kiln-run's stays open in it (the database connection
 * above all: libarchive reads what the user uploaded); the connection is
 * closed at the descriptor, never with mysql_close, which would end the
 * parent's session. */
static int
run_unpack_child(const struct kiln_config *cfg, int fd, const char *dir, int out)
{
	struct unpack_limits lim = {(uint64_t)cfg->max_dataset_bytes,
				    (uint64_t)cfg->max_dataset_entries};
	char why[UNPACK_WHY_MAX];
	uint64_t bytes, entries;
	int single;
	enum kiln_err rc;

	run_close_but(fd, out);
	if (run_user != NULL && (setgroups(0, NULL) != 0 || setgid(run_user->pw_gid) != 0 ||
				 setuid(run_user->pw_uid) != 0))
		return 1;
	rc = unpack_archive(fd, dir, &lim, &bytes, &entries, &single, why);
	if (rc == KILN_ERR_BAD_REQUEST && write(out, why, strlen(why)) < 0)
		return 1;
	if (rc == KILN_OK && single)
		return 4;
	return rc == KILN_OK ? 0 : rc == KILN_ERR_BAD_REQUEST ? 3 : 1;
}

/* The data set file src linked as data/NAME (its own name when that is a
 * plain file name, else "dataset"). */
static enum kiln_err
run_dataset_link(struct job *j, const char *src)
{
	char dst[RUN_PATH + 160];
	const char *name = jobspec_file_name(j->ds_filename) == 0 ? j->ds_filename : "dataset";

	snprintf(j->ds_rel, sizeof(j->ds_rel), "data/%.100s", name);
	snprintf(dst, sizeof(dst), "%s/%s", j->dir, j->ds_rel);
	if ((link(src, dst) != 0 && errno != EEXIST) || chmod(dst, 0644) != 0) {
		log_error("run: job %lld: cannot link its data set: %s", (long long)j->id,
			  strerror(errno));
		return KILN_ERR_IO;
	}
	return KILN_OK;
}

/* The data set under data/: an archive (zip, tar, tar.gz) unpacked there
 * by a child running as the job user (never libarchive as root), any
 * other file, one gzip-compressed file included, linked as data/NAME. OUT: why, non-empty when the data set
 * cannot be used (the job then fails bad_dataset). */
enum kiln_err
run_dataset(const struct kiln_config *cfg, struct job *j, char why[UNPACK_WHY_MAX])
{
	char src[STORAGE_PATH_MAX], dir[RUN_PATH + 32];
	int archive = strcmp(j->ds_format, "zip") == 0 || strcmp(j->ds_format, "tar") == 0 ||
		      strcmp(j->ds_format, "tgz") == 0;
	int p[2], fd, status = 0;
	ssize_t got;
	pid_t pid;

	why[0] = '\0';
	if (j->dataset_id == 0)
		return KILN_OK;
	storage_dataset_path(cfg, j->user_id, j->dataset_id, src);
	snprintf(dir, sizeof(dir), "%s/data", j->dir);
	if (run_mkdir(dir) != 0 ||
	    (run_user != NULL && chown(dir, run_user->pw_uid, run_user->pw_gid)))
		return KILN_ERR_IO;
	if (!archive)
		return run_dataset_link(j, src);
	snprintf(j->ds_rel, sizeof(j->ds_rel), "data");
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0 || pipe2(p, O_CLOEXEC) != 0) {
		if (fd >= 0)
			close(fd);
		return KILN_ERR_IO;
	}
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(run_unpack_child(cfg, fd, dir, p[1]));
	}
	close(p[1]);
	close(fd);
	got = pid > 0 ? read(p[0], why, UNPACK_WHY_MAX - 1) : -1;
	why[got > 0 ? got : 0] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3 && WEXITSTATUS(status) != 4))
		return KILN_ERR_IO;
	if (WEXITSTATUS(status) == 3 && why[0] == '\0')
		snprintf(why, UNPACK_WHY_MAX, "the data set cannot be unpacked");
	if (WEXITSTATUS(status) == 4)
		return run_dataset_link(j, src); /* data.csv.gz: a file, not an archive */
	return KILN_OK;
}
