/* SPDX-License-Identifier: MIT */
/* log.h: one line per event to stderr ("TIME ident[pid] level: message"),
 * which systemd sends to the journal and ./dev to the .run/ log files.
 * Not for: secrets (never log a password, token or key) or response bodies. */
#ifndef KILN_LOG_H
#define KILN_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Sets the program name shown in each line (borrowed; must outlive use)
 * and caches the pid: call it again in a child after fork. */
void log_set_ident(const char *ident);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)

#endif
