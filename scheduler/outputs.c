/* SPDX-License-Identifier: MIT */
/* outputs.c: registering a job's outputs (see outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "io.h"
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

/* The walk in progress. */
struct outputs_walk {
	struct db *db;
	int64_t job_id, count, hashed, hash_max;
	int64_t slow_ms; /* tests: a pause before each file, so that a walk takes long */
	enum kiln_err rc;
	int stop;                    /* OUTPUTS_MAX reached, the lease lost or a database error */
	int64_t bad_names, too_deep; /* skipped: said once, at the end */
	outputs_beat_fn beat;
	void *arg;
	struct outputs_seen *seen;
	size_t nseen, capseen;
	char rel[OUTPUTS_PATH_MAX + 2]; /* the path below outputs/ being looked at */
};

/* The heartbeat (it decides when to write); -1 when it says stop. */
static int
outputs_beat(struct outputs_walk *w)
{
	if (w->beat == NULL || w->beat(w->arg) == 0)
		return 0;
	w->rc = KILN_ERR_CONFLICT;
	w->stop = 1;
	return -1;
}

/* The SHA-256 of the regular file fd (st: its fstat), its st_size bytes
 * at most. OUT: hex. -1 on errors, -2 when the heartbeat said stop. */
static int
outputs_hash(struct outputs_walk *w, int fd, const struct stat *st, char hex[65])
{
	unsigned char buf[65536], d[CRYPTO_SHA256_BYTES];
	struct crypto_sha256_state sha;
	int64_t left = st->st_size;
	ssize_t got = 0;

	crypto_sha256_init(&sha);
	while (left > 0 &&
	       (got = read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf))) >
		   0) {
		crypto_sha256_update(&sha, buf, (size_t)got);
		w->hashed += got;
		left -= got;
		if (outputs_beat(w) != 0)
			return -2;
	}
	if (got < 0)
		return -1;
	crypto_sha256_final(&sha, d);
	crypto_hex(d, sizeof(d), hex);
	return 0;
}

/* Remembers the hash of a file with several names. */
static void
outputs_remember(struct outputs_walk *w, const struct stat *st, const char hex[65])
{
	if (w->nseen == w->capseen) {
		size_t cap = w->capseen ? 2 * w->capseen : 16;
		struct outputs_seen *more = realloc(w->seen, cap * sizeof(*more));

		if (more == NULL)
			return; /* it is read again if met again */
		w->seen = more;
		w->capseen = cap;
	}
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen].ino = st->st_ino;
	memcpy(w->seen[w->nseen++].hex, hex, 65);
}

static const char *
outputs_known(const struct outputs_walk *w, const struct stat *st)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return w->seen[i].hex;
	return NULL;
}

/* Registers name in dfd (w->rel: its path), if it is still the regular
 * file the listing saw (st): opened without following a link, without
 * blocking on a FIFO put there since. */
static void
outputs_file(struct outputs_walk *w, int dfd, const char *name, const struct stat *seen)
{
	char hex[65];
	const char *known = NULL;
	struct stat st;
	int hashed = 0, fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != seen->st_dev ||
	    st.st_ino != seen->st_ino) {
		if (fd >= 0)
			close(fd);
		return; /* changed under the walk */
	}
	if (w->slow_ms > 0)
		usleep((useconds_t)(w->slow_ms * 1000));
	if (st.st_nlink > 1)
		known = outputs_known(w, &st);
	if (known == NULL && st.st_size <= w->hash_max - w->hashed) {
		int r = outputs_hash(w, fd, &st, hex);

		if (r == -2) {
			close(fd);
			return;
		}
		if (r != 0)
			log_warn("outputs: job %lld: cannot read %s: %s", (long long)w->job_id,
				 w->rel, strerror(errno));
		hashed = r == 0;
		if (hashed && st.st_nlink > 1)
			outputs_remember(w, &st, hex);
	}
	close(fd);
	{
		struct db_val p[5] = {DBV_I64(w->job_id), DBV_STR(w->rel), DBV_I64(st.st_size),
				      known    ? DBV_STR(known)
				      : hashed ? DBV_STR(hex)
					       : DBV_NULL,
				      DBV_STR(outputs_content_type(w->rel))};

		if ((w->rc = db_exec(w->db, STMT_OUTPUT_INSERT, p, 5, NULL, NULL, NULL)) != KILN_OK)
			w->stop = 1;
	}
	if (++w->count >= OUTPUTS_MAX)
		w->stop = 1;
}

/* Walks the folder dfd (w->rel[0..len): its path; depth: how deep it
 * is), one level at a time through descriptors opened with O_NOFOLLOW:
 * a folder swapped for a link while the walk runs is not entered. */
static void
outputs_dir(struct outputs_walk *w, int dfd, size_t len, int depth)
{
	DIR *d = io_list_dir(dfd);
	struct dirent *e;

	if (d == NULL)
		return;
	while (!w->stop && outputs_beat(w) == 0 && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), at = len ? len + 1 : 0;
		struct stat st;
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			continue; /* links (never followed), FIFOs, devices */
		if (at + n > OUTPUTS_PATH_MAX || !json_utf8_ok(e->d_name, n)) {
			w->bad_names++;
			continue;
		}
		if (len)
			w->rel[len] = '/';
		memcpy(w->rel + at, e->d_name, n + 1);
		if (S_ISREG(st.st_mode)) {
			outputs_file(w, dfd, e->d_name, &st);
		} else if (depth + 1 >= OUTPUTS_DEPTH_MAX) {
			w->too_deep++;
		} else if ((sub = openat(dfd, e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			struct stat now;

			if (fstat(sub, &now) == 0 && now.st_dev == st.st_dev &&
			    now.st_ino == st.st_ino)
				outputs_dir(w, sub, at + n, depth + 1);
			close(sub);
		}
		w->rel[len] = '\0';
	}
	closedir(d);
}

enum kiln_err
outputs_register(struct db *db, int64_t job_id, const char *dir, outputs_beat_fn beat, void *arg,
		 int64_t *count)
{
	struct outputs_walk *w = calloc(1, sizeof(*w));
	enum kiln_err rc;
	int fd;

	if (w == NULL)
		abort();
	w->db = db;
	w->job_id = job_id;
	w->rc = KILN_OK;
	w->beat = beat;
	w->arg = arg;
	/* tests: a smaller one */
	w->hash_max = test_hook_ll("KILN_TEST_OUTPUTS_HASH_MAX", OUTPUTS_HASH_MAX);
	w->slow_ms = test_hook_ll("KILN_TEST_OUTPUTS_SLOW_MS", 0);
	/* outputs/ itself: a link in its place is not followed */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		outputs_dir(w, fd, 0, 0);
		close(fd);
	}
	if (w->bad_names > 0)
		log_warn("outputs: job %lld: skipped %lld paths that are not UTF-8 or longer than "
			 "%d bytes",
			 (long long)job_id, (long long)w->bad_names, OUTPUTS_PATH_MAX);
	if (w->too_deep > 0)
		log_warn("outputs: job %lld: %lld folders %d levels down were not walked",
			 (long long)job_id, (long long)w->too_deep, OUTPUTS_DEPTH_MAX);
	*count = w->count;
	rc = fd < 0 && errno != ENOENT && errno != ELOOP && errno != ENOTDIR ? KILN_ERR_IO : w->rc;
	free(w->seen);
	free(w);
	return rc;
}
