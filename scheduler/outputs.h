/* SPDX-License-Identifier: MIT */
/* outputs.h: the files a job leaves under outputs/, registered in
 * job_outputs when it ends: every regular file (symbolic links are never
 * followed, other kinds skipped), by path relative to outputs/, with its
 * size, SHA-256 and a content type from its extension. A path longer than
 * OUTPUTS_PATH_MAX bytes or not UTF-8 cannot be stored or linked: that
 * file is skipped with a warning, and the others are registered. */
#ifndef KILN_OUTPUTS_H
#define KILN_OUTPUTS_H

#include <stdint.h>

#include "db.h"
#include "err.h"

#define OUTPUTS_MAX 10000     /* files registered per job; the rest are left */
#define OUTPUTS_PATH_MAX 1024 /* bytes of a registered path (job_outputs.path) */

/* The content type of a file name by its extension ("application/octet-stream"
 * when unknown). Static. */
const char *outputs_content_type(const char *name);

/* Registers the regular files under dir for job_id. OUT: *count. */
enum kiln_err outputs_register(struct db *db, int64_t job_id, const char *dir, int64_t *count);

#endif
