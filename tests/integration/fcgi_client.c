/* SPDX-License-Identifier: MIT */
/* fcgi_client.c: just enough of the FastCGI protocol (as nginx speaks it)
 * to hold a request half-sent inside a kiln-api worker: the drain test
 * needs a request that is in flight when SIGTERM arrives. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "it.h"

enum { FCGI_BEGIN = 1, FCGI_END = 3, FCGI_PARAMS = 4, FCGI_STDIN = 5, FCGI_STDOUT = 6 };

static int
fcgi_write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
fcgi_record(int fd, int type, const unsigned char *body, size_t len)
{
	unsigned char h[8] = {
	    1, (unsigned char)type, 0, 1, (unsigned char)(len >> 8), (unsigned char)len, 0, 0};

	if (fcgi_write_all(fd, h, 8) != 0)
		return -1;
	return len ? fcgi_write_all(fd, body, len) : 0;
}

int
fcgi_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int
fcgi_send_params(int fd, const char *const *env, int finish)
{
	static const unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0}; /* RESPONDER */
	unsigned char buf[8192];
	size_t n = 0;

	if (fcgi_record(fd, FCGI_BEGIN, begin, sizeof(begin)) != 0)
		return -1;
	for (; *env != NULL; env++) {
		const char *eq = strchr(*env, '=');
		size_t kl = (size_t)(eq - *env), vl = strlen(eq + 1);

		if (kl > 127 || vl > 127 || n + 2 + kl + vl > sizeof(buf))
			return -1;
		buf[n++] = (unsigned char)kl;
		buf[n++] = (unsigned char)vl;
		memcpy(buf + n, *env, kl);
		n += kl;
		memcpy(buf + n, eq + 1, vl);
		n += vl;
	}
	if (fcgi_record(fd, FCGI_PARAMS, buf, n) != 0)
		return -1;
	return finish ? fcgi_end_request(fd) : 0;
}

int
fcgi_end_request(int fd)
{
	if (fcgi_record(fd, FCGI_PARAMS, NULL, 0) != 0)
		return -1;
	return fcgi_record(fd, FCGI_STDIN, NULL, 0);
}

/* Reads exactly n bytes, waiting at most until deadline (ms). */
static int
fcgi_read_full(int fd, unsigned char *p, size_t n, long long deadline)
{
	while (n > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		long long left = deadline - it_now_ms();
		ssize_t got;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

long
fcgi_read_response(int fd, char *buf, size_t n, int timeout_ms)
{
	long long deadline = it_now_ms() + timeout_ms;
	unsigned char h[8], body[65536 + 256];
	size_t have = 0;

	for (;;) {
		size_t len, pad;

		if (fcgi_read_full(fd, h, 8, deadline) != 0)
			return -1;
		len = (size_t)h[4] << 8 | h[5];
		pad = h[6];
		if (fcgi_read_full(fd, body, len + pad, deadline) != 0)
			return -1;
		if (h[1] == FCGI_END)
			break;
		if (h[1] == FCGI_STDOUT && len > 0) {
			size_t take = len < n - 1 - have ? len : n - 1 - have;

			memcpy(buf + have, body, take);
			have += take;
		}
	}
	buf[have] = '\0';
	return (long)have;
}

long
fcgi_unread(int fd)
{
	int n = 0;

	return ioctl(fd, SIOCOUTQ, &n) == 0 ? n : -1;
}
