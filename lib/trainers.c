/* SPDX-License-Identifier: MIT */
/* trainers.c: the trainer map (see trainers.h). */
#include "trainers.h"

#include <stdio.h>
#include <string.h>

/* One pair of the map at *s, moving *s past it: its NAME and PATH as
 * spans (trimmed). 1 for a pair, 0 at the end, -1 for a malformed one. */
static int
trainers_next(const char **s, const char **name, size_t *nlen, const char **path, size_t *plen)
{
	const char *p = *s, *eq, *end;

	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return 0;
	end = p + strcspn(p, ",");
	*s = end;
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
		return -1;
	*name = p;
	*nlen = (size_t)(eq - p);
	while (*nlen > 0 && p[*nlen - 1] == ' ')
		(*nlen)--;
	for (*path = eq + 1; **path == ' '; (*path)++)
		;
	*plen = (size_t)(end - *path);
	while (*plen > 0 && (*path)[*plen - 1] == ' ')
		(*plen)--;
	return 1;
}

static int
trainers_name_ok(const char *name, size_t n)
{
	size_t i;

	if (n == 0 || n > TRAINERS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			   name[i]) == NULL)
			return 0;
	return 1;
}

static int
trainers_path_ok(const char *path, size_t n)
{
	size_t i;

	if (n < 2 || n > TRAINERS_PATH_MAX || path[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (path[i] == ' ' || (unsigned char)path[i] < 0x20 ||
		    (path[i] == '.' && i + 1 < n && path[i + 1] == '.'))
			return 0;
	return 1;
}

int
trainers_check(const char *map, const char **why)
{
	const char *s = map, *name, *path, *t, *other, *op;
	size_t nlen, plen, olen, oplen;
	int r;

	while ((r = trainers_next(&s, &name, &nlen, &path, &plen)) == 1) {
		if (!trainers_name_ok(name, nlen)) {
			*why = "a trainer name is 1-64 of A-Z a-z 0-9 . _ -";
			return -1;
		}
		if (!trainers_path_ok(path, plen)) {
			*why = "a trainer is an absolute path without \"..\" or spaces";
			return -1;
		}
		for (t = map; trainers_next(&t, &other, &olen, &op, &oplen) == 1 && other != name;)
			if (olen == nlen && memcmp(other, name, nlen) == 0) {
				*why = "a trainer name appears twice";
				return -1;
			}
	}
	if (r < 0) {
		*why = "trainers are NAME=PATH pairs separated by commas";
		return -1;
	}
	return 0;
}

int
trainers_find(const char *map, const char *name, char path[TRAINERS_PATH_MAX + 1])
{
	const char *s = map, *n, *p;
	size_t nlen, plen;

	while (trainers_next(&s, &n, &nlen, &p, &plen) == 1)
		if (nlen == strlen(name) && memcmp(n, name, nlen) == 0 &&
		    plen <= TRAINERS_PATH_MAX) {
			memcpy(path, p, plen);
			path[plen] = '\0';
			return 0;
		}
	return -1;
}

void
trainers_names(const char *map, char *out, size_t n)
{
	const char *s = map, *name, *p;
	size_t nlen, plen, used = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	while (trainers_next(&s, &name, &nlen, &p, &plen) == 1 && used < n) {
		int w = snprintf(out + used, n - used, "%s%.*s", used ? ", " : "", (int)nlen, name);

		used += w > 0 ? (size_t)w : 0;
	}
	if (out[0] == '\0')
		snprintf(out, n, "none");
}
