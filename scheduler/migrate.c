/* SPDX-License-Identifier: MIT */
/* migrate.c: kilnctl migrate. DDL in MariaDB commits implicitly, so a
 * migration is recorded only after its whole script ran; a failed one is
 * reported and left pending. Migrations must therefore be written to be
 * re-runnable (CREATE TABLE IF NOT EXISTS, ...). */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "parse.h"

#define MIGRATE_MAX 4096
#define MIGRATE_LOCK "kiln.migrate"
#define MIGRATE_LOCK_WAIT 60 /* seconds */

struct migration {
	int64_t version;
	char name[MIGRATE_NAME_MAX];
	char file[MIGRATE_NAME_MAX + 32];
};

int
migrate_parse_name(const char *file, int64_t *version, char name[MIGRATE_NAME_MAX])
{
	const char *us = strchr(file, '_');
	size_t len = strlen(file), nlen, i;

	if (us == NULL || us == file || len < 5 || strcmp(file + len - 4, ".sql") != 0)
		return -1;
	if (parse_i64n(file, (size_t)(us - file), 1, 999999, version) != KILN_OK)
		return -1;
	nlen = len - 4 - (size_t)(us + 1 - file);
	if (nlen == 0 || nlen >= MIGRATE_NAME_MAX)
		return -1;
	for (i = 0; i < nlen; i++) {
		char c = us[1 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return -1;
	}
	memcpy(name, us + 1, nlen);
	name[nlen] = '\0';
	return 0;
}

static int
migrate_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Lists dir's migrations sorted by version into OUT: *list (new). */
static enum kiln_err
migrate_scan(const char *dir, struct migration **list, size_t *n, FILE *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct migration *m = NULL;
	size_t count = 0, i;

	if (d == NULL) {
		fprintf(err, "migrate: cannot open %s: %s\n", dir, strerror(errno));
		return KILN_ERR_IO;
	}
	if ((m = calloc(MIGRATE_MAX, sizeof(*m))) == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) < 4 ||
		    strcmp(e->d_name + strlen(e->d_name) - 4, ".sql") != 0)
			continue;
		if (count == MIGRATE_MAX ||
		    migrate_parse_name(e->d_name, &m[count].version, m[count].name) != 0) {
			fprintf(err, "migrate: %s/%s is not named NNN_name.sql\n", dir, e->d_name);
			closedir(d);
			free(m);
			return KILN_ERR_CONFIG;
		}
		snprintf(m[count].file, sizeof(m[count].file), "%s", e->d_name);
		count++;
	}
	closedir(d);
	qsort(m, count, sizeof(*m), migrate_cmp);
	for (i = 1; i < count; i++)
		if (m[i].version == m[i - 1].version) {
			fprintf(err, "migrate: two migrations with version %lld\n",
				(long long)m[i].version);
			free(m);
			return KILN_ERR_CONFIG;
		}
	*list = m;
	*n = count;
	return KILN_OK;
}

/* Reads dir/file into OUT: *text (new) and its hex checksum. */
static enum kiln_err
migrate_read(const char *dir, const char *file, char **text, size_t *len, char sum[65], FILE *err)
{
	char path[4096];
	struct stat st;
	unsigned char digest[CRYPTO_SHA256_BYTES];
	char *buf;
	size_t have = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    st.st_size > MIGRATE_FILE_MAX) {
		fprintf(err, "migrate: cannot read %s\n", path);
		if (fd >= 0)
			close(fd);
		return KILN_ERR_IO;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		abort();
	while (have < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + have, (size_t)st.st_size - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	buf[have] = '\0';
	crypto_sha256(buf, have, digest);
	crypto_hex(digest, sizeof(digest), sum);
	*text = buf;
	*len = have;
	return KILN_OK;
}

/* Index of version in the applied result, or -1. */
static long
migrate_find(const struct db_res *applied, int64_t version)
{
	size_t i;

	for (i = 0; i < db_res_rows(applied); i++)
		if (db_res_i64(applied, i, 0) == version)
			return (long)i;
	return -1;
}

static enum kiln_err
migrate_one(struct db *db, const char *dir, const struct migration *m, const struct db_res *applied,
	    int status_only, FILE *out, FILE *err)
{
	char sum[65], why[512];
	char *text = NULL;
	size_t len = 0;
	long row = migrate_find(applied, m->version);
	enum kiln_err rc;

	if ((rc = migrate_read(dir, m->file, &text, &len, sum, err)) != KILN_OK)
		return rc;
	if (row >= 0) {
		int same = strcmp(db_res_str(applied, (size_t)row, 2, NULL), sum) == 0;

		if (status_only)
			fprintf(out, "%-28s applied %s%s\n", m->file,
				db_res_str(applied, (size_t)row, 3, NULL),
				same ? "" : " (file modified since)");
		else if (!same)
			fprintf(err, "migrate: warning: %s changed after it was applied\n",
				m->file);
		goto out;
	}
	if (status_only) {
		fprintf(out, "%-28s pending\n", m->file);
		goto out;
	}
	if ((rc = db_exec_script(db, text, len, why, sizeof(why))) != KILN_OK) {
		fprintf(err, "migrate: %s failed: %s\n", m->file, why);
		goto out;
	}
	{
		struct db_val p[3] = {DBV_I64(m->version), DBV_STR(m->name), DBV_STR(sum)};

		if ((rc = db_exec(db, STMT_MIGRATIONS_INSERT, p, 3, NULL, NULL, NULL)) != KILN_OK) {
			fprintf(err, "migrate: %s ran but could not be recorded\n", m->file);
			goto out;
		}
	}
	fprintf(out, "applied %s\n", m->file);
out:
	free(text);
	return rc;
}

enum kiln_err
migrate_run(struct db *db, const char *dir, int status_only, FILE *out, FILE *err)
{
	struct migration *list = NULL;
	struct db_res *applied = NULL, *lock = NULL;
	size_t n = 0, i, pending = 0;
	struct db_val lp[2] = {DBV_STR(MIGRATE_LOCK), DBV_I64(MIGRATE_LOCK_WAIT)};
	enum kiln_err rc;

	if ((rc = migrate_scan(dir, &list, &n, err)) != KILN_OK)
		return rc;
	if ((rc = db_exec(db, STMT_LOCK_GET, lp, 2, &lock, NULL, NULL)) != KILN_OK ||
	    db_res_rows(lock) != 1 || db_res_i64(lock, 0, 0) != 1) {
		fprintf(err, "migrate: cannot take the migration lock (database down or busy)\n");
		rc = rc != KILN_OK ? rc : KILN_ERR_DB_RETRY;
		goto out;
	}
	if ((rc = db_exec(db, STMT_MIGRATIONS_CREATE, NULL, 0, NULL, NULL, NULL)) != KILN_OK ||
	    (rc = db_exec(db, STMT_MIGRATIONS_LIST, NULL, 0, &applied, NULL, NULL)) != KILN_OK) {
		fprintf(err, "migrate: cannot read schema_migrations\n");
		goto unlock;
	}
	for (i = 0; i < n; i++) {
		if (migrate_find(applied, list[i].version) < 0)
			pending++;
		if ((rc = migrate_one(db, dir, &list[i], applied, status_only, out, err)) !=
		    KILN_OK)
			goto unlock;
	}
	if (!status_only && pending == 0)
		fprintf(out, "schema up to date (%zu migrations)\n", n);
unlock:
	(void)db_exec(db, STMT_LOCK_RELEASE, lp, 1, NULL, NULL, NULL);
out:
	db_res_free(lock);
	db_res_free(applied);
	free(list);
	return rc;
}
