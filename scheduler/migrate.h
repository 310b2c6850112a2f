/* SPDX-License-Identifier: MIT */
/* migrate.h: applying sql/NNN_name.sql in order, recorded in
 * schema_migrations (version, name, sha-256 checksum, applied_at). */
#ifndef KILN_MIGRATE_H
#define KILN_MIGRATE_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "err.h"

#define MIGRATE_NAME_MAX 200
#define MIGRATE_FILE_MAX (1024 * 1024)

/* Parses a migration file name "NNN_name.sql" (NNN: 1..999999 with leading
 * zeros allowed, name: [a-z0-9_]) into OUT: *version and name. 0 or -1. */
int migrate_parse_name(const char *file, int64_t *version, char name[MIGRATE_NAME_MAX]);

/* Applies every pending migration in dir under a database lock, printing a
 * line per migration to out. With status_only, prints each migration's
 * state (applied at ..., pending, or modified since applied) instead.
 * Returns KILN_OK or an error with a message already printed to err. */
enum kiln_err migrate_run(struct db *db, const char *dir, int status_only, FILE *out, FILE *err);

#endif
