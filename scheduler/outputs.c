/* SPDX-License-Identifier: MIT */
/* outputs.c: registering a job's outputs (see outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "json.h"
#include "log.h"

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

/* nftw has no context argument: the walk in progress */
static struct {
	struct db *db;
	int64_t job_id, count;
	size_t base;
	enum kiln_err rc;
} walk;

static int
outputs_hash(const char *path, char hex[65])
{
	unsigned char buf[65536], d[CRYPTO_SHA256_BYTES];
	struct crypto_sha256_state st;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	crypto_sha256_init(&st);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		crypto_sha256_update(&st, buf, (size_t)got);
	close(fd);
	if (got < 0)
		return -1;
	crypto_sha256_final(&st, d);
	crypto_hex(d, sizeof(d), hex);
	return 0;
}

static int
outputs_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char hex[65];
	const char *rel = path + walk.base;
	size_t len = strlen(rel);

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0; /* folders, links (FTW_SL: never followed), devices */
	if (walk.count >= OUTPUTS_MAX)
		return 1;
	if (len > OUTPUTS_PATH_MAX || !json_utf8_ok(rel, len)) {
		log_warn("outputs: job %lld: skipped a path that is not UTF-8 or longer than %d "
			 "bytes",
			 (long long)walk.job_id, OUTPUTS_PATH_MAX);
		return 0;
	}
	if (outputs_hash(path, hex) != 0) {
		log_warn("outputs: cannot read %s: %s", path, strerror(errno));
		return 0;
	}
	{
		struct db_val p[5] = {DBV_I64(walk.job_id), DBV_STR(rel), DBV_I64(st->st_size),
				      DBV_STR(hex), DBV_STR(outputs_content_type(rel))};

		if ((walk.rc = db_exec(walk.db, STMT_OUTPUT_INSERT, p, 5, NULL, NULL, NULL)) !=
		    KILN_OK)
			return 1;
	}
	walk.count++;
	return 0;
}

enum kiln_err
outputs_register(struct db *db, int64_t job_id, const char *dir, int64_t *count)
{
	walk.db = db;
	walk.job_id = job_id;
	walk.count = 0;
	walk.base = strlen(dir) + 1;
	walk.rc = KILN_OK;
	if (nftw(dir, outputs_visit, 16, FTW_PHYS) < 0 && errno != ENOENT)
		return KILN_ERR_IO;
	*count = walk.count;
	return walk.rc;
}
