/* SPDX-License-Identifier: MIT */
/* report.h: what kiln-render tells kiln-run: progress (0..100) in
 * $KILN_PROGRESS_FILE, a one-line reason in $KILN_FAILURE_FILE, stage
 * lines on stdout; and the cancel flag set by SIGTERM/SIGINT. */
#ifndef KILN_RENDER_REPORT_H
#define KILN_RENDER_REPORT_H

/* Reads the two paths from the environment (either may be unset) and
 * installs the SIGTERM/SIGINT handlers. Call once, first. */
void report_init(void);

/* Writes pct (clamped to 0..100) to the progress file atomically (a
 * temp file in the same folder, then rename) when it differs from the
 * last one written. Errors are ignored: progress is advisory. */
void report_progress(int pct);

/* Progress within a stage: lo + (hi - lo) * done / total. */
void report_progress_in(int lo, int hi, long done, long total);

/* Writes why (cut to one line of at most 200 bytes) to the failure file
 * atomically and to stderr as "kiln-render: why". */
void report_failure(const char *why);

/* printf-style line on stdout, prefixed "kiln-render: ", flushed. */
void report_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Non-zero once SIGTERM or SIGINT arrived; async-signal-safe flag. Its
 * int(void) shape lets pure modules take it as a callback. */
int report_cancelled(void);

/* Writes len bytes to path atomically: path.tmp.PID then rename. Returns
 * 0 or -1 (errno set). Used for progress, failure and the manifest. */
int report_write_file(const char *path, const char *buf, size_t len);

#endif
