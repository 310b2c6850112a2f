/* SPDX-License-Identifier: MIT */
/* jobfile.h: reading what a job wrote into its own directory. The job
 * owns those folders and may have put links anywhere in them, and
 * kiln-run reads as root: every component is opened without following a
 * link, and only a regular file is read. Not for: kiln-run's own files
 * (logs/, which the job cannot write). */
#ifndef KILN_JOBFILE_H
#define KILN_JOBFILE_H

#include <sys/types.h>

/* Reads dir/sub/name into buf, at most max - 1 bytes, NUL-terminated
 * (dir is kiln-run's; sub and name are single components the job may
 * have replaced). The length, or -1. */
ssize_t jobfile_read(const char *dir, const char *sub, const char *name, char *buf, size_t max);

/* Removes dir/sub/name (the same folders, not followed); quiet when it
 * is not there. */
void jobfile_unlink(const char *dir, const char *sub, const char *name);

/* strdup that aborts on OOM: the supervisor's own strings. New. */
char *jobfile_strdup(const char *s);

#endif
