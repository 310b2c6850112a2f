/* SPDX-License-Identifier: MIT */
/* storage.h: where kiln keeps files under [storage] root: tmp/ for uploads
 * in progress, datasets/USER/ID for data sets, jobs/ID/ for job
 * directories (the Running-work issue). Paths are built here from ids
 * only, never from names a client sent. Not for: who may read them. */
#ifndef KILN_STORAGE_H
#define KILN_STORAGE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"

#define STORAGE_PATH_MAX 4096 /* PATH_MAX on Linux */

/* Creates the root and its folders (mode 0750) when missing. */
enum kiln_err storage_prepare(const struct kiln_config *cfg);

/* Opens a new empty file under tmp/ (O_EXCL, mode 0640) for writing.
 * OUT: path. Returns the descriptor, or -1. */
int storage_tmp_open(const struct kiln_config *cfg, char path[STORAGE_PATH_MAX]);

/* The path of data set id of user into OUT: path. */
void storage_dataset_path(const struct kiln_config *cfg, int64_t user_id, int64_t id,
			  char path[STORAGE_PATH_MAX]);

/* The path of rel (a name kiln chose, never a client's) inside job id's
 * directory into OUT: path, e.g. rel "input/train.py". */
void storage_job_path(const struct kiln_config *cfg, int64_t id, const char *rel,
		      char path[STORAGE_PATH_MAX]);

/* Links a finished temporary file to final as well (same file system),
 * creating final's folders below the root; the temporary name stays until
 * it is unlinked. An existing final is replaced. */
enum kiln_err storage_link(const struct kiln_config *cfg, const char *tmp, const char *final);

/* A job's folder belongs to the job's user, who can put anything in
 * place of its logs/ (a link to another job's, a folder of its own): the
 * logs are reached only through these, which follow no link and accept
 * only a logs/ folder of the caller's user (kiln's, as kiln-api runs) or
 * of root (kiln-run made those before it gave logs/ to kiln). */

/* Opens job id's logs/ folder (O_DIRECTORY). With create, makes jobs/ID/
 * and logs/ when missing. The descriptor, or -1 with errno (ENOENT:
 * none; ELOOP, ENOTDIR or EPERM: not a real folder of ours). */
int storage_job_logs_open(const struct kiln_config *cfg, int64_t id, int create);

/* Opens name in job id's logs/ for reading, as storage_job_logs_open
 * checks it. The descriptor, or -1 with errno. */
int storage_job_log_open(const struct kiln_config *cfg, int64_t id, const char *name);

/* Removes path and everything below it, following no link (rmtree.h: a
 * tree only its owner can change, or as a user no stronger than it); a
 * missing one is fine. 0 or -1 with errno. */
int storage_remove_tree(const char *path);

/* storage_remove_tree in a child running as uid:gid (the caller is root):
 * for a tree that user shaped. 0 or -1. */
int storage_remove_tree_as(const char *path, uid_t uid, gid_t gid);

/* Removes job id's directory and everything in it, safely whatever the
 * job left there (storage.c says how); a missing one is fine. A caller
 * that may not remove the job user's files (kiln-api) renames the folder
 * ID.gone instead, for storage_jobs_sweep. */
enum kiln_err storage_job_remove(const struct kiln_config *cfg, int64_t id);

/* Removes the ID.gone folders (as root: kilnctl gc). OUT: *n += how many. */
enum kiln_err storage_jobs_sweep(const struct kiln_config *cfg, int64_t *n);

#endif
