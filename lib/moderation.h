/* SPDX-License-Identifier: MIT */
/* moderation.h: the submit-time content check of render scripts: a score
 * from a configurable list of blocked words. Pure; the API stores the
 * verdict and ends rejected jobs moderation_failed before any charge. */
#ifndef KILN_MODERATION_H
#define KILN_MODERATION_H

#include <stddef.h>

/* The score of text against words (comma-separated, case-insensitive,
 * matched as whole words): 0 when none occurs, 0.5 per distinct word
 * found, at most 1. OUT (optional): the first word found into hit. */
double moderation_score(const char *text, const char *words, char *hit, size_t hitlen);

#endif
