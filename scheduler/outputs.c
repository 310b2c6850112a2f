/* SPDX-License-Identifier: MIT */
/* outputs.c: registering a job's outputs (see outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "testhook.h"

static const struct {
	const char *ext, *type;
} types[] = {
    {".txt", "text/plain"},        {".log", "text/plain"},        {".csv", "text/csv"},
    {".json", "application/json"}, {".html", "text/html"},        {".md", "text/markdown"},
    {".png", "image/png"},         {".jpg", "image/jpeg"},        {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},         {".svg", "image/svg+xml"},     {".mp4", "video/mp4"},
    {".webm", "video/webm"},       {".wav", "audio/wav"},         {".mp3", "audio/mpeg"},
    {".m4a", "audio/mp4"},         {".pdf", "application/pdf"},   {".zip", "application/zip"},
    {".gz", "application/gzip"},   {".tar", "application/x-tar"},
};

const char *
outputs_content_type(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t el = strlen(types[i].ext);

		if (n > el && strcasecmp(name + n - el, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* A file with several names, hashed once. */
struct outputs_seen {
	dev_t dev;
	ino_t ino;
	char hex[65];
};

/* nftw has no context argument: the walk in progress */
static struct {
	struct db *db;
	int64_t job_id, count, hashed, hash_max;
	size_t base;
	enum kiln_err rc;
	outputs_beat_fn beat;
	void *arg;
	int64_t next_beat_ms;
	struct outputs_seen *seen;
	size_t nseen, capseen;
} walk;

/* The heartbeat, when a second has passed; -1 when it says stop. */
static int
outputs_beat(void)
{
	if (walk.beat == NULL || clock_mono_ms() < walk.next_beat_ms)
		return 0;
	walk.next_beat_ms = clock_mono_ms() + 1000;
	if (walk.beat(walk.arg) == 0)
		return 0;
	walk.rc = KILN_ERR_CONFLICT;
	return -1;
}

/* The SHA-256 of path, which must still be the regular file st. OUT:
 * hex. -1 on errors, -2 when the heartbeat said stop. */
static int
outputs_hash(const char *path, const struct stat *st, char hex[65])
{
	unsigned char buf[65536], d[CRYPTO_SHA256_BYTES];
	struct crypto_sha256_state sha;
	struct stat now;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	crypto_sha256_init(&sha);
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		crypto_sha256_update(&sha, buf, (size_t)got);
		walk.hashed += got;
		if (outputs_beat() != 0) {
			close(fd);
			return -2;
		}
	}
	close(fd);
	if (got < 0)
		return -1;
	crypto_sha256_final(&sha, d);
	crypto_hex(d, sizeof(d), hex);
	return 0;
}

/* Remembers the hash of a file with several names. */
static void
outputs_remember(const struct stat *st, const char hex[65])
{
	if (walk.nseen == walk.capseen) {
		size_t cap = walk.capseen ? 2 * walk.capseen : 16;
		struct outputs_seen *more = realloc(walk.seen, cap * sizeof(*more));

		if (more == NULL)
			return; /* it is read again if met again */
		walk.seen = more;
		walk.capseen = cap;
	}
	walk.seen[walk.nseen].dev = st->st_dev;
	walk.seen[walk.nseen].ino = st->st_ino;
	memcpy(walk.seen[walk.nseen++].hex, hex, 65);
}

static const char *
outputs_known(const struct stat *st)
{
	size_t i;

	for (i = 0; i < walk.nseen; i++)
		if (walk.seen[i].dev == st->st_dev && walk.seen[i].ino == st->st_ino)
			return walk.seen[i].hex;
	return NULL;
}

static int
outputs_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char hex[65];
	const char *rel = path + walk.base, *known = NULL;
	size_t len = strlen(rel);
	int hashed = 0;

	if (flag == FTW_D && ftw->level >= OUTPUTS_DEPTH_MAX) {
		log_warn("outputs: job %lld: a folder deeper than %d is not walked",
			 (long long)walk.job_id, OUTPUTS_DEPTH_MAX);
		return FTW_SKIP_SUBTREE;
	}
	if (outputs_beat() != 0)
		return FTW_STOP;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE; /* folders, links (FTW_SL: never followed), devices */
	if (walk.count >= OUTPUTS_MAX)
		return FTW_STOP;
	if (len > OUTPUTS_PATH_MAX || !json_utf8_ok(rel, len)) {
		log_warn("outputs: job %lld: skipped a path that is not UTF-8 or longer than %d "
			 "bytes",
			 (long long)walk.job_id, OUTPUTS_PATH_MAX);
		return FTW_CONTINUE;
	}
	if (st->st_nlink > 1)
		known = outputs_known(st);
	if (known == NULL && walk.hashed + st->st_size <= walk.hash_max) {
		int r = outputs_hash(path, st, hex);

		if (r == -2)
			return FTW_STOP;
		if (r != 0) {
			log_warn("outputs: cannot read %s: %s", path, strerror(errno));
			return FTW_CONTINUE;
		}
		hashed = 1;
		if (st->st_nlink > 1)
			outputs_remember(st, hex);
	}
	{
		struct db_val p[5] = {DBV_I64(walk.job_id), DBV_STR(rel), DBV_I64(st->st_size),
				      known    ? DBV_STR(known)
				      : hashed ? DBV_STR(hex)
					       : DBV_NULL,
				      DBV_STR(outputs_content_type(rel))};

		if ((walk.rc = db_exec(walk.db, STMT_OUTPUT_INSERT, p, 5, NULL, NULL, NULL)) !=
		    KILN_OK)
			return FTW_STOP;
	}
	walk.count++;
	return FTW_CONTINUE;
}

enum kiln_err
outputs_register(struct db *db, int64_t job_id, const char *dir, outputs_beat_fn beat, void *arg,
		 int64_t *count)
{
	int r;

	memset(&walk, 0, sizeof(walk));
	walk.db = db;
	walk.job_id = job_id;
	walk.base = strlen(dir) + 1;
	walk.rc = KILN_OK;
	walk.beat = beat;
	walk.arg = arg;
	walk.next_beat_ms = clock_mono_ms() + 1000;
	walk.hash_max = OUTPUTS_HASH_MAX;
	if (test_hook("KILN_TEST_OUTPUTS_HASH_MAX") != NULL) /* tests: a smaller one */
		walk.hash_max = strtoll(test_hook("KILN_TEST_OUTPUTS_HASH_MAX"), NULL, 10);
	r = nftw(dir, outputs_visit, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	free(walk.seen);
	walk.seen = NULL;
	*count = walk.count;
	if (r < 0 && errno != ENOENT)
		return KILN_ERR_IO;
	return walk.rc;
}
