/* SPDX-License-Identifier: MIT */
/* t_signed.c: signed links: a link checks; every part tampered with is
 * invalid; past its time it is expired (only with a good MAC); another
 * key, an empty key, a short or upper-case signature are invalid; paths
 * are encoded in the link and signed raw. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "signed.h"
#include "suites.h"

#define KEY "k3y-for-tests-0123456789abcdef0123456789"

/* The sig= of url into OUT: sig. */
static void
sig_of(const char *url, char sig[SIGNED_SIG_HEX + 1])
{
	const char *s = strstr(url, "&sig=");

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	snprintf(sig, SIGNED_SIG_HEX + 1, "%s", s + 5);
}

static void
t_signed_roundtrip(void)
{
	char url[SIGNED_URL_MAX], sig[SIGNED_SIG_HEX + 1], upper[SIGNED_SIG_HEX + 1];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(
	    signed_url(KEY, "", "jobs/7/outputs", "model/w eights?.bin", 42, 1000, url), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    url,
	    "/api/v1/files/jobs/7/outputs?path=model/w%20eights%3F.bin&by=42&expires=1000&sig="));
	sig_of(url, sig);
	CU_ASSERT_EQUAL(strlen(sig), 64);
	/* after a public URL: the same link, absolute, the same signature */
	{
		char abs[SIGNED_URL_MAX], sig2[SIGNED_SIG_HEX + 1];

		CU_ASSERT_EQUAL_FATAL(signed_url(KEY, "https://kiln.example.com", "jobs/7/outputs",
						 "model/w eights?.bin", 42, 1000, abs),
				      0);
		CU_ASSERT_EQUAL(
		    strncmp(abs, "https://kiln.example.com/api/v1/files/jobs/7/outputs?", 53), 0);
		CU_ASSERT_STRING_EQUAL(abs + strlen("https://kiln.example.com"), url);
		sig_of(abs, sig2);
		CU_ASSERT_STRING_EQUAL(sig2, sig);
	}
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 999),
	    SIGNED_OK);
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 1000),
	    SIGNED_OK);
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 1001),
	    SIGNED_EXPIRED);
	/* every part counts */
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/8/outputs", "model/w eights?.bin", 42, 1000, sig, 0),
	    SIGNED_INVALID);
	CU_ASSERT_EQUAL(signed_check(KEY, "jobs/7/outputs", "model/../x", 42, 1000, sig, 0),
			SIGNED_INVALID);
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 43, 1000, sig, 0),
	    SIGNED_INVALID);
	/* pushing the time forward invalidates, it does not extend */
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 99999, sig, 1001),
	    SIGNED_INVALID);
	CU_ASSERT_EQUAL(
	    signed_check("another-key", "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 0),
	    SIGNED_INVALID);
	CU_ASSERT_EQUAL(signed_check("", "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 0),
			SIGNED_INVALID);
	/* the signature itself: short, missing, flipped, upper-case */
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, "abc", 0),
	    SIGNED_INVALID);
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, NULL, 0),
	    SIGNED_INVALID);
	sig[10] = sig[10] == '0' ? '1' : '0';
	CU_ASSERT_EQUAL(
	    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, sig, 0),
	    SIGNED_INVALID);
	sig_of(url, sig);
	for (i = 0; i <= SIGNED_SIG_HEX; i++)
		upper[i] = (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
	if (strcmp(upper, sig) != 0)
		CU_ASSERT_EQUAL(
		    signed_check(KEY, "jobs/7/outputs", "model/w eights?.bin", 42, 1000, upper, 0),
		    SIGNED_INVALID);
	/* a whole resource: an empty path */
	CU_ASSERT_EQUAL_FATAL(signed_url(KEY, "", "datasets/3", "", 1, 50, url), 0);
	sig_of(url, sig);
	CU_ASSERT_EQUAL(signed_check(KEY, "datasets/3", "", 1, 50, sig, 10), SIGNED_OK);
	CU_ASSERT_EQUAL(signed_check(KEY, "datasets/4", "", 1, 50, sig, 10), SIGNED_INVALID);
}

void
suite_signed(void)
{
	CU_pSuite s = CU_add_suite("signed links", NULL, NULL);

	CU_add_test(s, "round trip, tampering, expiry, keys", t_signed_roundtrip);
}
