/* SPDX-License-Identifier: MIT */
/* joblog.c: a job's log files, written whole (see joblog.h). */
#include "joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "storage.h"

/* Writes len bytes of data as name in the logs folder lfd: aside as
 * .name.new, then renamed over name, so a reader sees the old file or
 * the new one. */
static enum kiln_err
joblog_put(int lfd, const char *name, const char *data, size_t len)
{
	char tmp[64];
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.new", name);
	fd = openat(lfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || io_write_all(fd, data, len) != 0 || fsync(fd) != 0 ||
	    renameat(lfd, tmp, lfd, name) != 0) {
		log_error("joblog: cannot write logs/%s: %s", name, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(lfd, tmp, 0);
		}
		return KILN_ERR_IO;
	}
	close(fd);
	return KILN_OK;
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

size_t
joblog_end_json(char buf[JOBLOG_END_MAX], int64_t out, int64_t err, int64_t comb, int out_cut,
		int err_cut, const char *status)
{
	int n =
	    snprintf(buf, JOBLOG_END_MAX,
		     "{\"stdout_bytes\": %lld, \"stderr_bytes\": %lld, \"combined_bytes\": %lld, "
		     "\"stdout_truncated\": %s, \"stderr_truncated\": %s, \"status\": \"%s\"}\n",
		     (long long)out, (long long)err, (long long)comb, out_cut ? "true" : "false",
		     err_cut ? "true" : "false", status);

	return n < 0 ? 0 : (size_t)n < JOBLOG_END_MAX ? (size_t)n : JOBLOG_END_MAX - 1;
}

enum kiln_err
joblog_replace(const struct kiln_config *cfg, int64_t id, const char *out, size_t olen,
	       const char *err, size_t elen, int64_t ms, const char *status)
{
	size_t n =
	    joblog_records(NULL, 'o', out, olen, ms) + joblog_records(NULL, 'e', err, elen, ms);
	char *comb, end[JOBLOG_END_MAX];
	enum kiln_err rc;
	int lfd = storage_job_logs_open(cfg, id, 1);

	if (lfd < 0) {
		log_error("joblog: job %lld: no logs folder of ours: %s", (long long)id,
			  strerror(errno));
		return KILN_ERR_IO;
	}
	if ((comb = malloc(n + 1)) == NULL)
		abort();
	n = joblog_records(comb, 'o', out, olen, ms);
	n += joblog_records(comb + n, 'e', err, elen, ms);
	joblog_end_json(end, (int64_t)olen, (int64_t)elen, (int64_t)n, 0, 0, status);
	if ((rc = joblog_put(lfd, "stdout.log", out, olen)) == KILN_OK &&
	    (rc = joblog_put(lfd, "stderr.log", err, elen)) == KILN_OK &&
	    (rc = joblog_put(lfd, "combined.log", comb, n)) == KILN_OK)
		rc = joblog_put(lfd, "end.json", end, strlen(end));
	free(comb);
	close(lfd);
	return rc;
}
