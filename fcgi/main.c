/* SPDX-License-Identifier: MIT */
/* main.c: kiln-api's command line: kiln-api [-c CONFIG] [-p PIDFILE] [-t].
 * -t checks the configuration and exits. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jwt_hs256.h"
#include "log.h"
#include "server.h"

static void
usage(void)
{
	fprintf(stderr, "usage: kiln-api [-c CONFIG] [-p PIDFILE] [-t]\n");
}

int
main(int argc, char **argv)
{
	static struct kiln_config cfg;
	char err[CONFIG_ERR_MAX], sockpath[CONFIG_STR_MAX];
	const char *cpath = NULL, *pidfile = NULL;
	int opt, test_only = 0, fd, rc;

	log_set_ident("kiln-api");
	while ((opt = getopt(argc, argv, "c:p:th")) != -1) {
		switch (opt) {
		case 'c': cpath = optarg; break;
		case 'p': pidfile = optarg; break;
		case 't': test_only = 1; break;
		default: usage(); return 2;
		}
	}
	cpath = config_path(cpath);
	if (config_load(cpath, &cfg, err) != KILN_OK) {
		log_error("%s", err);
		return 1;
	}
	if (strlen(cfg.jwt_secret) < JWT_MIN_KEY) {
		log_error("%s: [secrets] jwt_secret must be at least %d bytes "
			  "(e.g. head -c 48 /dev/urandom | base64)",
			  cpath, JWT_MIN_KEY);
		return 1;
	}
	if (test_only) {
		printf("%s: configuration ok\n", cpath);
		return 0;
	}
	if ((fd = server_listen(&cfg, err, sizeof(err), sockpath, sizeof(sockpath))) < 0) {
		log_error("%s", err);
		return 1;
	}
	rc = master_run(&cfg, fd, pidfile);
	close(fd);
	if (sockpath[0] != '\0')
		unlink(sockpath);
	return rc;
}
