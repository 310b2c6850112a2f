/* SPDX-License-Identifier: MIT */
/* music.c: the music bed: a four-chord progression per mood, timbre and
 * rhythm per genre, rendered with phase-accumulator oscillators and
 * linear/exponential envelopes; plus ducking and the voice/music mix. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "music.h"
#include "render.h"

struct music_mood {
	const char *word;
	int bpm, minor;
};

struct music_genre {
	const char *word;
	enum music_wave wave;
	int drums, arp, seventh;
};

static const struct music_mood music_moods[] = {
    {"happy", 120, 0},     {"joyful", 120, 0},     {"upbeat", 124, 0},    {"cheerful", 116, 0},
    {"bright", 112, 0},    {"playful", 118, 0},    {"energetic", 132, 0}, {"excited", 132, 0},
    {"hopeful", 100, 0},   {"triumphant", 108, 0}, {"epic", 100, 0},      {"sad", 68, 1},
    {"melancholy", 66, 1}, {"melancholic", 66, 1}, {"somber", 64, 1},     {"sombre", 64, 1},
    {"tragic", 62, 1},     {"lonely", 70, 1},      {"nostalgic", 76, 1},  {"dark", 84, 1},
    {"tense", 104, 1},     {"suspense", 96, 1},    {"scary", 90, 1},      {"horror", 88, 1},
    {"ominous", 80, 1},    {"mysterious", 86, 1},  {"dramatic", 96, 1},   {"calm", 80, 0},
    {"peaceful", 76, 0},   {"relaxed", 78, 0},     {"serene", 72, 0},     {"dreamy", 74, 0},
    {"romantic", 82, 0},   {"gentle", 78, 0},      {"neutral", 92, 0},
};

static const struct music_genre music_genres[] = {
    {"cinematic", MUSIC_TRIANGLE, 1, 0, 0}, {"orchestral", MUSIC_TRIANGLE, 1, 0, 0},
    {"documentary", MUSIC_SINE, 0, 1, 0},   {"drama", MUSIC_TRIANGLE, 1, 0, 0},
    {"electronic", MUSIC_SQUARE, 2, 1, 0},  {"edm", MUSIC_SQUARE, 2, 1, 0},
    {"techno", MUSIC_SQUARE, 2, 1, 0},      {"synthwave", MUSIC_SAW, 2, 1, 0},
    {"pop", MUSIC_SQUARE, 2, 1, 0},         {"dance", MUSIC_SQUARE, 2, 1, 0},
    {"rock", MUSIC_SAW, 2, 0, 0},           {"action", MUSIC_SAW, 2, 1, 0},
    {"metal", MUSIC_SAW, 2, 0, 0},          {"ambient", MUSIC_SINE, 0, 0, 1},
    {"meditation", MUSIC_SINE, 0, 0, 0},    {"nature", MUSIC_SINE, 0, 1, 0},
    {"jazz", MUSIC_TRIANGLE, 1, 1, 1},      {"lofi", MUSIC_TRIANGLE, 1, 0, 1},
    {"lo-fi", MUSIC_TRIANGLE, 1, 0, 1},     {"folk", MUSIC_PLUCK, 1, 1, 0},
    {"acoustic", MUSIC_PLUCK, 1, 1, 0},     {"country", MUSIC_PLUCK, 1, 1, 0},
    {"horror", MUSIC_SINE, 0, 0, 1},        {"fantasy", MUSIC_TRIANGLE, 0, 1, 0},
};

void
music_choose(const char *mood, const char *genre, struct music_plan *p)
{
	size_t i;
	uint32_t h;

	memset(p, 0, sizeof(*p));
	h = render_word_hash(mood);
	p->bpm = 70 + (int)(h % 60);
	p->minor = (int)(h >> 8) & 1;
	for (i = 0; i < sizeof(music_moods) / sizeof(music_moods[0]); i++)
		if (strcmp(mood, music_moods[i].word) == 0) {
			p->bpm = music_moods[i].bpm;
			p->minor = music_moods[i].minor;
		}
	p->root = p->minor ? 57 : 60; /* A3 minor, C4 major */
	h = render_word_hash(genre);
	p->wave = (enum music_wave)(h % 5);
	p->drums = (int)(h >> 4) % 3;
	p->arp = (int)(h >> 7) & 1;
	p->seventh = (int)(h >> 9) & 1;
	for (i = 0; i < sizeof(music_genres) / sizeof(music_genres[0]); i++)
		if (strcmp(genre, music_genres[i].word) == 0) {
			p->wave = music_genres[i].wave;
			p->drums = music_genres[i].drums;
			p->arp = music_genres[i].arp;
			p->seventh = music_genres[i].seventh;
		}
}

static double
music_freq(int midi)
{
	return 440.0 * pow(2.0, (midi - 69) / 12.0);
}

/* Appends a note, growing the array. */
static void
music_add(struct music_note **v, size_t *n, size_t *cap, struct music_note note)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if ((*v = realloc(*v, *cap * sizeof(**v))) == NULL)
			abort();
	}
	(*v)[(*n)++] = note;
}

static int
music_note_cmp(const void *a, const void *b)
{
	const struct music_note *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

size_t
music_notes(const struct music_plan *p, double duration_s, struct music_note **notes)
{
	/* I-V-vi-IV in major, i-VI-III-VII in minor: roots in semitones
	 * above the tonic, and whether each chord is minor */
	static const int roots[2][4] = {{0, 7, 9, 5}, {0, 8, 3, 10}};
	static const int minors[2][4] = {{0, 0, 1, 0}, {1, 0, 0, 0}};
	double beat = 60.0 / p->bpm, bar = 4 * beat, t;
	size_t n = 0, cap = 0;
	int b, k, tones[4];

	*notes = NULL;
	for (b = 0; (t = b * bar) < duration_s; b++) {
		int c = b % 4, root = p->root + roots[p->minor][c];

		tones[0] = root;
		tones[1] = root + (minors[p->minor][c] ? 3 : 4);
		tones[2] = root + 7;
		tones[3] = root + (minors[p->minor][c] ? 10 : 11);
		for (k = 0; k < 3 + p->seventh; k++)
			music_add(
			    notes, &n, &cap,
			    (struct music_note){t, bar, music_freq(tones[k]), 0.22f, MUSIC_PAD});
		for (k = 0; k < 4; k++) {
			music_add(notes, &n, &cap,
				  (struct music_note){t + k * beat, beat * 0.9,
						      music_freq(root - 24 + (k == 3 ? 7 : 0)),
						      0.35f, MUSIC_BASS});
			if (p->drums == 2 || (p->drums == 1 && k % 2 == 0))
				music_add(
				    notes, &n, &cap,
				    (struct music_note){t + k * beat, 0.25, 0, 0.6f, MUSIC_KICK});
			if (p->drums == 2)
				music_add(notes, &n, &cap,
					  (struct music_note){t + (k + 0.5) * beat, 0.06, 0, 0.15f,
							      MUSIC_HAT});
		}
		for (k = 0; p->arp && k < 8; k++)
			music_add(notes, &n, &cap,
				  (struct music_note){t + k * beat / 2, beat / 2,
						      music_freq(tones[k % (3 + p->seventh)] + 12),
						      0.12f, MUSIC_ARP});
	}
	/* sorted by start, then what starts at or after the end dropped */
	if (n > 0)
		qsort(*notes, n, sizeof(**notes), music_note_cmp);
	while (n > 0 && (*notes)[n - 1].start >= duration_s)
		n--;
	return n;
}

/* One oscillator sample for phase ph in [0, 1). */
static float
music_osc(enum music_wave w, double ph)
{
	switch (w) {
	case MUSIC_SINE: return (float)sin(2 * M_PI * ph);
	case MUSIC_TRIANGLE: return (float)(ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph);
	case MUSIC_SAW: return (float)(2 * ph - 1) * 0.6f;
	case MUSIC_SQUARE: return ph < 0.5 ? 0.45f : -0.45f;
	case MUSIC_PLUCK: return (float)(ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph);
	}
	return 0;
}

/* Adds one note to out. Drums use their own sounds; the LCG keeps the
 * hat's noise deterministic. */
static void
music_note_render(const struct music_plan *p, const struct music_note *nt, float *out, size_t n,
		  int rate)
{
	size_t s0 = (size_t)(nt->start * rate), len = (size_t)(nt->len * rate), i;
	double ph = 0, att = 0.01 * rate, rel = 0.05 * rate, env, dur;
	uint32_t seed = (uint32_t)s0 | 1u;
	enum music_wave w = nt->part == MUSIC_BASS ? MUSIC_TRIANGLE : p->wave;

	if (nt->part == MUSIC_PAD) {
		att = 0.25 * rate;
		rel = 0.4 * rate;
	}
	for (i = 0; i < len && s0 + i < n; i++) {
		dur = (double)i / rate;
		env = i < att ? i / att : 1.0;
		if (len - i < rel)
			env *= (len - i) / rel;
		switch (nt->part) {
		case MUSIC_KICK:
			ph += (45.0 + 75.0 * exp(-dur * 30.0)) / rate;
			out[s0 + i] += nt->amp * (float)(sin(2 * M_PI * ph) * exp(-dur * 12.0));
			continue;
		case MUSIC_HAT:
			seed = seed * 1664525u + 1013904223u;
			out[s0 + i] +=
			    nt->amp * (float)(((seed >> 9) / 4194304.0 - 1.0) * exp(-dur * 60.0));
			continue;
		default: break;
		}
		if (w == MUSIC_PLUCK || nt->part == MUSIC_ARP)
			env *= exp(-dur * 6.0);
		ph += nt->freq / rate;
		ph -= floor(ph);
		out[s0 + i] += nt->amp * (float)env * music_osc(w, ph);
	}
}

int
music_render(const struct music_plan *p, float *out, size_t n, int rate, int (*cancel)(void))
{
	struct music_note *notes;
	size_t count = music_notes(p, (double)n / rate, &notes), k;
	float peak = 0;

	memset(out, 0, n * sizeof(*out));
	for (k = 0; k < count; k++) {
		if (cancel != NULL && k % 64 == 0 && cancel()) {
			free(notes);
			return 1;
		}
		music_note_render(p, &notes[k], out, n, rate);
	}
	free(notes);
	for (k = 0; k < n; k++)
		peak = fmaxf(peak, fabsf(out[k]));
	for (k = 0; peak > 0 && k < n; k++)
		out[k] /= peak;
	return 0;
}

void
music_duck(const float *voice, float *music, size_t n, int rate)
{
	size_t win = (size_t)rate / 100, hold = (size_t)rate * 15 / 100, i, j, last = 0;
	/* one-pole smoothing: 50 ms time constant down, 300 ms up */
	double g = 1.0, down = 1.0 - exp(-1.0 / (0.05 * rate)), up = 1.0 - exp(-1.0 / (0.3 * rate));
	double target, sum;
	int heard = 0;

	for (i = 0; i < n; i += win) {
		for (sum = 0, j = i; j < i + win && j < n; j++)
			sum += (double)voice[j] * voice[j];
		if (sum / win > 0.01 * 0.01) {
			heard = 1;
			last = i;
		}
		target = heard && i - last < hold ? MUSIC_DUCK_GAIN : 1.0;
		for (j = i; j < i + win && j < n; j++) {
			g += (target - g) * (target < g ? down : up);
			music[j] *= (float)g;
		}
	}
}

void
music_mix(const float *voice, const float *music, float level, float *out, size_t n)
{
	float peak = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		v = voice != NULL ? voice[i] : 0.0f;
		if (music != NULL)
			v += level * music[i];
		out[i] = v;
		peak = fmaxf(peak, fabsf(v));
	}
	for (i = 0; peak > 0.95f && i < n; i++)
		out[i] *= 0.95f / peak;
}
