/* SPDX-License-Identifier: MIT */
/* util.c: the render tier's helpers (util.h). The one test file that
 * includes libav headers (tests/checksrc.sh names it): it reads the
 * films, PNGs and JPEGs back independently of render/image.c. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "clock.h"
#include "util.h"

int
util_tmpdir(char dir[UTIL_PATH])
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, UTIL_PATH, "%s/kiln-render-test.XXXXXX", t != NULL && *t ? t : "/tmp");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
util_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
util_rmtree(const char *dir)
{
	nftw(dir, util_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
util_write(const char *dir, const char *name, const char *s, int mode)
{
	char path[UTIL_PATH * 2];
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	rc = fputs(s, fp) < 0;
	rc |= fclose(fp) != 0;
	if (mode != 0)
		rc |= chmod(path, (mode_t)mode) != 0;
	return rc ? -1 : 0;
}

char *
util_read(const char *dir, const char *name)
{
	char path[UTIL_PATH * 2], *buf;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if ((buf = calloc(1, 1 << 20)) == NULL)
		abort();
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

int
util_exists(const char *dir, const char *name)
{
	char path[UTIL_PATH * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

int
util_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* The child: env, log, exec. Never returns. */
static void
util_child(const char *dir, const char *const args[])
{
	const char *b = getenv("top_builddir");
	char bin[UTIL_PATH], path[UTIL_PATH * 2], *argv[32];
	int fd, i;

	snprintf(bin, sizeof(bin), "%s/render/kiln-render", b != NULL ? b : ".");
	snprintf(path, sizeof(path), "%s/log", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/progress", dir);
	setenv("KILN_PROGRESS_FILE", path, 1);
	snprintf(path, sizeof(path), "%s/failure", dir);
	setenv("KILN_FAILURE_FILE", path, 1);
	/* a sanitizer's report must not pass for kiln-render's own exit 1 */
	setenv("ASAN_OPTIONS", "exitcode=66", 1);
	setenv("UBSAN_OPTIONS", "exitcode=67:print_stacktrace=1", 1);
	argv[0] = bin;
	for (i = 0; i < 30 && args[i] != NULL; i++)
		argv[i + 1] = strdup(args[i]);
	argv[i + 1] = NULL;
	execv(bin, argv);
	fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
	_exit(126);
}

pid_t
util_spawn(const char *dir, const char *const args[])
{
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0)
		util_child(dir, args);
	return pid;
}

int
util_wait(pid_t pid, long timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	struct timespec ts = {0, 5 * 1000000L};
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, WNOHANG)) == 0) {
		if (clock_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (r < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
util_render(const char *dir, const char *const args[])
{
	pid_t pid = util_spawn(dir, args);

	return pid < 0 ? -1 : util_wait(pid, 120000);
}

/* Sum of squares of the audio stream's decoded samples into m. */
static int
util_audio(AVFormatContext *fmt, int idx, struct util_media *m)
{
	const AVCodec *codec = avcodec_find_decoder(fmt->streams[idx]->codecpar->codec_id);
	AVCodecContext *c = codec ? avcodec_alloc_context3(codec) : NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	double sum = 0;
	int rc = -1, i;

	if (c == NULL || pkt == NULL || f == NULL ||
	    avcodec_parameters_to_context(c, fmt->streams[idx]->codecpar) < 0 ||
	    avcodec_open2(c, codec, NULL) < 0)
		goto out;
	for (;;) {
		int end = av_read_frame(fmt, pkt) < 0;

		if (!end && pkt->stream_index != idx) {
			av_packet_unref(pkt);
			continue;
		}
		avcodec_send_packet(c, end ? NULL : pkt);
		av_packet_unref(pkt);
		while (avcodec_receive_frame(c, f) == 0) {
			if (f->format != AV_SAMPLE_FMT_FLTP)
				goto out;
			for (i = 0; i < f->nb_samples; i++)
				sum += (double)((float *)f->data[0])[i] * ((float *)f->data[0])[i];
			m->audio_samples += f->nb_samples;
		}
		if (end)
			break;
	}
	m->rms = m->audio_samples > 0 ? sqrt(sum / (double)m->audio_samples) : 0;
	rc = 0;
out:
	av_frame_free(&f);
	av_packet_free(&pkt);
	avcodec_free_context(&c);
	return rc;
}

int
util_probe(const char *path, struct util_media *m)
{
	AVFormatContext *fmt = NULL;
	int i, audio = -1, rc = -1;

	memset(m, 0, sizeof(*m));
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return -1;
	if (avformat_find_stream_info(fmt, NULL) < 0)
		goto out;
	m->duration = (double)fmt->duration / AV_TIME_BASE;
	for (i = 0; i < (int)fmt->nb_streams; i++) {
		AVStream *st = fmt->streams[i];

		if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
			m->video = st->codecpar->codec_id == AV_CODEC_ID_H264;
			m->width = st->codecpar->width;
			m->height = st->codecpar->height;
			m->fps_num = st->avg_frame_rate.num;
			m->fps_den = st->avg_frame_rate.den;
			m->rfps_num = st->r_frame_rate.num;
			m->rfps_den = st->r_frame_rate.den;
		} else if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
			m->audio_streams++;
			m->aac = st->codecpar->codec_id == AV_CODEC_ID_AAC;
			audio = i;
		}
	}
	rc = audio >= 0 ? util_audio(fmt, audio, m) : 0;
out:
	avformat_close_input(&fmt);
	return rc;
}

/* The centre pixel of f in RGB into rgb. */
static int
util_centre(const AVFrame *f, int rgb[3])
{
	AVFrame *o = av_frame_alloc();
	struct SwsContext *sws =
	    sws_getContext(f->width, f->height, (enum AVPixelFormat)f->format, f->width, f->height,
			   AV_PIX_FMT_RGB24, SWS_POINT, NULL, NULL, NULL);
	int rc = -1, k;

	if (o == NULL || sws == NULL)
		goto out;
	o->width = f->width;
	o->height = f->height;
	o->format = AV_PIX_FMT_RGB24;
	if (av_frame_get_buffer(o, 0) < 0)
		goto out;
	sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, o->data,
		  o->linesize);
	for (k = 0; k < 3; k++)
		rgb[k] = o->data[0][(size_t)(f->height / 2) * (size_t)o->linesize[0] +
				    (size_t)(f->width / 2) * 3 + (size_t)k];
	rc = 0;
out:
	sws_freeContext(sws);
	av_frame_free(&o);
	return rc;
}

int
util_picture(const char *path, int *w, int *h, int rgb[3])
{
	AVFormatContext *fmt = NULL;
	const AVCodec *codec;
	AVCodecContext *c = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int rc = -1;

	if (pkt == NULL || f == NULL || avformat_open_input(&fmt, path, NULL, NULL) < 0 ||
	    avformat_find_stream_info(fmt, NULL) < 0)
		goto out;
	codec = avcodec_find_decoder(fmt->streams[0]->codecpar->codec_id);
	if (codec == NULL || (c = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(c, fmt->streams[0]->codecpar) < 0 ||
	    avcodec_open2(c, codec, NULL) < 0 || av_read_frame(fmt, pkt) < 0 ||
	    avcodec_send_packet(c, pkt) < 0 || avcodec_send_packet(c, NULL) < 0 ||
	    avcodec_receive_frame(c, f) < 0)
		goto out;
	*w = f->width;
	*h = f->height;
	rc = util_centre(f, rgb);
out:
	av_frame_free(&f);
	av_packet_free(&pkt);
	avcodec_free_context(&c);
	avformat_close_input(&fmt);
	return rc;
}
