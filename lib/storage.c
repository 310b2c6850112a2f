/* SPDX-License-Identifier: MIT */
/* storage.c: file locations under the storage root (see storage.h). */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"

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

static int
storage_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
storage_remove_tree(const char *path)
{
	return nftw(path, storage_rm, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT ? -1 : 0;
}

enum kiln_err
storage_job_remove(const struct kiln_config *cfg, int64_t id)
{
	char path[STORAGE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/jobs/%lld", cfg->storage_root, (long long)id);
	if (storage_remove_tree(path) != 0) {
		log_error("storage: cannot remove %s: %s", path, strerror(errno));
		return KILN_ERR_IO;
	}
	return KILN_OK;
}
