/* SPDX-License-Identifier: MIT */
/* fcgi_io.c: the only file that includes <fcgiapp.h> (see fcgi_io.h).
 * The request is initialised with FCGI_FAIL_ACCEPT_ON_INTR so that a
 * signal can end a worker's wait for the next connection. */
#include "fcgi_io.h"

#include <fcgiapp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct fio {
	FCGX_Request req;
	int fast_close; /* the listening socket is a unix socket */
};

int
fio_init(void)
{
	return FCGX_Init() == 0 ? 0 : -1;
}

struct fio *
fio_new(int listen_fd)
{
	struct fio *f = calloc(1, sizeof(*f));
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	if (f == NULL)
		abort();
	if (FCGX_InitRequest(&f->req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		abort();
	if (getsockname(listen_fd, (struct sockaddr *)&sa, &len) == 0 && sa.ss_family == AF_UNIX)
		f->fast_close = 1;
	return f;
}

void
fio_free(struct fio *f)
{
	if (f == NULL)
		return;
	FCGX_Free(&f->req, 0);
	free(f);
}

int
fio_accept(struct fio *f)
{
	return FCGX_Accept_r(&f->req);
}

char *const *
fio_env(struct fio *f)
{
	return f->req.envp;
}

static long
fio_read(void *ctx, void *buf, size_t n)
{
	struct fio *f = ctx;
	int want = n > 1u << 30 ? 1 << 30 : (int)n;
	int got = FCGX_GetStr(buf, want, f->req.in);

	if (got == 0 && FCGX_GetError(f->req.in) != 0)
		return -1;
	return got;
}

static int
fio_write(void *ctx, const void *buf, size_t n)
{
	struct fio *f = ctx;
	const char *p = buf;

	while (n > 0) {
		int chunk = n > 1u << 30 ? 1 << 30 : (int)n;

		if (FCGX_PutStr(p, chunk, f->req.out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static int
fio_flush(void *ctx)
{
	struct fio *f = ctx;

	return FCGX_FFlush(f->req.out) == 0 ? 0 : -1;
}

struct req_io
fio_io(struct fio *f)
{
	struct req_io io = {f, fio_read, fio_write, fio_flush};

	return io;
}

/* libfcgi ends a connection with shutdown() and then waits up to 2 s for
 * the web server to close its side first, reading (and so draining)
 * whatever it still sends. On a unix socket that wait holds the worker for
 * a scheduler round trip per request, so there we close at once instead:
 * but only once the request's stdin has been read to its end, because
 * closing a unix socket with unread bytes in it resets the peer, and nginx
 * would answer 502. The drain is capped; past it, libfcgi's own close. */
#define FIO_DRAIN_MAX (64 * 1024 * 1024)

void
fio_finish(struct fio *f)
{
	int fd = f->req.ipcFd, fast = 0, got;
	char buf[8192];
	size_t drained = 0;

	/* a connection the web server keeps open (fastcgi_keep_conn) is
	 * libfcgi's to manage */
	if (f->fast_close && !f->req.keepConnection && fd >= 0 && f->req.in != NULL) {
		while (drained < FIO_DRAIN_MAX &&
		       (got = FCGX_GetStr(buf, (int)sizeof(buf), f->req.in)) > 0)
			drained += (size_t)got;
		if (FCGX_HasSeenEOF(f->req.in) == EOF && FCGX_GetError(f->req.in) == 0) {
			fast = 1;
			f->req.keepConnection = 1; /* so that Finish leaves the close to us */
		}
	}
	FCGX_Finish_r(&f->req);
	if (fast) {
		f->req.keepConnection = 0;
		if (f->req.ipcFd == fd && fd >= 0) {
			close(fd);
			f->req.ipcFd = -1;
		}
	}
}
