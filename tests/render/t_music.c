/* SPDX-License-Identifier: MIT */
/* t_music.c: render/music.c: the choice by mood and genre, the note
 * schedule, the rendered bed, the ducking envelope and the mix's limit. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "music.h"
#include "suites.h"

#define RATE 48000

static void
t_music_choose(void)
{
	struct music_plan a, b;

	music_choose("happy", "cinematic", &a);
	CU_ASSERT(a.minor == 0 && a.bpm >= 110);
	music_choose("sad", "cinematic", &b);
	CU_ASSERT(b.minor == 1 && b.bpm < a.bpm);
	music_choose("neutral", "ambient", &a);
	CU_ASSERT_EQUAL(a.drums, 0);
	music_choose("neutral", "electronic", &a);
	CU_ASSERT_EQUAL(a.drums, 2);
	/* unknown words: stable and in range */
	music_choose("zzqx", "polka9", &a);
	music_choose("zzqx", "polka9", &b);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	CU_ASSERT(a.bpm >= 70 && a.bpm < 130);
	CU_ASSERT(a.drums >= 0 && a.drums <= 2);
}

static void
t_music_notes(void)
{
	struct music_plan p;
	struct music_note *n;
	size_t count, i, kicks = 0, pads = 0;

	music_choose("happy", "rock", &p); /* 120 bpm: a bar is 2 s */
	count = music_notes(&p, 10.0, &n);
	CU_ASSERT_FATAL(count > 0);
	for (i = 0; i < count; i++) {
		CU_ASSERT(n[i].start >= 0 && n[i].start < 10.0);
		if (i > 0)
			CU_ASSERT(n[i].start >= n[i - 1].start);
		kicks += n[i].part == MUSIC_KICK;
		pads += n[i].part == MUSIC_PAD;
	}
	CU_ASSERT_EQUAL(kicks, 20);   /* every beat, 2 per second */
	CU_ASSERT_EQUAL(pads, 5 * 3); /* a triad per bar */
	free(n);
	music_choose("calm", "ambient", &p);
	count = music_notes(&p, 10.0, &n);
	for (i = 0, kicks = 0; i < count; i++)
		kicks += n[i].part == MUSIC_KICK || n[i].part == MUSIC_HAT;
	CU_ASSERT_EQUAL(kicks, 0);
	free(n);
	CU_ASSERT_EQUAL(music_notes(&p, 0.0, &n), 0);
	free(n);
}

static int
t_never(void)
{
	return 0;
}

static int
t_always(void)
{
	return 1;
}

static void
t_music_render(void)
{
	size_t n = 3 * RATE, i;
	float *s = malloc(n * sizeof(*s)), peak = 0;
	struct music_plan p;
	double sum = 0;

	CU_ASSERT_FATAL(s != NULL);
	music_choose("tense", "electronic", &p);
	CU_ASSERT_EQUAL(music_render(&p, s, n, RATE, t_never), 0);
	for (i = 0; i < n; i++) {
		peak = fmaxf(peak, fabsf(s[i]));
		sum += (double)s[i] * s[i];
	}
	CU_ASSERT(fabsf(peak - 1.0f) < 1e-4f); /* normalised */
	CU_ASSERT(sqrt(sum / n) > 0.05);       /* clearly not silence */
	CU_ASSERT_EQUAL(music_render(&p, s, n, RATE, t_always), 1);
	free(s);
}

static void
t_music_duck(void)
{
	size_t n = 2 * RATE, i;
	float *voice = calloc(n, sizeof(float)), *gain = malloc(n * sizeof(float));
	float maxstep = 0;

	CU_ASSERT_FATAL(voice != NULL && gain != NULL);
	for (i = 0; i < n; i++)
		gain[i] = 1.0f;
	music_duck(voice, gain, n, RATE); /* silence: untouched */
	CU_ASSERT(gain[0] == 1.0f && gain[n - 1] == 1.0f);
	/* speech from 0.5 s to 1.0 s */
	for (i = RATE / 2; i < RATE; i++)
		voice[i] = 0.3f * (float)sin(i * 0.05);
	for (i = 0; i < n; i++)
		gain[i] = 1.0f;
	music_duck(voice, gain, n, RATE);
	CU_ASSERT(gain[RATE / 2 - 1] > 0.99f);                       /* before: full */
	CU_ASSERT(fabsf(gain[RATE - 10] - MUSIC_DUCK_GAIN) < 0.02f); /* during: ducked */
	CU_ASSERT(gain[RATE + RATE / 10] < 0.3f);                    /* held 150 ms */
	CU_ASSERT(gain[n - 1] > 0.85f);                              /* back up after */
	for (i = 1; i < n; i++)
		maxstep = fmaxf(maxstep, fabsf(gain[i] - gain[i - 1]));
	CU_ASSERT(maxstep < 0.001f); /* smooth: no clicks */
	free(voice);
	free(gain);
}

static void
t_music_mix(void)
{
	float voice[4] = {0.9f, -0.9f, 0.1f, 0}, music[4] = {1, -1, 0.5f, 0}, out[4];

	music_mix(voice, music, 0.3f, out, 4); /* 1.2 peak: scaled to 0.95 */
	CU_ASSERT(fabsf(out[0] - 0.95f) < 1e-5f && fabsf(out[1] + 0.95f) < 1e-5f);
	CU_ASSERT(fabsf(out[2] - 0.25f * 0.95f / 1.2f) < 1e-5f);
	music_mix(NULL, music, 0.3f, music, 4); /* in place, quiet: unscaled */
	CU_ASSERT(fabsf(music[0] - 0.3f) < 1e-6f && fabsf(music[2] - 0.15f) < 1e-6f);
	music_mix(voice, NULL, 0.3f, voice, 4);
	CU_ASSERT(fabsf(voice[0] - 0.9f) < 1e-6f);
}

void
suite_music(void)
{
	CU_pSuite s = CU_add_suite("render/music", NULL, NULL);

	CU_add_test(s, "mood and genre choose the music", t_music_choose);
	CU_add_test(s, "note schedule", t_music_notes);
	CU_add_test(s, "rendered bed and cancel", t_music_render);
	CU_add_test(s, "ducking envelope", t_music_duck);
	CU_add_test(s, "mix never clips", t_music_mix);
}
