/* SPDX-License-Identifier: MIT */
/* worker.c: one pre-forked kiln-api worker: its own database connection,
 * one request at a time, one arena reset per request, an access-log line
 * per request. Stopping: SIGTERM sets a flag and swaps the listening
 * descriptor for an unbound socket, so the next (or current, restarted)
 * accept fails at once while a request in progress runs to its end. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kiln_config.h"

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "fcgi_io.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "server.h"
#include "testhook.h"

static volatile sig_atomic_t worker_stop;
static int worker_listen_fd = -1;
static int worker_dummy_fd = -1;

static void
worker_on_term(int sig)
{
	int saved = errno;

	(void)sig;
	worker_stop = 1;
	/* dup2 is async-signal-safe; the restarted accept() sees a socket
	 * that does not listen and fails with EINVAL */
	if (worker_dummy_fd >= 0)
		(void)dup2(worker_dummy_fd, worker_listen_fd);
	errno = saved;
}

static void
worker_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;
	sa.sa_flags = SA_RESTART; /* body reads and writes must not see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The tag of the running binary: the first 8 bytes of the SHA-256 of
 * /proc/self/exe, so that answers a rebuilt kiln-api shapes differently
 * never share an ETag with the old ones (fcgi/jobs.c); the package
 * version when the binary cannot be read. Made once by the master. */
static char worker_build[17];

void
worker_init_build(void)
{
	struct crypto_sha256_state st;
	unsigned char digest[CRYPTO_SHA256_BYTES], buf[65536];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	if (fd >= 0) {
		crypto_sha256_init(&st);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			crypto_sha256_update(&st, buf, (size_t)n);
		close(fd);
		crypto_sha256_final(&st, digest);
	}
	if (fd < 0 || n < 0)
		snprintf(worker_build, sizeof(worker_build), "%s", PACKAGE_VERSION);
	else
		crypto_hex(digest, 8, worker_build);
}

static long
worker_elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - start->tv_sec) * 1000000L +
		      (now.tv_nsec - start->tv_nsec) / 1000L);
}

static void
worker_serve_one(struct app *app, struct fio *f, struct arena *arena)
{
	struct req_io io = fio_io(f);
	struct request req;
	long us;

	request_init(&req, arena, app, &io, fio_env(f));
	route_dispatch(&req);
	/* a client that hangs up is not a server fault: info, as nginx logs it */
	if (!req.streamed && resp_send(&req) != 0)
		log_info("client went away before the response (request %s)", req.request_id);
	/* counted before the connection closes, so that a client which has
	 * its answer also finds it in the next scrape */
	us = worker_elapsed_us(&req.start);
	metrics_observe(req.route != NULL ? (size_t)(req.route - route_table) : route_count,
			req.status, us);
	fio_finish(f);
	if (app->cfg->access_log)
		log_info("%s %s %d %ldus rid=%s uid=%lld%s", req.method, req.path, req.status, us,
			 req.request_id, (long long)req.user_id,
			 req.route && (req.route->flags & RF_AUDIT) ? " audit" : "");
	arena_reset(arena);
}

void
worker_run(const struct kiln_config *cfg, int listen_fd)
{
	struct app app;
	struct arena *arena;
	struct fio *f;
	int64_t served = 0;

	log_set_ident("kiln-api/worker");
	worker_listen_fd = listen_fd;
	if ((worker_dummy_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_error("worker: socket: %s", strerror(errno));
		_exit(1);
	}
	if (fio_init() != 0 || crypto_init() != KILN_OK) {
		log_error("worker: library initialisation failed");
		_exit(1);
	}
	worker_signals();
	app.cfg = cfg;
	app.db = db_new(cfg);
	if (test_hook("KILN_TEST_API_LOSE_COMMIT") != NULL)
		db_test_lose_commits(app.db); /* tests only: see db.h */
	app.version = PACKAGE_VERSION;
	memcpy(app.build, worker_build, sizeof(app.build));
	(void)db_connect(app.db); /* early, but a failure is retried per request */
	arena = arena_new();
	f = fio_new(listen_fd);
	while (!worker_stop && (cfg->max_requests == 0 || served < cfg->max_requests)) {
		int rc = fio_accept(f);

		if (rc < 0) {
			if (worker_stop)
				break;
			if (rc != -EINTR) {
				struct timespec pause = {0, 10 * 1000 * 1000};

				log_warn("worker: accept failed (%d)", rc);
				nanosleep(&pause, NULL); /* e.g. EMFILE: do not spin */
			}
			continue;
		}
		worker_serve_one(&app, f, arena);
		served++;
	}
	fio_free(f);
	arena_free(arena);
	db_free(app.db);
	_exit(0);
}
