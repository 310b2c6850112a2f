/* SPDX-License-Identifier: MIT */
/* t_config.c: lib/config.c: defaults, the INI parser and its messages
 * (file:line: why), the secrets permission check and path precedence. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "suites.h"

/* Parses NUL-terminated text over fresh defaults. */
static enum kiln_err
parse_text(const char *text, struct kiln_config *cfg, char err[CONFIG_ERR_MAX])
{
	config_defaults(cfg);
	return config_parse(text, strlen(text), "test.conf", cfg, err);
}

/* Asserts that text fails with a message holding "test.conf:LINE:" and why. */
static void
expect_error(const char *text, unsigned line, const char *why)
{
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], loc[32];

	snprintf(loc, sizeof(loc), "test.conf:%u:", line);
	CU_ASSERT_EQUAL(parse_text(text, &cfg, err), KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, loc));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	if (strstr(err, loc) == NULL || strstr(err, why) == NULL)
		fprintf(stderr, "\n  config error was \"%s\", wanted %s and \"%s\"\n", err, loc,
			why);
}

static void
t_config_defaults(void)
{
	struct kiln_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	CU_ASSERT(cfg.db_port == 3306);
	CU_ASSERT(cfg.max_body == 1024 * 1024);
	CU_ASSERT(cfg.max_requests == 10000);
	CU_ASSERT(cfg.socket_mode == 0660);
	CU_ASSERT(cfg.workers == 0);
	CU_ASSERT(cfg.access_log == 1);
	CU_ASSERT(cfg.db_connect_timeout == 5);
	CU_ASSERT(cfg.db_rw_timeout == 30);
	CU_ASSERT_STRING_EQUAL(cfg.listen, "/run/kiln/api.sock");
	CU_ASSERT_STRING_EQUAL(cfg.db_host, "localhost");
	CU_ASSERT_STRING_EQUAL(cfg.db_user, "kiln");
	CU_ASSERT_STRING_EQUAL(cfg.db_name, "kiln");
	CU_ASSERT_STRING_EQUAL(cfg.db_socket, "");
	CU_ASSERT_STRING_EQUAL(cfg.db_password, "");
	CU_ASSERT_STRING_EQUAL(cfg.jwt_secret, "");
	CU_ASSERT_STRING_EQUAL(cfg.signing_key, "");
	CU_ASSERT_STRING_EQUAL(cfg.storage_root, "/var/lib/kiln");
}

static void
t_config_full(void)
{
	static const char text[] = "# kiln.conf for the unit test\r\n"
				   "; another comment style\r\n"
				   "\r\n"
				   "[database]\r\n"
				   "  host = db.example   \r\n"
				   "port=3307\r\n"
				   "user = app\r\n"
				   "password = p@ss word = with equals\r\n"
				   "name = kiln_test\r\n"
				   "connect_timeout = 10\r\n"
				   "\n"
				   "[api]\n"
				   "\tlisten = tcp:127.0.0.1:9000\n"
				   "socket_mode = 0600\n"
				   "workers = 4\n"
				   "max_requests = 0\n"
				   "max_body = 8m\n"
				   "access_log = off\n"
				   "   # indented comment\n"
				   "[storage]\n"
				   "root = /srv/kiln\n"
				   "[secrets]\n"
				   "jwt_secret = s3cret\n"
				   "signing_key =\n"
				   "[api]\n"
				   "workers = 5"; /* no final newline; sections may reopen */
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];

	CU_ASSERT_EQUAL_FATAL(parse_text(text, &cfg, err), KILN_OK);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(cfg.db_host, "db.example");
	CU_ASSERT(cfg.db_port == 3307);
	CU_ASSERT_STRING_EQUAL(cfg.db_user, "app");
	CU_ASSERT_STRING_EQUAL(cfg.db_password, "p@ss word = with equals");
	CU_ASSERT_STRING_EQUAL(cfg.db_name, "kiln_test");
	CU_ASSERT(cfg.db_connect_timeout == 10);
	CU_ASSERT(cfg.db_rw_timeout == 30); /* untouched default */
	CU_ASSERT_STRING_EQUAL(cfg.listen, "tcp:127.0.0.1:9000");
	CU_ASSERT(cfg.socket_mode == 0600);
	CU_ASSERT(cfg.workers == 5);
	CU_ASSERT(cfg.max_requests == 0);
	CU_ASSERT(cfg.max_body == 8 * 1024 * 1024);
	CU_ASSERT(cfg.access_log == 0);
	CU_ASSERT_STRING_EQUAL(cfg.storage_root, "/srv/kiln");
	CU_ASSERT_STRING_EQUAL(cfg.jwt_secret, "s3cret");
	CU_ASSERT_STRING_EQUAL(cfg.signing_key, "");
}

static void
t_config_not_terminated(void)
{
	/* len bounds the text: the "99" after it must not be read */
	static const char text[] = "[database]\nport = 4406799";
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];

	config_defaults(&cfg);
	CU_ASSERT_EQUAL(config_parse(text, sizeof(text) - 3, "t", &cfg, err), KILN_OK);
	CU_ASSERT(cfg.db_port == 44067);
	config_defaults(&cfg);
	CU_ASSERT_EQUAL(config_parse(text, 0, "t", &cfg, err), KILN_OK);
	CU_ASSERT(cfg.db_port == 3306);
}

static void
t_config_errors(void)
{
	char longval[700], nul[] = "[api]\nworkers = 1\0\n";
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];

	expect_error("[api]\n# c\nx = 1\n", 3, "unknown key 'x' in [api]");
	expect_error("[api]\nworkers = 1\n[nope]\n", 3, "unknown section [nope]");
	expect_error("workers = 4\n", 1, "outside any [section]");
	expect_error("[api]\nworkers = four\n", 2, "bad value for api.workers");
	expect_error("[api]\nworkers = 1025\n", 2, "bad value for api.workers");
	expect_error("[api]\nmax_requests = -1\n", 2, "bad value for api.max_requests");
	expect_error("[database]\nport = 0\n", 2, "bad value for database.port");
	expect_error("[database]\nport = 65536\n", 2, "bad value for database.port");
	expect_error("[database]\r\n\r\nport = 3306x\r\n", 3, "not an integer");
	expect_error("[api]\naccess_log = maybe\n", 2, "not a boolean");
	expect_error("[api]\nsocket_mode = 0689\n", 2, "not an octal mode");
	expect_error("[api]\nsocket_mode = 660a\n", 2, "not an octal mode");
	expect_error("[api]\nsocket_mode = 01777\n", 2, "bad value for api.socket_mode");
	expect_error("[api]\nsocket_mode = 1777\n", 2, "mode out of range");
	expect_error("[api]\nsocket_mode =\n", 2, "not an octal mode");
	expect_error("[api]\nmax_body = 1.5m\n", 2, "not a size");
	expect_error("[api]\nworkers\n", 2, "expected key = value");
	expect_error("[api\n", 1, "malformed section header");
	expect_error("[]\n", 1, "malformed section header");
	expect_error("[api] x\n", 1, "malformed section header");
	expect_error("[api]\npublic_url = kiln.example.com\n", 2, "http:// or https://");
	expect_error("[api]\npublic_url = ftp://kiln.example.com\n", 2, "http:// or https://");
	expect_error("[api]\npublic_url = https://\n", 2, "names no host");
	expect_error("[api]\npublic_url = https:///x\n", 2, "names no host");
	expect_error("[api]\npublic_url = https://kiln.example.com/\n", 2, "must not end in '/'");
	expect_error("[api]\npublic_url = https://kiln.example.com/a b\n", 2, "cannot carry");
	expect_error("[api]\npublic_url = https://kiln.example.com/?q\n", 2, "cannot carry");
	expect_error("[api]\npublic_url = https://kiln.\"example\".com\n", 2, "cannot carry");
	/* keys belong to their own section */
	expect_error("[database]\nworkers = 1\n", 2, "unknown key 'workers' in [database]");
	memset(longval, 'a', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	memcpy(longval, "[api]\nlisten = ", 15);
	expect_error(longval, 2, "value too long");
	config_defaults(&cfg);
	CU_ASSERT_EQUAL(config_parse(nul, sizeof(nul) - 1, "test.conf", &cfg, err),
			KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "test.conf:2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
	/* a public URL with a port and a path; none (links relative to the host) */
	{
		static const char ok[] = "[api]\npublic_url = https://kiln.example.com:8443/gpu\n";

		config_defaults(&cfg);
		CU_ASSERT_STRING_EQUAL(cfg.public_url, "");
		CU_ASSERT_EQUAL(config_parse(ok, sizeof(ok) - 1, "test.conf", &cfg, err), KILN_OK);
		CU_ASSERT_STRING_EQUAL(cfg.public_url, "https://kiln.example.com:8443/gpu");
	}
}

static void
t_config_long_line(void)
{
	static char text[8192];

	memset(text, ' ', sizeof(text) - 1);
	memcpy(text, "[api]\n", 6);
	text[sizeof(text) - 1] = '\0';
	expect_error(text, 2, "line too long");
}

/* Writes text to a new mode-`mode` file under /tmp; path is OUT. */
static int
write_temp(char path[64], const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, 64, "/tmp/kiln-unit-conf-XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static void
t_config_load(void)
{
	static const char secret[] = "[api]\nworkers = 3\n[secrets]\njwt_secret = x\n";
	static const char db_secret[] = "[database]\npassword = hunter2\n";
	static const char plain[] = "[api]\nworkers = 7\n";
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], path[64];

	CU_ASSERT_FATAL(write_temp(path, secret, 0600) == 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(config_load(path, &cfg, err), KILN_OK);
	CU_ASSERT(cfg.workers == 3);
	CU_ASSERT_STRING_EQUAL(cfg.jwt_secret, "x");
	CU_ASSERT(cfg.db_port == 3306); /* defaults under the file */
	unlink(path);

	CU_ASSERT_FATAL(write_temp(path, secret, 0644) == 0);
	CU_ASSERT_EQUAL(config_load(path, &cfg, err), KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "chmod 600"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	unlink(path);

	CU_ASSERT_FATAL(write_temp(path, db_secret, 0640) == 0);
	CU_ASSERT_EQUAL(config_load(path, &cfg, err), KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "chmod 600"));
	unlink(path);

	CU_ASSERT_FATAL(write_temp(path, plain, 0644) == 0);
	CU_ASSERT_EQUAL(config_load(path, &cfg, err), KILN_OK);
	CU_ASSERT(cfg.workers == 7);
	unlink(path);

	/* a parse error inside a file names the file and line */
	CU_ASSERT_FATAL(write_temp(path, "[api]\n\nbogus = 1\n", 0600) == 0);
	CU_ASSERT_EQUAL(config_load(path, &cfg, err), KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	unlink(path);

	err[0] = '\0';
	CU_ASSERT_EQUAL(config_load("/tmp/kiln-unit-no-such-file.conf", &cfg, err),
			KILN_ERR_CONFIG);
	CU_ASSERT(err[0] != '\0');
	CU_ASSERT_EQUAL(config_load("/tmp", &cfg, err), KILN_ERR_CONFIG);
}

static void
t_config_path(void)
{
	const char *saved = getenv("KILN_CONFIG");
	char *copy = saved ? strdup(saved) : NULL;
	const char *p;
	size_t n;

	CU_ASSERT_EQUAL(setenv("KILN_CONFIG", "/env/kiln.conf", 1), 0);
	CU_ASSERT_STRING_EQUAL(config_path("/explicit.conf"), "/explicit.conf");
	CU_ASSERT_STRING_EQUAL(config_path(NULL), "/env/kiln.conf");
	CU_ASSERT_EQUAL(setenv("KILN_CONFIG", "", 1), 0);
	p = config_path(NULL);
	n = strlen(p);
	CU_ASSERT(n >= 15 && strcmp(p + n - 15, "/kiln/kiln.conf") == 0);
	CU_ASSERT_EQUAL(unsetenv("KILN_CONFIG"), 0);
	p = config_path(NULL);
	n = strlen(p);
	CU_ASSERT(p[0] == '/');
	CU_ASSERT(n >= 15 && strcmp(p + n - 15, "/kiln/kiln.conf") == 0);
	CU_ASSERT_STRING_EQUAL(config_path("/explicit.conf"), "/explicit.conf");
	if (copy != NULL) {
		setenv("KILN_CONFIG", copy, 1);
		free(copy);
	}
}

/* [scheduler] fence_seconds: off by default; it must be more than the
 * heartbeat interval (a healthy job would be fenced) and less than
 * job_lost_seconds - 1 (a fenced job still running when another host
 * requeues it). */
static void
t_config_fence(void)
{
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];

	config_defaults(&cfg);
	CU_ASSERT_EQUAL(cfg.fence_seconds, 0);
	CU_ASSERT_EQUAL(config_heartbeat_seconds(&cfg), 5);
	CU_ASSERT_EQUAL(parse_text("[scheduler]\nfence_seconds = 20\n", &cfg, err), KILN_OK);
	CU_ASSERT_EQUAL(cfg.fence_seconds, 20);
	/* 20 is too late with 21: another host may requeue it a second later */
	CU_ASSERT_EQUAL(
	    parse_text("[scheduler]\njob_lost_seconds = 21\nfence_seconds = 20\n", &cfg, err),
	    KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fence_seconds"));
	/* every 5 s a heartbeat: 5 would fence a healthy job */
	CU_ASSERT_EQUAL(parse_text("[scheduler]\nfence_seconds = 5\n", &cfg, err), KILN_ERR_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "heartbeat interval (5 s)"));
	CU_ASSERT_EQUAL(parse_text("[scheduler]\njob_lost_seconds = 8\nkill_grace_seconds = 1\n"
				   "fence_seconds = 4\n",
				   &cfg, err),
			KILN_OK);
	CU_ASSERT_EQUAL(config_heartbeat_seconds(&cfg), 2);
}

void
suite_config(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "config_defaults", t_config_defaults);
	CU_add_test(s, "full file: sections, comments, CRLF", t_config_full);
	CU_add_test(s, "text bounded by len", t_config_not_terminated);
	CU_add_test(s, "errors name line and reason", t_config_errors);
	CU_add_test(s, "over-long line", t_config_long_line);
	CU_add_test(s, "config_load and secrets permissions", t_config_load);
	CU_add_test(s, "config_path precedence", t_config_path);
	CU_add_test(s, "fence_seconds within the heartbeat and job_lost_seconds", t_config_fence);
}
