/* SPDX-License-Identifier: MIT */
/* config.c: the INI parser and the one table of configuration keys.
 * Adding a key: a member in struct kiln_config, a row below, a line in
 * docs/kiln.conf.example and README's table. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images.h"
#include "trainers.h"
#include "money.h"
#include "parse.h"

#ifndef KILN_SYSCONFDIR
#define KILN_SYSCONFDIR "/etc"
#endif

#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_LINE_MAX 4096

enum config_type {
	CT_STR,
	CT_INT,
	CT_SIZE,
	CT_BOOL,
	CT_MODE,
	CT_MONEY,
	CT_IMAGES,
	CT_TRAINERS,
	CT_URL
};

struct config_key {
	const char *section;
	const char *key;
	enum config_type type;
	size_t offset;
	int64_t min, max; /* CT_INT, CT_SIZE, CT_MODE */
	const char *def;
	int secret;
};

#define OFF(m) offsetof(struct kiln_config, m)

static const struct config_key config_keys[] = {
    {"database", "socket", CT_STR, OFF(db_socket), 0, 0, "", 0},
    {"database", "host", CT_STR, OFF(db_host), 0, 0, "localhost", 0},
    {"database", "port", CT_INT, OFF(db_port), 1, 65535, "3306", 0},
    {"database", "user", CT_STR, OFF(db_user), 0, 0, "kiln", 0},
    {"database", "password", CT_STR, OFF(db_password), 0, 0, "", 1},
    {"database", "name", CT_STR, OFF(db_name), 0, 0, "kiln", 0},
    {"database", "connect_timeout", CT_INT, OFF(db_connect_timeout), 1, 300, "5", 0},
    {"database", "rw_timeout", CT_INT, OFF(db_rw_timeout), 1, 3600, "30", 0},
    {"api", "listen", CT_STR, OFF(listen), 0, 0, "/run/kiln/api.sock", 0},
    {"api", "socket_mode", CT_MODE, OFF(socket_mode), 0, 0777, "0660", 0},
    {"api", "workers", CT_INT, OFF(workers), 0, 1024, "0", 0},
    {"api", "max_requests", CT_INT, OFF(max_requests), 0, INT64_MAX, "10000", 0},
    {"api", "max_body", CT_SIZE, OFF(max_body), 0, (int64_t)256 << 20, "1m", 0},
    {"api", "max_upload", CT_SIZE, OFF(max_upload), 1024, (int64_t)1 << 40, "1g", 0},
    {"api", "access_log", CT_BOOL, OFF(access_log), 0, 1, "true", 0},
    {"api", "sse_max_seconds", CT_INT, OFF(sse_max_seconds), 1, 3600, "30", 0},
    {"api", "sse_max_streams", CT_INT, OFF(sse_max_streams), 0, 100000, "0", 0},
    {"api", "sse_keepalive_seconds", CT_INT, OFF(sse_keepalive_seconds), 1, 3600, "15", 0},
    {"api", "metrics_from", CT_STR, OFF(metrics_from), 0, 0, "", 0},
    {"api", "public_url", CT_URL, OFF(public_url), 0, 0, "", 0},
    {"storage", "root", CT_STR, OFF(storage_root), 0, 0, "/var/lib/kiln", 0},
    {"auth", "access_ttl", CT_INT, OFF(access_ttl), 60, 86400, "900", 0},
    {"auth", "refresh_ttl", CT_INT, OFF(refresh_ttl), 300, 31536000, "2592000", 0},
    {"auth", "password_ops", CT_INT, OFF(password_ops), 1, 16, "2", 0},
    {"auth", "password_mem", CT_SIZE, OFF(password_mem), 8192, (int64_t)1 << 30, "64m", 0},
    {"ratelimit", "short_window", CT_INT, OFF(rl_short_window), 1, 86400, "60", 0},
    {"ratelimit", "short_limit", CT_INT, OFF(rl_short_limit), 1, 1000000000, "100", 0},
    {"ratelimit", "long_window", CT_INT, OFF(rl_long_window), 1, 604800, "3600", 0},
    {"ratelimit", "long_limit", CT_INT, OFF(rl_long_limit), 1, 1000000000, "1000", 0},
    {"ratelimit", "login_window", CT_INT, OFF(rl_login_window), 1, 86400, "900", 0},
    {"ratelimit", "login_per_email", CT_INT, OFF(rl_login_per_email), 1, 1000000, "10", 0},
    {"ratelimit", "login_per_address", CT_INT, OFF(rl_login_per_address), 1, 1000000, "100", 0},
    {"ratelimit", "slots", CT_INT, OFF(rl_slots), 64, 16777216, "16384", 0},
    {"credits", "max_topup", CT_MONEY, OFF(max_topup), 0, 0, "10000", 0},
    {"limits", "max_concurrent_jobs", CT_INT, OFF(max_concurrent_jobs), 0, 100000, "4", 0},
    {"limits", "daily_cost_cap", CT_MONEY, OFF(daily_cost_cap), 0, 0, "500", 0},
    {"limits", "max_job_cost", CT_MONEY, OFF(max_job_cost), 0, 0, "100", 0},
    {"results", "url_ttl", CT_INT, OFF(url_ttl), 1, 31536000, "3600", 0},
    {"results", "retention_days", CT_INT, OFF(retention_days), 0, 36500, "30", 0},
    {"results", "max_url_ttl", CT_INT, OFF(max_url_ttl), 1, 31536000, "604800", 0},
    {"jobs", "default_shards", CT_INT, OFF(default_shards), 1, 1000, "4", 0},
    {"scheduler", "node_name", CT_STR, OFF(node_name), 0, 0, "", 0},
    {"scheduler", "gpus", CT_INT, OFF(gpus), -1, 64, "-1", 0},
    {"scheduler", "cpus", CT_INT, OFF(cpus), 0, 4096, "0", 0},
    {"scheduler", "memory", CT_SIZE, OFF(memory), 0, (int64_t)1 << 50, "0", 0},
    {"scheduler", "executor", CT_STR, OFF(executor), 0, 0, "local", 0},
    {"scheduler", "run_path", CT_STR, OFF(run_path), 0, 0, "", 0},
    {"scheduler", "job_lost_seconds", CT_INT, OFF(job_lost_seconds), 3, 86400, "30", 0},
    {"scheduler", "min_hold_seconds", CT_INT, OFF(min_hold_seconds), 0, 86400, "60", 0},
    {"scheduler", "max_start", CT_INT, OFF(max_start), 1, 1000, "64", 0},
    {"scheduler", "kill_grace_seconds", CT_INT, OFF(kill_grace_seconds), 1, 600, "5", 0},
    {"scheduler", "fence_seconds", CT_INT, OFF(fence_seconds), 0, 86400, "0", 0},
    {"sandbox", "images", CT_IMAGES, OFF(images), 0, 0, "nvidia/cuda:*=host, python:*=host", 0},
    {"sandbox", "mode", CT_STR, OFF(sandbox), 0, 0, "bwrap", 0},
    {"training", "trainers", CT_TRAINERS, OFF(trainers), 0, 0, "", 0},
    {"render", "path", CT_STR, OFF(render_path), 0, 0, "", 0},
    {"render", "image_generator", CT_STR, OFF(image_generator), 0, 0, "", 0},
    {"render", "font", CT_STR, OFF(render_font), 0, 0, "", 0},
    {"sandbox", "network", CT_BOOL, OFF(network), 0, 1, "false", 0},
    {"sandbox", "allow_pip", CT_BOOL, OFF(allow_pip), 0, 1, "false", 0},
    {"sandbox", "job_user", CT_STR, OFF(job_user), 0, 0, "nobody", 0},
    {"sandbox", "max_dataset_bytes", CT_SIZE, OFF(max_dataset_bytes), 1024, (int64_t)1 << 50, "20g",
     0},
    {"sandbox", "max_dataset_entries", CT_INT, OFF(max_dataset_entries), 1, 100000000, "100000", 0},
    {"sandbox", "max_log_bytes", CT_SIZE, OFF(max_log_bytes), 1024, (int64_t)1 << 40, "64m", 0},
    {"moderation", "blocked_words", CT_STR, OFF(blocked_words), 0, 0,
     "gore,beheading,torture,porn,pornographic,nude,naked,rape,terrorist,bomb-making", 0},
    {"moderation", "threshold", CT_INT, OFF(moderation_threshold), 1, 100, "50", 0},
    {"secrets", "jwt_secret", CT_STR, OFF(jwt_secret), 0, 0, "", 1},
    {"secrets", "signing_key", CT_STR, OFF(signing_key), 0, 0, "", 1},
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static void
config_errf(char err[CONFIG_ERR_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CONFIG_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* Stores value into cfg per k. Returns 0 or -1 with OUT: why. */
/* 0 when value is "" or an absolute http(s) URL of printable characters
 * that need no quoting in a link (no space, quote, '<', '>', '?' or '#'),
 * not ending in '/'. */
static int
config_url_check(const char *value, const char **why)
{
	const char *host;
	size_t i;

	if (value[0] == '\0')
		return 0;
	if (strncmp(value, "https://", 8) == 0)
		host = value + 8;
	else if (strncmp(value, "http://", 7) == 0)
		host = value + 7;
	else {
		*why = "must start with http:// or https://";
		return -1;
	}
	if (host[0] == '\0' || host[0] == '/') {
		*why = "names no host";
		return -1;
	}
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] <= ' ' || (unsigned char)value[i] >= 0x7f ||
		    strchr("\"'<>?#\\`", value[i]) != NULL) {
			*why = "has a character a link cannot carry";
			return -1;
		}
	if (value[i - 1] == '/') {
		*why = "must not end in '/'";
		return -1;
	}
	return 0;
}

static int
config_set(struct kiln_config *cfg, const struct config_key *k, const char *value, const char **why)
{
	char *base = (char *)cfg;
	int64_t v;
	int b;

	switch (k->type) {
	case CT_URL:      /* "" or http(s)://host[:port][/path], without the last '/' */
	case CT_IMAGES:   /* text, once it parses as an image map */
	case CT_TRAINERS: /* likewise a trainer map */
	case CT_STR:
		if (k->type == CT_IMAGES && images_check(value, why) != 0)
			return -1;
		if (k->type == CT_TRAINERS && trainers_check(value, why) != 0)
			return -1;
		if (k->type == CT_URL && config_url_check(value, why) != 0)
			return -1;
		if (strlen(value) >= CONFIG_STR_MAX) {
			*why = "value too long";
			return -1;
		}
		memcpy(base + k->offset, value, strlen(value) + 1);
		return 0;
	case CT_INT:
		if (parse_i64(value, k->min, k->max, &v) != KILN_OK) {
			*why = "not an integer in range";
			return -1;
		}
		break;
	case CT_SIZE:
		if (parse_size(value, k->min, k->max, &v) != KILN_OK) {
			*why = "not a size (e.g. 1048576, 512k, 8m, 1g) in range";
			return -1;
		}
		break;
	case CT_BOOL:
		if (parse_bool(value, &b) != KILN_OK) {
			*why = "not a boolean (true/false)";
			return -1;
		}
		v = b;
		break;
	case CT_MONEY:
		if (money_parse(value, MONEY_MAX_MICROS, &v, why) != KILN_OK)
			return -1;
		break;
	case CT_MODE: {
		const char *p = value;

		v = 0;
		if (*p == '\0' || strlen(p) > 4) {
			*why = "not an octal mode such as 0660";
			return -1;
		}
		for (; *p; p++) {
			if (*p < '0' || *p > '7') {
				*why = "not an octal mode such as 0660";
				return -1;
			}
			v = v * 8 + (*p - '0');
		}
		if (v > k->max) {
			*why = "mode out of range";
			return -1;
		}
		break;
	}
	default: *why = "internal: bad key type"; return -1;
	}
	memcpy(base + k->offset, &v, sizeof(v));
	return 0;
}

void
config_defaults(struct kiln_config *cfg)
{
	size_t i;
	const char *why;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < N_KEYS; i++)
		(void)config_set(cfg, &config_keys[i], config_keys[i].def, &why);
}

static char *
config_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static const struct config_key *
config_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

static int
config_section_known(const char *section)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* Parses one line (NUL-terminated, modifiable) in the current section.
 * Returns 0, or -1 with err filled. */
static int
config_line(char *line, unsigned lineno, const char *name, char section[64],
	    struct kiln_config *cfg, char err[CONFIG_ERR_MAX])
{
	char *s = config_trim(line), *eq, *key, *value;
	const struct config_key *k;
	const char *why = NULL;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (end == NULL || end[1] != '\0' || end - s - 1 <= 0 || end - s - 1 >= 64) {
			config_errf(err, "%s:%u: malformed section header", name, lineno);
			return -1;
		}
		*end = '\0';
		memcpy(section, s + 1, strlen(s + 1) + 1);
		if (!config_section_known(section)) {
			config_errf(err, "%s:%u: unknown section [%s]", name, lineno, section);
			return -1;
		}
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL) {
		config_errf(err, "%s:%u: expected key = value", name, lineno);
		return -1;
	}
	*eq = '\0';
	key = config_trim(s);
	value = config_trim(eq + 1);
	if (section[0] == '\0') {
		config_errf(err, "%s:%u: key '%s' outside any [section]", name, lineno, key);
		return -1;
	}
	if ((k = config_find(section, key)) == NULL) {
		config_errf(err, "%s:%u: unknown key '%s' in [%s]", name, lineno, key, section);
		return -1;
	}
	if (config_set(cfg, k, value, &why) != 0) {
		config_errf(err, "%s:%u: bad value for %s.%s: %s", name, lineno, section, key, why);
		return -1;
	}
	return 0;
}

enum kiln_err
config_parse(const char *text, size_t len, const char *name, struct kiln_config *cfg,
	     char err[CONFIG_ERR_MAX])
{
	char line[CONFIG_LINE_MAX];
	char section[64] = "";
	size_t pos = 0;
	unsigned lineno = 0;

	err[0] = '\0';
	while (pos < len) {
		size_t end = pos, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		lineno++;
		if (n >= sizeof(line)) {
			config_errf(err, "%s:%u: line too long", name, lineno);
			return KILN_ERR_CONFIG;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			config_errf(err, "%s:%u: NUL byte in line", name, lineno);
			return KILN_ERR_CONFIG;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (config_line(line, lineno, name, section, cfg, err) != 0)
			return KILN_ERR_CONFIG;
		pos = end + 1;
	}
	/* a fenced job must be dead before another host may requeue it (a
	 * second of margin: alarm() counts whole seconds), and a healthy one
	 * never goes that long between heartbeats */
	if (cfg->fence_seconds > 0 && (cfg->fence_seconds >= cfg->job_lost_seconds - 1 ||
				       cfg->fence_seconds <= config_heartbeat_seconds(cfg))) {
		config_errf(err,
			    "%s: [scheduler] fence_seconds (%lld) must be more than the heartbeat "
			    "interval (%lld s) and less than job_lost_seconds - 1 (%lld)",
			    name, (long long)cfg->fence_seconds,
			    (long long)config_heartbeat_seconds(cfg),
			    (long long)cfg->job_lost_seconds - 1);
		return KILN_ERR_CONFIG;
	}
	return KILN_OK;
}

/* 1 when cfg holds any non-empty secret. */
static int
config_has_secret(const struct kiln_config *cfg)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (config_keys[i].secret && ((const char *)cfg)[config_keys[i].offset] != '\0')
			return 1;
	return 0;
}

enum kiln_err
config_load(const char *path, struct kiln_config *cfg, char err[CONFIG_ERR_MAX])
{
	struct stat st;
	char *buf = NULL;
	ssize_t got;
	size_t len = 0;
	int fd;
	enum kiln_err rc = KILN_ERR_CONFIG;

	config_defaults(cfg);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		config_errf(err, "%s: cannot open: %s", path, strerror(errno));
		return KILN_ERR_CONFIG;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		config_errf(err, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		config_errf(err, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		abort();
	while (len < (size_t)st.st_size) {
		got = read(fd, buf + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if ((rc = config_parse(buf, len, path, cfg, err)) != KILN_OK)
		goto out;
	if (config_has_secret(cfg) && (st.st_mode & 077) != 0) {
		config_errf(err,
			    "%s: holds secrets but is readable by group or others "
			    "(mode %04o); run: chmod 600 %s",
			    path, (unsigned)(st.st_mode & 07777), path);
		rc = KILN_ERR_CONFIG;
		goto out;
	}
	rc = KILN_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

const char *
config_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path != NULL)
		return explicit_path;
	if ((env = getenv("KILN_CONFIG")) != NULL && env[0] != '\0')
		return env;
	return KILN_SYSCONFDIR "/kiln/kiln.conf";
}

void
config_program_path(const char *configured, const char *name, char *out, size_t n)
{
	char self[4096];
	ssize_t len;
	char *slash;

	if (configured[0] != '\0') {
		snprintf(out, n, "%s", configured);
		return;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		snprintf(out, n, "%s", name);
		return;
	}
	self[len] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	snprintf(out, n, "%s/%s", self, name);
}

int64_t
config_heartbeat_seconds(const struct kiln_config *cfg)
{
	int64_t s = cfg->job_lost_seconds / 3;

	return s < 1 ? 1 : s > 5 ? 5 : s;
}
