/* SPDX-License-Identifier: MIT */
/* encode.c: H.264 + AAC into MP4 (encode.h). Time bases: video 1/fps
 * with one tick per frame, audio 1/48000 with one tick per sample, so the
 * container's duration is frames/fps exactly, not a rounded sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>

#include "encode.h"
#include "render.h"

struct encode {
	AVFormatContext *fmt;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;
	AVFrame *aframe;
	const float *audio; /* borrowed */
	size_t audio_n, audio_pos;
	int64_t frames;
	int fps;
	const char *vname;
};

/* Drains c's packets into the muxer. */
static int
encode_drain(struct encode *e, AVCodecContext *c, AVStream *st)
{
	int rc;

	while ((rc = avcodec_receive_packet(c, e->pkt)) >= 0) {
		if (c == e->venc && e->pkt->duration == 0)
			e->pkt->duration = 1;
		av_packet_rescale_ts(e->pkt, c->time_base, st->time_base);
		e->pkt->stream_index = st->index;
		if ((rc = av_interleaved_write_frame(e->fmt, e->pkt)) < 0)
			return rc;
	}
	return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
}

/* Opens the H.264 encoder by name with settings for quality q. */
static AVCodecContext *
encode_video_open(const char *name, int w, int h, int fps, enum spec_quality q, int global)
{
	static const char *const crf[] = {"26", "23", "21"};
	const AVCodec *codec = avcodec_find_encoder_by_name(name);
	AVCodecContext *c = codec ? avcodec_alloc_context3(codec) : NULL;

	if (c == NULL)
		return NULL;
	c->width = w;
	c->height = h;
	c->pix_fmt = AV_PIX_FMT_YUV420P;
	c->time_base = (AVRational){1, fps};
	c->framerate = (AVRational){fps, 1};
	c->gop_size = fps * 4;
	if (global)
		c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if (strcmp(name, "libx264") == 0) {
		/* veryfast: the 2-core bench budget (bench/render.sh) */
		av_opt_set(c->priv_data, "preset", "veryfast", 0);
		av_opt_set(c->priv_data, "crf", crf[q], 0);
	} else {
		av_opt_set(c->priv_data, "preset", "p4", 0);
		av_opt_set(c->priv_data, "rc", "vbr", 0);
		av_opt_set(c->priv_data, "cq", crf[q], 0);
	}
	if (avcodec_open2(c, codec, NULL) < 0)
		avcodec_free_context(&c);
	return c;
}

static AVCodecContext *
encode_audio_open(enum spec_quality q, int global)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("aac");
	AVCodecContext *c = codec ? avcodec_alloc_context3(codec) : NULL;
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;

	if (c == NULL)
		return NULL;
	c->sample_fmt = AV_SAMPLE_FMT_FLTP;
	c->sample_rate = RENDER_AUDIO_RATE;
	c->time_base = (AVRational){1, RENDER_AUDIO_RATE};
	c->bit_rate = q == SPEC_LOW ? 96000 : 128000;
	if (av_channel_layout_copy(&c->ch_layout, &mono) < 0)
		avcodec_free_context(&c);
	else if (global)
		c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if (c != NULL && avcodec_open2(c, codec, NULL) < 0)
		avcodec_free_context(&c);
	return c;
}

static AVStream *
encode_stream(AVFormatContext *fmt, AVCodecContext *c)
{
	AVStream *st = avformat_new_stream(fmt, NULL);

	if (st == NULL || avcodec_parameters_from_context(st->codecpar, c) < 0)
		return NULL;
	st->time_base = c->time_base;
	if (c->codec_type == AVMEDIA_TYPE_VIDEO)
		st->avg_frame_rate = st->r_frame_rate = c->framerate;
	return st;
}

/* Both encoders and streams; OUT: why on failure. */
static int
encode_setup(struct encode *e, int w, int h, int fps, enum spec_quality q, int try_nvenc, char *why,
	     size_t whylen)
{
	int global = (e->fmt->oformat->flags & AVFMT_GLOBALHEADER) != 0;

	if (try_nvenc && (e->venc = encode_video_open("h264_nvenc", w, h, fps, q, global)) != NULL)
		e->vname = "h264_nvenc";
	else if ((e->venc = encode_video_open("libx264", w, h, fps, q, global)) != NULL)
		e->vname = "libx264";
	else {
		snprintf(why, whylen, "encoder failure: cannot open libx264");
		return -1;
	}
	if ((e->vst = encode_stream(e->fmt, e->venc)) == NULL)
		goto fail;
	if (e->audio == NULL)
		return 0;
	if ((e->aenc = encode_audio_open(q, global)) == NULL) {
		snprintf(why, whylen, "encoder failure: cannot open aac");
		return -1;
	}
	if ((e->ast = encode_stream(e->fmt, e->aenc)) == NULL ||
	    (e->aframe = av_frame_alloc()) == NULL)
		goto fail;
	e->aframe->format = AV_SAMPLE_FMT_FLTP;
	e->aframe->sample_rate = RENDER_AUDIO_RATE;
	e->aframe->nb_samples = e->aenc->frame_size;
	if (av_channel_layout_copy(&e->aframe->ch_layout, &e->aenc->ch_layout) < 0 ||
	    av_frame_get_buffer(e->aframe, 0) < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "encoder failure: out of memory");
	return -1;
}

struct encode *
encode_open(const char *path, int w, int h, int fps, enum spec_quality q, int try_nvenc,
	    const float *audio, size_t audio_n, char *why, size_t whylen)
{
	struct encode *e = calloc(1, sizeof(*e));
	AVDictionary *opts = NULL;
	int rc;

	if (e == NULL)
		abort();
	e->audio = audio;
	e->audio_n = audio_n;
	e->fps = fps;
	if ((rc = avformat_alloc_output_context2(&e->fmt, NULL, "mp4", path)) < 0 ||
	    (e->pkt = av_packet_alloc()) == NULL) {
		snprintf(why, whylen, "encoder failure: mp4 muxer: %s", av_err2str(rc));
		goto fail;
	}
	if (encode_setup(e, w, h, fps, q, try_nvenc, why, whylen) != 0)
		goto fail;
	if ((rc = avio_open(&e->fmt->pb, path, AVIO_FLAG_WRITE)) < 0) {
		snprintf(why, whylen, "cannot write %.120s: %s", path, av_err2str(rc));
		goto fail;
	}
	av_dict_set(&opts, "movflags", "+faststart", 0);
	rc = avformat_write_header(e->fmt, &opts);
	av_dict_free(&opts);
	if (rc < 0) {
		snprintf(why, whylen, "encoder failure: mp4 header: %s", av_err2str(rc));
		goto fail;
	}
	return e;
fail:
	encode_free(e);
	return NULL;
}

const char *
encode_video_encoder(const struct encode *e)
{
	return e->vname;
}

/* Encodes audio up to sample until (all of it when until >= audio_n). */
static int
encode_audio_until(struct encode *e, size_t until)
{
	size_t n;
	int rc;

	if (e->aenc == NULL)
		return 0;
	while (e->audio_pos < until && e->audio_pos < e->audio_n) {
		n = e->audio_n - e->audio_pos;
		if (n > (size_t)e->aenc->frame_size)
			n = (size_t)e->aenc->frame_size;
		if ((rc = av_frame_make_writable(e->aframe)) < 0)
			return rc;
		memcpy(e->aframe->data[0], e->audio + e->audio_pos, n * sizeof(float));
		e->aframe->nb_samples = (int)n;
		e->aframe->pts = (int64_t)e->audio_pos;
		e->audio_pos += n;
		if ((rc = avcodec_send_frame(e->aenc, e->aframe)) < 0 ||
		    (rc = encode_drain(e, e->aenc, e->ast)) < 0)
			return rc;
	}
	return 0;
}

int
encode_frame(struct encode *e, AVFrame *frame, char *why, size_t whylen)
{
	int rc;

	frame->pts = e->frames++;
	if ((rc = avcodec_send_frame(e->venc, frame)) < 0 ||
	    (rc = encode_drain(e, e->venc, e->vst)) < 0 ||
	    (rc = encode_audio_until(e, (size_t)(e->frames * RENDER_AUDIO_RATE / e->fps))) < 0) {
		snprintf(why, whylen, "encoder failure: %s", av_err2str(rc));
		return -1;
	}
	return 0;
}

int
encode_finish(struct encode *e, char *why, size_t whylen)
{
	int rc;

	if ((rc = avcodec_send_frame(e->venc, NULL)) < 0 ||
	    (rc = encode_drain(e, e->venc, e->vst)) < 0 ||
	    (rc = encode_audio_until(e, e->audio_n)) < 0 ||
	    (e->aenc != NULL && (rc = avcodec_send_frame(e->aenc, NULL)) < 0) ||
	    (e->aenc != NULL && (rc = encode_drain(e, e->aenc, e->ast)) < 0) ||
	    (rc = av_write_trailer(e->fmt)) < 0) {
		snprintf(why, whylen, "encoder failure: %s", av_err2str(rc));
		return -1;
	}
	return 0;
}

void
encode_free(struct encode *e)
{
	if (e == NULL)
		return;
	avcodec_free_context(&e->venc);
	avcodec_free_context(&e->aenc);
	av_frame_free(&e->aframe);
	av_packet_free(&e->pkt);
	if (e->fmt != NULL && e->fmt->pb != NULL)
		avio_closep(&e->fmt->pb);
	avformat_free_context(e->fmt);
	free(e);
}

double
encode_probe_duration(const char *path)
{
	AVFormatContext *fmt = NULL;
	double d = -1;

	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return -1;
	if (avformat_find_stream_info(fmt, NULL) >= 0 && fmt->duration != AV_NOPTS_VALUE)
		d = (double)fmt->duration / AV_TIME_BASE;
	avformat_close_input(&fmt);
	return d;
}
