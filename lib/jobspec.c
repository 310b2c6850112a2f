/* SPDX-License-Identifier: MIT */
/* jobspec.c: working directory and environment checks (see jobspec.h). */
#include "jobspec.h"

#include <string.h>

int
jobspec_working_dir(const char *in, char out[JOBSPEC_DIR_MAX + 1])
{
	size_t wl = strlen(JOBSPEC_WORKSPACE), o = 0, i;
	const char *p = in;

	out[0] = '\0';
	if (strlen(in) > JOBSPEC_DIR_MAX)
		return -1;
	for (i = 0; in[i] != '\0'; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f || in[i] == '\\')
			return -1;
	if (p[0] == '/') {
		if (strncmp(p, JOBSPEC_WORKSPACE, wl) != 0 || (p[wl] != '\0' && p[wl] != '/'))
			return -1;
		p += wl;
	}
	while (*p != '\0') {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (!(len == 1 && p[0] == '.')) {
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = '\0';
	/* logs/ is kiln's: kiln-run makes it a folder the job cannot write */
	if (strncmp(out, "logs", 4) == 0 && (out[4] == '\0' || out[4] == '/'))
		return -1;
	return 0;
}

int
jobspec_env_name(const char *name, const char **why)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > JOBSPEC_ENV_NAME_MAX) {
		*why = "environment variable names are 1 to 128 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		      (i > 0 && c >= '0' && c <= '9'))) {
			*why =
			    "environment variable names are letters, digits and '_', not starting "
			    "with a digit";
			return -1;
		}
	}
	if (strncmp(name, "LD_", 3) == 0 || strncmp(name, "KILN_", 5) == 0 ||
	    strcmp(name, "CUDA_VISIBLE_DEVICES") == 0 ||
	    strcmp(name, "NVIDIA_VISIBLE_DEVICES") == 0 || strcmp(name, "CUDA_DEVICE_ORDER") == 0) {
		*why = "LD_*, KILN_* and the GPU variables kiln sets are reserved";
		return -1;
	}
	return 0;
}

int
jobspec_file_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > JOBSPEC_FILE_NAME_MAX || s[0] == '.' || s[0] == '-')
		return -1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return -1;
	return 0;
}

const char *const jobspec_render_fields[] = {
    "num_images", "video_duration", "include_voice", "include_music", "fps",
    "quality",    "voice",          "genre",         "mood",          NULL};

int
jobspec_render_word(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > JOBSPEC_RENDER_WORD_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == ' ' ||
		      s[i] == '_' || s[i] == '+' || s[i] == '-'))
			return -1;
	return 0;
}
