/* SPDX-License-Identifier: MIT */
/* music.h: the synthesized music bed (chords, bass and rhythm chosen by
 * mood and genre), the ducking of music under speech, and the final mix.
 * Pure: float samples in memory, no libav, no I/O. */
#ifndef KILN_RENDER_MUSIC_H
#define KILN_RENDER_MUSIC_H

#include <stddef.h>

enum music_wave { MUSIC_SINE, MUSIC_TRIANGLE, MUSIC_SAW, MUSIC_SQUARE, MUSIC_PLUCK };
enum music_part { MUSIC_PAD, MUSIC_BASS, MUSIC_ARP, MUSIC_KICK, MUSIC_HAT };

struct music_plan {
	int bpm;              /* beats per minute */
	int minor;            /* 1: a minor progression */
	int root;             /* MIDI note of the key's tonic */
	enum music_wave wave; /* timbre of pads and arpeggios */
	int drums;            /* 0 none, 1 light (kick on 1 and 3), 2 full */
	int arp;              /* 1: arpeggiated chord tones on eighth notes */
	int seventh;          /* 1: four-note seventh chords */
};

struct music_note {
	double start; /* seconds */
	double len;   /* seconds */
	double freq;  /* Hz (unused for drums) */
	float amp;    /* 0..1 */
	enum music_part part;
};

/* Chooses tempo, key, progression and timbre from the words (known words
 * from a table, any other word by a stable hash). OUT: *p. */
void music_choose(const char *mood, const char *genre, struct music_plan *p);

/* The note schedule of duration_s seconds: new array in OUT: *notes
 * (free()), count returned. Notes start before duration_s, sorted by start. */
size_t music_notes(const struct music_plan *p, double duration_s, struct music_note **notes);

/* Renders the plan's notes into out[0..n) at rate Hz (overwritten),
 * peak-normalised to 1.0. Returns 0, or 1 when cancel() said stop. */
int music_render(const struct music_plan *p, float *out, size_t n, int rate, int (*cancel)(void));

/* Ducks music[0..n) in place under voice[0..n): each sample times a gain
 * of MUSIC_DUCK_GAIN while speech is heard (10 ms windows above a
 * threshold, held 150 ms), 1.0 elsewhere, moving smoothly (50 ms time
 * constant down, 300 ms up). Music of all 1.0 comes out as the gain. */
#define MUSIC_DUCK_GAIN 0.25f
void music_duck(const float *voice, float *music, size_t n, int rate);

/* out = voice + level * music (voice or music may be NULL for none), then
 * scaled down as a whole if its peak exceeds 0.95, so nothing clips. out
 * may alias voice or music. */
void music_mix(const float *voice, const float *music, float level, float *out, size_t n);

#endif
