/* SPDX-License-Identifier: MIT */
/* rmtree.c: removing a folder and everything in it (see rmtree.h). */
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folders below the top one the walk is in, outermost first. */
struct rmtree_path {
	char **names;
	size_t depth, cap;
};

static int
rmtree_push(struct rmtree_path *p, const char *name)
{
	char *copy = strdup(name);

	if (copy == NULL)
		return -1;
	if (p->depth == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		char **more = realloc(p->names, cap * sizeof(*more));

		if (more == NULL) {
			free(copy);
			return -1;
		}
		p->names = more;
		p->cap = cap;
	}
	p->names[p->depth++] = copy;
	return 0;
}

/* Removes name in the folder cur, unless it is a folder with something
 * in it: then OUT: *down is that folder, opened. A folder its owner shut
 * (mode 0) is opened up first, which only its owner (or root) may do. */
static int
rmtree_entry(int cur, const char *name, int *down)
{
	*down = -1;
	if (unlinkat(cur, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EACCES) { /* cur shut: open it up, once */
		if (fchmod(cur, 0700) != 0)
			return -1;
		if (unlinkat(cur, name, 0) == 0 || errno == ENOENT)
			return 0;
	}
	if (errno != EISDIR)
		return -1;
	if (unlinkat(cur, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return -1;
	*down = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*down < 0 && errno == EACCES && fchmodat(cur, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
		*down = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *down < 0 ? -1 : 0;
}

int
rmtree_empty(int top)
{
	struct rmtree_path path = {NULL, 0, 0};
	int cur = fcntl(top, F_DUPFD_CLOEXEC, 0), rc = 0;

	while (cur >= 0) {
		int down = -1, lfd = fcntl(cur, F_DUPFD_CLOEXEC, 0);
		DIR *d = lfd < 0 ? NULL : fdopendir(lfd);
		struct dirent *e;

		if (d == NULL) {
			if (lfd >= 0)
				close(lfd);
			rc = -1;
			break;
		}
		while (rc == 0 && down < 0 && (e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    (rmtree_entry(cur, e->d_name, &down) != 0 ||
			     (down >= 0 && rmtree_push(&path, e->d_name) != 0)))
				rc = -1;
		closedir(d);
		if (rc != 0) {
			if (down >= 0)
				close(down);
			break;
		}
		if (down >= 0) { /* that folder first, then this one again */
			close(cur);
			cur = down;
			continue;
		}
		if (path.depth == 0)
			break; /* the top is empty */
		/* up through "..": see rmtree.h for when that is safe */
		down = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = down;
		path.depth--;
		if (cur >= 0 && unlinkat(cur, path.names[path.depth], AT_REMOVEDIR) != 0 &&
		    errno != ENOENT && errno != ENOTEMPTY)
			rc = -1; /* ENOTEMPTY: something came in; the next pass sees it */
		free(path.names[path.depth]);
		if (cur < 0 || rc != 0)
			rc = -1;
		if (rc != 0)
			break;
	}
	if (cur >= 0)
		close(cur);
	while (path.depth > 0)
		free(path.names[--path.depth]);
	free(path.names);
	return rc;
}

int
rmtree_at(int pfd, const char *name)
{
	int fd, saved;

	if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	if ((fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (rmtree_empty(fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return unlinkat(pfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}
