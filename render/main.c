/* SPDX-License-Identifier: MIT */
/* main.c: kiln-render, the film renderer (README.md): command line, the
 * stages in order with their progress and timings, and on failure or
 * cancel the removal of every output it made. Not for: any stage's work. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "cards.h"
#include "clock.h"
#include "encode.h"
#include "generator.h"
#include "image.h"
#include "manifest.h"
#include "music.h"
#include "plan.h"
#include "render.h"
#include "report.h"
#include "spec.h"
#include "video.h"
#include "voice.h"

#define MAIN_INPUT_MAX (1 << 20) /* bytes of render.json (a 64 KiB script, escaped) */
#define MAIN_PATH_MAX 4096
#define MAIN_MUSIC_LEVEL 0.3f /* music under the voice, after ducking */
#define MAIN_EXIT_USAGE 2
#define MAIN_EXIT_CANCELLED 143 /* 128 + SIGTERM, as a shell reports it */

/* Progress at the start of each stage; the video takes most of the time. */
enum {
	MAIN_P_IMAGES = 0,
	MAIN_P_VOICE = 30,
	MAIN_P_MUSIC = 40,
	MAIN_P_VIDEO = 45,
	MAIN_P_MUX = 95
};

static const char *const main_fonts[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    NULL,
};

struct main_job {
	const char *input, *outdir, *font, *gen_cmd, *keep_dir; /* borrowed from argv */
	struct spec spec;
	int w, h, total;
	char tmpdir[MAIN_PATH_MAX], film_tmp[MAIN_PATH_MAX], film[MAIN_PATH_MAX];
	char images_dir[MAIN_PATH_MAX], thumb[MAIN_PATH_MAX], manifest_path[MAIN_PATH_MAX];
	char **pngs;     /* new: scene PNG paths, num_images of them */
	int pngs_made;   /* how many of them exist */
	int made_images; /* 1: we created images_dir */
	float *audio;    /* new: the mixed track, or NULL for none */
	size_t audio_n;
	struct manifest m;
	char why[RENDER_WHY_MAX];
};

static void
main_usage(void)
{
	fprintf(stderr, "usage: kiln-render [-g IMAGE_GENERATOR_CMD] [-f FONT_FILE] INPUT_JSON "
			"OUTPUT_DIR\n");
}

/* Options into j; 0, or -1 after printing the usage. */
static int
main_args(int argc, char **argv, struct main_job *j)
{
	int c;

	while ((c = getopt(argc, argv, "g:f:k:")) != -1) {
		switch (c) {
		case 'g': j->gen_cmd = optarg; break;
		case 'f': j->font = optarg; break;
		case 'k': j->keep_dir = optarg; break; /* hidden: bench/render.sh */
		default: main_usage(); return -1;
		}
	}
	if (argc - optind != 2) {
		main_usage();
		return -1;
	}
	j->input = argv[optind];
	j->outdir = argv[optind + 1];
	return 0;
}

/* "dir/name" into out (MAIN_PATH_MAX); -1 when too long. */
static int
main_path(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, MAIN_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= MAIN_PATH_MAX ? -1 : 0;
}

/* render.json into j->spec. */
static int
main_read_spec(struct main_job *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = fopen(j->input, "rbe");
	int rc = -1;

	if (fp == NULL) {
		snprintf(j->why, sizeof(j->why), "cannot read %.120s: %s", j->input,
			 strerror(errno));
		return -1;
	}
	if ((buf = malloc(MAIN_INPUT_MAX + 1)) == NULL)
		abort();
	len = fread(buf, 1, MAIN_INPUT_MAX + 1, fp);
	if (ferror(fp))
		snprintf(j->why, sizeof(j->why), "cannot read %.120s", j->input);
	else if (len > MAIN_INPUT_MAX)
		snprintf(j->why, sizeof(j->why), "bad input: more than %d bytes", MAIN_INPUT_MAX);
	else
		rc = spec_parse(buf, len, &j->spec, j->why, sizeof(j->why));
	free(buf);
	fclose(fp);
	return rc;
}

/* The font: -f if readable, else the first readable default; the built-in
 * generator needs one, an external one does not. */
static int
main_font(struct main_job *j)
{
	int i;

	if (j->font != NULL) {
		if (access(j->font, R_OK) == 0)
			return 0;
		snprintf(j->why, sizeof(j->why), "no font: %.180s", j->font);
		return -1;
	}
	for (i = 0; main_fonts[i] != NULL; i++)
		if (access(main_fonts[i], R_OK) == 0) {
			j->font = main_fonts[i];
			return 0;
		}
	if (j->gen_cmd != NULL)
		return 0;
	snprintf(j->why, sizeof(j->why), "no font: none of %s and the other defaults",
		 main_fonts[0]);
	return -1;
}

/* Output paths, the images folder and a private temp folder. */
static int
main_prepare(struct main_job *j)
{
	const char *tmp = getenv("TMPDIR");
	char name[64];

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(name, sizeof(name), ".film-%ld.mp4.part", (long)getpid());
	if (main_path(j->film_tmp, j->outdir, name) || main_path(j->film, j->outdir, "film.mp4") ||
	    main_path(j->images_dir, j->outdir, "images") ||
	    main_path(j->thumb, j->outdir, "thumbnail.jpg") ||
	    main_path(j->manifest_path, j->outdir, "manifest.json") ||
	    main_path(j->tmpdir, tmp, "kiln-render.XXXXXX")) {
		snprintf(j->why, sizeof(j->why), "output path too long");
		return -1;
	}
	if (mkdir(j->outdir, 0755) != 0 && errno != EEXIST) {
		snprintf(j->why, sizeof(j->why), "cannot create %.120s: %s", j->outdir,
			 strerror(errno));
		return -1;
	}
	if (mkdtemp(j->tmpdir) == NULL) {
		snprintf(j->why, sizeof(j->why), "cannot create a temp folder in %.120s: %s", tmp,
			 strerror(errno));
		j->tmpdir[0] = '\0';
		return -1;
	}
	if (mkdir(j->images_dir, 0755) == 0)
		j->made_images = 1;
	else if (errno != EEXIST) {
		snprintf(j->why, sizeof(j->why), "cannot create %.120s: %s", j->images_dir,
			 strerror(errno));
		return -1;
	}
	if ((j->pngs = calloc((size_t)j->spec.num_images, sizeof(*j->pngs))) == NULL)
		abort();
	return 0;
}

/* Stage 1: one PNG per scene, from the generator or the built-in cards. */
static int
main_images(struct main_job *j)
{
	char name[32];
	AVFrame *pic = NULL;
	char *text;
	int i, rc;

	for (i = 0; i < j->spec.num_images; i++) {
		if (report_cancelled())
			return RENDER_CANCELLED;
		snprintf(name, sizeof(name), "scene_%02d.png", i + 1);
		if ((j->pngs[i] = malloc(MAIN_PATH_MAX)) == NULL)
			abort();
		if (main_path(j->pngs[i], j->images_dir, name) != 0) {
			snprintf(j->why, sizeof(j->why), "output path too long");
			return RENDER_FAILED;
		}
		text = spec_scene_text(&j->spec, i);
		if (j->gen_cmd != NULL)
			rc = generator_run(j->gen_cmd, text, i, j->tmpdir, j->w, j->h, &pic, j->why,
					   sizeof(j->why));
		else
			rc = cards_render(j->font, text, j->spec.mood, j->spec.genre, i, j->w, j->h,
					  &pic, j->why, sizeof(j->why)) == 0
				 ? RENDER_OK
				 : RENDER_FAILED;
		free(text);
		if (rc != RENDER_OK)
			return rc;
		j->pngs_made = i + 1; /* from here on a partial file is ours to remove */
		rc = image_write(j->pngs[i], pic, AV_CODEC_ID_PNG, j->why, sizeof(j->why));
		av_frame_free(&pic);
		if (rc != 0)
			return RENDER_FAILED;
		report_progress_in(MAIN_P_IMAGES, MAIN_P_VOICE, i + 1, j->spec.num_images);
		report_log("images %d/%d", i + 1, j->spec.num_images);
	}
	return RENDER_OK;
}

/* Stage 3: the voice track into OUT: *voice (new), scenes at their starts. */
static int
main_voice(struct main_job *j, float **voice)
{
	int s = j->spec.num_images, i, first, count, rc;
	size_t *start = calloc((size_t)s, sizeof(*start)), *len = calloc((size_t)s, sizeof(*len));
	char **texts = calloc((size_t)s, sizeof(*texts));

	if (start == NULL || len == NULL || texts == NULL ||
	    (*voice = malloc(j->audio_n * sizeof(**voice))) == NULL)
		abort();
	for (i = 0; i < s; i++) {
		plan_scene(j->total, s, i, &first, &count);
		start[i] = (size_t)((double)first / j->spec.fps * RENDER_AUDIO_RATE);
		len[i] = (size_t)((double)count / j->spec.fps * RENDER_AUDIO_RATE);
		texts[i] = spec_scene_text(&j->spec, i);
	}
	rc = voice_render(j->spec.voice, texts, start, len, s, *voice, j->audio_n, j->why,
			  sizeof(j->why));
	for (i = 0; i < s; i++)
		free(texts[i]);
	free(texts);
	free(start);
	free(len);
	return rc;
}

/* Stages 3 and 4: voice, music, ducking and the mix into j->audio. */
static int
main_audio(struct main_job *j)
{
	float *voice = NULL, *music = NULL;
	struct music_plan plan;
	int64_t t0 = clock_mono_ms();
	char path[MAIN_PATH_MAX];
	int rc = RENDER_OK;

	j->audio_n = (size_t)j->spec.video_duration * RENDER_AUDIO_RATE;
	if (j->spec.include_voice) {
		report_progress(MAIN_P_VOICE);
		if ((rc = main_voice(j, &voice)) != RENDER_OK)
			goto out;
		j->m.stages_ms[MANIFEST_VOICE] = (long)(clock_mono_ms() - t0);
		report_log("voice '%s': %ld ms", j->spec.voice, j->m.stages_ms[MANIFEST_VOICE]);
	}
	t0 = clock_mono_ms();
	if (j->spec.include_music) {
		report_progress(MAIN_P_MUSIC);
		if ((music = malloc(j->audio_n * sizeof(*music))) == NULL)
			abort();
		music_choose(j->spec.mood, j->spec.genre, &plan);
		if (music_render(&plan, music, j->audio_n, RENDER_AUDIO_RATE, report_cancelled)) {
			rc = RENDER_CANCELLED;
			goto out;
		}
		/* kept before ducking: the bench's reference ducks it itself */
		if (j->keep_dir != NULL && main_path(path, j->keep_dir, "music.wav") == 0)
			manifest_wav(path, music, j->audio_n, RENDER_AUDIO_RATE, MAIN_MUSIC_LEVEL);
		if (voice != NULL)
			music_duck(voice, music, j->audio_n, RENDER_AUDIO_RATE);
		j->m.stages_ms[MANIFEST_MUSIC] = (long)(clock_mono_ms() - t0);
		report_log("music %d bpm %s: %ld ms", plan.bpm, plan.minor ? "minor" : "major",
			   j->m.stages_ms[MANIFEST_MUSIC]);
	}
	if (voice != NULL && j->keep_dir != NULL && main_path(path, j->keep_dir, "voice.wav") == 0)
		manifest_wav(path, voice, j->audio_n, RENDER_AUDIO_RATE, 1.0f);
	if (voice != NULL || music != NULL) {
		music_mix(voice, music, MAIN_MUSIC_LEVEL, voice != NULL ? voice : music,
			  j->audio_n);
		j->audio = voice != NULL ? voice : music;
		if (voice != NULL)
			voice = NULL;
		else
			music = NULL;
	}
out:
	free(voice);
	free(music);
	return rc;
}

/* Stages 2 and 5: frames, encoding, muxing, then the renames, thumbnail
 * and manifest. */
static int
main_film(struct main_job *j)
{
	const char *cuda = getenv("CUDA_VISIBLE_DEVICES");
	struct encode *enc;
	AVFrame *first = NULL;
	int64_t t0 = clock_mono_ms();
	int rc;

	report_progress(MAIN_P_VIDEO);
	enc = encode_open(j->film_tmp, j->w, j->h, j->spec.fps, j->spec.quality,
			  cuda != NULL && *cuda != '\0', j->audio,
			  j->audio != NULL ? j->audio_n : 0, j->why, sizeof(j->why));
	if (enc == NULL)
		return RENDER_FAILED;
	j->m.video_encoder = encode_video_encoder(enc);
	if (cuda != NULL && *cuda != '\0' && strcmp(j->m.video_encoder, "h264_nvenc") != 0)
		report_log("h264_nvenc did not open on GPU %s: falling back to %s", cuda,
			   j->m.video_encoder);
	report_log("encoder %s, %dx%d at %d fps, %d frames%s", j->m.video_encoder, j->w, j->h,
		   j->spec.fps, j->total, j->audio != NULL ? ", aac" : ", no audio");
	rc = video_run(j->pngs, j->spec.num_images, j->w, j->h, j->spec.fps, j->total, enc,
		       MAIN_P_VIDEO, MAIN_P_MUX, j->why, sizeof(j->why));
	j->m.stages_ms[MANIFEST_VIDEO] = (long)(clock_mono_ms() - t0);
	t0 = clock_mono_ms();
	if (rc == RENDER_OK && encode_finish(enc, j->why, sizeof(j->why)) != 0)
		rc = RENDER_FAILED;
	encode_free(enc);
	if (rc != RENDER_OK)
		return rc;
	report_log("video: %ld ms", j->m.stages_ms[MANIFEST_VIDEO]);
	if ((first = image_read_png(j->pngs[0], j->w, j->h, j->why, sizeof(j->why))) == NULL ||
	    image_write(j->thumb, first, AV_CODEC_ID_MJPEG, j->why, sizeof(j->why)) != 0) {
		av_frame_free(&first);
		return RENDER_FAILED;
	}
	av_frame_free(&first);
	if ((j->m.duration = encode_probe_duration(j->film_tmp)) < 0) {
		snprintf(j->why, sizeof(j->why), "encoder failure: cannot read back the film");
		return RENDER_FAILED;
	}
	if (rename(j->film_tmp, j->film) != 0) {
		snprintf(j->why, sizeof(j->why), "cannot rename the film: %.120s", strerror(errno));
		return RENDER_FAILED;
	}
	j->m.stages_ms[MANIFEST_MUX] = (long)(clock_mono_ms() - t0);
	report_log("mux: %ld ms, %.3f s of film", j->m.stages_ms[MANIFEST_MUX], j->m.duration);
	return RENDER_OK;
}

static int
main_manifest(struct main_job *j)
{
	j->m.width = j->w;
	j->m.height = j->h;
	j->m.fps = j->spec.fps;
	j->m.has_audio = j->audio != NULL;
	j->m.num_images = j->spec.num_images;
	j->m.include_voice = j->spec.include_voice;
	j->m.include_music = j->spec.include_music;
	j->m.frames = j->total;
	if (manifest_write(j->manifest_path, &j->m) != 0) {
		snprintf(j->why, sizeof(j->why), "cannot write %.120s: %s", j->manifest_path,
			 strerror(errno));
		return RENDER_FAILED;
	}
	return RENDER_OK;
}

/* Removes what this run made when it did not finish: scene PNGs, the
 * images folder if it made it, the film (temp and final), thumbnail and
 * manifest. The temp folder goes either way. */
static void
main_cleanup(struct main_job *j, int failed)
{
	char path[MAIN_PATH_MAX];
	int i;

	if (j->tmpdir[0] != '\0') {
		for (i = 0; i < j->spec.num_images; i++) {
			snprintf(path, sizeof(path), "%s/generated_%02d.png", j->tmpdir, i + 1);
			unlink(path);
		}
		rmdir(j->tmpdir);
	}
	if (failed && j->film[0] != '\0') {
		for (i = 0; i < j->pngs_made; i++)
			unlink(j->pngs[i]);
		if (j->made_images)
			rmdir(j->images_dir);
		unlink(j->film_tmp);
		unlink(j->film);
		unlink(j->thumb);
		unlink(j->manifest_path);
	}
	for (i = 0; j->pngs != NULL && i < j->spec.num_images; i++)
		free(j->pngs[i]);
	free(j->pngs);
	free(j->audio);
	spec_free(&j->spec);
}

/* Everything after the arguments; RENDER_* code. */
static int
main_run(struct main_job *j)
{
	int64_t t0 = clock_mono_ms();
	int rc;

	if (main_read_spec(j) != 0 || main_font(j) != 0)
		return RENDER_FAILED;
	spec_size(j->spec.quality, &j->w, &j->h);
	j->total = plan_total_frames(j->spec.video_duration, j->spec.fps);
	if (main_prepare(j) != 0)
		return RENDER_FAILED;
	report_progress(MAIN_P_IMAGES);
	report_log("film %dx%d, %d s at %d fps, %d scenes, %s generator", j->w, j->h,
		   j->spec.video_duration, j->spec.fps, j->spec.num_images,
		   j->gen_cmd != NULL ? "external" : "built-in");
	if ((rc = main_images(j)) != RENDER_OK)
		return rc;
	j->m.stages_ms[MANIFEST_IMAGES] = (long)(clock_mono_ms() - t0);
	report_log("images: %ld ms", j->m.stages_ms[MANIFEST_IMAGES]);
	if ((rc = main_audio(j)) != RENDER_OK || (rc = main_film(j)) != RENDER_OK ||
	    (rc = main_manifest(j)) != RENDER_OK)
		return rc;
	report_progress(100);
	report_log("done in %ld ms", (long)(clock_mono_ms() - t0));
	return RENDER_OK;
}

int
main(int argc, char **argv)
{
	struct main_job j;
	int rc;

	memset(&j, 0, sizeof(j));
	report_init();
	av_log_set_level(AV_LOG_ERROR);
	if (main_args(argc, argv, &j) != 0) {
		report_failure("bad command line (see kiln-render's usage)");
		return MAIN_EXIT_USAGE;
	}
	rc = main_run(&j); /* a signal after the last stage leaves the finished film */
	if (rc == RENDER_FAILED && report_cancelled())
		rc = RENDER_CANCELLED; /* e.g. a child killed by the group's SIGTERM */
	if (rc == RENDER_CANCELLED)
		snprintf(j.why, sizeof(j.why), "cancelled");
	if (rc != RENDER_OK)
		report_failure(j.why);
	main_cleanup(&j, rc != RENDER_OK);
	if (rc == RENDER_CANCELLED)
		return MAIN_EXIT_CANCELLED;
	return rc == RENDER_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
