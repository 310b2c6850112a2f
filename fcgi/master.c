/* SPDX-License-Identifier: MIT */
/* master.c: kiln-api's master process. It owns the listening socket and
 * the worker slots, and never touches the database or a request: that
 * keeps it small enough to be the thing that survives a worker crash.
 * Signals are blocked and taken synchronously with sigtimedwait(), so the
 * loop has no handler races. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "parse.h"
#include "ratelimit.h"
#include "router.h"
#include "streams.h"
#include "server.h"

#define MASTER_MAX_WORKERS 1024
#define MASTER_BACKLOG 1024
#define MASTER_RESPAWN_BURST 16 /* respawns per second before backing off */

struct master {
	const struct kiln_config *cfg;
	int listen_fd;
	size_t nworkers;
	pid_t pids[MASTER_MAX_WORKERS]; /* 0: empty slot */
	sigset_t sigs;
	time_t burst_start;
	unsigned burst;
};

static int
server_listen_unix(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "%s: another server is listening there", path);
		close(fd);
		return -1;
	}
	close(fd);
	{
		struct stat st;

		if (lstat(path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode)) {
				snprintf(err, errlen, "%s exists and is not a socket", path);
				return -1;
			}
			unlink(path); /* stale socket of a dead server */
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, mode) != 0 ||
	    listen(fd, MASTER_BACKLOG) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
fail:
	snprintf(err, errlen, "socket: %s", strerror(errno));
	return -1;
}

static int
server_listen_tcp(const char *spec, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1, gai;
	size_t hl;

	if (colon == NULL || (hl = (size_t)(colon - spec)) == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "listen: expected tcp:HOST:PORT");
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		snprintf(err, errlen, "listen %s: %s", spec, gai_strerror(gai));
		return -1;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, MASTER_BACKLOG) != 0) {
		snprintf(err, errlen, "listen %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
server_check_inherited(int fd, char *err, size_t errlen)
{
	int listening = 0;
	socklen_t len = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) {
		snprintf(err, errlen, "fd %d is not a listening socket", fd);
		return -1;
	}
	return fd;
}

int
server_listen(const struct kiln_config *cfg, char *err, size_t errlen, char *unlink_path,
	      size_t pathlen)
{
	const char *l = cfg->listen;
	int64_t n;
	int fd;

	unlink_path[0] = '\0';
	if (strncmp(l, "tcp:", 4) == 0)
		return server_listen_tcp(l + 4, err, errlen);
	if (strncmp(l, "fd:", 3) == 0) {
		if (parse_i64(l + 3, 0, 1023, &n) != KILN_OK) {
			snprintf(err, errlen, "listen: bad descriptor in %s", l);
			return -1;
		}
		return server_check_inherited((int)n, err, errlen);
	}
	if (strcmp(l, "systemd") == 0) {
		const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

		if (pid == NULL || fds == NULL || parse_i64(pid, 1, INT32_MAX, &n) != KILN_OK ||
		    (pid_t)n != getpid()) {
			snprintf(err, errlen, "listen = systemd, but no socket was passed");
			return -1;
		}
		return server_check_inherited(3, err, errlen);
	}
	if (l[0] != '/') {
		snprintf(err, errlen,
			 "listen: expected a socket path, tcp:HOST:PORT, fd:N or systemd");
		return -1;
	}
	fd = server_listen_unix(l, (mode_t)cfg->socket_mode, err, errlen);
	if (fd >= 0)
		snprintf(unlink_path, pathlen, "%s", l);
	return fd;
}

static size_t
master_worker_count(const struct kiln_config *cfg)
{
	long cpus;

	if (cfg->workers > 0)
		return (size_t)cfg->workers;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (size_t)cpus * 2 : 2;
}

static pid_t
master_spawn(struct master *m, size_t slot)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		worker_run(m->cfg, m->listen_fd); /* unblocks signals itself */
	m->pids[slot] = pid;
	return pid;
}

/* Reaps exited workers, emptying their slots. */
static void
master_reap(struct master *m)
{
	pid_t pid;
	int status;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < m->nworkers; i++) {
			if (m->pids[i] != pid)
				continue;
			m->pids[i] = 0;
			if (WIFSIGNALED(status))
				log_warn("worker %ld killed by signal %d", (long)pid,
					 WTERMSIG(status));
			else if (WEXITSTATUS(status) != 0)
				log_warn("worker %ld exited with %d", (long)pid,
					 WEXITSTATUS(status));
		}
	}
}

/* Fills empty slots, backing off when workers die in a tight loop. */
static void
master_fill(struct master *m)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < m->nworkers; i++) {
		if (m->pids[i] != 0)
			continue;
		if (now != m->burst_start) {
			m->burst_start = now;
			m->burst = 0;
		}
		if (m->burst++ >= MASTER_RESPAWN_BURST) {
			log_error("workers are dying too fast; pausing respawns for a second");
			return;
		}
		master_spawn(m, i);
	}
}

/* Waits until pid exits or deadline_s passes; SIGKILLs it then. */
static void
master_wait_one(struct master *m, pid_t pid, int deadline_s)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	int i, status;

	for (i = 0; i < deadline_s * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		nanosleep(&step, NULL);
	}
	log_warn("worker %ld did not stop in %d s; killing it", (long)pid, deadline_s);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	(void)m;
}

/* SIGHUP: a new worker per slot first, then the old one drains. */
static void
master_restart(struct master *m)
{
	size_t i;

	log_info("SIGHUP: restarting %zu workers one by one", m->nworkers);
	for (i = 0; i < m->nworkers; i++) {
		pid_t old = m->pids[i];

		if (master_spawn(m, i) < 0) {
			m->pids[i] = old;
			continue;
		}
		if (old > 0) {
			kill(old, SIGTERM);
			master_wait_one(m, old, SERVER_DRAIN_SECONDS);
		}
	}
}

/* SIGTERM: every worker finishes its request; stragglers are killed. */
static void
master_drain(struct master *m)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	size_t i, alive;
	int t;

	log_info("draining %zu workers", m->nworkers);
	for (i = 0; i < m->nworkers; i++)
		if (m->pids[i] > 0)
			kill(m->pids[i], SIGTERM);
	for (t = 0; t < SERVER_DRAIN_SECONDS * 100; t++) {
		master_reap(m);
		for (alive = 0, i = 0; i < m->nworkers; i++)
			alive += m->pids[i] > 0;
		if (alive == 0)
			return;
		nanosleep(&step, NULL);
	}
	for (i = 0; i < m->nworkers; i++)
		if (m->pids[i] > 0) {
			log_warn("worker %ld still busy after %d s; killing it", (long)m->pids[i],
				 SERVER_DRAIN_SECONDS);
			kill(m->pids[i], SIGKILL);
		}
	while (waitpid(-1, NULL, 0) > 0)
		;
}

static int
master_write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
master_run(const struct kiln_config *cfg, int listen_fd, const char *pidfile)
{
	static struct master m; /* large; one per process */
	struct timespec tick = {1, 0};
	siginfo_t info;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.cfg = cfg;
	m.listen_fd = listen_fd;
	m.nworkers = master_worker_count(cfg);
	if (m.nworkers > MASTER_MAX_WORKERS)
		m.nworkers = MASTER_MAX_WORKERS;
	sigemptyset(&m.sigs);
	sigaddset(&m.sigs, SIGTERM);
	sigaddset(&m.sigs, SIGINT);
	sigaddset(&m.sigs, SIGHUP);
	sigaddset(&m.sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m.sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pidfile != NULL && master_write_pidfile(pidfile) != 0) {
		log_error("cannot write pid file %s: %s", pidfile, strerror(errno));
		return 1;
	}
	db_library_init(); /* once, before fork; children connect on their own */
	/* the rate-limit counters every worker shares */
	if (ratelimit_init((size_t)cfg->rl_slots) != 0) {
		log_error("cannot map the rate-limit table: %s", strerror(errno));
		return 1;
	}
	/* the live-stream slots every worker shares */
	if (streams_init(cfg->sse_max_streams > 0 ? (size_t)cfg->sse_max_streams
						  : (m.nworkers + 1) / 2) != 0) {
		log_error("cannot map the stream slots: %s", strerror(errno));
		return 1;
	}
	/* the request counters every worker shares (GET /metrics) */
	if (metrics_init(route_count) != 0) {
		log_error("cannot map the metrics table: %s", strerror(errno));
		return 1;
	}
	worker_init_build();
	log_info("kiln-api master %ld: %zu workers on %s", (long)getpid(), m.nworkers, cfg->listen);
	master_fill(&m);
	for (;;) {
		int sig = sigtimedwait(&m.sigs, &info, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			master_drain(&m);
			break;
		}
		if (sig == SIGHUP)
			master_restart(&m);
		master_reap(&m);
		master_fill(&m);
	}
	for (i = 0; i < m.nworkers; i++)
		m.pids[i] = 0;
	if (pidfile != NULL)
		unlink(pidfile);
	log_info("kiln-api master %ld: stopped", (long)getpid());
	return 0;
}
