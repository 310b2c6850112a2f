/* SPDX-License-Identifier: MIT */
/* render.h: what the stages of kiln-render share: their return codes and
 * the limits of a film. Not for: the config itself (spec.h) or any
 * library type (each stage's header keeps those to itself). */
#ifndef KILN_RENDER_H
#define KILN_RENDER_H

#include <stddef.h>
#include <stdint.h>

/* Every stage returns one of these; a failure fills a why buffer. */
enum render_rc {
	RENDER_OK = 0,
	RENDER_FAILED,    /* why says what, in one line */
	RENDER_CANCELLED, /* SIGTERM/SIGINT seen (report_cancelled()) */
};

/* FNV-1a of a word: an unknown mood or genre always gets the same cards
 * and the same music (plan.c). */
uint32_t render_word_hash(const char *s);

#define RENDER_WHY_MAX 200      /* bytes of a failure reason, NUL included */
#define RENDER_AUDIO_RATE 48000 /* Hz of the voice, music and AAC tracks */

#endif
