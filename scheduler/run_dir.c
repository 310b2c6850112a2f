/* SPDX-License-Identifier: MIT */
/* run_dir.c: kiln-run's job directory (see run.h): its folders and
 * owners, and the data set unpacked into it as the job user. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "jobspec.h"
#include "log.h"
#include "render_job.h"
#include "run.h"

const struct passwd *run_user;

/* The job folder's owner: the job's inputs arrive as kiln's (kiln-api
 * wrote them) and become the job user's when its folder is first handed
 * over, which is the last thing run_prepare does. From then on the job
 * may have shaped every entry in the folder (links to anywhere above
 * all, and it may still be running when a requeued attempt is prepared),
 * so kiln-run, as root, never follows a path into it: it works on
 * descriptors opened with O_NOFOLLOW one level at a time, changes only
 * what it made itself, and sets aside what the job made instead of
 * walking it. */

/* The group of the storage root (kiln's): the job's folders are the job
 * user's, in this group, setgid (02750), so that what the job makes in
 * them is in it too. kiln-api (logs, inputs) and nginx (downloads; a
 * member of kiln's group) read there; other users do not even pass. */
static gid_t run_share_gid;

/* Gives the folder or file open at fd (O_RDONLY) to the job user, in
 * kiln's group; a folder also gets 02750. */
static int
run_give(int fd)
{
	struct stat st;

	if (run_user == NULL)
		return 0;
	if (fstat(fd, &st) != 0)
		return -1;
	if ((st.st_uid != run_user->pw_uid || st.st_gid != run_share_gid) &&
	    fchown(fd, run_user->pw_uid, run_share_gid) != 0)
		return -1;
	return S_ISDIR(st.st_mode) && (st.st_mode & 07777) != 02750 ? fchmod(fd, 02750) : 0;
}

/* The folder name in dfd, opened (O_NOFOLLOW) and made first when
 * missing; a link or a file the job put in its place is removed (the
 * link itself, never what it names). Returns its descriptor or -1. */
static int
run_subdir(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 || (errno != ENOENT && errno != ELOOP && errno != ENOTDIR))
		return fd;
	if (errno != ENOENT && unlinkat(dfd, name, 0) != 0)
		return -1;
	if (mkdirat(dfd, name, 0755) != 0 && errno != EEXIST)
		return -1;
	return openat(dfd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* run_subdir, then given to the job user; closed unless out is given. */
static int
run_subdir_give(int dfd, const char *name, int *out)
{
	int fd = run_subdir(dfd, name);

	if (fd < 0 || run_give(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (out != NULL)
		*out = fd;
	else
		close(fd);
	return 0;
}

/* The files kiln-api put in input/ (ifd), given to the job user: only
 * plain files, not through links (the job has not run yet). A file with
 * other names (a batch's common input is one file in each of its jobs'
 * folders) stays kiln's and becomes 0644 (the folders around it let only
 * the job user and kiln's group through), so that no job can change the
 * copy its siblings read. */
static int
run_give_inputs(int ifd)
{
	DIR *d = io_list_dir(ifd);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		int fd;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((fd = openat(ifd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) <
		    0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			rc = st.st_nlink > 1 ? fchmod(fd, 0644) : run_give(fd);
		close(fd);
	}
	closedir(d);
	return rc;
}

/* working_dir (normalised at submit: relative, no "..", no ".", not in
 * logs/) made folder by folder below dfd, each the job user's. A job
 * queued before submit refused logs/ is refused here: this runs before
 * run_logs_dir, and would give kiln's logs/ to the job user. */
static int
run_workdir(int dfd, const char *working_dir)
{
	char name[256];
	const char *s = working_dir;
	int cur = dfd, next = -1;

	if (strncmp(s, "logs", 4) == 0 && (s[4] == '\0' || s[4] == '/'))
		return -1;
	while (*s != '\0') {
		size_t n = strcspn(s, "/");

		if (n == 0 || n >= sizeof(name))
			break;
		memcpy(name, s, n);
		name[n] = '\0';
		next = -1;
		if (run_subdir_give(cur, name, &next) != 0)
			break;
		if (cur != dfd)
			close(cur);
		cur = next;
		s += n + (s[n] == '/');
	}
	if (cur != dfd)
		close(cur);
	return *s == '\0' ? 0 : -1;
}

/* Whether st (of a folder in the job's folder) is kiln's: the storage
 * root's owner's, or this process's (made as root and not yet given to
 * kiln). The job user can make neither. */
static int
run_kiln_made(const struct stat *st, const struct stat *root)
{
	return st->st_uid == root->st_uid || st->st_uid == geteuid();
}

/* logs/ in dfd as a real folder of the storage root's owner (kiln), open
 * in OUT: *fd. Whatever an earlier attempt's job put there (a link, a
 * file, a folder of its own) is set aside under another name first, so
 * that nothing kiln-run writes as root follows anything the job made. */
static int
run_logs_dir(int dfd, const struct stat *root, int *fd)
{
	struct stat st;

	*fd = openat(dfd, "logs", O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0 && (fstat(*fd, &st) != 0 || !run_kiln_made(&st, root))) {
		close(*fd);
		*fd = -1;
		errno = EPERM;
	}
	if (*fd < 0 && errno != ENOENT) {
		char aside[64];

		int k = 0, r;

		do { /* a name the job has not taken */
			snprintf(aside, sizeof(aside), "logs.job-made.%ld.%d", (long)getpid(), k);
			r = renameat2(dfd, "logs", dfd, aside, RENAME_NOREPLACE);
		} while (r != 0 && errno == EEXIST && ++k < 100);
		if (r != 0)
			return -1;
	}
	if (*fd < 0 && ((mkdirat(dfd, "logs", 0755) != 0 && errno != EEXIST) ||
			(*fd = openat(dfd, "logs", O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0))
		return -1;
	if (fstat(*fd, &st) != 0 || !run_kiln_made(&st, root) ||
	    ((st.st_uid != root->st_uid || st.st_gid != root->st_gid) &&
	     fchown(*fd, root->st_uid, root->st_gid) != 0)) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* Creates jobs/ID/ with input/, outputs/, logs/, .kiln/ and the working
 * directory, all the job user's but logs/, which belongs to the owner of
 * the storage root (kiln's, as kiln-api runs: the job cannot rewrite its
 * logs, and a force-complete can replace them). jobs/ itself is not the
 * job's, so jobs/ID is what it is named. */
enum kiln_err
run_prepare(const struct kiln_config *cfg, struct job *j)
{
	static const char *const subs[] = {"outputs", ".kiln", NULL};
	struct stat root, st;
	int dfd = -1, ifd = -1, ok;
	size_t i;

	storage_job_path(cfg, j->id, "", j->dir);
	j->dir[strlen(j->dir) - 1] = '\0'; /* no trailing slash */
	if (storage_prepare(cfg) != KILN_OK || stat(cfg->storage_root, &root) != 0 ||
	    (mkdir(j->dir, 0755) != 0 && errno != EEXIST) ||
	    (dfd = open(j->dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(dfd, &st) != 0) {
		if (dfd >= 0)
			close(dfd);
		return KILN_ERR_IO;
	}
	run_share_gid = root.st_gid;
	/* handed over before: an earlier attempt's job may have run in it */
	j->dir_again = run_user != NULL && st.st_uid == run_user->pw_uid;
	ok = run_subdir_give(dfd, "input", &ifd) == 0;
	if (ok && !j->dir_again)
		ok = run_give_inputs(ifd) == 0;
	if (ifd >= 0)
		close(ifd);
	for (i = 0; ok && subs[i] != NULL; i++)
		ok = run_subdir_give(dfd, subs[i], NULL) == 0;
	ok = ok && run_workdir(dfd, j->working_dir) == 0 &&
	     run_logs_dir(dfd, &root, &j->logs_fd) == 0 && run_give(dfd) == 0;
	close(dfd);
	if (!ok)
		return KILN_ERR_IO;
	render_job_failure_clear(j->dir); /* an earlier attempt's */
	return KILN_OK;
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

	io_close_but(fd, out);
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

/* Removes dir (data/, the job's own from an earlier attempt: it may hold
 * links to anywhere, which a walk as root would follow) as the job user. */
static int
run_clear_as_job(const char *dir)
{
	return run_user != NULL ? storage_remove_tree_as(dir, run_user->pw_uid, run_user->pw_gid)
				: storage_remove_tree(dir);
}

/* The data set file src linked into data/ (datafd) as NAME (its own name
 * when that is a plain file name, else "dataset"), readable by the job:
 * the stored file's mode changes, in kiln's storage (not through a link),
 * never through the name in the job's folder. */
static enum kiln_err
run_dataset_link(struct job *j, const char *src, int datafd)
{
	const char *name = jobspec_file_name(j->ds_filename) == 0 ? j->ds_filename : "dataset";
	int sfd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ok;

	snprintf(j->ds_rel, sizeof(j->ds_rel), "data/%.100s", name);
	ok = sfd >= 0 && fchmod(sfd, 0644) == 0 &&
	     (linkat(AT_FDCWD, src, datafd, name, 0) == 0 || errno == EEXIST);
	if (sfd >= 0)
		close(sfd);
	if (!ok) {
		log_error("run: job %lld: cannot link its data set: %s", (long long)j->id,
			  strerror(errno));
		return KILN_ERR_IO;
	}
	return KILN_OK;
}

/* The data set under data/: an archive (zip, tar, tar.gz) unpacked there
 * by a child running as the job user (never libarchive as root), any
 * other file, one gzip-compressed file included, linked as data/NAME. An
 * earlier attempt's data/ goes first. OUT: why, non-empty when the data
 * set cannot be used (the job then fails bad_dataset). */
enum kiln_err
run_dataset(const struct kiln_config *cfg, struct job *j, char why[UNPACK_WHY_MAX])
{
	char src[STORAGE_PATH_MAX], dir[RUN_PATH + 32];
	int archive = strcmp(j->ds_format, "zip") == 0 || strcmp(j->ds_format, "tar") == 0 ||
		      strcmp(j->ds_format, "tgz") == 0;
	int p[2], fd, dfd, datafd = -1, status = 0;
	enum kiln_err rc = KILN_OK;
	ssize_t got;
	pid_t pid;

	why[0] = '\0';
	if (j->dataset_id == 0)
		return KILN_OK;
	storage_dataset_path(cfg, j->user_id, j->dataset_id, src);
	snprintf(dir, sizeof(dir), "%s/data", j->dir);
	if ((j->dir_again || run_user == NULL) && run_clear_as_job(dir) != 0)
		return KILN_ERR_IO;
	if ((dfd = open(j->dir, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return KILN_ERR_IO;
	if (run_subdir_give(dfd, "data", &datafd) != 0)
		rc = KILN_ERR_IO;
	close(dfd);
	if (rc == KILN_OK && !archive)
		rc = run_dataset_link(j, src, datafd);
	if (rc != KILN_OK || !archive) {
		if (datafd >= 0)
			close(datafd);
		return rc;
	}
	snprintf(j->ds_rel, sizeof(j->ds_rel), "data");
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0 || pipe2(p, O_CLOEXEC) != 0) {
		if (fd >= 0)
			close(fd);
		close(datafd);
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
		rc = KILN_ERR_IO;
	else if (WEXITSTATUS(status) == 3 && why[0] == '\0')
		snprintf(why, UNPACK_WHY_MAX, "the data set cannot be unpacked");
	else if (WEXITSTATUS(status) == 4)
		rc = run_dataset_link(j, src, datafd); /* data.csv.gz: a file, not an archive */
	close(datafd);
	return rc;
}
