/* SPDX-License-Identifier: MIT */
/* sandbox.c: the bubblewrap command line (see sandbox.h). */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

/* What a host system lends a job, read-only, when the image is "host". */
static const char *const host_ro[] = {"/usr", "/etc", "/opt", NULL};
static const char *const host_links[][2] = {
    {"usr/bin", "/bin"}, {"usr/sbin", "/sbin"}, {"usr/lib", "/lib"}, {"usr/lib64", "/lib64"}};

/* Where dir (absolute, no trailing '/') is in a tree that base (absolute;
 * trailing '/' ignored) is the root of: its path below base ("" for base
 * itself), or NULL when it is not in it. */
static const char *
sandbox_below(const char *dir, const char *base)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/') /* "/srv/img/" is "/srv/img", "/" is "" */
		n--;
	if (strncmp(dir, base, n) != 0 || (dir[n] != '/' && dir[n] != '\0'))
		return NULL;
	return dir + n;
}

/* Appends a copy of x to argv. 0, or -1 when full. */
static int
sandbox_add(char *buf, size_t *used, char **argv, int *n, const char *x)
{
	size_t len = strlen(x) + 1;

	if (*n >= SANDBOX_ARGV_MAX || *used + len > SANDBOX_BUF_MAX)
		return -1;
	memcpy(buf + *used, x, len);
	argv[(*n)++] = buf + *used;
	*used += len;
	return 0;
}

int
sandbox_argv(const struct sandbox_spec *s, char buf[SANDBOX_BUF_MAX],
	     char *argv[SANDBOX_ARGV_MAX + 1])
{
	char fd[16];
	size_t used = 0, i;
	int n = 0;

#define A(x)                                                                                       \
	do {                                                                                       \
		if (sandbox_add(buf, &used, argv, &n, (x)) != 0)                                   \
			return -1;                                                                 \
	} while (0)
	A(s->bwrap);
	A("--die-with-parent");
	A("--unshare-user");
	A("--unshare-pid");
	A("--unshare-ipc");
	A("--unshare-uts");
	A("--unshare-cgroup-try");
	if (!s->network)
		A("--unshare-net");
	A("--disable-userns");
	A("--cap-drop");
	A("ALL");
	if (strcmp(s->image_root, "host") == 0) {
		for (i = 0; host_ro[i] != NULL; i++) {
			A("--ro-bind-try");
			A(host_ro[i]);
			A(host_ro[i]);
		}
		for (i = 0; i < sizeof(host_links) / sizeof(host_links[0]); i++) {
			A("--symlink");
			A(host_links[i][0]);
			A(host_links[i][1]);
		}
		if (s->hide_etc_kiln) {
			A("--tmpfs");
			A("/etc/kiln");
		}
		if (s->tool_src != NULL && s->tool_dst != NULL) {
			A("--ro-bind");
			A(s->tool_src);
			A(s->tool_dst);
		}
	} else {
		A("--ro-bind");
		A(s->image_root);
		A("/");
	}
	/* the storage root, where the job would see it: every job's folder
	 * is the job user's, so a job could read the others' */
	if (s->hide_dir != NULL) {
		const char *in = NULL;

		if (strcmp(s->image_root, "host") != 0)
			in = sandbox_below(s->hide_dir, s->image_root);
		for (i = 0; in == NULL && strcmp(s->image_root, "host") == 0 && host_ro[i] != NULL;
		     i++)
			if (sandbox_below(s->hide_dir, host_ro[i]) != NULL)
				in = s->hide_dir;
		if (in != NULL) {
			A("--tmpfs");
			A(in[0] != '\0' ? in : "/");
		}
	}
	A("--proc");
	A("/proc");
	A("--dev");
	A("/dev");
	for (i = 0; s->devices != NULL && s->devices[i] != NULL; i++) {
		A("--dev-bind");
		A(s->devices[i]);
		A(s->devices[i]);
	}
	A("--tmpfs");
	A("/tmp");
	snprintf(fd, sizeof(fd), "%d", s->workspace_fd);
	A("--bind-fd");
	A(fd);
	A("/workspace");
	A("--chdir");
	A(s->chdir);
	A("--");
	for (i = 0; s->command[i] != NULL; i++)
		A(s->command[i]);
#undef A
	argv[n] = NULL;
	return n;
}
