/* SPDX-License-Identifier: MIT */
/* t_sched.c: the scheduler's pure parts: nvidia-smi parsing, the
 * systemd-run command line, the bubblewrap command line, content types. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "executor.h"
#include "node.h"
#include "outputs.h"
#include "proc.h"
#include "sandbox.h"
#include "suites.h"

static void
t_sched_smi(void)
{
	struct node_info n;

	memset(&n, 0, sizeof(n));
	CU_ASSERT_EQUAL(node_parse_smi("0, NVIDIA H100 80GB HBM3, 81559 MiB, GPU-1a2b\n"
				       "1, NVIDIA H100 80GB HBM3, 81559 MiB, GPU-3c4d\n",
				       &n),
			2);
	CU_ASSERT_EQUAL(n.gpus[1].index, 1);
	CU_ASSERT_STRING_EQUAL(n.gpus[0].name, "NVIDIA H100 80GB HBM3");
	CU_ASSERT_EQUAL(n.gpus[0].memory_mb, 81559);
	CU_ASSERT_STRING_EQUAL(n.gpus[1].uuid, "GPU-3c4d");
	/* no trailing newline; junk lines skipped */
	CU_ASSERT_EQUAL(node_parse_smi("No devices were found\n3, A10, 24576 MiB, GPU-x", &n), 1);
	CU_ASSERT_EQUAL(n.gpus[0].index, 3);
	CU_ASSERT_EQUAL(node_parse_smi("", &n), 0);
}

static void
t_sched_systemd(void)
{
	struct executor_job job = {42, (int64_t)8 << 30, 4, 3600, 1};
	char bufs[EXECUTOR_ARGV_MAX][EXECUTOR_ARG_LEN];
	char *argv[EXECUTOR_ARGV_MAX + 1];
	int argc =
	    executor_systemd_argv(&job, "/usr/bin/kiln-run", "/etc/kiln/kiln.conf", 5, bufs, argv);

	CU_ASSERT_EQUAL_FATAL(argc, 12);
	CU_ASSERT_STRING_EQUAL(argv[0], "systemd-run");
	CU_ASSERT_STRING_EQUAL(argv[1], "--unit=kiln-job-42");
	CU_ASSERT_STRING_EQUAL(argv[2], "--collect");
	CU_ASSERT_STRING_EQUAL(argv[4], "--property=MemoryMax=8589934592");
	CU_ASSERT_STRING_EQUAL(argv[5], "--property=CPUQuota=400%");
	CU_ASSERT_STRING_EQUAL(argv[6], "--property=RuntimeMaxSec=3665");
	CU_ASSERT_STRING_EQUAL(argv[8], "/usr/bin/kiln-run");
	CU_ASSERT_STRING_EQUAL(argv[10], "/etc/kiln/kiln.conf");
	CU_ASSERT_STRING_EQUAL(argv[11], "42");
	CU_ASSERT_PTR_NULL(argv[12]);
}

/* argv has the pair a b (or a alone when b is NULL) somewhere. */
static int
has(char *const *argv, const char *a, const char *b)
{
	int i;

	for (i = 0; argv[i] != NULL; i++)
		if (strcmp(argv[i], a) == 0 &&
		    (b == NULL || (argv[i + 1] && !strcmp(argv[i + 1], b))))
			return 1;
	return 0;
}

static void
t_sched_sandbox(void)
{
	char a0[] = "/bin/sh", a1[] = "-c", a2[] = "echo hi";
	char *cmd[] = {a0, a1, a2, NULL};
	const char *devs[] = {"/dev/nvidia1", "/dev/nvidiactl", NULL};
	struct sandbox_spec s = {"bwrap", 7,    "host", "/workspace/input", 0, devs, 1, cmd,
				 NULL,    NULL, NULL};
	char *argv[SANDBOX_ARGV_MAX + 1], buf[SANDBOX_BUF_MAX];
	int argc = sandbox_argv(&s, buf, argv), i;

	CU_ASSERT_FATAL(argc > 10);
	CU_ASSERT_STRING_EQUAL(argv[0], "bwrap");
	CU_ASSERT(has(argv, "--unshare-net", NULL));
	CU_ASSERT(has(argv, "--unshare-pid", NULL));
	CU_ASSERT(has(argv, "--die-with-parent", NULL));
	CU_ASSERT(has(argv, "--disable-userns", NULL));
	CU_ASSERT(has(argv, "--cap-drop", "ALL"));
	CU_ASSERT(has(argv, "--ro-bind-try", "/usr"));
	CU_ASSERT(has(argv, "--tmpfs", "/etc/kiln"));
	CU_ASSERT(has(argv, "--tmpfs", "/tmp"));
	CU_ASSERT(has(argv, "--bind-fd", "7"));
	CU_ASSERT(has(argv, "--chdir", "/workspace/input"));
	CU_ASSERT(has(argv, "--dev-bind", "/dev/nvidia1"));
	/* nothing writable but the workspace and /tmp; never the host's / */
	for (i = 0; argv[i] != NULL; i++) {
		CU_ASSERT(strcmp(argv[i], "--bind") != 0);
		CU_ASSERT(!(strcmp(argv[i], "--ro-bind") == 0 && strcmp(argv[i + 1], "/") == 0));
	}
	/* the command comes last, after -- */
	CU_ASSERT_STRING_EQUAL(argv[argc - 4], "--");
	CU_ASSERT_STRING_EQUAL(argv[argc - 1], "echo hi");
	/* network allowed; an image directory as / */
	s.network = 1;
	s.image_root = "/srv/images/cuda12";
	s.devices = NULL;
	s.hide_etc_kiln = 0;
	argc = sandbox_argv(&s, buf, argv);
	CU_ASSERT(!has(argv, "--unshare-net", NULL));
	CU_ASSERT(has(argv, "--ro-bind", "/srv/images/cuda12"));
	CU_ASSERT(!has(argv, "--ro-bind-try", "/usr"));
	CU_ASSERT(!has(argv, "--dev-bind", NULL));
	/* a render: kiln-render shown read-only where the job runs it */
	s.image_root = "host";
	s.tool_src = "/work/build/render/kiln-render";
	s.tool_dst = "/kiln/bin/kiln-render";
	argc = sandbox_argv(&s, buf, argv);
	CU_ASSERT_FATAL(argc > 0);
	for (i = 0; argv[i] != NULL && strcmp(argv[i], s.tool_src) != 0; i++)
		;
	CU_ASSERT_FATAL(argv[i] != NULL && i > 0);
	CU_ASSERT_STRING_EQUAL(argv[i - 1], "--ro-bind");
	CU_ASSERT_STRING_EQUAL(argv[i + 1], "/kiln/bin/kiln-render");
	/* the storage root is covered where the job would see it, and only there */
	s.hide_dir = "/opt/kiln/storage";
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(has(argv, "--tmpfs", "/opt/kiln/storage"));
	s.hide_dir = "/var/lib/kiln";
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(!has(argv, "--tmpfs", "/var/lib/kiln"));
	s.hide_dir = "/optical/kiln"; /* not in /opt */
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(!has(argv, "--tmpfs", "/optical/kiln"));
	s.image_root = "/srv/images/cuda12";
	s.hide_dir = "/srv/images/cuda12/kiln";
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(has(argv, "--tmpfs", "/kiln"));
	s.image_root = "/srv/images/cuda12/"; /* as the image map allows it */
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(has(argv, "--tmpfs", "/kiln"));
	s.hide_dir = "/opt/kiln/storage"; /* not in this image */
	CU_ASSERT_FATAL(sandbox_argv(&s, buf, argv) > 0);
	CU_ASSERT(!has(argv, "--tmpfs", "/opt/kiln/storage"));
}

static void
t_sched_types(void)
{
	CU_ASSERT_STRING_EQUAL(outputs_content_type("model/metrics.json"), "application/json");
	CU_ASSERT_STRING_EQUAL(outputs_content_type("film.MP4"), "video/mp4");
	CU_ASSERT_STRING_EQUAL(outputs_content_type("weights.bin"), "application/octet-stream");
	CU_ASSERT_STRING_EQUAL(outputs_content_type(".png"), "application/octet-stream");
}

/* The timer fires every second, to the 100 ms, and the service is a
 * oneshot whose jobs go to their own units (executor = systemd). */
static void
t_sched_units(void)
{
	static const char *const want[][2] = {{"kiln-scheduler.timer", "OnUnitActiveSec=1s\n"},
					      {"kiln-scheduler.timer", "AccuracySec=100ms\n"},
					      {"kiln-scheduler.service", "Type=oneshot\n"},
					      {"kiln-scheduler.service", "executor = systemd"}};
	char path[4096], buf[8192];
	size_t i, n;
	FILE *f;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/systemd/%s.in",
			 getenv("top_srcdir") ? getenv("top_srcdir") : ".", want[i][0]);
		f = fopen(path, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, want[i][1]));
	}
}

static volatile sig_atomic_t t_termed;

static void
t_on_term(int sig)
{
	(void)sig;
	t_termed = 1;
}

/* A session leader (the monitor, spared) and a member that reports
 * SIGTERM on a pipe: only the member is signalled; both count as RSS. */
static void
t_sched_proc(void)
{
	int ready[2], got[2], st;
	pid_t leader, member = 0;
	char c = 0;

	CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(got) == 0);
	leader = fork();
	CU_ASSERT_FATAL(leader >= 0);
	if (leader == 0) {
		setsid();
		if ((member = fork()) == 0) {
			struct sigaction sa;
			sigset_t term, old;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = t_on_term;
			sigaction(SIGTERM, &sa, NULL);
			/* blocked until sigsuspend: a SIGTERM between the check and
			 * the wait cannot be lost */
			sigemptyset(&term);
			sigaddset(&term, SIGTERM);
			sigprocmask(SIG_BLOCK, &term, &old);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			while (!t_termed)
				sigsuspend(&old);
			if (write(got[1], "t", 1) != 1)
				_exit(1);
			_exit(0);
		}
		waitpid(member, &st, 0); /* the leader stays, as bwrap does */
		_exit(0);
	}
	close(ready[1]); /* a child that dies ends the reads below: no hang */
	close(got[1]);
	CU_ASSERT_EQUAL_FATAL(read(ready[0], &c, 1), 1);
	CU_ASSERT(proc_session_rss(leader) > 0);
	CU_ASSERT_EQUAL(proc_session_signal(leader, leader, SIGTERM), 1);
	CU_ASSERT_EQUAL(read(got[0], &c, 1), 1);
	CU_ASSERT_EQUAL(c, 't');
	CU_ASSERT_EQUAL(waitpid(leader, &st, 0), leader);
	CU_ASSERT(WIFEXITED(st)); /* the leader was not signalled */
	CU_ASSERT_EQUAL(proc_session_signal(leader, 0, SIGTERM), 0);
	close(ready[0]);
	close(got[0]);
}

void
suite_sched(void)
{
	CU_pSuite s = CU_add_suite("scheduler parts", NULL, NULL);

	CU_add_test(s, "nvidia-smi CSV", t_sched_smi);
	CU_add_test(s, "systemd-run command line", t_sched_systemd);
	CU_add_test(s, "bubblewrap command line", t_sched_sandbox);
	CU_add_test(s, "output content types", t_sched_types);
	CU_add_test(s, "systemd timer and service", t_sched_units);
	CU_add_test(s, "a session's processes: signal all but one, RSS", t_sched_proc);
}
