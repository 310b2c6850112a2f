/* SPDX-License-Identifier: MIT */
/* jobfile.c: reading a job's own files without following its links (see
 * jobfile.h). */
#include "jobfile.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A descriptor of dir/sub, neither followed through a link, or -1. */
static int
jobfile_dir(const char *dir, const char *sub)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), sfd = -1;

	if (dfd >= 0)
		sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		close(dfd);
	return sfd;
}

void
jobfile_unlink(const char *dir, const char *sub, const char *name)
{
	int sfd = jobfile_dir(dir, sub);

	if (sfd >= 0) {
		(void)unlinkat(sfd, name, 0);
		close(sfd);
	}
}

ssize_t
jobfile_read(const char *dir, const char *sub, const char *name, char *buf, size_t max)
{
	int sfd = -1, fd = -1;
	ssize_t n = -1, got;
	struct stat st;

	if ((sfd = jobfile_dir(dir, sub)) < 0 ||
	    (fd = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	n = 0;
	while ((size_t)n < max - 1 && (got = read(fd, buf + n, max - 1 - (size_t)n)) > 0)
		n += got;
	buf[n] = '\0';
out:
	if (fd >= 0)
		close(fd);
	if (sfd >= 0)
		close(sfd);
	return n;
}

char *
jobfile_strdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}
