/* SPDX-License-Identifier: MIT */
/* t_auth.c: the browser session's cookie helpers (fcgi/auth.c): reading
 * kiln_refresh out of a Cookie header (first match, bounded, base64url
 * only, no look-alike names) and the Set-Cookie values that store and
 * remove it. The routes themselves are in the integration suite. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "auth.h"
#include "suites.h"

static void
t_cookie_get(void)
{
	char v[AUTH_TOKEN_LEN], small[4];

	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=abc-_09XY", "kiln_refresh", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "abc-_09XY");
	CU_ASSERT_EQUAL(auth_cookie_get("a=1; kiln_refresh=tok; b=2", "kiln_refresh", v, sizeof(v)),
			0);
	CU_ASSERT_STRING_EQUAL(v, "tok");
	CU_ASSERT_EQUAL(
	    auth_cookie_get("kiln_refresh=one;kiln_refresh=two", "kiln_refresh", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "one");
	/* absent, empty, look-alike names, foreign characters */
	CU_ASSERT_EQUAL(auth_cookie_get("", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_STRING_EQUAL(v, "");
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(auth_cookie_get("xkiln_refresh=abc", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh_old=abc", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=a\"b", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=a b", "kiln_refresh", v, sizeof(v)), -1);
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=a=b", "kiln_refresh", v, sizeof(v)), -1);
	/* bounded: a value that does not fit is refused, never cut */
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=abc", "kiln_refresh", small, sizeof(small)),
			0);
	CU_ASSERT_EQUAL(auth_cookie_get("kiln_refresh=abcd", "kiln_refresh", small, sizeof(small)),
			-1);
	CU_ASSERT_STRING_EQUAL(small, "");
}

static void
t_cookie_set(void)
{
	char c[AUTH_COOKIE_MAX], tok[AUTH_TOKEN_LEN];

	CU_ASSERT_EQUAL(auth_refresh_cookie("tok", 2592000, 0, c), 0);
	CU_ASSERT_STRING_EQUAL(c, "kiln_refresh=tok; Path=/api/v1/auth; Max-Age=2592000; HttpOnly; "
				  "SameSite=Strict");
	CU_ASSERT_EQUAL(auth_refresh_cookie("tok", 60, 1, c), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "; Secure"));
	CU_ASSERT_EQUAL(auth_refresh_cookie(NULL, 60, 0, c), 0);
	CU_ASSERT_STRING_EQUAL(c, "kiln_refresh=; Path=/api/v1/auth; Max-Age=0; HttpOnly; "
				  "SameSite=Strict");
	/* a real refresh token fits */
	memset(tok, 'A', sizeof(tok) - 1);
	tok[sizeof(tok) - 1] = '\0';
	CU_ASSERT_EQUAL(auth_refresh_cookie(tok, 2592000, 1, c), 0);
}

void
suite_auth(void)
{
	CU_pSuite s = CU_add_suite("auth cookies", NULL, NULL);

	CU_add_test(s, "kiln_refresh read from a Cookie header", t_cookie_get);
	CU_add_test(s, "Set-Cookie values that store and remove it", t_cookie_set);
}
