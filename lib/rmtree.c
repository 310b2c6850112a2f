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

/* Folders below the top that keep their listing open while the walk is
 * below them (each holds a descriptor); deeper ones are listed again from
 * the start when the walk comes back up to them. */
#define RMTREE_KEEP_OPEN 64

/* One folder on the way down: its name in its parent, and the parent's
 * listing where the walk left it (NULL past RMTREE_KEEP_OPEN). */
struct rmtree_level {
	char *name;
	DIR *parent;
	dev_t dev; /* the parent's, to check ".." by when parent is NULL */
	ino_t ino;
};

struct rmtree_path {
	struct rmtree_level *levels;
	size_t depth, cap;
};

static int
rmtree_push(struct rmtree_path *p, const char *name, DIR *parent, const struct stat *pst)
{
	char *copy = strdup(name);

	if (copy == NULL)
		return -1;
	if (p->depth == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct rmtree_level *more = realloc(p->levels, cap * sizeof(*more));

		if (more == NULL) {
			free(copy);
			return -1;
		}
		p->levels = more;
		p->cap = cap;
	}
	p->levels[p->depth].name = copy;
	p->levels[p->depth].dev = pst->st_dev;
	p->levels[p->depth].ino = pst->st_ino;
	p->levels[p->depth++].parent = parent;
	return 0;
}

/* Opens name in dfd as a folder (O_NOFOLLOW); one shut by its owner
 * (mode 0) is opened up first, which only its owner (or root) may do. */
static int
rmtree_open(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/* A listing of the folder open at fd (taken over). */
static DIR *
rmtree_list(int fd)
{
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (d == NULL && fd >= 0)
		close(fd);
	return d;
}

/* Removes name in the folder cur, unless it is a folder with something
 * in it: then OUT: *down is that folder, opened. A folder its owner shut
 * is opened up. */
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
	*down = rmtree_open(cur, name);
	return *down < 0 ? -1 : 0;
}

int
rmtree_empty(int top)
{
	struct rmtree_path path = {NULL, 0, 0};
	/* a listing of its own ("." opened again, not dup: a descriptor the
	 * caller read through would share its end), opened up if shut */
	int fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	DIR *d;

	if (fd < 0 && errno == EACCES && fchmod(top, 0700) == 0)
		fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = rmtree_list(fd);
	rc = d == NULL ? -1 : 0;

	while (d != NULL && rc == 0) {
		struct dirent *e;
		struct rmtree_level *up;
		int down = -1, upfd;

		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    (rmtree_entry(dirfd(d), e->d_name, &down) != 0 || down >= 0))
				break;
		if (e != NULL && down < 0) {
			rc = -1;
			break;
		}
		if (down >= 0) { /* that folder first, then on with this one */
			DIR *keep = path.depth < RMTREE_KEEP_OPEN ? d : NULL;
			struct stat pst;

			if (fstat(dirfd(d), &pst) != 0 ||
			    rmtree_push(&path, e->d_name, keep, &pst) != 0) {
				close(down);
				rc = -1;
				break;
			}
			if (keep == NULL)
				closedir(d);
			if ((d = rmtree_list(down)) == NULL)
				rc = -1;
			continue;
		}
		if (path.depth == 0)
			break; /* the top is empty */
		/* up: to the listing kept open, or through ".." (see rmtree.h) */
		up = &path.levels[--path.depth];
		if (up->parent != NULL) {
			closedir(d);
			d = up->parent;
		} else {
			struct stat ust;

			upfd = openat(dirfd(d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			closedir(d);
			/* the parent it came down from, not where a move put it */
			if (upfd >= 0 && (fstat(upfd, &ust) != 0 || ust.st_dev != up->dev ||
					  ust.st_ino != up->ino)) {
				close(upfd);
				upfd = -1;
				errno = ESTALE;
			}
			d = rmtree_list(upfd);
		}
		if (d == NULL) {
			rc = -1;
		} else if (unlinkat(dirfd(d), up->name, AT_REMOVEDIR) != 0) {
			if (errno == ENOTEMPTY || errno == EEXIST)
				rewinddir(d); /* something came in while it was emptied */
			else if (errno != ENOENT)
				rc = -1;
		}
		free(up->name);
	}
	if (d != NULL)
		closedir(d);
	while (path.depth > 0) {
		struct rmtree_level *l = &path.levels[--path.depth];

		if (l->parent != NULL)
			closedir(l->parent);
		free(l->name);
	}
	free(path.levels);
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
	if ((fd = rmtree_open(pfd, name)) < 0)
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
