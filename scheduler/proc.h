/* SPDX-License-Identifier: MIT */
/* proc.h: a job's processes as /proc shows them: everything in the session
 * kiln-run opened for it (setsid), bubblewrap's sandbox included, since a
 * PID namespace hides nothing from the host. Not for: starting or waiting
 * for processes (run.c). */
#ifndef KILN_PROC_H
#define KILN_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* The resident memory of every process in session sid, in bytes: the
 * watchdog's measure (RLIMIT_AS would break CUDA, which maps huge ranges). */
int64_t proc_session_rss(pid_t sid);

/* Sends sig to every process of session sid but except (0 for none).
 * kiln-run spares bubblewrap's monitor this way: SIGTERM would end it at
 * once, and its sandbox with SIGKILL, before the job could clean up. The
 * sandbox's own init ignores the signal, as a PID namespace's init does;
 * the job's processes get it. Returns how many were signalled. */
int proc_session_signal(pid_t sid, pid_t except, int sig);

#endif
