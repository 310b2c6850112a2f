/* SPDX-License-Identifier: MIT */
/* t_estimate.c: the estimator at its boundaries: the documented render
 * example to the micro, parts that sum to the total, off switches, compute
 * maxima with memory rounded up, refused negatives and overflow. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <string.h>

#include "estimate.h"
#include "fixtures.h"
#include "suites.h"

void
fixture_default_prices(struct prices *p)
{
	memset(p, 0, sizeof(*p));
	p->micros[PRICE_GPU_SECOND] = 500;
	p->micros[PRICE_CPU_SECOND] = 20;
	p->micros[PRICE_MEMORY_GB_SECOND] = 2;
	p->micros[PRICE_IMAGE] = 20000;
	p->micros[PRICE_VIDEO_SECOND] = 50000;
	p->micros[PRICE_VOICE_SECOND] = 15000;
	p->micros[PRICE_MUSIC_SECOND] = 10000;
	p->micros[PRICE_FFMPEG_SECOND] = 1000;
}

static void
t_estimate_render_example(void)
{
	struct prices p;
	struct render_spec r = {10, 30, 1, 1};
	struct estimate e;

	fixture_default_prices(&p);
	CU_ASSERT_EQUAL_FATAL(estimate_render(&p, &r, &e), KILN_OK);
	CU_ASSERT_EQUAL(e.nparts, 5);
	CU_ASSERT_EQUAL(e.part[0], 200000);  /* image_generation 0.20 */
	CU_ASSERT_EQUAL(e.part[1], 1500000); /* video_generation 1.50 */
	CU_ASSERT_EQUAL(e.part[2], 450000);  /* voice_synthesis 0.45 */
	CU_ASSERT_EQUAL(e.part[3], 300000);  /* music_synthesis 0.30 */
	CU_ASSERT_EQUAL(e.part[4], 30000);   /* ffmpeg_processing 0.03 */
	CU_ASSERT_EQUAL(e.total, 2480000);
	CU_ASSERT_STRING_EQUAL(estimate_render_parts[2], "voice_synthesis");
}

static void
t_estimate_render_switches(void)
{
	struct prices p;
	struct render_spec r = {3, 7, 0, 0};
	struct estimate e;
	int64_t sum = 0;
	int i;

	fixture_default_prices(&p);
	CU_ASSERT_EQUAL_FATAL(estimate_render(&p, &r, &e), KILN_OK);
	CU_ASSERT_EQUAL(e.part[2], 0);
	CU_ASSERT_EQUAL(e.part[3], 0);
	for (i = 0; i < e.nparts; i++)
		sum += e.part[i];
	CU_ASSERT_EQUAL(e.total, sum);
	CU_ASSERT_EQUAL(e.total, 3 * 20000 + 7 * 50000 + 7 * 1000);
	r.num_images = -1;
	CU_ASSERT_EQUAL(estimate_render(&p, &r, &e), KILN_ERR_RANGE);
	r.num_images = 1;
	r.video_duration = INT64_MAX;
	CU_ASSERT_EQUAL(estimate_render(&p, &r, &e), KILN_ERR_RANGE);
}

static void
t_estimate_compute(void)
{
	struct prices p;
	struct compute_spec c = {1, 4, (int64_t)8 << 30, 3600};
	struct estimate e;

	fixture_default_prices(&p);
	CU_ASSERT_EQUAL_FATAL(estimate_compute(&p, &c, &e), KILN_OK);
	CU_ASSERT_EQUAL(e.nparts, 3);
	CU_ASSERT_EQUAL(e.part[0], 3600 * 500);    /* one GPU for an hour: 1.80 */
	CU_ASSERT_EQUAL(e.part[1], 4 * 3600 * 20); /* four cores */
	CU_ASSERT_EQUAL(e.part[2], 8 * 3600 * 2);  /* 8 GiB */
	CU_ASSERT_EQUAL(e.total, e.part[0] + e.part[1] + e.part[2]);
	/* one byte for one second still costs a whole micro (rounded up) */
	c = (struct compute_spec){0, 0, 1, 1};
	CU_ASSERT_EQUAL_FATAL(estimate_compute(&p, &c, &e), KILN_OK);
	CU_ASSERT_EQUAL(e.part[2], 1);
	c = (struct compute_spec){0, 0, 0, 0};
	CU_ASSERT_EQUAL_FATAL(estimate_compute(&p, &c, &e), KILN_OK);
	CU_ASSERT_EQUAL(e.total, 0);
	c = (struct compute_spec){-1, 1, 1, 1};
	CU_ASSERT_EQUAL(estimate_compute(&p, &c, &e), KILN_ERR_RANGE);
	c = (struct compute_spec){INT64_MAX, INT64_MAX, 1, INT64_MAX};
	CU_ASSERT_EQUAL(estimate_compute(&p, &c, &e), KILN_ERR_RANGE);
	/* the largest accepted inputs cannot overflow, they only exceed the cap */
	c = (struct compute_spec){1000000, 1000000, (int64_t)1 << 50, 1000000000};
	CU_ASSERT_EQUAL(estimate_compute(&p, &c, &e), KILN_ERR_RANGE);
	c = (struct compute_spec){1, 0, 0, 1};
	p.micros[PRICE_GPU_SECOND] = -1;
	CU_ASSERT_EQUAL(estimate_compute(&p, &c, &e), KILN_ERR_RANGE);
}

static void
t_estimate_price_names(void)
{
	int i;

	for (i = 0; i < PRICE__COUNT; i++)
		CU_ASSERT_EQUAL(price_lookup(price_names[i]), i);
	CU_ASSERT_EQUAL(price_lookup("gpu"), -1);
	CU_ASSERT_EQUAL(price_lookup(""), -1);
}

void
suite_estimate(void)
{
	CU_pSuite s = CU_add_suite("estimate", NULL, NULL);

	CU_add_test(s, "10 images, 30 s, voice, music: 0.20/1.50/0.45/0.30/0.03",
		    t_estimate_render_example);
	CU_add_test(s, "render parts sum to the total; switches; ranges",
		    t_estimate_render_switches);
	CU_add_test(s, "compute maximum to the timeout, memory rounded up", t_estimate_compute);
	CU_add_test(s, "price names round-trip", t_estimate_price_names);
}
