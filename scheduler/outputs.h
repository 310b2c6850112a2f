/* SPDX-License-Identifier: MIT */
/* outputs.h: the files a job leaves under outputs/, registered in
 * job_outputs when it ends: every regular file (symbolic links are never
 * followed, other kinds skipped), by path relative to outputs/, with its
 * size, SHA-256 and a content type from its extension. A path longer than
 * OUTPUTS_PATH_MAX bytes or not UTF-8 cannot be stored or linked: that
 * file is skipped with a warning, and the others are registered. The job
 * shaped the folder, and may still be running in it (with no sandbox): the
 * walk goes through descriptors, one level at a time with O_NOFOLLOW, so
 * a folder swapped for a link is not entered; a file is read only when it
 * is, opened, the regular file the listing saw (no FIFO that blocks), and
 * no further than its size then; a folder OUTPUTS_DEPTH_MAX levels down is
 * not walked (a file 31 folders below outputs/ is registered, one 32 is
 * not); a file with several names is read once; and past
 * OUTPUTS_HASH_MAX bytes read (a sparse file of 64 GiB costs the job no
 * disk) files are registered without a SHA-256. */
#ifndef KILN_OUTPUTS_H
#define KILN_OUTPUTS_H

#include <stdint.h>

#include "db.h"
#include "err.h"

#define OUTPUTS_MAX 10000             /* files registered per job; the rest are left */
#define OUTPUTS_PATH_MAX 1024         /* bytes of a registered path (job_outputs.path) */
#define OUTPUTS_DEPTH_MAX 32          /* a folder this many levels down is not walked */
#define OUTPUTS_HASH_MAX (64LL << 30) /* bytes read to hash, per job */

/* The content type of a file name by its extension ("application/octet-stream"
 * when unknown). Static. */
const char *outputs_content_type(const char *name);

/* Called for every entry and every 64 KiB read during a walk (hashing a
 * large output takes a while): kiln-run's heartbeat, which writes when its
 * interval has passed. Non-zero stops the walk (the job's lease was lost:
 * another attempt owns it now). */
typedef int (*outputs_beat_fn)(void *arg);

/* Registers the regular files under dir for job_id, calling beat (may be
 * NULL) with arg as it goes. OUT: *count. KILN_ERR_CONFLICT when beat
 * stopped it. */
enum kiln_err outputs_register(struct db *db, int64_t job_id, const char *dir, outputs_beat_fn beat,
			       void *arg, int64_t *count);

#endif
