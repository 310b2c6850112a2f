/* SPDX-License-Identifier: MIT */
/* voice.h: the narration: each scene's text spoken by libespeak-ng,
 * resampled to RENDER_AUDIO_RATE and placed at its scene's start. The
 * only file that includes <espeak-ng/speak_lib.h>. */
#ifndef KILN_RENDER_VOICE_H
#define KILN_RENDER_VOICE_H

#include <stddef.h>

/* Speaks texts[i] (UTF-8, borrowed) into out[start[i] .. start[i] +
 * len[i]) for i < scenes (cut when longer); out[0..n) is zeroed first.
 * voice: "default" (espeak's "en") or an espeak-ng voice name. Not
 * reentrant (espeak-ng keeps global state). Returns RENDER_OK,
 * RENDER_CANCELLED, or RENDER_FAILED with OUT: why ("unknown voice 'xx'"). */
int voice_render(const char *voice, char *const texts[], const size_t start[], const size_t len[],
		 int scenes, float *out, size_t n, char *why, size_t whylen);

#endif
