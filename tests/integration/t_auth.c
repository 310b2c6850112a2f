/* SPDX-License-Identifier: MIT */
/* t_auth.c: accounts through nginx: register, every login shape, refresh
 * rotation and reuse detection, logout, API keys, and the token attacks
 * (alg none, wrong key, RS256 header, expired, tampered, garbage, token
 * types swapped, disabled user, revoked key), all of which must be 401. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "it.h"
#include "jwt_hs256.h"

/* a string literal and its length, for it_http */
#define LIT(s) s, strlen(s)

static void
register_user(const char *email, const char *password)
{
	char body[512];
	struct it_resp r;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	it_http("POST", "/api/v1/auth/register", "application/json", body, strlen(body), NULL, 0,
		&r);
	CU_ASSERT_EQUAL(r.status, 201);
	it_resp_free(&r);
}

static void
test_register(void)
{
	static const char *const bad[] = {
	    "{\"email\":\"not-an-email\",\"password\":\"longenough\"}",
	    "{\"email\":\"a@b.co\",\"password\":\"short\"}",
	    "{\"email\":\"a@b.co\",\"password\":\"longenough\",\"is_admin\":true}",
	    "{\"email\":5,\"password\":\"longenough\"}",
	    "{\"password\":\"longenough\"}",
	    "[1,2]",
	    "{\"email\":\"a@b.co\",\"password\":\"longenough\",\"username\":\"x y\"}",
	};
	struct it_resp r;
	json_t *j;
	size_t i;
	const char *ok = "{\"email\":\"  New.User@Example.COM \",\"password\":\"securepass123\","
			 "\"username\":\"newuser\",\"full_name\":\"John Doe\"}";

	it_http("POST", "/api/v1/auth/register", "application/json", ok, strlen(ok), NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 201);
	j = it_json(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "email")),
			       "new.user@example.com");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "role")), "user");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "username")), "newuser");
	CU_ASSERT(json_is_true(json_object_get(j, "is_active")));
	CU_ASSERT(json_integer_value(json_object_get(j, "id")) > 0);
	CU_ASSERT_PTR_NULL(json_object_get(j, "password_hash"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "argon2"));
	json_decref(j);
	it_resp_free(&r);
	/* a body with no Content-Type at all is JSON (a script's
	 * data=json.dumps(...), as FastAPI takes it); a wrong one is 415 */
	{
		static const char *const none[] = {"Content-Type:", NULL};
		static const char body[] = "{\"email\":\"no-type@example.com\","
					   "\"password\":\"securepass123\"}";

		it_http("POST", "/api/v1/auth/register", NULL, body, strlen(body), none, 0, &r);
		CU_ASSERT_EQUAL(r.status, 201);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "no-type@example.com"));
		it_resp_free(&r);
		it_http("POST", "/api/v1/auth/register", "text/plain", body, strlen(body), NULL, 0,
			&r);
		CU_ASSERT_EQUAL(r.status, 415);
		it_resp_free(&r);
	}
	/* the same email again, in another case */
	it_http("POST", "/api/v1/auth/register", "application/json",
		LIT("{\"email\":\"NEW.user@example.com\",\"password\":\"securepass123\"}"), NULL, 0,
		&r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Email already registered"));
	it_resp_free(&r);
	it_http("POST", "/api/v1/auth/register", "application/json",
		LIT("{\"email\":\"other@example.com\",\"password\":\"securepass123\",\"username\":"
		    "\"newuser\"}"),
		NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	it_resp_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		it_http("POST", "/api/v1/auth/register", "application/json", bad[i], strlen(bad[i]),
			NULL, 0, &r);
		CU_ASSERT_EQUAL(r.status, 422);
		j = it_json(&r);
		CU_ASSERT(json_is_array(json_object_get(j, "detail")));
		json_decref(j);
		it_resp_free(&r);
	}
	it_http("POST", "/api/v1/auth/register", "application/json", LIT("{\"email\":"), NULL, 0,
		&r);
	CU_ASSERT_EQUAL(r.status, 400);
	it_resp_free(&r);
	it_http("POST", "/api/v1/auth/register", "application/json",
		LIT("{\"email\":\"d@x.io\",\"email\":\"e@x.io\",\"password\":\"securepass123\"}"),
		NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 400); /* duplicate keys */
	it_resp_free(&r);
}

/* Asserts r is the token response and copies the tokens out. */
static void
check_tokens(const struct it_resp *r, char *access, size_t an, char *refresh, size_t rn)
{
	json_t *j = it_json(r), *user;

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "token_type")), "bearer");
	CU_ASSERT(json_integer_value(json_object_get(j, "expires_in")) > 0);
	user = json_object_get(j, "user");
	CU_ASSERT(json_integer_value(json_object_get(user, "id")) > 0);
	CU_ASSERT(json_is_string(json_object_get(user, "role")));
	/* the same user object from login and from a refresh */
	CU_ASSERT(json_is_string(json_object_get(user, "email")) &&
		  strchr(json_string_value(json_object_get(user, "email")), '@') != NULL);
	CU_ASSERT(json_is_string(json_object_get(user, "created_at")) &&
		  strlen(json_string_value(json_object_get(user, "created_at"))) == 20);
	if (access != NULL)
		snprintf(access, an, "%s", json_string_value(json_object_get(j, "access_token")));
	if (refresh != NULL)
		snprintf(refresh, rn, "%s", json_string_value(json_object_get(j, "refresh_token")));
	json_decref(j);
}

/* GET path with a bearer token (or API key when key is set); status. */
static long
get_as(const char *path, const char *token, int key)
{
	char hdr[4200];
	const char *h[] = {hdr, NULL};
	struct it_resp r;
	long s;

	snprintf(hdr, sizeof(hdr), key ? "X-API-Key: %s" : "Authorization: Bearer %s", token);
	it_http("GET", path, NULL, NULL, 0, h, 0, &r);
	s = r.status;
	it_resp_free(&r);
	return s;
}

static void
test_login_shapes(void)
{
	char access[2048], refresh[256];
	struct it_resp r, bad_pw, bad_user;

	register_user("shapes@example.com", "securepass123");
	/* JSON */
	it_http("POST", "/api/v1/auth/login", "application/json",
		LIT("{\"email\":\"shapes@example.com\",\"password\":\"securepass123\"}"), NULL, 0,
		&r);
	check_tokens(&r, access, sizeof(access), refresh, sizeof(refresh));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", access, 0), 200);
	/* form */
	it_http("POST", "/api/v1/auth/login", "application/x-www-form-urlencoded",
		LIT("email=shapes%40example.com&password=securepass123"), NULL, 0, &r);
	check_tokens(&r, NULL, 0, NULL, 0);
	it_resp_free(&r);
	/* query string, as the wallet-style docs show */
	it_http("POST", "/api/v1/auth/login?email=shapes@example.com&password=securepass123", NULL,
		NULL, 0, NULL, 0, &r);
	check_tokens(&r, NULL, 0, NULL, 0);
	it_resp_free(&r);
	/* OAuth2 password grant, with and without grant_type */
	it_http("POST", "/api/v1/auth/token", "application/x-www-form-urlencoded",
		LIT("grant_type=password&username=shapes%40example.com&password=securepass123"),
		NULL, 0, &r);
	check_tokens(&r, NULL, 0, NULL, 0);
	it_resp_free(&r);
	it_http("POST", "/api/v1/auth/token", "application/x-www-form-urlencoded",
		LIT("username=shapes@example.com&password=securepass123"), NULL, 0, &r);
	check_tokens(&r, NULL, 0, NULL, 0);
	it_resp_free(&r);
	it_http(
	    "POST", "/api/v1/auth/token", "application/x-www-form-urlencoded",
	    LIT("grant_type=client_credentials&username=shapes@example.com&password=securepass123"),
	    NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	it_resp_free(&r);
	/* wrong password and unknown email: the same answer */
	it_http("POST", "/api/v1/auth/login", "application/json",
		LIT("{\"email\":\"shapes@example.com\",\"password\":\"wrongpass123\"}"), NULL, 0,
		&bad_pw);
	it_http("POST", "/api/v1/auth/login", "application/json",
		LIT("{\"email\":\"nobody@example.com\",\"password\":\"wrongpass123\"}"), NULL, 0,
		&bad_user);
	CU_ASSERT_EQUAL(bad_pw.status, 401);
	CU_ASSERT_EQUAL(bad_user.status, 401);
	CU_ASSERT_STRING_EQUAL(bad_pw.body, bad_user.body);
	CU_ASSERT_PTR_NOT_NULL(strstr(bad_pw.body, "Invalid email or password"));
	it_resp_free(&bad_pw);
	it_resp_free(&bad_user);
}

/* 1 when r is a 422 whose detail lists exactly the fields named in want
 * ("field:type" each, in order). */
static int
rejects(const struct it_resp *r, const char *const *want, size_t n)
{
	json_t *j = it_json(r), *detail = json_object_get(j, "detail");
	int ok = r->status == 422 && json_array_size(detail) == n;
	size_t i;

	for (i = 0; ok && i < n; i++) {
		json_t *e = json_array_get(detail, i);
		json_t *loc = json_object_get(e, "loc");
		char got[128];

		snprintf(got, sizeof(got), "%s:%s",
			 json_string_value(json_array_get(loc, json_array_size(loc) - 1)),
			 json_string_value(json_object_get(e, "type")));
		ok = strcmp(got, want[i]) == 0;
	}
	json_decref(j);
	return ok;
}

/* Credentials of the wrong type, missing or too long: 422 naming each, in
 * every shape; never a 401 that would count as a failed login. */
static void
test_login_bad_fields(void)
{
	static const char *const email_type[] = {"email:type_error.str"};
	static const char *const pw_type[] = {"password:type_error.str"};
	static const char *const both_missing[] = {"email:value_error.missing",
						   "password:value_error.missing"};
	static const char *const pw_missing[] = {"password:value_error.missing"};
	static const char *const pw_long[] = {"password:value_error.any_str.max_length"};
	static const char *const user_missing[] = {"username:value_error.missing"};
	static const char json[] = "application/json", form[] = "application/x-www-form-urlencoded";
	char long_pw[1200];
	struct {
		const char *path, *ctype, *body;
		const char *const *want;
		size_t n;
	} cases[] = {
	    {"login", json, "{\"email\":123,\"password\":\"securepass123\"}", email_type, 1},
	    {"login", json, "{\"email\":\"a@example.com\",\"password\":[\"x\"]}", pw_type, 1},
	    {"login", json, "{}", both_missing, 2},
	    {"login", json, long_pw, pw_long, 1},
	    {"login", form, "email=a%40example.com", pw_missing, 1},
	    {"login", NULL, NULL, both_missing, 2},
	    {"token", form, "grant_type=password&password=securepass123", user_missing, 1},
	};
	size_t i;
	struct it_resp r;

	snprintf(long_pw, sizeof(long_pw), "{\"email\":\"a@example.com\",\"password\":\"%01025d\"}",
		 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/auth/%s", cases[i].path);
		it_http("POST", path, cases[i].ctype, cases[i].body,
			cases[i].body ? strlen(cases[i].body) : 0, NULL, 0, &r);
		CU_ASSERT(rejects(&r, cases[i].want, cases[i].n));
		it_resp_free(&r);
	}
	/* an email no account can have is a failed login, not a field error */
	it_http("POST", "/api/v1/auth/login", json,
		LIT("{\"email\":\"not an email\",\"password\":\"securepass123\"}"), NULL, 0, &r);
	CU_ASSERT_EQUAL(r.status, 401);
	it_resp_free(&r);
}

/* POST /auth/refresh with token; the response status, tokens copied out. */
static long
refresh_with(const char *token, char *access, size_t an, char *refresh, size_t rn)
{
	char body[512];
	struct it_resp r;
	long s;

	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", token);
	it_http("POST", "/api/v1/auth/refresh", "application/json", body, strlen(body), NULL, 0,
		&r);
	s = r.status;
	if (s == 200)
		check_tokens(&r, access, an, refresh, rn);
	it_resp_free(&r);
	return s;
}

static void
login_as(const char *email, const char *password, char *access, size_t an, char *refresh, size_t rn)
{
	char body[512];
	struct it_resp r;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	it_http("POST", "/api/v1/auth/login", "application/json", body, strlen(body), NULL, 0, &r);
	check_tokens(&r, access, an, refresh, rn);
	it_resp_free(&r);
}

static void
test_refresh_rotation_and_reuse(void)
{
	char a1[2048], r1[256], a2[2048], r2[256], a3[2048], r3[256];

	register_user("rotate@example.com", "securepass123");
	login_as("rotate@example.com", "securepass123", a1, sizeof(a1), r1, sizeof(r1));
	CU_ASSERT_EQUAL(refresh_with(r1, a2, sizeof(a2), r2, sizeof(r2)), 200);
	CU_ASSERT_STRING_NOT_EQUAL(r1, r2);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", a2, 0), 200);
	/* the rotated token no longer works, and replaying it is theft:
	 * the whole family goes, including the newest token */
	CU_ASSERT_EQUAL(refresh_with(r1, a3, sizeof(a3), r3, sizeof(r3)), 401);
	CU_ASSERT_EQUAL(refresh_with(r2, a3, sizeof(a3), r3, sizeof(r3)), 401);
	/* another login is another family, unaffected */
	login_as("rotate@example.com", "securepass123", a1, sizeof(a1), r1, sizeof(r1));
	CU_ASSERT_EQUAL(refresh_with(r1, a2, sizeof(a2), r2, sizeof(r2)), 200);
	/* garbage and the access token itself are not refresh tokens */
	CU_ASSERT_EQUAL(refresh_with("garbage", a3, sizeof(a3), r3, sizeof(r3)), 401);
	CU_ASSERT_EQUAL(refresh_with(a2, a3, sizeof(a3), r3, sizeof(r3)), 401);
}

static void
test_logout(void)
{
	char a[2048], r[256], a2[2048], r2[256], hdr[2100];
	const char *h[] = {hdr, NULL};
	struct it_resp resp;

	register_user("logout@example.com", "securepass123");
	login_as("logout@example.com", "securepass123", a, sizeof(a), r, sizeof(r));
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", a);
	it_http("POST", "/api/v1/auth/logout", NULL, NULL, 0, h, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 204);
	it_resp_free(&resp);
	CU_ASSERT_EQUAL(refresh_with(r, a2, sizeof(a2), r2, sizeof(r2)), 401);
	it_http("POST", "/api/v1/auth/logout", NULL, NULL, 0, NULL, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 401);
	it_resp_free(&resp);
}

/* POST path in cookie mode ("X-Kiln-Session: cookie") with a Cookie
 * header (NULL: none) and a bearer token (NULL: none); OUT: r, and the
 * Set-Cookie value into OUT: set ("" when none). The status. */
static long
cookie_post(const char *path, const char *cookie, const char *bearer, const char *body,
	    struct it_resp *r, char *set, size_t sn)
{
	char c[512], a[2100];
	const char *h[4] = {"X-Kiln-Session: cookie", NULL, NULL, NULL};
	size_t i = 1;

	if (cookie != NULL) {
		snprintf(c, sizeof(c), "Cookie: %s", cookie);
		h[i++] = c;
	}
	if (bearer != NULL) {
		snprintf(a, sizeof(a), "Authorization: Bearer %s", bearer);
		h[i++] = a;
	}
	it_http("POST", path, "application/json", body, strlen(body), h, 0, r);
	if (it_header(r, "Set-Cookie", set, sn) == NULL)
		set[0] = '\0';
	return r->status;
}

/* The "kiln_refresh=VALUE" part of a Set-Cookie value into OUT: pair. */
static void
cookie_pair(const char *set, char *pair, size_t n)
{
	const char *semi = strchr(set, ';');

	snprintf(pair, n, "%.*s", semi ? (int)(semi - set) : (int)strlen(set), set);
}

/* Logs in in cookie mode; asserts the cookie's attributes and that the
 * body has no refresh token. OUT: pair, access. */
static void
cookie_login(const char *email, char *pair, size_t pn, char *access, size_t an)
{
	char body[256], set[512];
	struct it_resp r;
	json_t *j;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"securepass123\"}", email);
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/login", NULL, NULL, body, &r, set, sizeof(set)),
			200);
	j = it_json(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT(json_is_string(json_object_get(j, "access_token")));
	CU_ASSERT_PTR_NULL(json_object_get(j, "refresh_token"));
	snprintf(access, an, "%s", json_string_value(json_object_get(j, "access_token")));
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT(strncmp(set, "kiln_refresh=", 13) == 0 && strlen(set) > 13 + 40);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; SameSite=Strict"));
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; Path=/api/v1/auth;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "; Max-Age=2592000;"));
	CU_ASSERT_PTR_NULL(strstr(set, "Secure")); /* plain HTTP here */
	cookie_pair(set, pair, pn);
}

static void
test_cookie_session(void)
{
	const char *plain = "{\"email\":\"cookie@example.com\",\"password\":\"securepass123\"}";
	char c1[256], c2[256], c3[256], access[2048], set[512], hdr[300];
	const char *h[] = {hdr, NULL};
	struct it_resp r;
	json_t *j;

	register_user("cookie@example.com", "securepass123");
	/* without the header: the tokens in the body and no cookie, as ever */
	it_http("POST", "/api/v1/auth/login", "application/json", plain, strlen(plain), NULL, 0,
		&r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NULL(it_header(&r, "Set-Cookie", set, sizeof(set)));
	check_tokens(&r, NULL, 0, c3, sizeof(c3));
	CU_ASSERT(strlen(c3) > 40);
	it_resp_free(&r);

	cookie_login("cookie@example.com", c1, sizeof(c1), access, sizeof(access));
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", access, 0), 200);
	/* the cookie refreshes and rotates; the body still holds no refresh token */
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", c1, NULL, "{}", &r, set, sizeof(set)),
			200);
	j = it_json(&r);
	CU_ASSERT(json_is_string(json_object_get(j, "access_token")));
	CU_ASSERT_PTR_NULL(json_object_get(j, "refresh_token"));
	json_decref(j);
	it_resp_free(&r);
	cookie_pair(set, c2, sizeof(c2));
	CU_ASSERT(strncmp(c2, "kiln_refresh=", 13) == 0);
	CU_ASSERT_STRING_NOT_EQUAL(c1, c2);
	/* the cookie is read only in cookie mode: without the header, the
	 * body must carry the token (422), as before */
	snprintf(hdr, sizeof(hdr), "Cookie: %s", c2);
	it_http("POST", "/api/v1/auth/refresh", "application/json", "{}", 2, h, 0, &r);
	CU_ASSERT_EQUAL(r.status, 422);
	CU_ASSERT_PTR_NULL(it_header(&r, "Set-Cookie", set, sizeof(set)));
	it_resp_free(&r);
	/* no cookie, or a malformed one: 401, and the browser is told to drop it */
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", NULL, NULL, "{}", &r, set, sizeof(set)),
			401);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "kiln_refresh=; Path=/api/v1/auth; Max-Age=0"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", "kiln_refresh=a\"b", NULL, "{}", &r,
				    set, sizeof(set)),
			401);
	it_resp_free(&r);
	/* replaying the rotated cookie is theft: the family goes, c2 too */
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", c1, NULL, "{}", &r, set, sizeof(set)),
			401);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "Max-Age=0"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", c2, NULL, "{}", &r, set, sizeof(set)),
			401);
	it_resp_free(&r);
	/* a body token still wins over the cookie in cookie mode */
	snprintf(hdr, sizeof(hdr), "{\"refresh_token\":\"%s\"}", c3);
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", c2, NULL, hdr, &r, set, sizeof(set)),
			200);
	it_resp_free(&r);

	/* logout in cookie mode revokes the cookie's session and drops the cookie */
	cookie_login("cookie@example.com", c1, sizeof(c1), access, sizeof(access));
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/logout", c1, access, "{}", &r, set, sizeof(set)),
			204);
	CU_ASSERT_PTR_NOT_NULL(strstr(set, "kiln_refresh=; Path=/api/v1/auth; Max-Age=0"));
	it_resp_free(&r);
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/refresh", c1, NULL, "{}", &r, set, sizeof(set)),
			401);
	it_resp_free(&r);
	/* logout needs the access token, cookie or not */
	CU_ASSERT_EQUAL(cookie_post("/api/v1/auth/logout", c1, NULL, "{}", &r, set, sizeof(set)),
			401);
	it_resp_free(&r);
}

/* Creates an API key as token; returns its id, OUT: key. */
static long long
make_key(const char *token, const char *body, char *key, size_t n, long *status)
{
	char hdr[2100];
	const char *h[] = {hdr, NULL};
	struct it_resp r;
	long long id = 0;
	json_t *j;

	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token);
	it_http("POST", "/api/v1/auth/api-keys", "application/json", body, strlen(body), h, 0, &r);
	*status = r.status;
	if ((j = it_json(&r)) != NULL && r.status == 201) {
		snprintf(key, n, "%s", json_string_value(json_object_get(j, "key")));
		id = json_integer_value(json_object_get(j, "id"));
		CU_ASSERT(strncmp(key, json_string_value(json_object_get(j, "prefix")), 12) == 0);
	}
	json_decref(j);
	it_resp_free(&r);
	return id;
}

static void
test_api_keys(void)
{
	char a[2048], r[256], other[2048], key[128], path[128], hdr[2100];
	const char *h[] = {hdr, NULL};
	struct it_resp resp;
	long status;
	long long id;

	register_user("keys@example.com", "securepass123");
	register_user("keys2@example.com", "securepass123");
	login_as("keys@example.com", "securepass123", a, sizeof(a), r, sizeof(r));
	login_as("keys2@example.com", "securepass123", other, sizeof(other), r, sizeof(r));
	id = make_key(a, "{\"name\":\"ci\",\"expires_at\":\"2099-01-01T00:00:00Z\"}", key,
		      sizeof(key), &status);
	CU_ASSERT_EQUAL(status, 201);
	CU_ASSERT(strncmp(key, "kiln_", 5) == 0 && strlen(key) == 48);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", key, 1), 200);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", key, 0), 200); /* as a Bearer token too */
	/* the list never shows the key again */
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", a);
	it_http("GET", "/api/v1/auth/api-keys", NULL, NULL, 0, h, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 200);
	CU_ASSERT_PTR_NULL(strstr(resp.body, key));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp.body, "\"last_used_at\":\"")); /* it was used */
	it_resp_free(&resp);
	/* bad bodies */
	make_key(a, "{\"name\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"}", key + 64, 0,
		 &status);
	CU_ASSERT_EQUAL(status, 422);
	make_key(a, "{\"name\":\"x\",\"expires_at\":\"tomorrow\"}", key + 64, 0, &status);
	CU_ASSERT_EQUAL(status, 422);
	make_key(a, "{}", key + 64, 0, &status);
	CU_ASSERT_EQUAL(status, 422);
	/* another user cannot revoke it: 404, not 403 */
	snprintf(path, sizeof(path), "/api/v1/auth/api-keys/%lld", id);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", other);
	it_http("DELETE", path, NULL, NULL, 0, h, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 404);
	it_resp_free(&resp);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", key, 1), 200);
	/* the owner revokes it: it stops at once */
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", a);
	it_http("DELETE", path, NULL, NULL, 0, h, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 204);
	it_resp_free(&resp);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", key, 1), 401);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", key, 0), 401);
	it_http("DELETE", path, NULL, NULL, 0, h, 0, &resp);
	CU_ASSERT_EQUAL(resp.status, 404);
	it_resp_free(&resp);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", "kiln_not-a-real-key", 1), 401);
}

/* base64url of s into OUT: out. */
static void
b64(const char *s, char *out)
{
	crypto_b64url((const unsigned char *)s, strlen(s), out);
}

/* A token of header.payload with the given signature part. */
static void
forge(const char *header, const char *payload, const char *sig, char *out, size_t n)
{
	char h[512], p[1024];

	b64(header, h);
	b64(payload, p);
	snprintf(out, n, "%s.%s.%s", h, p, sig);
}

static void
test_token_attacks(void)
{
	char a[2048], r[256], tok[4096], payload[512], path[4096];
	struct kiln_config cfg;
	char err[CONFIG_ERR_MAX];
	struct jwt_claims c;
	char *signed_tok = NULL;
	long long now = (long long)time(NULL);
	const char *dot;

	register_user("attack@example.com", "securepass123");
	login_as("attack@example.com", "securepass123", a, sizeof(a), r, sizeof(r));
	CU_ASSERT_FATAL(config_load(it_path("kiln.conf", path, sizeof(path)), &cfg, err) ==
			KILN_OK);
	snprintf(payload, sizeof(payload),
		 "{\"sub\":1,\"iat\":%lld,\"exp\":%lld,\"typ\":\"access\",\"role\":\"admin\","
		 "\"jti\":\"x\"}",
		 now, now + 600);
	/* alg none, with and without a signature part */
	forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "", tok, sizeof(tok));
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", tok, 0), 401);
	forge("{\"alg\":\"none\"}", payload, "c2ln", tok, sizeof(tok));
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", tok, 0), 401);
	/* an RS256 header */
	forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, "c2lnbmF0dXJl", tok, sizeof(tok));
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", tok, 0), 401);
	/* HS256 with the wrong key */
	memset(&c, 0, sizeof(c));
	c.sub = 1;
	c.iat = now;
	c.exp = now + 600;
	snprintf(c.typ, sizeof(c.typ), "access");
	snprintf(c.role, sizeof(c.role), "admin");
	snprintf(c.jti, sizeof(c.jti), "x");
	CU_ASSERT_EQUAL_FATAL(
	    jwt_hs256_sign(LIT("an-attacker-guessed-key-0123456789abcdef"), &c, &signed_tok),
	    KILN_OK);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", signed_tok, 0), 401);
	free(signed_tok);
	/* the right key but expired, or not an access token: still refused */
	c.iat = now - 1200;
	c.exp = now - 600;
	jwt_hs256_sign(cfg.jwt_secret, strlen(cfg.jwt_secret), &c, &signed_tok);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", signed_tok, 0), 401);
	free(signed_tok);
	c.iat = now;
	c.exp = now + 600;
	snprintf(c.typ, sizeof(c.typ), "refresh");
	jwt_hs256_sign(cfg.jwt_secret, strlen(cfg.jwt_secret), &c, &signed_tok);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", signed_tok, 0), 401);
	free(signed_tok);
	/* a real token with its payload swapped keeps its old signature */
	dot = strchr(a, '.');
	CU_ASSERT_FATAL(dot != NULL && strchr(dot + 1, '.') != NULL);
	{
		char h[512], p[1024];

		snprintf(h, sizeof(h), "%.*s", (int)(dot - a), a);
		b64(payload, p);
		snprintf(tok, sizeof(tok), "%s.%s%s", h, p, strchr(dot + 1, '.'));
	}
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", tok, 0), 401);
	/* garbage, an empty bearer, a refresh token as an access token */
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", "garbage", 0), 401);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", "a.b.c", 0), 401);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", "", 0), 401);
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", r, 0), 401);
	/* and the real one works */
	CU_ASSERT_EQUAL(get_as("/api/v1/auth/me", a, 0), 200);
	CU_ASSERT_EQUAL(it_get_status("/api/v1/auth/me"), 401);
}

void
suite_auth(void)
{
	CU_pSuite s = CU_add_suite("accounts", NULL, NULL);

	CU_add_test(s, "register validates, normalises and refuses duplicates", test_register);
	CU_add_test(s, "login by JSON, form, query and the OAuth2 token route", test_login_shapes);
	CU_add_test(s, "login names every bad or missing credential field (422)",
		    test_login_bad_fields);
	CU_add_test(s, "refresh rotates; a replayed token revokes its family",
		    test_refresh_rotation_and_reuse);
	CU_add_test(s, "logout revokes the session's refresh tokens", test_logout);
	CU_add_test(s, "browser sessions: the refresh token as an HttpOnly cookie",
		    test_cookie_session);
	CU_add_test(s, "API keys: shown once, authenticate, revoke, owner-scoped", test_api_keys);
	CU_add_test(s, "forged, expired and mistyped tokens are all 401", test_token_attacks);
}
