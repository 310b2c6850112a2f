/* SPDX-License-Identifier: MIT */
/* executor.c: starting kiln-run (see executor.h). */
#include "executor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

void
executor_run_path(const struct kiln_config *cfg, char *out, size_t n)
{
	config_program_path(cfg->run_path, "kiln-run", out, n);
}

int
executor_systemd_argv(const struct executor_job *job, const char *run_path, const char *config_path,
		      int64_t kill_grace, char bufs[EXECUTOR_ARGV_MAX][EXECUTOR_ARG_LEN],
		      char *argv[EXECUTOR_ARGV_MAX + 1])
{
	int argc = 0;

#define ARG(...)                                                                                   \
	do {                                                                                       \
		snprintf(bufs[argc], EXECUTOR_ARG_LEN, __VA_ARGS__);                               \
		argv[argc] = bufs[argc];                                                           \
		argc++;                                                                            \
	} while (0)
	ARG("systemd-run");
	ARG("--unit=kiln-job-%lld", (long long)job->id);
	ARG("--collect");
	ARG("--quiet");
	ARG("--property=MemoryMax=%lld", (long long)job->memory_bytes);
	ARG("--property=CPUQuota=%lld%%", (long long)job->cpus * 100);
	/* kiln-run ends the job at its timeout; the unit's own limit is the
	 * backstop, after the grace period and a minute for the wrap-up */
	ARG("--property=RuntimeMaxSec=%lld", (long long)(job->timeout_seconds + kill_grace + 60));
	ARG("--property=KillMode=control-group");
	ARG("%s", run_path);
	ARG("-c");
	ARG("%s", config_path);
	ARG("%lld", (long long)job->id);
#undef ARG
	argv[argc] = NULL;
	return argc;
}

/* Forks, and in the child forks again and execs argv detached from us
 * (own session, stdin from /dev/null): the supervisor outlives the tick
 * and is never our zombie. */
static enum kiln_err
executor_spawn(char *const argv[])
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0) {
		log_error("executor: fork: %s", strerror(errno));
		return KILN_ERR_IO;
	}
	if (pid == 0) {
		int fd;

		if (setsid() < 0 || fork() != 0)
			_exit(0);
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			if (fd > 2)
				close(fd);
		}
		/* nothing of ours goes with it: above all not the database
		 * connection, which would keep this tick's locks alive */
		close_range(3, ~0U, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return KILN_OK;
}

enum kiln_err
executor_start(const struct kiln_config *cfg, const char *config_path,
	       const struct executor_job *job)
{
	char run[4096], id[32];
	char bufs[EXECUTOR_ARGV_MAX][EXECUTOR_ARG_LEN];
	char *argv[EXECUTOR_ARGV_MAX + 1];

	executor_run_path(cfg, run, sizeof(run));
	if (strcmp(cfg->executor, "systemd") == 0) {
		executor_systemd_argv(job, run, config_path, cfg->kill_grace_seconds, bufs, argv);
		return executor_spawn(argv);
	}
	snprintf(id, sizeof(id), "%lld", (long long)job->id);
	snprintf(bufs[0], sizeof(bufs[0]), "-c");
	snprintf(bufs[1], sizeof(bufs[1]), "%s", config_path);
	{
		char *local[] = {run, bufs[0], bufs[1], id, NULL};

		return executor_spawn(local);
	}
}
