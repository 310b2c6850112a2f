/* SPDX-License-Identifier: MIT */
/* run_log.c: a job's logs (see run.h): stdout.log and stderr.log capped
 * at [sandbox] max_log_bytes each, combined.log with both streams as
 * records "o|e MS TEXT" in the order they came, and end.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "io.h"
#include "log.h"
#include "run.h"

/* combined.log records made from one read, written together: one write
 * and one clock reading a chunk, not two writes and a reading a line (the
 * lines of one read came at the same moment). Only whole records are
 * written, so a reader never sees half of one. */
#define COMB_OUT_MAX (64 * 1024 + COMB_LINE_MAX)

struct comb_out {
	char buf[COMB_OUT_MAX];
	size_t len;
	int64_t ms; /* when the chunk was read */
};

static void
run_comb_flush(struct job *j, struct comb_out *o)
{
	if (o->len > 0 && io_write_all(j->comb_fd, o->buf, o->len) != 0)
		log_warn("run: job %lld: log write failed", (long long)j->id);
	j->comb_bytes += (int64_t)o->len;
	o->len = 0;
}

/* Adds stream k's partial line to o as one record (COMB_CAP_FACTOR times
 * max_log_bytes in all, then a last marker record). */
static void
run_comb_record(const struct kiln_config *cfg, struct job *j, int k, struct comb_out *o)
{
	size_t need = 48 + j->line_len[k] + 1;

	if (j->comb_fd < 0 || j->comb_truncated) {
		j->line_len[k] = 0;
		return;
	}
	if (o->len + need > sizeof(o->buf))
		run_comb_flush(j, o);
	if (j->comb_bytes + (int64_t)o->len + (int64_t)need >
	    COMB_CAP_FACTOR * cfg->max_log_bytes) {
		o->len += (size_t)snprintf(o->buf + o->len, 48, "e %lld [kiln: log truncated]\n",
					   (long long)o->ms);
		j->comb_truncated = 1;
		j->line_len[k] = 0;
		return;
	}
	o->len +=
	    (size_t)snprintf(o->buf + o->len, 48, "%c %lld ", k == 0 ? 'o' : 'e', (long long)o->ms);
	memcpy(o->buf + o->len, j->line[k], j->line_len[k]);
	o->len += j->line_len[k];
	o->buf[o->len++] = '\n';
	j->line_len[k] = 0;
}

/* Splits a chunk of stream k into lines for the combined log. */
static void
run_comb(const struct kiln_config *cfg, struct job *j, int k, const char *buf, size_t n,
	 struct comb_out *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			run_comb_record(cfg, j, k, o);
			continue;
		}
		j->line[k][j->line_len[k]++] = buf[i];
		if (j->line_len[k] == COMB_LINE_MAX)
			run_comb_record(cfg, j, k, o);
	}
}

/* Copies what is waiting on a job's pipe to its log, up to the cap. 0 at
 * the end of the stream. */
int
run_pump(const struct kiln_config *cfg, struct job *j, int k)
{
	static struct comb_out out; /* one job a process */
	char buf[65536];
	ssize_t got = read(j->log_fd[k], buf, sizeof(buf));

	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	out.ms = clock_wall_ms();
	if (got == 0) {
		if (j->line_len[k] > 0) /* the last line had no newline */
			run_comb_record(cfg, j, k, &out);
		run_comb_flush(j, &out);
		return 0;
	}
	run_comb(cfg, j, k, buf, (size_t)got, &out);
	run_comb_flush(j, &out);
	if (!j->truncated[k]) {
		int64_t room = cfg->max_log_bytes - j->log_bytes[k];
		size_t take = (int64_t)got < room ? (size_t)got : (size_t)(room > 0 ? room : 0);
		int fd = k == 0 ? j->out_fd : j->err_fd;

		if (take > 0 && io_write_all(fd, buf, take) != 0)
			log_warn("run: job %lld: log write failed", (long long)j->id);
		if (take < (size_t)got) {
			char mark[96];
			int n =
			    snprintf(mark, sizeof(mark), "\n[kiln: log truncated at %lld bytes]\n",
				     (long long)cfg->max_log_bytes);

			j->truncated[k] = 1;
			if (io_write_all(fd, mark, (size_t)n) != 0)
				log_warn("run: job %lld: log write failed", (long long)j->id);
		}
	}
	j->log_bytes[k] += got;
	return 1;
}

/* logs/end.json: what the streams held, written before the end status. */
void
run_log_end(struct job *j, const char *status)
{
	int fd = j->logs_fd < 0
		     ? -1
		     : openat(j->logs_fd, "end.json",
			      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	char end[JOBLOG_END_MAX];
	size_t n = joblog_end_json(end, j->log_bytes[0], j->log_bytes[1], j->comb_bytes,
				   j->truncated[0], j->truncated[1], status);

	if (fd < 0)
		return;
	if (io_write_all(fd, end, n) != 0)
		log_warn("run: job %lld: end.json not written", (long long)j->id);
	close(fd);
}
