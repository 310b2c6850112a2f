/* SPDX-License-Identifier: MIT */
/* report.c: progress and failure files, stage log lines and the cancel
 * flag (report.h). The only signal handler of kiln-render lives here. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "render.h"
#include "report.h"

static const char *report_progress_path; /* borrowed from environ */
static const char *report_failure_path;  /* borrowed from environ */
static int report_last = -1;
static volatile sig_atomic_t report_cancel;

static void
report_on_signal(int sig)
{
	(void)sig;
	report_cancel = 1;
}

void
report_init(void)
{
	struct sigaction sa;
	const char *p;

	p = getenv("KILN_PROGRESS_FILE");
	report_progress_path = p != NULL && *p != '\0' ? p : NULL;
	p = getenv("KILN_FAILURE_FILE");
	report_failure_path = p != NULL && *p != '\0' ? p : NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = report_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int
report_cancelled(void)
{
	return report_cancel != 0;
}

int
report_write_file(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	int fd, n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (io_write_all(fd, buf, len) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == 0)
		return 0;
	fd = -1;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

void
report_progress(int pct)
{
	char buf[16];
	int n;

	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	if (pct == report_last)
		return;
	report_last = pct;
	if (report_progress_path == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%d\n", pct);
	(void)report_write_file(report_progress_path, buf, (size_t)n);
}

void
report_progress_in(int lo, int hi, long done, long total)
{
	report_progress(total > 0 ? lo + (int)((long)(hi - lo) * done / total) : lo);
}

void
report_failure(const char *why)
{
	char line[RENDER_WHY_MAX + 1];
	size_t n = strcspn(why, "\r\n");

	if (n > RENDER_WHY_MAX - 1) {
		n = RENDER_WHY_MAX - 1;
		while (n > 0 && ((unsigned char)why[n] & 0xc0) == 0x80)
			n--; /* never half a UTF-8 character */
	}
	memcpy(line, why, n);
	line[n++] = '\n';
	line[n] = '\0';
	fprintf(stderr, "kiln-render: %s", line);
	if (report_failure_path != NULL && report_write_file(report_failure_path, line, n) != 0)
		fprintf(stderr, "kiln-render: cannot write %s: %s\n", report_failure_path,
			strerror(errno));
}

void
report_log(const char *fmt, ...)
{
	va_list ap;

	fputs("kiln-render: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}
