/* SPDX-License-Identifier: MIT */
/* moderation.c: blocked-word scoring (see moderation.h). */
#include "moderation.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MODERATION_WORD_MAX 64

static int
moderation_word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* 1 when word (len bytes) occurs in text as a whole word, any case. */
static int
moderation_has(const char *text, const char *word, size_t len)
{
	const char *p = text;

	for (; *p != '\0'; p++) {
		if (strncasecmp(p, word, len) != 0)
			continue;
		if ((p == text || !moderation_word_char((unsigned char)p[-1])) &&
		    !moderation_word_char((unsigned char)p[len]))
			return 1;
	}
	return 0;
}

double
moderation_score(const char *text, const char *words, char *hit, size_t hitlen)
{
	const char *w = words;
	double score = 0;

	if (hit != NULL && hitlen > 0)
		hit[0] = '\0';
	while (*w != '\0') {
		size_t len;

		while (*w == ',' || *w == ' ')
			w++;
		len = strcspn(w, ",");
		while (len > 0 && w[len - 1] == ' ')
			len--;
		if (len > 0 && len <= MODERATION_WORD_MAX && moderation_has(text, w, len)) {
			if (hit != NULL && hitlen > 0 && hit[0] == '\0')
				snprintf(hit, hitlen, "%.*s", (int)len, w);
			score += 0.5;
		}
		w += strcspn(w, ",");
	}
	return score > 1 ? 1 : score;
}
