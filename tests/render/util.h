/* SPDX-License-Identifier: MIT */
/* util.h: helpers of the render test tier: temp folders and files, the
 * real kiln-render binary run as a child, and its outputs read back with
 * libavformat/libavcodec (never the ffmpeg or ffprobe programs). */
#ifndef KILN_TEST_RENDER_UTIL_H
#define KILN_TEST_RENDER_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#define UTIL_PATH 4096

/* A new empty folder under $TMPDIR (or /tmp) into OUT: dir; 0 or -1. */
int util_tmpdir(char dir[UTIL_PATH]);

/* rm -r of dir (files and folders we made; no symlinks followed). */
void util_rmtree(const char *dir);

/* Writes s to dir/name; mode for scripts. 0 or -1. */
int util_write(const char *dir, const char *name, const char *s, int mode);

/* The contents of dir/name, new (free()), or NULL when absent. */
char *util_read(const char *dir, const char *name);

/* 1 when dir/name exists. */
int util_exists(const char *dir, const char *name);

/* Entries of dir other than . and .., or -1 when it cannot be read. */
int util_entries(const char *dir);

/* Starts $top_builddir/render/kiln-render with args (NULL-terminated,
 * after argv[0]) and the env kiln-run gives it: KILN_PROGRESS_FILE =
 * dir/progress, KILN_FAILURE_FILE = dir/failure; stdout and stderr go
 * to dir/log. Returns the child's pid, or -1. */
pid_t util_spawn(const char *dir, const char *const args[]);

/* Waits up to timeout_ms for pid; returns its exit status (128 + signal
 * when killed), or -1 after killing it on timeout. */
int util_wait(pid_t pid, long timeout_ms);

/* util_spawn + util_wait with a 120 s limit (ASan builds are slow). */
int util_render(const char *dir, const char *const args[]);

struct util_media {
	double duration;        /* seconds, the container's */
	int video;              /* 1: an H.264 stream */
	int width, height;      /* of the video stream */
	int fps_num, fps_den;   /* avg_frame_rate */
	int rfps_num, rfps_den; /* r_frame_rate */
	int audio_streams;      /* how many audio streams */
	int aac;                /* 1: the audio stream is AAC */
	double rms;             /* of all decoded audio samples, 0..1 */
	long audio_samples;     /* decoded */
};

/* Opens path with libavformat and decodes its audio. 0 or -1. */
int util_probe(const char *path, struct util_media *m);

/* Decodes the first picture of an image file (PNG, JPEG): OUT: width,
 * height and the RGB of its centre pixel. 0 or -1. */
int util_picture(const char *path, int *w, int *h, int rgb[3]);

#endif
