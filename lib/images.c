/* SPDX-License-Identifier: MIT */
/* images.c: the image map (see images.h). */
#include "images.h"

#include <fnmatch.h>
#include <string.h>

#define IMAGES_PAIR_MAX (IMAGES_NAME_MAX + 1 + IMAGES_ROOT_MAX + 1)

/* Copies the next comma-separated item of *p, trimmed, into out; advances
 * *p past it. Returns 0, 1 at the end, -1 when an item is too long. */
static int
images_next(const char **p, char out[IMAGES_PAIR_MAX + 1])
{
	const char *s = *p, *e;
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (*s == '\0')
		return 1;
	e = strchr(s, ',');
	if (e == NULL)
		e = s + strlen(s);
	*p = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n > IMAGES_PAIR_MAX)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Splits "PATTERN=ROOT" in place. Returns 0, or -1 with why. */
static int
images_split(char *pair, char **pattern, char **root, const char **why)
{
	char *eq = strchr(pair, '='), *e;
	size_t i;

	if (eq == NULL) {
		*why = "each entry must be PATTERN=ROOT";
		return -1;
	}
	*eq = '\0';
	*pattern = pair;
	*root = eq + 1;
	for (e = eq; e > pair && (e[-1] == ' ' || e[-1] == '\t'); e--)
		e[-1] = '\0';
	while (**root == ' ' || **root == '\t')
		(*root)++;
	if ((*pattern)[0] == '\0' || strlen(*pattern) > IMAGES_NAME_MAX) {
		*why = "an image pattern is empty or too long";
		return -1;
	}
	for (i = 0; (*pattern)[i] != '\0'; i++)
		if (strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@-*?[]",
			(*pattern)[i]) == NULL) {
			*why = "an image pattern has a character images never have";
			return -1;
		}
	if (strcmp(*root, "host") == 0)
		return 0;
	if ((*root)[0] != '/' || strlen(*root) > IMAGES_ROOT_MAX || strstr(*root, "/..") != NULL) {
		*why = "an image root must be host or an absolute directory without ..";
		return -1;
	}
	return 0;
}

int
images_check(const char *map, const char **why)
{
	char pair[IMAGES_PAIR_MAX + 1], *pattern, *root;
	const char *p = map;
	int n = 0, rc;

	while ((rc = images_next(&p, pair)) == 0) {
		if (images_split(pair, &pattern, &root, why) != 0)
			return -1;
		n++;
	}
	if (rc < 0) {
		*why = "an entry is too long";
		return -1;
	}
	if (n == 0) {
		*why = "the map is empty: name at least one PATTERN=ROOT";
		return -1;
	}
	return 0;
}

int
images_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > IMAGES_NAME_MAX || name[0] == '-' || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@-",
			   name[i]) == NULL)
			return -1;
	return 0;
}

int
images_resolve(const char *map, const char *name, char root[IMAGES_ROOT_MAX + 1])
{
	char pair[IMAGES_PAIR_MAX + 1], *pattern, *r;
	const char *p = map, *why;

	if (images_name_ok(name) != 0)
		return -1;
	while (images_next(&p, pair) == 0) {
		if (images_split(pair, &pattern, &r, &why) != 0)
			return -1;
		if (fnmatch(pattern, name, 0) == 0) {
			memcpy(root, r, strlen(r) + 1);
			return 0;
		}
	}
	return -1;
}

void
images_patterns(const char *map, char *out, size_t n)
{
	char pair[IMAGES_PAIR_MAX + 1], *pattern, *root;
	const char *p = map, *why;
	size_t len = 0, pl;

	if (n == 0)
		return;
	out[0] = '\0';
	while (images_next(&p, pair) == 0 && images_split(pair, &pattern, &root, &why) == 0) {
		pl = strlen(pattern);
		if (len + pl + 3 >= n)
			break;
		if (len > 0) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, pattern, pl + 1);
		len += pl;
	}
}
