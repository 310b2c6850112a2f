/* SPDX-License-Identifier: MIT */
/* generator.h: an external scene image generator (-g CMD), e.g. a
 * diffusion model on the GPU, run without a shell: argv is CMD split on
 * spaces followed by the prompt and the PNG path it must write. */
#ifndef KILN_RENDER_GENERATOR_H
#define KILN_RENDER_GENERATOR_H

#include <libavutil/frame.h>
#include <stddef.h>

#define GENERATOR_ARGS_MAX 64 /* words of CMD */

/* Splits cmd on spaces (runs of spaces are one separator) into OUT:
 * *argv, a new array of new words, NULL-terminated, with room for two
 * more words and their NULL after them (the prompt and the path). Free
 * with generator_argv_free(). Returns the word count, or -1 when cmd has
 * no word or more than GENERATOR_ARGS_MAX (then *argv is NULL). Pure. */
int generator_argv(const char *cmd, char ***argv);
void generator_argv_free(char **argv);

/* Runs cmd for scene (0-based) with prompt, waits for it (killing it on
 * cancel: SIGTERM, then SIGKILL after 300 ms) and reads the PNG it wrote
 * in tmpdir, fitted to w x h: new RGB24 frame in OUT: *out. Returns
 * RENDER_OK, RENDER_CANCELLED, or RENDER_FAILED with OUT: why ("image
 * generator failed for scene 3: exit 1", "... wrote no valid PNG: ..."). */
int generator_run(const char *cmd, const char *prompt, int scene, const char *tmpdir, int w, int h,
		  AVFrame **out, char *why, size_t whylen);

#endif
