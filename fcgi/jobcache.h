/* SPDX-License-Identifier: MIT */
/* jobcache.h: each worker's last answers of GET /api/v1/jobs/{id}, the
 * JSON bytes by job id, each valid for one row_version of the job (a
 * trigger bumps it on every UPDATE, sql/019). A job's answer is a function
 * of its row alone, so a reader that finds the same (id, row_version) in
 * the head it read with the caller's credentials answers the stored bytes
 * without reading or rendering the job again. Per process, no locks;
 * bounded: JOBCACHE_SLOTS answers, each at most JOBCACHE_BODY_MAX bytes. */
#ifndef KILN_JOBCACHE_H
#define KILN_JOBCACHE_H

#include <stddef.h>
#include <stdint.h>

#define JOBCACHE_SLOTS 256
#define JOBCACHE_BODY_MAX 8192

/* The answer stored for job id at version, borrowed until the next put or
 * clear, with its length in OUT: *len; NULL when there is none. */
const char *jobcache_get(int64_t id, int64_t version, size_t *len);

/* Stores body (len bytes, copied) as job id's answer at version, in place
 * of whatever shared its slot. A body over JOBCACHE_BODY_MAX is not kept
 * (and drops an older answer of the same job). Aborts when out of memory. */
void jobcache_put(int64_t id, int64_t version, const char *body, size_t len);

/* Forgets every answer and frees the memory. */
void jobcache_clear(void);

#endif
