/* SPDX-License-Identifier: MIT */
/* image.c: still pictures (image.h): allocation, swscale conversion,
 * PNG/JPEG encoding with libavcodec, and reading a PNG that another
 * program wrote, checked before it reaches the decoder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "image.h"

AVFrame *
image_alloc(int w, int h, enum AVPixelFormat fmt)
{
	AVFrame *f = av_frame_alloc();

	if (f == NULL)
		return NULL;
	f->width = w;
	f->height = h;
	f->format = fmt;
	if (av_frame_get_buffer(f, 0) < 0)
		av_frame_free(&f);
	return f;
}

/* Scales data (sw x sh in sfmt) into a new frame of w x h in fmt. */
static AVFrame *
image_scale(uint8_t *const data[4], const int linesize[4], int sw, int sh, enum AVPixelFormat sfmt,
	    int w, int h, enum AVPixelFormat fmt, char *why, size_t whylen)
{
	struct SwsContext *sws;
	AVFrame *out = image_alloc(w, h, fmt);

	if (out == NULL) {
		snprintf(why, whylen, "out of memory for a %dx%d picture", w, h);
		return NULL;
	}
	sws = sws_getContext(sw, sh, sfmt, w, h, fmt, SWS_BICUBIC, NULL, NULL, NULL);
	if (sws == NULL) {
		snprintf(why, whylen, "cannot convert a %dx%d %s picture", sw, sh,
			 av_get_pix_fmt_name(sfmt) ? av_get_pix_fmt_name(sfmt) : "?");
		av_frame_free(&out);
		return NULL;
	}
	sws_scale(sws, (const uint8_t *const *)data, linesize, 0, sh, out->data, out->linesize);
	sws_freeContext(sws);
	return out;
}

AVFrame *
image_convert(const AVFrame *src, int w, int h, enum AVPixelFormat fmt, char *why, size_t whylen)
{
	return image_scale((uint8_t *const *)src->data, src->linesize, src->width, src->height,
			   (enum AVPixelFormat)src->format, w, h, fmt, why, whylen);
}

/* Encodes one frame already in the codec's format; packets go to fp. */
static int
image_encode(AVCodecContext *c, const AVFrame *f, FILE *fp)
{
	AVPacket *pkt = av_packet_alloc();
	int rc;

	if (pkt == NULL)
		return AVERROR(ENOMEM);
	if ((rc = avcodec_send_frame(c, f)) < 0 || (rc = avcodec_send_frame(c, NULL)) < 0)
		goto out;
	while ((rc = avcodec_receive_packet(c, pkt)) >= 0) {
		if (fwrite(pkt->data, 1, (size_t)pkt->size, fp) != (size_t)pkt->size)
			rc = AVERROR(EIO);
		av_packet_unref(pkt);
		if (rc < 0)
			goto out;
	}
	if (rc == AVERROR_EOF)
		rc = 0;
out:
	av_packet_free(&pkt);
	return rc;
}

int
image_write(const char *path, const AVFrame *f, enum AVCodecID id, char *why, size_t whylen)
{
	enum AVPixelFormat fmt = id == AV_CODEC_ID_PNG ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P;
	const AVCodec *codec = avcodec_find_encoder(id);
	AVCodecContext *c = NULL;
	AVFrame *conv = NULL;
	FILE *fp = NULL;
	int rc = -1, err = 0;

	if (codec == NULL || (c = avcodec_alloc_context3(codec)) == NULL) {
		snprintf(why, whylen, "encoder failure: no %s encoder", avcodec_get_name(id));
		return -1;
	}
	if ((f->format != fmt || id == AV_CODEC_ID_MJPEG) &&
	    (f = conv = image_convert(f, f->width, f->height, fmt, why, whylen)) == NULL)
		goto out;
	c->width = f->width;
	c->height = f->height;
	c->pix_fmt = fmt;
	c->time_base = (AVRational){1, 25};
	if (id == AV_CODEC_ID_MJPEG) {
		c->flags |= AV_CODEC_FLAG_QSCALE;
		c->global_quality = FF_QP2LAMBDA * 3;
		conv->quality = c->global_quality;
	}
	if ((err = avcodec_open2(c, codec, NULL)) < 0)
		goto fail;
	if ((fp = fopen(path, "wbe")) == NULL) {
		snprintf(why, whylen, "cannot write %.120s: %s", path, strerror(errno));
		goto out;
	}
	if ((err = image_encode(c, f, fp)) < 0)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		err = AVERROR(EIO);
		goto fail;
	}
	fp = NULL;
	rc = 0;
	goto out;
fail:
	snprintf(why, whylen, "encoder failure: %s: %s", codec->name, av_err2str(err));
out:
	if (fp != NULL)
		fclose(fp);
	av_frame_free(&conv);
	avcodec_free_context(&c);
	return rc;
}

/* The whole file at path into a new padded buffer: OUT: *buf, *len. */
static int
image_slurp(const char *path, uint8_t **buf, size_t *len, char *why, size_t whylen)
{
	FILE *fp = fopen(path, "rbe");
	struct stat st;

	*buf = NULL;
	if (fp == NULL || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "no PNG at %.150s", path);
		goto fail;
	}
	if (st.st_size < 33 || st.st_size > IMAGE_FILE_MAX) {
		snprintf(why, whylen, "invalid PNG: %lld bytes", (long long)st.st_size);
		goto fail;
	}
	*len = (size_t)st.st_size;
	if ((*buf = av_mallocz(*len + AV_INPUT_BUFFER_PADDING_SIZE)) == NULL) {
		snprintf(why, whylen, "out of memory reading %.150s", path);
		goto fail;
	}
	if (fread(*buf, 1, *len, fp) != *len) {
		snprintf(why, whylen, "cannot read %.120s", path);
		goto fail;
	}
	fclose(fp);
	return 0;
fail:
	av_freep(buf);
	if (fp != NULL)
		fclose(fp);
	return -1;
}

/* Signature and IHDR checked by hand so a hostile size never reaches
 * the decoder's allocator. */
static int
image_png_header_ok(const uint8_t *b, size_t len)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint32_t w, h;

	if (len < 33 || memcmp(b, sig, 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
		return 0;
	w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
	h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
	return w >= 1 && h >= 1 && w <= IMAGE_SIDE_MAX && h <= IMAGE_SIDE_MAX;
}

/* Decodes the PNG in buf into a new frame. */
static AVFrame *
image_decode(uint8_t *buf, size_t len, char *why, size_t whylen)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_PNG);
	AVCodecContext *c = codec ? avcodec_alloc_context3(codec) : NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int err = AVERROR(ENOMEM);

	if (c == NULL || pkt == NULL || f == NULL)
		goto fail;
	pkt->data = buf;
	pkt->size = (int)len;
	if ((err = avcodec_open2(c, codec, NULL)) < 0 || (err = avcodec_send_packet(c, pkt)) < 0 ||
	    (err = avcodec_send_packet(c, NULL)) < 0 || (err = avcodec_receive_frame(c, f)) < 0)
		goto fail;
	goto out;
fail:
	snprintf(why, whylen, "invalid PNG: %s", av_err2str(err));
	av_frame_free(&f);
out:
	av_packet_free(&pkt);
	avcodec_free_context(&c);
	return f;
}

AVFrame *
image_read_png(const char *path, int w, int h, char *why, size_t whylen)
{
	AVFrame *dec = NULL, *rgb = NULL, *out = NULL;
	uint8_t *buf = NULL, *data[4] = {NULL};
	int linesize[4] = {0}, cw, ch, x = 0, y = 0;
	size_t len;

	if (image_slurp(path, &buf, &len, why, whylen) != 0)
		return NULL;
	if (!image_png_header_ok(buf, len)) {
		snprintf(why, whylen, "invalid PNG: bad signature, header or size");
		goto out;
	}
	if ((dec = image_decode(buf, len, why, whylen)) == NULL)
		goto out;
	if ((rgb = image_convert(dec, dec->width, dec->height, AV_PIX_FMT_RGB24, why, whylen)) ==
	    NULL)
		goto out;
	/* crop to the film's aspect around the centre, then scale */
	cw = rgb->width;
	ch = rgb->height;
	if ((long)cw * h > (long)w * ch)
		cw = (int)((long)ch * w / h);
	else
		ch = (int)((long)cw * h / w);
	cw = cw < 1 ? 1 : cw;
	ch = ch < 1 ? 1 : ch;
	x = (rgb->width - cw) / 2;
	y = (rgb->height - ch) / 2;
	data[0] = rgb->data[0] + (size_t)y * (size_t)rgb->linesize[0] + (size_t)x * 3;
	linesize[0] = rgb->linesize[0];
	out = image_scale(data, linesize, cw, ch, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_RGB24, why,
			  whylen);
out:
	av_frame_free(&rgb);
	av_frame_free(&dec);
	av_free(buf);
	return out;
}
