/* SPDX-License-Identifier: MIT */
/* voice.c: speech with libespeak-ng in synchronous mode (a callback
 * collects 16-bit samples), resampled with libswresample (voice.h). */
#include <espeak-ng/speak_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>

#include "render.h"
#include "report.h"
#include "voice.h"

struct voice_pcm {
	int16_t *s;
	size_t n, cap, max; /* samples held, allocated, wanted at most */
};

/* espeak-ng's synth callback: appends samples; a non-zero return stops
 * synthesis (on cancel, or once the scene's length is reached). */
static int
voice_collect(short *wav, int count, espeak_EVENT *events)
{
	struct voice_pcm *pcm = events != NULL ? events->user_data : NULL;

	if (pcm == NULL || report_cancelled())
		return 1;
	if (wav == NULL || count <= 0)
		return 0;
	if (pcm->n + (size_t)count > pcm->cap) {
		pcm->cap = (pcm->n + (size_t)count) * 2;
		if ((pcm->s = realloc(pcm->s, pcm->cap * sizeof(*pcm->s))) == NULL)
			abort();
	}
	memcpy(pcm->s + pcm->n, wav, (size_t)count * sizeof(*wav));
	pcm->n += (size_t)count;
	return pcm->n >= pcm->max;
}

/* pcm (rate Hz) resampled into out[0..len), at most; cut beyond it. */
static int
voice_place(struct SwrContext *swr, const struct voice_pcm *pcm, float *out, size_t len)
{
	const uint8_t *in = (const uint8_t *)pcm->s;
	uint8_t *o = (uint8_t *)out;
	int got, total = 0;

	if (len > INT32_MAX)
		len = INT32_MAX;
	if (swr_init(swr) < 0)
		return -1;
	got = swr_convert(swr, &o, (int)len, &in, (int)pcm->n);
	if (got < 0)
		return -1;
	total = got;
	while ((size_t)total < len) { /* the resampler's delayed tail */
		o = (uint8_t *)(out + total);
		if ((got = swr_convert(swr, &o, (int)(len - (size_t)total), NULL, 0)) <= 0)
			break;
		total += got;
	}
	return 0;
}

/* Fades the last VOICE_FADE samples of out[0..len) to silence: speech cut
 * at its scene's end would otherwise stop with a click. */
#define VOICE_FADE (RENDER_AUDIO_RATE / 50) /* 20 ms */

static void
voice_fade_tail(float *out, size_t len)
{
	size_t k, fade = len < VOICE_FADE ? len : VOICE_FADE;

	for (k = 0; k < fade; k++)
		out[len - 1 - k] *= (float)k / (float)fade;
}

/* One scene's speech into pcm; RENDER_* code. */
static int
voice_speak(const char *text, struct voice_pcm *pcm, char *why, size_t whylen)
{
	espeak_ERROR e;

	pcm->n = 0;
	e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, pcm);
	if (report_cancelled())
		return RENDER_CANCELLED;
	if (e != EE_OK) {
		snprintf(why, whylen, "voice failure: espeak-ng error %d", (int)e);
		return RENDER_FAILED;
	}
	return RENDER_OK;
}

int
voice_render(const char *voice, char *const texts[], const size_t start[], const size_t len[],
	     int scenes, float *out, size_t n, char *why, size_t whylen)
{
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	struct SwrContext *swr = NULL;
	struct voice_pcm pcm = {NULL, 0, 0, 0};
	int rate, i, rc = RENDER_FAILED;
	size_t room;

	memset(out, 0, n * sizeof(*out));
	rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
	if (rate <= 0) {
		snprintf(why, whylen, "voice failure: cannot initialise espeak-ng (no data?)");
		return RENDER_FAILED;
	}
	espeak_SetSynthCallback(voice_collect);
	if (espeak_SetVoiceByName(strcmp(voice, "default") == 0 ? "en" : voice) != EE_OK) {
		snprintf(why, whylen, "unknown voice '%s'", voice);
		goto out;
	}
	if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, RENDER_AUDIO_RATE, &mono,
				AV_SAMPLE_FMT_S16, rate, 0, NULL) < 0) {
		snprintf(why, whylen, "voice failure: no resampler");
		goto out;
	}
	for (i = 0; i < scenes; i++) {
		if (start[i] >= n || len[i] == 0)
			continue;
		pcm.max = (size_t)((double)len[i] * rate / RENDER_AUDIO_RATE) + (size_t)rate / 10;
		if ((rc = voice_speak(texts[i], &pcm, why, whylen)) != RENDER_OK)
			goto out;
		rc = RENDER_FAILED;
		room = len[i] < n - start[i] ? len[i] : n - start[i];
		if (pcm.n > 0 && voice_place(swr, &pcm, out + start[i], room) != 0) {
			snprintf(why, whylen, "voice failure: resampling failed");
			goto out;
		}
		if (pcm.n > 0)
			voice_fade_tail(out + start[i], room);
	}
	rc = RENDER_OK;
out:
	swr_free(&swr);
	free(pcm.s);
	espeak_Terminate();
	return rc;
}
