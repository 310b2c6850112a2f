/* SPDX-License-Identifier: MIT */
/* io.c: whole writes, and descriptors a child keeps (see io.h). */
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int
io_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

void
io_close_but(int a, int b)
{
	int lo, hi;

	a = a < 3 ? 2 : a;
	b = b < 3 ? 2 : b;
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	if ((lo > 3 && close_range(3, (unsigned)lo - 1, 0) != 0) ||
	    (hi > lo + 1 && close_range((unsigned)lo + 1, (unsigned)hi - 1, 0) != 0) ||
	    close_range((unsigned)hi + 1, ~0U, 0) != 0) {
		long fd, max = sysconf(_SC_OPEN_MAX); /* a kernel before 5.9: one by one */

		for (fd = 3; fd < (max > 0 ? max : 65536); fd++)
			if (fd != lo && fd != hi)
				close((int)fd);
	}
}

DIR *
io_list_dir(int fd)
{
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = own < 0 ? NULL : fdopendir(own);

	if (d == NULL && own >= 0)
		close(own);
	return d;
}
