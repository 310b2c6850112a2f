/* SPDX-License-Identifier: MIT */
/* t_render_job.c: kiln-run's side of render jobs (scheduler/render_job.c):
 * kiln-render's command line, the failure line and its code, the charge
 * read from the manifest, and files the job planted (links, a FIFO) that
 * must not be read. */
#include <CUnit/CUnit.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "render_job.h"
#include "suites.h"

static char t_dir[64];

static void
t_write(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t_dir, rel);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static int
t_setup(void)
{
	char path[128];

	snprintf(t_dir, sizeof(t_dir), "/tmp/kiln-rj-XXXXXX");
	if (mkdtemp(t_dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/.kiln", t_dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/outputs", t_dir);
	return mkdir(path, 0755);
}

static int
t_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
t_teardown(void)
{
	return nftw(t_dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
t_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
}

static void
t_render_job_argv(void)
{
	struct kiln_config cfg;
	char *argv[RENDER_JOB_ARGV_MAX];

	memset(&cfg, 0, sizeof(cfg));
	CU_ASSERT_EQUAL_FATAL(
	    render_job_argv(&cfg, "/kiln/bin/kiln-render", "/workspace", argv, RENDER_JOB_ARGV_MAX),
	    0);
	CU_ASSERT_STRING_EQUAL(argv[0], "/kiln/bin/kiln-render");
	CU_ASSERT_STRING_EQUAL(argv[1], "/workspace/input/render.json");
	CU_ASSERT_STRING_EQUAL(argv[2], "/workspace/outputs");
	CU_ASSERT_PTR_NULL(argv[3]);
	t_argv_free(argv);
	snprintf(cfg.image_generator, sizeof(cfg.image_generator), "/opt/sd/run --steps 4");
	snprintf(cfg.render_font, sizeof(cfg.render_font), "/usr/share/fonts/x.ttf");
	CU_ASSERT_EQUAL_FATAL(render_job_argv(&cfg, "kr", "/j", argv, RENDER_JOB_ARGV_MAX), 0);
	CU_ASSERT_STRING_EQUAL(argv[1], "-g");
	CU_ASSERT_STRING_EQUAL(argv[2], "/opt/sd/run --steps 4"); /* one argument */
	CU_ASSERT_STRING_EQUAL(argv[3], "-f");
	CU_ASSERT_STRING_EQUAL(argv[4], "/usr/share/fonts/x.ttf");
	CU_ASSERT_STRING_EQUAL(argv[5], "/j/input/render.json");
	CU_ASSERT_PTR_NULL(argv[7]);
	t_argv_free(argv);
	CU_ASSERT_EQUAL(render_job_argv(&cfg, "kr", "/j", argv, 4), -1);
}

static void
t_render_job_failure(void)
{
	static const char *const cases[][2] = {
	    {"unknown voice 'xx'\n", "unknown_voice"},
	    {"no font: /nope.ttf\n", "no_font"},
	    {"encoder failure: cannot open libx264", "encoder_failure"},
	    {"bad config: fps must be 1..60\n", "bad_config"},
	    {"image generator: scene 3: exit 1\n", "image_generator"},
	    {"42 things went wrong\n", "render_failed"},
	};
	char detail[RENDER_JOB_DETAIL_MAX], code[RENDER_JOB_CODE_MAX], big[600], path[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_write(".kiln/failure", cases[i][0]);
		CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 1);
		CU_ASSERT_STRING_EQUAL(code, cases[i][1]);
		CU_ASSERT_PTR_NULL(strchr(detail, '\n'));
		CU_ASSERT_EQUAL(strlen(detail), strcspn(cases[i][0], "\n"));
		CU_ASSERT_EQUAL(strncmp(detail, cases[i][0], strlen(detail)), 0);
	}
	/* control bytes become '?'; a long line is cut */
	t_write(".kiln/failure", "no font: \x1b[31mred\x07\n");
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 1);
	CU_ASSERT_STRING_EQUAL(detail, "no font: ?[31mred?");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t_write(".kiln/failure", big);
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 1);
	CU_ASSERT_EQUAL(strlen(detail), RENDER_JOB_DETAIL_MAX - 1);
	CU_ASSERT_EQUAL(strlen(code), RENDER_JOB_CODE_MAX - 1);
	/* nothing, an empty line, a link, a FIFO: no line */
	t_write(".kiln/failure", "\n");
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 0);
	snprintf(path, sizeof(path), "%s/.kiln/failure", t_dir);
	unlink(path);
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 0);
	CU_ASSERT_EQUAL(symlink("/etc/hostname", path), 0);
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 0);
	unlink(path);
	CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
	CU_ASSERT_EQUAL(render_job_failure(t_dir, detail, code), 0); /* and does not block */
	unlink(path);
}

static void
t_render_job_cost(void)
{
	struct render_spec r = {3, 4, 1, 0};
	struct prices p;
	struct estimate e;
	int64_t cost = -1;
	char path[128];

	fixture_default_prices(&p);
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_NOT_FOUND);
	/* 3.96 s rounds to 4 */
	t_write("outputs/manifest.json",
		"{\"duration\": 3.96, \"num_images\": 3, \"include_voice\": "
		"true, \"include_music\": false, \"fps\": 12}");
	CU_ASSERT_EQUAL_FATAL(render_job_cost(&p, t_dir, &cost), KILN_OK);
	CU_ASSERT_EQUAL_FATAL(estimate_render(&p, &r, &e), KILN_OK);
	CU_ASSERT_EQUAL(cost, e.total);
	CU_ASSERT(cost > 0);
	r.include_voice = 0;
	r.include_music = 1;
	t_write("outputs/manifest.json",
		"{\"duration\": 4.0, \"num_images\": 3, \"include_voice\": "
		"false, \"include_music\": true}");
	CU_ASSERT_EQUAL(estimate_render(&p, &r, &e), KILN_OK);
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_OK);
	CU_ASSERT_EQUAL(cost, e.total);
	/* not a manifest */
	t_write("outputs/manifest.json", "{\"duration\": -1, \"num_images\": 3}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	t_write("outputs/manifest.json", "{\"duration\": 2, \"num_images\": \"3\"}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	t_write("outputs/manifest.json", "{\"duration\": 2, \"num_images\": 0}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	t_write("outputs/manifest.json", "{\"duration\": 2e9, \"num_images\": 2}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	/* more than a render may ask for (JOBSPEC_RENDER_*_MAX) */
	t_write("outputs/manifest.json", "{\"duration\": 900, \"num_images\": 2}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	t_write("outputs/manifest.json", "{\"duration\": 2, \"num_images\": 101}");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	t_write("outputs/manifest.json", "[1, 2");
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_BAD_REQUEST);
	/* a link the job planted is not followed */
	snprintf(path, sizeof(path), "%s/outputs/manifest.json", t_dir);
	unlink(path);
	t_write("elsewhere.json", "{\"duration\": 2, \"num_images\": 2}");
	CU_ASSERT_EQUAL(symlink("../elsewhere.json", path), 0);
	CU_ASSERT_EQUAL(render_job_cost(&p, t_dir, &cost), KILN_ERR_NOT_FOUND);
}

void
suite_render_job(void)
{
	CU_pSuite s = CU_add_suite("render jobs (kiln-run)", t_setup, t_teardown);

	CU_add_test(s, "kiln-render's command line", t_render_job_argv);
	CU_add_test(s, "the failure line and its code", t_render_job_failure);
	CU_add_test(s, "the charge from the manifest", t_render_job_cost);
}
