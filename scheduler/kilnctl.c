/* SPDX-License-Identifier: MIT */
/* kilnctl.c: the sysadmin's tool. kilnctl [-c CONFIG] COMMAND ...
 *   migrate [--dir DIR] [--status]   apply (or list) schema migrations
 * Later commands (user, limits, nodes, audit, gc) join the table below. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

#ifndef KILN_SQLDIR
#define KILN_SQLDIR "/usr/share/kiln/sql"
#endif

static int
cmd_migrate(const struct kiln_config *cfg, int argc, char **argv)
{
	const char *dir = KILN_SQLDIR;
	int status_only = 0, i;
	struct db *db;
	enum kiln_err rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0) {
			status_only = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else {
			fprintf(stderr, "usage: kilnctl migrate [--dir DIR] [--status]\n");
			return 2;
		}
	}
	db_library_init();
	db = db_new(cfg);
	if (db_connect(db) != KILN_OK) {
		fprintf(stderr, "kilnctl: cannot connect to the database\n");
		db_free(db);
		return 1;
	}
	rc = migrate_run(db, dir, status_only, stdout, stderr);
	db_free(db);
	db_library_end();
	return rc == KILN_OK ? 0 : 1;
}

static const struct {
	const char *name;
	int (*fn)(const struct kiln_config *cfg, int argc, char **argv);
	const char *help;
} commands[] = {
    {"migrate", cmd_migrate, "migrate [--dir DIR] [--status]  apply or list schema migrations"},
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: kilnctl [-c CONFIG] COMMAND [ARGS]\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %s\n", commands[i].help);
}

int
main(int argc, char **argv)
{
	static struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];
	const char *cpath = NULL;
	int i = 1;
	size_t c;

	log_set_ident("kilnctl");
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cpath = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	if (crypto_init() != KILN_OK)
		return 1;
	if (config_load(config_path(cpath), &cfg, err) != KILN_OK) {
		fprintf(stderr, "kilnctl: %s\n", err);
		return 1;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(&cfg, argc - i - 1, argv + i + 1);
	usage();
	return 2;
}
