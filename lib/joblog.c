/* SPDX-License-Identifier: MIT */
/* joblog.c: a job's log files, written whole (see joblog.h). */
#include "joblog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "storage.h"

/* Writes len bytes of data as job id's file rel: aside under tmp/, then
 * linked in place of what was there. */
static enum kiln_err
joblog_put(const struct kiln_config *cfg, int64_t id, const char *rel, const char *data, size_t len)
{
	char tmp[STORAGE_PATH_MAX], final[STORAGE_PATH_MAX];
	enum kiln_err rc = KILN_ERR_IO;
	int fd = storage_tmp_open(cfg, tmp);

	if (fd < 0) {
		log_error("joblog: cannot open a file under tmp/: %s", strerror(errno));
		return KILN_ERR_IO;
	}
	if (io_write_all(fd, data, len) == 0 && fsync(fd) == 0) {
		storage_job_path(cfg, id, rel, final);
		rc = storage_link(cfg, tmp, final);
	} else {
		log_error("joblog: cannot write %s: %s", tmp, strerror(errno));
	}
	close(fd);
	unlink(tmp);
	return rc;
}

/* Stream c's text (len bytes) as combined records, a line (or
 * JOBLOG_LINE_MAX bytes of one) each, into buf (NULL: only counted). The
 * records' length. */
static size_t
joblog_records(char *buf, char c, const char *text, size_t len, int64_t ms)
{
	char head[32];
	size_t hl = (size_t)snprintf(head, sizeof(head), "%c %lld ", c, (long long)ms), n = 0,
	       i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t line = nl != NULL ? (size_t)(nl - (text + i)) : len - i;
		size_t take = line > JOBLOG_LINE_MAX ? JOBLOG_LINE_MAX : line;

		if (buf != NULL) {
			memcpy(buf + n, head, hl);
			memcpy(buf + n + hl, text + i, take);
			buf[n + hl + take] = '\n';
		}
		n += hl + take + 1;
		i += take + (take == line && nl != NULL);
	}
	return n;
}

enum kiln_err
joblog_replace(const struct kiln_config *cfg, int64_t id, const char *out, size_t olen,
	       const char *err, size_t elen, int64_t ms, const char *status)
{
	size_t n =
	    joblog_records(NULL, 'o', out, olen, ms) + joblog_records(NULL, 'e', err, elen, ms);
	char *comb = malloc(n + 1), end[256];
	enum kiln_err rc;

	if (comb == NULL)
		abort();
	if ((rc = storage_prepare(cfg)) != KILN_OK) {
		free(comb);
		return rc;
	}
	n = joblog_records(comb, 'o', out, olen, ms);
	n += joblog_records(comb + n, 'e', err, elen, ms);
	snprintf(end, sizeof(end),
		 "{\"stdout_bytes\": %zu, \"stderr_bytes\": %zu, \"combined_bytes\": %zu, "
		 "\"stdout_truncated\": false, \"stderr_truncated\": false, \"status\": \"%s\"}\n",
		 olen, elen, n, status);
	if ((rc = joblog_put(cfg, id, "logs/stdout.log", out, olen)) == KILN_OK &&
	    (rc = joblog_put(cfg, id, "logs/stderr.log", err, elen)) == KILN_OK &&
	    (rc = joblog_put(cfg, id, "logs/combined.log", comb, n)) == KILN_OK)
		rc = joblog_put(cfg, id, "logs/end.json", end, strlen(end));
	free(comb);
	return rc;
}
