/* SPDX-License-Identifier: MIT */
/* sandbox.h: the command line that runs a job inside bubblewrap
 * (DESIGN.md section 6). The system is read-only: the host's /usr, /etc
 * and friends for image root "host", else the image directory as /; the
 * job directory (passed as an open descriptor) is /workspace and the only
 * writable place besides a private /tmp; new PID, IPC, UTS, user and
 * (unless allowed) network namespaces; no capabilities; no further user
 * namespaces; only the job's GPUs' device nodes. Pure: the caller opens
 * the descriptors and drops privileges before exec. */
#ifndef KILN_SANDBOX_H
#define KILN_SANDBOX_H

#include <stddef.h>

#define SANDBOX_ARGV_MAX 160
#define SANDBOX_GPUS_MAX 64

struct sandbox_spec {
	const char *bwrap;          /* "bwrap" */
	int workspace_fd;           /* the job directory, open */
	const char *image_root;     /* "host" or an image directory */
	const char *chdir;          /* inside, e.g. "/workspace/input" */
	int network;                /* 1: share the host's network */
	const char *const *devices; /* GPU device nodes that exist, NULL-terminated, or NULL */
	int hide_etc_kiln;          /* the host has /etc/kiln: cover it */
	char *const *command;       /* NULL-terminated */
	const char *tool_src;       /* a host program shown read-only at tool_dst, or NULL */
	const char *tool_dst;       /* (kiln-render for render jobs; host root only) */
	const char *hide_dir;       /* the storage root (real path), or NULL: covered when
				     * it lies in what the job sees, so that no job reads
				     * the others' folders */
};

#define SANDBOX_BUF_MAX 16384

/* Writes the argv into OUT: argv (NULL-terminated), its strings copied
 * into OUT: buf. Returns argc, or -1 when it would not fit. */
int sandbox_argv(const struct sandbox_spec *s, char buf[SANDBOX_BUF_MAX],
		 char *argv[SANDBOX_ARGV_MAX + 1]);

#endif
