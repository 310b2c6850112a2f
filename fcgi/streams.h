/* SPDX-License-Identifier: MIT */
/* streams.h: how many live streams (SSE log tails) hold a worker on this
 * host, shared by every worker: slots in memory the master maps before it
 * forks, each holding the pid of the worker that streams. A worker that
 * died mid-stream frees its slot when the table is next found full. */
#ifndef KILN_STREAMS_H
#define KILN_STREAMS_H

#include <stddef.h>

/* Maps the table of max slots (master, before forking). 0 or -1. */
int streams_init(size_t max);

/* Takes a slot for this process: 0, or -1 when all are taken. */
int streams_enter(void);

/* Gives back this process's slot. */
void streams_leave(void);

#endif
