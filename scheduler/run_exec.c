/* SPDX-License-Identifier: MIT */
/* run_exec.c: the child that becomes the job (see run.h): its
 * environment, its command (kiln-render for a render), its GPUs' device
 * nodes, limits and identity, then bubblewrap. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jobstate.h"
#include "render_job.h"
#include "run.h"
#include "sandbox.h"

/* NAME=VALUE into env (new), replacing an earlier NAME: each name is
 * there once, and the last setting wins. */
static void
run_setenv(char **env, size_t *n, const char *name, const char *value)
{
	size_t nlen = strlen(name), len = nlen + strlen(value) + 2, k, at = *n;
	char *kv;

	for (k = 0; k < *n; k++)
		if (strncmp(env[k], name, nlen) == 0 && env[k][nlen] == '=')
			at = k;
	if ((at == *n && *n >= RUN_ENV_MAX - 1) || (kv = malloc(len)) == NULL)
		return;
	snprintf(kv, len, "%s=%s", name, value);
	if (at < *n)
		free(env[at]);
	else
		(*n)++;
	env[at] = kv;
}

/* The job's environment: a clean one (PATH, HOME, LANG, TMPDIR), which
 * the job's own variables may change (checked at submit: no LD_*, no
 * KILN_*, not the GPU names), then kiln's. */
static void
run_env(const struct job *j, const char *ws, char **env)
{
	char buf[RUN_PATH + 64];
	json_t *e = json_loads(j->env_json, 0, NULL), *v;
	const char *k;
	size_t n = 0;

	run_setenv(env, &n, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	run_setenv(env, &n, "HOME", ws);
	run_setenv(env, &n, "LANG", "C.UTF-8");
	run_setenv(env, &n, "TMPDIR", "/tmp");
	json_object_foreach(e, k, v) if (json_is_string(v))
	    run_setenv(env, &n, k, json_string_value(v));
	json_decref(e);
	snprintf(buf, sizeof(buf), "%lld", (long long)j->id);
	run_setenv(env, &n, "KILN_JOB_ID", buf);
	run_setenv(env, &n, "KILN_WORKSPACE", ws);
	run_setenv(env, &n, "KILN_ALLOW_PIP", j->allow_pip ? "1" : "0");
	snprintf(buf, sizeof(buf), "%s/outputs", ws);
	run_setenv(env, &n, "KILN_OUTPUT_DIR", buf);
	snprintf(buf, sizeof(buf), "%s/.kiln/progress", ws);
	run_setenv(env, &n, "KILN_PROGRESS_FILE", buf);
	snprintf(buf, sizeof(buf), "%s/.kiln/failure", ws);
	run_setenv(env, &n, "KILN_FAILURE_FILE", buf);
	if (j->dataset_id != 0) {
		snprintf(buf, sizeof(buf), "%s/%s", ws, j->ds_rel);
		run_setenv(env, &n, "KILN_DATASET", buf);
	}
	/* kiln numbers GPUs as nvidia-smi does, by PCI bus; CUDA's own
	 * default order is fastest first, which differs on mixed hosts */
	run_setenv(env, &n, "CUDA_DEVICE_ORDER", "PCI_BUS_ID");
	run_setenv(env, &n, "CUDA_VISIBLE_DEVICES", j->gpu_ids);
	run_setenv(env, &n, "NVIDIA_VISIBLE_DEVICES", j->gpu_ids[0] ? j->gpu_ids : "void");
	env[n] = NULL;
}

/* The job's argv: kiln-render for a render (tool: its path as the job
 * sees it, ws: the workspace), its command, or sh -c its script (new
 * strings). */
static int
run_command(const struct kiln_config *cfg, const struct job *j, const char *tool, const char *ws,
	    char **argv)
{
	json_t *cmd;
	size_t i, n = 0;

	if (strcmp(j->kind, JOB_KIND_RENDER) == 0)
		return render_job_argv(cfg, tool, ws, argv, RUN_ARGV_MAX);
	if (j->command_json[0] == '\0') {
		argv[n++] = jobfile_strdup("/bin/sh");
		argv[n++] = jobfile_strdup("-c");
		argv[n++] = jobfile_strdup(j->script);
		argv[n] = NULL;
		return 0;
	}
	if ((cmd = json_loads(j->command_json, 0, NULL)) == NULL || !json_is_array(cmd))
		return -1;
	for (i = 0; i < json_array_size(cmd) && n < RUN_ARGV_MAX - 1; i++)
		argv[n++] = jobfile_strdup(json_string_value(json_array_get(cmd, i)));
	argv[n] = NULL;
	json_decref(cmd);
	return n > 0 ? 0 : -1;
}

/* The GPU device nodes of the job's GPUs that exist here, plus the
 * control nodes. */
static void
run_devices(const struct job *j, char names[][32], const char **devs)
{
	static const char *const ctl[] = {"/dev/nvidiactl", "/dev/nvidia-uvm",
					  "/dev/nvidia-uvm-tools", NULL};
	const char *g = j->gpu_ids;
	size_t n = 0, i;

	while (*g != '\0' && n < SANDBOX_GPUS_MAX) {
		char *end;
		long k = strtol(g, &end, 10);

		g = end;

		snprintf(names[n], 32, "/dev/nvidia%ld", k);
		if (access(names[n], F_OK) == 0)
			devs[n] = names[n], n++;
		if (*g == ',')
			g++;
		else
			break;
	}
	for (i = 0; ctl[i] != NULL && n > 0; i++)
		if (access(ctl[i], F_OK) == 0)
			devs[n++] = ctl[i];
	devs[n] = NULL;
}

/* In the child: limits, identity, then exec. Never returns. */
void
run_exec(const struct kiln_config *cfg, const struct job *j, int out, int err)
{
	char *argv[RUN_ARGV_MAX], *env[RUN_ENV_MAX], chdir_to[RUN_PATH + 1100],
	    devnames[SANDBOX_GPUS_MAX][32];
	const char *devs[SANDBOX_GPUS_MAX + 4];
	char *bargv[SANDBOX_ARGV_MAX + 1], *bbuf = malloc(SANDBOX_BUF_MAX);
	struct rlimit core = {0, 0}, fsize = {RUN_FSIZE_MAX, RUN_FSIZE_MAX},
		      nproc = {RUN_NPROC_MAX, RUN_NPROC_MAX};
	int sandboxed = strcmp(cfg->sandbox, "none") != 0, ws = -1, null;
	int render = strcmp(j->kind, JOB_KIND_RENDER) == 0;
	char tool[RUN_PATH];

	if (setsid() < 0)
		_exit(126);
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	setrlimit(RLIMIT_CORE, &core);
	setrlimit(RLIMIT_FSIZE, &fsize);
	setrlimit(RLIMIT_NPROC, &nproc);
	config_program_path(cfg->render_path, "kiln-render", tool, sizeof(tool));
	if (run_command(cfg, j, sandboxed ? RENDER_JOB_TOOL : tool,
			sandboxed ? "/workspace" : j->dir, argv) != 0) {
		fprintf(stderr, "kiln-run: the job has no command\n");
		_exit(126);
	}
	/* the job inherits no descriptor of ours (the database connection
	 * above all) but the workspace that bubblewrap mounts */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (sandboxed && (ws = open(j->dir, O_PATH | O_DIRECTORY)) < 0)
		_exit(126);
	if (run_user != NULL && (setgroups(0, NULL) != 0 || setgid(run_user->pw_gid) != 0 ||
				 setuid(run_user->pw_uid) != 0)) {
		fprintf(stderr, "kiln-run: cannot become %s\n", run_user->pw_name);
		_exit(126);
	}
	if (!sandboxed) {
		snprintf(chdir_to, sizeof(chdir_to), "%s/%s", j->dir, j->working_dir);
		run_env(j, j->dir, env);
		if (chdir(chdir_to) != 0)
			_exit(126);
		execvpe(argv[0], argv, env);
		fprintf(stderr, "kiln-run: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	snprintf(chdir_to, sizeof(chdir_to), "/workspace%s%s", j->working_dir[0] ? "/" : "",
		 j->working_dir);
	run_env(j, "/workspace", env);
	run_devices(j, devnames, devs);
	{
		/* a render runs kiln-render on the host's system */
		char *root = realpath(cfg->storage_root, NULL);
		int argc;
		struct sandbox_spec s = {"bwrap",
					 ws,
					 render ? "host" : j->image_root,
					 chdir_to,
					 (int)cfg->network,
					 devs,
					 access("/etc/kiln", F_OK) == 0,
					 argv,
					 render ? tool : NULL,
					 render ? RENDER_JOB_TOOL : NULL,
					 root != NULL ? root : cfg->storage_root};

		argc = bbuf != NULL ? sandbox_argv(&s, bbuf, bargv) : -1; /* copies root */
		free(root);
		if (argc < 0)
			_exit(126);
	}
	execvpe("bwrap", bargv, env);
	fprintf(stderr, "kiln-run: cannot run bwrap: %s\n", strerror(errno));
	_exit(127);
}
