/* SPDX-License-Identifier: MIT */
/* generator.c: the external image generator (generator.h): fork/execvp
 * with no shell, so the prompt (user input) is one argv word and never
 * shell syntax; waited for with cancel honoured; its PNG read back. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "generator.h"
#include "image.h"
#include "render.h"
#include "report.h"

int
generator_argv(const char *cmd, char ***argv)
{
	const char *p = cmd, *e;
	int n = 0;

	if ((*argv = calloc(GENERATOR_ARGS_MAX + 3, sizeof(**argv))) == NULL)
		abort();
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (n == GENERATOR_ARGS_MAX)
			goto fail;
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if (((*argv)[n++] = strndup(p, (size_t)(e - p))) == NULL)
			abort();
		p = e;
	}
	if (n > 0)
		return n;
fail:
	generator_argv_free(*argv);
	*argv = NULL;
	return -1;
}

void
generator_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static void
generator_sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

/* Waits for pid; on cancel: SIGTERM, SIGKILL after 300 ms. OUT: *status.
 * Returns RENDER_OK or RENDER_CANCELLED (the child reaped either way). */
static int
generator_wait(pid_t pid, int *status)
{
	int64_t deadline = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid) /* kiln-run signals the whole group: it may be first */
			return deadline || report_cancelled() ? RENDER_CANCELLED : RENDER_OK;
		if (r < 0 && errno != EINTR) {
			*status = 0;
			return RENDER_FAILED;
		}
		if (report_cancelled() && deadline == 0) {
			kill(pid, SIGTERM);
			deadline = clock_mono_ms() + 300;
		}
		if (deadline != 0 && clock_mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return RENDER_CANCELLED;
		}
		generator_sleep_ms(5);
	}
}

/* The child's side: stdin from /dev/null, then exec; never returns. */
static void
generator_exec(char **argv)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "kiln-render: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
generator_run(const char *cmd, const char *prompt, int scene, const char *tmpdir, int w, int h,
	      AVFrame **out, char *why, size_t whylen)
{
	char path[4096], sub[RENDER_WHY_MAX];
	char **argv = NULL;
	int n = generator_argv(cmd, &argv), status = 0, rc = RENDER_FAILED;
	pid_t pid;

	*out = NULL;
	if (n < 0) {
		snprintf(why, whylen, "bad image generator command");
		return RENDER_FAILED;
	}
	snprintf(path, sizeof(path), "%s/generated_%02d.png", tmpdir, scene + 1);
	unlink(path);
	/* copies, made before fork: the child only execs */
	if ((argv[n] = strdup(prompt)) == NULL || (argv[n + 1] = strdup(path)) == NULL)
		abort();
	fflush(NULL);
	if ((pid = fork()) < 0) {
		snprintf(why, whylen, "cannot start the image generator: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		generator_exec(argv);
	if ((rc = generator_wait(pid, &status)) != RENDER_OK)
		goto out;
	rc = RENDER_FAILED;
	if (WIFSIGNALED(status)) {
		snprintf(why, whylen, "image generator: scene %d: signal %d", scene + 1,
			 WTERMSIG(status));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whylen, "image generator: scene %d: exit %d", scene + 1,
			 WEXITSTATUS(status));
		goto out;
	}
	if ((*out = image_read_png(path, w, h, sub, sizeof(sub))) == NULL) {
		snprintf(why, whylen, "image generator: scene %d: %.120s", scene + 1, sub);
		goto out;
	}
	rc = RENDER_OK;
out:
	unlink(path);
	generator_argv_free(argv);
	return rc;
}
