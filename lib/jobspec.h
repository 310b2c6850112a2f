/* SPDX-License-Identifier: MIT */
/* jobspec.h: the pure checks on what a job asks for: its working
 * directory (inside the job directory, which the sandbox shows as
 * /workspace) and its environment variables. Not for: resources and cost
 * (estimate.h) or storing jobs. */
#ifndef KILN_JOBSPEC_H
#define KILN_JOBSPEC_H

#include <stddef.h>

#define JOBSPEC_DIR_MAX 1024
#define JOBSPEC_WORKSPACE "/workspace"
#define JOBSPEC_ENV_NAME_MAX 128

/* Normalises a working directory into OUT: out, relative to the job
 * directory ("" for the directory itself): a relative path, or an absolute
 * one under /workspace. Empty and "." segments are dropped. Returns 0, or
 * -1 for an absolute path elsewhere, any ".." segment, control characters,
 * a backslash, more than JOBSPEC_DIR_MAX bytes, or logs/ (kiln's) or below. */
int jobspec_working_dir(const char *in, char out[JOBSPEC_DIR_MAX + 1]);

/* 0 when name may be set in a job's environment: [A-Za-z_][A-Za-z0-9_]*,
 * at most 128 bytes, and not reserved (LD_* reaches the dynamic loader,
 * KILN_* is kiln's own). Else -1 with OUT: why. */
int jobspec_env_name(const char *name, const char **why);

#define JOBSPEC_FILE_NAME_MAX 100

/* 0 when name may be a file's name under a job's input/ or data/ and go
 * into a shell line unquoted: [A-Za-z0-9._-], 1..100 bytes, not starting
 * with '.' or '-'. Else -1. */
int jobspec_file_name(const char *name);

/* A render job's config (DESIGN.md section 7), as the API takes it and
 * kiln-render reads it back: one list of fields and one set of limits, so
 * that the two never disagree on what a film may be. */
#define JOBSPEC_RENDER_IMAGES_MAX 100
#define JOBSPEC_RENDER_SECONDS_MAX 600
#define JOBSPEC_RENDER_FPS_MAX 60
#define JOBSPEC_RENDER_WORD_MAX 32 /* bytes of voice, genre, mood */

/* The config's field names, NULL-terminated. */
extern const char *const jobspec_render_fields[];

/* 0 when s (n bytes) may be a voice, genre or mood: 1..32 bytes of
 * [a-z0-9 _+-]. Else -1. */
int jobspec_render_word(const char *s, size_t n);

#endif
