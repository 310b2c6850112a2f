/* SPDX-License-Identifier: MIT */
/* unpack.c: safe archive extraction (see unpack.h). Every entry is
 * created with openat/mkdirat below a descriptor of dest, component by
 * component with O_NOFOLLOW, so nothing the archive holds can redirect a
 * write (it cannot create links in the first place). */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNPACK_PATH_MAX 4096

int
unpack_path_ok(const char *path)
{
	size_t n = strlen(path), i;
	const char *c = path;

	if (n == 0 || n > UNPACK_PATH_MAX || path[0] == '/')
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f || path[i] == '\\')
			return -1;
	while (*c != '\0') { /* each component */
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return -1;
		c += len;
		while (*c == '/')
			c++;
	}
	return 0;
}

/* Opens (creating) the folders of rel's parent below root, one component
 * at a time without following links. Returns a descriptor of the parent
 * and OUT: *leaf (inside rel), or -1. */
static int
unpack_parent(int root, char *rel, char **leaf)
{
	int fd = dup(root);
	char *p = rel, *slash;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (p[0] != '\0' && strcmp(p, ".") != 0) {
			if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
				close(fd);
				return -1;
			}
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(fd);
			fd = next;
		}
		*slash = '/';
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

static void
unpack_why(char why[UNPACK_WHY_MAX], const char *what, const char *path)
{
	snprintf(why, UNPACK_WHY_MAX, "%s: %.120s", what, path ? path : "");
}

/* Writes the current entry's data to fd, counting against the cap. */
static enum kiln_err
unpack_data(struct archive *a, int fd, const struct unpack_limits *lim, uint64_t *bytes,
	    const char *path, char why[UNPACK_WHY_MAX])
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
		if (*bytes + size > lim->max_bytes) {
			unpack_why(why, "the data set unpacks to more than its size cap", path);
			return KILN_ERR_BAD_REQUEST;
		}
		if (pwrite(fd, buf, size, off) != (ssize_t)size)
			return KILN_ERR_IO;
		*bytes += size;
	}
	if (r != ARCHIVE_EOF) {
		unpack_why(why, "unreadable archive data", archive_error_string(a));
		return KILN_ERR_BAD_REQUEST;
	}
	return KILN_OK;
}

static enum kiln_err
unpack_entry(struct archive *a, struct archive_entry *e, int root, const struct unpack_limits *lim,
	     uint64_t *bytes, char why[UNPACK_WHY_MAX])
{
	char rel[UNPACK_PATH_MAX + 1], *leaf;
	const char *path = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	enum kiln_err rc = KILN_OK;
	int dir, fd;

	if (path == NULL || unpack_path_ok(path) != 0) {
		unpack_why(why, "an entry's path leaves the data folder", path ? path : "(none)");
		return KILN_ERR_BAD_REQUEST;
	}
	if (archive_entry_hardlink(e) != NULL || archive_entry_symlink(e) != NULL ||
	    (type != AE_IFREG && type != AE_IFDIR)) {
		unpack_why(why, "links and special files are not allowed in a data set", path);
		return KILN_ERR_BAD_REQUEST;
	}
	snprintf(rel, sizeof(rel), "%s%s", path, type == AE_IFDIR ? "/" : "");
	if ((dir = unpack_parent(root, rel, &leaf)) < 0) {
		/* a folder on the way is a file of the archive: the archive's fault */
		if (errno != ENOTDIR)
			return KILN_ERR_IO;
		unpack_why(why, "an entry's folder is a file in the data set", path);
		return KILN_ERR_BAD_REQUEST;
	}
	if (type == AE_IFDIR || leaf[0] == '\0') {
		close(dir);
		return KILN_OK;
	}
	fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	close(dir);
	if (fd < 0) {
		if (errno != EEXIST)
			return KILN_ERR_IO;
		unpack_why(why, "an entry appears twice", path);
		return KILN_ERR_BAD_REQUEST;
	}
	rc = unpack_data(a, fd, lim, bytes, path, why);
	if (close(fd) != 0 && rc == KILN_OK)
		rc = KILN_ERR_IO;
	return rc;
}

/* One compressed file (the raw format): read to its end, so that one cut
 * short or damaged is refused now rather than handed to the job (the
 * check sum is at the end), counting against the byte cap as an archive's
 * files do (a gzip bomb stops there). A tar inside that no tar bid claimed
 * is damaged too. */
static enum kiln_err
unpack_check_single(struct archive *a, const struct unpack_limits *lim, char why[UNPACK_WHY_MAX])
{
	static char buf[65536]; /* the unpack child is single-threaded */
	uint64_t total = 0;
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (total == 0 && n >= 262 && memcmp(buf + 257, "ustar", 5) == 0) {
			unpack_why(why, "a damaged tar archive", "");
			return KILN_ERR_BAD_REQUEST;
		}
		total += (uint64_t)n;
		if (total > lim->max_bytes) {
			unpack_why(why, "the data set unpacks to more than its size cap", "");
			return KILN_ERR_BAD_REQUEST;
		}
	}
	if (n < 0) {
		unpack_why(why, "a damaged compressed file", archive_error_string(a));
		return KILN_ERR_BAD_REQUEST;
	}
	return KILN_OK;
}

enum kiln_err
unpack_archive(int fd, const char *dest, const struct unpack_limits *lim, uint64_t *bytes,
	       uint64_t *entries, int *single, char why[UNPACK_WHY_MAX])
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	enum kiln_err rc = KILN_OK;
	int root, r;

	*bytes = *entries = 0;
	*single = 0;
	why[0] = '\0';
	if (a == NULL)
		return KILN_ERR_NOMEM;
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_raw(a); /* bids last: what no archive format claims */
	if ((root = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		archive_read_free(a);
		return KILN_ERR_IO;
	}
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		unpack_why(why, "not a zip or tar archive", archive_error_string(a));
		rc = KILN_ERR_BAD_REQUEST;
	}
	while (rc == KILN_OK && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			unpack_why(why, "unreadable archive", archive_error_string(a));
			rc = KILN_ERR_BAD_REQUEST;
			break;
		}
		if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
			if (archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
				unpack_why(why, "not a zip or tar archive", "");
				rc = KILN_ERR_BAD_REQUEST;
			} else if ((rc = unpack_check_single(a, lim, why)) == KILN_OK) {
				*single = 1; /* one compressed file, whole */
			}
			break;
		}
		if (++*entries > lim->max_entries) {
			unpack_why(why, "too many entries in the data set", "");
			rc = KILN_ERR_BAD_REQUEST;
			break;
		}
		rc = unpack_entry(a, e, root, lim, bytes, why);
	}
	close(root);
	archive_read_free(a);
	return rc;
}
