/* SPDX-License-Identifier: MIT */
/* clock.h: milliseconds, for deadlines (monotonic) and for timestamps
 * people read (the wall clock). */
#ifndef KILN_CLOCK_H
#define KILN_CLOCK_H

#include <stdint.h>

/* Milliseconds on a clock that never jumps (deadlines, intervals). */
int64_t clock_mono_ms(void);

/* Milliseconds since the Unix epoch (log records). */
int64_t clock_wall_ms(void);

#endif
