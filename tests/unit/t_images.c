/* SPDX-License-Identifier: MIT */
/* t_images.c: the image map: first match wins, globs, host or a
 * directory, refused maps and names, the patterns listed for errors. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "images.h"
#include "suites.h"

static void
t_images_resolve(void)
{
	const char *map = "nvidia/cuda:12.*=/srv/images/cuda12, nvidia/cuda:*=host,"
			  "python:3.1?-slim=/srv/images/py ,  python:*=host";
	char root[IMAGES_ROOT_MAX + 1];

	CU_ASSERT_EQUAL(images_resolve(map, "nvidia/cuda:12.1-runtime-ubuntu22.04", root), 0);
	CU_ASSERT_STRING_EQUAL(root, "/srv/images/cuda12");
	CU_ASSERT_EQUAL(images_resolve(map, "nvidia/cuda:11.8-devel", root), 0);
	CU_ASSERT_STRING_EQUAL(root, "host");
	CU_ASSERT_EQUAL(images_resolve(map, "python:3.11-slim", root), 0);
	CU_ASSERT_STRING_EQUAL(root, "/srv/images/py");
	CU_ASSERT_EQUAL(images_resolve(map, "python:3.9", root), 0);
	CU_ASSERT_STRING_EQUAL(root, "host");
	CU_ASSERT_EQUAL(images_resolve(map, "ubuntu:22.04", root), -1);
	CU_ASSERT_EQUAL(images_resolve(map, "python", root), -1); /* no tag, no match */
	/* names that are not image references never match, even "*" */
	CU_ASSERT_EQUAL(images_resolve("*=host", "../etc", root), -1);
	CU_ASSERT_EQUAL(images_resolve("*=host", "ok/name:1", root), 0);
	CU_ASSERT_EQUAL(images_resolve("*=host", "a b", root), -1);
	CU_ASSERT_EQUAL(images_resolve("*=host", "-rf", root), -1);
	CU_ASSERT_EQUAL(images_resolve("*=host", "/abs", root), -1);
	CU_ASSERT_EQUAL(images_resolve("*=host", "", root), -1);
}

static void
t_images_check(void)
{
	const char *why = NULL;
	char list[64];

	CU_ASSERT_EQUAL(images_check("nvidia/cuda:*=host, python:*=host", &why), 0);
	CU_ASSERT_EQUAL(images_check("x=/srv/x", &why), 0);
	CU_ASSERT_EQUAL(images_check("", &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(images_check(" , ", &why), -1);
	CU_ASSERT_EQUAL(images_check("nvidia/cuda:*", &why), -1);
	CU_ASSERT_EQUAL(images_check("=host", &why), -1);
	CU_ASSERT_EQUAL(images_check("x=relative/dir", &why), -1);
	CU_ASSERT_EQUAL(images_check("x=/srv/../etc", &why), -1);
	CU_ASSERT_EQUAL(images_check("x y=host", &why), -1);
	CU_ASSERT_EQUAL(images_check("x=", &why), -1);
	images_patterns("nvidia/cuda:*=host, python:*=host", list, sizeof(list));
	CU_ASSERT_STRING_EQUAL(list, "nvidia/cuda:*, python:*");
	images_patterns("aaaaaaaaaa=host,bbbbbbbbbb=host,cccccccccc=host", list, 25);
	CU_ASSERT_STRING_EQUAL(list, "aaaaaaaaaa, bbbbbbbbbb");
}

void
suite_images(void)
{
	CU_pSuite s = CU_add_suite("images", NULL, NULL);

	CU_add_test(s, "first match wins; globs; host or a directory", t_images_resolve);
	CU_add_test(s, "malformed maps refused; patterns listed", t_images_check);
}
