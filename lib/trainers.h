/* SPDX-License-Identifier: MIT */
/* trainers.h: the trainer map of [training] trainers, which a training
 * job's config.framework picks from (POST /training/jobs, seed 001). The
 * map is a comma-separated list of NAME=PATH pairs: NAME a framework
 * ("pytorch"), PATH the absolute path of the program that trains with
 * it, as the job sees it (the host's /usr, /etc or /opt). The job runs
 * PATH with the config as its one argument, in JSON. kiln ships no
 * framework: an operator installs trainers and names them here. Pure. */
#ifndef KILN_TRAINERS_H
#define KILN_TRAINERS_H

#include <stddef.h>

#define TRAINERS_NAME_MAX 64
#define TRAINERS_PATH_MAX 511

/* 0 when map is "" (no trainers) or well formed: pairs of a NAME of
 * [A-Za-z0-9._-] and an absolute PATH without "..", ',' or spaces, no
 * NAME twice. Else -1 with OUT: why. */
int trainers_check(const char *map, const char **why);

/* The PATH of NAME in map into OUT: path. 0, or -1 when map has none. */
int trainers_find(const char *map, const char *name, char path[TRAINERS_PATH_MAX + 1]);

/* The map's names as "a, b" ("none" for an empty map) into OUT: out (cut
 * to n bytes), for an error message naming what is available. */
void trainers_names(const char *map, char *out, size_t n);

#endif
