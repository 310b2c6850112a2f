/* SPDX-License-Identifier: MIT */
/* spec.c: input/render.json into struct spec, with the same ranges and
 * defaults as the API (fcgi/h_jobs.c), checked again because the file
 * sits in a job directory the job could have changed. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "spec.h"

/* Integer field name of conf into OUT: *v when present; -1 and why else. */
static int
spec_int(json_t *conf, const char *name, int min, int max, int *v, char *why, size_t whylen)
{
	json_t *j = json_object_get(conf, name);

	if (j == NULL)
		return 0;
	if (!json_is_integer(j)) {
		snprintf(why, whylen, "bad config: %s must be an integer", name);
		return -1;
	}
	if (json_integer_value(j) < min || json_integer_value(j) > max) {
		snprintf(why, whylen, "bad config: %s must be %d..%d", name, min, max);
		return -1;
	}
	*v = (int)json_integer_value(j);
	return 0;
}

static int
spec_bool(json_t *conf, const char *name, int *v, char *why, size_t whylen)
{
	json_t *j = json_object_get(conf, name);

	if (j == NULL)
		return 0;
	if (!json_is_boolean(j)) {
		snprintf(why, whylen, "bad config: %s must be true or false", name);
		return -1;
	}
	*v = json_is_true(j);
	return 0;
}

/* A short word of [a-z0-9 _+-], 1..JOBSPEC_RENDER_WORD_MAX bytes, as the API says. */
static int
spec_word(json_t *conf, const char *name, char out[JOBSPEC_RENDER_WORD_MAX + 1], char *why,
	  size_t whylen)
{
	json_t *j = json_object_get(conf, name);
	const char *s;
	size_t n;

	if (j == NULL)
		return 0;
	if (!json_is_string(j)) {
		snprintf(why, whylen, "bad config: %s must be a string", name);
		return -1;
	}
	s = json_string_value(j);
	n = json_string_length(j);
	if (strlen(s) != n || jobspec_render_word(s, n) != 0)
		goto bad;
	memcpy(out, s, n + 1);
	return 0;
bad:
	snprintf(why, whylen, "bad config: %s must be 1..%d of [a-z0-9 _+-]", name,
		 JOBSPEC_RENDER_WORD_MAX);
	return -1;
}

static int
spec_quality(json_t *conf, enum spec_quality *q, char *why, size_t whylen)
{
	json_t *j = json_object_get(conf, "quality");
	const char *s;

	if (j == NULL)
		return 0;
	s = json_string_value(j);
	if (s != NULL && strcmp(s, "low") == 0)
		*q = SPEC_LOW;
	else if (s != NULL && strcmp(s, "medium") == 0)
		*q = SPEC_MEDIUM;
	else if (s != NULL && strcmp(s, "high") == 0)
		*q = SPEC_HIGH;
	else {
		snprintf(why, whylen, "bad config: quality must be low, medium or high");
		return -1;
	}
	return 0;
}

/* The config object's fields into s; unknown fields are refused. */
static int
spec_config(json_t *conf, struct spec *s, char *why, size_t whylen)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(conf, key, v)
	{
		for (i = 0; jobspec_render_fields[i] != NULL; i++)
			if (strcmp(key, jobspec_render_fields[i]) == 0)
				break;
		if (jobspec_render_fields[i] == NULL) {
			snprintf(why, whylen, "bad config: unknown field '%.40s'", key);
			return -1;
		}
	}
	if (spec_int(conf, "num_images", 1, JOBSPEC_RENDER_IMAGES_MAX, &s->num_images, why,
		     whylen) ||
	    spec_int(conf, "video_duration", 1, JOBSPEC_RENDER_SECONDS_MAX, &s->video_duration, why,
		     whylen) ||
	    spec_int(conf, "fps", 1, JOBSPEC_RENDER_FPS_MAX, &s->fps, why, whylen) ||
	    spec_quality(conf, &s->quality, why, whylen) ||
	    spec_bool(conf, "include_voice", &s->include_voice, why, whylen) ||
	    spec_bool(conf, "include_music", &s->include_music, why, whylen) ||
	    spec_word(conf, "voice", s->voice, why, whylen) ||
	    spec_word(conf, "genre", s->genre, why, whylen) ||
	    spec_word(conf, "mood", s->mood, why, whylen))
		return -1;
	return 0;
}

int
spec_parse(const char *buf, size_t len, struct spec *s, char *why, size_t whylen)
{
	json_t *root = NULL, *script, *conf;
	char jwhy[160];
	size_t n;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (json_parse_strict(buf, len, &root, jwhy, sizeof(jwhy)) != KILN_OK) {
		snprintf(why, whylen, "bad input: %s", jwhy);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(why, whylen, "bad input: not a JSON object");
		goto out;
	}
	script = json_object_get(root, "script");
	if (!json_is_string(script)) {
		snprintf(why, whylen, "bad input: script must be a string");
		goto out;
	}
	n = json_string_length(script);
	if (n > SPEC_SCRIPT_MAX || strlen(json_string_value(script)) != n) {
		snprintf(why, whylen, "bad input: script must be at most %d bytes, no NUL",
			 SPEC_SCRIPT_MAX);
		goto out;
	}
	if (strspn(json_string_value(script), " \t\r\n\v\f") == n) {
		snprintf(why, whylen, "bad input: script must hold at least one scene line");
		goto out;
	}
	*s = (struct spec){NULL, 10, 30, 30, SPEC_MEDIUM, 0, 0, "default", "cinematic", "neutral"};
	conf = json_object_get(root, "config");
	if (conf != NULL && !json_is_object(conf)) {
		snprintf(why, whylen, "bad config: config must be an object");
		goto out;
	}
	if (conf != NULL && spec_config(conf, s, why, whylen) != 0)
		goto out;
	if ((s->script = strdup(json_string_value(script))) == NULL)
		abort();
	rc = 0;
out:
	if (rc != 0)
		memset(s, 0, sizeof(*s));
	json_decref(root);
	return rc;
}

void
spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	free(s->script);
	s->script = NULL;
}

void
spec_size(enum spec_quality q, int *width, int *height)
{
	static const int sizes[][2] = {{854, 480}, {1280, 720}, {1920, 1080}};

	*width = sizes[q][0];
	*height = sizes[q][1];
}

/* 1 when [p, p+n) holds something other than white space. */
static int
spec_line_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\v' && p[i] != '\f')
			return 0;
	return 1;
}

/* The non-blank lines of script into OUT: *lines (new array of
 * {start, length}); returns how many. One pass: scripts may hold 32 Ki lines. */
struct spec_span {
	const char *p;
	size_t n;
};

static int
spec_lines(const char *script, struct spec_span **lines)
{
	const char *s = script, *e;
	size_t cap = 1;
	int count = 0;

	for (e = script; *e != '\0'; e++)
		cap += *e == '\n';
	if ((*lines = malloc(cap * sizeof(**lines))) == NULL)
		abort();
	for (;;) {
		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		if (!spec_line_blank(s, (size_t)(e - s)))
			(*lines)[count++] = (struct spec_span){s, (size_t)(e - s)};
		if (*e == '\0')
			break;
		s = e + 1;
	}
	return count;
}

char *
spec_scene_text(const struct spec *s, int i)
{
	struct spec_span *lines;
	int nlines = spec_lines(s->script, &lines), first, last, k;
	size_t n, len = 0, cap = 1;
	char *out;

	if (nlines == 0) /* spec_parse refuses such scripts; one empty scene */
		lines[nlines++] = (struct spec_span){s->script, 0};
	if (nlines >= s->num_images) {
		first = (int)((long)i * nlines / s->num_images);
		last = (int)((long)(i + 1) * nlines / s->num_images);
	} else {
		first = i % nlines;
		last = first + 1;
	}
	for (k = first; k < last; k++)
		cap += lines[k].n + 1;
	if ((out = malloc(cap)) == NULL)
		abort();
	for (k = first; k < last; k++) {
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, lines[k].p, lines[k].n);
		len += lines[k].n;
	}
	out[len] = '\0';
	for (n = 0; n < len; n++)
		if ((unsigned char)out[n] < 0x20 || out[n] == 0x7f)
			out[n] = ' ';
	free(lines);
	return out;
}
