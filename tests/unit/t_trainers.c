/* SPDX-License-Identifier: MIT */
/* t_trainers.c: the trainer map of [training] trainers. */
#include <CUnit/CUnit.h>

#include "suites.h"
#include "trainers.h"

static void
t_trainers_find(void)
{
	const char *map =
	    "pytorch=/usr/share/kiln/trainers/pytorch, jax = /opt/train/jax ,echo=/bin/echo";
	char path[TRAINERS_PATH_MAX + 1], names[64];

	CU_ASSERT_EQUAL(trainers_find(map, "pytorch", path), 0);
	CU_ASSERT_STRING_EQUAL(path, "/usr/share/kiln/trainers/pytorch");
	CU_ASSERT_EQUAL(trainers_find(map, "jax", path), 0);
	CU_ASSERT_STRING_EQUAL(path, "/opt/train/jax");
	CU_ASSERT_EQUAL(trainers_find(map, "echo", path), 0);
	CU_ASSERT_STRING_EQUAL(path, "/bin/echo");
	/* whole names only, case and all */
	CU_ASSERT_EQUAL(trainers_find(map, "py", path), -1);
	CU_ASSERT_EQUAL(trainers_find(map, "PyTorch", path), -1);
	CU_ASSERT_EQUAL(trainers_find(map, "pytorch=/bin/sh", path), -1);
	CU_ASSERT_EQUAL(trainers_find("", "pytorch", path), -1);
	trainers_names(map, names, sizeof(names));
	CU_ASSERT_STRING_EQUAL(names, "pytorch, jax, echo");
	trainers_names("", names, sizeof(names));
	CU_ASSERT_STRING_EQUAL(names, "none");
}

static void
t_trainers_check(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(trainers_check("", &why), 0);
	CU_ASSERT_EQUAL(trainers_check("pytorch=/usr/bin/train, tf=/opt/tf/train", &why), 0);
	CU_ASSERT_EQUAL(trainers_check("pytorch", &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(trainers_check("=/usr/bin/train", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("py torch=/usr/bin/train", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("pytorch=train", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("pytorch=host", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("pytorch=/opt/../etc/x", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("pytorch=/opt/my train", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("pytorch=", &why), -1);
	CU_ASSERT_EQUAL(trainers_check("a=/x/a, a=/x/b", &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "a trainer name appears twice");
}

void
suite_trainers(void)
{
	CU_pSuite s = CU_add_suite("trainers", NULL, NULL);

	CU_add_test(s, "a framework's trainer by its whole name", t_trainers_find);
	CU_add_test(s, "malformed maps refused", t_trainers_check);
}
