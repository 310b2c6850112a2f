/* SPDX-License-Identifier: MIT */
/* t_unpack.c: data set archives: a good zip and tar.gz unpack with their
 * folders; zip-slip ("../", absolute paths), symbolic and hard links,
 * devices, a zip bomb past the byte cap, too many entries and garbage are
 * refused, and nothing lands outside the destination. */
#include <CUnit/CUnit.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "unpack.h"

struct ent {
	const char *path;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0 for a hard link */
	const char *data;
	size_t zeros; /* data of this many zero bytes instead */
	const char *link;
};

/* An archive of ents in a new memory file: zip 1 a zip, 0 a tar.gz, 2
 * one gzip-compressed file (ents[0], no archive around it). */
static int
make(int zip, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	int fd = memfd_create("archive", 0);
	size_t i;

	CU_ASSERT_FATAL(a != NULL && fd >= 0);
	if (zip == 2) {
		archive_write_set_format_raw(a);
		archive_write_add_filter_gzip(a);
	} else if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	CU_ASSERT_FATAL(archive_write_open_fd(a, fd) == ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t size =
		    ents[i].zeros ? ents[i].zeros : (ents[i].data ? strlen(ents[i].data) : 0);

		archive_entry_set_pathname(e, ents[i].path);
		if (ents[i].type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].link);
			size = 0;
		} else {
			archive_entry_set_filetype(e, ents[i].type);
		}
		if (ents[i].type == AE_IFLNK)
			archive_entry_set_symlink(e, ents[i].link);
		archive_entry_set_perm(e, ents[i].type == AE_IFDIR ? 0755 : 0644);
		archive_entry_set_size(e, ents[i].type == AE_IFREG ? (la_int64_t)size : 0);
		archive_write_header(a, e);
		if (ents[i].type == AE_IFREG && ents[i].zeros) {
			char *z = calloc(1, 65536);
			size_t left = ents[i].zeros;

			while (left > 0) {
				size_t k = left < 65536 ? left : 65536;

				archive_write_data(a, z, k);
				left -= k;
			}
			free(z);
		} else if (ents[i].type == AE_IFREG && size > 0) {
			archive_write_data(a, ents[i].data, size);
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static char base[64];

/* A fresh destination folder inside a fresh base folder. */
static const char *
fresh(char dest[128])
{
	snprintf(base, sizeof(base), "/tmp/kiln-unpack-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(base) != NULL);
	snprintf(dest, 128, "%s/data", base);
	CU_ASSERT_FATAL(mkdir(dest, 0755) == 0);
	return dest;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the base folder and what it holds. */
static void
wipe(void)
{
	CU_ASSERT(nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static enum kiln_err
unpack(int zip, const struct ent *ents, size_t n, uint64_t cap, char why[UNPACK_WHY_MAX])
{
	struct unpack_limits lim = {cap, 100};
	char dest[128];
	uint64_t bytes, entries;
	int fd = make(zip, ents, n), single;
	enum kiln_err rc = unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why);

	close(fd);
	return rc;
}

static void
t_unpack_good(void)
{
	struct ent ents[] = {{"train/", AE_IFDIR, NULL, 0, NULL},
			     {"train/a.csv", AE_IFREG, "x,y\n1,2\n", 0, NULL},
			     {"deep/er/b.txt", AE_IFREG, "b", 0, NULL},
			     {"./c.txt", AE_IFREG, "c", 0, NULL}};
	struct unpack_limits lim = {1 << 20, 100};
	char dest[128], path[256], buf[16], why[UNPACK_WHY_MAX];
	uint64_t bytes, entries;
	int zip, single;

	for (zip = 0; zip < 2; zip++) {
		int fd = make(zip, ents, 4);
		FILE *f;

		CU_ASSERT_EQUAL(
		    unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why), KILN_OK);
		close(fd);
		CU_ASSERT_EQUAL(entries, 4);
		CU_ASSERT_EQUAL(bytes, 10);
		snprintf(path, sizeof(path), "%s/train/a.csv", dest);
		f = fopen(path, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_PTR_NOT_NULL(fgets(buf, sizeof(buf), f));
		CU_ASSERT_STRING_EQUAL(buf, "x,y\n");
		fclose(f);
		snprintf(path, sizeof(path), "%s/deep/er/b.txt", dest);
		CU_ASSERT_EQUAL(access(path, R_OK), 0);
		snprintf(path, sizeof(path), "%s/c.txt", dest);
		CU_ASSERT_EQUAL(access(path, R_OK), 0);
		wipe();
	}
}

static void
t_unpack_hostile(void)
{
	static const struct ent slip[] = {{"../evil.txt", AE_IFREG, "x", 0, NULL}};
	static const struct ent slip2[] = {{"ok/../../evil.txt", AE_IFREG, "x", 0, NULL}};
	static const struct ent abs[] = {{"/tmp/kiln-evil.txt", AE_IFREG, "x", 0, NULL}};
	static const struct ent sym[] = {{"link", AE_IFLNK, NULL, 0, "/etc"},
					 {"link/passwd", AE_IFREG, "x", 0, NULL}};
	static const struct ent hard[] = {{"h", 0, NULL, 0, "/etc/passwd"}};
	static const struct ent dev[] = {{"null", AE_IFCHR, NULL, 0, NULL}};
	static const struct ent twice[] = {{"a", AE_IFREG, "1", 0, NULL},
					   {"a", AE_IFREG, "2", 0, NULL}};
	static const struct ent under_file[] = {{"a", AE_IFREG, "1", 0, NULL},
						{"a/b", AE_IFREG, "2", 0, NULL}};
	char why[UNPACK_WHY_MAX], evil[128];
	int zip;

	for (zip = 0; zip < 2; zip++) {
		CU_ASSERT_EQUAL(unpack(zip, slip, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "leaves"));
		snprintf(evil, sizeof(evil), "%s/evil.txt", base);
		CU_ASSERT_NOT_EQUAL(access(evil, F_OK), 0);
		wipe();
		CU_ASSERT_EQUAL(unpack(zip, slip2, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		wipe();
		CU_ASSERT_EQUAL(unpack(zip, abs, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_NOT_EQUAL(access("/tmp/kiln-evil.txt", F_OK), 0);
		wipe();
		CU_ASSERT_EQUAL(unpack(zip, sym, 2, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "links"));
		wipe();
		CU_ASSERT_EQUAL(unpack(zip, twice, 2, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		wipe();
		/* refused as the data set's fault (bad_dataset), not an I/O error */
		CU_ASSERT_EQUAL(unpack(zip, under_file, 2, 1 << 20, why), KILN_ERR_BAD_REQUEST);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "is a file"));
		wipe();
	}
	CU_ASSERT_EQUAL(unpack(0, hard, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
	wipe();
	CU_ASSERT_EQUAL(unpack(0, dev, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
	wipe();
}

static void
t_unpack_bomb(void)
{
	/* 64 MiB of zeros compress to a few dozen KiB: the cap (1 MiB) stops
	 * the writing, whatever the header says */
	static const struct ent bomb[] = {{"zeros.bin", AE_IFREG, NULL, (size_t)64 << 20, NULL}};
	struct ent many[120];
	char why[UNPACK_WHY_MAX], names[120][16], path[256];
	struct stat st;
	int i;

	CU_ASSERT_EQUAL(unpack(1, bomb, 1, 1 << 20, why), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "size cap"));
	snprintf(path, sizeof(path), "%s/data/zeros.bin", base);
	CU_ASSERT(stat(path, &st) != 0 || st.st_size <= (1 << 20));
	wipe();
	for (i = 0; i < 120; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d", i);
		many[i] = (struct ent){names[i], AE_IFREG, "x", 0, NULL};
	}
	CU_ASSERT_EQUAL(unpack(0, many, 120, 1 << 20, why), KILN_ERR_BAD_REQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "too many"));
	wipe();
	/* not an archive at all */
	{
		struct unpack_limits lim = {1 << 20, 100};
		char dest[128];
		uint64_t bytes, entries;
		int fd = memfd_create("junk", 0), single;

		CU_ASSERT_FATAL(write(fd, "name,n\na,1\n", 11) == 11);
		lseek(fd, 0, SEEK_SET);
		CU_ASSERT_EQUAL(
		    unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why),
		    KILN_ERR_BAD_REQUEST);
		close(fd);
		wipe();
	}
	CU_ASSERT_EQUAL(unpack_path_ok("a/b/c.txt"), 0);
	CU_ASSERT_EQUAL(unpack_path_ok("a/..b/c"), 0);
	CU_ASSERT_EQUAL(unpack_path_ok("a/../c"), -1);
	CU_ASSERT_EQUAL(unpack_path_ok(".."), -1);
	CU_ASSERT_EQUAL(unpack_path_ok(""), -1);
	CU_ASSERT_EQUAL(unpack_path_ok("a\\b"), -1);
	CU_ASSERT_EQUAL(unpack_path_ok("a\nb"), -1);
}

/* One gzip-compressed file is not an archive: nothing is written and the
 * caller is told to use it as it is; a tar.gz is still unpacked. */
static void
t_unpack_single_gzip(void)
{
	struct ent one[] = {{"data", AE_IFREG, "n\n1\n2\n", 0, NULL}};
	struct ent tar[] = {{"a.csv", AE_IFREG, "n\n1\n", 0, NULL}};
	struct unpack_limits lim = {1 << 20, 100};
	char dest[128], why[UNPACK_WHY_MAX];
	uint64_t bytes, entries;
	int fd = make(2, one, 1), single = 0;
	DIR *d;
	struct dirent *e;
	int names = 0;

	CU_ASSERT_EQUAL(unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why),
			KILN_OK);
	close(fd);
	CU_ASSERT_EQUAL(single, 1);
	CU_ASSERT_EQUAL(entries, 0);
	CU_ASSERT_EQUAL(bytes, 0);
	d = opendir(dest);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL)
		names += e->d_name[0] != '.';
	closedir(d);
	CU_ASSERT_EQUAL(names, 0);
	wipe();
	fd = make(0, tar, 1);
	CU_ASSERT_EQUAL(unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why),
			KILN_OK);
	close(fd);
	CU_ASSERT_EQUAL(single, 0);
	CU_ASSERT_EQUAL(entries, 1);
	wipe();
}

/* A compressed data set that is damaged is refused, not used as it is:
 * a tar.gz cut short or with bytes changed in its stream (refused before
 * as well), and one gzip-compressed file cut short (its CRC never checks
 * out) or inflating past the byte cap. */
static void
t_unpack_damaged(void)
{
	static char text[200001];
	struct ent tar[] = {{"a.csv", AE_IFREG, text, 0, NULL}, {"b.csv", AE_IFREG, text, 0, NULL}};
	struct ent one[] = {{"data", AE_IFREG, text, 0, NULL}};
	struct unpack_limits lim = {1 << 24, 100};
	char dest[128], why[UNPACK_WHY_MAX];
	uint64_t bytes, entries;
	int how, single;
	size_t i;

	for (i = 0; i + 1 < sizeof(text); i++) /* compresses, but not to nothing */
		text[i] = (char)(i % 7 == 6 ? '\n' : '0' + (i * 2654435761u >> 13) % 10);
	/* whole, but more than the byte cap once inflated: a gzip bomb */
	{
		struct unpack_limits small = {100000, 100};
		int fd = make(2, one, 1);

		single = 0;
		CU_ASSERT_EQUAL(
		    unpack_archive(fd, fresh(dest), &small, &bytes, &entries, &single, why),
		    KILN_ERR_BAD_REQUEST);
		CU_ASSERT_EQUAL(single, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "size cap"));
		close(fd);
		wipe();
	}
	for (how = 0; how < 3; how++) {
		int fd = how < 2 ? make(0, tar, 2) : make(2, one, 1);
		off_t size = lseek(fd, 0, SEEK_END);

		CU_ASSERT_FATAL(size > 64);
		if (how == 1) { /* bytes changed after the gzip header */
			char junk[16];

			memset(junk, 0x5a, sizeof(junk));
			CU_ASSERT_FATAL(pwrite(fd, junk, sizeof(junk), 12) ==
					(ssize_t)sizeof(junk));
		} else {
			CU_ASSERT_FATAL(ftruncate(fd, size / 2) == 0);
		}
		lseek(fd, 0, SEEK_SET);
		single = 0;
		CU_ASSERT_EQUAL(
		    unpack_archive(fd, fresh(dest), &lim, &bytes, &entries, &single, why),
		    KILN_ERR_BAD_REQUEST);
		CU_ASSERT_EQUAL(single, 0);
		CU_ASSERT(why[0] != '\0');
		close(fd);
		wipe();
	}
}

void
suite_unpack(void)
{
	CU_pSuite s = CU_add_suite("unpack", NULL, NULL);

	CU_add_test(s, "zip and tar.gz with folders", t_unpack_good);
	CU_add_test(s, "zip-slip, absolute, links, devices, duplicates refused", t_unpack_hostile);
	CU_add_test(s, "zip bomb at the byte cap, too many entries, garbage", t_unpack_bomb);
	CU_add_test(s, "one gzip-compressed file is used as it is", t_unpack_single_gzip);
	CU_add_test(s, "a damaged tar.gz or gzip file is refused", t_unpack_damaged);
}
