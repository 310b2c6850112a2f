/* SPDX-License-Identifier: MIT */
/* storage.c: file locations under the storage root (see storage.h). */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "rmtree.h"

static int
storage_mkdir_mode(const char *path, mode_t mode)
{
	return mkdir(path, mode) == 0 || errno == EEXIST ? 0 : -1;
}

static int
storage_mkdir(const char *path)
{
	return storage_mkdir_mode(path, 0750);
}

enum kiln_err
storage_prepare(const struct kiln_config *cfg)
{
	/* the root and jobs/ may be passed through (0711), so that a job
	 * user reaches its own directory; nobody may list them */
	static const char *const dirs[] = {"", "/tmp", "/datasets", "/jobs"};
	static const mode_t modes[] = {0711, 0750, 0750, 0711};
	char path[STORAGE_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", cfg->storage_root, dirs[i]);
		if (storage_mkdir_mode(path, modes[i]) != 0) {
			log_error("storage: cannot create %s: %s", path, strerror(errno));
			return KILN_ERR_IO;
		}
	}
	return KILN_OK;
}

int
storage_tmp_open(const struct kiln_config *cfg, char path[STORAGE_PATH_MAX])
{
	unsigned char raw[12];
	char hex[25];
	int fd, tries;

	for (tries = 0; tries < 8; tries++) {
		crypto_random(raw, sizeof(raw));
		crypto_hex(raw, sizeof(raw), hex);
		snprintf(path, STORAGE_PATH_MAX, "%s/tmp/upload-%s", cfg->storage_root, hex);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

void
storage_dataset_path(const struct kiln_config *cfg, int64_t user_id, int64_t id,
		     char path[STORAGE_PATH_MAX])
{
	snprintf(path, STORAGE_PATH_MAX, "%s/datasets/%lld/%lld", cfg->storage_root,
		 (long long)user_id, (long long)id);
}

void
storage_job_path(const struct kiln_config *cfg, int64_t id, const char *rel,
		 char path[STORAGE_PATH_MAX])
{
	snprintf(path, STORAGE_PATH_MAX, "%s/jobs/%lld/%s", cfg->storage_root, (long long)id, rel);
}

/* Creates the folders of path's parent that lie below the root. */
static int
storage_mkparents(const struct kiln_config *cfg, const char *path)
{
	char dir[STORAGE_PATH_MAX];
	size_t root = strlen(cfg->storage_root), i;

	snprintf(dir, sizeof(dir), "%s", path);
	if (strncmp(dir, cfg->storage_root, root) != 0 || dir[root] != '/')
		return -1;
	for (i = root + 1; dir[i] != '\0'; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (storage_mkdir(dir) != 0)
			return -1;
		dir[i] = '/';
	}
	return 0;
}

enum kiln_err
storage_link(const struct kiln_config *cfg, const char *tmp, const char *final)
{
	if (storage_mkparents(cfg, final) != 0) {
		log_error("storage: cannot create the folders of %s: %s", final, strerror(errno));
		return KILN_ERR_IO;
	}
	if (link(tmp, final) != 0 &&
	    !(errno == EEXIST && unlink(final) == 0 && link(tmp, final) == 0)) {
		log_error("storage: cannot link %s to %s: %s", tmp, final, strerror(errno));
		return KILN_ERR_IO;
	}
	return KILN_OK;
}

int
storage_job_logs_open(const struct kiln_config *cfg, int64_t id, int create)
{
	char jobs[STORAGE_PATH_MAX], name[32];
	int jfd, dfd, lfd, saved;
	struct stat st;

	snprintf(jobs, sizeof(jobs), "%s/jobs", cfg->storage_root);
	snprintf(name, sizeof(name), "%lld", (long long)id);
	if (create && storage_prepare(cfg) != KILN_OK) /* jobs/ at 0711, as jobs need it */
		return -1;
	if ((jfd = open(jobs, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (create && mkdirat(jfd, name, 0755) != 0 && errno != EEXIST) {
		close(jfd);
		return -1;
	}
	dfd = openat(jfd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(jfd);
	if (dfd < 0) {
		errno = saved;
		return -1;
	}
	if (create && mkdirat(dfd, "logs", 0755) != 0 && errno != EEXIST) {
		close(dfd);
		return -1;
	}
	lfd = openat(dfd, "logs", O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(dfd);
	if (lfd < 0) {
		errno = saved;
		return -1;
	}
	if (fstat(lfd, &st) != 0 || (st.st_uid != geteuid() && st.st_uid != 0)) {
		close(lfd);
		errno = EPERM;
		return -1;
	}
	return lfd;
}

int
storage_job_log_open(const struct kiln_config *cfg, int64_t id, const char *name)
{
	int lfd = storage_job_logs_open(cfg, id, 0), fd, saved;

	if (lfd < 0)
		return -1;
	fd = openat(lfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(lfd);
	errno = saved;
	return fd;
}

int
storage_remove_tree(const char *path)
{
	char parent[STORAGE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int pfd, rc, saved;

	if (slash == NULL || slash[1] == '\0' || (size_t)(slash - path) >= sizeof(parent)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	if ((pfd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	rc = rmtree_at(pfd, slash + 1);
	saved = errno;
	close(pfd);
	errno = saved;
	return rc;
}

/* How long a removal in a child may take: a child of the job user's can
 * be stopped by the job (SIGSTOP), and the caller (kilnctl gc, kiln-run
 * preparing a requeued job) must not wait for ever. */
#define STORAGE_AS_MAX_MS (10 * 60 * 1000)

/* Runs fn(arg) in a child running as uid:gid (setgroups, setgid, setuid:
 * possible as root only), who may do no more there than that user could,
 * and keeps no descriptor of the caller's but keep_fd (-1: none). 0 when
 * it returned 0 within STORAGE_AS_MAX_MS, else -1 (it is killed). */
static int
storage_as(uid_t uid, gid_t gid, int keep_fd, int (*fn)(const void *), const void *arg)
{
	int64_t deadline = clock_mono_ms() + STORAGE_AS_MAX_MS, left;
	int status = 0, pidfd, r = 1;
	pid_t pid = fork();

	if (pid == 0) {
		io_close_but(keep_fd, -1);
		if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(1);
		_exit(fn(arg) == 0 ? 0 : 1);
	}
	if (pid < 0)
		return -1;
	/* its exit, or the deadline: a pidfd turns readable when it exits;
	 * without one (a kernel before 5.3), its state is looked at every
	 * 50 ms */
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0) {
		struct pollfd p = {pidfd, POLLIN, 0};

		do
			left = deadline - clock_mono_ms();
		while (left > 0 && (r = poll(&p, 1, (int)left)) < 0 && errno == EINTR);
		close(pidfd);
		if (left <= 0 || r <= 0)
			kill(pid, SIGKILL);
	} else {
		while ((r = (int)waitpid(pid, &status, WNOHANG)) == 0 && clock_mono_ms() < deadline)
			usleep(50000);
		if (r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return 0;
		if (r == pid) {
			errno = EIO;
			return -1;
		}
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? ETIMEDOUT : EIO;
	return -1;
}

static int
storage_empty_fn(const void *fd)
{
	return rmtree_empty(*(const int *)fd);
}

static int
storage_remove_fn(const void *path)
{
	return storage_remove_tree(path);
}

int
storage_remove_tree_as(const char *path, uid_t uid, gid_t gid)
{
	return storage_as(uid, gid, -1, storage_remove_fn, path);
}

/* As root, in the job folder dfd whose owner is owner: removes the
 * folders in it of another user's, kiln's logs/ under any name the job
 * gave it (it may rename it, not move it elsewhere: that needs write
 * permission on logs/ itself). They hold only kiln's files, flat, and
 * the job cannot write in them. 0 or -1. */
static int
storage_foreign_dirs(int dfd, uid_t owner)
{
	DIR *d = io_list_dir(dfd);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int fd;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
			0)
			continue; /* not a folder: the job user's to remove */
		if (fstat(fd, &st) == 0 && st.st_uid != owner) {
			DIR *ld = fdopendir(fd);
			struct dirent *f;

			/* a folder inside (kiln makes none) stays: that job's folder
			 * then stays too, logged, and gc goes on with the others */
			while (ld != NULL && (f = readdir(ld)) != NULL)
				if (strcmp(f->d_name, ".") != 0 && strcmp(f->d_name, "..") != 0 &&
				    unlinkat(dirfd(ld), f->d_name, 0) != 0 && errno != ENOENT)
					rc = -1;
			if (ld != NULL)
				closedir(ld);
			else
				close(fd);
			if (unlinkat(dfd, e->d_name, AT_REMOVEDIR) != 0 && errno != ENOENT)
				rc = -1;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return rc;
}

/* Removes the job folder name in jobs/ (jfd). The job may have shaped
 * everything in it (links to anywhere, a tree 100 000 folders deep,
 * folders it shut) and, with no sandbox, may still be running. So:
 * - a folder of the caller's (never handed to the job user, or one user
 *   for everything) is removed by the caller;
 * - as root, a folder of another user's (the job user's) is emptied by a
 *   child running as that user, after the caller removed kiln's folders
 *   in it (storage_foreign_dirs), which that user may not empty;
 * - otherwise (kiln-api purging a job that ran: it may not remove the job
 *   user's files) the folder is renamed ID.gone, which kilnctl gc, as
 *   root, removes (storage_jobs_sweep). */
static enum kiln_err
storage_job_remove_at(int jfd, const char *name)
{
	char gone[64];
	const struct passwd *pw;
	struct stat st;
	int dfd, rc = 0;

	if ((dfd = openat(jfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? KILN_OK : KILN_ERR_IO;
	if (fstat(dfd, &st) != 0) {
		close(dfd);
		return KILN_ERR_IO;
	}
	if (st.st_uid == geteuid()) {
		rc = rmtree_empty(dfd);
	} else if (geteuid() == 0) {
		/* as the owner, in its own group (the folder's is kiln's) */
		pw = getpwuid(st.st_uid);
		rc = storage_foreign_dirs(dfd, st.st_uid) != 0;
		rc = storage_as(st.st_uid, pw != NULL ? pw->pw_gid : st.st_gid, dfd,
				storage_empty_fn, &dfd) != 0 ||
		     rc;
	} else {
		close(dfd);
		if (strstr(name, ".gone") != NULL) { /* set aside already: for root */
			errno = EPERM;
			return KILN_ERR_IO;
		}
		snprintf(gone, sizeof(gone), "%.40s.gone", name);
		return renameat(jfd, name, jfd, gone) == 0 ? KILN_OK : KILN_ERR_IO;
	}
	close(dfd);
	if (rc != 0 || (unlinkat(jfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT))
		return KILN_ERR_IO;
	return KILN_OK;
}

static int
storage_jobs_open(const struct kiln_config *cfg)
{
	char path[STORAGE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/jobs", cfg->storage_root);
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

enum kiln_err
storage_job_remove(const struct kiln_config *cfg, int64_t id)
{
	char name[32];
	int jfd = storage_jobs_open(cfg);
	enum kiln_err rc;

	if (jfd < 0)
		return errno == ENOENT ? KILN_OK : KILN_ERR_IO;
	snprintf(name, sizeof(name), "%lld", (long long)id);
	if ((rc = storage_job_remove_at(jfd, name)) != KILN_OK)
		log_error("storage: cannot remove %s/jobs/%s: %s", cfg->storage_root, name,
			  strerror(errno));
	close(jfd);
	return rc;
}

enum kiln_err
storage_jobs_sweep(const struct kiln_config *cfg, int64_t *n)
{
	int jfd = storage_jobs_open(cfg);
	DIR *d;
	struct dirent *e;

	if (jfd < 0)
		return errno == ENOENT ? KILN_OK : KILN_ERR_IO;
	if ((d = io_list_dir(jfd)) == NULL) {
		close(jfd);
		return KILN_ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		size_t digits = strspn(e->d_name, "0123456789");

		if (digits == 0 || strcmp(e->d_name + digits, ".gone") != 0)
			continue;
		if (storage_job_remove_at(jfd, e->d_name) == KILN_OK)
			(*n)++;
		else
			log_error("storage: cannot remove %s/jobs/%s: %s", cfg->storage_root,
				  e->d_name, strerror(errno));
	}
	closedir(d);
	close(jfd);
	return KILN_OK;
}
