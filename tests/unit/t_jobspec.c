/* SPDX-License-Identifier: MIT */
/* t_jobspec.c: the job state machine and the job-spec checks: every
 * allowed and refused transition, working directories that stay inside the
 * job directory, and environment names. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "jobspec.h"
#include "moderation.h"
#include "jobstate.h"
#include "suites.h"

static void
t_jobstate_transitions(void)
{
	static const char *const ok[][2] = {
	    {"pending", "preparing"},
	    {"pending", "moderating"},
	    {"pending", "cancelled"},
	    {"moderating", "pending"},
	    {"moderating", "moderation_failed"},
	    {"preparing", "running"},
	    {"preparing", "pending"},
	    {"preparing", "failed"},
	    {"running", "completed"},
	    {"running", "failed"},
	    {"running", "cancelled"},
	    {"running", "killed_no_credits"},
	    {"running", "pending"},
	};
	static const char *const bad[][2] = {
	    {"pending", "running"},
	    {"pending", "completed"},
	    {"running", "moderation_failed"},
	    {"completed", "pending"},
	    {"cancelled", "running"},
	    {"failed", "completed"},
	    {"running", "running"},
	    {"pending", "bogus"},
	    {"bogus", "pending"},
	    {"killed_no_credits", "pending"},
	    {"moderation_failed", "pending"},
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CU_ASSERT(job_transition_ok(ok[i][0], ok[i][1]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!job_transition_ok(bad[i][0], bad[i][1]));
	CU_ASSERT(job_status_terminal("killed_no_credits"));
	CU_ASSERT(!job_status_terminal("running"));
	CU_ASSERT(!job_status_terminal(NULL));
	CU_ASSERT(!job_status_valid("PENDING"));
	for (i = 0; i < JOB_STATUS_COUNT; i++) {
		CU_ASSERT(job_status_valid(job_statuses[i]));
		CU_ASSERT_PTR_EQUAL(job_status_lookup(job_statuses[i], strlen(job_statuses[i])),
				    job_statuses[i]);
	}
	/* the other documents' names, by length: a prefix is no name */
	CU_ASSERT_STRING_EQUAL(job_status_lookup("queued", 6), "pending");
	CU_ASSERT_STRING_EQUAL(job_status_lookup("processing", 10), "running");
	CU_ASSERT_STRING_EQUAL(job_status_lookup("success", 7), "completed");
	CU_ASSERT_STRING_EQUAL(job_status_lookup("canceled", 8), "cancelled");
	CU_ASSERT_STRING_EQUAL(job_status_lookup("running,failed", 7), "running");
	CU_ASSERT_PTR_NULL(job_status_lookup("run", 3));
	CU_ASSERT_PTR_NULL(job_status_lookup("Running", 7));
	CU_ASSERT_PTR_NULL(job_status_lookup("", 0));
	CU_ASSERT(job_status_forcible("completed") && job_status_forcible("failed") &&
		  job_status_forcible("cancelled"));
	CU_ASSERT(!job_status_forcible("killed_no_credits") && !job_status_forcible("running") &&
		  !job_status_forcible(NULL));
}

static void
t_jobstate_kinds(void)
{
	static const char *const bad[] = {"", "Render", "renders", "train", "shard ", "commands"};
	size_t i;

	CU_ASSERT(job_kind_valid(JOB_KIND_COMMAND));
	CU_ASSERT(job_kind_valid(JOB_KIND_SCRIPT));
	CU_ASSERT(job_kind_valid(JOB_KIND_RENDER));
	CU_ASSERT(job_kind_valid(JOB_KIND_SHARD));
	CU_ASSERT(job_kind_valid(JOB_KIND_TRAINING));
	CU_ASSERT(!job_kind_valid(NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!job_kind_valid(bad[i]));
}

static void
t_jobspec_working_dir(void)
{
	static const char *const good[][2] = {
	    {"", ""},
	    {".", ""},
	    {"project", "project"},
	    {"/workspace/project", "project"},
	    {"/workspace", ""},
	    {"/workspace/", ""},
	    {"a//b/./c/", "a/b/c"},
	    {"./a", "a"},
	    {"a..b", "a..b"},
	    {"logsx/a", "logsx/a"},
	    {"a/logs", "a/logs"},
	};
	static const char *const bad[] = {
	    "/etc", "/workspaces/x", "..", "../x", "a/../../b", "/workspace/../etc", "a/..",
	    "a\\b", "a\nb",          "/",  "logs", "./logs/x",  "/workspace/logs",
	};
	char out[JOBSPEC_DIR_MAX + 1], big[JOBSPEC_DIR_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(jobspec_working_dir(good[i][0], out), 0);
		CU_ASSERT_STRING_EQUAL(out, good[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(jobspec_working_dir(bad[i], out), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(jobspec_working_dir(big, out), -1);
	big[JOBSPEC_DIR_MAX] = '\0';
	CU_ASSERT_EQUAL(jobspec_working_dir(big, out), 0);
	CU_ASSERT_EQUAL(strlen(out), JOBSPEC_DIR_MAX);
}

/* the render config's words, and its field list, shared by the API and
 * kiln-render */
static void
t_jobspec_render(void)
{
	static const char *const good[] = {"default", "en-us", "a", "lo fi", "r+b_2", NULL};
	static const char *const bad[] = {
	    "", "English", "en;rm", "\xc3\xa9", "a/b", "33 bytes of a voice name, too lon", NULL};
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		CU_ASSERT_EQUAL(jobspec_render_word(good[i], strlen(good[i])), 0);
	for (i = 0; bad[i] != NULL; i++)
		CU_ASSERT_EQUAL(jobspec_render_word(bad[i], strlen(bad[i])), -1);
	CU_ASSERT_EQUAL(jobspec_render_word("moody", 3), 0); /* n bytes, not the string */
	for (i = 0; jobspec_render_fields[i] != NULL; i++)
		;
	CU_ASSERT_EQUAL(i, 9);
	CU_ASSERT_STRING_EQUAL(jobspec_render_fields[0], "num_images");
}

static void
t_jobspec_env(void)
{
	static const char *const good[] = {"BUILD_MODE", "_x", "a1", "PATH", "CUDA_CACHE_PATH"};
	static const char *const bad[] = {"",
					  "1A",
					  "A-B",
					  "A B",
					  "LD_PRELOAD",
					  "LD_LIBRARY_PATH",
					  "KILN_CONFIG",
					  "A=B",
					  "\xc3\xa9",
					  "CUDA_VISIBLE_DEVICES",
					  "NVIDIA_VISIBLE_DEVICES",
					  "CUDA_DEVICE_ORDER"};
	const char *why = NULL;
	char longname[JOBSPEC_ENV_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(jobspec_env_name(good[i], &why), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(jobspec_env_name(bad[i], &why), -1);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(jobspec_env_name(longname, &why), -1);
	longname[JOBSPEC_ENV_NAME_MAX] = '\0';
	CU_ASSERT_EQUAL(jobspec_env_name(longname, &why), 0);
}

static void
t_moderation(void)
{
	const char *words = "gore, torture,bomb-making";
	char hit[32];

	CU_ASSERT_DOUBLE_EQUAL(moderation_score("A peaceful lake", words, hit, sizeof(hit)), 0,
			       1e-12);
	CU_ASSERT_STRING_EQUAL(hit, "");
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("so much GORE.", words, hit, sizeof(hit)), 0.5,
			       1e-12);
	CU_ASSERT_STRING_EQUAL(hit, "gore");
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("gore and torture", words, NULL, 0), 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(
	    moderation_score("gore gore gore torture bomb-making", words, NULL, 0), 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("gorex ungore gored", words, NULL, 0), 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("bomb-making", words, NULL, 0), 0.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("anything", "", NULL, 0), 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(moderation_score("", words, NULL, 0), 0, 1e-12);
}

void
suite_jobspec(void)
{
	CU_pSuite s = CU_add_suite("jobstate and jobspec", NULL, NULL);

	CU_add_test(s, "status transitions allowed and refused", t_jobstate_transitions);
	CU_add_test(s, "job kinds: the five and nothing else", t_jobstate_kinds);
	CU_add_test(s, "working directories stay inside the job directory", t_jobspec_working_dir);
	CU_add_test(s, "environment names: shape and reserved prefixes", t_jobspec_env);
	CU_add_test(s, "render config: its words and fields", t_jobspec_render);
	CU_add_test(s, "moderation scores whole blocked words", t_moderation);
}
