/* SPDX-License-Identifier: MIT */
/* server.h: kiln-api's process model. master.c opens the socket, forks
 * the workers, respawns them and handles signals; worker.c serves
 * requests on the inherited socket. */
#ifndef KILN_SERVER_H
#define KILN_SERVER_H

#include "config.h"

#define SERVER_DRAIN_SECONDS 5

/* Opens the listening socket named by cfg->listen: a unix socket path
 * (mode cfg->socket_mode; a stale socket file is replaced, a live one is an
 * error), "tcp:HOST:PORT", "fd:N" (inherited, e.g. from spawn-fcgi or
 * systemd's StandardInput=socket) or "systemd" (LISTEN_FDS, fd 3).
 * Returns the descriptor, or -1 with OUT: err. OUT: *unlink_path is set to
 * the socket path the master created (to remove on exit), else "". */
int server_listen(const struct kiln_config *cfg, char *err, size_t errlen, char *unlink_path,
		  size_t pathlen);

/* Runs the master until SIGTERM/SIGINT (drain) and returns the exit code.
 * SIGHUP replaces the workers one by one. pidfile may be NULL. */
int master_run(const struct kiln_config *cfg, int listen_fd, const char *pidfile);

/* Tags this binary for the workers it forks (the ETags of job answers):
 * the master calls it once, before the first fork. */
void worker_init_build(void);

/* Serves requests on listen_fd until told to stop or max_requests served;
 * never returns. SIGTERM lets the request in hand finish. */
void worker_run(const struct kiln_config *cfg, int listen_fd) __attribute__((noreturn));

#endif
