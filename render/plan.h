/* SPDX-License-Identifier: MIT */
/* plan.h: the film's timeline as pure arithmetic: which frames belong to
 * which scene, the cross-fade between scenes and the pan/zoom rectangle
 * of each frame. No pixels here (video.c draws them). */
#ifndef KILN_RENDER_PLAN_H
#define KILN_RENDER_PLAN_H

#define PLAN_FADE_S 0.5   /* seconds of cross-fade, at most */
#define PLAN_ZOOM_MAX 1.1 /* zoom at the tight end of a scene's move */

/* Frames of the whole film: round(duration * fps). */
int plan_total_frames(int duration_s, int fps);

/* Scene i of scenes over total frames: OUT: *first frame, *count frames.
 * The counts differ by at most one and sum to total. */
void plan_scene(int total, int scenes, int i, int *first, int *count);

/* Scene of frame f (0 <= f < total). */
int plan_scene_of(int total, int scenes, int f);

/* Cross-fade length in frames at the end of a scene of count frames:
 * min(PLAN_FADE_S * fps, count / 3), at least 0. */
int plan_fade_frames(int fps, int count);

/* Weight of the next scene (0..256) at local frame k of a scene of count
 * frames with a fade of fade frames: 0 before the fade, rising towards
 * 256 (never reaching it) over the fade's frames. */
int plan_fade_weight(int k, int count, int fade);

/* The source rectangle shown at local frame k of scene i (count frames)
 * in an image of w x h: zoom 1.0 -> PLAN_ZOOM_MAX on even scenes and back
 * on odd ones, drifting towards a corner chosen by i. OUT: x, y, cw, ch:
 * even numbers (so 4:2:0 chroma stays aligned), inside the image, with
 * the image's aspect ratio within a pixel. */
void plan_kenburns(int w, int h, int i, int k, int count, int *x, int *y, int *cw, int *ch);

#endif
