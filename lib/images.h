/* SPDX-License-Identifier: MIT */
/* images.h: the image map of [sandbox] images: which root filesystem a
 * job's docker_image runs on. The map is a comma-separated list of
 * PATTERN=ROOT pairs tried in order; PATTERN is a shell glob over image
 * names ("nvidia/cuda:*"), ROOT is "host" (the host's own system) or an
 * absolute directory holding an unpacked image. kiln pulls nothing: an
 * operator unpacks images and names them here. Pure: no I/O. */
#ifndef KILN_IMAGES_H
#define KILN_IMAGES_H

#include <stddef.h>

#define IMAGES_NAME_MAX 255 /* an image reference, as Docker bounds it */
#define IMAGES_ROOT_MAX 511

/* 0 when map is well formed: at least one pair, each with a non-empty
 * pattern of image-name characters and '*', '?', '[', ']', and a ROOT of
 * "host" or an absolute path without "..". Else -1 with OUT: why. */
int images_check(const char *map, const char **why);

/* 0 when name is a plausible image reference: 1..255 bytes of
 * [A-Za-z0-9._/:@-], not starting with '-' or '/', without "..". */
int images_name_ok(const char *name);

/* Resolves image name through map into OUT: root (the first matching
 * pattern's ROOT). Returns 0, or -1 when no pattern matches. */
int images_resolve(const char *map, const char *name, char root[IMAGES_ROOT_MAX + 1]);

/* The map's patterns as "a, b, c" into OUT: out (cut to n bytes), for an
 * error message naming what is available. */
void images_patterns(const char *map, char *out, size_t n);

#endif
