/* SPDX-License-Identifier: MIT */
/* proc.c: a job's processes from /proc (see proc.h). */
#include "proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls fn(pid, rss pages, ctx) for every process of session sid. */
static void
proc_walk(pid_t sid, void (*fn)(pid_t pid, long rss, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[1024], *p;
		long session = 0, rss = 0;
		int field = 3, fd;
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* the command may hold spaces and parentheses: fields start
		 * after the last ')' with field 3 (the state) */
		if ((p = strrchr(buf, ')')) == NULL)
			continue;
		for (p++; *p != '\0' && field <= 24; field++) {
			while (*p == ' ')
				p++;
			if (field == 6)
				session = strtol(p, NULL, 10);
			if (field == 24)
				rss = strtol(p, NULL, 10);
			while (*p != ' ' && *p != '\0')
				p++;
		}
		if (session == (long)sid)
			fn((pid_t)strtol(e->d_name, NULL, 10), rss, ctx);
	}
	closedir(d);
}

static void
proc_add_rss(pid_t pid, long rss, void *ctx)
{
	(void)pid;
	*(int64_t *)ctx += rss;
}

int64_t
proc_session_rss(pid_t sid)
{
	int64_t pages = 0;

	proc_walk(sid, proc_add_rss, &pages);
	return pages * sysconf(_SC_PAGESIZE);
}

struct proc_sig {
	pid_t except;
	int sig, n;
};

static void
proc_send(pid_t pid, long rss, void *ctx)
{
	struct proc_sig *s = ctx;

	(void)rss;
	if (pid != s->except && kill(pid, s->sig) == 0)
		s->n++;
}

int
proc_session_signal(pid_t sid, pid_t except, int sig)
{
	struct proc_sig s = {except, sig, 0};

	proc_walk(sid, proc_send, &s);
	return s.n;
}
